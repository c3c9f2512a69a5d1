/* The DOCX reader (libarchive + libxml2), decompression cap included. */
#include <stdint.h>

#include "extract/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct gh_doc *doc = gh_cells_new();
  GError *err = NULL;
  gh_docx_to_doc((const char *)data, size, 4 << 20, doc, &err);
  g_clear_error(&err);
  gh_cells_free(&doc);
  return 0;
}

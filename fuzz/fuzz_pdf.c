/* The PDF path: poppler-glib, glyph boxes regrouped into lines and cells. */
#include <stdint.h>

#include "extract/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct gh_doc *doc = gh_cells_new();
  enum gh_status st;
  GError *err = NULL;
  gh_pdf_to_doc((const char *)data, size, 8, doc, &st, &err);
  g_clear_error(&err);
  gh_cells_free(&doc);
  return 0;
}

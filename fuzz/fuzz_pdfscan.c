/* The PDF pre-scan (extract/pdfscan.c): hostile bytes, read before poppler. */
#include <glib.h>
#include <stdint.h>

#include "extract/pdfscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *why = NULL;
  gh_pdfscan_too_costly((const char *)data, size, &why);
  g_free(why);
  return 0;
}

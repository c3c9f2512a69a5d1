/* Agency identity on names a hostile document could print: the input is
 * "HINT\nNAME\nCONTEXT" (each part optional), valid UTF-8 only, as the
 * record JSON guarantees. */
#include <stdint.h>
#include <string.h>

#include "record/places.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if(size > 4096 || !g_utf8_validate((const char *)data, (gssize)size, NULL))
    return 0;
  char *in = g_strndup((const char *)data, size);
  char **parts = g_strsplit(in, "\n", 3);
  const char *hint = parts[0] && parts[1] ? parts[0] : NULL;
  const char *name = parts[0] && parts[1] ? parts[1] : parts[0] ? parts[0] : "";
  const char *context[] = { parts[0] && parts[1] ? parts[2] : NULL, NULL };
  const char *code = NULL;
  char *norm = gh_agency_identity(gh_regions_builtin(), name, hint && *hint ? hint : NULL,
                                  context, &code);
  char *key = gh_agency_key_join(code, norm);
  struct gh_place pl;
  gh_region_place(gh_regions_builtin(), code, &pl);
  g_free(key);
  g_free(norm);
  g_strfreev(parts);
  g_free(in);
  return 0;
}

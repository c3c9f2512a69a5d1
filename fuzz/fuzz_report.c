/* The report parser on arbitrary text: the cell stream of any document
 * ends here.  Text reader + parser + derivations + checks + JSON. */
#include <stdint.h>
#include <stdlib.h>

#include "extract/extract.h"
#include "record/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = g_utf8_make_valid((const char *)data, (gssize)size);
  struct gh_doc *doc = gh_cells_new();
  gh_text_to_doc(text, strlen(text), doc);
  struct gh_record rec;
  gh_record_init(&rec);
  gh_report_parse(doc, &rec);
  json_t *j = gh_record_to_json(&rec);
  char *s = json_dumps(j, JSON_COMPACT);
  free(s);
  json_decref(j);
  gh_record_clear(&rec);
  gh_cells_free(&doc);
  g_free(text);
  return 0;
}

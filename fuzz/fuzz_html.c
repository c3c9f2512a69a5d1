/* The HTML path: charset detection, gumbo, article finding, tables, then
 * link discovery on the same bytes.  In production both run in the
 * isolated worker; here in-process, so a crash is a finding. */
#include <stdint.h>

#include "crawler/discover.h"
#include "extract/charset.h"
#include "extract/extract.h"
#include "record/parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct gh_doc *doc = gh_cells_new();
  GError *err = NULL;
  if(gh_html_to_doc((const char *)data, size, NULL, doc, &err)) {
    struct gh_record rec;
    gh_record_init(&rec);
    gh_report_parse(doc, &rec);
    gh_record_clear(&rec);
  }
  g_clear_error(&err);
  gh_cells_free(&doc);
  size_t n = 0;
  char *utf8 = gh_to_utf8((const char *)data, size, NULL, true, &n, NULL, NULL);
  if(utf8) {
    GPtrArray *links = g_ptr_array_new_with_free_func(gh_link_free);
    gh_discover(utf8, n, "http://www.example.gov.cn/zfxxgk/zfxxgknb/index.html", GH_LINK_COLUMN, links);
    gh_discover(utf8, n, "http://www.example.gov.cn/art/2024/1/1/art_1_2.html", GH_LINK_REPORT, links);
    g_ptr_array_free(links, TRUE);
    g_free(utf8);
  }
  return 0;
}

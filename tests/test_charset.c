/* Charset conversion (extract/charset.c gh_to_utf8): declared, undeclared,
 * mis-declared and damaged encodings of real county pages. */
#include <glib.h>
#include <string.h>

#include "extract/charset.h"

#include "check.h"

static void
test_charset(void)
{
  /* "年度报告" in GBK, declared by a meta tag, and undeclared. */
  const char gbk[] = "<meta charset=\"gb2312\"><p>\xC4\xEA\xB6\xC8\xB1\xA8\xB8\xE6</p>";
  size_t n = 0;
  const char *used = NULL;
  char *u = gh_to_utf8(gbk, sizeof(gbk) - 1, NULL, true, &n, &used, NULL);
  EXPECT(u && strstr(u, "年度报告"), "GBK page with meta charset");
  EXPECT(used && !strcmp(used, "GB18030"), "used %s", used);
  g_free(u);
  const char bare[] = "<p>\xC4\xEA\xB6\xC8\xB1\xA8\xB8\xE6</p>";
  u = gh_to_utf8(bare, sizeof(bare) - 1, "utf-8", true, &n, &used, NULL);
  EXPECT(u && strstr(u, "年度报告"), "GBK page declared as UTF-8");
  g_free(u);
  const char utf[] = "<meta charset=gbk><p>年度报告</p>";
  u = gh_to_utf8(utf, sizeof(utf) - 1, NULL, true, &n, &used, NULL);
  EXPECT(u && strstr(u, "年度报告") && !strcmp(used, "UTF-8"), "UTF-8 page declared as GBK");
  g_free(u);
  /* UTF-8 with a stray byte and a cut character: repaired, not re-read as
   * GB18030 (which would turn the whole page into mojibake). */
  const char damaged[] = "<p>武定县工业信息化商务科学技术局\xff" "2020年政府信息公开工作年度报告\xe5\xb9</p>";
  u = gh_to_utf8(damaged, sizeof(damaged) - 1, "utf-8", true, &n, &used, NULL);
  EXPECT(u && strstr(u, "武定县工业信息化商务科学技术局") && strstr(u, "年度报告") &&
           !strcmp(used, "UTF-8 (repaired)"),
         "damaged UTF-8 repaired: %s (%s)", u, used);
  g_free(u);
}

static const struct gh_case cases[] = { GH_CASE(charset) };

int
main(int argc, char **argv)
{
  return gh_cases_main("charset", cases, G_N_ELEMENTS(cases), argc, argv);
}

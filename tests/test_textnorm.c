/* Table-driven unit tests of record/textnorm.c: text normalisation, cell
 * values, years and small numbers, bounded UTF-8 lengths. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "record/textnorm.h"

#include "check.h"

static void
test_norm(void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "（一）予以公开", "(一)予以公开" },
    { "(一) 予以公开", "(一)予以公开" },
    { "1. 属于 国家秘密", "1.属于国家秘密" },
    { "**六、其他需要报告的事项**", "六、其他需要报告的事项" },
    { "## 2020 年政府信息公开工作年度报告", "2020年政府信息公开工作年度报告" },
    { "１２３", "123" },
    { "本年\xE3\x80\x80新收\xC2\xA0数量\xE2\x80\x8B", "本年新收数量" }, /* U+3000, NBSP, ZWSP */
    { "—", "-" },
    /* A mirror's pinyin after characters goes; other parentheses stay. */
    { "年度報(bào)告", "年度報告" },
    { "開平市農（nóng）業(yè)", "開平市農業" },
    { "規章(abc)", "規章(abc)" },
    { "(一)予以公开", "(一)予以公开" },
    { "局(以下简称本局)", "局(以下简称本局)" },
    { "(bào)开头", "(bào)开头" },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *n = gh_norm(cases[i].in, strlen(cases[i].in));
    EXPECT(!strcmp(n, cases[i].out), "gh_norm(%s) = %s, want %s", cases[i].in, n, cases[i].out);
    g_free(n);
  }
}

static void
test_values(void)
{
  static const struct {
    const char *in;
    bool ok;
    enum gh_value_kind kind;
    double d;
    enum gh_unit unit;
  } cases[] = {
    { "0", true, GH_VALUE_INT, 0, GH_UNIT_NONE },
    { "12", true, GH_VALUE_INT, 12, GH_UNIT_NONE },
    { "+2", true, GH_VALUE_INT, 2, GH_UNIT_NONE },
    { "-1", true, GH_VALUE_INT, -1, GH_UNIT_NONE },
    { "1,234", true, GH_VALUE_INT, 1234, GH_UNIT_NONE },
    { "12件", true, GH_VALUE_INT, 12, GH_UNIT_NONE },
    { "1.77万元", true, GH_VALUE_DECIMAL, 1.77, GH_UNIT_WAN },
    { "251000元", true, GH_VALUE_DECIMAL, 251000, GH_UNIT_YUAN },
    { "190.457379", true, GH_VALUE_DECIMAL, 190.457379, GH_UNIT_NONE },
    { "-", true, GH_VALUE_BLANK, 0, GH_UNIT_NONE },
    { "/", true, GH_VALUE_BLANK, 0, GH_UNIT_NONE },
    { "", true, GH_VALUE_BLANK, 0, GH_UNIT_NONE },
    { "规章", false, 0, 0, 0 },
    { "2020年", false, 0, 0, 0 },
    { "1.属于国家秘密", false, 0, 0, 0 },
    { "12a", false, 0, 0, 0 },
    { "99999999999999999999", false, 0, 0, 0 },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    struct gh_value v;
    bool ok = gh_value_parse(cases[i].in, &v);
    EXPECT(ok == cases[i].ok, "gh_value_parse(%s) ok=%d", cases[i].in, ok);
    if(ok && cases[i].ok) {
      EXPECT(v.kind == cases[i].kind, "gh_value_parse(%s) kind=%d", cases[i].in, v.kind);
      EXPECT(v.d == cases[i].d, "gh_value_parse(%s) d=%g", cases[i].in, v.d);
      EXPECT(v.unit == cases[i].unit, "gh_value_parse(%s) unit=%d", cases[i].in, v.unit);
    }
  }
}

static void
test_years(void)
{
  static const struct { const char *in; int year; } y[] = {
    { "2020", 2020 }, { "二〇二〇", 2020 }, { "二○二○", 2020 }, { "二O二O", 2020 },
    { "202130", -1 }, { "20", -1 }, { "1850", -1 }, { "二〇二", -1 },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(y); i++)
    EXPECT(gh_year_from_text(y[i].in, strlen(y[i].in)) == y[i].year, "year(%s)", y[i].in);
  static const struct { const char *in; int n; } s[] = {
    { "1", 1 }, { "12", 12 }, { "一", 1 }, { "十", 10 }, { "十五", 15 },
    { "二十", 20 }, { "三十一", 31 }, { "二三", -1 }, { "", -1 },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(s); i++)
    EXPECT(gh_small_number(s[i].in, strlen(s[i].in)) == s[i].n, "small(%s)", s[i].in);
}

/* Heading and label tests compare a line's length with a small bound;
 * the count must agree with g_utf8_strlen up to the bound, and stop
 * there. */
static void
test_utf8_len(void)
{
  const char *cases[] = { "", "a", "二、", "收到和处理政府信息公开申请情况", "Ａｂ\u3000c😀",
                          "政府信息公开工作年度报告政府信息公开工作年度报告政府信息公开工作年度报告" };
  for(size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
    size_t full = (size_t)g_utf8_strlen(cases[i], -1);
    for(size_t cap = 0; cap < 40; cap++)
      EXPECT(gh_utf8_len_upto(cases[i], cap) == MIN(full, cap + 1), "len of %s up to %zu: %zu (full %zu)",
             cases[i], cap, gh_utf8_len_upto(cases[i], cap), full);
  }
}

static const struct gh_case cases[] = {
  GH_CASE(norm), GH_CASE(utf8_len), GH_CASE(values), GH_CASE(years),
};

int
main(int argc, char **argv)
{
  return gh_cases_main("textnorm", cases, G_N_ELEMENTS(cases), argc, argv);
}

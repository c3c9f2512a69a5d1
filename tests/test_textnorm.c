/* Table-driven unit tests: text normalisation, cell values, years and dates,
 * format sniffing, charset conversion, configuration errors. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "extract/charset.h"
#include "extract/extract.h"
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

#define B(s) s, sizeof(s) - 1

static void
test_sniff(void)
{
  static const struct { const char *bytes; size_t len; enum gh_format f; } c[] = {
    { B(""), GH_FMT_EMPTY },
    { B("%PDF-1.7\n"), GH_FMT_PDF },
    { B("PK\x03\x04....word/document.xml"), GH_FMT_DOCX },
    { B("PK\x03\x04....other.txt"), GH_FMT_ZIP },
    { B("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), GH_FMT_OLE },
    { B("<!DOCTYPE html><html>"), GH_FMT_HTML },
    { B("\xEF\xBB\xBF<html>"), GH_FMT_HTML },
    { B("一、总体情况\n"), GH_FMT_TEXT },
    { B("\x89PNG\r\n\x1a\n"), GH_FMT_IMAGE },
    { B("ab\0cd"), GH_FMT_BINARY },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(c); i++)
    EXPECT(gh_sniff(c[i].bytes, c[i].len) == c[i].f, "sniff case %zu = %s", i,
           gh_format_name(gh_sniff(c[i].bytes, c[i].len)));
}

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

static void
config_case(const char *text, const char *want_substr)
{
  char *path = NULL;
  int fd = g_file_open_tmp("gh-config-XXXXXX.conf", &path, NULL);
  g_assert(fd >= 0);
  g_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
  struct gh_config cfg;
  GError *err = NULL;
  bool ok = gh_config_load(&cfg, path, true, &err);
  if(want_substr) {
    EXPECT(!ok, "config should fail: %s", text);
    if(err) {
      char *want = g_strdup_printf("%s:%s", path, want_substr);
      EXPECT(strstr(err->message, want) != NULL, "config error '%s' lacks '%s'", err->message,
             want);
      g_free(want);
      g_error_free(err);
    }
  }
  else {
    EXPECT(ok, "config should load: %s (%s)", text, err ? err->message : "");
    g_clear_error(&err);
    gh_config_clear(&cfg);
  }
  g_unlink(path);
  g_free(path);
}

static void
test_config(void)
{
  config_case("[store]\npath = /tmp/x\n[limits]\nmax_document_bytes = 16M\n", NULL);
  config_case("# comment\n\n[limits]\nmax_document_bytes = lots\n", "4: [limits] max_document_bytes");
  config_case("[store]\npath = /tmp/x\npth = /tmp/y\n", "3: [store] pth: unknown key");
  config_case("[stroe]\npath = /tmp/x\n", "1: [stroe]: unknown group");
  config_case("[store]\nthis line is broken\n", "2:");
  config_case("[log]\nlevel = chatty\n", "2: [log] level");
  struct gh_config cfg;
  GError *err = NULL;
  EXPECT(!gh_config_load(&cfg, "/nonexistent/govharvest.conf", true, &err), "missing file");
  EXPECT(err && strstr(err->message, "/nonexistent/govharvest.conf"), "missing file named");
  g_clear_error(&err);
  EXPECT(gh_config_load(&cfg, "/nonexistent/govharvest.conf", false, &err), "optional default");
  EXPECT(cfg.max_document_bytes == 32u << 20, "default max_document_bytes");
  gh_config_clear(&cfg);
  uint64_t v;
  EXPECT(gh_parse_size("512k", &v) && v == 512 * 1024, "512k");
  EXPECT(gh_parse_size("1G", &v) && v == 1ull << 30, "1G");
  EXPECT(!gh_parse_size("-1", &v), "-1");
  EXPECT(!gh_parse_size("99999999999999999999G", &v), "overflow");
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

int
main(void)
{
  test_norm();
  test_utf8_len();
  test_values();
  test_years();
  test_sniff();
  test_charset();
  test_config();
  printf("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

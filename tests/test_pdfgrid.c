/* Unit tests of extract/pdfgrid.c on synthetic glyph boxes: header runs
 * set across narrow columns are cut into their columns' header lines, and
 * nothing else is cut. */
#include <glib.h>
#include <string.h>

#include "extract/pdfgrid.h"

#include "check.h"

/* A run of `text` laid out from x = 0 in 12-point glyphs: `gaps[k]` is the
 * space before glyph k (gaps[0] unused).  Returns the pieces joined by
 * '|', as the reader would stack them. */
static char *
cut(const char *text, const double *gaps, const double *vcols, unsigned nv)
{
  unsigned n = (unsigned)g_utf8_strlen(text, -1);
  struct gh_glyph_box *g = g_new(struct gh_glyph_box, n);
  double x = 0;
  for(unsigned k = 0; k < n; k++) {
    x += k ? gaps[k] : 0;
    g[k] = (struct gh_glyph_box){ x, x + 12 };
    x += 12;
  }
  bool *at = g_new(bool, n);
  unsigned pieces = gh_pdfgrid_cut_header(text, g, n, vcols, nv, 12, at);
  GString *out = g_string_new(NULL);
  const char *p = text;
  unsigned counted = 1;
  for(unsigned k = 0; k < n; k++) {
    if(k && at[k]) {
      g_string_append_c(out, '|');
      counted++;
    }
    const char *q = g_utf8_next_char(p);
    g_string_append_len(out, p, q - p);
    p = q;
  }
  EXPECT(counted == pieces, "%s: %u pieces returned, %u cut", text, pieces, counted);
  g_free(at);
  g_free(g);
  return g_string_free(out, FALSE);
}

static void
check(const char *what, const char *text, const double *gaps, const double *vcols, unsigned nv,
      const char *want)
{
  char *got = cut(text, gaps, vcols, nv);
  EXPECT(!strcmp(got, want), "%s: cut '%s' as '%s', want '%s'", what, text, got, want);
  g_free(got);
}

int
main(void)
{
  /* Section 四's first group in columns 28 points wide: two glyphs per
   * column, 4 points between columns, values left-aligned under them. */
  static const double g4[] = { 0, 0, 4, 0, 4, 0, 4, 0 };
  static const double v4[] = { 6, 34, 62, 90, 118 };
  check("result headers, first line", "结果结果其他尚未", g4, v4, 5, "结果|结果|其他|尚未");
  check("result headers, second line", "维持纠正结果审结", g4, v4, 5, "维持|纠正|结果|审结");

  /* Under 法人或其他组织: 商业|科研|社会公|法律服务, gaps of 5, 6 and 4,
   * values centred in each column. */
  static const double g3[] = { 0, 0, 5, 0, 6, 0, 0, 4, 0, 0, 0 };
  static const double v3[] = { -30, 12, 41, 76, 126, 170 };
  check("applicant headers wrapped", "商业科研社会公法律服务", g3, v3, 6,
        "商业|科研|社会公|法律服务");

  /* Second lines of the applicant headers over a sparse table: values
   * under two columns only, the names cut all five (企业 of 商业企业 …). */
  static const double gs[] = { 0, 0, 3, 0, 3, 0, 3, 0, 3, 0 };
  static const double vs[] = { 6, 35 };
  check("names beat too few value columns", "企业机构公益服务其他", gs, vs, 2,
        "企业|机构|公益|服务|其他");

  /* A third group printed blank: no values under 总计|结果 of the next
   * group, which the form's names cut apart. */
  static const double g2[] = { 0, 0, 6, 0 };
  check("names without values", "总计结果", g2, NULL, 0, "总计|结果");
  check("names without a gap", "总计结果", (const double[]){ 0, 0, 0, 0 }, NULL, 0, "总计结果");

  /* Not cut: a header inside its own column (one value column in reach),
   * a word whose glyphs touch, a run that is not the form's names. */
  static const double v1[] = { 30 };
  check("one column", "社会公益组织", (const double[]){ 0, 0, 0, 0, 0, 0 }, v1, 1, "社会公益组织");
  static const double vwide[] = { 10, 40 };
  check("a word over two columns, no gap", "本年新收", (const double[]){ 0, 0, 0, 0 }, vwide, 2,
        "本年新收");
  check("not the form's names", "申请人情况说明", (const double[]){ 0, 0, 5, 0, 0, 0, 0 }, NULL, 0,
        "申请人情况说明");
  /* A caption over several columns in the run: cut where gaps are. */
  static const double gc[] = { 0, 0, 4, 0, 6, 0, 0, 0, 0, 0, 0 };
  static const double vc[] = { 6, 34, 70, 100, 120 };
  check("caption beside headers", "结果总计复议后起诉说明", gc, vc, 5, "结果|总计|复议后起诉说明");

  /* Boxes that do not match the text one to one are refused. */
  bool at[3];
  struct gh_glyph_box b[3] = { { 0, 12 }, { 16, 28 }, { 32, 44 } };
  EXPECT(gh_pdfgrid_cut_header("总计x", b, 2, v4, 5, 12, at) == 1, "length mismatch cut");

  printf("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

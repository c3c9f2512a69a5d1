/* Unit tests of the table geometry (extract/pdfgrid*.c) on synthetic glyph
 * boxes: header runs set across narrow columns are cut into their columns'
 * header lines, and nothing else is cut; a section 三 table's values land
 * under the headers printed above them, and a value with no header above
 * it is not put in any column. */
#include <glib.h>
#include <string.h>

#include "extract/pdfgrid.h"
#include "record/cells.h"

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

static void
test_cut_header(void)
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
}

/* ---- whole tables from glyph boxes ----
 *
 * A page laid out as a Word table exported to PDF: 12-point glyphs (CJK
 * 12 wide, digits 6), row labels from x = 20, the seven applicant columns
 * 60 points apart centred at COL(1) … COL(7), y growing down the page. */

#define COL(c) (250.0 + 60.0 * (c))

struct page {
  GArray *boxes;  /* struct gh_grid_box */
  GPtrArray *own; /* the boxes' texts */
};

static void
page_init(struct page *pg)
{
  pg->boxes = g_array_new(FALSE, FALSE, sizeof(struct gh_grid_box));
  pg->own = g_ptr_array_new_with_free_func(g_free);
}

/* `text` set from x, one box per character, on the line centred at y. */
static void
put(struct page *pg, const char *text, double x, double y)
{
  for(const char *p = text; *p; p = g_utf8_next_char(p)) {
    const char *q = g_utf8_next_char(p);
    double w = (unsigned char)*p < 0x80 ? 6 : 12;
    char *one = g_strndup(p, (gsize)(q - p));
    g_ptr_array_add(pg->own, one);
    struct gh_grid_box b = { one, 0, x, y - 6, x + w, y + 6 };
    g_array_append_val(pg->boxes, b);
    x += w;
  }
}

/* `text` centred over x. */
static void
put_centred(struct page *pg, const char *text, double x, double y)
{
  double w = 0;
  for(const char *p = text; *p; p = g_utf8_next_char(p))
    w += (unsigned char)*p < 0x80 ? 6 : 12;
  put(pg, text, x - w / 2, y);
}

/* The national applicant header of section 三, from y: 申请人情况 over
 * everything, 法人或其他组织 over columns 2 to 6, the leaf names wrapped
 * two characters a line in their narrow cells. */
static double
applicant_header(struct page *pg, double y)
{
  static const char *const leaf[7][3] = {
    { "自然", "人", NULL },   { "商业", "企业", NULL }, { "科研", "机构", NULL },
    { "社会", "公益", "组织" }, { "法律", "服务", "机构" }, { "其他", NULL, NULL },
    { "总计", NULL, NULL },
  };
  put_centred(pg, "申请人情况", COL(4), y);
  put_centred(pg, "法人或其他组织", COL(4), y + 18);
  for(int c = 0; c < 7; c++)
    for(int k = 0; k < 3 && leaf[c][k]; k++)
      put_centred(pg, leaf[c][k], COL(c + 1), y + 36 + 15 * k);
  return y + 36 + 15 * 3;
}

/* A row: its label from x = 20, values[c] ("" for a blank cell) centred in
 * column c + 1. */
static void
row(struct page *pg, const char *label, const char *const *values, double y)
{
  if(label)
    put(pg, label, 20, y);
  for(int c = 0; c < 7 && values; c++)
    if(*values[c])
      put_centred(pg, values[c], COL(c + 1), y);
}

/* The doc as one line per row: "T text" or "R label|v1|…|v7" for a table
 * row with its cells in column order ("" blank). */
static char *
read_page(struct page *pg)
{
  struct gh_doc *doc = gh_cells_new();
  size_t glyphs = gh_pdfgrid_to_doc((const struct gh_grid_box *)(void *)pg->boxes->data,
                                    pg->boxes->len, doc);
  EXPECT(glyphs > 0, "no glyph read");
  GString *s = g_string_new(NULL);
  for(guint r = 0; r < doc->rows->len; r++) {
    const struct gh_row *w = &g_array_index(doc->rows, struct gh_row, r);
    g_string_append(s, w->kind == GH_ROW_TEXT ? "T " : "R ");
    for(unsigned c = 0; c < w->n_cells; c++)
      g_string_append_printf(s, "%s%s", c ? "|" : "", w->cells[c].text);
    g_string_append_c(s, '\n');
  }
  gh_cells_free(&doc);
  g_array_free(pg->boxes, TRUE);
  g_ptr_array_free(pg->own, TRUE);
  return g_string_free(s, FALSE);
}

static void
expect_line(const char *doc, const char *line)
{
  char *want = g_strconcat("\n", line, "\n", NULL);
  char *in = g_strconcat("\n", doc, NULL);
  EXPECT(strstr(in, want) != NULL, "no line '%s' in:\n%s", line, doc);
  g_free(in);
  g_free(want);
}

static void
expect_no(const char *doc, const char *part)
{
  EXPECT(strstr(doc, part) == NULL, "'%s' read in:\n%s", part, doc);
}

static const char *const full[7] = { "31", "2", "1", "4", "3", "5", "46" };

/* Rows printing two of seven cells under headers wrapped over three
 * lines: each value in its own column, the others blank. */
static void
test_sparse_row(void)
{
  struct page pg;
  page_init(&pg);
  double y = applicant_header(&pg, 100) + 20;
  row(&pg, "一、本年新收政府信息公开申请数量", full, y);
  row(&pg, "二、上年结转政府信息公开申请数量", (const char *const[]){ "", "7", "", "", "", "", "7" },
      y + 20);
  row(&pg, "（一）予以公开", (const char *const[]){ "", "", "9", "", "", "", "9" }, y + 40);
  char *doc = read_page(&pg);
  expect_line(doc, "R 自然人|商业企业|科研机构|社会公益组织|法律服务机构|其他|总计");
  expect_line(doc, "R 一、本年新收政府信息公开申请数量|31|2|1|4|3|5|46");
  expect_line(doc, "R 二、上年结转政府信息公开申请数量||7|||||7");
  expect_line(doc, "R （一）予以公开|||9||||9");
  g_free(doc);
}

/* The group headers over several columns (申请人情况, 法人或其他组织)
 * are no column of their own: seven columns, their values not shifted. */
static void
test_spanning_header(void)
{
  struct page pg;
  page_init(&pg);
  double y = applicant_header(&pg, 100) + 20;
  row(&pg, "一、本年新收政府信息公开申请数量", full, y);
  row(&pg, "二、上年结转政府信息公开申请数量", (const char *const[]){ "1", "", "", "", "", "", "1" },
      y + 20);
  char *doc = read_page(&pg);
  expect_no(doc, "|法人或其他组织");
  expect_no(doc, "|申请人情况");
  expect_line(doc, "R 二、上年结转政府信息公开申请数量|1||||||1");
  g_free(doc);
}

/* Labels wrapped in tall rows whose cells are top-aligned: the values
 * sit on the label's first line, the rest of the label on the lines
 * below.  The rest is the row's label, not text after the row that would
 * read as the start of the next row's label; a row that does not start
 * an item (the middle of a centred label) keeps its line's text only. */
static void
test_wrapped_label(void)
{
  struct page pg;
  page_init(&pg);
  double y = applicant_header(&pg, 100) + 20;
  row(&pg, "一、本年新收政府信息", full, y);
  put(&pg, "公开申请数量", 20, y + 15);
  row(&pg, "二、上年结转政府信息", (const char *const[]){ "", "3", "", "", "", "", "3" }, y + 30);
  put(&pg, "公开申请数量", 20, y + 45);
  put(&pg, "1.本机关不掌握", 20, y + 60);
  put(&pg, "相关政府信息", 20, y + 75);
  row(&pg, "2.没有现成信息", (const char *const[]){ "2", "", "", "", "", "", "2" }, y + 90);
  put(&pg, "需要另行制作", 20, y + 105);
  row(&pg, "3.补正后申请内容", (const char *const[]){ "", "", "", "", "", "1", "1" }, y + 120);
  row(&pg, "仍不明确", full, y + 135);
  char *doc = read_page(&pg);
  expect_line(doc, "R 一、本年新收政府信息公开申请数量|31|2|1|4|3|5|46");
  expect_line(doc, "R 二、上年结转政府信息公开申请数量||3|||||3");
  expect_line(doc, "T 1.本机关不掌握");
  expect_line(doc, "T 相关政府信息");
  expect_line(doc, "R 2.没有现成信息需要另行制作|2||||||2");
  expect_line(doc, "R 3.补正后申请内容||||||1|1");
  expect_line(doc, "R 仍不明确|31|2|1|4|3|5|46");
  expect_no(doc, "T 公开申请数量");
  expect_no(doc, "T 需要另行制作");
  g_free(doc);

  /* Centred in a row two lines tall: the values on a line of their own
   * between the label's two lines. */
  page_init(&pg);
  y = applicant_header(&pg, 100) + 20;
  row(&pg, "一、本年新收政府信息公开申请数量", full, y);
  put(&pg, "7.属于行政", 20, y + 18);
  row(&pg, NULL, (const char *const[]){ "5", "", "1", "", "", "", "6" }, y + 25);
  put(&pg, "执法案卷", 20, y + 32);
  put(&pg, "8.属于行政", 20, y + 50);
  put(&pg, "查询事项", 20, y + 64);
  doc = read_page(&pg);
  expect_line(doc, "R 7.属于行政执法案卷|5||1||||6");
  expect_line(doc, "T 8.属于行政");
  expect_no(doc, "T 执法案卷");
  g_free(doc);
}

/* A value printed right of the last header, where no column is: its row
 * is not a table row (the value would be guessed into 总计), so the
 * parser sees it as text and leaves it unplaced. */
static void
test_value_without_header(void)
{
  struct page pg;
  page_init(&pg);
  double y = applicant_header(&pg, 100) + 20;
  row(&pg, "一、本年新收政府信息公开申请数量", full, y);
  row(&pg, "二、上年结转政府信息公开申请数量", (const char *const[]){ "1", "", "", "", "", "", "" },
      y + 20);
  put_centred(&pg, "8", COL(7) + 90, y + 20);
  row(&pg, "（一）予以公开", full, y + 40);
  char *doc = read_page(&pg);
  expect_no(doc, "R 二、上年结转政府信息公开申请数量");
  expect_no(doc, "|8|");
  expect_line(doc, "R （一）予以公开|31|2|1|4|3|5|46");
  g_free(doc);
}

/* Section 二 as Chromium prints a narrow-padded table: glyph boxes as
 * tall as the line (2.6 em), 0.4 em between one cell's text and the
 * next.  The header names and the label and its value are apart. */
static void
test_run_together(void)
{
  struct page pg;
  page_init(&pg);
  static const char *const cells[3][2] = {
    { "信息内容", "本年处理决定数量" }, { "行政许可", "48" }, { "其他对外管理服务事项", "1234" } };
  for(int r = 0; r < 3; r++) {
    double x = 36, y = 300 + 25 * r;
    for(int c = 0; c < 2; c++) {
      for(const char *p = cells[r][c]; *p; p = g_utf8_next_char(p)) {
        const char *q = g_utf8_next_char(p);
        bool narrow = (unsigned char)*p < 0x80;
        double w = narrow ? 5.7 : 9, h = narrow ? 10.5 : 23.4;
        char *one = g_strndup(p, (gsize)(q - p));
        g_ptr_array_add(pg.own, one);
        struct gh_grid_box b = { one, 0, x, y - h / 2, x + w, y + h / 2 };
        g_array_append_val(pg.boxes, b);
        x += w;
      }
      x += 3.8;
    }
  }
  char *doc = read_page(&pg);
  expect_line(doc, "R 本年处理决定数量");
  expect_line(doc, "R 行政许可|48");
  expect_line(doc, "R 其他对外管理服务事项|1234");
  g_free(doc);
}

/* The leaf headers set in narrow cells as vertical text, one glyph a
 * line: upright from the top (tbRlV), or rotated to read upwards (btLr),
 * whose glyphs come top to bottom from the name's end. */
static void
vertical_headers(bool upwards)
{
  static const char *const leaf[7] = { "自然人", "商业企业", "科研机构", "社会公益组织",
                                       "法律服务机构", "其他", "总计" };
  struct page pg;
  page_init(&pg);
  put_centred(&pg, "申请人情况", COL(4), 100);
  for(int c = 0; c < 7; c++) {
    glong n = g_utf8_strlen(leaf[c], -1);
    for(glong k = 0; k < n; k++) {
      const char *p = g_utf8_offset_to_pointer(leaf[c], upwards ? n - 1 - k : k);
      char *one = g_strndup(p, (gsize)(g_utf8_next_char(p) - p));
      put_centred(&pg, one, COL(c + 1), 118 + 13 * (double)k);
      g_free(one);
    }
  }
  double y = 118 + 13 * 6 + 15;
  row(&pg, "一、本年新收政府信息公开申请数量", full, y);
  row(&pg, "二、上年结转政府信息公开申请数量", (const char *const[]){ "", "", "", "4", "", "", "4" },
      y + 20);
  char *doc = read_page(&pg);
  expect_line(doc, "R 自然人|商业企业|科研机构|社会公益组织|法律服务机构|其他|总计");
  expect_line(doc, "R 二、上年结转政府信息公开申请数量||||4|||4");
  g_free(doc);
}

static void
test_vertical_headers(void)
{
  vertical_headers(false);
  vertical_headers(true);
}

static const struct gh_case cases[] = {
  GH_CASE(cut_header),  GH_CASE(sparse_row),        GH_CASE(spanning_header),
  GH_CASE(wrapped_label), GH_CASE(value_without_header), GH_CASE(run_together),
  GH_CASE(vertical_headers),
};

int
main(int argc, char **argv)
{
  return gh_cases_main("pdfgrid", cases, G_N_ELEMENTS(cases), argc, argv);
}

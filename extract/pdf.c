/* PDF -> cell stream, with poppler-glib.
 *
 * Poppler's plain reading order scrambles Word-exported tables (numbers come
 * out column by column), so lines are rebuilt from glyph boxes instead:
 * poppler_page_get_text_layout gives one rectangle per character of
 * poppler_page_get_text.  Glyphs are grouped by baseline into lines, sorted
 * left to right, and a horizontal gap of more than half a glyph starts a new
 * cell, so "31    0    0" stays three values while "本机关不掌握" stays one
 * label.
 *
 * Tables are found from their values and placed by their headers:
 *  - lines with three or more values start a block, and section 二's small
 *    tables start at their 信息内容 header row;
 *  - the header cells above a block are stacked by geometry (cells on
 *    nearby lines whose x-ranges overlap), so a header wrapped in a narrow
 *    cell reads whole, and the leaf headers give the block's columns, a
 *    column that is blank on every row included;
 *  - each value goes to the nearest header column, so a blank cell stays
 *    blank in its column instead of shifting the values after it, and rows
 *    that print a value or two belong to the table too;
 *  - a table runs on across page breaks and long wrapped labels, keeping
 *    its header's columns;
 *  - group labels set down a narrow column (三、本年度办理结果, （三）不予
 *    公开) are taken out of the row labels they interleave with and emitted
 *    whole after the table.
 * The header cells are emitted as a table row with their columns, so the
 * parser anchors values under them as it does for HTML and DOCX.
 * GH_DEBUG_PDF=1 prints the blocks, header stacks and label columns.
 *
 * Runs only inside an extraction worker (sandbox.c): poppler on hostile
 * input may crash, loop or allocate without bound.
 *
 * Why one long file: the passes above (glyphs to lines, lines to blocks,
 * header stacks, label columns, page-break joins) are one pipeline over one
 * page model, tuned together against the same real reports; their helpers
 * are meaningless outside it. */
#include "extract.h"

#include <math.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

#include "../record/textnorm.h"
#include "pdfgrid.h"

struct glyph {
  double x0, x1, yc, h;
  gunichar c;
};

static int
by_y(const void *a, const void *b)
{
  const struct glyph *p = a, *q = b;
  return (p->yc > q->yc) - (p->yc < q->yc);
}

static int
by_x(const void *a, const void *b)
{
  const struct glyph *p = a, *q = b;
  return (p->x0 > q->x0) - (p->x0 < q->x0);
}

/* A line as cells: glyph runs separated by gaps of more than half a glyph.
 * Justified Chinese text has gaps of a fraction of that; two table cells
 * side by side are apart by their two paddings, about 0.8-0.9 of a glyph
 * in Word and WPS tables (a vertically set group label beside a row label
 * must not run into it). */
#define CELL_GAP 0.6
struct pcell {
  char *text;
  double x0, x1;
  bool numeric; /* a value or a blank marker ("-", "/") */
  bool group;   /* a piece of a group label set down a narrow column */
  /* Its glyphs' boxes, left to right, one per character of `text` (none
   * for a cell joined from others): a header run across narrow columns is
   * cut at the columns by them (split_by_columns). */
  unsigned ng;
  struct gh_glyph_box *gbox;
};

struct pline {
  GPtrArray *cells; /* struct pcell * */
  double h;
  unsigned numeric;
};

static void
pcell_free(void *p)
{
  struct pcell *c = p;
  g_free(c->text);
  g_free(c->gbox);
  g_free(c);
}

static void
pline_free(void *p)
{
  struct pline *l = p;
  g_ptr_array_free(l->cells, TRUE);
  g_free(l);
}

static void
close_cell(struct pline *l, GString *text, double x0, double x1, const struct glyph *g,
           size_t ng)
{
  if(!text->len)
    return;
  struct pcell *c = g_new0(struct pcell, 1);
  c->text = g_strdup(text->str);
  c->x0 = x0;
  c->x1 = x1;
  /* Boxes only where they match the text one to one (no space added
   * between a digit and a letter). */
  if(ng && (glong)ng == g_utf8_strlen(c->text, -1)) {
    c->ng = (unsigned)ng;
    c->gbox = g_new(struct gh_glyph_box, ng);
    for(size_t k = 0; k < ng; k++)
      c->gbox[k] = (struct gh_glyph_box){ g[k].x0, g[k].x1 };
  }
  char *norm = gh_norm(text->str, text->len);
  struct gh_value v;
  /* A value has a digit ("（一）" parses as a count in running text, but in a
   * table it is a label), or is a blank marker. */
  c->numeric = *norm && gh_value_parse(norm, &v) &&
               (v.kind == GH_VALUE_BLANK || strpbrk(norm, "0123456789"));
  g_free(norm);
  l->numeric += c->numeric;
  g_ptr_array_add(l->cells, c);
  g_string_truncate(text, 0);
}

static bool
single_cjk(const struct pcell *c)
{
  return !c->numeric && g_utf8_strlen(c->text, -1) == 1 && (unsigned char)c->text[0] >= 0x80;
}

static bool whole_header(const char *norm);
static bool spanning_header(const char *norm);

/* Header words of the national tables, whole: section 二's, and the
 * captions of sections 三 and 四. */
static bool
block_header(const char *norm)
{
  static const char *const names[] = {
    "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量",
    "本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "本年增/减",
    "处理决定数量", "采购项目数量", "采购总金额", "本年收费金额", "(单位:万元)",
    "本年收费金额(单位:万元)", "其他", "申请人情况", "法人或其他组织", "行政复议", "行政诉讼",
    "未经复议直接起诉", "复议后起诉", NULL,
  };
  for(const char *const *n = names; *n; n++)
    if(!strcmp(norm, *n))
      return true;
  return false;
}

/* Text spread over its cell's width (分散对齐, common in Chinese forms)
 * arrives as pieces a gap apart: "申  请  人  情  况", "本年  制发  件数".
 * A run of pieces at equal gaps that spells a header of the national
 * tables is one cell's text, and is joined, whatever the gaps (a caption
 * spread over the whole table).  Other runs may be a table's columns (one
 * character left in each of several narrow header cells: "结 结 其 尚"),
 * which must stay apart; spread row labels are joined where labels are
 * read (a row's label cells are one label). */
static void
merge_distributed(struct pline *l)
{
  GPtrArray *c = l->cells;
  for(guint i = 0; i + 1 < c->len; i++) {
    const struct pcell *p0 = c->pdata[i];
    if(p0->numeric || g_utf8_strlen(p0->text, -1) > 8)
      continue;
    guint j = i + 1;
    double gmin = G_MAXDOUBLE, gmax = 0;
    GString *t = g_string_new(p0->text);
    guint best = 0; /* the longest run that spells a header */
    while(j < c->len && !((struct pcell *)c->pdata[j])->numeric && t->len < 64) {
      const struct pcell *a = c->pdata[j - 1], *b = c->pdata[j];
      double gap = b->x0 - a->x1;
      double ngmin = MIN(gmin, gap), ngmax = MAX(gmax, gap);
      if(j > i + 1 && ngmax > 1.3 * ngmin + 0.5)
        break;
      gmin = ngmin;
      gmax = ngmax;
      g_string_append(t, b->text);
      j++;
      char *norm = gh_norm(t->str, t->len);
      if(whole_header(norm) || block_header(norm))
        best = j;
      g_free(norm);
    }
    g_string_free(t, TRUE);
    if(!best)
      continue;
    struct pcell *first = c->pdata[i];
    GString *m = g_string_new(first->text);
    for(guint k = i + 1; k < best; k++)
      g_string_append(m, ((struct pcell *)c->pdata[k])->text);
    first->x1 = ((struct pcell *)c->pdata[best - 1])->x1;
    first->ng = 0; /* its boxes were the first piece's only */
    g_free(first->text);
    first->text = g_string_free(m, FALSE);
    g_ptr_array_remove_range(c, i + 1, best - i - 1);
  }
}

static struct pline *
make_line(struct glyph *g, size_t n)
{
  qsort(g, n, sizeof(*g), by_x);
  struct pline *l = g_new0(struct pline, 1);
  l->cells = g_ptr_array_new_with_free_func(pcell_free);
  GString *cell = g_string_new(NULL);
  double x0 = n ? g[0].x0 : 0, x1 = x0;
  size_t start = 0;
  for(size_t i = 0; i < n; i++) {
    l->h = MAX(l->h, g[i].h);
    if(i > 0) {
      double gap = g[i].x0 - g[i - 1].x1;
      double h = MAX(g[i].h, g[i - 1].h);
      if(gap > CELL_GAP * h) {
        close_cell(l, cell, x0, x1, g + start, i - start);
        x0 = g[i].x0;
        start = i;
      } else if(gap > 0.25 * h && g_ascii_isdigit((int)(g[i].c < 128 ? g[i].c : 'x')) !=
                                      g_ascii_isdigit((int)(g[i - 1].c < 128 ? g[i - 1].c : 'x'))) {
        g_string_append_c(cell, ' ');
      }
    }
    g_string_append_unichar(cell, g[i].c);
    x1 = g[i].x1;
  }
  close_cell(l, cell, x0, x1, g + start, n - start);
  g_string_free(cell, TRUE);
  merge_distributed(l);
  return l;
}

static void
emit_text(struct gh_doc *doc, const struct pline *l)
{
  GString *s = g_string_new(NULL);
  unsigned kept = 0;
  for(guint i = 0; i < l->cells->len; i++) {
    const struct pcell *c = l->cells->pdata[i];
    if(c->group)
      continue;
    if(kept++)
      g_string_append(s, "  ");
    g_string_append(s, c->text);
  }
  if(kept || !l->cells->len)
    gh_doc_add_text(doc, s->str, s->len);
  g_string_free(s, TRUE);
}

static int
by_double(const void *a, const void *b)
{
  double p = *(const double *)a, q = *(const double *)b;
  return (p > q) - (p < q);
}

/* A table row from a line, its values placed in the block's columns: a
 * blank cell stays blank in its column instead of shifting the values
 * after it.  False when the line does not fit the columns (then it stays
 * text). */
static bool
emit_table_row(struct gh_doc *doc, const struct pline *l, const double *cols, unsigned k,
               double tol, double label_x1)
{
  if(!k)
    return false;
  GString *label = g_string_new(NULL);
  const struct pcell **slot = g_new0(const struct pcell *, k);
  bool ok = true, seen_value = false;
  struct pcell peeled = { 0 };
  for(guint i = 0; i < l->cells->len && ok; i++) {
    const struct pcell *c = l->cells->pdata[i];
    if(c->group)
      continue;
    /* A number left of the values is part of a label ("2." of "2.其他"). */
    if(!c->numeric || (c->x1 < label_x1 && !seen_value)) {
      /* Labels come before the values; text after them is not a row. */
      ok = !seen_value;
      /* A label that fills its cell leaves less than a glyph's gap before
       * the first value: "…只计这一情形 12" arrives as one run.  The number
       * after its last space is the first value; its centre lies about a
       * quarter glyph per digit before the run's end. */
      const char *sp = c->numeric ? NULL : strrchr(c->text, ' ');
      char *norm = sp && i + 1 < l->cells->len && ((struct pcell *)l->cells->pdata[i + 1])->numeric
                     ? gh_norm(sp + 1, strlen(sp + 1)) : NULL;
      struct gh_value v;
      if(norm && *norm && strspn(norm, "0123456789") == strlen(norm) && gh_value_parse(norm, &v)) {
        g_string_append_len(label, c->text, sp - c->text);
        peeled.text = (char *)(sp + 1); /* read only; never freed */
        peeled.x1 = c->x1;
        peeled.x0 = c->x1 - 0.5 * l->h * (double)strlen(norm);
        peeled.numeric = true;
        c = &peeled;
      } else {
        g_string_append(label, c->text);
      }
      g_free(norm);
      if(c != &peeled)
        continue;
    }
    seen_value = true;
    double mid = (c->x0 + c->x1) / 2;
    unsigned best = 0;
    for(unsigned j = 1; j < k; j++)
      if(fabs(cols[j] - mid) < fabs(cols[best] - mid))
        best = j;
    ok = fabs(cols[best] - mid) <= tol && !slot[best];
    slot[best] = c;
  }
  if(ok) {
    gh_doc_begin_row(doc);
    if(label->len)
      gh_doc_add_cell(doc, label->str, label->len, 0, 1);
    for(unsigned j = 0; j < k; j++)
      gh_doc_add_cell(doc, slot[j] ? slot[j]->text : "", slot[j] ? strlen(slot[j]->text) : 0,
                      (int)j + 1, 1);
  }
  g_free(slot);
  g_string_free(label, TRUE);
  return ok;
}

static bool line_has(const struct pline *l, const char *word);

/* The end (exclusive) of the table block that numeric line i starts:
 * numeric lines no more than 12 lines apart (labels wrapped in narrow
 * cells take a line per few characters) whose value counts stay comparable
 * (section 二's 3 columns, 三's 7 and 四's 15 are separate tables). */
static guint
block_end(GPtrArray *lines, guint i)
{
  guint end = i + 1, last = i;
  unsigned max_n = ((struct pline *)lines->pdata[i])->numeric;
  for(guint j = i + 1; j < lines->len && j - last <= 12; j++) {
    struct pline *m = lines->pdata[j];
    /* The next table's heading or header ends this one, whatever the
     * value counts (a section 四 row with two blank groups prints five;
     * section 四 printed as one table per group, each under its own
     * caption and header). */
    if(!m->numeric && (line_has(m, "行政复议") || line_has(m, "信息内容") ||
                       line_has(m, "第二十条") || line_has(m, "收到和处理") ||
                       line_has(m, "行政诉讼") || line_has(m, "直接起诉") ||
                       line_has(m, "复议后起诉") || line_has(m, "结果维持")))
      break;
    if(m->numeric < 3)
      continue;
    if(m->numeric * 2 > max_n * 3 || max_n * 2 > m->numeric * 3 + 2)
      break;
    max_n = MAX(max_n, m->numeric);
    last = j;
    end = j + 1;
  }
  return end;
}

/* The columns of block [i, end): the clusters of its values' x centres
 * that hold values of at least a quarter of its numeric rows (a sparse one
 * is a label fragment that reads as a number, "2." of "2.其他…").  Sets
 * the matching tolerance and the number of numeric rows. */
static GArray *
block_columns(GPtrArray *lines, guint i, guint end, double *tol, unsigned *rows)
{
  GArray *mids = g_array_new(FALSE, FALSE, sizeof(double));
  double hsum = 0;
  unsigned hn = 0;
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    if(m->numeric < 3)
      continue;
    hsum += m->h;
    hn++;
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      if(pc->numeric) {
        double mid = (pc->x0 + pc->x1) / 2;
        g_array_append_val(mids, mid);
      }
    }
  }
  *tol = 1.2 * (hn ? hsum / hn : 10);
  *rows = hn;
  if(mids->len) /* none in a table of blank rows; qsort wants an array */
    qsort(mids->data, mids->len, sizeof(double), by_double);
  GArray *cols = g_array_new(FALSE, FALSE, sizeof(double));
  double sum = 0;
  unsigned cnt = 0;
  for(guint j = 0; j <= mids->len; j++) {
    double x = j < mids->len ? g_array_index(mids, double, j) : 0;
    if(cnt && (j == mids->len || x - g_array_index(mids, double, j - 1) > *tol)) {
      double centre = sum / cnt;
      if(cnt * 4 >= hn)
        g_array_append_val(cols, centre);
      sum = 0;
      cnt = 0;
    }
    sum += x;
    cnt++;
  }
  g_array_free(mids, TRUE);
  return cols;
}

/* ---- header columns ----
 *
 * Columns found from values alone miss a column that the report left blank
 * on every row (a 科研机构 column of blanks), and its neighbours' values
 * then read one column off.  The table's header prints every column, so
 * the header cells above a block give its columns: header text wrapped in
 * a narrow cell ("商业" over "企业", one character per line) is joined by
 * geometry, cells on adjacent lines whose x-ranges overlap, not by reading
 * order. */

struct stack {
  GString *text;
  double x0, x1;
  guint first_line, last_line;
  bool closed; /* a spanning caption or a whole header name: nothing joins */
};


/* A leaf header, whole: nothing joins it.  Not 其他, which may still
 * become 其他结果 with the piece below it. */
static bool
whole_header(const char *norm)
{
  for(const char *const *n = gh_pdfgrid_leaf_headers; *n; n++)
    if(!strcmp(norm, *n))
      return strcmp(norm, "其他") != 0;
  return false;
}

static void
stack_free(void *p)
{
  struct stack *s = p;
  g_string_free(s->text, TRUE);
  g_free(s);
}

/* Whether a + b is part of a column header's name ("自"+"然" of 自然人):
 * the value columns found may be fewer than the table's (a blank column),
 * so two pieces in one column's reach may still be two headers ("社", "法"). */
static bool
part_of_header(const char *a, const char *b)
{
  char *ab = g_strconcat(a, b, NULL);
  char *n = gh_norm(ab, strlen(ab));
  bool yes = false;
  for(const char *const *w = gh_pdfgrid_leaf_headers; *w && !yes; w++)
    yes = strstr(*w, n) != NULL;
  g_free(n);
  g_free(ab);
  return yes;
}

/* The value column whose Voronoi cell holds x (within half a column's
 * spacing of its centre), or -1. */
static int
vcol_of(const GArray *vcols, double x, double spacing)
{
  int best = -1;
  double d = G_MAXDOUBLE;
  for(guint v = 0; v < vcols->len; v++)
    if(fabs(g_array_index(vcols, double, v) - x) < d) {
      d = fabs(g_array_index(vcols, double, v) - x);
      best = (int)v;
    }
  return d <= 0.5 * spacing ? best : -1;
}

static double
overlap(double a0, double a1, double b0, double b1)
{
  return MIN(a1, b1) - MAX(a0, b0);
}

/* Group headers that span several columns (申请人情况, 法人或其他组织,
 * 行政复议…) and captions are not columns of their own. */
static bool
spanning_header(const char *norm)
{
  static const char *const words[] = { "申请人情况", "法人或其他组织", "行政复议", "行政诉讼",
                                       "直接起诉", "复议后起诉", "第二十条", "信息内容",
                                       "勾稽", "收到和处理", "政府信息公开", NULL };
  for(const char *const *w = words; *w; w++)
    if(strstr(norm, *w))
      return true;
  return false;
}

/* A header run that crosses narrow columns (pdfgrid.h,
 * gh_pdfgrid_cut_header), cut into the header lines of its columns: the
 * pieces go to `out` (owned by `keep`).  False, with nothing added, when
 * it is not cut.  Captions (法人或其他组织) and whole header names are
 * never cut. */
static bool
split_header_run(const struct pcell *pc, const GArray *vcols, double h, GPtrArray *out,
                 GPtrArray *keep)
{
  if(pc->numeric || pc->ng < 2)
    return false;
  char *norm = gh_norm(pc->text, strlen(pc->text));
  bool caption = whole_header(norm) || block_header(norm);
  g_free(norm);
  if(caption)
    return false;
  bool *cut = g_new0(bool, pc->ng);
  unsigned pieces = gh_pdfgrid_cut_header(pc->text, pc->gbox, pc->ng,
                                          (const double *)(void *)vcols->data, vcols->len, h,
                                          cut);
  if(pieces > 1) {
    const char *p = pc->text;
    unsigned k = 0;
    while(k < pc->ng) {
      unsigned m = k + 1;
      const char *q = g_utf8_next_char(p);
      while(m < pc->ng && !cut[m]) {
        q = g_utf8_next_char(q);
        m++;
      }
      struct pcell *piece = g_new0(struct pcell, 1);
      piece->text = g_strndup(p, (gsize)(q - p));
      piece->x0 = pc->gbox[k].x0;
      piece->x1 = pc->gbox[m - 1].x1;
      g_ptr_array_add(keep, piece);
      g_ptr_array_add(out, piece);
      p = q;
      k = m;
    }
    if(getenv("GH_DEBUG_PDF"))
      fprintf(stderr, "  cut %s into %u\n", pc->text, pieces);
  }
  g_free(cut);
  return pieces > 1;
}

/* The columns of the block that starts at line `first`, from the header
 * cells in lines [from, first) right of `label_x1` (the right edge of the
 * row labels): one centre per header stack that does not span others.
 * NULL when they are fewer than the value columns or do not cover them. */
static GArray *
header_columns(GPtrArray *lines, guint from, guint first, double label_x1, const GArray *vcols,
               double *tolp, GPtrArray **names)
{
  GPtrArray *stacks = g_ptr_array_new_with_free_func(stack_free);
  /* The value columns' Voronoi cells: pieces of one line in one column's
   * cell are one header cell's text spread over its width (分散对齐:
   * "自  然" over "人"), and are read as one piece. */
  double spacing = vcols->len >= 2 ? (g_array_index(vcols, double, vcols->len - 1) -
                                      g_array_index(vcols, double, 0)) / (vcols->len - 1)
                                   : 0;
  GPtrArray *joined = g_ptr_array_new_with_free_func(pcell_free);
  for(guint j = from; j < first; j++) {
    struct pline *l = lines->pdata[j];
    GPtrArray *pieces = g_ptr_array_new();
    for(guint c = 0; c < l->cells->len; c++) {
      struct pcell *pc = l->cells->pdata[c];
      if(pc->x1 < label_x1)
        continue; /* a row label's or the corner cell's text */
      if(pc->x0 >= label_x1 && split_header_run(pc, vcols, l->h, pieces, joined))
        continue;
      struct pcell *last = pieces->len ? pieces->pdata[pieces->len - 1] : NULL;
      if(last && spacing > 0 && single_cjk(pc) &&
         vcol_of(vcols, (last->x0 + last->x1) / 2, spacing) >= 0 &&
         vcol_of(vcols, (last->x0 + last->x1) / 2, spacing) ==
           vcol_of(vcols, (pc->x0 + pc->x1) / 2, spacing) &&
         part_of_header(last->text, pc->text)) {
        struct pcell *m = g_new0(struct pcell, 1);
        m->text = g_strconcat(last->text, pc->text, NULL);
        m->x0 = last->x0;
        m->x1 = pc->x1;
        g_ptr_array_add(joined, m);
        pieces->pdata[pieces->len - 1] = m;
        continue;
      }
      g_ptr_array_add(pieces, pc);
    }
    for(guint c = 0; c < pieces->len; c++) {
      struct pcell *pc = pieces->pdata[c];
      /* The stack it continues: on one of the five lines above (a header
       * centred over two header rows skips some), over
       * most of the narrower of the two.  Captions that span columns
       * (申请人情况…) and whole header names are closed, so a header under
       * a caption is a stack of its own. */
      struct stack *hit = NULL;
      for(guint k = 0; k < stacks->len && !hit; k++) {
        struct stack *st = stacks->pdata[k];
        if(st->closed)
          continue;
        double w = MIN(st->x1 - st->x0, pc->x1 - pc->x0);
        if(st->last_line + 5 >= j && st->last_line < j &&
           overlap(st->x0, st->x1, pc->x0, pc->x1) > 0.4 * w)
          hit = st;
      }
      if(!hit) {
        hit = g_new0(struct stack, 1);
        hit->text = g_string_new(NULL);
        hit->x0 = pc->x0;
        hit->x1 = pc->x1;
        hit->first_line = j;
        g_ptr_array_add(stacks, hit);
      }
      g_string_append(hit->text, pc->text);
      hit->x0 = MIN(hit->x0, pc->x0);
      hit->x1 = MAX(hit->x1, pc->x1);
      hit->last_line = j;
      char *n = gh_norm(hit->text->str, hit->text->len);
      /* Longer than any header cell: a heading or a sentence. */
      hit->closed = spanning_header(n) || whole_header(n) || gh_utf8_len_upto(n, 16) > 16;
      g_free(n);
    }
    g_ptr_array_free(pieces, TRUE);
  }
  g_ptr_array_free(joined, TRUE);
  /* A header set one character per line and centred over two header rows
   * ("总" … "计") can skip more lines than the joining above allows: two
   * open stacks in the same place, one below the other, are one header. */
  for(guint k = 0; k < stacks->len; k++) {
    struct stack *a = stacks->pdata[k];
    for(guint m = k + 1; m < stacks->len && !a->closed; m++) {
      struct stack *b = stacks->pdata[m];
      double w = MIN(a->x1 - a->x0, b->x1 - b->x0);
      if(b->closed || a->last_line >= b->first_line || b->first_line > a->last_line + 12 ||
         overlap(a->x0, a->x1, b->x0, b->x1) < 0.8 * w)
        continue;
      g_string_append(a->text, b->text->str);
      a->x0 = MIN(a->x0, b->x0);
      a->x1 = MAX(a->x1, b->x1);
      a->last_line = b->last_line;
      char *n = gh_norm(a->text->str, a->text->len);
      a->closed = spanning_header(n) || whole_header(n);
      g_free(n);
      g_ptr_array_remove_index(stacks, m);
      m--;
    }
  }
  /* The captions of the table right above: a table printed blank has no
   * rows to make a block of, and its header lies above the next table's
   * caption (section 四's 行政复议 table over the 行政诉讼 one); only leaf
   * headers that reach down to the last caption line are this table's. */
  guint caption_line = from;
  for(guint k = 0; k < stacks->len; k++) {
    struct stack *st = stacks->pdata[k];
    char *norm = gh_norm(st->text->str, st->text->len);
    if(spanning_header(norm) && !whole_header(norm) && st->first_line > caption_line &&
       (strstr(norm, "行政复议") || strstr(norm, "行政诉讼") || strstr(norm, "起诉")))
      caption_line = st->first_line;
    g_free(norm);
  }
  /* Leaf headers: not a spanning caption, not over two others' centres. */
  GArray *cols = g_array_new(FALSE, FALSE, sizeof(double));
  *names = g_ptr_array_new_with_free_func(g_free);
  for(guint k = 0; k < stacks->len; k++) {
    struct stack *st = stacks->pdata[k];
    if(st->last_line < caption_line)
      continue;
    char *norm = gh_norm(st->text->str, st->text->len);
    /* A caption spans the headers under it: it holds the centres of
     * narrower stacks.  (A caption centred over the table holds nothing
     * of a leaf under its middle, though its centre is over that leaf.) */
    unsigned inside = 0;
    for(guint m = 0; m < stacks->len; m++) {
      struct stack *o = stacks->pdata[m];
      double mid = (o->x0 + o->x1) / 2;
      inside += m != k && mid > st->x0 && mid < st->x1 && o->x1 - o->x0 < st->x1 - st->x0;
    }
    if(getenv("GH_DEBUG_PDF"))
      fprintf(stderr, "  stack %s [%.0f,%.0f] inside=%u\n", norm, st->x0, st->x1, inside);
    /* Sentence punctuation: the corner cell's note or a row label, never
     * a column header. */
    bool prose = strchr(norm, ',') || strstr(norm, "、") || strstr(norm, "。");
    if(!*norm || spanning_header(norm) || inside >= 2 || prose || strpbrk(norm, "0123456789")) {
      g_free(norm);
      continue;
    }
    double mid = (st->x0 + st->x1) / 2;
    /* The same header over the same column twice: a table printed blank
     * (no rows to make a block of) above another with the same header,
     * as section 四's groups are printed one table each.  One column. */
    bool again = false;
    for(guint h = 0; h < cols->len && !again; h++)
      again = fabs(g_array_index(cols, double, h) - mid) < 0.25 * (st->x1 - st->x0) &&
              !strcmp((*names)->pdata[h], norm);
    if(again) {
      g_free(norm);
      continue;
    }
    guint at = 0;
    while(at < cols->len && g_array_index(cols, double, at) < mid)
      at++;
    g_array_insert_val(cols, at, mid);
    g_ptr_array_insert(*names, (gint)at, norm);
  }
  g_ptr_array_free(stacks, TRUE);
  /* A header's text may sit left, centred or right in its column, and so
   * may the values (Word left-aligns numbers in narrow columns): a value
   * belongs to the nearest header, the columns' Voronoi cells, within the
   * spacing of the headers (a value off the table's edge is no column's).
   * Each value column still needs a header of its own (below). */
  double tol = *tolp, gap = G_MAXDOUBLE;
  for(guint h = 1; h < cols->len; h++)
    gap = MIN(gap, g_array_index(cols, double, h) - g_array_index(cols, double, h - 1));
  double reach = gap < G_MAXDOUBLE ? MAX(tol, 0.9 * gap) : G_MAXDOUBLE / 4;
  /* Usable when every value column has a header of its own within reach
   * and the headers add columns rather than lose any. */
  bool ok = cols->len >= MAX(vcols->len, 1) && cols->len <= 16;
  gboolean *taken = g_new0(gboolean, cols->len + 1);
  for(guint v = 0; v < vcols->len && ok; v++) {
    double x = g_array_index(vcols, double, v), best = G_MAXDOUBLE;
    guint at = 0;
    for(guint h = 0; h < cols->len; h++)
      if(fabs(g_array_index(cols, double, h) - x) < best) {
        best = fabs(g_array_index(cols, double, h) - x);
        at = h;
      }
    ok = best <= reach && !taken[at];
    taken[at] = TRUE;
  }
  g_free(taken);
  /* Two headers closer than a glyph are one column read twice. */
  ok = ok && gap > tol / 1.2;
  if(ok)
    *tolp = reach;
  if(getenv("GH_DEBUG_PDF")) {
    fprintf(stderr, "header_columns: %u headers for %u value columns:%s", cols->len, vcols->len, ok ? " ok" : " refused");
    for(guint h = 0; h < (*names)->len; h++)
      fprintf(stderr, " %s@%.0f", (char *)(*names)->pdata[h], g_array_index(cols, double, h));
    fprintf(stderr, "\n");
  }
  if(!ok) {
    g_array_free(cols, TRUE);
    g_ptr_array_free(*names, TRUE);
    *names = NULL;
    return NULL;
  }
  return cols;
}

/* Lines with three or more values form table blocks.  A block is used only
 * when its fullest rows fill every column (the columns are then certain);
 * otherwise its lines stay text, as before. */
/* The right edge of the row labels of block [i, end): the furthest right
 * a label printed before a row's first value reaches, never past the
 * leftmost value.  A table without row labels (section 四) has none, and
 * every header cell is a column's. */
static double
label_edge(GPtrArray *lines, guint i, guint end)
{
  /* The leftmost value of the full rows bounds the labels; every row with
   * a value, full or not, shows how far its label reaches. */
  double vx = G_MAXDOUBLE, lx = -G_MAXDOUBLE;
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    if(m->numeric < 3)
      continue;
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      if(pc->numeric)
        vx = MIN(vx, pc->x0);
    }
  }
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    if(!m->numeric)
      continue;
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      if(pc->numeric && pc->x0 >= vx - 2)
        break;
      if(!pc->numeric)
        lx = MAX(lx, pc->x1);
    }
  }
  return lx > -G_MAXDOUBLE ? MIN(lx + 1, vx - 2) : -G_MAXDOUBLE;
}

/* ---- group labels set down a narrow column ----
 *
 * Section 三 prints its group labels (三、本年度办理结果, （三）不予公开 …)
 * in narrow merged cells left of the row labels, a character or two per
 * line.  Read line by line, those pieces land between the pieces of the
 * row labels beside them ("予以" + "、" + "公开") and break the phrases
 * the parser matches.  The label columns are where label cells start;
 * a piece that fits inside its label column, with a piece at the same
 * place on the line above or below, is part of a vertical group label:
 * it is taken out of the rows and the group label is emitted whole after
 * the table. */

static int
by_double_asc(const void *a, const void *b)
{
  double p = *(const double *)a, q = *(const double *)b;
  return (p > q) - (p < q);
}

/* Where label cells start in lines [i, end): clusters of their x0 held by
 * at least two cells, left to right. */
static GArray *
label_columns(GPtrArray *lines, guint i, guint end, double label_x1)
{
  GArray *xs = g_array_new(FALSE, FALSE, sizeof(double));
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      if(pc->x0 < label_x1 && !pc->numeric)
        g_array_append_val(xs, pc->x0);
    }
  }
  if(xs->len)
    qsort(xs->data, xs->len, sizeof(double), by_double_asc);
  GArray *cols = g_array_new(FALSE, FALSE, sizeof(double));
  guint run = 0;
  for(guint k = 0; k <= xs->len; k++) {
    if(k < xs->len && k > run && g_array_index(xs, double, k) - g_array_index(xs, double, k - 1) <= 2)
      continue;
    if(k > run && k - run >= 2)
      g_array_append_val(cols, g_array_index(xs, double, run));
    run = k;
  }
  g_array_free(xs, TRUE);
  return cols;
}

/* The label column a cell starts in, and the start of the next one. */
static int
label_col_of(const GArray *cols, double x0, double *next)
{
  int best = -1;
  for(guint k = 0; k < cols->len; k++)
    if(fabs(g_array_index(cols, double, k) - x0) <= 2)
      best = (int)k;
  *next = best >= 0 && (guint)best + 1 < cols->len ? g_array_index(cols, double, best + 1)
                                                   : G_MAXDOUBLE;
  return best;
}

static bool
fits_label_col(const GArray *cols, const struct pcell *pc, int *col)
{
  double next;
  *col = label_col_of(cols, pc->x0, &next);
  return *col >= 0 && next < G_MAXDOUBLE && pc->x1 < next - 1 && !pc->numeric;
}

/* Whether line m has a piece at x0 that fits label column `col`, of at
 * most `max_chars` characters (0: any). */
static bool
line_has_fitting(const struct pline *m, const GArray *cols, int col, double x0, long max_chars)
{
  for(guint c = 0; c < m->cells->len; c++) {
    const struct pcell *pc = m->cells->pdata[c];
    int k;
    if(fabs(pc->x0 - x0) <= 2 && fits_label_col(cols, pc, &k) && k == col &&
       (!max_chars || g_utf8_strlen(pc->text, -1) <= max_chars))
      return true;
  }
  return false;
}

/* Whether line m has a row label starting at or after x `from`. */
static bool
line_has_label_from(const struct pline *m, double from, double label_x1)
{
  for(guint d = 0; d < m->cells->len; d++) {
    const struct pcell *o = m->cells->pdata[d];
    if(!o->numeric && !o->group && o->x0 >= from - 2 && o->x0 < label_x1)
      return true;
  }
  return false;
}

/* A line whose label is spread over its cell (分散对齐): three or more
 * single characters left of the values at equal gaps.  A vertical group
 * label puts one piece on a line, two at most. */
static bool
spread_label(const struct pline *m, double label_x1)
{
  unsigned singles = 0;
  double gmin = G_MAXDOUBLE, gmax = 0, prev_x1 = 0;
  for(guint c = 0; c < m->cells->len; c++) {
    const struct pcell *pc = m->cells->pdata[c];
    if(pc->x0 >= label_x1 || !single_cjk(pc))
      continue;
    if(singles) {
      gmin = MIN(gmin, pc->x0 - prev_x1);
      gmax = MAX(gmax, pc->x0 - prev_x1);
    }
    prev_x1 = pc->x1;
    singles++;
  }
  return singles >= 3 && gmax <= 1.3 * gmin + 0.5;
}

static bool
short_piece(const struct pcell *pc, double label_x1)
{
  return !pc->numeric && !pc->group && pc->x0 < label_x1 && g_utf8_strlen(pc->text, -1) <= 3;
}

/* Whether line m has a row label piece starting right of x. */
static bool
label_right_of(const struct pline *m, double x, double label_x1)
{
  for(guint d = 0; d < m->cells->len; d++) {
    const struct pcell *o = m->cells->pdata[d];
    if(!o->numeric && !o->group && o->x0 > x && o->x0 < label_x1)
      return true;
  }
  return false;
}

/* Group labels centred in their cells start wherever their text's width
 * puts them, so the label columns (where label cells start) miss them: a
 * piece of up to three characters with a row label right of it, on its
 * line or the next, and another such piece centred on the same x within
 * three lines, is a group label's too. */
static void
centred_group_labels(GPtrArray *lines, guint i, guint end, double label_x1, GPtrArray *groups)
{
  GString *acc = NULL;
  double acc_mid = 0;
  guint acc_line = 0;
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    if(spread_label(m, label_x1))
      continue;
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      if(!short_piece(pc, label_x1))
        continue;
      bool right = label_right_of(m, pc->x1 + 2, label_x1) ||
                   (j + 1 < end && label_right_of(lines->pdata[j + 1], pc->x1 + 2, label_x1)) ||
                   (j > i && label_right_of(lines->pdata[j - 1], pc->x1 + 2, label_x1));
      if(!right)
        continue;
      double mid = (pc->x0 + pc->x1) / 2;
      bool stacked = false;
      for(guint d = j > i + 3 ? j - 3 : i; d <= j + 3 && d < end && !stacked; d++) {
        if(d == j)
          continue;
        const struct pline *o = lines->pdata[d];
        for(guint e = 0; e < o->cells->len && !stacked; e++) {
          const struct pcell *q = o->cells->pdata[e];
          stacked = (short_piece(q, label_x1) || q->group) &&
                    fabs((q->x0 + q->x1) / 2 - mid) <= 2;
        }
      }
      if(!stacked)
        continue;
      pc->group = true;
      if(acc && (fabs(mid - acc_mid) > 2 || acc_line + 3 < j)) {
        g_ptr_array_add(groups, g_string_free(acc, FALSE));
        acc = NULL;
      }
      if(!acc)
        acc = g_string_new(NULL);
      g_string_append(acc, pc->text);
      acc_mid = mid;
      acc_line = j;
    }
  }
  if(acc)
    g_ptr_array_add(groups, g_string_free(acc, FALSE));
}

/* Mark the group-label pieces of block [i, end) and emit nothing; returns
 * the group labels, joined down their columns, for after the table. */
static GPtrArray *
mark_group_labels(GPtrArray *lines, guint i, guint end, double label_x1)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func(g_free);
  GArray *cols = label_columns(lines, i, end, label_x1);
  if(getenv("GH_DEBUG_PDF")) {
    fprintf(stderr, "label columns of lines %u..%u (labels end at %.0f):", i, end, label_x1);
    for(guint k = 0; k < cols->len; k++)
      fprintf(stderr, " %.1f", g_array_index(cols, double, k));
    fprintf(stderr, "\n");
  }
  if(cols->len < 2) {
    g_array_free(cols, TRUE);
    centred_group_labels(lines, i, end, label_x1, groups);
    return groups;
  }
  GString **acc = g_new0(GString *, cols->len);
  guint *last = g_new0(guint, cols->len);
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    if(spread_label(m, label_x1))
      continue; /* a spread row label's characters, not a group label's */
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      int k;
      if(!fits_label_col(cols, pc, &k))
        continue;
      bool above = j > i && line_has_fitting(lines->pdata[j - 1], cols, k, pc->x0, 0);
      bool below = j + 1 < end && line_has_fitting(lines->pdata[j + 1], cols, k, pc->x0, 0);
      /* Beside it on the line, a label in a later column: the piece and
       * that label are two cells, not one label wrapped (a row label over
       * two columns, "（六）其他处理", wraps with nothing beside it). */
      double nx = g_array_index(cols, double, k + 1);
      bool beside = line_has_label_from(m, nx, label_x1);
      if(!beside) {
        /* Centred vertically, a group label's pieces sit between the row
         * labels' lines: a piece of up to three characters, another such
         * piece two lines up or down, row labels on the lines around. */
        bool near_piece = false, near_label = false;
        if(g_utf8_strlen(pc->text, -1) <= 3) {
          for(guint d = j > i + 2 ? j - 2 : i; d <= j + 2 && d < end; d++)
            if(d != j && line_has_fitting(lines->pdata[d], cols, k, pc->x0, 3))
              near_piece = true;
          for(guint d = j > i ? j - 1 : i; d <= j + 1 && d < end; d++)
            if(d != j && line_has_label_from(lines->pdata[d], nx, label_x1))
              near_label = true;
        }
        beside = near_piece && near_label;
        above = below = beside;
      }
      if((!above && !below) || !beside)
        continue;
      pc->group = true;
      if(acc[k] && last[k] + 1 < j) {
        g_ptr_array_add(groups, g_string_free(acc[k], FALSE));
        acc[k] = NULL;
      }
      if(!acc[k])
        acc[k] = g_string_new(NULL);
      g_string_append(acc[k], pc->text);
      last[k] = j;
    }
  }
  for(guint k = 0; k < cols->len; k++)
    if(acc[k])
      g_ptr_array_add(groups, g_string_free(acc[k], FALSE));
  g_free(acc);
  g_free(last);
  g_array_free(cols, TRUE);
  centred_group_labels(lines, i, end, label_x1, groups);
  return groups;
}

/* The right edge of the 信息内容 cell on line j, or a negative number. */
static double
info_header_edge(const struct pline *l)
{
  for(guint c = 0; c < l->cells->len; c++) {
    const struct pcell *pc = l->cells->pdata[c];
    char *n = gh_norm(pc->text, strlen(pc->text));
    bool hit = strstr(n, "信息内容") != NULL;
    g_free(n);
    if(hit)
      return pc->x1;
  }
  return -1;
}

static bool line_has(const struct pline *l, const char *word);

/* How many of the applicant columns' header names (their first two
 * characters: a header set in a narrow cell wraps after them) the lines
 * [from, to) print. */
static unsigned
header_names_above(GPtrArray *lines, guint from, guint to)
{
  static const char *const heads[] = { "自然", "商业", "科研", "社会", "法律", "总计", NULL };
  unsigned n = 0;
  for(const char *const *h = heads; *h; h++) {
    bool seen = false;
    for(guint j = from; j < to && !seen; j++)
      seen = line_has(lines->pdata[j], *h);
    n += seen;
  }
  return n;
}

static bool
line_has(const struct pline *l, const char *word)
{
  for(guint c = 0; c < l->cells->len; c++) {
    const struct pcell *pc = l->cells->pdata[c];
    char *n = gh_norm(pc->text, strlen(pc->text));
    bool hit = strstr(n, word) != NULL;
    g_free(n);
    if(hit)
      return true;
  }
  return false;
}

/* Section 二's small tables: a header row led by 信息内容 (its cells maybe
 * wrapped over the next lines), then a row or two of one to three values.
 * Their rows are too short for the value-cluster blocks, and a blank cell
 * would shift the values after it, so each value goes to the nearest
 * header column.  Marks the lines it emits in `claimed`; returns the line
 * after the table. */
static guint
emit_info_table(struct gh_doc *doc, GPtrArray *lines, guint j, double edge, bool *claimed)
{
  guint hdr_end = j + 1;
  while(hdr_end < lines->len && hdr_end < j + 4 &&
        ((struct pline *)lines->pdata[hdr_end])->numeric == 0)
    hdr_end++;
  GArray *none = g_array_new(FALSE, FALSE, sizeof(double));
  GPtrArray *names = NULL;
  double reach = 0;
  GArray *cols = header_columns(lines, j, hdr_end, edge + 1, none, &reach, &names);
  g_array_free(none, TRUE);
  if(!cols || !cols->len) {
    if(cols)
      g_array_free(cols, TRUE);
    if(names)
      g_ptr_array_free(names, TRUE);
    return j;
  }
  /* The header lines as text (the parser reads the form from them), then
   * the header cells as a row with their columns. */
  for(guint k = j; k < hdr_end; k++) {
    emit_text(doc, lines->pdata[k]);
    claimed[k] = true;
  }
  gh_doc_begin_row(doc);
  for(guint h = 0; h < names->len; h++) {
    const char *n = names->pdata[h];
    gh_doc_add_cell(doc, n, strlen(n), (int)h + 1, 1);
  }
  g_ptr_array_free(names, TRUE);
  /* The rows: lines with values until a line of text after them (the
   * table's end) or the next table's header; text lines before the first
   * row are its wrapped labels. */
  guint k = hdr_end, rows = 0;
  for(; k < lines->len && k < hdr_end + 12; k++) {
    struct pline *m = lines->pdata[k];
    if(line_has(m, "信息内容") || line_has(m, "第二十条") || line_has(m, "收到和处理") ||
       m->numeric > cols->len)
      break;
    if(!m->numeric) {
      if(rows)
        break;
      emit_text(doc, m);
      claimed[k] = true;
      continue;
    }
    rows++;
    if(!emit_table_row(doc, m, (const double *)(void *)cols->data, cols->len, G_MAXDOUBLE,
                       edge + 1))
      emit_text(doc, m);
    claimed[k] = true;
  }
  g_array_free(cols, TRUE);
  return k;
}

/* Whether line i or a line next to it holds text (a row label) beside its
 * values: a lone number between empty lines is a page number, not a row. */
static bool
has_label_near(GPtrArray *lines, guint i)
{
  for(guint j = i > 0 ? i - 1 : 0; j <= i + 1 && j < lines->len; j++) {
    const struct pline *m = lines->pdata[j];
    if(m->cells->len > m->numeric)
      return true;
  }
  return false;
}

/* Whether lines [from, to) hold the start of another table or section. */
static bool
table_break_between(GPtrArray *lines, guint from, guint to)
{
  for(guint j = from; j < to && j < lines->len; j++) {
    const struct pline *q = lines->pdata[j];
    if(line_has(q, "行政复议") || line_has(q, "信息内容") || line_has(q, "第二十条") ||
       line_has(q, "收到和处理") || line_has(q, "存在的主要问题") || line_has(q, "其他需要报告"))
      return true;
  }
  return false;
}

static void
emit_lines(struct gh_doc *doc, GPtrArray *lines)
{
  guint i = 0, prev_end = 0;
  bool *claimed = g_new0(bool, lines->len + 1);
  /* The header columns of the last table, for its continuation after a
   * page break or a long wrapped label, where no header is printed. */
  GArray *last_hcols = NULL;
  double last_tol = 0;
  while(i < lines->len) {
    struct pline *l = lines->pdata[i];
    if(claimed[i]) {
      i++;
      continue;
    }
    double edge = info_header_edge(l);
    if(edge > 0) {
      guint next = emit_info_table(doc, lines, i, edge, claimed);
      if(next > i) {
        i = prev_end = next;
        continue;
      }
    }
    /* A row of one or two values (the rest blank) just before a table's
     * first full row is the table's first row: the table starts there. */
    guint lead = i;
    bool sparse = false;
    if(l->numeric && l->numeric < 3 && has_label_near(lines, i)) {
      guint k = i + 1;
      while(k < lines->len && k < i + 60 && ((struct pline *)lines->pdata[k])->numeric < 3)
        k++;
      if(k < lines->len && k < i + 60 && !claimed[k] && !table_break_between(lines, i + 1, k + 1))
        i = k;
      else
        sparse = true; /* no full row near: a table of blanks, if a header says so */
    }
    l = lines->pdata[i];
    if(l->numeric < 3 && !sparse) {
      emit_text(doc, l);
      i++;
      continue;
    }
    guint end = block_end(lines, i);
    double tol;
    unsigned rows;
    GArray *cols = block_columns(lines, i, end, &tol, &rows);
    unsigned full = 0;
    for(guint j = i; j < end; j++)
      full += ((struct pline *)lines->pdata[j])->numeric == cols->len;
    bool table = cols->len >= 3 && full * 2 >= rows;
    if(getenv("GH_DEBUG_PDF"))
      fprintf(stderr, "block lines %u..%u: %u columns, %u of %u rows full%s\n", i, end, cols->len,
              full, rows, table ? "" : ": not a table");
    bool by_header = false;
    double lx = label_edge(lines, i, end);
    /* Columns from values need most rows full to be certain; columns from
     * the header are certain even when most rows leave a cell blank. */
    /* A table whose every row is sparse (two or three of seven cells
     * printed) has too few columns of values to count as one, but the
     * applicant header above it says it is one. */
    bool headed = cols->len < 3 && !sparse &&
                  header_names_above(lines, lead > prev_end + 80 ? lead - 80 : prev_end, lead) >= 3;
    if(cols->len >= 3 || sparse || headed) {
      /* The header above the block, back to the previous block (at most 80
       * lines: rows of blanks and long labels may come first). */
      guint from = lead > prev_end + 80 ? lead - 80 : prev_end;
      GPtrArray *names = NULL;
      double htol = tol;
      GArray *hcols = header_columns(lines, from, lead, lx, cols, &htol, &names);
      if(!hcols && last_hcols && last_hcols->len >= cols->len &&
         !table_break_between(lines, prev_end, i)) {
        bool cover = true;
        for(guint v = 0; v < cols->len && cover; v++) {
          double x = g_array_index(cols, double, v), best = G_MAXDOUBLE;
          for(guint h = 0; h < last_hcols->len; h++)
            best = MIN(best, fabs(g_array_index(last_hcols, double, h) - x));
          cover = best <= last_tol;
        }
        if(cover) {
          hcols = g_array_copy(last_hcols);
          htol = last_tol;
          names = g_ptr_array_new(); /* the header row was emitted with the table's start */
        }
      }
      if(hcols && sparse && hcols->len < 3) {
        /* A table of blanks is taken from a real table header only. */
        g_array_free(hcols, TRUE);
        g_ptr_array_free(names, TRUE);
        hcols = NULL;
      }
      if(hcols) {
        g_array_free(cols, TRUE);
        cols = hcols;
        tol = htol;
        by_header = table = true;
        if(last_hcols)
          g_array_free(last_hcols, TRUE);
        last_hcols = g_array_copy(cols);
        last_tol = tol;
        /* The headers as a table row, so the parser anchors the values
         * under them exactly as it does for HTML and DOCX. */
        gh_doc_begin_row(doc);
        for(guint h = 0; h < names->len; h++) {
          const char *n = names->pdata[h];
          gh_doc_add_cell(doc, n, strlen(n), (int)h + 1, 1);
        }
        g_ptr_array_free(names, TRUE);
      }
      /* Rows after the last full one that print only a value or two (the
       * rest blank) still belong to the table. */
      while(table && by_header && end < lines->len) {
        guint k = end;
        bool stop = false;
        while(k < lines->len && k < end + 30 && ((struct pline *)lines->pdata[k])->numeric == 0 &&
              !stop) {
          struct pline *q = lines->pdata[k];
          stop = line_has(q, "行政复议") || line_has(q, "信息内容") || line_has(q, "第二十条") ||
                 line_has(q, "存在的主要问题") || line_has(q, "其他需要报告") ||
                 line_has(q, "行政诉讼") || line_has(q, "直接起诉") ||
                 line_has(q, "复议后起诉") || line_has(q, "结果维持");
          if(!stop)
            k++;
        }
        if(stop || k >= lines->len || k >= end + 30)
          break;
        struct pline *m = lines->pdata[k];
        if(m->numeric > cols->len)
          break;
        bool fits = true;
        for(guint c = 0; c < m->cells->len && fits; c++) {
          struct pcell *pc = m->cells->pdata[c];
          if(!pc->numeric || pc->x1 < lx)
            continue;
          double mid = (pc->x0 + pc->x1) / 2, best = G_MAXDOUBLE;
          for(guint h = 0; h < cols->len; h++)
            best = MIN(best, fabs(g_array_index(cols, double, h) - mid));
          fits = best <= tol;
        }
        if(!fits)
          break;
        end = k + 1;
      }
    }
    /* The labels' edge again, over the whole table now that it is known. */
    if(table)
      lx = label_edge(lines, lead, end);
    GPtrArray *groups = table && lx > -G_MAXDOUBLE ? mark_group_labels(lines, lead, end, lx) : NULL;
    if(!by_header) {
      /* Without a header's columns, rows of a value or two stay text. */
      for(guint j = lead; j < i; j++)
        emit_text(doc, lines->pdata[j]);
      lead = i;
      if(sparse) {
        emit_text(doc, l);
        if(groups)
          g_ptr_array_free(groups, TRUE);
        g_array_free(cols, TRUE);
        i++;
        continue;
      }
    }
    for(guint j = lead; j < end; j++) {
      struct pline *m = lines->pdata[j];
      /* With header columns, a row that prints one or two values (the
       * rest blank) is a row too; without them, too few values cannot
       * say which columns they are in. */
      bool row_like = m->numeric >= 3 || (by_header && m->numeric >= 1);
      if(!table || !row_like ||
         !emit_table_row(doc, m, (const double *)(void *)cols->data, cols->len, tol, lx))
        emit_text(doc, m);
    }
    for(guint g = 0; groups && g < groups->len; g++) {
      const char *t = groups->pdata[g];
      gh_doc_add_text(doc, t, strlen(t));
    }
    if(groups)
      g_ptr_array_free(groups, TRUE);
    g_array_free(cols, TRUE);
    i = prev_end = end;
  }
  if(last_hcols)
    g_array_free(last_hcols, TRUE);
  g_free(claimed);
}

static void
page_lines(GPtrArray *lines, PopplerPage *page, size_t *glyphs_seen)
{
  char *text = poppler_page_get_text(page);
  PopplerRectangle *rects = NULL;
  guint nrects = 0;
  if(!text || !poppler_page_get_text_layout(page, &rects, &nrects)) {
    g_free(text);
    return;
  }
  GArray *gs = g_array_new(FALSE, FALSE, sizeof(struct glyph));
  guint i = 0;
  for(const char *p = text; *p && i < nrects; p = g_utf8_next_char(p), i++) {
    gunichar c = g_utf8_get_char(p);
    if(gh_is_space_uc(c) || c < 0x20)
      continue;
    PopplerRectangle *r = &rects[i];
    double h = fabs(r->y2 - r->y1);
    if(h <= 0 || !isfinite(h) || !isfinite(r->x1) || !isfinite(r->y1))
      continue;
    struct glyph g = { MIN(r->x1, r->x2), MAX(r->x1, r->x2), (r->y1 + r->y2) / 2, h, c };
    g_array_append_val(gs, g);
  }
  *glyphs_seen += gs->len;
  if(gs->len) {
    struct glyph *g = (struct glyph *)(void *)gs->data;
    qsort(g, gs->len, sizeof(*g), by_y);
    size_t start = 0;
    double line_y = g[0].yc, line_h = g[0].h;
    for(size_t k = 1; k <= gs->len; k++) {
      /* Same line while the centre stays within 40% of the glyph height:
       * tight enough to keep table rows apart, loose enough for mixed
       * fonts (digits sit a little lower than CJK glyphs). */
      if(k == gs->len || fabs(g[k].yc - line_y) > 0.4 * MAX(line_h, g[k].h)) {
        g_ptr_array_add(lines, make_line(g + start, k - start));
        if(k < gs->len) {
          start = k;
          line_y = g[k].yc;
          line_h = g[k].h;
        }
      }
    }
  }
  g_array_free(gs, TRUE);
  g_free(rects);
  g_free(text);
}

bool
gh_pdf_to_doc(const char *bytes, size_t len, unsigned max_pages, struct gh_doc *doc,
              enum gh_status *status, GError **err)
{
  *status = GH_STATUS_PARSED;
  GBytes *gb = g_bytes_new_static(bytes, len);
  GError *e = NULL;
  PopplerDocument *pdf = poppler_document_new_from_bytes(gb, NULL, &e);
  g_bytes_unref(gb);
  if(!pdf) {
    if(g_error_matches(e, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED)) {
      *status = GH_STATUS_ENCRYPTED;
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_PERM,
                  "the PDF is password-protected");
    }
    else {
      *status = GH_STATUS_EXTRACT_FAILED;
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "poppler cannot open the PDF: %s",
                  e ? e->message : "unknown error");
    }
    g_clear_error(&e);
    return false;
  }
  int n = poppler_document_get_n_pages(pdf);
  if(n <= 0) {
    *status = GH_STATUS_EXTRACT_FAILED;
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the PDF has no pages");
    g_object_unref(pdf);
    return false;
  }
  if(max_pages && (unsigned)n > max_pages) {
    gh_doc_warn(doc, "pdf: %d pages, only the first %u read", n, max_pages);
    n = (int)max_pages;
  }
  char *title = poppler_document_get_title(pdf);
  if(title && *title)
    doc->title_hint = title;
  else
    g_free(title);
  size_t glyphs = 0;
  /* All pages' lines first: a table continues across a page break, and
   * its columns are found over the whole of it. */
  GPtrArray *lines = g_ptr_array_new_with_free_func(pline_free);
  for(int i = 0; i < n; i++) {
    PopplerPage *page = poppler_document_get_page(pdf, i);
    if(!page)
      continue;
    page_lines(lines, page, &glyphs);
    g_object_unref(page);
  }
  g_object_unref(pdf);
  emit_lines(doc, lines);
  g_ptr_array_free(lines, TRUE);
  if(glyphs == 0) {
    /* Scanned reports: pages of images.  Report it as such rather than as
     * an empty report, so someone can OCR it. */
    *status = GH_STATUS_NEEDS_OCR;
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "the PDF has no text layer (%d page(s), a scan?)", n);
    return false;
  }
  return true;
}

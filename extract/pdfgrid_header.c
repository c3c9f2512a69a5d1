/* The header cells above a table block (pdfgrid.h): header runs cut where
 * they cross narrow columns, the pieces stacked down the header rows by
 * geometry, and one column per leaf header. */
#include "pdfgrid_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../record/textnorm.h"
static bool
is_gap(const struct gh_glyph_box *g, unsigned k, double h)
{
  return g[k].x0 - g[k - 1].x1 > 0.1 * h;
}

static unsigned
cut_by_columns(const struct gh_glyph_box *g, unsigned n, const double *vcols, unsigned nv,
               double h, bool *cut)
{
  unsigned cols = 0;
  for(unsigned v = 0; v < nv; v++)
    cols += vcols[v] > g[0].x0 - 0.3 * h && vcols[v] < g[n - 1].x1 + 0.3 * h;
  if(cols < 2 || cols > n)
    return 1;
  unsigned pieces = 1;
  for(unsigned c = 0; c + 1 < cols; c++) {
    unsigned at = 0;
    double widest = 0;
    for(unsigned k = 1; k < n; k++)
      if(!cut[k] && is_gap(g, k, h) && g[k].x0 - g[k - 1].x1 > widest) {
        widest = g[k].x0 - g[k - 1].x1;
        at = k;
      }
    if(!at)
      break;
    cut[at] = true;
    pieces++;
  }
  return pieces;
}

/* The longest start of `text` that is a leaf header or two characters or
 * more of one, in bytes; 0 when none. */
static size_t
leaf_prefix(const char *text)
{
  size_t best = 0;
  for(const char *const *w = gh_pdfgrid_leaf_headers; *w; w++)
    for(const char *from = *w; *from; from = g_utf8_next_char(from)) {
      size_t len = strlen(from);
      while(len > best && g_utf8_strlen(from, (gssize)len) >= 2) {
        if(!strncmp(text, from, len)) {
          best = len;
          break;
        }
        len = (size_t)(g_utf8_find_prev_char(from, from + len) - from);
      }
    }
  return best;
}

static unsigned
cut_by_names(const char *text, const struct gh_glyph_box *g, unsigned n, double h, bool *cut)
{
  const char *p = text;
  unsigned k = 0, pieces = 1;
  while(*p) {
    size_t len = leaf_prefix(p);
    /* The run's last piece may be one character of a name: a narrow
     * column wraps 其他 after 其. */
    if(!len && g_utf8_strlen(p, -1) == 1)
      for(const char *const *w = gh_pdfgrid_leaf_headers; *w && !len; w++)
        if(strstr(*w, p))
          len = strlen(p);
    if(!len)
      break;
    k += (unsigned)g_utf8_strlen(p, (gssize)len);
    p += len;
    if(*p) {
      if(k >= n || !is_gap(g, k, h))
        break;
      cut[k] = true;
      pieces++;
    }
  }
  if(*p || pieces < 2) {
    memset(cut, 0, n * sizeof *cut);
    return 1;
  }
  return pieces;
}

unsigned
gh_pdfgrid_cut_header(const char *text, const struct gh_glyph_box *g, unsigned n,
                      const double *vcols, unsigned nv, double h, bool *cut)
{
  memset(cut, 0, n * sizeof *cut);
  if(n < 2 || !g_utf8_validate(text, -1, NULL) || g_utf8_strlen(text, -1) != (glong)n)
    return 1;
  /* The form's names, where the whole run is made of them, say more than
   * the value columns: a column printed blank on every row has none. */
  unsigned pieces = n >= 4 ? cut_by_names(text, g, n, h, cut) : 1;
  bool *by_cols = g_new0(bool, n);
  unsigned col_pieces = cut_by_columns(g, n, vcols, nv, h, by_cols);
  if(col_pieces > pieces) {
    memcpy(cut, by_cols, n * sizeof *cut);
    pieces = col_pieces;
  }
  g_free(by_cols);
  return pieces;
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



/* A header name of the national tables, whole. */
static bool
is_name(const char *norm)
{
  return pg_whole_header(norm) || pg_block_header(norm) || !strcmp(norm, "其他");
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
  bool caption = pg_whole_header(norm) || pg_block_header(norm);
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
GArray *
pg_header_columns(GPtrArray *lines, guint from, guint first, double label_x1, const GArray *vcols,
               double *tolp, GPtrArray **names)
{
  GPtrArray *stacks = g_ptr_array_new_with_free_func(stack_free);
  /* The value columns' Voronoi cells: pieces of one line in one column's
   * cell are one header cell's text spread over its width (分散对齐:
   * "自  然" over "人"), and are read as one piece. */
  double spacing = vcols->len >= 2 ? (g_array_index(vcols, double, vcols->len - 1) -
                                      g_array_index(vcols, double, 0)) / (vcols->len - 1)
                                   : 0;
  GPtrArray *joined = g_ptr_array_new_with_free_func(pg_pcell_free);
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
      if(last && spacing > 0 && pg_single_cjk(pc) &&
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
      hit->closed = pg_spanning_header(n) || pg_whole_header(n) || gh_utf8_len_upto(n, 16) > 16;
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
      a->closed = pg_spanning_header(n) || pg_whole_header(n);
      g_free(n);
      g_ptr_array_remove_index(stacks, m);
      m--;
    }
  }
  /* The captions of the table right above: a table printed blank has no
   * rows to make a block of, and its header lies above the next table's
   * caption (section 四's 行政复议 table over the 行政诉讼 one); only leaf
   * headers that reach down to the last caption line are this table's. */
  /* Text set rotated to read upwards (btLr, common in narrow header
   * cells) stacks one glyph a line from its end: "人然自".  A stack that
   * is no header name but reads as one backwards is that name. */
  for(guint k = 0; k < stacks->len; k++) {
    struct stack *st = stacks->pdata[k];
    char *norm = gh_norm(st->text->str, st->text->len);
    char *back = g_utf8_strreverse(norm, -1);
    if(g_utf8_strlen(norm, -1) >= 2 && !is_name(norm) && is_name(back))
      g_string_assign(st->text, back);
    g_free(back);
    g_free(norm);
  }
  guint caption_line = from;
  for(guint k = 0; k < stacks->len; k++) {
    struct stack *st = stacks->pdata[k];
    char *norm = gh_norm(st->text->str, st->text->len);
    if(pg_spanning_header(norm) && !pg_whole_header(norm) && st->first_line > caption_line &&
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
    if(!*norm || pg_spanning_header(norm) || inside >= 2 || prose || strpbrk(norm, "0123456789")) {
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
    fprintf(stderr, "pg_header_columns: %u headers for %u value columns:%s", cols->len, vcols->len, ok ? " ok" : " refused");
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

/* Positioned text to lines of cells (pdfgrid.h): glyphs grouped by their
 * centre's height into lines, sorted left to right, and a gap of more than
 * CELL_GAP of a glyph starts a new cell, so "31    0    0" stays three
 * values while "本机关不掌握" stays one label.  Also the readings of a
 * line and of a block's values that every later pass asks for: the form's
 * header names, value columns, the row labels' right edge. */
#include "pdfgrid_int.h"

#include <math.h>
#include <string.h>

#include "../record/textnorm.h"

const char *const gh_pdfgrid_leaf_headers[] = {
  "自然人", "商业企业", "科研机构", "社会公益组织", "社会组织", "法律服务机构", "其他", "总计",
  "结果维持", "结果纠正", "其他结果", "尚未审结", NULL,
};

/* `em` is the glyph's size for the gaps between glyphs: its height, but
 * for a CJK glyph whose box is over twice as tall as wide (Chromium gives
 * the line's height, 2.6 em) 1.2 times its width. */
struct glyph {
  double x0, x1, yc, h, em;
  gunichar c;
};

static bool
is_cjk(gunichar c)
{
  return c >= 0x2E80;
}

static bool
is_number_char(gunichar c)
{
  return c < 128 && (g_ascii_isdigit((int)c) || c == '.' || c == ',' || c == '-' || c == '%');
}

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

void
pg_pcell_free(void *p)
{
  struct pcell *c = p;
  g_free(c->text);
  g_free(c->gbox);
  g_free(c);
}

void
pg_pline_free(void *p)
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


bool
pg_single_cjk(const struct pcell *c)
{
  return !c->numeric && g_utf8_strlen(c->text, -1) == 1 && (unsigned char)c->text[0] >= 0x80;
}

/* Header words of the national tables, whole: section 二's, and the
 * captions of sections 三 and 四. */
bool
pg_block_header(const char *norm)
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
      if(pg_whole_header(norm) || pg_block_header(norm))
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

/* Whether glyphs [i, n) up to the next cell gap are a number: a value
 * printed right after a label with less than a cell's gap between them
 * ("行政许可48": Chromium's narrow cell padding, a label filling its cell). */
static bool
trailing_number(const struct glyph *g, size_t i, size_t n)
{
  for(size_t j = i; j < n; j++) {
    if(j > i && g[j].x0 - g[j - 1].x1 > CELL_GAP * MAX(g[j].em, g[j - 1].em))
      return true;
    if(!is_number_char(g[j].c))
      return false;
  }
  return true;
}

/* Header names of the national tables run together in one cell's text
 * ("信息内容本年处理决定数量": cells whose padding leaves less than a
 * cell's gap): split where the names meet, if there is a gap at each seam
 * and the whole run is names. */
static void
split_names(struct pline *l)
{
  for(guint i = 0; i < l->cells->len; i++) {
    struct pcell *c = l->cells->pdata[i];
    if(c->numeric || c->ng < 4 || c->ng > 64)
      continue;
    char *whole = gh_norm(c->text, strlen(c->text));
    bool name = pg_block_header(whole) || pg_whole_header(whole);
    g_free(whole);
    if(name)
      continue;
    unsigned cut[64], ncut = 0, from = 0;
    const char *p = c->text;
    while(from < c->ng) {
      unsigned best = 0;
      const char *q = p;
      for(unsigned k = from + 1; k <= c->ng; k++) {
        q = g_utf8_next_char(q);
        char *n = gh_norm(p, (size_t)(q - p));
        if((pg_block_header(n) || pg_whole_header(n)) &&
           (k == c->ng || c->gbox[k].x0 - c->gbox[k - 1].x1 > 0.1 * l->h))
          best = k;
        g_free(n);
      }
      if(!best)
        break;
      cut[ncut++] = best;
      p = g_utf8_offset_to_pointer(c->text, best);
      from = best;
    }
    if(from < c->ng || ncut < 2)
      continue;
    /* The pieces replace the cell, left to right. */
    unsigned start = 0;
    const char *s = c->text;
    for(unsigned k = 0; k < ncut; k++) {
      const char *e = g_utf8_offset_to_pointer(c->text, cut[k]);
      struct pcell *piece = g_new0(struct pcell, 1);
      piece->text = g_strndup(s, (gsize)(e - s));
      piece->x0 = c->gbox[start].x0;
      piece->x1 = c->gbox[cut[k] - 1].x1;
      piece->ng = cut[k] - start;
      piece->gbox = g_memdup2(c->gbox + start, piece->ng * sizeof *piece->gbox);
      g_ptr_array_insert(l->cells, (gint)(i + k + 1), piece);
      start = cut[k];
      s = e;
    }
    g_ptr_array_remove_index(l->cells, i);
    i += ncut - 1;
  }
}

static struct pline *
make_line(struct glyph *g, size_t n)
{
  qsort(g, n, sizeof(*g), by_x);
  struct pline *l = g_new0(struct pline, 1);
  l->cells = g_ptr_array_new_with_free_func(pg_pcell_free);
  GString *cell = g_string_new(NULL);
  double x0 = n ? g[0].x0 : 0, x1 = x0;
  size_t start = 0;
  for(size_t i = 0; i < n; i++) {
    l->h = MAX(l->h, g[i].em);
    if(i > 0) {
      double gap = g[i].x0 - g[i - 1].x1;
      double h = MAX(g[i].em, g[i - 1].em);
      bool digit = g_ascii_isdigit((int)(g[i].c < 128 ? g[i].c : 'x'));
      if(gap > CELL_GAP * h ||
         (gap > 0.25 * h && digit && is_cjk(g[i - 1].c) && trailing_number(g, i, n))) {
        close_cell(l, cell, x0, x1, g + start, i - start);
        x0 = g[i].x0;
        start = i;
      } else if(gap > 0.25 * h &&
                digit != g_ascii_isdigit((int)(g[i - 1].c < 128 ? g[i - 1].c : 'x'))) {
        g_string_append_c(cell, ' ');
      }
    }
    g_string_append_unichar(cell, g[i].c);
    x1 = g[i].x1;
  }
  close_cell(l, cell, x0, x1, g + start, n - start);
  g_string_free(cell, TRUE);
  merge_distributed(l);
  split_names(l);
  return l;
}


int
pg_by_double(const void *a, const void *b)
{
  double p = *(const double *)a, q = *(const double *)b;
  return (p > q) - (p < q);
}


/* The columns of block [i, end): the clusters of its values' x centres
 * that hold values of at least a quarter of its numeric rows (a sparse one
 * is a label fragment that reads as a number, "2." of "2.其他…").  Sets
 * the matching tolerance and the number of numeric rows. */
GArray *
pg_block_columns(GPtrArray *lines, guint i, guint end, double *tol, unsigned *rows)
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
    qsort(mids->data, mids->len, sizeof(double), pg_by_double);
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

/* A leaf header, whole: nothing joins it.  Not 其他, which may still
 * become 其他结果 with the piece below it. */
bool
pg_whole_header(const char *norm)
{
  for(const char *const *n = gh_pdfgrid_leaf_headers; *n; n++)
    if(!strcmp(norm, *n))
      return strcmp(norm, "其他") != 0;
  return false;
}


/* Group headers that span several columns (申请人情况, 法人或其他组织,
 * 行政复议…) and captions are not columns of their own. */
bool
pg_spanning_header(const char *norm)
{
  static const char *const words[] = { "申请人情况", "法人或其他组织", "行政复议", "行政诉讼",
                                       "直接起诉", "复议后起诉", "第二十条", "信息内容",
                                       "勾稽", "收到和处理", "政府信息公开", NULL };
  for(const char *const *w = words; *w; w++)
    if(strstr(norm, *w))
      return true;
  return false;
}


/* Lines with three or more values form table blocks.  A block is used only
 * when its fullest rows fill every column (the columns are then certain);
 * otherwise its lines stay text, as before. */
/* The right edge of the row labels of block [i, end): the furthest right
 * a label printed before a row's first value reaches, never past the
 * leftmost value.  A table without row labels (section 四) has none, and
 * every header cell is a column's. */
double
pg_label_edge(GPtrArray *lines, guint i, guint end)
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


bool
pg_line_has(const struct pline *l, const char *word)
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

size_t
pg_page_lines(GPtrArray *lines, const struct gh_grid_box *boxes, size_t n)
{
  GArray *gs = g_array_new(FALSE, FALSE, sizeof(struct glyph));
  for(size_t b = 0; b < n; b++) {
    const struct gh_grid_box *r = &boxes[b];
    double h = fabs(r->y1 - r->y0);
    if(!r->text || h <= 0 || !isfinite(h) || !isfinite(r->x0) || !isfinite(r->x1) ||
       !isfinite(r->y0) || !g_utf8_validate(r->text, -1, NULL))
      continue;
    /* A box of several characters (an OCR word) gives each an equal share
     * of its width. */
    glong chars = g_utf8_strlen(r->text, -1);
    double x0 = MIN(r->x0, r->x1), w = chars ? fabs(r->x1 - r->x0) / (double)chars : 0;
    glong k = 0;
    for(const char *p = r->text; *p; p = g_utf8_next_char(p), k++) {
      gunichar c = g_utf8_get_char(p);
      if(gh_is_space_uc(c) || c < 0x20)
        continue;
      struct glyph g = { x0 + (double)k * w, x0 + (double)(k + 1) * w, (r->y0 + r->y1) / 2, h, h, c };
      if(is_cjk(c) && w > 0 && h > 2 * w)
        g.em = 1.2 * w;
      g_array_append_val(gs, g);
    }
  }
  size_t seen = gs->len;
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
  return seen;
}

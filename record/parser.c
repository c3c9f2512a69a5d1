/* Report parser.  How it reads a table without trusting the layout:
 *
 * 1. Sections are found by their heading texts (template-spec §2), never by
 *    the numerals 一、二、: section 三's own rows start with those numerals.
 * 2. Each section becomes a token stream of TEXT and VALUE tokens.  Label text
 *    accumulates until values arrive, so a label broken over lines, one
 *    character per line or across cells reads the same as a clean one.
 * 3. The accumulated text is matched against distinctive key phrases of each
 *    row; the key that ends last wins, because the buffer may still hold a
 *    group label or header text in front of the row's own label.
 * 4. Values are placed under their column headers where the page prints
 *    them (grid columns from HTML/DOCX, glyph x-extents from PDF), by cell
 *    order when the row delimits every cell of the form, and otherwise by
 *    the form's arithmetic only when it leaves exactly one placement.  A
 *    row that none of these places is never filled from the left: its
 *    cells stay blank and the record names it in `unplaced`.
 *
 * Why one long file: the sections' readers share one token stream, one
 * label matcher and one set of placement rules, and a fix to any of them
 * must be seen against all four sections at once (the golden tests compare
 * every section of every report).  Split by section, each part would reach
 * into the others' state.
 */
#include "parser.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "arith.h"
#include "textnorm.h"
#include "title.h"

enum tok_kind { TOK_TEXT, TOK_VALUE };

struct tok {
  enum tok_kind kind;
  char *norm;
  struct gh_value v;
  guint row;
  int col;
  int span;
  unsigned cell; /* index of its cell in doc row `row` */
  bool table;
};

struct ctx {
  const struct gh_doc *doc;
  struct gh_record *rec;
  char **rownorm; /* normalised text of each row, cells joined */
  guint nrows;
  GArray *placed; /* struct gh_cell_placement, or NULL */
  bool *skip_row; /* rows tokenize leaves out (a repeated table header), or NULL */
};

const char *
gh_placement_name(enum gh_placement p)
{
  switch(p) {
  case GH_PLACE_HEADER: return "header";
  case GH_PLACE_COUNT: return "count";
  case GH_PLACE_ARITHMETIC: return "arithmetic";
  default: return "unplaced";
  }
}

static void
placement_clear(void *p)
{
  g_free(((struct gh_cell_placement *)p)->path);
}

GArray *
gh_placements_new(void)
{
  GArray *a = g_array_new(FALSE, FALSE, sizeof(struct gh_cell_placement));
  g_array_set_clear_func(a, placement_clear);
  return a;
}

/* Where the value token `t` went; blank cells are not noted (a blank is
 * blank wherever it sits). */
static void note(struct ctx *cx, const void *tok, enum gh_placement how, const char *fmt, ...)
  G_GNUC_PRINTF(4, 5);

/* Names the row in `unplaced` (once) and says why in `warnings`. */
static void
unplaced_row(struct ctx *cx, const char *path, const char *why)
{
  bool have = false;
  for(guint i = 0; i < cx->rec->unplaced->len && !have; i++)
    have = !strcmp(g_ptr_array_index(cx->rec->unplaced, i), path);
  if(!have)
    g_ptr_array_add(cx->rec->unplaced, g_strdup(path));
  gh_record_warn(cx->rec, "%s: %s; its cells are left blank (unplaced)", path, why);
}

/* ---- tokenising ---- */

static void
tok_push(GArray *toks, enum tok_kind kind, char *norm, const struct gh_value *v,
         guint row, int col, bool table)
{
  struct tok t = { .kind = kind, .norm = norm, .row = row, .col = col, .span = 1,
                   .table = table };
  if(v)
    t.v = *v;
  g_array_append_val(toks, t);
}

static bool
is_unit_word(const char *norm)
{
  return !strcmp(norm, "万元") || !strcmp(norm, "元");
}

/* Split "规章 0 0 0" into the label and its trailing values.  Only trailing
 * pieces are values: "2020 年，我局…" stays text. */
static void
split_text_cell(GArray *toks, const char *text, guint row, int col, bool table)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func(g_free);
  GArray *starts = g_array_new(FALSE, FALSE, sizeof(size_t));
  const char *p = text;
  while(*p) {
    while(*p && gh_is_space_uc(g_utf8_get_char(p)))
      p = g_utf8_next_char(p);
    if(!*p)
      break;
    const char *s = p;
    while(*p && !gh_is_space_uc(g_utf8_get_char(p)))
      p = g_utf8_next_char(p);
    size_t off = (size_t)(s - text);
    g_array_append_val(starts, off);
    g_ptr_array_add(pieces, gh_norm(s, (size_t)(p - s)));
  }

  /* Walk back over value pieces; a unit word joins the number before it. */
  struct gh_value vals[64];
  char *vnorm[64];
  int nv = 0;
  int real = 0;
  gint i = (gint)pieces->len - 1;
  while(i >= 0 && nv < 64) {
    const char *pc = g_ptr_array_index(pieces, i);
    char *joined = NULL;
    if(is_unit_word(pc) && i > 0) {
      joined = g_strconcat(g_ptr_array_index(pieces, i - 1), pc, NULL);
      pc = joined;
    }
    struct gh_value v;
    if(!gh_value_parse(pc, &v)) {
      g_free(joined);
      break;
    }
    vnorm[nv] = joined ? joined : g_strdup(pc);
    vals[nv++] = v;
    if(v.kind != GH_VALUE_BLANK)
      real++;
    i -= joined ? 2 : 1;
  }
  if(real == 0) {
    /* "- 3 -" style decoration or dashes in prose: not a row of values. */
    for(int k = 0; k < nv; k++)
      g_free(vnorm[k]);
    nv = 0;
    i = (gint)pieces->len - 1;
  }
  if(i >= 0) {
    size_t end = (guint)(i + 1) < starts->len
                   ? g_array_index(starts, size_t, i + 1)
                   : strlen(text);
    char *label = gh_norm(text, end);
    if(*label)
      tok_push(toks, TOK_TEXT, label, NULL, row, col, table);
    else
      g_free(label);
  }
  for(int k = nv - 1; k >= 0; k--)
    tok_push(toks, TOK_VALUE, vnorm[k], &vals[k], row, col, table);
  g_array_free(starts, TRUE);
  g_ptr_array_free(pieces, TRUE);
}

static void tokenize_cell(GArray *toks, const struct gh_cell *cell, guint r, bool table);

static GArray *
tokenize(const struct ctx *cx, guint from, guint to)
{
  GArray *toks = g_array_new(FALSE, TRUE, sizeof(struct tok));
  for(guint r = from; r < to && r < cx->nrows; r++) {
    const struct gh_row *row = &g_array_index(cx->doc->rows, struct gh_row, r);
    bool table = row->kind == GH_ROW_TABLE;
    if(cx->skip_row && cx->skip_row[r])
      continue;
    for(unsigned c = 0; c < row->n_cells; c++) {
      const struct gh_cell *cell = &row->cells[c];
      guint first_tok = toks->len;
      tokenize_cell(toks, cell, r, table);
      for(guint k = first_tok; k < toks->len; k++) {
        g_array_index(toks, struct tok, k).span = cell->colspan > 0 ? cell->colspan : 1;
        g_array_index(toks, struct tok, k).cell = c;
      }
    }
  }
  return toks;
}

static void
tokenize_cell(GArray *toks, const struct gh_cell *cell, guint r, bool table)
{
  char *norm = gh_norm(cell->text, strlen(cell->text));
  struct gh_value v;
  if(!*norm) {
    if(table) {
      v = (struct gh_value){ .kind = GH_VALUE_BLANK };
      tok_push(toks, TOK_VALUE, norm, &v, r, cell->col, table);
    }
    else
      g_free(norm);
    return;
  }
  /* In a table cell, "1 234" is one number with a stray space; on a text
   * line, spaces separate cells ("0 0 0"). */
  if(table && gh_value_parse(norm, &v)) {
    tok_push(toks, TOK_VALUE, norm, &v, r, cell->col, table);
    return;
  }
  g_free(norm);
  split_text_cell(toks, cell->text, r, cell->col, table);
}

static void
note(struct ctx *cx, const void *tok, enum gh_placement how, const char *fmt, ...)
{
  const struct tok *t = tok;
  if(!cx->placed || !t || t->kind != TOK_VALUE || t->v.kind == GH_VALUE_BLANK)
    return;
  va_list ap;
  va_start(ap, fmt);
  struct gh_cell_placement p = { .row = t->row, .cell = t->cell, .how = how,
                                 .path = g_strdup_vprintf(fmt, ap) };
  va_end(ap);
  g_array_append_val(cx->placed, p);
}

static void
toks_free(GArray *toks)
{
  for(guint i = 0; i < toks->len; i++)
    g_free(g_array_index(toks, struct tok, i).norm);
  g_array_free(toks, TRUE);
}

/* A run is the values that follow one label: within the same row for a
 * table (the next row has its own label), across lines for plain text. */
static guint
run_end(GArray *toks, guint i)
{
  const struct tok *first = &g_array_index(toks, struct tok, i);
  guint j = i;
  while(j < toks->len) {
    const struct tok *t = &g_array_index(toks, struct tok, j);
    if(t->kind != TOK_VALUE || (first->table && t->row != first->row))
      break;
    j++;
  }
  return j;
}

static int
run_real_values(GArray *toks, guint i, guint j)
{
  int n = 0;
  for(guint k = i; k < j; k++)
    if(g_array_index(toks, struct tok, k).v.kind != GH_VALUE_BLANK)
      n++;
  return n;
}

/* ---- header anchors ----
 *
 * A table prints its column headers, and a value belongs to the header it
 * sits under, whatever else its row holds: Word and WPS grids carry phantom
 * columns (a trailing gridCol, a column split in two), and a blank cell
 * must stay blank in its own column rather than let the next value slide
 * into it.  Anchors are the grid-column ranges of the headers; extractors
 * that know grid columns (HTML, DOCX, pipe tables, positioned PDF) give
 * every cell one. */
#define MAX_ANCHORS 16
struct anchors {
  int n; /* logical columns; 0 when the headers were not all found */
  int lo[MAX_ANCHORS], hi[MAX_ANCHORS]; /* grid columns [lo, hi) */
};

static int
anchor_of(const struct anchors *a, const struct tok *t)
{
  /* A cell spanning several grid columns sits under the header that any
   * of its columns belongs to (a value merged over a split column). */
  int span = t->span > 0 ? t->span : 1;
  for(int c = t->col; c < t->col + span; c++)
    for(int k = 0; k < a->n; k++)
      if(c >= a->lo[k] && c < a->hi[k])
        return k;
  return -1;
}

/* Place the run [i, j) under the anchors.  False when it cannot be placed
 * that way: a cell without a grid column, a value under no header, or two
 * values under one header; the caller then falls back and says so. */
static bool
place_anchored(GArray *toks, guint i, guint j, const struct tok **out, const struct anchors *a)
{
  if(a->n <= 0)
    return false;
  for(int c = 0; c < a->n; c++)
    out[c] = NULL;
  for(guint x = i; x < j; x++) {
    const struct tok *t = &g_array_index(toks, struct tok, x);
    if(t->kind != TOK_VALUE)
      continue;
    bool blank = t->v.kind == GH_VALUE_BLANK;
    if(t->col < 0)
      return false;
    int k = anchor_of(a, t);
    if(k < 0) {
      if(blank)
        continue; /* a phantom column's empty cell */
      return false;
    }
    if(out[k] && out[k]->v.kind != GH_VALUE_BLANK) {
      if(blank)
        continue;
      return false;
    }
    out[k] = t;
  }
  return true;
}

/* Set anchor k from a header cell, first occurrence only. */
static void
anchor_set(struct anchors *a, bool *have, int k, const struct tok *t)
{
  if(have[k])
    return;
  have[k] = true;
  a->lo[k] = t->col;
  a->hi[k] = t->col + (t->span > 0 ? t->span : 1);
}

/* Anchors are usable when they are ordered left to right without overlap;
 * one missing header between two found ones takes the columns between
 * them (a header lost to an image or a typo). */
static bool
anchors_finish(struct anchors *a, bool *have, int n)
{
  int missing = -1;
  for(int k = 0; k < n; k++)
    if(!have[k]) {
      if(missing >= 0)
        return false;
      missing = k;
    }
  if(missing >= 0) {
    if(missing == 0 || missing == n - 1)
      return false;
    a->lo[missing] = a->hi[missing - 1];
    a->hi[missing] = a->lo[missing + 1];
  }
  for(int k = 0; k < n; k++)
    if(a->lo[k] >= a->hi[k] || (k && a->lo[k] < a->hi[k - 1]))
      return false;
  a->n = n;
  return true;
}

static const struct {
  const char *name;
  int col;
} app_heads[] = {
  { "自然人", 0 },       { "商业企业", 1 },     { "科研机构", 2 }, { "社会公益组织", 3 },
  { "社会组织", 3 },     { "公益组织", 3 },     { "法律服务机构", 4 }, { "其他", 5 },
  { "其他组织", 5 },     { "总计", 6 },         { "合计", 6 },
};

/* Section 三's applicant columns, from the header rows above its first
 * data row. */
static void
app_anchors(GArray *toks, struct anchors *a)
{
  bool have[GH_APP_COLS] = { false };
  a->n = 0;
  for(guint i = 0; i < toks->len; i++) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind == TOK_VALUE) {
      if(t->v.kind != GH_VALUE_BLANK)
        break; /* the first value: the header is over */
      continue;
    }
    if(strstr(t->norm, "本年新收") || strstr(t->norm, "上年结转"))
      break;
    if(!t->table || t->col < 0)
      continue;
    for(size_t h = 0; h < G_N_ELEMENTS(app_heads); h++)
      if(!strcmp(t->norm, app_heads[h].name))
        anchor_set(a, have, app_heads[h].col, t);
  }
  anchors_finish(a, have, GH_APP_COLS);
}

/* A cell of a header row of section 三 (自然人 … 总计, no values in its
 * row): column names, never part of a row's label.  A PDF's header row
 * arrives after the text of a bottom-aligned first label ("一、本年新收…"
 * above "数量"), and must not come between the two. */
static bool
app_header_cell(GArray *toks, guint i)
{
  const struct tok *t = &g_array_index(toks, struct tok, i);
  if(t->kind != TOK_TEXT || !t->table)
    return false;
  bool name = false;
  for(size_t h = 0; h < G_N_ELEMENTS(app_heads) && !name; h++)
    name = !strcmp(t->norm, app_heads[h].name);
  if(!name)
    return false;
  for(guint k = i; k > 0 && g_array_index(toks, struct tok, k - 1).row == t->row; k--)
    if(g_array_index(toks, struct tok, k - 1).kind == TOK_VALUE &&
       g_array_index(toks, struct tok, k - 1).v.kind != GH_VALUE_BLANK)
      return false;
  for(guint k = i + 1; k < toks->len && g_array_index(toks, struct tok, k).row == t->row; k++)
    if(g_array_index(toks, struct tok, k).kind == TOK_VALUE &&
       g_array_index(toks, struct tok, k).v.kind != GH_VALUE_BLANK)
      return false;
  return true;
}

static const char *const appeal_heads[] = { "结果维持", "结果纠正", "其他结果", "尚未审结",
                                            "总计", NULL };

/* Section 四's fifteen columns: its five result headers printed once per
 * group, ordered by grid column. */
static void
appeal_anchors(GArray *toks, guint upto, struct anchors *a)
{
  enum { N = GH_APPEAL_N * GH_APPEAL_COLS };
  const struct tok *h[N + 1];
  int n = 0;
  a->n = 0;
  for(guint i = 0; i < upto && i < toks->len; i++) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind != TOK_TEXT || !t->table || t->col < 0)
      continue;
    bool dup = false;
    for(int k = 0; k < n && !dup; k++)
      dup = h[k]->col == t->col; /* a header merged over two header rows */
    for(const char *const *name = appeal_heads; *name && !dup; name++)
      if(!strcmp(t->norm, *name)) {
        if(n > N)
          return;
        h[n++] = t;
        break;
      }
  }
  if(n != N)
    return;
  /* Insertion sort by column: the group headers' rows come first. */
  for(int x = 1; x < n; x++)
    for(int y = x; y > 0 && h[y - 1]->col > h[y]->col; y--) {
      const struct tok *tmp = h[y];
      h[y] = h[y - 1];
      h[y - 1] = tmp;
    }
  bool have[N];
  for(int k = 0; k < N; k++) {
    have[k] = false;
    anchor_set(a, have, k, h[k]);
  }
  anchors_finish(a, have, N);
}

enum align { ALIGN_LEFT, ALIGN_RIGHT };

/* Whether the cells [from, from + ncols) contradict total = Σ the others,
 * where `total_col` is the total's column (blank cells count as 0; a blank
 * total contradicts nothing). */
static bool
row_total_breaks(GArray *toks, guint from, int ncols, int total_col)
{
  const struct tok *t = &g_array_index(toks, struct tok, from + (guint)total_col);
  if(t->v.kind == GH_VALUE_BLANK)
    return false;
  double sum = 0;
  for(int c = 0; c < ncols; c++)
    if(c != total_col)
      sum += g_array_index(toks, struct tok, from + (guint)c).v.d;
  return sum != t->v.d;
}

/* Place a run's values into `out[0..ncols)` by their count (*how =
 * GH_PLACE_COUNT).  Returns a short description of any doubt left (static
 * string), or NULL when the placement was certain.  A row that prints fewer
 * values than the form has, with no delimited blanks to count, is not
 * placed at all (*how = GH_PLACE_UNPLACED, `out` all NULL): filling it from
 * the left would shift every value after a blank, and only the form's
 * arithmetic (the caller's) may place it. */
static const char *
place_run(GArray *toks, guint i, guint j, const struct tok **out, int ncols,
          int single_col, enum align align, enum gh_placement *how)
{
  *how = GH_PLACE_COUNT;
  for(int c = 0; c < ncols; c++)
    out[c] = NULL;
  const struct tok *first = &g_array_index(toks, struct tok, i);
  guint n = j - i;
  if(first->table && n >= (guint)ncols) {
    /* Every cell is delimited, blanks included.  A row wider than the form
     * carries empty cells of merged label columns (section 三: values are
     * the last 7 columns) or padding after the values (section 二).  Each
     * window whose outside cells are all blank is a possible placement;
     * with more than one, the row's own total (section 三) chooses. */
    guint first_ok = G_MAXUINT, n_ok = 0, n_sum = 0, sum_from = 0;
    /* n_ok: windows with nothing outside; n_sum: those the row total does
     * not contradict. */
    for(guint w = 0; w + (guint)ncols <= n; w++) {
      guint from = align == ALIGN_RIGHT ? j - (guint)ncols - w : i + w;
      bool outside = false;
      for(guint x = i; x < j && !outside; x++)
        outside = (x < from || x >= from + (guint)ncols) &&
                  g_array_index(toks, struct tok, x).v.kind != GH_VALUE_BLANK;
      if(outside)
        continue;
      if(first_ok == G_MAXUINT)
        first_ok = from;
      n_ok++;
      if(single_col < 0 || !row_total_breaks(toks, from, ncols, single_col)) {
        if(!n_sum)
          sum_from = from;
        n_sum++;
      }
    }
    if(n_ok) {
      guint from = n_sum >= 1 ? sum_from : first_ok;
      for(int c = 0; c < ncols; c++)
        out[c] = &g_array_index(toks, struct tok, from + (guint)c);
      if(n_sum > 1)
        return "placement ambiguous: blank cells could sit in more than one column";
      /* Without grid columns (a tab-separated row), a blank cell right
       * after the label may be the label's merged cell or a blank value. */
      if(first->col < 0 && first->v.kind == GH_VALUE_BLANK && from == i && n == (guint)ncols)
        return "placement ambiguous: the blank after the label may be a merged label cell";
      return NULL;
    }
  }
  const struct tok *vals[64];
  int k = 0;
  for(guint x = i; x < j && k < 64; x++) {
    const struct tok *t = &g_array_index(toks, struct tok, x);
    if(t->v.kind != GH_VALUE_BLANK)
      vals[k++] = t;
  }
  if(k == ncols) {
    for(int c = 0; c < ncols; c++)
      out[c] = vals[c];
    return NULL;
  }
  if(k < ncols) {
    *how = GH_PLACE_UNPLACED;
    return NULL;
  }
  for(int c = 0; c < ncols; c++)
    out[c] = vals[c];
  return "more cells than columns, extra cells ignored";
}

/* ---- label matching ---- */

struct key {
  const char *k;
  int id;
  bool at_end; /* must end the buffer (a too-generic phrase otherwise) */
};

/* Each row's distinctive phrases.  Labels wrap in narrow cells, so a row
 * has phrases from the head of its label (the numbered item's first
 * words) as well as its best-known words, each unique to its row. */
static const struct key app_keys[] = {
  { "本年新收", GH_APP_NEW_RECEIVED, false },
  { "上年结转", GH_APP_CARRIED_IN, false },
  /* "一、本年(2021)新收…", "二、上年(2020)结转…": a year inside the label */
  { "新收政府信息", GH_APP_NEW_RECEIVED, false },
  { "结转政府信息", GH_APP_CARRIED_IN, false },
  { "予以公开", GH_APP_GRANTED, false },
  { "部分公开", GH_APP_PARTIALLY_GRANTED, false },
  { "国家秘密", GH_APP_DENIED_STATE_SECRET, false },
  { "属于国家", GH_APP_DENIED_STATE_SECRET, false },
  { "禁止公开", GH_APP_DENIED_PROHIBITED_BY_LAW, false },
  { "其他法律", GH_APP_DENIED_PROHIBITED_BY_LAW, false },
  { "法律行政法规", GH_APP_DENIED_PROHIBITED_BY_LAW, false },
  { "三安全", GH_APP_DENIED_THREE_SAFETIES, false },
  { "危及", GH_APP_DENIED_THREE_SAFETIES, false },
  { "第三方", GH_APP_DENIED_THIRD_PARTY, false },
  { "保护第", GH_APP_DENIED_THIRD_PARTY, false },
  { "合法权益", GH_APP_DENIED_THIRD_PARTY, false },
  { "内部事务", GH_APP_DENIED_INTERNAL_AFFAIRS, false },
  { "属于三类", GH_APP_DENIED_INTERNAL_AFFAIRS, false },
  { "过程性", GH_APP_DENIED_PROCESS_INFO, false },
  { "属于四类", GH_APP_DENIED_PROCESS_INFO, false },
  { "执法案卷", GH_APP_DENIED_ENFORCEMENT_FILES, false },
  { "行政执法", GH_APP_DENIED_ENFORCEMENT_FILES, false },
  { "属于行政执", GH_APP_DENIED_ENFORCEMENT_FILES, false },
  { "行政查询", GH_APP_DENIED_ADMINISTRATIVE_QUERY, false },
  { "属于行政查", GH_APP_DENIED_ADMINISTRATIVE_QUERY, false },
  { "不掌握", GH_APP_UNABLE_NOT_HELD, false },
  { "本机关不", GH_APP_UNABLE_NOT_HELD, false },
  { "另行制作", GH_APP_UNABLE_NEEDS_CREATION, false },
  { "没有现成", GH_APP_UNABLE_NEEDS_CREATION, false },
  { "仍不明确", GH_APP_UNABLE_UNCLEAR, false },
  { "补正后", GH_APP_UNABLE_UNCLEAR, false },
  { "信访", GH_APP_NP_PETITION, false },
  { "举报投诉", GH_APP_NP_PETITION, false },
  { "重复申请", GH_APP_NP_DUPLICATE, false },
  { "2.重复", GH_APP_NP_DUPLICATE, false },
  { "出版物", GH_APP_NP_PUBLICATION, false },
  { "要求提供", GH_APP_NP_PUBLICATION, false },
  { "公开出版", GH_APP_NP_PUBLICATION, false },
  { "大量反复", GH_APP_NP_EXCESSIVE, false },
  { "由大量", GH_APP_NP_EXCESSIVE, false },
  { "重新出具", GH_APP_NP_CONFIRMATION, false },
  { "行政机关确认", GH_APP_NP_CONFIRMATION, false },
  { "要求行政机关", GH_APP_NP_CONFIRMATION, false },
  { "其他处理", GH_APP_OTHER, false },
  { "不补正", GH_APP_OTHER_NO_CORRECTION, false },
  { "逾期不补", GH_APP_OTHER_NO_CORRECTION, false },
  { "申请人无正当", GH_APP_OTHER_NO_CORRECTION, false },
  { "收费通知", GH_APP_OTHER_NO_FEE, false },
  { "缴纳费用", GH_APP_OTHER_NO_FEE, false },
  { "逾期未按", GH_APP_OTHER_NO_FEE, false },
  { "3.其他", GH_APP_OTHER_OTHER, true },
  { "3,其他", GH_APP_OTHER_OTHER, true },
  { "3、其他", GH_APP_OTHER_OTHER, true },
  { "总计", GH_APP_TOTAL, false },
  { "合计", GH_APP_TOTAL, false },
  { "结转下年", GH_APP_CARRIED_OVER, false },
  { "继续办理", GH_APP_CARRIED_OVER, false },
  { NULL, 0, false },
};

enum { PK_RULES, PK_NORMATIVE };
static const struct key pro_keys[] = {
  { "规章", GH_PRO_RULES, false },
  { "规范性文件", GH_PRO_NORMATIVE, false },
  { "行政许可", GH_PRO_LICENSING, false },
  { "对外管理服务", GH_PRO_OTHER_SERVICES, false },
  { "行政处罚", GH_PRO_PENALTY, false },
  { "行政强制", GH_PRO_COERCION, false },
  { "事业性收费", GH_PRO_FEES, false },
  { "集中采购", GH_PRO_PROCUREMENT, false },
  { NULL, 0, false },
};

/* The key whose last occurrence ends latest in `buf`; ties go to the longer
 * key.  Returns -1 when none occurs. */
static int
match_key(const struct key *keys, const char *buf)
{
  size_t blen = strlen(buf);
  int best = -1;
  size_t best_end = 0, best_len = 0;
  for(const struct key *k = keys; k->k; k++) {
    size_t klen = strlen(k->k);
    if(klen > blen)
      continue;
    const char *hit = NULL;
    if(k->at_end) {
      if(!memcmp(buf + blen - klen, k->k, klen))
        hit = buf + blen - klen;
    }
    else {
      for(const char *p = strstr(buf, k->k); p; p = strstr(p + 1, k->k))
        hit = p;
    }
    if(!hit)
      continue;
    size_t end = (size_t)(hit - buf) + klen;
    if(best < 0 || end > best_end || (end == best_end && klen > best_len)) {
      best = k->id;
      best_end = end;
      best_len = klen;
    }
  }
  return best;
}

int
gh_report_app_row(const char *norm)
{
  return match_key(app_keys, norm);
}

/* p has at most `cap` characters.  Tested last where a cheaper test can
 * fail first: is_heading runs for every row and every section of a page. */
static bool
short_line(const char *p, size_t cap)
{
  return gh_utf8_len_upto(p, cap) <= cap;
}

static char *
shorten(const char *s)
{
  /* Warnings quote label text; keep them readable. */
  if(short_line(s, 24))
    return g_strdup(s);
  const char *cut = g_utf8_offset_to_pointer(s, 24);
  return g_strdup_printf("%.*s…", (int)(cut - s), s);
}

/* ---- sections ---- */

enum sec { SEC_OVERVIEW, SEC_PROACTIVE, SEC_APPLICATIONS, SEC_APPEALS,
           SEC_PROBLEMS, SEC_OTHER, SEC_N };

static const char *const sec_names[SEC_N] = {
  "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
  "六、其他需要报告的事项",
};

static bool
has_prefix(const char *s, const char *prefix)
{
  return !strncmp(s, prefix, strlen(prefix));
}

static bool
is_heading(const char *norm, enum sec which)
{
  bool numbered;
  const char *p = gh_skip_numeral(norm, &numbered);
  switch(which) {
  case SEC_OVERVIEW:
    return (has_prefix(p, "总体情况") || has_prefix(p, "政府信息公开总体情况") ||
            has_prefix(p, "概述")) && short_line(p, 20);
  case SEC_PROACTIVE:
    return (has_prefix(p, "主动公开政府信息情况") || has_prefix(p, "政府信息主动公开情况") ||
            has_prefix(p, "主动公开政府信息")) && short_line(p, 20);
  case SEC_APPLICATIONS:
    return has_prefix(p, "收到和处理政府信息") && short_line(p, 30);
  case SEC_APPEALS:
    return strstr(p, "复议") && strstr(p, "诉讼") &&
           (numbered || has_prefix(p, "政府信息公开") || has_prefix(p, "因政府信息公开")) &&
           short_line(p, 35);
  case SEC_PROBLEMS:
    return numbered &&
           (strstr(p, "存在的主要问题") || strstr(p, "存在的问题") || strstr(p, "存在问题") ||
            strstr(p, "主要问题及改进")) && short_line(p, 30);
  case SEC_OTHER:
    return has_prefix(p, "其他需要报告的事项") && short_line(p, 20);
  default:
    return false;
  }
}

struct sections {
  int start[SEC_N]; /* row of the heading, -1 when absent */
  guint from[SEC_N], to[SEC_N];
};

static void
find_sections(const struct ctx *cx, struct sections *s)
{
  int after = -1;
  for(int k = 0; k < SEC_N; k++) {
    s->start[k] = -1;
    for(guint r = (guint)(after + 1); r < cx->nrows; r++)
      if(is_heading(cx->rownorm[r], (enum sec)k)) {
        s->start[k] = (int)r;
        after = (int)r;
        break;
      }
  }
  /* A report whose section 三 heading is lost (an image, a typo) still has
   * its first row label; start the section there. */
  if(s->start[SEC_APPLICATIONS] < 0) {
    int from = s->start[SEC_PROACTIVE] + 1;
    for(guint r = (guint)from; r < cx->nrows; r++)
      if(strstr(cx->rownorm[r], "本年新收")) {
        s->start[SEC_APPLICATIONS] = (int)r - 1;
        break;
      }
  }
  for(int k = 0; k < SEC_N; k++) {
    if(s->start[k] < 0) {
      s->from[k] = s->to[k] = 0;
      continue;
    }
    s->from[k] = (guint)s->start[k] + 1;
    s->to[k] = cx->nrows;
    for(int m = 0; m < SEC_N; m++)
      if(m != k && s->start[m] > s->start[k] && (guint)s->start[m] < s->to[k])
        s->to[k] = (guint)s->start[m];
  }
}

/* Section 三 split at a page break with its header printed again (Word's
 * repeated header rows, a PDF of it): the header's lines between two rows
 * would read as part of a row label ("…勾稽关系为：第一项加第二项之和" and
 * the applicant names set one character per line).  A run of two or more
 * text rows after the first row of values, each one a row of the header
 * above that first row, one of them four characters or more, is the
 * header again and is left out; the table is then read as one. */
static void
mark_repeated_header(struct ctx *cx, guint from, guint to)
{
  guint first = to;
  for(guint r = from; r < to && first == to; r++)
    if(strstr(cx->rownorm[r], "本年新收") || strstr(cx->rownorm[r], "新收政府信息"))
      first = r;
  if(first == to || first == from)
    return;
  GHashTable *head = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint r = from; r < first; r++)
    if(cx->rownorm[r][0])
      g_hash_table_add(head, cx->rownorm[r]);
  for(guint r = first + 1; r < to;) {
    guint e = r;
    bool long_one = false;
    while(e < to && g_hash_table_contains(head, cx->rownorm[e]) &&
          g_array_index(cx->doc->rows, struct gh_row, e).kind == GH_ROW_TEXT) {
      long_one |= !short_line(cx->rownorm[e], 3);
      e++;
    }
    if(e - r >= 2 && long_one) {
      if(!cx->skip_row)
        cx->skip_row = g_new0(bool, cx->nrows);
      for(guint k = r; k < e; k++)
        cx->skip_row[k] = true;
    }
    r = e > r ? e : r + 1;
  }
  g_hash_table_destroy(head);
}

/* ---- template detection (template-spec §1) ---- */

static const char *const markers_2019[] = {
  "本年新制作", "本年新公开", "对外公开总数", "上一年项目数", "本年增/减", "本年增减",
  "对外管理服务", "集中采购", "采购项目数", "采购总金额", NULL,
};
static const char *const markers_2021[] = {
  "本年制发", "本年废止", "现行有效", "本年处理决定", "本年收费金额", "行政规范性文件", NULL,
};

static enum gh_template
vote(GArray *toks)
{
  int a = 0, b = 0;
  for(guint i = 0; i < toks->len; i++) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind != TOK_TEXT)
      continue;
    for(const char *const *m = markers_2019; *m; m++)
      if(strstr(t->norm, *m))
        a++;
    for(const char *const *m = markers_2021; *m; m++)
      if(strstr(t->norm, *m))
        b++;
  }
  if(a > b)
    return GH_TEMPLATE_2019;
  if(b > a)
    return GH_TEMPLATE_2021;
  return GH_TEMPLATE_UNKNOWN;
}

/* ---- rows whose labels wrap around their values ----
 *
 * A narrow label cell wraps its label over several lines, and the row's
 * values print on one of them: the first (top-aligned), a middle one, or
 * the last.  Read in order, the text between two rows of values is the
 * tail of one label and the head of the next, with the cut anywhere, and
 * a group label set vertically beside them may sit in the middle.  The
 * simple rule (a row's label is the text since the previous values) is
 * right for bottom-aligned cells only.  When it leaves a row unread, the
 * rows are aligned with the form instead: each gap between two runs of
 * values is cut in two, every run's label is the gap's tail before it
 * plus the next gap's head, and the cuts and the rows are chosen together
 * so that labels name their rows and rows keep the form's order. */

#define DP_MAX_CUTS 25

struct gap {
  guint first, n; /* TEXT tokens toks[first..] (indices in `idx`) */
  guint *idx;
  int ncut;
  int cut[DP_MAX_CUTS]; /* allowed cut positions, 0..n */
};

static bool
has_key_of(const char *buf, int row)
{
  for(const struct key *k = app_keys; k->k; k++)
    if(k->id == row && strstr(buf, k->k))
      return true;
  return false;
}

/* Whether `key` occurs in `buf` with at most one character of something
 * else inside it: a piece of a group label read into the middle of a row
 * label ("大" + "理" + "量反复"). */
static bool
has_key_split_once(const char *buf, const char *key)
{
  size_t kl = strlen(key);
  char head[64];
  if(kl >= sizeof head)
    return false;
  /* At each character boundary of the key: its head found by strstr (fast
   * on long labels), then one character, then its tail. */
  for(size_t cut = 1; cut < kl; cut++) {
    if((key[cut] & 0xC0) == 0x80)
      continue; /* inside a character */
    memcpy(head, key, cut);
    head[cut] = '\0';
    for(const char *h = strstr(buf, head); h; h = strstr(h + 1, head)) {
      const char *p = h + cut;
      if(!*p)
        break;
      const char *after = g_utf8_next_char(p);
      if(!strncmp(after, key + cut, kl - cut))
        return true;
    }
  }
  return false;
}

static bool
has_key_of_split(const char *buf, int row)
{
  for(const struct key *k = app_keys; k->k; k++)
    if(k->id == row && g_utf8_strlen(k->k, -1) >= 3 && has_key_split_once(buf, k->k))
      return true;
  return false;
}

/* 3: the label names `row` and no other row; 2: it names others too but
 * `row` ends last; 1: it names `row` among others, or names it with one
 * foreign character inside; 0: not at all. */
static int
label_score(const char *buf, int row)
{
  if(!has_key_of(buf, row))
    return has_key_of_split(buf, row) ? 1 : 0;
  bool other = false;
  for(int r = 0; r < GH_APP_N && !other; r++)
    other = r != row && has_key_of(buf, r);
  if(!other)
    return 3;
  return match_key(app_keys, buf) == row ? 2 : 1;
}

/* A label is at most this long: row labels are short, and a longer one
 * would only make every try cost more. */
#define DP_LABEL_MAX 240

static void
gap_label(GString *out, GArray *toks, const struct gap *g, guint from, guint to)
{
  for(guint x = from; x < to && x < g->n && out->len < DP_LABEL_MAX; x++) {
    const char *t = g_array_index(toks, struct tok, g->idx[x]).norm;
    size_t room = DP_LABEL_MAX - out->len, n = strlen(t);
    if(n > room) {
      const char *cut = t + room;
      while(cut > t && ((unsigned char)*cut & 0xC0) == 0x80)
        cut--; /* whole characters only */
      n = (size_t)(cut - t);
    }
    g_string_append_len(out, t, (gssize)n);
  }
}

/* Rows for the K runs [runs[2k], runs[2k+1]) of values; row[k] = -1 when
 * a run names no row.  Returns the number of runs given a row, or -1 when
 * the table is too large or scattered to align within the work bound. */
static int
align_rows(GArray *toks, const guint *runs, int K, int *row)
{
  /* gaps[k]: the text before run k; gaps[K]: after the last. */
  struct gap *gaps = g_new0(struct gap, (gsize)K + 1);
  guint pos = 0;
  for(int k = 0; k <= K; k++) {
    guint end = k < K ? runs[2 * k] : toks->len;
    struct gap *g = &gaps[k];
    g->idx = g_new(guint, end - pos + 1);
    for(guint x = pos; x < end; x++) {
      const struct tok *t = &g_array_index(toks, struct tok, x);
      if(t->kind != TOK_TEXT || app_header_cell(toks, x))
        continue;
      /* Before the first row, the column headers (…总计) are not a label. */
      if(k == 0 && (strstr(t->norm, "总计") || strstr(t->norm, "合计") ||
                    strstr(t->norm, "自然人") || strstr(t->norm, "组织") ||
                    strstr(t->norm, "机构") || strstr(t->norm, "其他"))) {
        g->n = 0;
        continue;
      }
      g->idx[g->n++] = x;
    }
    if(k == 0)
      g->cut[g->ncut++] = 0;
    else if(k == K)
      g->cut[g->ncut++] = (int)g->n;
    else
      for(guint c = 0; c <= g->n; c++)
        if(c <= 12 || c + 12 > g->n) /* 13 + 12 = DP_MAX_CUTS at most */
          g->cut[g->ncut++] = (int)c;
    pos = k < K ? runs[2 * k + 1] : pos;
  }
  /* The work is bounded whatever the document: the labels tried (one per
   * pair of cuts around a run) are capped, and a table too scattered for
   * that keeps the simple rule's reading. */
  gsize tries = 0;
  for(int k = 0; k < K; k++)
    tries += (gsize)(k == 0 ? 1 : gaps[k].ncut) * (gsize)gaps[k + 1].ncut;
  if(K > 64 || tries > 20000) {
    for(int k = 0; k <= K; k++)
      g_free(gaps[k].idx);
    g_free(gaps);
    return -1;
  }
  /* best[k][b][r]: best score of runs 0..k with gap k+1 cut at its cut b
   * and r the last row used (GH_APP_N = none yet). */
  enum { R = GH_APP_N + 1 };
  int nb = DP_MAX_CUTS;
  int *best = g_new(int, (gsize)K * nb * R);
  int *from = g_new(int, (gsize)K * nb * R); /* (a * R + rprev) */
  int *used = g_new(int, (gsize)K * nb * R); /* row given to run k, -1 none */
  for(gsize x = 0; x < (gsize)K * nb * R; x++)
    best[x] = -1;
  GString *lab = g_string_new(NULL);
  for(int k = 0; k < K; k++) {
    const struct gap *ga = &gaps[k], *gb = &gaps[k + 1];
    int na = k == 0 ? 1 : gaps[k].ncut;
    for(int a = 0; a < na; a++) {
      for(int b = 0; b < gb->ncut; b++) {
        g_string_truncate(lab, 0);
        gap_label(lab, toks, ga, (guint)ga->cut[a], ga->n);
        gap_label(lab, toks, gb, 0, (guint)gb->cut[b]);
        int sc[GH_APP_N];
        for(int r = 0; r < GH_APP_N; r++)
          sc[r] = label_score(lab->str, r);
        for(int rp = 0; rp < R; rp++) {
          int prev;
          if(k == 0)
            prev = rp == GH_APP_N ? 0 : -1;
          else
            prev = best[((gsize)(k - 1) * nb + a) * R + rp];
          if(prev < 0)
            continue;
          /* Skip this run: the last row stays rp. */
          int *cell = &best[((gsize)k * nb + b) * R + rp];
          if(prev > *cell) {
            *cell = prev;
            from[((gsize)k * nb + b) * R + rp] = a * R + rp;
            used[((gsize)k * nb + b) * R + rp] = -1;
          }
          for(int r = rp == GH_APP_N ? 0 : rp + 1; r < GH_APP_N; r++) {
            if(!sc[r])
              continue;
            int v = prev + sc[r];
            int *c2 = &best[((gsize)k * nb + b) * R + r];
            if(v > *c2) {
              *c2 = v;
              from[((gsize)k * nb + b) * R + r] = a * R + rp;
              used[((gsize)k * nb + b) * R + r] = r;
            }
          }
        }
      }
    }
  }
  g_string_free(lab, TRUE);
  int bb = 0, br = 0, bv = -1;
  for(int b = 0; b < gaps[K].ncut; b++)
    for(int r = 0; r < R; r++)
      if(K > 0 && best[((gsize)(K - 1) * nb + b) * R + r] > bv) {
        bv = best[((gsize)(K - 1) * nb + b) * R + r];
        bb = b;
        br = r;
      }
  int assigned = 0;
  for(int k = K - 1; k >= 0 && bv >= 0; k--) {
    gsize at = ((gsize)k * nb + bb) * R + br;
    row[k] = used[at];
    assigned += row[k] >= 0;
    bb = from[at] / R;
    br = from[at] % R;
  }
  g_free(best);
  g_free(from);
  g_free(used);
  for(int k = 0; k <= K; k++)
    g_free(gaps[k].idx);
  g_free(gaps);
  return assigned;
}

/* Walks section 三's tokens run by run: the label is the text since the
 * previous values (header cells aside), then the next run of values
 * [*from, *to).  The caller sets w->after_values once a run has taken the
 * label, so the next text starts a new one. */
struct label_walk {
  GString *label;
  bool after_values;
  bool marker_2021; /* saw 不补正 or 收费通知: the 2021 form's sub-rows */
  guint i;
};

static bool
walk_next(GArray *toks, struct label_walk *w, guint *from, guint *to)
{
  while(w->i < toks->len) {
    const struct tok *t = &g_array_index(toks, struct tok, w->i);
    if(t->kind != TOK_TEXT)
      break;
    if(w->after_values) {
      g_string_truncate(w->label, 0);
      w->after_values = false;
    }
    if(!app_header_cell(toks, w->i))
      g_string_append(w->label, t->norm);
    if(strstr(t->norm, "不补正") || strstr(t->norm, "收费通知"))
      w->marker_2021 = true;
    w->i++;
  }
  if(w->i >= toks->len)
    return false;
  *from = w->i;
  *to = w->i = run_end(toks, w->i);
  return true;
}

/* The simple rule's verdict without side effects: does it leave any run
 * of values unread or read twice?  Fills runs[] with the K runs. */
static bool
simple_rule_fails(GArray *toks, guint **runs_out, int *K_out)
{
  struct label_walk w = { .label = g_string_new(NULL) };
  bool fails = false, seen[GH_APP_N] = { false };
  GArray *runs = g_array_new(FALSE, FALSE, sizeof(guint));
  guint i, j;
  while(walk_next(toks, &w, &i, &j)) {
    int row = w.label->len ? match_key(app_keys, w.label->str) : -1;
    if(run_real_values(toks, i, j) == 0) {
      if(row >= 0)
        w.after_values = true;
      continue;
    }
    g_array_append_val(runs, i);
    g_array_append_val(runs, j);
    if(row < 0 || seen[row])
      fails = true;
    else
      seen[row] = true;
    w.after_values = true;
  }
  g_string_free(w.label, TRUE);
  *K_out = (int)(runs->len / 2);
  *runs_out = (guint *)(void *)g_array_free(runs, FALSE);
  return fails;
}

/* ---- section 三 ---- */

static void
cell_to_count(struct ctx *cx, const struct tok *t, int64_t *dst, const char *path,
              int col)
{
  if(!t || t->v.kind == GH_VALUE_BLANK) {
    *dst = GH_NULL;
    return;
  }
  if(t->v.kind == GH_VALUE_DECIMAL && t->v.d != (double)(int64_t)t->v.d) {
    gh_record_warn(cx->rec, "%s[%d]: '%s' is not a whole count; left blank", path,
                   col, t->norm);
    *dst = GH_NULL;
    return;
  }
  *dst = t->v.kind == GH_VALUE_INT ? t->v.i : (int64_t)t->v.d;
}

struct app_state {
  bool seen[GH_APP_N];
  bool printed_blank[GH_APP_N];
  int last; /* row assigned last, for the 2019 （六）→（七） marker */
  bool marker_2019, marker_2021;
};

/* A section 三 row that printed fewer values than the form's seven, with
 * no header to place them by. */
struct app_pending {
  int row;
  int k;
  const struct tok *v[GH_APP_COLS]; /* its values, in printed order */
};

/* The cell (row, c) as the sums see it: a printed blank is 0; false when
 * the row is not read (absent, or itself still unplaced). */
static bool
app_known(const struct ctx *cx, const struct app_state *st, const bool *open, int row, int c,
          int64_t *v)
{
  if(open[row] || (!st->seen[row] && !st->printed_blank[row]))
    return false;
  int64_t x = cx->rec->app[row][c];
  *v = x == GH_NULL ? 0 : x;
  return true;
}

/* Whether `row` holding `cand` (blank = 0, as the form's blanks are
 * zeros) agrees with every sum of the form whose other terms are known:
 * its own row total, the outcome rows' sum against （七）总计, and the
 * balance 新收 + 结转 = 总计 + 结转下年. */
static bool
app_fits(const struct ctx *cx, const struct app_state *st, const bool *open, int row,
         const int64_t *cand, bool form_2021)
{
  int64_t own = 0;
  for(int c = 0; c < GH_APP_TOTAL_COL; c++)
    own += cand[c];
  if(own != cand[GH_APP_TOTAL_COL])
    return false;
  int outcome[GH_APP_N], no = 0;
  for(int r = GH_APP_GRANTED; r <= GH_APP_NP_CONFIRMATION; r++)
    outcome[no++] = r;
  if(form_2021)
    for(int r = GH_APP_OTHER_NO_CORRECTION; r <= GH_APP_OTHER_OTHER; r++)
      outcome[no++] = r;
  else
    outcome[no++] = GH_APP_OTHER;
  bool in_outcome = row == GH_APP_TOTAL;
  for(int x = 0; x < no; x++)
    in_outcome |= outcome[x] == row;
  bool in_balance = row == GH_APP_NEW_RECEIVED || row == GH_APP_CARRIED_IN ||
                    row == GH_APP_TOTAL || row == GH_APP_CARRIED_OVER;
  for(int c = 0; c < GH_APP_COLS; c++) {
    int64_t v;
#define TERM(r, acc)                                                                          \
  do {                                                                                        \
    if((r) == row)                                                                            \
      (acc) += cand[c];                                                                       \
    else if(app_known(cx, st, open, (r), c, &v))                                              \
      (acc) += v;                                                                             \
    else                                                                                      \
      known = false;                                                                          \
  } while(0)
    if(in_outcome) {
      bool known = true;
      int64_t sum = 0, total = 0;
      for(int x = 0; x < no && known; x++)
        TERM(outcome[x], sum);
      TERM(GH_APP_TOTAL, total);
      if(known && sum != total)
        return false;
    }
    if(in_balance) {
      bool known = true;
      int64_t in = 0, out = 0;
      TERM(GH_APP_NEW_RECEIVED, in);
      TERM(GH_APP_CARRIED_IN, in);
      TERM(GH_APP_TOTAL, out);
      TERM(GH_APP_CARRIED_OVER, out);
      if(known && in != out)
        return false;
    }
#undef TERM
  }
  return true;
}

/* The masks of `n` bits with `k` set, in order: where k printed values
 * may sit among n columns, their order kept. */
static void
spread(unsigned mask, const struct tok *const *v, int n, int64_t *cand)
{
  int x = 0;
  for(int c = 0; c < n; c++)
    cand[c] = (mask & (1u << c)) ? v[x++]->v.i : 0;
}

static int
bits(unsigned mask)
{
  int n = 0;
  for(; mask; mask &= mask - 1)
    n++;
  return n;
}

static bool
all_zero(const struct tok *const *v, int k)
{
  for(int x = 0; x < k; x++)
    if(v[x]->v.kind != GH_VALUE_INT || v[x]->v.i != 0)
      return false;
  return true;
}

static bool
whole_counts(const struct tok *const *v, int k)
{
  for(int x = 0; x < k; x++)
    if(v[x]->v.kind != GH_VALUE_INT)
      return false;
  return true;
}

/* Section 三's rows that printed fewer values than columns, with no header
 * above them (plain text): each is placed where exactly one placement of
 * its values, in their printed order, satisfies the form's sums with the
 * rows read so far; a row placed lets the sums place another.  Any other is
 * left blank and named: a guess would read like a right value. */
static void
place_by_sums(struct ctx *cx, struct app_state *st, GArray *pending)
{
  bool open[GH_APP_N] = { false };
  for(guint p = 0; p < pending->len; p++)
    open[g_array_index(pending, struct app_pending, p).row] = true;
  bool form_2021 = st->marker_2021 || st->seen[GH_APP_OTHER_NO_CORRECTION] ||
                   st->seen[GH_APP_OTHER_NO_FEE] || st->seen[GH_APP_OTHER_OTHER];
  bool progress = true;
  while(progress) {
    progress = false;
    for(guint p = 0; p < pending->len; p++) {
      struct app_pending *pe = &g_array_index(pending, struct app_pending, p);
      if(!open[pe->row] || !whole_counts(pe->v, pe->k))
        continue;
      unsigned found = 0, nfit = 0;
      int64_t cand[GH_APP_COLS];
      bool zeros = all_zero(pe->v, pe->k);
      if(zeros) {
        /* Zeros read the same wherever they sit: the row is zero, and its
         * printed zeros go to its last columns (总计 among them), from
         * which the checks derive the rest. */
        found = ((1u << GH_APP_COLS) - 1) & ~((1u << (GH_APP_COLS - pe->k)) - 1);
        nfit = 1;
      }
      for(unsigned mask = 0; mask < (1u << GH_APP_COLS) && !zeros && nfit < 2; mask++) {
        if(bits(mask) != pe->k)
          continue;
        spread(mask, pe->v, GH_APP_COLS, cand);
        if(app_fits(cx, st, open, pe->row, cand, form_2021)) {
          found = mask;
          nfit++;
        }
      }
      if(nfit != 1)
        continue;
      const char *path = gh_app_rows[pe->row].path;
      int x = 0;
      for(int c = 0; c < GH_APP_COLS; c++) {
        if(!(found & (1u << c)))
          continue;
        cx->rec->app[pe->row][c] = pe->v[x]->v.i;
        note(cx, pe->v[x], GH_PLACE_ARITHMETIC, "applications.%s[%d]", path, c);
        x++;
      }
      if(all_zero(pe->v, pe->k))
        gh_record_warn(cx->rec, "applications.%s: %d of %d cells printed, all 0, with no "
                       "header above them; the row is 0 wherever they sit", path, pe->k,
                       GH_APP_COLS);
      else
        gh_record_warn(cx->rec, "applications.%s: %d of %d cells printed with no header above "
                       "them; placed where the form's sums allow them and nowhere else",
                       path, pe->k, GH_APP_COLS);
      open[pe->row] = false;
      progress = true;
    }
  }
  /* Rows that only the whole table's sums together determine (each alone
   * fits several places): a bounded joint search (arith.c).  A row is taken
   * only when every reading that fits agrees on all seven of its cells. */
  GArray *joint = g_array_new(FALSE, TRUE, sizeof(struct gh_arith_row));
  for(guint p = 0; p < pending->len; p++) {
    const struct app_pending *pe = &g_array_index(pending, struct app_pending, p);
    if(!open[pe->row] || !whole_counts(pe->v, pe->k) || pe->k >= GH_APP_COLS)
      continue;
    struct gh_arith_row r = { .row = pe->row, .k = pe->k };
    for(int x = 0; x < pe->k; x++)
      r.v[x] = pe->v[x]->v.i;
    g_array_append_val(joint, r);
  }
  if(joint->len)
    gh_arith_place((const int64_t (*)[GH_APP_COLS])cx->rec->app, form_2021,
                   (struct gh_arith_row *)(void *)joint->data, joint->len);
  for(guint q = 0; q < joint->len; q++) {
    const struct gh_arith_row *r = &g_array_index(joint, struct gh_arith_row, q);
    const struct app_pending *pe = NULL;
    for(guint p = 0; p < pending->len && !pe; p++)
      if(g_array_index(pending, struct app_pending, p).row == r->row)
        pe = &g_array_index(pending, struct app_pending, p);
    int known = 0, printed = 0;
    for(int c = 0; c < GH_APP_COLS; c++) {
      known += r->known[c];
      printed += r->known[c] && r->cell[c] != GH_NULL;
    }
    if(!pe || known != GH_APP_COLS || printed != pe->k)
      continue;
    const char *path = gh_app_rows[r->row].path;
    for(int c = 0, x = 0; c < GH_APP_COLS; c++) {
      if(r->cell[c] == GH_NULL)
        continue;
      cx->rec->app[r->row][c] = r->cell[c];
      note(cx, pe->v[x++], GH_PLACE_ARITHMETIC, "applications.%s[%d]", path, c);
    }
    gh_record_warn(cx->rec, "applications.%s: %d of %d cells printed with no header above "
                   "them; placed where the whole table's sums allow them and nowhere else",
                   path, pe->k, GH_APP_COLS);
    open[r->row] = false;
  }
  g_array_free(joint, TRUE);
  for(guint p = 0; p < pending->len; p++) {
    const struct app_pending *pe = &g_array_index(pending, struct app_pending, p);
    if(!open[pe->row])
      continue;
    char *path = g_strdup_printf("applications.%s", gh_app_rows[pe->row].path);
    char *why = g_strdup_printf("%d of %d cells printed with no header above them, and the "
                                "form's sums do not single out their columns", pe->k,
                                GH_APP_COLS);
    unplaced_row(cx, path, why);
    for(int x = 0; x < pe->k; x++)
      note(cx, pe->v[x], GH_PLACE_UNPLACED, "%s", path);
    g_free(why);
    g_free(path);
  }
}

static void
parse_applications(struct ctx *cx, GArray *toks, struct app_state *st)
{
  struct label_walk w = { .label = g_string_new(NULL) };
  struct anchors anch;
  app_anchors(toks, &anch);
  st->last = -1;
  guint *runs = NULL;
  int K = 0, k = 0;
  int *aligned = NULL;
  GArray *pending = g_array_new(FALSE, FALSE, sizeof(struct app_pending));
  if(simple_rule_fails(toks, &runs, &K) && K > 0) {
    aligned = g_new(int, (gsize)K);
    for(int x = 0; x < K; x++)
      aligned[x] = -1;
    if(align_rows(toks, runs, K, aligned) < 0) {
      gh_record_warn(cx->rec, "applications: %d runs of values, too many to align with the "
                     "form's rows; read by the labels before them", K);
      g_free(aligned);
      aligned = NULL;
    }
    /* A run whose label names nothing, between two rows one apart in the
     * form, is the row between them. */
    for(int x = 1; aligned && x + 1 < K; x++)
      if(aligned[x] < 0 && aligned[x - 1] >= 0 && aligned[x + 1] == aligned[x - 1] + 2) {
        aligned[x] = aligned[x - 1] + 1;
        gh_record_warn(cx->rec, "applications.%s: label not read; placed by its position in "
                       "the form", gh_app_rows[aligned[x]].path);
      }
  }
  g_free(runs);
  GString *label = w.label;
  guint i, j;
  while(walk_next(toks, &w, &i, &j)) {
    int real = run_real_values(toks, i, j);
    if(real == 0) {
      /* Blank header cells, or a row the report left empty: nothing to place.
       * Remember the row was printed, but let a later row with values take
       * the slot (a blank run after the 总计 header is not row （七）). */
      int blank_row = label->len ? match_key(app_keys, label->str) : -1;
      if(blank_row >= 0) {
        st->printed_blank[blank_row] = true;
        w.after_values = true;
      }
      continue;
    }
    int row = label->len ? match_key(app_keys, label->str) : -1;
    if(aligned)
      row = k < K ? aligned[k] : -1;
    k++;
    if(row < 0) {
      char *s = shorten(label->str);
      gh_record_warn(cx->rec, "applications: %d value(s) after unrecognised text '%s' ignored",
                     real, s);
      g_free(s);
    }
    else if(st->seen[row]) {
      gh_record_warn(cx->rec, "applications.%s printed twice; the first is kept",
                     gh_app_rows[row].path);
    }
    else {
      const struct tok *cells[MAX_ANCHORS];
      const char *guess = NULL;
      enum gh_placement how = GH_PLACE_HEADER;
      bool anchored = place_anchored(toks, i, j, cells, &anch);
      if(anchored && j - i == GH_APP_COLS) {
        /* Seven cells are the form's seven, in order: headers that put
         * them elsewhere sit on a grid this row does not share (a label
         * merged over one column more or less than the header's corner),
         * and following them would shift every value. */
        for(int c = 0; c < GH_APP_COLS && anchored; c++)
          anchored = cells[c] == &g_array_index(toks, struct tok, i + (guint)c);
        if(!anchored)
          gh_record_warn(cx->rec, "applications.%s: its cells do not sit under the table's "
                         "headers; read in order", gh_app_rows[row].path);
      }
      if(!anchored) {
        guess = place_run(toks, i, j, cells, GH_APP_COLS, GH_APP_TOTAL_COL, ALIGN_RIGHT, &how);
        /* Exactly seven cells read in order whatever the grid says (an
         * irregular grid of a hand-made table); any other count that the
         * headers could not place is a guess. */
        if(anch.n && !guess && how == GH_PLACE_COUNT && j - i != GH_APP_COLS)
          guess = "cells not under the table's column headers, placed by count";
      }
      if(how == GH_PLACE_UNPLACED) {
        /* Placed, if at all, by the form's sums once every row is read. */
        struct app_pending p = { .row = row, .k = 0 };
        for(guint x = i; x < j && p.k < GH_APP_COLS; x++)
          if(g_array_index(toks, struct tok, x).v.kind != GH_VALUE_BLANK)
            p.v[p.k++] = &g_array_index(toks, struct tok, x);
        g_array_append_val(pending, p);
      }
      else {
        if(guess)
          gh_record_warn(cx->rec, "applications.%s: %d of %d cells printed; %s",
                         gh_app_rows[row].path, real, GH_APP_COLS, guess);
        for(int c = 0; c < GH_APP_COLS; c++) {
          cell_to_count(cx, cells[c], &cx->rec->app[row][c], gh_app_rows[row].path, c);
          note(cx, cells[c], how, "applications.%s[%d]", gh_app_rows[row].path, c);
        }
      }
      st->seen[row] = true;
      if(row == GH_APP_TOTAL && st->last == GH_APP_OTHER)
        st->marker_2019 = true;
      if(row >= GH_APP_OTHER_NO_CORRECTION && row <= GH_APP_OTHER_OTHER)
        st->marker_2021 = true;
      st->last = row;
      cx->rec->has_applications = true;
    }
    w.after_values = true;
  }
  if(w.marker_2021)
    st->marker_2021 = true;
  place_by_sums(cx, st, pending);
  g_array_free(pending, TRUE);
  g_free(aligned);
  g_string_free(label, TRUE);
}

/* ---- section 二 ---- */

static void
set_money(struct ctx *cx, const struct tok *t, enum gh_template tpl)
{
  struct gh_money *m = &cx->rec->amount;
  if(!t || t->v.kind == GH_VALUE_BLANK)
    return;
  m->set = true;
  g_free(m->text);
  m->text = g_strdup(t->norm);
  m->unit_printed = t->v.unit != GH_UNIT_NONE;
  switch(t->v.unit) {
  case GH_UNIT_YUAN: m->wan = t->v.d / 10000.0; break;
  default: m->wan = t->v.d; break; /* 万元, or as written (2021: header fixes 万元) */
  }
  (void)tpl;
}

static void
parse_proactive(struct ctx *cx, GArray *toks, enum gh_template tpl)
{
  const struct gh_pro_desc *layout = gh_pro_layout(tpl);
  GString *label = g_string_new(NULL);
  bool after_values = false;
  bool seen[GH_PRO_N] = { false };
  /* Each block prints its own header row (信息内容 | 本年制发件数 | …); its
   * cells after 信息内容 anchor the block's value columns. */
  struct anchors hdr = { 0 };
  guint hdr_row = G_MAXUINT;
  for(guint i = 0; i < toks->len;) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind == TOK_TEXT) {
      if(after_values) {
        g_string_truncate(label, 0);
        after_values = false;
      }
      if(t->table && t->col >= 0 && !strstr(t->norm, "信息内容") &&
         (strstr(t->norm, "数量") || strstr(t->norm, "件数") || strstr(t->norm, "金额") ||
          strstr(t->norm, "增/减") || strstr(t->norm, "增减"))) {
        if(t->row != hdr_row) {
          hdr.n = 0;
          hdr_row = t->row;
        }
        if(hdr.n < MAX_ANCHORS && (!hdr.n || t->col >= hdr.hi[hdr.n - 1])) {
          hdr.lo[hdr.n] = t->col;
          hdr.hi[hdr.n] = t->col + (t->span > 0 ? t->span : 1);
          hdr.n++;
        }
      }
      g_string_append(label, t->norm);
      i++;
      continue;
    }
    guint j = run_end(toks, i);
    int real = run_real_values(toks, i, j);
    int row = label->len ? match_key(pro_keys, label->str) : -1;
    const struct gh_pro_desc *d = NULL;
    for(const struct gh_pro_desc *x = layout; x->key && row >= 0; x++)
      if((int)x->row == row)
        d = x;
    if(real == 0) {
      if(d)
        after_values = true;
      i = j;
      continue;
    }
    if(!d) {
      char *s = shorten(label->str);
      gh_record_warn(cx->rec, "proactive: row '%s' is not in the %s form; its values are ignored",
                     s, gh_template_name(tpl));
      g_free(s);
    }
    else if(seen[d->row]) {
      gh_record_warn(cx->rec, "proactive.%s printed twice; the first is kept", d->key);
    }
    else {
      int ncols = d->n_ints + (d->money ? 1 : 0);
      const struct tok *cells[MAX_ANCHORS];
      const char *guess = NULL;
      enum gh_placement how = GH_PLACE_HEADER;
      if(hdr.n != ncols || !place_anchored(toks, i, j, cells, &hdr))
        guess = place_run(toks, i, j, cells, ncols, -1, ALIGN_LEFT, &how);
      if(how == GH_PLACE_UNPLACED) {
        /* Section 二's rows have no sums to place a missing cell by. */
        char *path = g_strdup_printf("proactive.%s", d->key);
        char *why = g_strdup_printf("%d of %d cells printed with no header above them", real,
                                    ncols);
        unplaced_row(cx, path, why);
        for(guint x = i; x < j; x++)
          note(cx, &g_array_index(toks, struct tok, x), how, "%s", path);
        g_free(why);
        g_free(path);
      }
      if(guess)
        gh_record_warn(cx->rec, "proactive.%s: %d of %d cells printed; %s", d->key, real,
                       ncols, guess);
      for(int c = 0; c < d->n_ints && how != GH_PLACE_UNPLACED; c++) {
        char *path = g_strdup_printf("proactive.%s.%s", d->key, d->fields[c]);
        cell_to_count(cx, cells[c], &cx->rec->pro[d->row][c], path, 0);
        note(cx, cells[c], how, "%s", path);
        g_free(path);
      }
      if(d->money && how != GH_PLACE_UNPLACED) {
        set_money(cx, cells[d->n_ints], tpl);
        note(cx, cells[d->n_ints], how, "proactive.%s.amount_wan", d->key);
      }
      seen[d->row] = true;
      cx->rec->has_proactive = true;
    }
    after_values = true;
    i = j;
  }
  g_string_free(label, TRUE);
}

/* ---- section 四 ---- */

static void
set_appeal(struct ctx *cx, int c, const struct tok *t, enum gh_placement how)
{
  int g = c / GH_APPEAL_COLS, col = c % GH_APPEAL_COLS;
  char *path = g_strdup_printf("appeals.%s", gh_appeal_groups[g]);
  cell_to_count(cx, t, &cx->rec->appeals[g][col], path, col);
  note(cx, t, how, "%s[%d]", path, col);
  g_free(path);
}

/* The first group a table of section 四 holds, from the text above it:
 * 复议后起诉 names the third, 未经复议直接起诉 the second, 行政复议 the
 * first; -1 when none is named. */
static long
last_end(const char *text, const char *word)
{
  long end = -1;
  for(const char *p = strstr(text, word); p; p = strstr(p + 1, word))
    end = (long)(p - text) + (long)strlen(word);
  return end;
}

static int
appeal_group_named(const char *text, int ngroups)
{
  if(ngroups == GH_APPEAL_N)
    return 0;
  long after = last_end(text, "复议后起诉"), direct = last_end(text, "直接起诉");
  long recon = last_end(text, "行政复议");
  if(ngroups == 2)
    return after >= 0 || direct >= 0 || strstr(text, "行政诉讼") ? 1
           : strstr(text, "复议") ? 0 : -1;
  /* One group: the caption nearest above its header names it. */
  if(after >= 0 && after > direct && after > recon)
    return 2;
  if(direct >= 0 && direct > recon)
    return 1;
  return recon >= 0 ? 0 : -1;
}

/* Section 四 printed as several tables, each under its own headers: one
 * per group (行政复议 / 未经复议直接起诉 / 复议后起诉), or 行政复议 apart
 * from the ten columns of 行政诉讼.  Each table's values go under its
 * result headers (结果维持 … 总计), and the group is the one its caption
 * names, or the next.  False, with nothing set, when the section is not
 * such a set of tables (one table, text, or a table whose values do not
 * sit under its headers): the single-table reading follows. */
static bool
parse_appeals_split(struct ctx *cx, GArray *toks)
{
  enum { N = GH_APPEAL_N * GH_APPEAL_COLS };
  struct part {
    guint from, to; /* the data row's tokens */
    int g0;
    struct anchors a;
  } parts[GH_APPEAL_N];
  int np = 0, next = 0;
  guint zone = 0;
  GString *text = g_string_new(NULL);
  bool ok = true;
  for(guint i = 0; i < toks->len && ok;) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    guint j = i;
    while(j < toks->len && g_array_index(toks, struct tok, j).row == t->row)
      j++;
    bool all_values = true;
    for(guint x = i; x < j && all_values; x++)
      all_values = g_array_index(toks, struct tok, x).kind == TOK_VALUE;
    if(t->table && all_values && j - i >= GH_APPEAL_COLS && run_real_values(toks, i, j) == 0) {
      /* A table printed blank: its group is over, its caption is not the
       * next one's. */
      g_string_truncate(text, 0);
      for(guint x = zone; x < i; x++)
        if(g_array_index(toks, struct tok, x).kind == TOK_TEXT)
          g_string_append(text, g_array_index(toks, struct tok, x).norm);
      int ng = (int)(j - i) / GH_APPEAL_COLS;
      int g0 = appeal_group_named(text->str, ng > GH_APPEAL_N ? GH_APPEAL_N : ng);
      next = g0 >= next ? g0 + ng : next + ng;
      zone = i = j;
      continue;
    }
    if(!t->table || run_real_values(toks, i, j) == 0) {
      i = j;
      continue;
    }
    /* A data row: its headers are the result names since the last one. */
    const struct tok *h[N];
    int nh = 0;
    g_string_truncate(text, 0);
    for(guint x = zone; x < i; x++) {
      const struct tok *u = &g_array_index(toks, struct tok, x);
      if(u->kind != TOK_TEXT)
        continue;
      g_string_append(text, u->norm);
      if(!u->table || u->col < 0)
        continue;
      bool dup = false;
      for(int k = 0; k < nh && !dup; k++)
        dup = h[k]->col == u->col;
      for(const char *const *name = appeal_heads; *name && !dup && nh < N; name++)
        if(!strcmp(u->norm, *name)) {
          h[nh++] = u;
          break;
        }
    }
    if(nh == 0 && np > 0 && strstr(text->str, "总计")) {
      /* A table that keeps the columns of the one above (a PDF whose
       * next table repeats the same header at the same x-extents, which
       * the reader runs on as one table): the same anchors. */
      nh = parts[np - 1].a.n;
      for(int k = 0; k < nh; k++)
        h[k] = NULL;
    }
    int ng = nh / GH_APPEAL_COLS;
    if(np == GH_APPEAL_N || nh == 0 || nh % GH_APPEAL_COLS) {
      ok = false;
      break;
    }
    int g0 = appeal_group_named(text->str, ng);
    if(g0 < 0)
      g0 = next;
    if(g0 < next || g0 + ng > GH_APPEAL_N) {
      ok = false;
      break;
    }
    for(int x = 1; x < nh && h[0]; x++)
      for(int y = x; y > 0 && h[y - 1]->col > h[y]->col; y--) {
        const struct tok *tmp = h[y];
        h[y] = h[y - 1];
        h[y - 1] = tmp;
      }
    struct part *p = &parts[np++];
    bool have[N];
    p->from = i;
    p->to = j;
    p->g0 = g0;
    p->a.n = 0;
    if(h[0]) {
      for(int k = 0; k < nh; k++) {
        have[k] = false;
        anchor_set(&p->a, have, k, h[k]);
      }
      ok = anchors_finish(&p->a, have, nh);
    }
    else
      p->a = parts[np - 2].a;
    const struct tok *cells[MAX_ANCHORS];
    ok = ok && place_anchored(toks, i, j, cells, &p->a);
    next = g0 + ng;
    zone = i = j;
  }
  g_string_free(text, TRUE);
  /* One table of all fifteen columns is the single-table reading's. */
  if(!ok || np == 0 || (np == 1 && parts[0].a.n == N))
    return false;
  for(int k = 0; k < np; k++) {
    const struct tok *cells[MAX_ANCHORS];
    place_anchored(toks, parts[k].from, parts[k].to, cells, &parts[k].a);
    for(int c = 0; c < parts[k].a.n; c++)
      set_appeal(cx, parts[k].g0 * GH_APPEAL_COLS + c, cells[c], GH_PLACE_HEADER);
  }
  cx->rec->has_appeals = true;
  return true;
}

/* Section 四's values printed without their blanks: placed where exactly
 * one placement, in printed order, makes every group's 总计 the sum of its
 * four results; otherwise none (unplaced). */
static void
place_appeals_by_sums(struct ctx *cx, const struct tok *const *v, int k)
{
  enum { N = GH_APPEAL_N * GH_APPEAL_COLS };
  unsigned found = 0, nfit = 0;
  if(k < N && whole_counts(v, k))
    for(unsigned mask = 1; mask < (1u << N) && nfit < 2; mask++) {
      if(bits(mask) != k)
        continue;
      int64_t cand[N];
      spread(mask, v, N, cand);
      bool fits = true;
      for(int g = 0; g < GH_APPEAL_N && fits; g++) {
        const int64_t *c = cand + g * GH_APPEAL_COLS;
        fits = c[0] + c[1] + c[2] + c[3] == c[4];
      }
      if(fits) {
        found = mask;
        nfit++;
      }
    }
  if(nfit == 1) {
    int x = 0;
    for(int c = 0; c < N; c++)
      if(found & (1u << c))
        set_appeal(cx, c, v[x++], GH_PLACE_ARITHMETIC);
    gh_record_warn(cx->rec, "appeals: %d of %d cells printed with no header above them; "
                   "placed where every group's 总计 allows them and nowhere else", k, N);
    return;
  }
  char *why = g_strdup_printf("%d of %d cells printed with no header above them, and the "
                              "groups' totals do not single out their columns", k, N);
  unplaced_row(cx, "appeals", why);
  g_free(why);
  for(int x = 0; x < k; x++)
    note(cx, v[x], GH_PLACE_UNPLACED, "appeals");
}

static void
parse_appeals(struct ctx *cx, GArray *toks)
{
  enum { N = GH_APPEAL_N * GH_APPEAL_COLS };
  if(parse_appeals_split(cx, toks))
    return;
  guint best_from = 0, best_to = 0;
  int best_real = -1;
  bool any_table = false;
  /* In a table, the data row is the row with the most values; header rows
   * may carry blank cells of their own. */
  for(guint i = 0; i < toks->len;) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind != TOK_VALUE || !t->table) {
      i++;
      continue;
    }
    any_table = true;
    guint j = i;
    while(j < toks->len && g_array_index(toks, struct tok, j).row == t->row)
      j++;
    int real = 0;
    guint nval = 0;
    for(guint k = i; k < j; k++) {
      const struct tok *u = &g_array_index(toks, struct tok, k);
      if(u->kind == TOK_VALUE) {
        nval++;
        if(u->v.kind != GH_VALUE_BLANK)
          real++;
      }
    }
    if(real > best_real || (real == best_real && nval == N)) {
      best_real = real;
      best_from = i;
      best_to = j;
    }
    i = j;
  }
  const struct tok *cells[MAX_ANCHORS];
  for(int c = 0; c < N; c++)
    cells[c] = NULL;
  struct anchors anch;
  appeal_anchors(toks, best_from, &anch);
  bool anchored = any_table && place_anchored(toks, best_from, best_to, cells, &anch);
  if(anchored) {
    /* Fifteen cells are the form's fifteen, in order (see applications). */
    guint nv = 0, k = 0;
    for(guint x = best_from; x < best_to; x++)
      nv += g_array_index(toks, struct tok, x).kind == TOK_VALUE;
    for(guint x = best_from; x < best_to && nv == N && anchored; x++) {
      const struct tok *u = &g_array_index(toks, struct tok, x);
      if(u->kind == TOK_VALUE)
        anchored = cells[k++] == u;
    }
    if(!anchored)
      gh_record_warn(cx->rec, "appeals: the cells do not sit under the table's headers; read in order");
  }
  if(anchored) {
    if(best_real <= 0)
      return;
    for(int c = 0; c < N; c++)
      set_appeal(cx, c, cells[c], GH_PLACE_HEADER);
    cx->rec->has_appeals = true;
    return;
  }
  /* Without headers: the table's data row, or every value of the text. */
  GPtrArray *vals = g_ptr_array_new();
  int real = 0;
  guint from = any_table ? best_from : 0, to = any_table ? best_to : toks->len;
  for(guint x = from; x < to; x++) {
    const struct tok *u = &g_array_index(toks, struct tok, x);
    if(u->kind != TOK_VALUE || (!any_table && u->v.kind == GH_VALUE_BLANK))
      continue;
    g_ptr_array_add(vals, (gpointer)u);
    real += u->v.kind != GH_VALUE_BLANK;
  }
  if(real <= 0) {
    g_ptr_array_free(vals, TRUE);
    return;
  }
  cx->rec->has_appeals = true;
  if(vals->len == N) {
    /* Every cell printed, blanks delimited: the form's order. */
    for(int c = 0; c < N; c++)
      set_appeal(cx, c, g_ptr_array_index(vals, c), GH_PLACE_COUNT);
  }
  else if(real >= N) {
    const struct tok *v[N];
    int k = 0;
    for(guint x = 0; x < vals->len && k < N; x++)
      if(((const struct tok *)g_ptr_array_index(vals, x))->v.kind != GH_VALUE_BLANK)
        v[k++] = g_ptr_array_index(vals, x);
    for(int c = 0; c < N; c++)
      set_appeal(cx, c, v[c], GH_PLACE_COUNT);
    if(real > N)
      gh_record_warn(cx->rec, "appeals: %d of %d cells printed; more cells than columns, "
                     "extra cells ignored", real, N);
  }
  else {
    const struct tok *v[N];
    int k = 0;
    for(guint x = 0; x < vals->len && k < N; x++)
      if(((const struct tok *)g_ptr_array_index(vals, x))->v.kind != GH_VALUE_BLANK)
        v[k++] = g_ptr_array_index(vals, x);
    place_appeals_by_sums(cx, v, k);
  }
  g_ptr_array_free(vals, TRUE);
}

/* ---- driver ---- */

static char *
row_text(const struct gh_row *row)
{
  GString *s = g_string_new(NULL);
  for(unsigned c = 0; c < row->n_cells; c++)
    g_string_append(s, row->cells[c].text);
  char *n = gh_norm(s->str, s->len);
  g_string_free(s, TRUE);
  return n;
}

void
gh_report_parse(const struct gh_doc *doc, struct gh_record *rec)
{
  gh_report_parse_placed(doc, rec, NULL);
}

void
gh_report_parse_placed(const struct gh_doc *doc, struct gh_record *rec, GArray *placed)
{
  struct ctx cx = { .doc = doc, .rec = rec, .nrows = doc->rows->len, .placed = placed };
  cx.rownorm = g_new0(char *, cx.nrows + 1);
  bool any_text = false;
  for(guint r = 0; r < cx.nrows; r++) {
    cx.rownorm[r] = row_text(&g_array_index(doc->rows, struct gh_row, r));
    any_text |= cx.rownorm[r][0] != '\0';
  }
  for(guint i = 0; i < doc->warnings->len; i++)
    gh_record_warn(rec, "%s", (const char *)g_ptr_array_index(doc->warnings, i));

  if(!any_text) {
    gh_record_fail(rec, GH_STATUS_EMPTY, "the document holds no text");
    goto out;
  }

  struct sections s;
  find_sections(&cx, &s);
  guint head_end = cx.nrows;
  for(int k = 0; k < SEC_N; k++)
    if(s.start[k] >= 0 && (guint)s.start[k] < head_end)
      head_end = (guint)s.start[k];
  if(head_end > 60)
    head_end = 60;

  gh_report_title(cx.rownorm, cx.nrows, head_end, doc, rec);

  GArray *t2 = s.start[SEC_PROACTIVE] >= 0 ? tokenize(&cx, s.from[SEC_PROACTIVE], s.to[SEC_PROACTIVE]) : NULL;
  if(s.start[SEC_APPLICATIONS] >= 0)
    mark_repeated_header(&cx, s.from[SEC_APPLICATIONS], s.to[SEC_APPLICATIONS]);
  GArray *t3 = s.start[SEC_APPLICATIONS] >= 0 ? tokenize(&cx, s.from[SEC_APPLICATIONS], s.to[SEC_APPLICATIONS]) : NULL;
  GArray *t4 = s.start[SEC_APPEALS] >= 0 ? tokenize(&cx, s.from[SEC_APPEALS], s.to[SEC_APPEALS]) : NULL;

  struct app_state st = { 0 };
  if(t3)
    parse_applications(&cx, t3, &st);

  enum gh_template tpl2 = t2 ? vote(t2) : GH_TEMPLATE_UNKNOWN;
  enum gh_template tpl3 = st.marker_2021 ? GH_TEMPLATE_2021
                          : st.marker_2019 ? GH_TEMPLATE_2019 : GH_TEMPLATE_UNKNOWN;
  rec->tpl = tpl2 != GH_TEMPLATE_UNKNOWN ? tpl2 : tpl3;
  if(tpl2 && tpl3 && tpl2 != tpl3)
    gh_record_warn(rec, "section 二 follows the %s form but section 三 the %s form",
                   gh_template_name(tpl2), gh_template_name(tpl3));

  if(t2 && rec->tpl != GH_TEMPLATE_UNKNOWN)
    parse_proactive(&cx, t2, rec->tpl);
  if(t4)
    parse_appeals(&cx, t4);

  for(int k = SEC_PROACTIVE; k <= SEC_APPEALS; k++)
    if(s.start[k] < 0)
      gh_record_warn(rec, "section %s not found", sec_names[k]);
  if(t2 && !rec->has_proactive)
    gh_record_warn(rec, "section 二 has no table values");
  if(t4 && !rec->has_appeals)
    gh_record_warn(rec, "section 四 has no table values");
  if(rec->has_applications)
    for(int i = 0; i < GH_APP_N; i++) {
      if(gh_app_rows[i].only_2021 && rec->tpl != GH_TEMPLATE_2021)
        continue;
      if(i == GH_APP_OTHER && rec->tpl == GH_TEMPLATE_2021)
        continue; /* a group label in the 2021 form */
      if(!st.seen[i] && !st.printed_blank[i])
        gh_record_warn(rec, "applications.%s: row not found", gh_app_rows[i].path);
    }

  if(!rec->has_applications) {
    bool looks = rec->agency || s.start[SEC_APPLICATIONS] >= 0 || s.start[SEC_PROACTIVE] >= 0;
    if(looks)
      gh_record_warn(rec, "section 三 has no readable values: the record keeps its title, "
                     "year and what sections 二 and 四 gave (%s, %s)",
                     rec->has_proactive ? "二 read" : "二 not read",
                     rec->has_appeals ? "四 read" : "四 not read");
    if(looks)
      gh_record_fail(rec, GH_STATUS_TABLES_NOT_FOUND,
                     "found the report's %s but no values in the section 三 table "
                     "(收到和处理政府信息公开申请情况)",
                     s.start[SEC_APPLICATIONS] >= 0 ? "section 三 heading" : "title");
    else
      gh_record_fail(rec, GH_STATUS_NOT_A_REPORT,
                     "no 政府信息公开工作年度报告 title and no report sections found");
  }
  else {
    rec->status = GH_STATUS_PARSED;
    gh_record_derive(rec);
    gh_record_check(rec);
  }

  if(t2)
    toks_free(t2);
  if(t3)
    toks_free(t3);
  if(t4)
    toks_free(t4);
out:
  g_free(cx.skip_row);
  g_strfreev(cx.rownorm);
}

/* Placing a run's values by header or by count (parse_place.h). */
#include "parse_place.h"

#include <string.h>

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
bool
parse_place_anchored(GArray *toks, guint i, guint j, const struct tok **out,
                     const struct anchors *a)
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
void
parse_anchor_set(struct anchors *a, bool *have, int k, const struct tok *t)
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
bool
parse_anchors_finish(struct anchors *a, bool *have, int n)
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
void
parse_app_anchors(GArray *toks, struct anchors *a)
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
        parse_anchor_set(a, have, app_heads[h].col, t);
  }
  parse_anchors_finish(a, have, GH_APP_COLS);
}

/* A cell of a header row of section 三 (自然人 … 总计, no values in its
 * row): column names, never part of a row's label.  A PDF's header row
 * arrives after the text of a bottom-aligned first label ("一、本年新收…"
 * above "数量"), and must not come between the two. */
bool
parse_app_header_cell(GArray *toks, guint i)
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

const char *const parse_appeal_heads[] = { "结果维持", "结果纠正", "其他结果", "尚未审结",
                                            "总计", NULL };

/* Section 四's fifteen columns: its five result headers printed once per
 * group, ordered by grid column. */
void
parse_appeal_anchors(GArray *toks, guint upto, struct anchors *a)
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
    for(const char *const *name = parse_appeal_heads; *name && !dup; name++)
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
    parse_anchor_set(a, have, k, h[k]);
  }
  parse_anchors_finish(a, have, N);
}

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
const char *
parse_place_run(GArray *toks, guint i, guint j, const struct tok **out, int ncols,
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

void
parse_cell_to_count(struct ctx *cx, const struct tok *t, int64_t *dst, const char *path,
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

/* The masks of `n` bits with `k` set, in order: where k printed values
 * may sit among n columns, their order kept. */
void
parse_spread(unsigned mask, const struct tok *const *v, int n, int64_t *cand)
{
  int x = 0;
  for(int c = 0; c < n; c++)
    cand[c] = (mask & (1u << c)) ? v[x++]->v.i : 0;
}

int
parse_bits(unsigned mask)
{
  int n = 0;
  for(; mask; mask &= mask - 1)
    n++;
  return n;
}

bool
parse_all_zero(const struct tok *const *v, int k)
{
  for(int x = 0; x < k; x++)
    if(v[x]->v.kind != GH_VALUE_INT || v[x]->v.i != 0)
      return false;
  return true;
}

bool
parse_whole_counts(const struct tok *const *v, int k)
{
  for(int x = 0; x < k; x++)
    if(v[x]->v.kind != GH_VALUE_INT)
      return false;
  return true;
}

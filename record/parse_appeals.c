/* Section 四's reader (parse_appeals.h). */
#include "parse_appeals.h"

#include <string.h>

#include "parse_order.h"
#include "parse_place.h"

static void
set_appeal(struct ctx *cx, int c, const struct tok *t, enum gh_placement how)
{
  int g = c / GH_APPEAL_COLS, col = c % GH_APPEAL_COLS;
  char *path = g_strdup_printf("appeals.%s", gh_appeal_groups[g]);
  parse_cell_to_count(cx, t, &cx->rec->appeals[g][col], path, col);
  parse_note(cx, t, how, "%s[%d]", path, col);
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
    if(t->table && all_values && j - i >= GH_APPEAL_COLS &&
       parse_run_real_values(toks, i, j) == 0) {
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
    if(!t->table || parse_run_real_values(toks, i, j) == 0) {
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
      for(const char *const *name = parse_appeal_heads; *name && !dup && nh < N; name++)
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
    /* A row of all fifteen cells under fewer headers is one table whose
     * header lost its merges (a transcription's pipe rows), not a table
     * of some groups: its cells past the headers are not padding. */
    guint nv = 0;
    for(guint x = i; x < j; x++)
      nv += g_array_index(toks, struct tok, x).kind == TOK_VALUE;
    if(np == GH_APPEAL_N || nh == 0 || nh % GH_APPEAL_COLS || (nv >= N && nh < N)) {
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
        parse_anchor_set(&p->a, have, k, h[k]);
      }
      ok = parse_anchors_finish(&p->a, have, nh);
    }
    else
      p->a = parts[np - 2].a;
    const struct tok *cells[MAX_ANCHORS];
    ok = ok && parse_place_anchored(toks, i, j, cells, &p->a);
    next = g0 + ng;
    zone = i = j;
  }
  g_string_free(text, TRUE);
  /* One table of all fifteen columns is the single-table reading's. */
  if(!ok || np == 0 || (np == 1 && parts[0].a.n == N))
    return false;
  for(int k = 0; k < np; k++) {
    const struct tok *cells[MAX_ANCHORS];
    parse_place_anchored(toks, parts[k].from, parts[k].to, cells, &parts[k].a);
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
  if(k < N && parse_whole_counts(v, k))
    for(unsigned mask = 1; mask < (1u << N) && nfit < 2; mask++) {
      if(parse_bits(mask) != k)
        continue;
      int64_t cand[N];
      parse_spread(mask, v, N, cand);
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
  parse_unplaced_row(cx, "appeals", why);
  g_free(why);
  for(int x = 0; x < k; x++)
    parse_note(cx, v[x], GH_PLACE_UNPLACED, "appeals");
}

/* Whether one row prints all fifteen cells: the reading in place needs
 * no help. */
static bool
read_in_place(GArray *toks)
{
  for(guint i = 0; i < toks->len;) {
    guint row = g_array_index(toks, struct tok, i).row, n = 0;
    for(; i < toks->len && g_array_index(toks, struct tok, i).row == row; i++)
      n += g_array_index(toks, struct tok, i).kind == TOK_VALUE;
    if(n == GH_APPEAL_N * GH_APPEAL_COLS)
      return true;
  }
  return false;
}

void
parse_appeals(struct ctx *cx, GArray *toks)
{
  enum { N = GH_APPEAL_N * GH_APPEAL_COLS };
  const struct tok *by_order[N];
  if(!read_in_place(toks) && parse_order_appeals(toks, by_order)) {
    /* The fifteen cells broken over lines (parse_order.h). */
    for(int c = 0; c < N; c++)
      set_appeal(cx, c, by_order[c], GH_PLACE_COUNT);
    cx->rec->has_appeals = true;
    return;
  }
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
  parse_appeal_anchors(toks, best_from, &anch);
  bool anchored = any_table && parse_place_anchored(toks, best_from, best_to, cells, &anch);
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

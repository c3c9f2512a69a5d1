/* Section 三's reader (parse_apps.h). */
#include "parse_apps.h"

#include <string.h>

#include "arith.h"
#include "parse_align.h"
#include "parse_labels.h"
#include "parse_order.h"
#include "parse_place.h"

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
      if(!open[pe->row] || !parse_whole_counts(pe->v, pe->k))
        continue;
      unsigned found = 0, nfit = 0;
      int64_t cand[GH_APP_COLS];
      bool zeros = parse_all_zero(pe->v, pe->k);
      if(zeros) {
        /* Zeros read the same wherever they sit: the row is zero, and its
         * printed zeros go to its last columns (总计 among them), from
         * which the checks derive the rest. */
        found = ((1u << GH_APP_COLS) - 1) & ~((1u << (GH_APP_COLS - pe->k)) - 1);
        nfit = 1;
      }
      for(unsigned mask = 0; mask < (1u << GH_APP_COLS) && !zeros && nfit < 2; mask++) {
        if(parse_bits(mask) != pe->k)
          continue;
        parse_spread(mask, pe->v, GH_APP_COLS, cand);
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
        parse_note(cx, pe->v[x], GH_PLACE_ARITHMETIC, "applications.%s[%d]", path, c);
        x++;
      }
      if(parse_all_zero(pe->v, pe->k))
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
    if(!open[pe->row] || !parse_whole_counts(pe->v, pe->k) || pe->k >= GH_APP_COLS)
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
      parse_note(cx, pe->v[x++], GH_PLACE_ARITHMETIC, "applications.%s[%d]", path, c);
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
    parse_unplaced_row(cx, path, why);
    for(int x = 0; x < pe->k; x++)
      parse_note(cx, pe->v[x], GH_PLACE_UNPLACED, "%s", path);
    g_free(why);
    g_free(path);
  }
}

/* Whether the labels before the runs read every run, once, and each run
 * prints the form's seven cells: the reading in place needs no help. */
static bool
read_in_place(GArray *toks)
{
  guint *runs = NULL;
  int K = 0;
  bool fails = parse_simple_rule_fails(toks, &runs, &K);
  for(int k = 0; k < K && !fails; k++)
    fails = runs[2 * k + 1] - runs[2 * k] != GH_APP_COLS;
  g_free(runs);
  return !fails;
}

/* Text whose labels stand apart from their values, with every cell
 * printed: the rows by the form's order (parse_order.h). */
static bool
read_by_order(struct ctx *cx, GArray *toks, struct app_state *st)
{
  const struct tok *cells[GH_APP_N * GH_APP_COLS];
  bool form2021;
  if(read_in_place(toks) || !parse_order_apps(toks, cells, &form2021))
    return false;
  for(int r = 0; r < GH_APP_N; r++) {
    if(!cells[r * GH_APP_COLS])
      continue;
    for(int c = 0; c < GH_APP_COLS; c++) {
      const struct tok *t = cells[r * GH_APP_COLS + c];
      parse_cell_to_count(cx, t, &cx->rec->app[r][c], gh_app_rows[r].path, c);
      parse_note(cx, t, GH_PLACE_COUNT, "applications.%s[%d]", gh_app_rows[r].path, c);
    }
    st->seen[r] = true;
    st->last = r;
  }
  st->marker_2021 = form2021;
  st->marker_2019 = !form2021;
  cx->rec->has_applications = true;
  return true;
}

void
parse_applications(struct ctx *cx, GArray *toks, struct app_state *st)
{
  if(read_by_order(cx, toks, st))
    return;
  struct label_walk w = { .label = g_string_new(NULL) };
  struct anchors anch;
  parse_app_anchors(toks, &anch);
  st->last = -1;
  guint *runs = NULL;
  int K = 0, k = 0;
  int *aligned = NULL;
  GArray *pending = g_array_new(FALSE, FALSE, sizeof(struct app_pending));
  if(parse_simple_rule_fails(toks, &runs, &K) && K > 0) {
    aligned = g_new(int, (gsize)K);
    for(int x = 0; x < K; x++)
      aligned[x] = -1;
    if(parse_align_rows(toks, runs, K, aligned) < 0) {
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
  while(parse_walk_next(toks, &w, &i, &j)) {
    int real = parse_run_real_values(toks, i, j);
    if(real == 0) {
      /* Blank header cells, or a row the report left empty: nothing to place.
       * Remember the row was printed, but let a later row with values take
       * the slot (a blank run after the 总计 header is not row （七）). */
      int blank_row = label->len ? parse_match_key(parse_app_keys, label->str) : -1;
      if(blank_row >= 0) {
        st->printed_blank[blank_row] = true;
        w.after_values = true;
      }
      continue;
    }
    int row = label->len ? parse_match_key(parse_app_keys, label->str) : -1;
    if(aligned)
      row = k < K ? aligned[k] : -1;
    k++;
    if(row < 0) {
      char *s = parse_shorten(label->str);
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
      bool anchored = parse_place_anchored(toks, i, j, cells, &anch);
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
        guess = parse_place_run(toks, i, j, cells, GH_APP_COLS, GH_APP_TOTAL_COL, ALIGN_RIGHT,
                                &how);
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
          parse_cell_to_count(cx, cells[c], &cx->rec->app[row][c], gh_app_rows[row].path, c);
          parse_note(cx, cells[c], how, "applications.%s[%d]", gh_app_rows[row].path, c);
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

/* Reading a section by the form's fixed row order (parse_order.h). */
#include "parse_order.h"

#include <string.h>

#include "arith.h"
#include "parse_labels.h"

/* The section's value tokens in order, blanks included; NULL when they
 * are not exactly `want`. */
static const struct tok **
values_exactly(GArray *toks, guint want)
{
  guint n = 0;
  for(guint i = 0; i < toks->len; i++)
    n += g_array_index(toks, struct tok, i).kind == TOK_VALUE;
  if(n != want)
    return NULL;
  const struct tok **v = g_new(const struct tok *, want + 1);
  n = 0;
  for(guint i = 0; i < toks->len; i++)
    if(g_array_index(toks, struct tok, i).kind == TOK_VALUE)
      v[n++] = &g_array_index(toks, struct tok, i);
  return v;
}

/* Whether the section's values stand in runs (values with no text between
 * them, across lines) of the sizes a reading by order assumes: `sizes[k]`
 * values in the k-th run, or (n == 0) any multiple of `unit` in each.
 * Text that cuts a row's values apart (a label set beside the middle of a
 * row, as plain pdftotext prints some) reads its cells out of order, and
 * the order would place them wrong. */
static bool
runs_fit(GArray *toks, const guint *sizes, guint n, guint unit)
{
  guint k = 0, run = 0;
  for(guint i = 0; i <= toks->len; i++) {
    if(i < toks->len && g_array_index(toks, struct tok, i).kind == TOK_VALUE) {
      run++;
      continue;
    }
    if(!run)
      continue;
    if(n ? k >= n || run != sizes[k] : run % unit != 0)
      return false;
    k++;
    run = 0;
  }
  return !n || k == n;
}

/* The section's text, its tokens joined (a label wrapped over lines reads
 * whole again), cut at a bound: a section's labels are a few thousand
 * bytes, and a longer text only costs the searches more. */
#define ORDER_TEXT_MAX 65536

static GString *
section_text(GArray *toks)
{
  GString *s = g_string_new(NULL);
  for(guint i = 0; i < toks->len && s->len < ORDER_TEXT_MAX; i++) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind == TOK_TEXT)
      g_string_append(s, t->norm);
  }
  return s;
}

/* Finds a phrase of row `id` at or after *pos in `text` and moves *pos past
 * its earliest one; false when the row's label is not there. */
static bool
label_after(const struct key *keys, int id, const char *text, size_t *pos)
{
  const char *best = NULL;
  size_t best_len = 0;
  for(const struct key *k = keys; k->k; k++) {
    if(k->id != id)
      continue;
    const char *hit = strstr(text + *pos, k->k);
    if(hit && (!best || hit < best)) {
      best = hit;
      best_len = strlen(k->k);
    }
  }
  if(!best)
    return false;
  *pos = (size_t)(best - text) + best_len;
  return true;
}

static bool
whole(const struct tok *t)
{
  return t->v.kind == GH_VALUE_BLANK || (t->v.kind == GH_VALUE_INT && t->v.i >= 0);
}

static int64_t
count_of(const struct tok *t)
{
  return t->v.kind == GH_VALUE_INT ? t->v.i : GH_NULL;
}

static bool
app_row_in(int r, bool form2021)
{
  if(r == GH_APP_OTHER)
    return !form2021; /* a group label in the 2021 form */
  return form2021 || !gh_app_rows[r].only_2021;
}

bool
parse_order_apps(GArray *toks, const struct tok **cells, bool *form2021)
{
  int n2021 = 0, n2019 = 0;
  for(int r = 0; r < GH_APP_N; r++) {
    n2021 += app_row_in(r, true);
    n2019 += app_row_in(r, false);
  }
  const struct tok **v = values_exactly(toks, (guint)n2021 * GH_APP_COLS);
  *form2021 = v != NULL;
  if(!v)
    v = values_exactly(toks, (guint)n2019 * GH_APP_COLS);
  if(!v)
    return false;
  GString *text = section_text(toks);
  bool ok = runs_fit(toks, NULL, 0, GH_APP_COLS);
  size_t pos = 0;
  int64_t app[GH_APP_N][GH_APP_COLS];
  guint x = 0;
  for(int r = 0; r < GH_APP_N && ok; r++) {
    for(int c = 0; c < GH_APP_COLS; c++) {
      app[r][c] = GH_NULL;
      cells[r * GH_APP_COLS + c] = NULL;
    }
    if(!app_row_in(r, *form2021))
      continue;
    ok = label_after(parse_app_keys, r, text->str, &pos);
    for(int c = 0; c < GH_APP_COLS && ok; c++, x++) {
      ok = whole(v[x]);
      app[r][c] = count_of(v[x]);
      cells[r * GH_APP_COLS + c] = v[x];
    }
  }
  ok = ok && gh_arith_holds((const int64_t (*)[GH_APP_COLS])app, *form2021);
  g_string_free(text, TRUE);
  g_free(v);
  return ok;
}

bool
parse_order_pro(GArray *toks, enum gh_template tpl, const struct tok **cells)
{
  const struct gh_pro_desc *layout = gh_pro_layout(tpl);
  guint want = 0, sizes[GH_PRO_N], n = 0;
  for(const struct gh_pro_desc *d = layout; d->key && n < GH_PRO_N; d++) {
    sizes[n++] = (guint)(d->n_ints + d->money);
    want += (guint)(d->n_ints + d->money);
  }
  /* Section 二 has no sums to check an order against: its runs must be
   * its rows, each whole. */
  if(!want || !runs_fit(toks, sizes, n, 1))
    return false;
  const struct tok **v = values_exactly(toks, want);
  if(!v)
    return false;
  GString *text = section_text(toks);
  bool ok = true;
  size_t pos = 0;
  guint x = 0;
  for(int k = 0; layout[k].key && ok; k++) {
    const struct gh_pro_desc *d = &layout[k];
    ok = label_after(parse_pro_keys, (int)d->row, text->str, &pos);
    for(int c = 0; c < d->n_ints + d->money && ok; c++, x++) {
      /* 本年增/减 may be negative; the amount is money, not a count. */
      ok = c == d->n_ints || v[x]->v.kind == GH_VALUE_BLANK || v[x]->v.kind == GH_VALUE_INT;
      cells[k * 4 + c] = v[x];
    }
  }
  g_string_free(text, TRUE);
  g_free(v);
  return ok;
}

bool
parse_order_appeals(GArray *toks, const struct tok **cells)
{
  enum { N = GH_APPEAL_N * GH_APPEAL_COLS };
  const struct tok **v = values_exactly(toks, N);
  if(!v)
    return false;
  bool ok = true, real = false;
  for(int g = 0; g < GH_APPEAL_N && ok; g++) {
    int64_t sum = 0, total = 0;
    for(int c = 0; c < GH_APPEAL_COLS && ok; c++) {
      const struct tok *t = v[g * GH_APPEAL_COLS + c];
      ok = whole(t);
      real |= t->v.kind != GH_VALUE_BLANK;
      int64_t n = t->v.kind == GH_VALUE_INT ? t->v.i : 0;
      if(c < GH_APPEAL_COLS - 1)
        sum += n;
      else
        total = n;
    }
    ok = ok && sum == total;
  }
  for(int c = 0; c < N; c++)
    cells[c] = v[c];
  g_free(v);
  return ok && real;
}

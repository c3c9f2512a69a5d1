/* Section 三 rows placed by the form's arithmetic.
 *
 * Text taken from a PDF by another tool (pdftotext, PDF.js, an OCR or LLM
 * transcription) drops blank cells: a row "0 3 3" under seven columns
 * says nothing of where its four blanks were.  Filling from the left puts
 * the 3s under 商业企业 and 科研机构 and reads numbers that look right and
 * are wrong.  The table's own arithmetic often leaves one reading: every
 * row's 总计 is the sum of its six cells, the outcome rows add up to
 * （七）总计 column by column, and each column balances (new + carried in
 * = total + carried over).  A depth-first search over where each row's
 * non-zero values may sit keeps the readings in which all of that holds;
 * a cell that is the same in every reading is placed, any other is left
 * blank for the caller to say so.  Zeros weigh nothing in any sum, so a
 * zero's column is known only where every reading agrees on it. */
#include "arith.h"

#include <glib.h>
#include <string.h>

/* Steps the search may take: a tenth of a second or so on a busy core. */
#define ARITH_BUDGET 1000000L
#define UNKNOWN (GH_NULL + 1)

/* One way a row's values may sit: where its non-zero values are, and what
 * each cell is over all the column sets that put them there (UNKNOWN where
 * those disagree: a zero that could be in several columns). */
struct reading {
  int64_t nz[GH_APP_COLS]; /* the row's contribution to the sums */
  int64_t cell[GH_APP_COLS];
};

struct search {
  int64_t cur[GH_APP_N][GH_APP_COLS];
  bool present[GH_APP_N];
  bool outcome[GH_APP_N];
  struct gh_arith_row *rows;
  unsigned n;
  GArray **cands; /* per pending row: struct reading */
  unsigned *pick;
  int64_t (*agreed)[GH_APP_COLS]; /* per pending row: cells so far, UNKNOWN */
  int64_t *rest_max; /* per pending row i: the most rows i.. can add to a column */
  unsigned found;
  long steps;
  bool nonneg;
};

static bool
balance_holds(const struct search *s)
{
  if(!(s->present[GH_APP_NEW_RECEIVED] && s->present[GH_APP_CARRIED_IN] &&
       s->present[GH_APP_TOTAL] && s->present[GH_APP_CARRIED_OVER]))
    return true;
  for(int c = 0; c < GH_APP_COLS; c++)
    if(s->cur[GH_APP_NEW_RECEIVED][c] + s->cur[GH_APP_CARRIED_IN][c] !=
       s->cur[GH_APP_TOTAL][c] + s->cur[GH_APP_CARRIED_OVER][c])
      return false;
  return true;
}

/* Whether the outcome rows can still add up to the total: what is placed
 * stays within it, and the rows left (from `next`) can make up the rest. */
static bool
outcomes_can_hold(const struct search *s, unsigned next, bool done)
{
  if(!s->present[GH_APP_TOTAL])
    return true;
  for(unsigned i = next; i < s->n; i++)
    if(s->rows[i].row == GH_APP_TOTAL)
      return true; /* the total is not placed yet */
  for(int c = 0; c < GH_APP_COLS; c++) {
    int64_t sum = 0;
    for(int r = 0; r < GH_APP_N; r++)
      if(s->outcome[r])
        sum += s->cur[r][c];
    int64_t t = s->cur[GH_APP_TOTAL][c];
    if(done ? sum != t : s->nonneg && (sum > t || sum + s->rest_max[next] < t))
      return false;
  }
  return true;
}

static bool
balance_rows_placed(const struct search *s, unsigned next)
{
  for(unsigned i = next; i < s->n; i++) {
    int r = s->rows[i].row;
    if(r == GH_APP_NEW_RECEIVED || r == GH_APP_CARRIED_IN || r == GH_APP_TOTAL ||
       r == GH_APP_CARRIED_OVER)
      return false;
  }
  return true;
}

static void
dfs(struct search *s, unsigned i)
{
  if(s->steps++ > ARITH_BUDGET)
    return;
  if(i == s->n) {
    if(!balance_holds(s) || !outcomes_can_hold(s, i, true))
      return;
    for(unsigned x = 0; x < s->n; x++) {
      const struct reading *rd = &g_array_index(s->cands[x], struct reading, s->pick[x]);
      for(int c = 0; c < GH_APP_COLS; c++) {
        if(!s->found)
          s->agreed[x][c] = rd->cell[c];
        else if(s->agreed[x][c] != rd->cell[c])
          s->agreed[x][c] = UNKNOWN;
      }
    }
    s->found++;
    return;
  }
  int row = s->rows[i].row;
  GArray *cs = s->cands[i];
  for(guint m = 0; m < cs->len && s->steps <= ARITH_BUDGET; m++) {
    s->pick[i] = m;
    memcpy(s->cur[row], g_array_index(cs, struct reading, m).nz, sizeof s->cur[row]);
    if(balance_rows_placed(s, i + 1) && !balance_holds(s))
      continue;
    if(outcomes_can_hold(s, i + 1, false))
      dfs(s, i + 1);
  }
  memset(s->cur[row], 0, sizeof s->cur[row]);
}

/* The readings of a row: every column set for its k values, in order,
 * with the 总计 column only where the last value is the sum of the
 * others; column sets that put the non-zero values in the same places are
 * one reading. */
static GArray *
readings(const struct gh_arith_row *r)
{
  GArray *a = g_array_new(FALSE, FALSE, sizeof(struct reading));
  int64_t head = 0;
  for(int x = 0; x + 1 < r->k; x++)
    head += r->v[x];
  bool last_is_total = head == r->v[r->k - 1];
  for(unsigned mask = 1; mask < (1u << GH_APP_COLS); mask++) {
    if(__builtin_popcount(mask) != r->k)
      continue;
    if((mask >> GH_APP_TOTAL_COL) & 1 && !last_is_total)
      continue;
    struct reading rd;
    int k = 0;
    for(int c = 0; c < GH_APP_COLS; c++) {
      rd.cell[c] = (mask >> c) & 1 ? r->v[k++] : GH_NULL;
      rd.nz[c] = rd.cell[c] == GH_NULL ? 0 : rd.cell[c];
    }
    guint same = 0;
    while(same < a->len && memcmp(g_array_index(a, struct reading, same).nz, rd.nz, sizeof rd.nz))
      same++;
    if(same == a->len) {
      g_array_append_val(a, rd);
      continue;
    }
    struct reading *old = &g_array_index(a, struct reading, same);
    for(int c = 0; c < GH_APP_COLS; c++)
      if(old->cell[c] != rd.cell[c])
        old->cell[c] = UNKNOWN;
  }
  return a;
}

/* Rows whose values bound the others go first. */
static int
rank(int row)
{
  switch(row) {
  case GH_APP_TOTAL: return 0;
  case GH_APP_NEW_RECEIVED: return 1;
  case GH_APP_CARRIED_IN: return 2;
  case GH_APP_CARRIED_OVER: return 3;
  default: return 4;
  }
}

static int
by_rank(const void *a, const void *b)
{
  const struct gh_arith_row *p = a, *q = b;
  return rank(p->row) - rank(q->row);
}

unsigned
gh_arith_place(const int64_t (*app)[GH_APP_COLS], bool form2021, struct gh_arith_row *pending,
               unsigned n)
{
  for(unsigned i = 0; i < n; i++)
    for(int c = 0; c < GH_APP_COLS; c++)
      pending[i].known[c] = false;
  if(!n)
    return 0;
  struct search *s = g_new0(struct search, 1);
  s->nonneg = true;
  for(int r = 0; r < GH_APP_N; r++)
    for(int c = 0; c < GH_APP_COLS; c++) {
      int64_t v = app[r][c];
      s->cur[r][c] = v == GH_NULL ? 0 : v;
      if(v != GH_NULL) {
        s->present[r] = true;
        s->nonneg &= v >= 0;
      }
    }
  for(int r = GH_APP_GRANTED; r <= GH_APP_OTHER_OTHER; r++)
    s->outcome[r] = form2021 ? r != GH_APP_OTHER : r <= GH_APP_OTHER;
  qsort(pending, n, sizeof *pending, by_rank);
  s->rows = pending;
  s->n = n;
  s->cands = g_new0(GArray *, n);
  s->pick = g_new0(unsigned, n);
  s->agreed = g_malloc0_n(n, sizeof *s->agreed);
  s->rest_max = g_new0(int64_t, n + 1);
  for(unsigned i = 0; i < n; i++) {
    s->present[pending[i].row] = true;
    for(int x = 0; x < pending[i].k; x++)
      s->nonneg &= pending[i].v[x] >= 0;
    memset(s->cur[pending[i].row], 0, sizeof s->cur[pending[i].row]);
    s->cands[i] = readings(&pending[i]);
  }
  for(unsigned i = n; i-- > 0;) {
    int64_t most = 0;
    if(s->outcome[pending[i].row])
      for(int x = 0; x < pending[i].k; x++)
        most = MAX(most, pending[i].v[x]);
    /* One row adds at most its largest value to a column. */
    s->rest_max[i] = s->rest_max[i + 1] + most;
  }
  dfs(s, 0);
  unsigned found = s->steps > ARITH_BUDGET ? 0 : s->found;
  for(unsigned i = 0; i < n; i++) {
    for(int c = 0; c < GH_APP_COLS && found; c++) {
      pending[i].cell[c] = s->agreed[i][c];
      pending[i].known[c] = s->agreed[i][c] != UNKNOWN;
    }
    g_array_free(s->cands[i], TRUE);
  }
  g_free(s->cands);
  g_free(s->pick);
  g_free(s->agreed);
  g_free(s->rest_max);
  g_free(s);
  return found;
}

static int64_t
cell0(const int64_t (*app)[GH_APP_COLS], int r, int c)
{
  return app[r][c] == GH_NULL ? 0 : app[r][c];
}

bool
gh_arith_holds(const int64_t (*app)[GH_APP_COLS], bool form2021)
{
  for(int r = 0; r < GH_APP_N; r++) {
    int64_t sum = 0;
    for(int c = 0; c < GH_APP_TOTAL_COL; c++)
      sum += cell0(app, r, c);
    if(sum != cell0(app, r, GH_APP_TOTAL_COL))
      return false;
  }
  for(int c = 0; c < GH_APP_COLS; c++) {
    if(cell0(app, GH_APP_NEW_RECEIVED, c) + cell0(app, GH_APP_CARRIED_IN, c) !=
       cell0(app, GH_APP_TOTAL, c) + cell0(app, GH_APP_CARRIED_OVER, c))
      return false;
    int64_t out = 0;
    for(int r = GH_APP_GRANTED; r <= GH_APP_NP_CONFIRMATION; r++)
      out += cell0(app, r, c);
    if(form2021)
      for(int r = GH_APP_OTHER_NO_CORRECTION; r <= GH_APP_OTHER_OTHER; r++)
        out += cell0(app, r, c);
    else
      out += cell0(app, GH_APP_OTHER, c);
    if(out != cell0(app, GH_APP_TOTAL, c))
      return false;
  }
  return true;
}

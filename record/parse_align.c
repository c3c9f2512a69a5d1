/* Aligning section 三's runs of values with the form's rows
 * (parse_align.h). */
#include "parse_align.h"

#include <string.h>

#include "parse_labels.h"
#include "parse_place.h"

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
  for(const struct key *k = parse_app_keys; k->k; k++)
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
  for(const struct key *k = parse_app_keys; k->k; k++)
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
  return parse_match_key(parse_app_keys, buf) == row ? 2 : 1;
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
int
parse_align_rows(GArray *toks, const guint *runs, int K, int *row)
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
      if(t->kind != TOK_TEXT || parse_app_header_cell(toks, x))
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

bool
parse_walk_next(GArray *toks, struct label_walk *w, guint *from, guint *to)
{
  while(w->i < toks->len) {
    const struct tok *t = &g_array_index(toks, struct tok, w->i);
    if(t->kind != TOK_TEXT)
      break;
    if(w->after_values) {
      g_string_truncate(w->label, 0);
      w->after_values = false;
    }
    if(!parse_app_header_cell(toks, w->i))
      g_string_append(w->label, t->norm);
    if(strstr(t->norm, "不补正") || strstr(t->norm, "收费通知"))
      w->marker_2021 = true;
    w->i++;
  }
  if(w->i >= toks->len)
    return false;
  *from = w->i;
  *to = w->i = parse_run_end(toks, w->i);
  return true;
}

/* The simple rule's verdict without side effects: does it leave any run
 * of values unread or read twice?  Fills runs[] with the K runs. */
bool
parse_simple_rule_fails(GArray *toks, guint **runs_out, int *K_out)
{
  struct label_walk w = { .label = g_string_new(NULL) };
  bool fails = false, seen[GH_APP_N] = { false };
  GArray *runs = g_array_new(FALSE, FALSE, sizeof(guint));
  guint i, j;
  while(parse_walk_next(toks, &w, &i, &j)) {
    int row = w.label->len ? parse_match_key(parse_app_keys, w.label->str) : -1;
    if(parse_run_real_values(toks, i, j) == 0) {
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

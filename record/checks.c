/* Derived cells and consistency rules (template-spec.md §6, record-schema.md).
 *
 * Order matters: blanks forced by arithmetic are filled first, so the rules
 * see the same table an analyst would after reading the report; the checks
 * never fill anything themselves. */
#include "record.h"

#include <stdarg.h>
#include <string.h>

static bool
is_derived(const struct gh_record *r, const char *path)
{
  for(guint i = 0; i < r->derived->len; i++)
    if(!strcmp(g_ptr_array_index(r->derived, i), path))
      return true;
  return false;
}

static void
mark(struct gh_record *r, const char *section, const char *row, int col)
{
  g_ptr_array_add(r->derived, g_strdup_printf("%s.%s[%d]", section, row, col));
}

/* A row of n parts followed by their total.  Fill only what the row's own
 * sum forces: a missing total from complete parts, zeros under a zero total,
 * or the single missing part under a known total. */
static void
derive_row(struct gh_record *r, int64_t *cells, int nparts, const char *section,
           const char *row)
{
  int nulls = 0, null_at = -1;
  int64_t sum = 0;
  for(int i = 0; i < nparts; i++) {
    if(cells[i] == GH_NULL) {
      nulls++;
      null_at = i;
    }
    else
      sum += cells[i];
  }
  int64_t total = cells[nparts];
  if(total == GH_NULL) {
    if(nulls == 0) {
      cells[nparts] = sum;
      mark(r, section, row, nparts);
    }
    return;
  }
  if(nulls == 0)
    return;
  if(total == 0) {
    for(int i = 0; i < nparts; i++)
      if(cells[i] == GH_NULL) {
        cells[i] = 0;
        mark(r, section, row, i);
      }
    return;
  }
  if(nulls == 1 && total - sum >= 0) {
    cells[null_at] = total - sum;
    mark(r, section, row, null_at);
  }
}

void
gh_record_derive(struct gh_record *r)
{
  if(r->has_applications) {
    for(int i = 0; i < GH_APP_N; i++) {
      if(gh_app_rows[i].only_2021 && r->tpl != GH_TEMPLATE_2021)
        continue;
      derive_row(r, r->app[i], GH_APP_COLS - 1, "applications", gh_app_rows[i].path);
    }
    if(r->tpl == GH_TEMPLATE_2021) {
      /* The 2021 form prints （六）其他处理 only as a group label over its three
       * sub-rows, so `other` is their sum whenever the report leaves it out. */
      for(int c = 0; c < GH_APP_COLS; c++) {
        int64_t a = r->app[GH_APP_OTHER_NO_CORRECTION][c];
        int64_t b = r->app[GH_APP_OTHER_NO_FEE][c];
        int64_t d = r->app[GH_APP_OTHER_OTHER][c];
        if(r->app[GH_APP_OTHER][c] == GH_NULL && a != GH_NULL && b != GH_NULL &&
           d != GH_NULL) {
          r->app[GH_APP_OTHER][c] = a + b + d;
          mark(r, "applications", "other", c);
        }
      }
    }
  }
  if(r->has_appeals)
    for(int g = 0; g < GH_APPEAL_N; g++)
      derive_row(r, r->appeals[g], GH_APPEAL_COLS - 1, "appeals", gh_appeal_groups[g]);
}

/* ---- checks ---- */

struct tally {
  int evaluated, failed, skipped;
  const char *null_reason; /* overrides the generic "blank cells" reason */
  GString *fails;
};

static void
tally_init(struct tally *t)
{
  memset(t, 0, sizeof(*t));
  t->fails = g_string_new(NULL);
}

static void
tally_fail(struct tally *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
tally_fail(struct tally *t, const char *fmt, ...)
{
  va_list ap;
  if(t->failed++ && t->fails->len)
    g_string_append(t->fails, "; ");
  va_start(ap, fmt);
  g_string_append_vprintf(t->fails, fmt, ap);
  va_end(ap);
}

static void
add_check(struct gh_record *r, const char *rule, bool soft, struct tally *t,
          const char *what)
{
  struct gh_check *c = g_new0(struct gh_check, 1);
  c->rule = rule;
  c->soft = soft;
  if(t->evaluated == 0) {
    c->ok = GH_CHECK_NULL;
    c->detail = t->null_reason ? g_strdup_printf("not evaluated: %s", t->null_reason)
                               : g_strdup_printf("not evaluated: every %s has blank cells", what);
  }
  else if(t->failed) {
    c->ok = GH_CHECK_FAIL;
    c->detail = g_strdup(t->fails->str);
  }
  else {
    c->ok = GH_CHECK_OK;
    if(t->skipped)
      c->detail = g_strdup_printf("%d %s(s) hold; %d not evaluated (blank cells)",
                                  t->evaluated, what, t->skipped);
    else
      c->detail = g_strdup_printf("all %d %s(s) hold", t->evaluated, what);
  }
  g_string_free(t->fails, TRUE);
  g_ptr_array_add(r->checks, c);
}

static bool
all_set(const int64_t *v, int n)
{
  for(int i = 0; i < n; i++)
    if(v[i] == GH_NULL)
      return false;
  return true;
}

static void
check_balance(struct gh_record *r)
{
  struct tally t;
  tally_init(&t);
  for(int c = 0; c < GH_APP_COLS; c++) {
    int64_t v[4] = { r->app[GH_APP_NEW_RECEIVED][c], r->app[GH_APP_CARRIED_IN][c],
                     r->app[GH_APP_TOTAL][c], r->app[GH_APP_CARRIED_OVER][c] };
    if(!all_set(v, 4)) {
      t.skipped++;
      continue;
    }
    t.evaluated++;
    if(v[0] + v[1] != v[2] + v[3])
      tally_fail(&t, "column %s: new_received %lld + carried_in %lld = %lld, "
                 "but total %lld + carried_over %lld = %lld",
                 gh_app_cols[c], (long long)v[0], (long long)v[1],
                 (long long)(v[0] + v[1]), (long long)v[2], (long long)v[3],
                 (long long)(v[2] + v[3]));
  }
  add_check(r, "balance", false, &t, "column");
}

static void
check_row_totals(struct gh_record *r)
{
  struct tally t;
  tally_init(&t);
  for(int i = 0; i < GH_APP_N; i++) {
    if(gh_app_rows[i].only_2021 && r->tpl != GH_TEMPLATE_2021)
      continue;
    const int64_t *v = r->app[i];
    if(!all_set(v, GH_APP_COLS)) {
      t.skipped++;
      continue;
    }
    t.evaluated++;
    int64_t sum = 0;
    for(int c = 0; c < GH_APP_TOTAL_COL; c++)
      sum += v[c];
    if(sum != v[GH_APP_TOTAL_COL])
      tally_fail(&t, "row %s: the six applicant columns sum to %lld, total is %lld",
                 gh_app_rows[i].path, (long long)sum, (long long)v[GH_APP_TOTAL_COL]);
  }
  add_check(r, "row_totals", false, &t, "row");
}

static void
check_outcome_total(struct gh_record *r)
{
  struct tally t;
  tally_init(&t);
  for(int c = 0; c < GH_APP_COLS; c++) {
    int64_t sum = 0;
    bool ok = true;
    for(int i = GH_APP_GRANTED; i <= GH_APP_NP_CONFIRMATION && ok; i++) {
      if(r->app[i][c] == GH_NULL)
        ok = false;
      else
        sum += r->app[i][c];
    }
    int64_t other = r->app[GH_APP_OTHER][c];
    if(other == GH_NULL)
      ok = false;
    int64_t total = r->app[GH_APP_TOTAL][c];
    if(!ok || total == GH_NULL) {
      t.skipped++;
      continue;
    }
    sum += other;
    t.evaluated++;
    if(sum != total)
      tally_fail(&t, "column %s: outcome rows sum to %lld, （七）总计 is %lld",
                 gh_app_cols[c], (long long)sum, (long long)total);
  }
  add_check(r, "outcome_total", false, &t, "column");
}

static void
check_other_detail(struct gh_record *r)
{
  struct tally t;
  tally_init(&t);
  int derived_cols = 0;
  for(int c = 0; c < GH_APP_COLS; c++) {
    char *path = g_strdup_printf("applications.other[%d]", c);
    bool derived = is_derived(r, path);
    g_free(path);
    int64_t v[4] = { r->app[GH_APP_OTHER][c], r->app[GH_APP_OTHER_NO_CORRECTION][c],
                     r->app[GH_APP_OTHER_NO_FEE][c], r->app[GH_APP_OTHER_OTHER][c] };
    if(derived) {
      derived_cols++;
      t.skipped++;
      continue;
    }
    if(!all_set(v, 4)) {
      t.skipped++;
      continue;
    }
    t.evaluated++;
    if(v[0] != v[1] + v[2] + v[3])
      tally_fail(&t, "column %s: （六）其他处理 prints %lld, its three sub-rows sum to %lld",
                 gh_app_cols[c], (long long)v[0], (long long)(v[1] + v[2] + v[3]));
  }
  if(derived_cols == GH_APP_COLS)
    t.null_reason = "the report prints no （六）其他处理 row of its own; it is derived "
                    "from its sub-rows";
  add_check(r, "other_detail", false, &t, "column");
}

static void
check_appeals(struct gh_record *r)
{
  struct tally t;
  tally_init(&t);
  for(int g = 0; g < GH_APPEAL_N; g++) {
    const int64_t *v = r->appeals[g];
    if(!all_set(v, GH_APPEAL_COLS)) {
      t.skipped++;
      continue;
    }
    t.evaluated++;
    int64_t sum = v[0] + v[1] + v[2] + v[3];
    if(sum != v[4])
      tally_fail(&t, "%s: upheld+corrected+other+pending = %lld, total is %lld",
                 gh_appeal_groups[g], (long long)sum, (long long)v[4]);
  }
  add_check(r, "appeals_totals", false, &t, "group");
}

static void
check_non_negative(struct gh_record *r)
{
  struct tally t;
  tally_init(&t);
  for(const struct gh_pro_desc *d = gh_pro_layout(r->tpl); d->key; d++)
    for(int i = 0; i < d->n_ints; i++) {
      int64_t v = r->pro[d->row][i];
      if(v == GH_NULL || !strcmp(d->fields[i], "change"))
        continue;
      t.evaluated++;
      if(v < 0)
        tally_fail(&t, "proactive.%s.%s is %lld", d->key, d->fields[i], (long long)v);
    }
  for(int i = 0; i < GH_APP_N; i++)
    for(int c = 0; c < GH_APP_COLS; c++) {
      int64_t v = r->app[i][c];
      if(v == GH_NULL)
        continue;
      t.evaluated++;
      if(v < 0)
        tally_fail(&t, "applications.%s[%d] is %lld", gh_app_rows[i].path, c, (long long)v);
    }
  for(int g = 0; g < GH_APPEAL_N; g++)
    for(int c = 0; c < GH_APPEAL_COLS; c++) {
      int64_t v = r->appeals[g][c];
      if(v == GH_NULL)
        continue;
      t.evaluated++;
      if(v < 0)
        tally_fail(&t, "appeals.%s[%d] is %lld", gh_appeal_groups[g], c, (long long)v);
    }
  if(r->amount.set) {
    t.evaluated++;
    if(r->amount.wan < 0)
      tally_fail(&t, "amount %s is negative", r->amount.text);
  }
  add_check(r, "non_negative", false, &t, "cell");
}

static void
check_published_ge_made(struct gh_record *r)
{
  struct tally t;
  tally_init(&t);
  static const struct { enum gh_pro_row row; const char *key; } rows[] = {
    { GH_PRO_RULES, "rules" }, { GH_PRO_NORMATIVE, "normative_documents" },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    int64_t pub = r->pro[rows[i].row][1], total = r->pro[rows[i].row][2];
    if(pub == GH_NULL || total == GH_NULL) {
      t.skipped++;
      continue;
    }
    t.evaluated++;
    if(total < pub)
      tally_fail(&t, "%s: 对外公开总数量 %lld is below 本年新公开数量 %lld",
                 rows[i].key, (long long)total, (long long)pub);
  }
  add_check(r, "published_ge_made", true, &t, "row");
}

void
gh_record_check(struct gh_record *r)
{
  if(r->has_applications) {
    check_balance(r);
    check_row_totals(r);
    check_outcome_total(r);
    if(r->tpl == GH_TEMPLATE_2021)
      check_other_detail(r);
  }
  if(r->has_appeals)
    check_appeals(r);
  check_non_negative(r);
  if(r->tpl == GH_TEMPLATE_2019 && r->has_proactive)
    check_published_ge_made(r);
}

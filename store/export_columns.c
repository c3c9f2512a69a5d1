#include "export_columns.h"

#include <math.h>
#include <string.h>

#include "export.h"

enum op {
  PICK,  /* the first non-blank: one form's field or the other's */
  SUM,   /* blank only when every part is blank; a blank part counts 0 */
  RATIO, /* args[0] / args[1]; blank when either is blank or the denominator is 0 */
};

struct derived {
  const char *name, *label_zh, *meaning;
  enum op op;
  const char *args[10];
};

#define DENIED(x) "applications.denied." x ".total"
#define UNABLE(x) "applications.unable." x ".total"
#define NOTPROC(x) "applications.not_processed." x ".total"
#define DECIDED "applications.total.total"

static const struct derived derived[] = {
  { "proactive.rules.new", "二、规章｜本年新制作数量（2019）／本年制发件数（2021）",
    "Rules made this year: the 2019 form's 本年新制作数量 or the 2021 form's 本年制发件数", PICK,
    { "proactive.rules.new_made", "proactive.rules.issued" } },
  { "proactive.normative_documents.new",
    "二、规范性文件｜本年新制作数量（2019）／本年制发件数（2021）",
    "Normative documents made this year: the 2019 form's 本年新制作数量 or the 2021 form's "
    "本年制发件数", PICK,
    { "proactive.normative_documents.new_made", "proactive.normative_documents.issued" } },
  { "appeals.total", "四、行政复议和行政诉讼｜总计",
    "Appeals of every kind: administrative review, lawsuits direct and after review (the three "
    "总计 columns)", SUM,
    { "appeals.reconsideration.total", "appeals.litigation_direct.total",
      "appeals.litigation_after_review.total" } },
  { "indicators.denied", "三（三）不予公开｜合计", "Requests refused: the eight 不予公开 rows' 总计",
    SUM,
    { DENIED("state_secret"), DENIED("prohibited_by_law"), DENIED("three_safeties"),
      DENIED("third_party"), DENIED("internal_affairs"), DENIED("process_info"),
      DENIED("enforcement_files"), DENIED("administrative_query") } },
  { "indicators.unable", "三（四）无法提供｜合计", "Requests the agency could not answer: the three "
    "无法提供 rows' 总计", SUM, { UNABLE("not_held"), UNABLE("needs_creation"), UNABLE("unclear") } },
  { "indicators.not_processed", "三（五）不予处理｜合计",
    "Requests not processed: the five 不予处理 rows' 总计", SUM,
    { NOTPROC("petition"), NOTPROC("duplicate"), NOTPROC("publication"), NOTPROC("excessive"),
      NOTPROC("confirmation") } },
  { "indicators.grant_rate", "予以公开率",
    "予以公开 over the requests decided this year (三（七）总计)", RATIO,
    { "applications.granted.total", DECIDED } },
  { "indicators.partial_rate", "部分公开率",
    "部分公开 over the requests decided this year (三（七）总计)", RATIO,
    { "applications.partially_granted.total", DECIDED } },
  { "indicators.denied_rate", "不予公开率",
    "不予公开 (all eight rows) over the requests decided this year (三（七）总计)", RATIO,
    { "indicators.denied", DECIDED } },
  { "indicators.unable_rate", "无法提供率",
    "无法提供 (all three rows) over the requests decided this year (三（七）总计)", RATIO,
    { "indicators.unable", DECIDED } },
  { "indicators.reconsideration_decided", "行政复议｜已审结",
    "Administrative reviews decided: 结果维持 + 结果纠正 + 其他结果 (not 尚未审结)", SUM,
    { "appeals.reconsideration.upheld", "appeals.reconsideration.corrected",
      "appeals.reconsideration.other" } },
  { "indicators.reconsideration_corrected_rate", "行政复议纠错率",
    "Administrative reviews that corrected the agency (结果纠正) over those decided", RATIO,
    { "appeals.reconsideration.corrected", "indicators.reconsideration_decided" } },
  { "indicators.lawsuits_decided", "行政诉讼｜已审结",
    "Lawsuits decided, direct and after review: 结果维持 + 结果纠正 + 其他结果", SUM,
    { "appeals.litigation_direct.upheld", "appeals.litigation_direct.corrected",
      "appeals.litigation_direct.other", "appeals.litigation_after_review.upheld",
      "appeals.litigation_after_review.corrected", "appeals.litigation_after_review.other" } },
  { "indicators.lawsuits_lost", "行政诉讼｜结果纠正",
    "Lawsuits the agency lost (结果纠正), direct and after review", SUM,
    { "appeals.litigation_direct.corrected", "appeals.litigation_after_review.corrected" } },
  { "indicators.lawsuits_lost_rate", "行政诉讼纠错率",
    "Lawsuits lost (结果纠正) over lawsuits decided", RATIO,
    { "indicators.lawsuits_lost", "indicators.lawsuits_decided" } },
};

static const struct derived *
find(const char *col)
{
  for(size_t i = 0; i < G_N_ELEMENTS(derived); i++)
    if(!strcmp(derived[i].name, col))
      return &derived[i];
  return NULL;
}

const char *const *
gh_export_derived_names(void)
{
  static const char *names[G_N_ELEMENTS(derived) + 1];
  for(size_t i = 0; i < G_N_ELEMENTS(derived); i++)
    names[i] = derived[i].name;
  return names;
}

bool
gh_export_is_derived(const char *col)
{
  return find(col) != NULL;
}

const char *
gh_export_derived_label(const char *col)
{
  const struct derived *d = find(col);
  return d ? d->label_zh : NULL;
}

const char *
gh_export_derived_meaning(const char *col)
{
  const struct derived *d = find(col);
  return d ? d->meaning : NULL;
}

bool
gh_export_number(json_t *rec, const char *col, double *out)
{
  const struct derived *d = find(col);
  if(!d) {
    json_t *v = gh_export_value(rec, col);
    if(!json_is_number(v))
      return false;
    *out = json_number_value(v);
    return true;
  }
  double a, b;
  switch(d->op) {
  case PICK:
    for(const char *const *p = d->args; *p; p++)
      if(gh_export_number(rec, *p, out))
        return true;
    return false;
  case SUM: {
    bool any = false;
    double s = 0;
    for(const char *const *p = d->args; *p; p++)
      if(gh_export_number(rec, *p, &a)) {
        s += a;
        any = true;
      }
    *out = s;
    return any;
  }
  case RATIO:
    if(!gh_export_number(rec, d->args[0], &a) || !gh_export_number(rec, d->args[1], &b) ||
       !(b > 0))
      return false;
    *out = a / b;
    return true;
  }
  return false;
}

char *
gh_export_derived_text(json_t *rec, const char *col)
{
  const struct derived *d = find(col);
  if(!d)
    return NULL;
  double v;
  if(!gh_export_number(rec, col, &v))
    return g_strdup("");
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  if(d->op != RATIO && v == floor(v) && fabs(v) < 1e15)
    return g_strdup_printf("%.0f", v);
  return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.15g", v));
}

/* ---- presets ---- */

#define IDENTITY "agency", "region_code", "year", "status", "agency_key"
static const char *const headline[] = { "agency", "region_code", "year", "status",
                                        "applications.new_received.total",
                                        "applications.granted.total", "appeals.total",
                                        "agency_key", NULL };
/* Each column of the indicators preset and its name in the SQLite view. */
static const char *const indicators[][2] = {
  { "agency", "agency" },
  { "region_code", "region_code" },
  { "year", "year" },
  { "template", "template" },
  { "status", "status" },
  { "quality", "quality" },
  { "agency_key", "agency_key" },
  { "applications.new_received.total", "received" },
  { "applications.carried_in.total", "carried_in" },
  { DECIDED, "decided" },
  { "applications.granted.total", "granted" },
  { "applications.partially_granted.total", "partially_granted" },
  { "indicators.denied", "denied" },
  { "indicators.unable", "unable" },
  { "indicators.not_processed", "not_processed" },
  { "applications.other.total", "other" },
  { "applications.carried_over.total", "carried_over" },
  { "indicators.grant_rate", "grant_rate" },
  { "indicators.partial_rate", "partial_rate" },
  { "indicators.denied_rate", "denied_rate" },
  { "indicators.unable_rate", "unable_rate" },
  { "appeals.reconsideration.total", "reconsideration" },
  { "indicators.reconsideration_decided", "reconsideration_decided" },
  { "appeals.reconsideration.corrected", "reconsideration_corrected" },
  { "indicators.reconsideration_corrected_rate", "reconsideration_corrected_rate" },
  { "indicators.lawsuits_decided", "lawsuits_decided" },
  { "indicators.lawsuits_lost", "lawsuits_lost" },
  { "indicators.lawsuits_lost_rate", "lawsuits_lost_rate" },
};

static void
add_all(GPtrArray *cols, const char *const *names)
{
  for(; *names; names++)
    g_ptr_array_add(cols, g_strdup(*names));
}

GPtrArray *
gh_export_preset(const char *name)
{
  GPtrArray *cols;
  if(!strcmp(name, "all"))
    return gh_export_csv_columns();
  if(!strcmp(name, "headline")) {
    cols = g_ptr_array_new_with_free_func(g_free);
    add_all(cols, headline);
    return cols;
  }
  if(!strcmp(name, "indicators")) {
    cols = g_ptr_array_new_with_free_func(g_free);
    for(size_t i = 0; i < G_N_ELEMENTS(indicators); i++)
      g_ptr_array_add(cols, g_strdup(indicators[i][0]));
    return cols;
  }
  bool apps = !strcmp(name, "applications");
  if(!apps && strcmp(name, "appeals"))
    return NULL;
  static const char *const identity[] = { IDENTITY, "template", NULL };
  cols = g_ptr_array_new_with_free_func(g_free);
  add_all(cols, identity);
  /* applications: who asked (新收 by applicant) and every row's 总计;
   * appeals: the whole of section 四 and its sum. */
  GPtrArray *all = gh_export_csv_columns();
  for(guint i = 0; i < all->len; i++) {
    const char *c = all->pdata[i];
    if(apps ? g_str_has_prefix(c, "applications.") &&
                (g_str_has_suffix(c, ".total") || g_str_has_prefix(c, "applications.new_received."))
            : g_str_has_prefix(c, "appeals."))
      g_ptr_array_add(cols, g_strdup(c));
  }
  g_ptr_array_unref(all);
  if(!apps)
    g_ptr_array_add(cols, g_strdup("appeals.total"));
  return cols;
}

GPtrArray *
gh_export_columns_parse(const char *list, char **bad)
{
  GPtrArray *all = gh_export_csv_columns();
  GHashTable *known = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i < all->len; i++)
    g_hash_table_add(known, all->pdata[i]);
  GPtrArray *cols = g_ptr_array_new_with_free_func(g_free);
  char **parts = g_strsplit(list, ",", -1);
  for(char **p = parts; *p && !*bad; p++) {
    char *c = g_strstrip(*p);
    if(!*c)
      continue;
    if(g_hash_table_contains(known, c) || find(c))
      g_ptr_array_add(cols, g_strdup(c));
    else
      *bad = g_strdup(c);
  }
  g_strfreev(parts);
  g_hash_table_destroy(known);
  g_ptr_array_unref(all);
  if(*bad || !cols->len) {
    if(!*bad)
      *bad = g_strdup(list);
    g_ptr_array_unref(cols);
    return NULL;
  }
  return cols;
}

/* ---- the SQLite view ---- */

static void
sql_expr(GString *s, const char *col)
{
  const struct derived *d = find(col);
  if(!d) {
    g_string_append_printf(s, "c.\"%s\"", col);
    return;
  }
  g_string_append_c(s, '(');
  switch(d->op) {
  case PICK:
    g_string_append(s, "COALESCE(");
    for(const char *const *p = d->args; *p; p++) {
      if(p != d->args)
        g_string_append_c(s, ',');
      sql_expr(s, *p);
    }
    g_string_append_c(s, ')');
    break;
  case SUM:
    g_string_append(s, "CASE WHEN COALESCE(");
    for(const char *const *p = d->args; *p; p++) {
      if(p != d->args)
        g_string_append_c(s, ',');
      sql_expr(s, *p);
    }
    g_string_append(s, ") IS NULL THEN NULL ELSE ");
    for(const char *const *p = d->args; *p; p++) {
      if(p != d->args)
        g_string_append_c(s, '+');
      g_string_append(s, "IFNULL(");
      sql_expr(s, *p);
      g_string_append(s, ",0)");
    }
    g_string_append(s, " END");
    break;
  case RATIO:
    g_string_append(s, "CASE WHEN ");
    sql_expr(s, d->args[1]);
    g_string_append(s, " > 0 THEN CAST(");
    sql_expr(s, d->args[0]);
    g_string_append(s, " AS REAL) / ");
    sql_expr(s, d->args[1]);
    g_string_append(s, " END");
    break;
  }
  g_string_append_c(s, ')');
}

char *
gh_export_indicators_view_sql(void)
{
  GString *s = g_string_new("CREATE VIEW indicators AS SELECT r.id AS report_id");
  for(size_t i = 0; i < G_N_ELEMENTS(indicators); i++) {
    const char *col = indicators[i][0];
    g_string_append(s, ", ");
    if(strchr(col, '.'))
      sql_expr(s, col);
    else
      g_string_append_printf(s, "r.%s", col);
    g_string_append_printf(s, " AS %s", indicators[i][1]);
  }
  g_string_append(s, " FROM reports r JOIN report_cells c ON c.report_id = r.id;");
  return g_string_free(s, FALSE);
}

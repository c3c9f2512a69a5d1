#include "record.h"

#include <stdarg.h>
#include <string.h>

const struct gh_app_row_desc gh_app_rows[GH_APP_N] = {
  [GH_APP_NEW_RECEIVED] = { "new_received", "一、本年新收政府信息公开申请数量", false },
  [GH_APP_CARRIED_IN] = { "carried_in", "二、上年结转政府信息公开申请数量", false },
  [GH_APP_GRANTED] = { "granted", "（一）予以公开", false },
  [GH_APP_PARTIALLY_GRANTED] = { "partially_granted", "（二）部分公开", false },
  [GH_APP_DENIED_STATE_SECRET] = { "denied.state_secret", "1.属于国家秘密", false },
  [GH_APP_DENIED_PROHIBITED_BY_LAW] = { "denied.prohibited_by_law", "2.其他法律行政法规禁止公开", false },
  [GH_APP_DENIED_THREE_SAFETIES] = { "denied.three_safeties", "3.危及“三安全一稳定”", false },
  [GH_APP_DENIED_THIRD_PARTY] = { "denied.third_party", "4.保护第三方合法权益", false },
  [GH_APP_DENIED_INTERNAL_AFFAIRS] = { "denied.internal_affairs", "5.属于三类内部事务信息", false },
  [GH_APP_DENIED_PROCESS_INFO] = { "denied.process_info", "6.属于四类过程性信息", false },
  [GH_APP_DENIED_ENFORCEMENT_FILES] = { "denied.enforcement_files", "7.属于行政执法案卷", false },
  [GH_APP_DENIED_ADMINISTRATIVE_QUERY] = { "denied.administrative_query", "8.属于行政查询事项", false },
  [GH_APP_UNABLE_NOT_HELD] = { "unable.not_held", "1.本机关不掌握相关政府信息", false },
  [GH_APP_UNABLE_NEEDS_CREATION] = { "unable.needs_creation", "2.没有现成信息需要另行制作", false },
  [GH_APP_UNABLE_UNCLEAR] = { "unable.unclear", "3.补正后申请内容仍不明确", false },
  [GH_APP_NP_PETITION] = { "not_processed.petition", "1.信访举报投诉类申请", false },
  [GH_APP_NP_DUPLICATE] = { "not_processed.duplicate", "2.重复申请", false },
  [GH_APP_NP_PUBLICATION] = { "not_processed.publication", "3.要求提供公开出版物", false },
  [GH_APP_NP_EXCESSIVE] = { "not_processed.excessive", "4.无正当理由大量反复申请", false },
  [GH_APP_NP_CONFIRMATION] = { "not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", false },
  [GH_APP_OTHER] = { "other", "（六）其他处理", false },
  [GH_APP_OTHER_NO_CORRECTION] = { "other_detail.no_correction", "1.申请人无正当理由逾期不补正", true },
  [GH_APP_OTHER_NO_FEE] = { "other_detail.no_fee", "2.申请人逾期未按收费通知要求缴纳费用", true },
  [GH_APP_OTHER_OTHER] = { "other_detail.other", "3.其他", true },
  [GH_APP_TOTAL] = { "total", "（七）总计", false },
  [GH_APP_CARRIED_OVER] = { "carried_over", "四、结转下年度继续办理", false },
};

const char *const gh_app_cols[GH_APP_COLS] = {
  "natural_person", "commercial", "research", "social_org",
  "legal_service", "other_org", "total",
};

const char *const gh_appeal_groups[GH_APPEAL_N] = {
  "reconsideration", "litigation_direct", "litigation_after_review",
};

const char *const gh_appeal_cols[GH_APPEAL_COLS] = {
  "upheld", "corrected", "other", "pending", "total",
};

static const struct gh_pro_desc layout_2019[] = {
  { GH_PRO_RULES, "rules", 3, { "new_made", "new_published", "total_published" }, false },
  { GH_PRO_NORMATIVE, "normative_documents", 3, { "new_made", "new_published", "total_published" }, false },
  { GH_PRO_LICENSING, "licensing", 3, { "prev_count", "change", "decisions" }, false },
  { GH_PRO_OTHER_SERVICES, "other_services", 3, { "prev_count", "change", "decisions" }, false },
  { GH_PRO_PENALTY, "penalty", 3, { "prev_count", "change", "decisions" }, false },
  { GH_PRO_COERCION, "coercion", 3, { "prev_count", "change", "decisions" }, false },
  { GH_PRO_FEES, "fees", 2, { "prev_count", "change", NULL }, false },
  { GH_PRO_PROCUREMENT, "procurement", 1, { "projects", NULL, NULL }, true },
  { GH_PRO_N, NULL, 0, { NULL, NULL, NULL }, false },
};

static const struct gh_pro_desc layout_2021[] = {
  { GH_PRO_RULES, "rules", 3, { "issued", "repealed", "in_force" }, false },
  { GH_PRO_NORMATIVE, "normative_documents", 3, { "issued", "repealed", "in_force" }, false },
  { GH_PRO_LICENSING, "licensing", 1, { "decisions", NULL, NULL }, false },
  { GH_PRO_PENALTY, "penalty", 1, { "decisions", NULL, NULL }, false },
  { GH_PRO_COERCION, "coercion", 1, { "decisions", NULL, NULL }, false },
  { GH_PRO_FEES, "fees", 0, { NULL, NULL, NULL }, true },
  { GH_PRO_N, NULL, 0, { NULL, NULL, NULL }, false },
};

static const struct gh_pro_desc layout_none[] = {
  { GH_PRO_N, NULL, 0, { NULL, NULL, NULL }, false },
};

const struct gh_pro_desc *
gh_pro_layout(enum gh_template t)
{
  switch(t) {
  case GH_TEMPLATE_2019: return layout_2019;
  case GH_TEMPLATE_2021: return layout_2021;
  default: return layout_none;
  }
}

const char *
gh_template_name(enum gh_template t)
{
  switch(t) {
  case GH_TEMPLATE_2019: return "2019";
  case GH_TEMPLATE_2021: return "2021";
  default: return "unknown";
  }
}

const char *
gh_status_name(enum gh_status s)
{
  switch(s) {
  case GH_STATUS_PARSED: return "parsed";
  case GH_STATUS_EMPTY: return "empty";
  case GH_STATUS_NOT_A_REPORT: return "not_a_report";
  case GH_STATUS_TABLES_NOT_FOUND: return "tables_not_found";
  case GH_STATUS_UNSUPPORTED_FORMAT: return "unsupported_format";
  case GH_STATUS_TOO_LARGE: return "too_large";
  case GH_STATUS_NEEDS_OCR: return "needs_ocr";
  case GH_STATUS_ENCRYPTED: return "encrypted";
  case GH_STATUS_EXTRACT_FAILED: return "extract_failed";
  case GH_STATUS_TOO_COSTLY: return "too_costly";
  }
  return "unknown";
}

static void
check_free(gpointer p)
{
  struct gh_check *c = p;
  g_free(c->detail);
  g_free(c);
}

void
gh_record_init(struct gh_record *r)
{
  memset(r, 0, sizeof(*r));
  for(int i = 0; i < GH_PRO_N; i++)
    for(int j = 0; j < GH_PRO_COLS; j++)
      r->pro[i][j] = GH_NULL;
  for(int i = 0; i < GH_APP_N; i++)
    for(int j = 0; j < GH_APP_COLS; j++)
      r->app[i][j] = GH_NULL;
  for(int i = 0; i < GH_APPEAL_N; i++)
    for(int j = 0; j < GH_APPEAL_COLS; j++)
      r->appeals[i][j] = GH_NULL;
  r->checks = g_ptr_array_new_with_free_func(check_free);
  r->warnings = g_ptr_array_new_with_free_func(g_free);
  r->derived = g_ptr_array_new_with_free_func(g_free);
  r->unplaced = g_ptr_array_new_with_free_func(g_free);
}

void
gh_record_clear(struct gh_record *r)
{
  g_free(r->reason);
  g_free(r->agency);
  g_free(r->region_code);
  g_free(r->published_on);
  g_free(r->amount.text);
  if(r->checks)
    g_ptr_array_free(r->checks, TRUE);
  if(r->warnings)
    g_ptr_array_free(r->warnings, TRUE);
  if(r->derived)
    g_ptr_array_free(r->derived, TRUE);
  if(r->unplaced)
    g_ptr_array_free(r->unplaced, TRUE);
  g_free(r->source.url);
  g_free(r->source.sha256);
  g_free(r->source.format);
  g_free(r->source.fetched_at);
  g_free(r->source.text_fingerprint);
  memset(r, 0, sizeof(*r));
}

void
gh_record_warn(struct gh_record *r, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  char *s = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  /* The same remark from two rows of one table says nothing new. */
  for(guint i = 0; i < r->warnings->len; i++)
    if(!strcmp(g_ptr_array_index(r->warnings, i), s)) {
      g_free(s);
      return;
    }
  g_ptr_array_add(r->warnings, s);
}

void
gh_record_fail(struct gh_record *r, enum gh_status s, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  /* Format before freeing: the old reason may be an argument. */
  char *reason = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_free(r->reason);
  r->reason = reason;
  r->status = s;
}

/* ---- JSON ---- */

static json_t *
cell_json(int64_t v)
{
  return v == GH_NULL ? json_null() : json_integer((json_int_t)v);
}

static json_t *
row_json(const int64_t *cells, int n)
{
  json_t *a = json_array();
  for(int i = 0; i < n; i++)
    json_array_append_new(a, cell_json(cells[i]));
  return a;
}

/* Set obj["a.b"] creating the intermediate object for dotted paths. */
static void
set_path(json_t *obj, const char *path, json_t *val)
{
  const char *dot = strchr(path, '.');
  if(!dot) {
    json_object_set_new(obj, path, val);
    return;
  }
  char *head = g_strndup(path, dot - path);
  json_t *sub = json_object_get(obj, head);
  if(!sub) {
    sub = json_object();
    json_object_set_new(obj, head, sub);
  }
  g_free(head);
  set_path(sub, dot + 1, val);
}

static json_t *
str_or_null(const char *s)
{
  return s ? json_string(s) : json_null();
}

static json_t *
proactive_json(const struct gh_record *r)
{
  json_t *o = json_object();
  for(const struct gh_pro_desc *d = gh_pro_layout(r->tpl); d->key; d++) {
    json_t *row = json_object();
    for(int i = 0; i < d->n_ints; i++)
      json_object_set_new(row, d->fields[i], cell_json(r->pro[d->row][i]));
    if(d->money) {
      json_object_set_new(row, "amount_wan",
                          r->amount.set ? json_real(r->amount.wan) : json_null());
      json_object_set_new(row, "amount_text", str_or_null(r->amount.text));
    }
    json_object_set_new(o, d->key, row);
  }
  return o;
}

json_t *
gh_record_to_json(const struct gh_record *r)
{
  json_t *o = json_object();
  json_object_set_new(o, "status", json_string(gh_status_name(r->status)));
  if(r->status != GH_STATUS_PARSED)
    json_object_set_new(o, "reason", str_or_null(r->reason));
  json_object_set_new(o, "agency", str_or_null(r->agency));
  json_object_set_new(o, "region_code", str_or_null(r->region_code));
  json_object_set_new(o, "year", r->year ? json_integer(r->year) : json_null());
  json_object_set_new(o, "template", json_string(gh_template_name(r->tpl)));
  json_object_set_new(o, "published_on", str_or_null(r->published_on));

  json_object_set_new(o, "proactive", proactive_json(r));

  json_t *app = json_object();
  for(int i = 0; i < GH_APP_N; i++) {
    if(gh_app_rows[i].only_2021 && r->tpl != GH_TEMPLATE_2021)
      continue;
    set_path(app, gh_app_rows[i].path, row_json(r->app[i], GH_APP_COLS));
  }
  json_object_set_new(o, "applications", app);

  json_t *ap = json_object();
  for(int g = 0; g < GH_APPEAL_N; g++)
    json_object_set_new(ap, gh_appeal_groups[g],
                        row_json(r->appeals[g], GH_APPEAL_COLS));
  json_object_set_new(o, "appeals", ap);

  json_t *checks = json_array();
  for(guint i = 0; i < r->checks->len; i++) {
    const struct gh_check *c = g_ptr_array_index(r->checks, i);
    json_t *cj = json_object();
    json_object_set_new(cj, "rule", json_string(c->rule));
    json_object_set_new(cj, "ok", c->ok == GH_CHECK_NULL ? json_null()
                                                         : json_boolean(c->ok == GH_CHECK_OK));
    json_object_set_new(cj, "level", json_string(c->soft ? "warning" : "error"));
    json_object_set_new(cj, "detail", json_string(c->detail));
    json_array_append_new(checks, cj);
  }
  json_object_set_new(o, "checks", checks);

  json_t *w = json_array();
  for(guint i = 0; i < r->warnings->len; i++)
    json_array_append_new(w, json_string(g_ptr_array_index(r->warnings, i)));
  json_object_set_new(o, "warnings", w);

  json_t *dv = json_array();
  for(guint i = 0; i < r->derived->len; i++)
    json_array_append_new(dv, json_string(g_ptr_array_index(r->derived, i)));
  json_object_set_new(o, "derived", dv);

  /* Only when there is one: a record without has nothing to say, and the
   * key's absence keeps every earlier record's form. */
  if(r->unplaced->len) {
    json_t *un = json_array();
    for(guint i = 0; i < r->unplaced->len; i++)
      json_array_append_new(un, json_string(g_ptr_array_index(r->unplaced, i)));
    json_object_set_new(o, "unplaced", un);
  }

  json_t *src = json_object();
  json_object_set_new(src, "url", str_or_null(r->source.url));
  json_object_set_new(src, "sha256", str_or_null(r->source.sha256));
  json_object_set_new(src, "format", str_or_null(r->source.format));
  json_object_set_new(src, "fetched_at", str_or_null(r->source.fetched_at));
  json_object_set_new(src, "parser_version", json_string(GH_PARSER_VERSION));
  if(r->source.text_fingerprint)
    json_object_set_new(src, "text_fingerprint", json_string(r->source.text_fingerprint));
  if(r->source.ocr) /* only then, so other records are unchanged */
    json_object_set_new(src, "ocr", json_true());
  json_object_set_new(o, "source", src);
  return o;
}

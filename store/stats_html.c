/* `stats --html`: the coverage picture as one self-contained page.  No
 * script, no external style or font: it opens from a file, offline, and
 * prints.  Every text from the store is escaped; links are http(s) only. */
#include "stats_html.h"
#include "store_int.h"

#include <string.h>

#include "../record/places.h"
#include "export.h"

struct county {
  char *code, *name;      /* county (or the deepest place known) */
  char *province;
  GPtrArray *rows;        /* char *: finished <tr> elements, in key order */
};

struct page {
  const struct gh_store *st;
  /* province name -> (year -> GHashTable of agency keys with a parsed report) */
  GHashTable *matrix;
  GHashTable *years;      /* year -> 1 */
  GHashTable *counties;   /* code -> struct county */
  GHashTable *rules;      /* failing rule -> count */
  guint64 records, parsed;
};

static void
county_free(void *p)
{
  struct county *c = p;
  g_free(c->code);
  g_free(c->name);
  g_free(c->province);
  g_ptr_array_unref(c->rows);
  g_free(c);
}

static void
esc(GString *out, const char *s)
{
  char *e = g_markup_escape_text(s ? s : "", -1);
  g_string_append(out, e);
  g_free(e);
}

static const char *
str(json_t *o, const char *k)
{
  return json_string_value(json_object_get(o, k));
}

static bool
add_record(const MDB_val *k, const MDB_val *v, void *ud, GError **err)
{
  struct page *p = ud;
  json_t *rec = json_loadb(v->mv_data, v->mv_size, 0, NULL);
  if(!json_is_object(rec)) {
    json_decref(rec);
    return gh_store_damage(err, p->st, "records", k, "the record is not valid JSON");
  }
  gh_export_annotate(rec);
  p->records++;
  int year = (int)json_integer_value(json_object_get(rec, "year"));
  const char *province = str(rec, "province") ? str(rec, "province") : "（地区不明）";
  bool parsed = !g_strcmp0(str(rec, "status"), "parsed");
  g_hash_table_insert(p->years, GINT_TO_POINTER(year), GINT_TO_POINTER(1));
  GHashTable *by_year = g_hash_table_lookup(p->matrix, province);
  if(!by_year) {
    by_year = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)g_hash_table_destroy);
    g_hash_table_insert(p->matrix, g_strdup(province), by_year);
  }
  if(parsed) {
    p->parsed++;
    GHashTable *agencies = g_hash_table_lookup(by_year, GINT_TO_POINTER(year));
    if(!agencies) {
      agencies = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert(by_year, GINT_TO_POINTER(year), agencies);
    }
    g_hash_table_add(agencies, g_strdup(str(rec, "agency_key")));
  }
  /* The county table: the deepest place the record names. */
  const char *code = str(rec, "county_code") ? str(rec, "county_code")
                     : str(rec, "region_code") ? str(rec, "region_code") : "";
  const char *name = str(rec, "county") ? str(rec, "county")
                     : str(rec, "prefecture") ? str(rec, "prefecture")
                     : str(rec, "province") ? str(rec, "province") : "（地区不明）";
  struct county *c = g_hash_table_lookup(p->counties, code);
  if(!c) {
    c = g_new0(struct county, 1);
    c->code = g_strdup(code);
    c->name = g_strdup(name);
    c->province = g_strdup(province);
    c->rows = g_ptr_array_new_with_free_func(g_free);
    g_hash_table_insert(p->counties, c->code, c);
  }
  GString *row = g_string_new("<tr><td>");
  esc(row, str(rec, "agency"));
  g_string_append_printf(row, "</td><td>%d</td><td>", year);
  esc(row, str(rec, "status"));
  g_string_append_printf(row, "</td><td class=\"q-%s\">", str(rec, "quality"));
  esc(row, str(rec, "quality"));
  g_string_append(row, "</td><td>");
  const char *url = str(json_object_get(rec, "source"), "url");
  if(url && (g_str_has_prefix(url, "http://") || g_str_has_prefix(url, "https://"))) {
    g_string_append(row, "<a href=\"");
    esc(row, url);
    g_string_append(row, "\">");
    esc(row, str(json_object_get(rec, "source"), "format") ? str(json_object_get(rec, "source"), "format")
                                                          : "source");
    g_string_append(row, "</a>");
  }
  g_string_append(row, "</td><td>");
  size_t i;
  json_t *chk;
  bool first = true;
  json_array_foreach(json_object_get(rec, "checks"), i, chk) {
    if(!json_is_false(json_object_get(chk, "ok")))
      continue;
    const char *rule = str(chk, "rule") ? str(chk, "rule") : "?";
    g_hash_table_insert(p->rules, g_strdup(rule),
                        GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(p->rules, rule)) + 1));
    g_string_append(row, first ? "" : "<br>");
    g_string_append(row, "<span class=\"rule\" title=\"");
    esc(row, str(chk, "detail"));
    g_string_append(row, "\">");
    esc(row, rule);
    g_string_append(row, "</span>");
    first = false;
  }
  g_string_append(row, "</td></tr>\n");
  g_ptr_array_add(c->rows, g_string_free(row, FALSE));
  json_decref(rec);
  return true;
}

static gint
int_cmp(gconstpointer a, gconstpointer b)
{
  return GPOINTER_TO_INT(a) - GPOINTER_TO_INT(b);
}

static gint
county_cmp(gconstpointer a, gconstpointer b)
{
  const struct county *x = a, *y = b;
  return strcmp(x->code, y->code);
}

static const char style[] =
  "body{font-family:'Noto Sans CJK SC','Source Han Sans SC',sans-serif;margin:2em;color:#222}"
  "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .5em}"
  "th{background:#eee}td.n{text-align:right}td.z{color:#bbb;text-align:right}"
  ".q-ok{color:#176117}.q-warning{color:#8a5a00}.q-error{color:#a11}"
  "details{margin:.3em 0}summary{cursor:pointer}.rule{border-bottom:1px dotted #888}";

bool
gh_stats_html(struct gh_store *st, FILE *out, GError **err)
{
  struct page p = {
    .st = st,
    .matrix = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)g_hash_table_destroy),
    .years = g_hash_table_new(NULL, NULL),
    .counties = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, county_free),
    .rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
  };
  MDB_txn *txn = gh_store_read_begin(st, err);
  bool ok = txn && gh_store_each(txn, st, st->records, "records", add_record, &p, err);
  if(txn)
    mdb_txn_abort(txn);
  if(ok) {
    GString *h = g_string_new(NULL);
    g_string_append_printf(h, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                              "<title>政府信息公开年报采集覆盖情况</title><style>%s</style></head><body>\n"
                              "<h1>政府信息公开年报采集覆盖情况</h1>\n"
                              "<p id=\"summary\">共 %" G_GUINT64_FORMAT " 条记录，已解析 %" G_GUINT64_FORMAT
                              " 条。</p>\n",
                           style, p.records, p.parsed);
    /* Province × year: agencies with a parsed report. */
    GList *years = g_list_sort(g_hash_table_get_keys(p.years), int_cmp);
    GList *provinces = g_list_sort(g_hash_table_get_keys(p.matrix), (GCompareFunc)strcmp);
    g_string_append(h, "<h2>各省份各年度已解析年报的机关数</h2>\n<table id=\"matrix\"><tr><th>省份</th>");
    for(GList *y = years; y; y = y->next)
      g_string_append_printf(h, "<th>%d</th>", GPOINTER_TO_INT(y->data));
    g_string_append(h, "</tr>\n");
    for(GList *pr = provinces; pr; pr = pr->next) {
      GHashTable *by_year = g_hash_table_lookup(p.matrix, pr->data);
      g_string_append(h, "<tr><th>");
      esc(h, pr->data);
      g_string_append(h, "</th>");
      for(GList *y = years; y; y = y->next) {
        GHashTable *a = g_hash_table_lookup(by_year, y->data);
        guint n = a ? g_hash_table_size(a) : 0;
        g_string_append_printf(h, "<td class=\"%s\">%u</td>", n ? "n" : "z", n);
      }
      g_string_append(h, "</tr>\n");
    }
    g_string_append(h, "</table>\n");
    /* The failing checks. */
    GList *rules = g_list_sort(g_hash_table_get_keys(p.rules), (GCompareFunc)strcmp);
    g_string_append(h, "<h2>未通过的校验</h2>\n<table id=\"checks\"><tr><th>规则</th><th>记录数</th></tr>\n");
    for(GList *r = rules; r; r = r->next) {
      g_string_append(h, "<tr><td>");
      esc(h, r->data);
      g_string_append_printf(h, "</td><td class=\"n\">%d</td></tr>\n",
                             GPOINTER_TO_INT(g_hash_table_lookup(p.rules, r->data)));
    }
    g_string_append(h, "</table>\n<h2>各县（市、区）记录</h2>\n<div id=\"counties\">\n");
    GList *cs = g_list_sort(g_hash_table_get_values(p.counties), county_cmp);
    for(GList *l = cs; l; l = l->next) {
      struct county *c = l->data;
      g_string_append_printf(h, "<details id=\"c%s\"><summary>", c->code);
      esc(h, c->province);
      g_string_append(h, " ");
      esc(h, c->name);
      g_string_append_printf(h, " (%s) — %u</summary>\n<table><tr><th>机关</th><th>年度</th>"
                                "<th>状态</th><th>质量</th><th>来源</th><th>未通过的校验</th></tr>\n",
                             *c->code ? c->code : "—", c->rows->len);
      for(guint i = 0; i < c->rows->len; i++)
        g_string_append(h, c->rows->pdata[i]);
      g_string_append(h, "</table></details>\n");
    }
    g_string_append(h, "</div>\n</body></html>\n");
    ok = fwrite(h->str, 1, h->len, out) == h->len;
    if(!ok)
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO, "writing the page failed");
    g_string_free(h, TRUE);
    g_list_free(cs);
    g_list_free(rules);
    g_list_free(provinces);
    g_list_free(years);
  }
  g_hash_table_destroy(p.matrix);
  g_hash_table_destroy(p.years);
  g_hash_table_destroy(p.counties);
  g_hash_table_destroy(p.rules);
  return ok;
}

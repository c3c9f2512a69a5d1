/* `stats --html`: the data page.  One self-contained file: inline style
 * and SVG, no font, image or script fetched, so it opens from a file,
 * offline, and prints; everything is readable without script, and a few
 * lines of inline script add sorting and filtering to the records table.
 * Every text from the store is escaped; links are http(s) only.
 *
 * The figures come from one read of the store and from the definitions
 * the exports use (export_columns.h), so the page, the CSV and the SQLite
 * view say the same numbers.  At 30,000 records the page is ~15 MB; the
 * records table is cut into blocks the browser lays out only when shown
 * (content-visibility), which the print style turns off; printed, each
 * record is one line of text, not a table row (a table of 30,000 rows
 * split over pages costs Chromium gigabytes and minutes). */
#include "stats_html.h"
#include "store_int.h"

#include <math.h>
#include <string.h>

#include "../record/places.h"
#include "export.h"
#include "export_columns.h"

/* The year figures of a set of parsed reports; rates pooled (the sums of
 * numerators over the sums of denominators where the rate exists,
 * docs/recipes.md). */
struct acc {
  guint64 reports;
  double received;
  double grant_num, grant_den;
  double review, review_num, review_den;
  double lawsuits, law_num, law_den;
};

struct agency {
  char *key, *name, *place;
  int latest;
  double received, lawsuits;
};

struct page {
  GHashTable *years;      /* year -> struct acc (national) */
  GHashTable *provinces;  /* province name -> GHashTable year -> struct acc */
  GHashTable *matrix;     /* province name -> GHashTable year -> GHashTable agency keys */
  GHashTable *covered;    /* county code -> 1: a parsed report of an agency there */
  GHashTable *agencies;   /* agency_key -> struct agency */
  GHashTable *rules;      /* failing rule -> count */
  GHashTable *statuses;   /* status -> count */
  GString *rows;          /* the records table's rows */
  guint rows_in_block;
  guint64 records, parsed;
  int min_year, max_year;
};

/* The records table is cut into blocks of this many rows, each a table
 * of its own with the same fixed columns: a browser lays out a block only
 * when it is scrolled to (content-visibility applies to a block, not to a
 * table's rows), so 30,000 records open as fast as 400. */
#define BLOCK_ROWS 400
#define COLS                                                                                   \
  "<colgroup><col style=\"width:6em\"><col style=\"width:6em\"><col style=\"width:13em\">"       \
  "<col style=\"width:3.5em\"><col style=\"width:6em\"><col style=\"width:4em\">"                 \
  "<col style=\"width:4.5em\"><col style=\"width:4.5em\"><col style=\"width:4em\">"               \
  "<col style=\"width:4em\"><col style=\"width:4em\"><col></colgroup>"

static void
agency_free(void *p)
{
  struct agency *a = p;
  g_free(a->key);
  g_free(a->name);
  g_free(a->place);
  g_free(a);
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

/* Chinese names for the store's codes: the page is read by people who
 * read the reports. */
static const char *
status_zh(const char *s)
{
  static const char *const map[][2] = {
    { "parsed", "已解析" }, { "empty", "空文件" }, { "not_a_report", "不是年报" },
    { "tables_not_found", "未找到表格" }, { "unsupported_format", "格式无法读取" },
    { "too_large", "文件过大" }, { "needs_ocr", "扫描件（需识别文字）" },
    { "encrypted", "文件加密" }, { "extract_failed", "提取失败" },
    { "too_costly", "代价过高" },
  };
  for(size_t i = 0; s && i < G_N_ELEMENTS(map); i++)
    if(!strcmp(map[i][0], s))
      return map[i][1];
  return s ? s : "";
}

static const char *
quality_zh(const char *q)
{
  return !g_strcmp0(q, "ok") ? "合格" : !g_strcmp0(q, "warning") ? "有提示"
                                    : !g_strcmp0(q, "error")     ? "有错误" : (q ? q : "");
}

static const char *
rule_zh(const char *r)
{
  static const char *const map[][2] = {
    { "balance", "新收加结转等于办理结果加结转下年" },
    { "row_totals", "各类申请人之和等于总计" },
    { "outcome_total", "各项办理结果之和等于总计" },
    { "other_detail", "其他处理分项之和" },
    { "appeals_totals", "复议、诉讼各项之和等于总计" },
    { "non_negative", "数值非负且为整数" },
    { "published_ge_made", "对外公开总数不少于本年新公开数" },
    { "cross_year_carry", "上年结转等于上一年结转下年" },
    { "cross_year_in_force", "现行有效件数与上年衔接" },
    { "cross_year_items", "项目数量与上年衔接" },
    { "same_text_as_previous_year", "正文与上年雷同" },
    { "republished", "发布后被修改" },
  };
  for(size_t i = 0; r && i < G_N_ELEMENTS(map); i++)
    if(!strcmp(map[i][0], r))
      return map[i][1];
  return r ? r : "";
}

static struct acc *
acc_of(GHashTable *by_year, int year)
{
  struct acc *a = g_hash_table_lookup(by_year, GINT_TO_POINTER(year));
  if(!a) {
    a = g_new0(struct acc, 1);
    g_hash_table_insert(by_year, GINT_TO_POINTER(year), a);
  }
  return a;
}

static double
num(json_t *rec, const char *col, bool *has)
{
  double v = 0;
  *has = gh_export_number(rec, col, &v);
  return *has ? v : 0;
}

static void
acc_add(struct acc *a, json_t *rec)
{
  bool h;
  double r;
  a->reports++;
  a->received += num(rec, "applications.new_received.total", &h);
  if(gh_export_number(rec, "indicators.grant_rate", &r)) {
    a->grant_num += num(rec, "applications.granted.total", &h);
    a->grant_den += num(rec, "applications.total.total", &h);
  }
  a->review += num(rec, "appeals.reconsideration.total", &h);
  if(gh_export_number(rec, "indicators.reconsideration_corrected_rate", &r)) {
    a->review_num += num(rec, "appeals.reconsideration.corrected", &h);
    a->review_den += num(rec, "indicators.reconsideration_decided", &h);
  }
  a->lawsuits += num(rec, "appeals.litigation_direct.total", &h) +
                 num(rec, "appeals.litigation_after_review.total", &h);
  if(gh_export_number(rec, "indicators.lawsuits_lost_rate", &r)) {
    a->law_num += num(rec, "indicators.lawsuits_lost", &h);
    a->law_den += num(rec, "indicators.lawsuits_decided", &h);
  }
}

static GHashTable *
by_year_new(void)
{
  return g_hash_table_new_full(NULL, NULL, NULL, g_free);
}

/* A number cell: the value for people, data-v for sorting and for tests. */
static void
num_cell(GString *h, json_t *rec, const char *col)
{
  double v;
  if(gh_export_number(rec, col, &v))
    g_string_append_printf(h, "<td class=\"n\">%.0f</td>", v);
  else
    g_string_append(h, "<td class=\"n\"></td>");
}

static bool
add_record(const char *k, size_t klen, json_t *rec, void *ud, GError **err)
{
  (void)k;
  (void)klen;
  (void)err;
  struct page *p = ud;
  gh_export_annotate(rec);
  p->records++;
  int year = (int)json_integer_value(json_object_get(rec, "year"));
  if(year > 0) {
    p->min_year = p->min_year ? MIN(p->min_year, year) : year;
    p->max_year = MAX(p->max_year, year);
  }
  const char *province = str(rec, "province") ? str(rec, "province") : "（地区不明）";
  const char *status = str(rec, "status");
  bool parsed = !g_strcmp0(status, "parsed");
  g_hash_table_insert(p->statuses, g_strdup(status ? status : "?"),
                      GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(p->statuses,
                                                                           status ? status : "?")) + 1));
  GHashTable *m = g_hash_table_lookup(p->matrix, province);
  if(!m) {
    m = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)g_hash_table_destroy);
    g_hash_table_insert(p->matrix, g_strdup(province), m);
  }
  const char *key = str(rec, "agency_key") ? str(rec, "agency_key") : "";
  const char *place = str(rec, "county") ? str(rec, "county")
                      : str(rec, "prefecture") ? str(rec, "prefecture")
                      : str(rec, "province");
  if(parsed) {
    p->parsed++;
    GHashTable *keys = g_hash_table_lookup(m, GINT_TO_POINTER(year));
    if(!keys) {
      keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
      g_hash_table_insert(m, GINT_TO_POINTER(year), keys);
    }
    g_hash_table_add(keys, g_strdup(key));
    acc_add(acc_of(p->years, year), rec);
    GHashTable *py = g_hash_table_lookup(p->provinces, province);
    if(!py) {
      py = by_year_new();
      g_hash_table_insert(p->provinces, g_strdup(province), py);
    }
    acc_add(acc_of(py, year), rec);
    if(str(rec, "county_code"))
      g_hash_table_add(p->covered, g_strdup(str(rec, "county_code")));
    struct agency *a = g_hash_table_lookup(p->agencies, key);
    if(!a) {
      a = g_new0(struct agency, 1);
      a->key = g_strdup(key);
      g_hash_table_insert(p->agencies, a->key, a);
    }
    if(year >= a->latest) { /* the name as the newest report prints it */
      a->latest = year;
      g_free(a->name);
      g_free(a->place);
      a->name = g_strdup(str(rec, "agency"));
      a->place = g_strdup(place);
    }
    bool h;
    a->received += num(rec, "applications.new_received.total", &h);
    a->lawsuits += num(rec, "appeals.litigation_direct.total", &h) +
                   num(rec, "appeals.litigation_after_review.total", &h);
  }
  /* The records table, in key order (agency, then year). */
  GString *h = p->rows;
  if(p->rows_in_block == BLOCK_ROWS) {
    g_string_append(h, "</tbody></table></div>\n<div class=\"blk\"><table class=\"rec\">" COLS
                       "<tbody>");
    p->rows_in_block = 0;
  }
  p->rows_in_block++;
  g_string_append(h, "<tr><td>");
  esc(h, province);
  g_string_append(h, "</td><td>");
  esc(h, place);
  g_string_append(h, "</td><td>");
  esc(h, str(rec, "agency"));
  g_string_append_printf(h, "</td><td class=\"n\">%d</td><td>", year);
  esc(h, status_zh(status));
  g_string_append_printf(h, "</td><td class=\"q-%s\">", str(rec, "quality") ? str(rec, "quality") : "");
  esc(h, quality_zh(str(rec, "quality")));
  g_string_append(h, "</td>");
  num_cell(h, rec, "applications.new_received.total");
  num_cell(h, rec, "applications.granted.total");
  num_cell(h, rec, "appeals.reconsideration.total");
  bool h1, h2;
  double l = num(rec, "appeals.litigation_direct.total", &h1) +
             num(rec, "appeals.litigation_after_review.total", &h2);
  if(h1 || h2)
    g_string_append_printf(h, "<td class=\"n\">%.0f</td>", l);
  else
    g_string_append(h, "<td class=\"n\"></td>");
  g_string_append(h, "<td>");
  json_t *src = json_object_get(rec, "source");
  const char *url = str(src, "url");
  if(url && (g_str_has_prefix(url, "http://") || g_str_has_prefix(url, "https://"))) {
    g_string_append(h, "<a href=\"");
    esc(h, url);
    g_string_append(h, "\">");
    esc(h, str(src, "format") ? str(src, "format") : "source");
    g_string_append(h, "</a>");
  } else if(str(src, "path")) {
    esc(h, str(src, "path"));
  }
  g_string_append(h, "</td><td>");
  size_t i;
  json_t *chk;
  bool first = true;
  json_array_foreach(json_object_get(rec, "checks"), i, chk) {
    if(!json_is_false(json_object_get(chk, "ok")))
      continue;
    const char *rule = str(chk, "rule") ? str(chk, "rule") : "?";
    g_hash_table_insert(p->rules, g_strdup(rule),
                        GINT_TO_POINTER(GPOINTER_TO_INT(g_hash_table_lookup(p->rules, rule)) + 1));
    g_string_append(h, first ? "" : "；");
    g_string_append(h, "<span title=\"");
    esc(h, str(chk, "detail"));
    g_string_append(h, "\">");
    esc(h, rule_zh(rule));
    g_string_append(h, "</span>");
    first = false;
  }
  g_string_append(h, "</td></tr>\n");
  return true;
}

/* ---- figures ---- */

static void
fmt_count(GString *h, double v)
{
  g_string_append_printf(h, "%.0f", v);
}

/* A pooled rate as a percentage with one decimal; "—" without a
 * denominator.  data-v carries the exact ratio. */
static void
rate_cell(GString *h, double n, double d)
{
  if(d > 0)
    g_string_append_printf(h, "<td class=\"n\" data-v=\"%.9f\">%.1f%%</td>", n / d, 100 * n / d);
  else
    g_string_append(h, "<td class=\"n\" data-v=\"\">—</td>");
}

/* ---- inline SVG ---- */

/* A line chart over the years min..max: one polyline per series (NaN: no
 * value, the line breaks), points, the year axis and the last values. */
struct series {
  const char *label, *colour;
  const double *v; /* one per year */
};

static void
svg_lines(GString *h, const char *id, const char *title, int min_year, int n_years,
          const struct series *s, int n_series, bool percent, int w, int ht, bool small)
{
  double max = 0;
  for(int k = 0; k < n_series; k++)
    for(int i = 0; i < n_years; i++)
      if(!isnan(s[k].v[i]))
        max = MAX(max, s[k].v[i]);
  if(max <= 0)
    max = percent ? 1 : 1;
  int left = small ? 4 : 48, right = small ? 4 : 16, top = small ? 16 : 24, bottom = small ? 14 : 28;
  double pw = w - left - right, ph = ht - top - bottom;
  g_string_append_printf(h, "<svg id=\"%s\" class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                            "height=\"%d\" role=\"img\"><title>", id, w, ht, w, ht);
  esc(h, title);
  g_string_append(h, "</title>");
  g_string_append_printf(h, "<text x=\"%d\" y=\"%d\" class=\"ct\">", small ? 2 : left,
                         small ? 11 : 14);
  esc(h, title);
  g_string_append(h, "</text>");
  if(!small) {
    for(int t = 0; t <= 4; t++) {
      double y = top + ph - ph * t / 4;
      g_string_append_printf(h, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
                                "<text x=\"%d\" y=\"%.1f\" class=\"ax\" text-anchor=\"end\">",
                             left, w - right, y, y, left - 4, y + 4);
      if(percent)
        g_string_append_printf(h, "%.0f%%", 100 * max * t / 4);
      else
        g_string_append_printf(h, "%.0f", max * t / 4);
      g_string_append(h, "</text>");
    }
  }
  for(int i = 0; i < n_years; i++) {
    double x = left + (n_years > 1 ? pw * i / (n_years - 1) : pw / 2);
    if(!small || i == 0 || i == n_years - 1)
      g_string_append_printf(h, "<text x=\"%.1f\" y=\"%d\" class=\"ax\" text-anchor=\"middle\">%d"
                                "</text>", x, ht - (small ? 2 : 8), min_year + i);
  }
  for(int k = 0; k < n_series; k++) {
    GString *pts = g_string_new(NULL);
    for(int i = 0; i <= n_years; i++) {
      if(i == n_years || isnan(s[k].v[i])) {
        if(pts->len)
          g_string_append_printf(h, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" "
                                    "points=\"%s\"/>", s[k].colour, pts->str);
        g_string_truncate(pts, 0);
        continue;
      }
      double x = left + (n_years > 1 ? pw * i / (n_years - 1) : pw / 2);
      double y = top + ph - ph * s[k].v[i] / max;
      g_string_append_printf(pts, "%s%.1f,%.1f", pts->len ? " " : "", x, y);
      g_string_append_printf(h, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"><title>%d ",
                             x, y, small ? 2 : 3, s[k].colour, min_year + i);
      esc(h, s[k].label);
      if(percent)
        g_string_append_printf(h, " %.1f%%</title></circle>", 100 * s[k].v[i]);
      else
        g_string_append_printf(h, " %.0f</title></circle>", s[k].v[i]);
    }
    g_string_free(pts, TRUE);
    if(!small && n_series > 1) {
      g_string_append_printf(h, "<text x=\"%d\" y=\"%d\" class=\"lg\" fill=\"%s\">", left + 8 + 110 * k,
                             top + 10, s[k].colour);
      esc(h, s[k].label);
      g_string_append(h, "</text>");
    }
  }
  g_string_append(h, "</svg>");
}

/* The provinces as tiles, roughly where they lie (x west to east, y north
 * to south), so the grid reads like the map without drawing one. */
static const struct {
  const char *code, *short_name;
  int x, y;
} tiles[] = {
  { "150000", "内蒙古", 4, 0 }, { "230000", "黑龙江", 7, 0 },
  { "650000", "新疆", 0, 1 },   { "640000", "宁夏", 3, 1 },   { "140000", "山西", 4, 1 },
  { "110000", "北京", 5, 1 },   { "120000", "天津", 6, 1 },   { "220000", "吉林", 7, 1 },
  { "630000", "青海", 1, 2 },   { "620000", "甘肃", 2, 2 },   { "610000", "陕西", 3, 2 },
  { "410000", "河南", 4, 2 },   { "130000", "河北", 5, 2 },   { "370000", "山东", 6, 2 },
  { "210000", "辽宁", 7, 2 },   { "540000", "西藏", 0, 3 },   { "510000", "四川", 2, 3 },
  { "500000", "重庆", 3, 3 },   { "420000", "湖北", 4, 3 },   { "340000", "安徽", 5, 3 },
  { "320000", "江苏", 6, 3 },   { "530000", "云南", 2, 4 },   { "520000", "贵州", 3, 4 },
  { "430000", "湖南", 4, 4 },   { "360000", "江西", 5, 4 },   { "330000", "浙江", 6, 4 },
  { "310000", "上海", 7, 4 },   { "450000", "广西", 3, 5 },   { "440000", "广东", 4, 5 },
  { "350000", "福建", 5, 5 },   { "460000", "海南", 4, 6 },
};

static void
coverage_grid(GString *h, struct page *p)
{
  /* Counties of the region table per province, and those with a parsed
   * report. */
  const struct gh_regions *r = gh_regions_builtin();
  GHashTable *total = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GHashTable *have = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  const char *code, *name, *level, *parent;
  for(guint i = 0; gh_regions_at(r, i, &code, &name, &level, &parent); i++) {
    if(strcmp(level, "county"))
      continue;
    char *prov = g_strdup_printf("%.2s0000", code);
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(total, prov));
    guint c = GPOINTER_TO_UINT(g_hash_table_lookup(have, prov));
    g_hash_table_insert(have, g_strdup(prov),
                        GUINT_TO_POINTER(c + g_hash_table_contains(p->covered, code)));
    g_hash_table_insert(total, prov, GUINT_TO_POINTER(n + 1));
  }
  const int tw = 84, th = 58;
  g_string_append_printf(h, "<svg id=\"coverage\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                            "role=\"img\"><title>各省份县级年报覆盖率</title>",
                         8 * tw, 7 * th, 8 * tw, 7 * th);
  guint all_n = 0, all_c = 0;
  for(size_t i = 0; i < G_N_ELEMENTS(tiles); i++) {
    guint n = GPOINTER_TO_UINT(g_hash_table_lookup(total, tiles[i].code));
    guint c = GPOINTER_TO_UINT(g_hash_table_lookup(have, tiles[i].code));
    all_n += n;
    all_c += c;
    double share = n ? (double)c / n : 0;
    /* White to deep green by share; a province with none stays grey. */
    int light = c ? (int)(92 - 62 * share) : 96;
    const char *pname = gh_region_name(r, tiles[i].code);
    g_string_append_printf(h, "<g class=\"tile\" data-code=\"%s\" data-province=\"", tiles[i].code);
    esc(h, pname);
    g_string_append_printf(h, "\" data-covered=\"%u\" data-total=\"%u\"><title>", c, n);
    esc(h, pname);
    g_string_append_printf(h, "：%u / %u 个县级行政区有已解析的年报</title>"
                              "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" "
                              "fill=\"hsl(140,45%%,%d%%)\" stroke=\"#fff\" stroke-width=\"3\"/>"
                              "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"tn\"%s>%s"
                              "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"tv\"%s>"
                              "%.0f%%</text></g>",
                           c, n, tiles[i].x * tw, tiles[i].y * th, tw, th, light,
                           tiles[i].x * tw + tw / 2, tiles[i].y * th + 24,
                           light < 55 ? " fill=\"#fff\"" : "", tiles[i].short_name,
                           tiles[i].x * tw + tw / 2, tiles[i].y * th + 44,
                           light < 55 ? " fill=\"#fff\"" : "", 100 * share);
  }
  g_string_append(h, "</svg>\n");
  g_string_append_printf(h, "<p class=\"note\">全国 %u 个县级行政区中，%u 个（%.1f%%）至少有一个机关的"
                            "年报已解析。颜色越深，覆盖越全；灰色：尚无。</p>\n",
                         all_n, all_c, all_n ? 100.0 * all_c / all_n : 0);
  g_hash_table_destroy(total);
  g_hash_table_destroy(have);
}

static gint
by_received(gconstpointer a, gconstpointer b)
{
  const struct agency *x = *(struct agency *const *)a, *y = *(struct agency *const *)b;
  return x->received != y->received ? (x->received < y->received ? 1 : -1) : strcmp(x->key, y->key);
}

static gint
by_lawsuits(gconstpointer a, gconstpointer b)
{
  const struct agency *x = *(struct agency *const *)a, *y = *(struct agency *const *)b;
  return x->lawsuits != y->lawsuits ? (x->lawsuits < y->lawsuits ? 1 : -1) : strcmp(x->key, y->key);
}

static void
top_ten(GString *h, struct page *p, const char *id, const char *title, const char *what,
        GCompareFunc cmp, bool lawsuits)
{
  GPtrArray *all = g_ptr_array_new();
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, p->agencies);
  while(g_hash_table_iter_next(&it, &k, &v))
    g_ptr_array_add(all, v);
  g_ptr_array_sort(all, cmp);
  g_string_append_printf(h, "<div class=\"half\"><h3>%s</h3><table id=\"%s\"><thead><tr><th>#</th>"
                            "<th>机关</th><th>地区</th><th>%s</th></tr></thead><tbody>\n",
                         title, id, what);
  for(guint i = 0; i < all->len && i < 10; i++) {
    struct agency *a = all->pdata[i];
    double val = lawsuits ? a->lawsuits : a->received;
    if(val <= 0)
      break;
    g_string_append_printf(h, "<tr data-key=\"");
    esc(h, a->key);
    g_string_append_printf(h, "\"><td class=\"n\">%u</td><td>", i + 1);
    esc(h, a->name);
    g_string_append(h, "</td><td>");
    esc(h, a->place);
    g_string_append(h, "</td><td class=\"n\">");
    fmt_count(h, val);
    g_string_append(h, "</td></tr>\n");
  }
  g_string_append(h, "</tbody></table></div>\n");
  g_ptr_array_free(all, TRUE);
}

static const char style[] =
  "body{font-family:'Noto Sans CJK SC','Source Han Sans SC',sans-serif;margin:2em;color:#222;"
  "max-width:72em}"
  "h2{margin-top:2em;border-bottom:2px solid #2a7a46}"
  "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:.2em .5em}"
  "th{background:#eef3ef}td.n{text-align:right;font-variant-numeric:tabular-nums}"
  "td.z{color:#bbb;text-align:right}"
  ".q-ok{color:#176117}.q-warning{color:#8a5a00}.q-error{color:#a11}"
  ".cards{display:flex;flex-wrap:wrap;gap:1em}.card{border:1px solid #cdd;border-radius:8px;"
  "padding:.6em 1em;min-width:9em}.card b{display:block;font-size:1.8em}.card span{color:#555}"
  ".chart .grid{stroke:#e4e4e4}.chart .ax{font-size:11px;fill:#666}.chart .ct{font-size:13px;"
  "font-weight:bold}.chart .lg{font-size:12px}.multiples{display:flex;flex-wrap:wrap;gap:.5em}"
  "#coverage .tn{font-size:14px}#coverage .tv{font-size:13px}"
  ".half{display:inline-block;vertical-align:top;margin-right:2em}.note{color:#555}"
  ".rec{table-layout:fixed;width:100%;font-size:.9em;margin:0}.rec td,.rec th{overflow-wrap:anywhere}"
  ".blk{content-visibility:auto;contain-intrinsic-size:auto 12000px}"
  "#records-head{position:sticky;top:0}#records-head th{cursor:pointer}"
  "#filter{font-size:1em;padding:.3em;width:20em}"
  "@media print{body{margin:0;max-width:none}#filter,.noprint{display:none}"
  ".blk{content-visibility:visible;contain-intrinsic-size:none}"
  "#records-head{display:none}.rec,.rec tbody,.rec tr{display:block}"
  ".rec colgroup{display:none}.rec td{display:inline;border:0;padding:0 .4em 0 0}"
  ".rec tr{border-bottom:1px solid #ddd;font-size:8pt;break-inside:avoid}h2{break-after:avoid}"
  "svg{break-inside:avoid}}";

/* Sorting (click a heading; again for the other way) and filtering (the
 * words typed must all appear in a row), over every block of rows. */
static const char script[] =
  "(function(){var t=document.getElementById('records'),f=document.getElementById('filter'),"
  "hd=document.getElementById('records-head');if(!t||!f||!hd)return;f.hidden=false;"
  "var bs=t.getElementsByTagName('tbody'),rows=[].slice.call(t.getElementsByTagName('tr'));"
  "var dir={};"
  "f.addEventListener('input',function(){var w=f.value.trim().toLowerCase().split(/\\s+/);"
  "rows.forEach(function(r){var s=r.textContent.toLowerCase();r.hidden=!w.every(function(x){"
  "return s.indexOf(x)>=0})})});"
  "[].forEach.call(hd.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){"
  "var d=dir[i]=-(dir[i]||-1),n=th.className=='n';rows.sort(function(a,b){"
  "var x=a.cells[i].textContent,y=b.cells[i].textContent;if(n){x=x===''?-1:+x;y=y===''?-1:+y;"
  "return (x-y)*d}return x.localeCompare(y,'zh')*d});"
  "rows.forEach(function(r,k){bs[Math.floor(k/" G_STRINGIFY(BLOCK_ROWS) ")].appendChild(r)})})})})();";

bool
gh_stats_html(struct gh_store *st, FILE *out, GError **err)
{
  struct page p = {
    .years = by_year_new(),
    .provinces = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify)g_hash_table_destroy),
    .matrix = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                    (GDestroyNotify)g_hash_table_destroy),
    .covered = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .agencies = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, agency_free),
    .rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .statuses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .rows = g_string_new(NULL),
  };
  MDB_txn *txn = gh_store_read_begin(st, err);
  bool ok = txn && gh_store_each_record(txn, st, NULL, 0, add_record, &p, err);
  if(txn)
    mdb_txn_abort(txn);
  if(ok) {
    GString *h = g_string_sized_new(p.rows->len + 65536);
    int y0 = p.min_year ? p.min_year : 0, ny = p.min_year ? p.max_year - p.min_year + 1 : 0;
    g_string_append_printf(h, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
                              "<meta name=\"viewport\" content=\"width=device-width\">"
                              "<title>政府信息公开工作年度报告数据</title><style>%s</style></head>"
                              "<body>\n<h1>政府信息公开工作年度报告数据</h1>\n"
                              "<p id=\"summary\">共 %" G_GUINT64_FORMAT " 条记录，已解析 %"
                              G_GUINT64_FORMAT " 条，%u 个机关",
                           style, p.records, p.parsed, g_hash_table_size(p.agencies));
    if(ny)
      g_string_append_printf(h, "，%d–%d 年度", y0, p.max_year);
    g_string_append(h, "。比例为合计之比（各机关分子之和除以分母之和），口径见 docs/recipes.md。</p>\n");

    /* Headline figures: the newest year as cards, every year as a table. */
    int newest = 0;
    for(int y = p.max_year; ny && y >= y0 && !newest; y--)
      if(g_hash_table_lookup(p.years, GINT_TO_POINTER(y)))
        newest = y;
    if(newest) {
      struct acc *a = g_hash_table_lookup(p.years, GINT_TO_POINTER(newest));
      g_string_append_printf(h, "<div class=\"cards\" id=\"cards\" data-year=\"%d\">"
                                "<div class=\"card\"><span>%d 年度 新收申请</span><b>%.0f</b></div>",
                             newest, newest, a->received);
      const struct { const char *label; double n, d; } c[] = {
        { "予以公开比例", a->grant_num, a->grant_den },
        { "行政复议纠错率", a->review_num, a->review_den },
        { "行政诉讼纠错率", a->law_num, a->law_den },
      };
      for(size_t i = 0; i < G_N_ELEMENTS(c); i++) {
        g_string_append_printf(h, "<div class=\"card\"><span>%s</span><b>", c[i].label);
        if(c[i].d > 0)
          g_string_append_printf(h, "%.1f%%", 100 * c[i].n / c[i].d);
        else
          g_string_append(h, "—");
        g_string_append(h, "</b></div>");
      }
      g_string_append_printf(h, "<div class=\"card\"><span>行政复议 / 行政诉讼</span><b>%.0f / %.0f"
                                "</b></div></div>\n", a->review, a->lawsuits);
    }
    g_string_append(h, "<h2>各年度主要数字</h2>\n<table id=\"headline\"><thead><tr><th>年度</th>"
                       "<th>已解析年报</th><th>新收申请</th><th>予以公开比例</th><th>行政复议</th>"
                       "<th>复议纠错率</th><th>行政诉讼</th><th>诉讼纠错率</th></tr></thead>"
                       "<tbody>\n");
    double *received = g_new0(double, MAX(ny, 1)), *grant = g_new0(double, MAX(ny, 1));
    double *review = g_new0(double, MAX(ny, 1)), *law = g_new0(double, MAX(ny, 1));
    for(int i = 0; i < ny; i++) {
      struct acc zero = { 0 }, *a = g_hash_table_lookup(p.years, GINT_TO_POINTER(y0 + i));
      if(!a)
        a = &zero;
      received[i] = a->reports ? a->received : NAN;
      grant[i] = a->grant_den > 0 ? a->grant_num / a->grant_den : NAN;
      review[i] = a->review_den > 0 ? a->review_num / a->review_den : NAN;
      law[i] = a->law_den > 0 ? a->law_num / a->law_den : NAN;
      g_string_append_printf(h, "<tr data-year=\"%d\"><th>%d</th><td class=\"n\">%" G_GUINT64_FORMAT
                                "</td><td class=\"n\">%.0f</td>",
                             y0 + i, y0 + i, a->reports, a->received);
      rate_cell(h, a->grant_num, a->grant_den);
      g_string_append_printf(h, "<td class=\"n\">%.0f</td>", a->review);
      rate_cell(h, a->review_num, a->review_den);
      g_string_append_printf(h, "<td class=\"n\">%.0f</td>", a->lawsuits);
      rate_cell(h, a->law_num, a->law_den);
      g_string_append(h, "</tr>\n");
    }
    g_string_append(h, "</tbody></table>\n<p class=\"note\">予以公开比例＝予以公开÷本年度办理结果总计；"
                       "纠错率＝结果纠正÷已审结（维持＋纠正＋其他结果）。</p>\n");

    /* Trends: nationally, then per province. */
    g_string_append(h, "<h2>全国趋势</h2>\n<div class=\"multiples\">");
    struct series s_recv = { "新收申请", "#2a7a46", received };
    svg_lines(h, "trend-received", "新收申请（件）", y0, ny, &s_recv, 1, false, 440, 220, false);
    struct series s_rates[] = { { "予以公开比例", "#2a7a46", grant },
                                { "复议纠错率", "#c0661c", review },
                                { "诉讼纠错率", "#7a2a6e", law } };
    svg_lines(h, "trend-rates", "比例", y0, ny, s_rates, 3, true, 440, 220, false);
    g_string_append(h, "</div>\n<h2>各省份趋势：新收申请</h2>\n<div class=\"multiples\" "
                       "id=\"province-trends\">");
    GList *provs = g_list_sort(g_hash_table_get_keys(p.provinces), (GCompareFunc)strcmp);
    double *pv = g_new0(double, MAX(ny, 1));
    int n_chart = 0;
    for(GList *l = provs; l; l = l->next) {
      GHashTable *py = g_hash_table_lookup(p.provinces, l->data);
      for(int i = 0; i < ny; i++) {
        struct acc *a = g_hash_table_lookup(py, GINT_TO_POINTER(y0 + i));
        pv[i] = a ? a->received : NAN;
      }
      char *id = g_strdup_printf("trend-p%d", n_chart++);
      struct series s = { l->data, "#2a7a46", pv };
      svg_lines(h, id, l->data, y0, ny, &s, 1, false, 150, 80, true);
      g_free(id);
    }
    g_free(pv);
    g_list_free(provs);
    g_string_append(h, "</div>\n<h2>覆盖情况</h2>\n");
    coverage_grid(h, &p);

    g_string_append(h, "<h2>申请最多和被诉最多的机关</h2>\n");
    top_ten(h, &p, "top-applications", "新收申请最多的十个机关", "新收申请（各年合计）",
            by_received, false);
    top_ten(h, &p, "top-lawsuits", "行政诉讼最多的十个机关", "行政诉讼（各年合计）", by_lawsuits,
            true);

    /* Province × year: agencies with a parsed report; every year of the
     * range a column, a year without any report too. */
    GList *provinces = g_list_sort(g_hash_table_get_keys(p.matrix), (GCompareFunc)strcmp);
    g_string_append(h, "<h2>各省份各年度已解析年报的机关数</h2>\n<table id=\"matrix\"><tr><th>省份</th>");
    for(int i = 0; i < ny; i++)
      g_string_append_printf(h, "<th>%d</th>", y0 + i);
    g_string_append(h, "</tr>\n");
    for(GList *pr = provinces; pr; pr = pr->next) {
      GHashTable *m = g_hash_table_lookup(p.matrix, pr->data);
      g_string_append(h, "<tr><th>");
      esc(h, pr->data);
      g_string_append(h, "</th>");
      for(int i = 0; i < ny; i++) {
        GHashTable *a = g_hash_table_lookup(m, GINT_TO_POINTER(y0 + i));
        guint n = a ? g_hash_table_size(a) : 0;
        g_string_append_printf(h, "<td class=\"%s\">%u</td>", n ? "n" : "z", n);
      }
      g_string_append(h, "</tr>\n");
    }
    g_string_append(h, "</table>\n");
    g_list_free(provinces);

    /* Statuses and failing checks, in Chinese with the code beside. */
    g_string_append(h, "<h2>解析状态</h2>\n<table id=\"statuses\"><tr><th>状态</th><th>代码</th>"
                       "<th>记录数</th></tr>\n");
    GList *sts = g_list_sort(g_hash_table_get_keys(p.statuses), (GCompareFunc)strcmp);
    for(GList *l = sts; l; l = l->next) {
      g_string_append(h, "<tr><td>");
      esc(h, status_zh(l->data));
      g_string_append(h, "</td><td>");
      esc(h, l->data);
      g_string_append_printf(h, "</td><td class=\"n\">%u</td></tr>\n",
                             GPOINTER_TO_UINT(g_hash_table_lookup(p.statuses, l->data)));
    }
    g_list_free(sts);
    GList *rules = g_list_sort(g_hash_table_get_keys(p.rules), (GCompareFunc)strcmp);
    g_string_append(h, "</table>\n<h2>未通过的校验</h2>\n<table id=\"checks\"><tr><th>规则</th>"
                       "<th>代码</th><th>记录数</th></tr>\n");
    for(GList *r = rules; r; r = r->next) {
      g_string_append(h, "<tr><td>");
      esc(h, rule_zh(r->data));
      g_string_append(h, "</td><td>");
      esc(h, r->data);
      g_string_append_printf(h, "</td><td class=\"n\">%d</td></tr>\n",
                             GPOINTER_TO_INT(g_hash_table_lookup(p.rules, r->data)));
    }
    g_list_free(rules);
    g_string_append_printf(h, "</table>\n<h2>全部记录（%" G_GUINT64_FORMAT " 条）</h2>\n"
                              "<p class=\"noprint\"><input id=\"filter\" type=\"search\" "
                              "placeholder=\"筛选：机关、地区、年度、状态…\" hidden> "
                              "点击表头排序。</p>\n<table id=\"records-head\" class=\"rec\">" COLS
                              "<thead><tr><th>省份</th>"
                              "<th>地区</th><th>机关</th><th class=\"n\">年度</th><th>状态</th>"
                              "<th>质量</th><th class=\"n\">新收申请</th><th class=\"n\">予以公开</th>"
                              "<th class=\"n\">行政复议</th><th class=\"n\">行政诉讼</th><th>来源</th>"
                              "<th>未通过的校验</th></tr></thead></table>\n<div id=\"records\">"
                              "<div class=\"blk\"><table class=\"rec\">" COLS "<tbody>",
                           p.records);
    g_string_append_len(h, p.rows->str, (gssize)p.rows->len);
    g_string_append_printf(h, "</tbody></table></div></div>\n<script>%s</script>\n</body></html>\n",
                           script);
    g_free(received);
    g_free(grant);
    g_free(review);
    g_free(law);
    ok = fwrite(h->str, 1, h->len, out) == h->len;
    if(!ok)
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_IO, "writing the page failed");
    g_string_free(h, TRUE);
  }
  g_hash_table_destroy(p.years);
  g_hash_table_destroy(p.provinces);
  g_hash_table_destroy(p.matrix);
  g_hash_table_destroy(p.covered);
  g_hash_table_destroy(p.agencies);
  g_hash_table_destroy(p.rules);
  g_hash_table_destroy(p.statuses);
  g_string_free(p.rows, TRUE);
  return ok;
}

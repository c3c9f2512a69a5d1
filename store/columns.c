#include "columns.h"

#include <string.h>

#include "../record/record.h"
#include "export.h"
#include "export_columns.h"

/* Columns outside the three tables. */
static const struct {
  const char *name, *label, *section, *unit, *meaning, *type;
} plain[] = {
  { "agency", "机关名称", "record", "", "The agency's name as its report prints it", "string" },
  { "region_code", "行政区划代码", "place", "",
    "GB/T 2260 code of the county or city the agency belongs to", "string" },
  { "year", "报告年度", "record", "年", "The year reported on (not the year of publication)",
    "integer" },
  { "template", "表格格式", "record", "",
    "Which national table format the report follows: 2019, 2021 or unknown", "string" },
  { "status", "解析状态", "record", "",
    "parsed, or why the tables could not be read (needs_ocr, tables_not_found, ...)", "string" },
  { "published_on", "发布日期", "record", "", "The date the report is signed or published",
    "date" },
  { "agency_key", "机关标识", "record", "",
    "The agency across years and name forms: region code, '|', the name without its place "
    "prefix in one normal form",
    "string" },
  { "province_code", "省级行政区划代码", "place", "", "Code of the province", "string" },
  { "province", "省（自治区、直辖市）", "place", "", "Name of the province", "string" },
  { "prefecture_code", "地级行政区划代码", "place", "",
    "Code of the prefecture-level city (empty for municipalities' districts and counties "
    "directly under a province)",
    "string" },
  { "prefecture", "市（地、州、盟）", "place", "", "Name of the prefecture-level city", "string" },
  { "county_code", "县级行政区划代码", "place", "", "Code of the county-level division",
    "string" },
  { "county", "县（市、区、旗）", "place", "", "Name of the county-level division", "string" },
  { "quality", "数据质量", "record", "",
    "ok: parsed and every error-level check passes; warning: parsed, a warning-level check "
    "failed or the record has warnings; error: not parsed or an error-level check failed",
    "string" },
  { "checks_failed", "未通过的校验", "checks", "", "Rules that failed, separated by ';'",
    "string" },
  { "warnings", "提示", "checks", "", "What a reviewer should know, separated by ' | '",
    "string" },
  { "derived", "推算的单元格", "checks", "",
    "Columns whose value the table's own arithmetic filled, separated by ';'", "string" },
  { "source.url", "来源网址", "source", "", "Where the report's bytes were fetched", "string" },
  { "source.sha256", "文件SHA-256", "source", "", "SHA-256 of the fetched bytes", "string" },
  { "source.format", "文件格式", "source", "", "pdf, html, docx or text", "string" },
  { "source.fetched_at", "抓取时间", "source", "", "When the bytes were fetched (ISO 8601)",
    "string" },
  { "source.parser_version", "解析器版本", "source", "",
    "The govharvest version that parsed the record", "string" },
  { "source.page_url", "所在页面", "source", "", "The page that linked the report", "string" },
};

static const char *const app_col_zh[GH_APP_COLS] = { "自然人", "商业企业", "科研机构",
                                                     "社会公益组织", "法律服务机构", "其他",
                                                     "总计" };
static const char *const app_col_en[GH_APP_COLS] = {
  "natural persons", "commercial enterprises", "research institutions",
  "social welfare organisations", "legal service providers", "other legal persons", "all applicants"
};
static const char *const appeal_group_zh[GH_APPEAL_N] = { "行政复议", "行政诉讼（未经复议直接起诉）",
                                                          "行政诉讼（复议后起诉）" };
static const char *const appeal_col_zh[GH_APPEAL_COLS] = { "结果维持", "结果纠正", "其他结果",
                                                           "尚未审结", "总计" };

/* Section 二's rows and fields as each form prints them. */
static const struct {
  const char *key, *label2019, *label2021;
} pro_rows[] = {
  { "rules", "规章", "规章" },
  { "normative_documents", "规范性文件", "行政规范性文件" },
  { "licensing", "行政许可", "行政许可" },
  { "other_services", "其他对外管理服务事项", NULL },
  { "penalty", "行政处罚", "行政处罚" },
  { "coercion", "行政强制", "行政强制" },
  { "fees", "行政事业性收费", "行政事业性收费" },
  { "procurement", "政府集中采购", NULL },
};
static const struct {
  const char *field, *label, *unit, *type;
} pro_fields[] = {
  { "new_made", "本年新制作数量", "件", "integer" },
  { "new_published", "本年新公开数量", "件", "integer" },
  { "total_published", "对外公开总数量", "件", "integer" },
  { "prev_count", "上一年项目数量", "个", "integer" },
  { "change", "本年增/减", "个", "integer" },
  { "decisions", "处理决定数量", "件", "integer" },
  { "issued", "本年制发件数", "件", "integer" },
  { "repealed", "本年废止件数", "件", "integer" },
  { "in_force", "现行有效件数", "件", "integer" },
  { "projects", "采购项目数量", "个", "integer" },
  { "amount_wan", "金额（万元）", "万元", "number" },
  { "amount_text", "金额（原文）", "", "string" },
};

/* The group heading a row of section 三 sits under. */
static const char *
app_group(const char *path)
{
  if(g_str_has_prefix(path, "denied."))
    return "（三）不予公开";
  if(g_str_has_prefix(path, "unable."))
    return "（四）无法提供";
  if(g_str_has_prefix(path, "not_processed."))
    return "（五）不予处理";
  if(g_str_has_prefix(path, "other_detail."))
    return "（六）其他处理";
  return NULL;
}

static void
info_free(void *p)
{
  struct gh_column_info *c = p;
  g_free(c->name);
  g_free(c->label_zh);
  g_free(c->section);
  g_free(c->templates);
  g_free(c->unit);
  g_free(c->meaning);
  g_free(c->datatype);
  g_free(c);
}

static bool
in_layout(enum gh_template t, const char *key, const char *field)
{
  for(const struct gh_pro_desc *d = gh_pro_layout(t); d->key; d++) {
    if(strcmp(d->key, key))
      continue;
    for(int i = 0; i < d->n_ints; i++)
      if(!strcmp(d->fields[i], field))
        return true;
    if(d->money && (!strcmp(field, "amount_wan") || !strcmp(field, "amount_text")))
      return true;
  }
  return false;
}

static void
describe(struct gh_column_info *c)
{
  const char *n = c->name;
  for(size_t i = 0; i < G_N_ELEMENTS(plain); i++)
    if(!strcmp(n, plain[i].name)) {
      c->label_zh = g_strdup(plain[i].label);
      c->section = g_strdup(plain[i].section);
      c->templates = g_strdup("both");
      c->unit = g_strdup(plain[i].unit);
      c->meaning = g_strdup(plain[i].meaning);
      c->datatype = g_strdup(plain[i].type);
      return;
    }
  const char *last = strrchr(n, '.');
  const char *first = strchr(n, '.');
  if(g_str_has_prefix(n, "proactive.") && last && first != last) {
    char *key = g_strndup(first + 1, (size_t)(last - first - 1));
    const char *field = last + 1;
    bool y19 = in_layout(GH_TEMPLATE_2019, key, field), y21 = in_layout(GH_TEMPLATE_2021, key, field);
    const char *rl = key;
    for(size_t i = 0; i < G_N_ELEMENTS(pro_rows); i++)
      if(!strcmp(pro_rows[i].key, key))
        rl = y19 ? pro_rows[i].label2019 : pro_rows[i].label2021;
    c->section = g_strdup("proactive");
    c->templates = g_strdup(y19 && y21 ? "both" : y19 ? "2019" : "2021");
    for(size_t i = 0; i < G_N_ELEMENTS(pro_fields); i++)
      if(!strcmp(pro_fields[i].field, field)) {
        const char *fl = pro_fields[i].label;
        /* 2021 asks for 本年处理决定数量 and 本年收费金额. */
        if(!y19 && !strcmp(field, "decisions"))
          fl = "本年处理决定数量";
        if(!y19 && !strcmp(key, "fees") && !strcmp(field, "amount_wan"))
          fl = "本年收费金额（万元）";
        c->label_zh = g_strdup_printf("二、%s｜%s", rl, fl);
        c->unit = g_strdup(pro_fields[i].unit);
        c->datatype = g_strdup(pro_fields[i].type);
      }
    c->meaning = g_strdup_printf("Section 2 (proactive disclosure), %s: %s", key, field);
    g_free(key);
  } else if(g_str_has_prefix(n, "applications.") && last && first != last) {
    char *path = g_strndup(first + 1, (size_t)(last - first - 1));
    int col = -1;
    for(int i = 0; i < GH_APP_COLS; i++)
      if(!strcmp(gh_app_cols[i], last + 1))
        col = i;
    for(int r = 0; r < GH_APP_N && col >= 0; r++) {
      if(strcmp(gh_app_rows[r].path, path))
        continue;
      const char *group = app_group(path);
      /* The rows carry the form's own numbering (一、… （一）… 1.…). */
      c->label_zh = g_strdup_printf("%s%s%s｜%s", group ? group : "", group ? "｜" : "",
                                    gh_app_rows[r].label, app_col_zh[col]);
      c->templates = g_strdup(gh_app_rows[r].only_2021 ? "2021" : "both");
      c->meaning = g_strdup_printf("Section 3 (requests for disclosure), row %s, from %s", path,
                                   app_col_en[col]);
    }
    c->section = g_strdup("applications");
    c->unit = g_strdup("件");
    c->datatype = g_strdup("integer");
    g_free(path);
  } else if(g_str_has_prefix(n, "appeals.") && last && first != last) {
    char *group = g_strndup(first + 1, (size_t)(last - first - 1));
    for(int g = 0; g < GH_APPEAL_N; g++)
      for(int k = 0; k < GH_APPEAL_COLS; k++)
        if(!strcmp(gh_appeal_groups[g], group) && !strcmp(gh_appeal_cols[k], last + 1))
          c->label_zh = g_strdup_printf("四、%s｜%s", appeal_group_zh[g], appeal_col_zh[k]);
    c->section = g_strdup("appeals");
    c->templates = g_strdup("both");
    c->unit = g_strdup("件");
    c->datatype = g_strdup("integer");
    c->meaning = g_strdup_printf("Section 4 (administrative review and litigation), %s: %s cases",
                                 group, last + 1);
    g_free(group);
  }
  /* Every column has a label: a new one without is a build-time mistake
   * the dictionary test names. */
  if(!c->label_zh)
    c->label_zh = g_strdup(n);
  if(!c->section)
    c->section = g_strdup("");
  if(!c->templates)
    c->templates = g_strdup("both");
  if(!c->unit)
    c->unit = g_strdup("");
  if(!c->meaning)
    c->meaning = g_strdup("");
  if(!c->datatype)
    c->datatype = g_strdup("string");
}

GPtrArray *
gh_columns(void)
{
  GPtrArray *names = gh_export_csv_columns();
  GPtrArray *out = g_ptr_array_new_with_free_func(info_free);
  for(guint i = 0; i < names->len; i++) {
    struct gh_column_info *c = g_new0(struct gh_column_info, 1);
    c->name = g_strdup(names->pdata[i]);
    describe(c);
    g_ptr_array_add(out, c);
  }
  g_ptr_array_free(names, TRUE);
  return out;
}

GString *
gh_columns_csv(void)
{
  GString *s = g_string_new("column,label_zh,section,template,unit,meaning,datatype\n");
  GPtrArray *cols = gh_columns();
  for(guint i = 0; i < cols->len; i++) {
    const struct gh_column_info *c = cols->pdata[i];
    const char *f[] = { c->name, c->label_zh, c->section, c->templates, c->unit, c->meaning,
                        c->datatype };
    for(size_t k = 0; k < G_N_ELEMENTS(f); k++) {
      gh_csv_field(s, f[k]);
      g_string_append_c(s, k + 1 == G_N_ELEMENTS(f) ? '\n' : ',');
    }
  }
  g_ptr_array_unref(cols);
  return s;
}

json_t *
gh_columns_csvw(const char *csv_name)
{
  return gh_columns_csvw_of(csv_name, NULL);
}

json_t *
gh_columns_csvw_of(const char *csv_name, const GPtrArray *only)
{
  json_t *columns = json_array();
  GPtrArray *cols = gh_columns();
  GHashTable *by_name = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i < cols->len; i++)
    g_hash_table_insert(by_name, ((struct gh_column_info *)cols->pdata[i])->name, cols->pdata[i]);
  for(guint i = 0; i < (only ? only->len : cols->len); i++) {
    const char *name = only ? only->pdata[i] : ((struct gh_column_info *)cols->pdata[i])->name;
    const struct gh_column_info *c = g_hash_table_lookup(by_name, name);
    json_t *col;
    if(c) {
      col = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s}", "name", c->name, "titles", "zh",
                      c->label_zh, "en", c->name, "datatype", c->datatype, "dc:description",
                      c->meaning);
      if(*c->unit)
        json_object_set_new(col, "schema:unitText", json_string(c->unit));
    } else { /* a computed column (export_columns.h) */
      bool rate = strstr(name, "_rate") != NULL;
      col = json_pack("{s:s, s:{s:s, s:s}, s:s, s:s}", "name", name, "titles", "zh",
                      gh_export_derived_label(name), "en", name, "datatype",
                      rate ? "number" : "integer", "dc:description",
                      gh_export_derived_meaning(name));
    }
    json_array_append_new(columns, col);
  }
  g_hash_table_destroy(by_name);
  g_ptr_array_unref(cols);
  return json_pack("{s:[s,{s:s}], s:s, s:s, s:s, s:{s:b, s:s}, s:{s:o}}", "@context",
                   "http://www.w3.org/ns/csvw", "@language", "zh", "url", csv_name, "dc:title", "政府信息公开工作年度报告 (govharvest export)",
                   "dc:description",
                   "One row per agency and year; columns described in columns.csv",
                   "dialect", "header", 1, "encoding", "utf-8", "tableSchema", "columns",
                   columns);
}

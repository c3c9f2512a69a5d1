/* Columns people start from: named presets of the CSV columns, and the
 * columns computed from a record's cells (docs/exports.md, docs/recipes.md):
 *   - the section 二 counts of the 2019 and 2021 forms that mean the same
 *     thing, in one column (proactive.rules.new: 2019 本年新制作数量,
 *     2021 本年制发件数);
 *   - sums the form leaves to the reader (appeals.total, indicators.denied);
 *   - the indicators, each over the denominator the form gives it
 *     (indicators.grant_rate = 予以公开 / 三（七）总计).
 * One definition serves the CSV, the SQLite `indicators` view and the
 * data page, so the three cannot disagree. */
#ifndef GH_EXPORT_COLUMNS_H
#define GH_EXPORT_COLUMNS_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

/* The computed columns' names, in documentation order (NULL-terminated). */
const char *const *gh_export_derived_names(void);
/* Whether `col` is a computed column; its Chinese label and meaning. */
bool gh_export_is_derived(const char *col);
const char *gh_export_derived_label(const char *col);
const char *gh_export_derived_meaning(const char *col);
/* A column's value in `rec` (a CSV column or a computed one): false when
 * it is blank (a blank cell, a zero denominator). */
bool gh_export_number(json_t *rec, const char *col, double *out);
/* A computed column's CSV text ("" when blank); NULL when `col` is not
 * computed. */
char *gh_export_derived_text(json_t *rec, const char *col);

/* A preset's columns (g_ptr_array_unref; owns its strings): headline,
 * applications, appeals, indicators or all; NULL for another name. */
GPtrArray *gh_export_preset(const char *name);
#define GH_EXPORT_PRESETS "headline, applications, appeals, indicators, all"
/* A --columns list ("agency,year,indicators.grant_rate") checked against
 * the CSV's and the computed columns: NULL with *bad (g_free) naming the
 * first unknown one. */
GPtrArray *gh_export_columns_parse(const char *list, char **bad);

/* CREATE VIEW indicators ... over the SQLite export's reports and
 * report_cells (export_sqlite.c), g_free. */
char *gh_export_indicators_view_sql(void);

#endif

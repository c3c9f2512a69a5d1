/* The data dictionary: every CSV column with its Chinese label as the
 * national form prints it, its section, the table formats that have it, its
 * unit, what it means and its datatype.  Made from the record layout
 * (record/record.h) and the exporter's column list, so it cannot drift
 * from what `export` writes; docs/columns.csv is its output, installed
 * beside the program. */
#ifndef GH_COLUMNS_H
#define GH_COLUMNS_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct gh_column_info {
  char *name;     /* the CSV header: applications.new_received.total */
  char *label_zh; /* 一、本年新收政府信息公开申请数量｜总计 */
  char *section;  /* record, place, proactive, applications, appeals, checks, source */
  char *templates; /* 2019, 2021 or both */
  char *unit;     /* 件, 万元, 年, or empty */
  char *meaning;  /* one English sentence */
  char *datatype; /* CSVW: integer, number, string, date */
};

/* In CSV column order; g_ptr_array_unref frees it. */
GPtrArray *gh_columns(void);
/* columns.csv: column,label_zh,section,template,unit,meaning,datatype. */
GString *gh_columns_csv(void);
/* CSV on the Web metadata for a CSV export named `csv_name` (its base
 * name, as the url beside it): titles in zh and en (either header matches),
 * datatypes, units, meanings. */
json_t *gh_columns_csvw(const char *csv_name);
/* The same for a CSV of the columns `only` (CSV or computed columns, in
 * that order); NULL: every column. */
json_t *gh_columns_csvw_of(const char *csv_name, const GPtrArray *only);

#endif

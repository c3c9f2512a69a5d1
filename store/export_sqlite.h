/* The SQLite dump for analysts: reports, their cells (integers where the
 * form counts), checks and sources, with the region table, the data
 * dictionary (columns) and the rule names as lookup tables; `cells` and
 * `checks` views read as the long form, `applications` as one wide row per
 * report.  Indexed for an agency's years, a region, a cell, a rule. */
#ifndef GH_EXPORT_SQLITE_H
#define GH_EXPORT_SQLITE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct gh_sqlite_out;
/* Writes to PATH.tmp; close(…, true) renames it over PATH, so a reader
 * never sees a half-written database.  with_json: keep each record's whole
 * JSON in reports.record (about ten times the rest). */
struct gh_sqlite_out *gh_sqlite_out_open(const char *path, bool with_json, GError **err);
bool gh_sqlite_out_add(struct gh_sqlite_out *o, json_t *rec, GError **err);
bool gh_sqlite_out_close(struct gh_sqlite_out *o, bool commit, GError **err);

#endif

/* The SQLite dump: reports, cells (long form), checks and sources, indexed
 * for the questions analysts ask (an agency's years, a region, a rule). */
#ifndef GH_EXPORT_SQLITE_H
#define GH_EXPORT_SQLITE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct gh_sqlite_out;
/* Writes to PATH.tmp; close(…, true) renames it over PATH, so a reader
 * never sees a half-written database. */
struct gh_sqlite_out *gh_sqlite_out_open(const char *path, GError **err);
bool gh_sqlite_out_add(struct gh_sqlite_out *o, json_t *rec, GError **err);
bool gh_sqlite_out_close(struct gh_sqlite_out *o, bool commit, GError **err);

#endif

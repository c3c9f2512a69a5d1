/* Streaming dumps of the current records for analysts.  One read
 * transaction, one record in memory at a time: memory stays flat whatever
 * the store's size, and a running crawler is never blocked. */
#ifndef GH_EXPORT_H
#define GH_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "store.h"

enum gh_export_format { GH_EXPORT_JSONL, GH_EXPORT_CSV, GH_EXPORT_LONG, GH_EXPORT_SQLITE };

/* Each list is a union (NULL or empty: no condition); the lists are
 * intersected. */
struct gh_export_filter {
  GArray *years;        /* int pairs: inclusive [from, to] ranges */
  char **regions;       /* code prefixes ("5323" = all of 楚雄州) */
  char **agencies;      /* substrings of the agency name, or agency keys */
  char **statuses;      /* parsed, needs_ocr, ... */
  char **qualities;     /* ok, warning, error */
  bool failed_checks;   /* only records with a failing check */
};
/* Parses a --year value, "2023", "2020..2024", "2020.." or "..2022", into
 * `years`; false when it is none of these. */
bool gh_export_parse_years(const char *v, GArray *years);

struct gh_export_opts {
  enum gh_export_format format;
  struct gh_export_filter filter;
  bool excel; /* CSV: UTF-8 BOM and CRLF, so Excel reads Chinese text */
  bool header_zh; /* CSV: the Chinese labels of columns.csv as the header */
  const char *sqlite_path; /* GH_EXPORT_SQLITE: the database file to write */
  bool sqlite_json;        /* GH_EXPORT_SQLITE: keep each record's JSON too */
  /* GH_EXPORT_CSV: these columns in this order (export_columns.h: presets,
   * --columns, computed columns); NULL: every column. */
  const GPtrArray *columns;
};

/* The CSV header, in order: the documented column names. */
GPtrArray *gh_export_csv_columns(void);

/* Writes every matching record; *written counts them.  Each record gains
 * the cross-year checks (record/crossyear.h) against the same agency's
 * previous year, and a `republished` warning when history holds an earlier
 * parsed version.  GH_EXPORT_SQLITE writes to o->sqlite_path (replaced
 * whole, atomically) and ignores `out`.  False with *err on a store or
 * write error. */
bool gh_export(struct gh_store *st, const struct gh_export_opts *o, FILE *out, guint64 *written,
               GError **err);

/* Export files appear whole or not at all: the bytes go to a temporary
 * file (0640) in the target's directory, which is fsynced and renamed over
 * the target, so a kill or a full disk leaves the previous export in
 * place; temporary files a killed export left are removed.  A target that
 * is not a regular file (gh_export_in_place) is written in place instead.
 * The path must not lie inside the store's directory (`store_dir`). */
struct gh_export_file;
FILE *gh_export_file_open(const char *path, const char *store_dir, struct gh_export_file **out,
                          GError **err);
/* Flushes, fsyncs, renames into place and frees. */
bool gh_export_file_commit(struct gh_export_file *f, GError **err);
/* The commit's first half: flushed, synced and closed, not yet renamed, so
 * two files (a CSV and its metadata) can both be complete on disk before
 * either replaces its old version.  The commit then only renames. */
bool gh_export_file_prepare(struct gh_export_file *f, GError **err);
/* Whether `path` is written where it is instead of replaced: a device, a
 * FIFO, a socket, or a name for a descriptor (/dev/stdout, /dev/fd/N):
 * gh_export_file_open opens such a target and writes into it. */
bool gh_export_in_place(const char *path);
bool gh_export_file_is_in_place(const struct gh_export_file *f);
/* Removes the temporary file and frees (NULL is fine). */
void gh_export_file_abort(struct gh_export_file *f);
/* false with *err when `path` lies inside `store_dir`. */
bool gh_export_path_ok(const char *path, const char *store_dir, GError **err);
/* fsync of a finished file and of its directory's entry for it. */
bool gh_export_sync(const char *path, int fd, GError **err);

/* Appends `v` as one RFC 4180 field (quoted when it holds a comma, quote,
 * CR or LF; quotes doubled).  Every CSV govharvest writes goes through it. */
void gh_csv_field(GString *line, const char *v);

/* The value a CSV column (gh_export_csv_columns) holds in a record,
 * borrowed; NULL when absent. */
json_t *gh_export_value(json_t *rec, const char *column);

/* What every export adds to a stored record: agency_key (for records of
 * older stores), the names and codes of its province, prefecture and
 * county (null where the region does not reach that level), and quality:
 * "error" (not parsed, or an error-level check failed), "warning" (parsed,
 * but a warning-level check failed or the record has warnings) or "ok". */
void gh_export_annotate(json_t *rec);
const char *gh_export_quality(json_t *rec);
/* A record path (applications.new_received[6]) as the CSV column that
 * holds it (applications.new_received.total); g_free. */
char *gh_export_column_of_path(const char *path);

#endif

/* govharvest export: the analysts' dump of the current records. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../record/record.h"
#include "../store/columns.h"
#include "../store/export.h"
#include "../store/export_columns.h"
#include "cli.h"

/* FILE-metadata.json beside a CSV export (CSV on the Web), written and
 * synced but not yet in place: NULL (said why) when that failed. */
static struct gh_export_file *
prepare_csvw(const char *csv, const char *store_dir, const GPtrArray *cols)
{
  GError *err = NULL;
  char *path = g_strconcat(csv, "-metadata.json", NULL), *base = g_path_get_basename(csv);
  struct gh_export_file *f = NULL;
  FILE *out = gh_export_file_open(path, store_dir, &f, &err);
  json_t *meta = gh_columns_csvw_of(base, cols);
  bool ok = out && json_dumpf(meta, out, JSON_INDENT(1)) == 0 &&
            fputc('\n', out) != EOF && gh_export_file_prepare(f, &err);
  if(!ok) {
    fprintf(stderr, "govharvest export: %s: %s\n", path, err ? err->message : g_strerror(errno));
    gh_export_file_abort(f);
    f = NULL;
  }
  json_decref(meta);
  g_clear_error(&err);
  g_free(path);
  g_free(base);
  return f;
}

/* The export `f` into place, and for a CSV its metadata beside it: both
 * complete on disk before either replaces its old version, so a full disk
 * leaves the old pair, never a new CSV with old metadata.  Takes `f`. */
static bool
commit_export(struct gh_export_file *f, bool csv, const char *path, const char *store_dir,
              const GPtrArray *cols)
{
  GError *err = NULL;
  struct gh_export_file *meta = NULL;
  bool ok = gh_export_file_prepare(f, &err);
  if(ok && csv && !gh_export_file_is_in_place(f) && !(meta = prepare_csvw(path, store_dir, cols)))
    ok = false;
  else if(!ok)
    fprintf(stderr, "govharvest export: %s\n", err->message);
  g_clear_error(&err);
  if(!ok) {
    gh_export_file_abort(f);
    return false;
  }
  ok = gh_export_file_commit(f, &err);
  if(ok && meta) {
    ok = gh_export_file_commit(meta, &err);
    meta = NULL;
  }
  if(!ok)
    fprintf(stderr, "govharvest export: %s\n", err->message);
  gh_export_file_abort(meta);
  g_clear_error(&err);
  return ok;
}

static int write_dictionary(const char *output);

/* export --all: every format into `dir`, each file replaced whole, so an
 * analyst's reader never sees a half-written one. */
static int
export_all(struct gh_store *st, struct gh_export_opts *o, const char *dir)
{
  GError *err = NULL;
  if(g_mkdir_with_parents(dir, 0750) < 0) {
    fprintf(stderr, "govharvest export: cannot create %s: %s\n", dir, g_strerror(errno));
    return GH_EXIT_FAILED;
  }
  static const struct {
    enum gh_export_format format;
    const char *name;
  } files[] = { { GH_EXPORT_JSONL, "records.jsonl" }, { GH_EXPORT_CSV, "records.csv" },
                { GH_EXPORT_SQLITE, "records.sqlite" } };
  int rc = GH_EXIT_OK;
  for(size_t i = 0; i < G_N_ELEMENTS(files) && rc == GH_EXIT_OK; i++) {
    char *path = g_build_filename(dir, files[i].name, NULL);
    o->format = files[i].format;
    o->sqlite_path = path;
    guint64 n = 0;
    struct gh_export_file *f = NULL;
    FILE *out = NULL;
    if(files[i].format != GH_EXPORT_SQLITE &&
       !(out = gh_export_file_open(path, gh_store_dir(st), &f, &err))) {
      fprintf(stderr, "govharvest export: %s\n", err->message);
      rc = GH_EXIT_FAILED;
    } else if(!gh_export(st, o, out, &n, &err)) {
      gh_export_file_abort(f);
      rc = gh_cli_store_failure("export", err);
    } else if(f && !commit_export(f, files[i].format == GH_EXPORT_CSV, path, gh_store_dir(st), NULL)) {
      rc = GH_EXIT_FAILED;
    } else if(i == 0) {
      fprintf(stderr, "govharvest export: %" G_GUINT64_FORMAT " records into %s\n", n, dir);
    }
    g_clear_error(&err);
    g_free(path);
  }
  o->sqlite_path = NULL;
  if(rc == GH_EXIT_OK) {
    char *path = g_build_filename(dir, "columns.csv", NULL);
    rc = write_dictionary(path);
    g_free(path);
  }
  return rc;
}

static int
write_dictionary(const char *output)
{
  GString *csv = gh_columns_csv();
  GError *err = NULL;
  int rc = GH_EXIT_OK;
  if(!output || !strcmp(output, "-")) {
    if(fwrite(csv->str, 1, csv->len, stdout) != csv->len || fflush(stdout) != 0) {
      fprintf(stderr, "govharvest export: standard output: %s\n", g_strerror(errno));
      rc = GH_EXIT_FAILED;
    }
  } else if(!g_file_set_contents(output, csv->str, (gssize)csv->len, &err)) {
    fprintf(stderr, "govharvest export: %s\n", err->message);
    g_error_free(err);
    rc = GH_EXIT_FAILED;
  }
  g_string_free(csv, TRUE);
  return rc;
}

int
gh_cmd_export(int argc, char **argv)
{
  char *format = NULL, *output = NULL, *header = NULL, *columns = NULL, *preset = NULL;
  GPtrArray *cols = NULL;
  char **years = NULL, **regions = NULL, **agencies = NULL, **statuses = NULL, **qualities = NULL;
  gboolean excel = FALSE, failed = FALSE, dictionary = FALSE, with_json = FALSE, all = FALSE;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "jsonl (default), csv, long (one row per cell), or sqlite (needs -o FILE)", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write to FILE (replaced whole, atomically; - is standard output).  A CSV file gets "
      "FILE-metadata.json beside it (CSV on the Web: labels, units, datatypes)", "FILE" },
    { "excel", 0, 0, G_OPTION_ARG_NONE, &excel,
      "CSV for Excel: UTF-8 byte-order mark and CRLF line ends (csv and long only)", NULL },
    { "header", 0, 0, G_OPTION_ARG_STRING, &header,
      "CSV header: en (the column names, default) or zh (the national form's labels)", "LANG" },
    { "year", 0, 0, G_OPTION_ARG_STRING_ARRAY, &years,
      "Only reports on YEAR or a range (2020..2024, 2022.., ..2021); repeat for more", "YEARS" },
    { "region", 0, 0, G_OPTION_ARG_STRING_ARRAY, &regions,
      "Only regions whose GB/T 2260 code starts with PREFIX (5323 = 楚雄州), or in the place "
      "NAME (楚雄彝族自治州); repeat for more", "PREFIX|NAME" },
    { "agency", 0, 0, G_OPTION_ARG_STRING_ARRAY, &agencies,
      "Only agencies whose name contains TEXT, or whose agency_key is TEXT; repeat for more",
      "TEXT" },
    { "status", 0, 0, G_OPTION_ARG_STRING_ARRAY, &statuses,
      "Only records of STATUS (parsed, needs_ocr, tables_not_found, ...); repeat for more",
      "STATUS" },
    { "quality", 0, 0, G_OPTION_ARG_STRING_ARRAY, &qualities,
      "Only records of QUALITY (ok, warning, error); repeat for more", "QUALITY" },
    { "with-json", 0, 0, G_OPTION_ARG_NONE, &with_json,
      "SQLite: keep each record's whole JSON in reports.record", NULL },
    { "failed-checks", 0, 0, G_OPTION_ARG_NONE, &failed,
      "Only records with at least one failing check", NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      "Write every format into [export] dir (or -o DIR): records.jsonl, records.csv with its "
      "metadata, records.sqlite and columns.csv, each replaced whole; the nightly unit's job",
      NULL },
    { "columns", 0, 0, G_OPTION_ARG_STRING, &columns,
      "CSV: only these columns, in this order (comma-separated names of columns.csv, or the "
      "computed ones of docs/exports.md such as indicators.grant_rate)", "LIST" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset,
      "CSV: a named set of columns: headline (the few most analyses start from), applications, "
      "appeals, indicators (the rates of docs/recipes.md) or all", "NAME" },
    { "dictionary", 0, 0, G_OPTION_ARG_NONE, &dictionary,
      "Write the data dictionary (columns.csv: column, Chinese label, section, template, unit, "
      "meaning, datatype) instead of records; needs no store", NULL },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  struct gh_export_opts o = { 0 };
  o.filter.years = g_array_new(FALSE, FALSE, sizeof(int));
  int rc = GH_EXIT_OK;
  struct gh_store *st = NULL;
  FILE *out = NULL;
  struct gh_export_file *file = NULL;
  GError *err = NULL;
  if(!gh_cli_parse("export", NULL,
                   "Write the stored records, one per line (jsonl), one row per agency and\n"
                   "year (csv), or one row per cell (long).  Streams: memory stays flat.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(dictionary) {
    rc = write_dictionary(output);
    goto out;
  }
  if(all) {
    if(format) {
      fprintf(stderr, "govharvest export: --all writes every format; drop --format\n");
      rc = GH_EXIT_USAGE;
      goto out;
    }
    o.format = GH_EXPORT_JSONL;
  } else if(!format || !strcmp(format, "jsonl"))
    o.format = GH_EXPORT_JSONL;
  else if(!strcmp(format, "csv"))
    o.format = GH_EXPORT_CSV;
  else if(!strcmp(format, "long"))
    o.format = GH_EXPORT_LONG;
  else if(!strcmp(format, "sqlite"))
    o.format = GH_EXPORT_SQLITE;
  else {
    fprintf(stderr, "govharvest export: unknown --format '%s' (jsonl, csv, long, sqlite)\n", format);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if((columns || preset) && !format && !all)
    o.format = GH_EXPORT_CSV; /* a choice of columns is a CSV's */
  if(o.format == GH_EXPORT_SQLITE && (!output || !strcmp(output, "-"))) {
    fprintf(stderr, "govharvest export: --format sqlite writes a database file: give -o FILE\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(excel && o.format != GH_EXPORT_CSV && o.format != GH_EXPORT_LONG) {
    fprintf(stderr, "govharvest export: --excel applies to --format csv and long only\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(header && strcmp(header, "en") && strcmp(header, "zh")) {
    fprintf(stderr, "govharvest export: unknown --header '%s' (en, zh)\n", header);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(header && o.format != GH_EXPORT_CSV) {
    fprintf(stderr, "govharvest export: --header applies to --format csv only\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  for(char **y = years; y && *y; y++)
    if(!gh_export_parse_years(*y, o.filter.years)) {
      fprintf(stderr, "govharvest export: --year '%s' is not a year or a range (2020..2024)\n", *y);
      rc = GH_EXIT_USAGE;
      goto out;
    }
  for(char **q = qualities; q && *q; q++)
    if(strcmp(*q, "ok") && strcmp(*q, "warning") && strcmp(*q, "error")) {
      fprintf(stderr, "govharvest export: --quality '%s' is not ok, warning or error\n", *q);
      rc = GH_EXIT_USAGE;
      goto out;
    }
  if(!gh_cli_region_prefixes("export", regions, &rc))
    goto out;
  for(char **q = statuses; q && *q; q++) {
    bool known = false;
    for(int i = 0; i <= GH_STATUS_LAST && !known; i++)
      known = !strcmp(*q, gh_status_name((enum gh_status)i));
    if(!known) {
      GString *names = g_string_new(NULL);
      for(int i = 0; i <= GH_STATUS_LAST; i++)
        g_string_append_printf(names, "%s%s", i ? ", " : "", gh_status_name((enum gh_status)i));
      fprintf(stderr, "govharvest export: --status '%s' is not one of %s\n", *q, names->str);
      g_string_free(names, TRUE);
      rc = GH_EXIT_USAGE;
      goto out;
    }
  }
  if(columns || preset) {
    char *bad = NULL;
    if(columns && preset) {
      fprintf(stderr, "govharvest export: give --columns or --preset, not both\n");
      rc = GH_EXIT_USAGE;
      goto out;
    }
    if(all || (format && o.format != GH_EXPORT_CSV)) {
      fprintf(stderr, "govharvest export: --%s applies to --format csv only\n",
              columns ? "columns" : "preset");
      rc = GH_EXIT_USAGE;
      goto out;
    }
    if(preset && !(cols = gh_export_preset(preset))) {
      fprintf(stderr, "govharvest export: unknown --preset '%s' (%s)\n", preset, GH_EXPORT_PRESETS);
      rc = GH_EXIT_USAGE;
      goto out;
    }
    if(columns && !(cols = gh_export_columns_parse(columns, &bad))) {
      fprintf(stderr, "govharvest export: --columns: '%s' is not a column ('govharvest export "
                      "--dictionary' lists them; docs/exports.md the computed ones)\n", bad);
      g_free(bad);
      rc = GH_EXIT_USAGE;
      goto out;
    }
    o.columns = cols;
  }
  if(with_json && o.format != GH_EXPORT_SQLITE) {
    fprintf(stderr, "govharvest export: --with-json applies to --format sqlite only\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  o.sqlite_path = output;
  o.sqlite_json = with_json;
  o.excel = excel;
  o.header_zh = header && !strcmp(header, "zh");
  o.filter.regions = regions;
  o.filter.agencies = agencies;
  o.filter.statuses = statuses;
  o.filter.qualities = qualities;
  o.filter.failed_checks = failed;
  if(!(st = gh_cli_open_store(&common.cfg, GH_STORE_READ, &rc)))
    goto out;
  if(all) {
    rc = export_all(st, &o, output ? output : common.cfg.export_dir);
    goto out;
  }
  if(output && !strcmp(output, "-") && o.format != GH_EXPORT_SQLITE) {
    g_free(output);
    output = NULL;
  }
  if(output && o.format == GH_EXPORT_SQLITE && !gh_export_path_ok(output, gh_store_dir(st), &err)) {
    fprintf(stderr, "govharvest export: %s\n", err->message);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  out = o.format == GH_EXPORT_SQLITE ? NULL
        : output                     ? gh_export_file_open(output, gh_store_dir(st), &file, &err)
                                     : stdout;
  if(!out && o.format != GH_EXPORT_SQLITE) {
    fprintf(stderr, "govharvest export: %s\n", err->message);
    rc = g_error_matches(err, g_quark_from_static_string("gh-export"), EINVAL) ? GH_EXIT_USAGE
                                                                                : GH_EXIT_FAILED;
    goto out;
  }
  guint64 n = 0;
  if(!gh_export(st, &o, out, &n, &err)) {
    rc = gh_cli_store_failure("export", err);
    goto out;
  }
  if(n == 0)
    fprintf(stderr, "govharvest export: 0 records matched\n");
  if(file) {
    struct gh_export_file *f = file;
    file = NULL;
    if(!commit_export(f, o.format == GH_EXPORT_CSV, output, gh_store_dir(st), o.columns))
      rc = GH_EXIT_FAILED;
  } else if(out && fflush(out) != 0) {
    fprintf(stderr, "govharvest export: standard output: %s\n", g_strerror(errno));
    rc = GH_EXIT_FAILED;
  }
out:
  gh_export_file_abort(file); /* an export that failed leaves the previous one */
  g_clear_error(&err);
  gh_store_close(st);
  g_free(format);
  g_free(output);
  g_free(header);
  g_free(columns);
  g_free(preset);
  if(cols)
    g_ptr_array_unref(cols);
  g_strfreev(years);
  g_strfreev(regions);
  g_strfreev(agencies);
  g_strfreev(statuses);
  g_strfreev(qualities);
  g_array_unref(o.filter.years);
  gh_cli_common_clear(&common);
  return rc;
}

/* govharvest export: the analysts' dump of the current records. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../store/export.h"
#include "cli.h"

int
gh_cmd_export(int argc, char **argv)
{
  char *format = NULL, *output = NULL, *region = NULL, *agency = NULL;
  int year = 0;
  gboolean excel = FALSE, failed = FALSE;
  GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      "jsonl (default), csv, long (one row per cell), or sqlite (needs -o FILE)", "FORMAT" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (replaced whole, atomically; - is standard output)", "FILE" },
    { "excel", 0, 0, G_OPTION_ARG_NONE, &excel,
      "CSV for Excel: UTF-8 byte-order mark and CRLF line ends", NULL },
    { "year", 0, 0, G_OPTION_ARG_INT, &year, "Only reports on year YEAR", "YEAR" },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region,
      "Only regions whose GB/T 2260 code starts with PREFIX (5323 = 楚雄州)", "PREFIX" },
    { "agency", 0, 0, G_OPTION_ARG_STRING, &agency, "Only agencies whose name contains TEXT",
      "TEXT" },
    { "failed-checks", 0, 0, G_OPTION_ARG_NONE, &failed,
      "Only records with at least one failing check", NULL },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
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
  struct gh_export_opts o = { 0 };
  if(!format || !strcmp(format, "jsonl"))
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
  if(o.format == GH_EXPORT_SQLITE && !output) {
    fprintf(stderr, "govharvest export: --format sqlite writes a database file: give -o FILE\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  o.sqlite_path = output;
  o.excel = excel;
  o.filter.year = year;
  o.filter.region = region;
  o.filter.agency = agency;
  o.filter.failed_checks = failed;
  if(!(st = gh_cli_open_store(&common.cfg, GH_STORE_READ, &rc)))
    goto out;
  if(output && !strcmp(output, "-") && o.format != GH_EXPORT_SQLITE) {
    g_free(output);
    output = NULL;
  }
  if(output && o.format == GH_EXPORT_SQLITE && !gh_export_path_ok(output, st->dir, &err)) {
    fprintf(stderr, "govharvest export: %s\n", err->message);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  out = o.format == GH_EXPORT_SQLITE ? NULL
        : output                     ? gh_export_file_open(output, st->dir, &file, &err)
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
  if(file) {
    struct gh_export_file *f = file;
    file = NULL;
    if(!gh_export_file_commit(f, &err)) {
      fprintf(stderr, "govharvest export: %s\n", err->message);
      rc = GH_EXIT_FAILED;
    }
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
  g_free(region);
  g_free(agency);
  gh_cli_common_clear(&common);
  return rc;
}

/* govharvest stats: how the harvest stands. */
#include <stdio.h>

#include "../store/export.h"
#include "../store/stats.h"
#include "../store/stats_html.h"
#include "cli.h"

static gint64 gaps_max = 20;

static gboolean
gaps_option(const char *name, const char *value, gpointer data, GError **err)
{
  (void)name;
  (void)data;
  guint64 n = 0;
  if(!value) {
    gaps_max = 0; /* all */
    return TRUE;
  }
  if(!g_ascii_string_to_unsigned(value, 10, 1, G_MAXINT32, &n, NULL)) {
    g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "--gaps takes a positive number ('%s')", value);
    return FALSE;
  }
  gaps_max = (gint64)n;
  return TRUE;
}

int
gh_cmd_stats(int argc, char **argv)
{
  gboolean as_json = FALSE, urls = FALSE, by_seed = FALSE, csv = FALSE;
  gint by_region = 0;
  char *html = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print one JSON object", NULL },
    { "gaps", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, (gpointer)gaps_option,
      "List N entries of the gap and seed-miss lists (default 20; --gaps alone: all)", "N" },
    { "by-seed", 0, 0, G_OPTION_ARG_NONE, &by_seed,
      "Per seed: column found, links, documents, records by status, errors by kind", NULL },
    { "by-region", 0, 0, G_OPTION_ARG_INT, &by_region,
      "Records by region x year: 2 (province), 4 (prefecture) or 6 (county) digits", "2|4|6" },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv, "With --by-seed or --by-region: CSV", NULL },
    { "html", 0, 0, G_OPTION_ARG_FILENAME, &html,
      "Write the coverage picture to FILE: one self-contained page with a province x year "
      "matrix, the failing checks and every record by county with its source", "FILE" },
    { "urls", 0, 0, G_OPTION_ARG_NONE, &urls,
      "Print every URL's crawl state instead, one JSON object per line", NULL },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  struct gh_store *st = NULL;
  GError *err = NULL;
  if(!gh_cli_parse("stats", NULL,
                   "Counts over the store: records by year, template, format and status,\n"
                   "URL states, errors by kind and by host, and the gap list (agencies\n"
                   "whose report for a year is missing although earlier years were found).",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(by_region && by_region != 2 && by_region != 4 && by_region != 6) {
    fprintf(stderr, "govharvest stats: --by-region takes 2, 4 or 6 (digits of the code)\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(csv && !by_seed && !by_region) {
    fprintf(stderr, "govharvest stats: --csv goes with --by-seed or --by-region\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(by_seed && by_region) {
    fprintf(stderr, "govharvest stats: --by-seed or --by-region, one at a time\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(!(st = gh_cli_open_store(&common.cfg, GH_STORE_READ, &rc)))
    goto out;
  if(urls) {
    if(!gh_stats_urls(st, stdout, &err))
      rc = gh_cli_store_failure("stats", err);
    goto out;
  }
  if(html) {
    struct gh_export_file *f = NULL;
    FILE *page = gh_export_file_open(html, gh_store_dir(st), &f, &err);
    if(!page) {
      fprintf(stderr, "govharvest stats: %s\n", err->message);
      rc = GH_EXIT_FAILED;
    } else if(!gh_stats_html(st, page, &err)) {
      gh_export_file_abort(f);
      rc = gh_cli_store_failure("stats", err);
    } else if(!gh_export_file_commit(f, &err)) {
      fprintf(stderr, "govharvest stats: %s\n", err->message);
      rc = GH_EXIT_FAILED;
    }
    goto out;
  }
  json_t *s = gh_stats(st, &err);
  if(!s) {
    rc = gh_cli_store_failure("stats", err);
    goto out;
  }
  if(by_seed) {
    gh_stats_print_by_seed(s, stdout, csv);
  } else if(by_region) {
    gh_stats_print_by_region(s, by_region, stdout, csv);
  } else if(as_json) {
    json_dumpf(s, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
    fputc('\n', stdout);
  } else {
    gh_stats_print(s, stdout, (size_t)gaps_max);
  }
  json_decref(s);
  if(fflush(stdout) != 0)
    rc = GH_EXIT_FAILED;
out:
  g_free(html);
  g_clear_error(&err);
  gh_store_close(st);
  gh_cli_common_clear(&common);
  return rc;
}

/* govharvest stats: how the harvest stands. */
#include <stdio.h>

#include "../store/stats.h"
#include "cli.h"

int
gh_cmd_stats(int argc, char **argv)
{
  gboolean as_json = FALSE, urls = FALSE, all = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "Print one JSON object", NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      "Print the whole gap list and seed-miss lists (the text form shows 20 of each)", NULL },
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
  if(!(st = gh_cli_open_store(&common.cfg, GH_STORE_READ, &rc)))
    goto out;
  if(urls) {
    if(!gh_stats_urls(st, stdout, &err))
      rc = gh_cli_store_failure("stats", err);
    goto out;
  }
  json_t *s = gh_stats(st, &err);
  if(!s) {
    rc = gh_cli_store_failure("stats", err);
    goto out;
  }
  if(as_json) {
    json_dumpf(s, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
    fputc('\n', stdout);
  } else {
    gh_stats_print(s, stdout, all ? 0 : 20);
  }
  json_decref(s);
  if(fflush(stdout) != 0)
    rc = GH_EXIT_FAILED;
out:
  g_clear_error(&err);
  gh_store_close(st);
  gh_cli_common_clear(&common);
  return rc;
}

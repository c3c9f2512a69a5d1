/* govharvest check: is every part of the store readable and consistent? */
#include <stdio.h>

#include "../store/check.h"
#include "cli.h"

int
gh_cmd_check(int argc, char **argv)
{
  GOptionEntry entries[] = { G_OPTION_ENTRY_NULL };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  struct gh_store *st = NULL;
  GError *err = NULL;
  if(!gh_cli_parse("check", NULL,
                   "Read the whole store: every record, history entry, URL state, queue entry\n"
                   "and host decodes, every raw document decompresses to its SHA-256, every\n"
                   "record sits under its agency and year, every queued URL has its state.\n"
                   "Prints one line per problem; exit 1 if there is any.  Runs beside a\n"
                   "crawler or daemon (one read transaction).",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(!(st = gh_cli_open_store(&common.cfg, GH_STORE_READ, &rc)))
    goto out;
  struct gh_check_summary s;
  if(!gh_store_check(st, stdout, &s, &err)) {
    rc = gh_cli_store_failure("check", err);
    goto out;
  }
  fprintf(s.problems ? stderr : stdout,
          "check: %s: %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT " in history, %" G_GUINT64_FORMAT
          " documents, %" G_GUINT64_FORMAT " URL states, %" G_GUINT64_FORMAT " queued, %" G_GUINT64_FORMAT
          " hosts: %" G_GUINT64_FORMAT " problem%s\n",
          gh_store_dir(st), s.records, s.history, s.docs, s.urls, s.queue, s.hosts, s.problems,
          s.problems == 1 ? "" : "s");
  if(s.unrecorded)
    printf("check: %" G_GUINT64_FORMAT " stored report document%s without a record (listed "
           "above): run 'govharvest reparse'\n", s.unrecorded, s.unrecorded == 1 ? "" : "s");
  if(s.problems)
    rc = GH_EXIT_FAILED;
out:
  g_clear_error(&err);
  gh_store_close(st);
  gh_cli_common_clear(&common);
  return rc;
}

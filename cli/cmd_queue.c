/* govharvest queue: ask the running daemon to crawl seeds now.  It cannot
 * open the store for writing while the daemon holds it, so the request is
 * a file in the daemon's spool (store/requests.h). */
#include <stdio.h>
#include <string.h>

#include "../crawler/url.h"
#include "../store/requests.h"
#include "cli.h"

int
gh_cmd_queue(int argc, char **argv)
{
  char **seeds = NULL, **regions = NULL;
  gboolean refetch = FALSE;
  GOptionEntry entries[] = {
    GH_CLI_NOW_ENTRIES(&seeds, &regions, &refetch),
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  GError *err = NULL;
  char *path = NULL;
  if(!gh_cli_parse("queue", NULL,
                   "Ask the running daemon to crawl some seeds now: the request goes to\n"
                   "STORE/requests/, which the daemon looks at every second; it pauses\n"
                   "its crawl, crawls these seeds (even where this cycle already did),\n"
                   "and goes on.  Without a daemon, use crawl --seed/--region instead.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(!seeds && !regions) {
    fprintf(stderr, "govharvest queue: say what to crawl: --seed URL or --region PREFIX\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  for(char **u = seeds; u && *u; u++) {
    char *norm = gh_url_resolve(NULL, *u);
    if(!norm) {
      fprintf(stderr, "govharvest queue: '%s' is not an http(s) URL\n", *u);
      rc = GH_EXIT_USAGE;
      goto out;
    }
    g_free(norm);
  }
  for(char **r = regions; r && *r; r++)
    if(!**r || strspn(*r, "0123456789") != strlen(*r) || strlen(*r) > 6) {
      fprintf(stderr, "govharvest queue: --region '%s' is not a code prefix (1 to 6 digits)\n", *r);
      rc = GH_EXIT_USAGE;
      goto out;
    }
  if(!g_file_test(common.cfg.store_path, G_FILE_TEST_IS_DIR)) {
    fprintf(stderr, "govharvest queue: store %s does not exist (is the daemon's store elsewhere? "
                    "--store DIR)\n",
            common.cfg.store_path);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(!gh_request_submit(common.cfg.store_path, seeds, regions, refetch, &path, &err)) {
    fprintf(stderr, "govharvest queue: %s\n", err->message);
    rc = GH_EXIT_FAILED;
    goto out;
  }
  printf("queued %s; a running daemon takes it up within seconds (see its journal)\n", path);
out:
  g_clear_error(&err);
  g_free(path);
  g_strfreev(seeds);
  g_strfreev(regions);
  gh_cli_common_clear(&common);
  return rc;
}

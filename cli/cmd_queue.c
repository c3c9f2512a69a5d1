/* govharvest queue: ask the running daemon to crawl seeds now.  It cannot
 * open the store for writing while the daemon holds it, so the request is
 * a file in the daemon's spool (store/requests.h). */
#include <stdio.h>
#include <string.h>

#include "../crawler/url.h"
#include "../store/requests.h"
#include "../store/spool.h"
#include "cli.h"

int
gh_cmd_queue(int argc, char **argv)
{
  char **seeds = NULL, **regions = NULL;
  gboolean refetch = FALSE;
  gint wait = 10;
  GOptionEntry entries[] = {
    GH_CLI_NOW_ENTRIES(&seeds, &regions, &refetch),
    { "wait", 'w', 0, G_OPTION_ARG_INT, &wait,
      "Seconds to wait for the daemon to take the request (default 10; 0: do not wait)",
      "SECONDS" },
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
                   "and goes on.  queue waits (--wait) until the daemon has taken the request\n"
                   "and says by which pid; without a daemon on the store it writes nothing,\n"
                   "says so and exits 1 (crawl --seed/--region crawls without one).  Run as\n"
                   "root, the request is handed to the store's owner.",
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
  if(!gh_cli_region_prefixes("queue", regions, &rc))
    goto out;
  if(!g_file_test(common.cfg.store_path, G_FILE_TEST_IS_DIR)) {
    fprintf(stderr, "govharvest queue: store %s does not exist (is the daemon's store elsewhere? "
                    "--store DIR)\n",
            common.cfg.store_path);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(wait < 0 || wait > 3600) {
    fprintf(stderr, "govharvest queue: --wait must be 0 to 3600 seconds\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  long pid = 0;
  if(!gh_store_writer_held(common.cfg.store_path, &pid)) {
    GString *how = g_string_new(NULL);
    for(char **u = seeds; u && *u; u++)
      g_string_append_printf(how, " --seed %s", *u);
    for(char **r = regions; r && *r; r++)
      g_string_append_printf(how, " --region %s", *r);
    fprintf(stderr, "govharvest queue: no daemon is running on the store %s (nothing holds it), so "
                    "nothing would take the request; nothing was queued.  Crawl now with:\n"
                    "  govharvest crawl --store %s%s\n"
                    "or start the daemon (systemctl start govharvest) and queue again.\n",
            common.cfg.store_path, common.cfg.store_path, how->str);
    g_string_free(how, TRUE);
    rc = GH_EXIT_FAILED;
    goto out;
  }
  if(!gh_request_submit(common.cfg.store_path, seeds, regions, refetch, &path, &err)) {
    fprintf(stderr, "govharvest queue: %s\n", err->message);
    rc = GH_EXIT_FAILED;
    goto out;
  }
  /* Root's file in the daemon user's spool: the daemon could read it but
   * not take it (rename) or delete it. */
  gh_spool_hand_over(common.cfg.store_path, path);
  printf("queued %s\n", path);
  fflush(stdout);
  if(wait == 0)
    goto out;
  /* Taken: renamed to *.taken (or already done and deleted). */
  gint64 until = g_get_monotonic_time() + (gint64)wait * G_USEC_PER_SEC;
  bool taken = false;
  while(!(taken = !g_file_test(path, G_FILE_TEST_EXISTS)) && g_get_monotonic_time() < until)
    g_usleep(100000);
  if(taken) {
    printf("taken by the daemon (pid %ld); its journal says how the crawl goes\n", pid);
  } else {
    fprintf(stderr, "govharvest queue: pid %ld holds the store but did not take the request "
                    "within %d s (a crawl rather than the daemon? a spool it cannot write?); the "
                    "request stays in %s\n",
            pid, wait, path);
    rc = GH_EXIT_FAILED;
  }
out:
  g_clear_error(&err);
  g_free(path);
  g_strfreev(seeds);
  g_strfreev(regions);
  gh_cli_common_clear(&common);
  return rc;
}

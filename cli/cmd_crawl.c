/* govharvest crawl: one crawl cycle over the seed list, then a summary. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../crawler/seeds.h"
#include "../crawler/crawl.h"
#include "../crawler/log.h"
#include "../store/stats.h"
#include "../store/store.h"
#include "cli.h"

static volatile sig_atomic_t stop_requested, stop_signal;

static void
on_signal(int sig)
{
  stop_signal = sig;
  stop_requested = 1;
  /* A second Ctrl-C kills at once. */
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
}

/* A completed cycle names the seeds of this run that yielded no column or
 * no report: such a miss is otherwise silent (the cycle is "complete"). */
static void
print_misses(struct gh_store *st, GPtrArray *seeds)
{
  GHashTable *mine = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i < seeds->len; i++)
    g_hash_table_add(mine, ((struct gh_seed *)seeds->pdata[i])->url);
  json_t *misses = gh_stats_seed_misses(st, mine, NULL);
  if(misses)
    gh_stats_print_misses(misses, stdout, 20);
  json_decref(misses);
  g_hash_table_destroy(mine);
}

int
gh_cmd_crawl(int argc, char **argv)
{
  char *seeds_file = NULL;
  char **resolve = NULL, **connect_to = NULL;
  double delay = -1;
  int max_pages = 0;
  gboolean quiet = FALSE, refetch = FALSE;
  char **only_seeds = NULL, **only_regions = NULL;
  GOptionEntry entries[] = {
    { "seeds", 0, 0, G_OPTION_ARG_FILENAME, &seeds_file,
      "Seed list (TSV: url, region_code, name); overrides [crawl] seeds", "FILE" },
    GH_CLI_HOSTMAP_ENTRIES(&resolve, &connect_to),
    { "delay", 0, 0, G_OPTION_ARG_DOUBLE, &delay,
      "Minimum seconds between two requests to one host ([crawl] delay)", "SECONDS" },
    { "max-pages", 0, 0, G_OPTION_ARG_INT, &max_pages,
      "Most pages fetched per host in this cycle ([crawl] max_pages_per_host)", "N" },
    GH_CLI_NOW_ENTRIES(&only_seeds, &only_regions, &refetch),
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      "No progress line; only warnings and errors logged (unless --log-level says otherwise)", NULL },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  GPtrArray *seeds = NULL, *all_seeds = NULL, *adhoc = NULL;
  struct gh_regions *regions = NULL;
  struct gh_store *st = NULL;
  GError *err = NULL;
  if(!gh_cli_parse("crawl", NULL,
                   "Crawl the seed portals: find their annual-report columns, fetch every\n"
                   "report, parse it and store the record.  Resumes an interrupted crawl.\n"
                   "Prints a summary; exit 0, or 1 when nothing could be fetched at all.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  struct gh_config *cfg = &common.cfg;
  if(delay >= 0)
    cfg->delay_seconds = delay;
  if(max_pages < 0 || (delay < 0 && delay != -1)) { /* -1: not given */
    fprintf(stderr, "govharvest crawl: --delay and --max-pages take positive numbers\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(max_pages > 0)
    cfg->max_pages_per_host = (guint64)max_pages;
  if(!gh_cli_add_hostmaps("crawl", cfg, resolve, connect_to, &rc))
    goto out;
  if(seeds_file) {
    g_free(cfg->seeds_file);
    cfg->seeds_file = g_strdup(seeds_file);
  }
  if(!gh_cli_region_prefixes("crawl", only_regions, &rc))
    goto out;
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  /* crawl --seed URL needs no list: without one (none given, the
   * configured one absent) the URLs are seeds of their own. */
  if(only_seeds && !seeds_file && !g_file_test(cfg->seeds_file, G_FILE_TEST_EXISTS))
    seeds = g_ptr_array_new();
  else
    seeds = gh_seeds_load(cfg->seeds_file, notes, &err);
  for(guint i = 0; i < notes->len; i++)
    fprintf(stderr, "govharvest: warning: %s\n", (const char *)notes->pdata[i]);
  g_ptr_array_free(notes, TRUE);
  if(!seeds) {
    fprintf(stderr, "govharvest: %s\n", err->message);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(seeds->len == 0 && !only_seeds) {
    /* Not "complete": a crawl of nothing is a mistake in the seed file. */
    fprintf(stderr, "govharvest crawl: %s has no seeds (one URL per line, with an optional "
                    "region code and name, tab-separated)\n",
            cfg->seeds_file);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(only_seeds || only_regions) {
    GPtrArray *sel = NULL;
    notes = g_ptr_array_new_with_free_func(g_free);
    if(!gh_seeds_select(seeds, only_seeds, only_regions, &sel, &adhoc, notes, &err)) {
      fprintf(stderr, "govharvest crawl: %s\n", err->message);
      g_ptr_array_free(notes, TRUE);
      rc = GH_EXIT_USAGE;
      goto out;
    }
    for(guint i = 0; i < notes->len; i++)
      fprintf(stderr, "govharvest: warning: %s\n", (const char *)notes->pdata[i]);
    g_ptr_array_free(notes, TRUE);
    all_seeds = seeds;
    seeds = sel;
  }
  if(!(regions = gh_regions_load(cfg->regions_file, &err))) {
    /* Without the table, records still get the seed's region code. */
    fprintf(stderr, "govharvest: warning: %s; region codes come from seeds only\n", err->message);
    g_clear_error(&err);
  }
  if(!strstr(cfg->user_agent, "http") && !strchr(cfg->user_agent, '@'))
    fprintf(stderr, "govharvest: warning: [crawl] user_agent has no contact URL or address; "
                    "site operators cannot reach you\n");
  if(quiet && !common.log_level && !common.verbose && cfg->log_level > GH_LOG_WARNING)
    cfg->log_level = GH_LOG_WARNING;
  gh_log_setup(cfg->log_level, false);
  if(!gh_cli_raise_nofile("crawl", cfg)) {
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(!(st = gh_cli_open_store(cfg, GH_STORE_WRITE, &rc)))
    goto out;

  struct sigaction sa = { 0 };
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);

  struct gh_crawl_opts o = { 0 };
  o.cfg = cfg;
  o.seeds = seeds;
  o.regions = regions;
  o.refetch = refetch;
  o.force = only_seeds || only_regions;
  gh_cli_extract_opts(&o.extract, cfg);
  o.progress = !quiet && isatty(STDERR_FILENO);
  gh_log_setup(cfg->log_level, o.progress);
  o.stop = &stop_requested;
  struct gh_crawl_summary sum;
  gh_crawl_summary_init(&sum);
  if(!gh_crawl_run(st, &o, &sum, &err)) {
    fprintf(stderr, "govharvest: %s\n", err->message);
    rc = GH_EXIT_FAILED;
  } else if(sum.fetched == 0 && seeds->len > 0 && !sum.interrupted && sum.queued_left == 0 &&
            g_hash_table_size(sum.errors) > 0) {
    /* Said on stderr too: with the summary in a file, exit 1 alone says
     * nothing of why. */
    GString *why = g_string_new(NULL);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, sum.errors);
    while(g_hash_table_iter_next(&it, &k, &v))
      g_string_append_printf(why, "%s%s=%u", why->len ? " " : "", (const char *)k, GPOINTER_TO_UINT(v));
    fprintf(stderr, "govharvest crawl: nothing could be fetched from all %u host%s: %s "
                    "('govharvest stats --urls' gives each URL's reason)\n",
            sum.hosts, sum.hosts == 1 ? "" : "s", why->str);
    g_string_free(why, TRUE);
    rc = GH_EXIT_FAILED;
  }
  /* Interrupted is not done: `crawl && export` must not go on with part
   * of a crawl.  The shell's convention, 128 + the signal. */
  if(rc == GH_EXIT_OK && sum.interrupted)
    rc = 128 + (stop_signal ? (int)stop_signal : SIGINT);
  gh_crawl_summary_print(&sum, stdout);
  gh_cli_print_coverage(stdout, regions ? regions : gh_regions_builtin(), all_seeds ? all_seeds : seeds);
  if(rc == GH_EXIT_OK && !sum.interrupted && !sum.queued_left)
    print_misses(st, seeds);
  gh_crawl_summary_clear(&sum);
out:
  g_clear_error(&err);
  gh_store_close(st);
  gh_regions_free(regions);
  if(seeds)
    g_ptr_array_free(seeds, TRUE);
  if(adhoc)
    g_ptr_array_free(adhoc, TRUE);
  if(all_seeds)
    g_ptr_array_free(all_seeds, TRUE);
  g_free(seeds_file);
  g_strfreev(only_seeds);
  g_strfreev(only_regions);
  g_strfreev(resolve);
  g_strfreev(connect_to);
  gh_cli_common_clear(&common);
  return rc;
}

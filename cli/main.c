/* govharvest: harvest China's government-information-disclosure annual
 * reports into validated records.  This file only dispatches subcommands. */
#include <locale.h>
#include <sys/resource.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "../config/config.h"
#include "../crawler/crawl.h"
#include "../crawler/log.h"
#include "../extract/sandbox.h"
#include "../extract/htmlwalk.h"
#include "../store/store.h"
#include "cli.h"
#include "version.h"

struct command {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  { "backup", gh_cmd_backup, "write a consistent, compacted copy of the store (safe while it runs)" },
  { "check", gh_cmd_check, "read the whole store and list what is damaged or inconsistent" },
  { "crawl", gh_cmd_crawl, "crawl the seed portals and store every report's record" },
  { "daemon", gh_cmd_daemon, "run as a service: scheduled re-crawls, systemd notify and watchdog" },
  { "export", gh_cmd_export, "dump stored records (JSON lines, CSV, long, SQLite)" },
  { "import", gh_cmd_import, "land local report files and folders in the store, as a crawl would" },
  { "parse", gh_cmd_parse, "parse report files (PDF, DOCX, HTML, text) into records" },
  { "probe", gh_cmd_probe, "show what discovery makes of a page: its kind, links kept and dropped, why" },
  { "queue", gh_cmd_queue, "ask the running daemon to crawl some seeds now (a spooled request)" },
  { "reparse", gh_cmd_reparse, "re-read stored documents with this parser; print what changed" },
  { "seeds", gh_cmd_seeds, "seed-list coverage of the country; discover portals from provincial ones" },
  { "stats", gh_cmd_stats, "counts: records by year/status, errors by host, the gap list" },
};

static void
usage(FILE *out)
{
  fprintf(out, "Usage: govharvest <command> [options]\n\nCommands:\n");
  for(size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nEvery command takes --config FILE (default %s) and --store DIR.\n"
               "Run 'govharvest <command> --help' for a command's options.\n"
               "'govharvest --version' prints the version.\n",
          GH_DEFAULT_CONFIG);
}

static void
append_list(char ***list, char **more)
{
  GPtrArray *all = g_ptr_array_new();
  for(char **p = *list; p && *p; p++)
    g_ptr_array_add(all, g_strdup(*p));
  for(char **p = more; p && *p; p++)
    g_ptr_array_add(all, g_strdup(*p));
  g_ptr_array_add(all, NULL);
  g_strfreev(*list);
  *list = (char **)g_ptr_array_free(all, FALSE);
}

bool
gh_cli_add_hostmaps(const char *command, struct gh_config *cfg, char **resolve,
                    char **connect_to, int *exit_code)
{
  char **lists[] = { resolve, connect_to };
  static const char *const opts[] = { "--resolve", "--connect-to" };
  for(int l = 0; l < 2; l++)
    for(char **p = lists[l]; p && *p; p++)
      if(!gh_hostmap_item_ok(*p)) {
        fprintf(stderr, "govharvest %s: %s '%s' is not HOST:PORT:ADDRESS\n", command, opts[l], *p);
        *exit_code = GH_EXIT_USAGE;
        return false;
      }
  append_list(&cfg->resolve, resolve);
  append_list(&cfg->connect_to, connect_to);
  return true;
}

gboolean
gh_cli_parse(const char *command, const char *params, const char *summary,
             GOptionEntry *entries, int *argc, char ***argv, struct gh_common *common,
             int *exit_code)
{
  GOptionEntry common_entries[] = {
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &common->config_file,
      "Configuration file (default " GH_DEFAULT_CONFIG ")", "FILE" },
    { "store", 's', 0, G_OPTION_ARG_FILENAME, &common->store_dir,
      "Store directory (overrides [store] path)", "DIR" },
    { "log-level", 0, 0, G_OPTION_ARG_STRING, &common->log_level,
      "error, warning, info or debug (overrides [log] level)", "LEVEL" },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &common->verbose, "Log at debug level", NULL },
    G_OPTION_ENTRY_NULL
  };
  char *title = g_strdup_printf("%s%s%s", command, params ? " " : "", params ? params : "");
  GOptionContext *ctx = g_option_context_new(title);
  g_free(title);
  g_option_context_set_summary(ctx, summary);
  g_option_context_add_main_entries(ctx, common_entries, NULL);
  if(entries)
    g_option_context_add_main_entries(ctx, entries, NULL);
  GError *err = NULL;
  gboolean ok = g_option_context_parse(ctx, argc, argv, &err);
  g_option_context_free(ctx);
  if(!ok) {
    fprintf(stderr, "govharvest %s: %s (see 'govharvest %s --help')\n", command,
            err->message, command);
    g_error_free(err);
    *exit_code = GH_EXIT_USAGE;
    return FALSE;
  }
  /* Anything still starting with '-' after GOption is an unknown option
   * that GOption let through because of G_OPTION_FLAG_* defaults; "-"
   * alone means standard input. */
  for(int i = 1; i < *argc; i++)
    if((*argv)[i][0] == '-' && (*argv)[i][1] && strcmp((*argv)[i], "--")) {
      fprintf(stderr, "govharvest %s: unknown option %s (see 'govharvest %s --help')\n",
              command, (*argv)[i], command);
      *exit_code = GH_EXIT_USAGE;
      return FALSE;
    }
  /* Commands without parameters take no operands either. */
  if(!params && *argc > 1) {
    fprintf(stderr, "govharvest %s: unexpected argument '%s'\n", command, (*argv)[1]);
    *exit_code = GH_EXIT_USAGE;
    return FALSE;
  }
  const char *file = common->config_file ? common->config_file : GH_DEFAULT_CONFIG;
  if(!gh_config_load(&common->cfg, file, common->config_file != NULL, &err)) {
    fprintf(stderr, "govharvest: %s\n", err->message);
    g_error_free(err);
    *exit_code = GH_EXIT_USAGE;
    return FALSE;
  }
  if(common->store_dir) {
    g_free(common->cfg.store_path);
    common->cfg.store_path = g_strdup(common->store_dir);
  }
  if(common->log_level && !gh_parse_log_level(common->log_level, &common->cfg.log_level)) {
    fprintf(stderr, "govharvest %s: --log-level '%s' is not one of error, warning, info, debug\n",
            command, common->log_level);
    *exit_code = GH_EXIT_USAGE;
    return FALSE;
  }
  if(common->verbose && !common->log_level)
    common->cfg.log_level = GH_LOG_DEBUG;
  return TRUE;
}

struct gh_store *
gh_cli_open_store(const struct gh_config *cfg, int mode, int *exit_code)
{
  struct gh_store *st = NULL;
  GError *err = NULL;
  if(!gh_store_open(cfg->store_path, (enum gh_store_mode)mode, 0, &st, &err)) {
    fprintf(stderr, "govharvest: %s\n", err->message);
    g_error_free(err);
    *exit_code = GH_EXIT_USAGE;
  }
  if(st && gh_store_notice(st))
    fprintf(stderr, "govharvest: %s\n", gh_store_notice(st));
  return st;
}

int
gh_cli_store_failure(const char *command, const GError *err)
{
  fprintf(stderr, "govharvest %s: %s\n", command, err ? err->message : "failed");
  return gh_store_is_damage(err) ? GH_EXIT_USAGE : GH_EXIT_FAILED;
}

void
gh_cli_extract_opts(struct gh_extract_opts *o, const struct gh_config *cfg)
{
  gh_extract_opts_init(o);
  o->max_bytes = (size_t)cfg->max_document_bytes;
  o->memory_bytes = cfg->extract_memory_bytes;
  o->cpu_seconds = (unsigned)cfg->extract_cpu_seconds;
  o->wall_seconds = (unsigned)cfg->extract_timeout_seconds;
  o->max_pdf_pages = (unsigned)cfg->max_pdf_pages;
  gh_html_set_max_depth((unsigned)cfg->max_html_depth); /* workers get it on their command line */
}

void
gh_cli_common_clear(struct gh_common *common)
{
  g_free(common->config_file);
  g_free(common->store_dir);
  g_free(common->log_level);
  gh_config_clear(&common->cfg);
}

/* What the extraction workers can be asked to run besides the sandbox's
 * own work (extract/sandbox.c). */
static const struct gh_pool_work works[] = {
  { GH_CRAWL_WORK, NULL, gh_crawl_work },
  { NULL, NULL, NULL },
};

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  if(argc > 1 && !strcmp(argv[1], GH_POOL_WORKER_ARG))
    return gh_pool_worker_main(argc, argv, works);
  if(argc < 2) {
    usage(stderr);
    return GH_EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if(!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    printf("govharvest %s\n", GH_VERSION);
    return GH_EXIT_OK;
  }
  if(!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
    usage(stdout);
    return GH_EXIT_OK;
  }
  for(size_t i = 0; i < G_N_ELEMENTS(commands); i++)
    if(!strcmp(cmd, commands[i].name)) {
      curl_global_init(CURL_GLOBAL_DEFAULT);
      int rc = commands[i].run(argc - 1, argv + 1);
      gh_extract_shutdown();
      curl_global_cleanup();
      return rc;
    }
  fprintf(stderr, "govharvest: unknown command '%s' (see 'govharvest --help')\n", cmd);
  return GH_EXIT_USAGE;
}

bool
gh_cli_raise_nofile(const char *command, const struct gh_config *cfg)
{
  struct rlimit rl;
  if(getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return true;
  rlim_t before = rl.rlim_cur;
  if(rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    if(setrlimit(RLIMIT_NOFILE, &rl) == 0)
      gh_log(GH_LOG_INFO, NULL, "open files: soft limit raised from %llu to %llu",
             (unsigned long long)before, (unsigned long long)rl.rlim_cur);
    else
      getrlimit(RLIMIT_NOFILE, &rl);
  }
  /* A connection is a socket; a worker holds a pipe pair and its pidfd in
   * the parent; the store, the log and curl's own take a few dozen. */
  guint64 workers = cfg->extract_workers ? cfg->extract_workers : (guint64)MAX(1, g_get_num_processors());
  guint64 need = cfg->max_connections + 3 * workers + 64;
  if(rl.rlim_cur != RLIM_INFINITY && (guint64)rl.rlim_cur < need) {
    fprintf(stderr, "govharvest %s: [crawl] max_connections = %" G_GUINT64_FORMAT " needs about %"
                    G_GUINT64_FORMAT " open files, and the limit is %llu (hard limit %llu): lower "
                    "max_connections, or raise the limit (ulimit -n, or LimitNOFILE= in the unit)\n",
            command, (guint64)cfg->max_connections, need, (unsigned long long)rl.rlim_cur,
            (unsigned long long)rl.rlim_max);
    return false;
  }
  return true;
}

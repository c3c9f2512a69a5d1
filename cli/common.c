/* What every command shares (cli.h): option parsing with the common
 * --config/--store/--log-level, the configuration's host maps and
 * extraction limits, opening the store with the exit code its failure
 * means, the open-files limit.  Kept out of main.c, which only dispatches,
 * so that no command calls back into the file that calls it. */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "../config/config.h"
#include "../crawler/crawl.h"
#include "../crawler/log.h"
#include "../extract/htmlwalk.h"
#include "../extract/sandbox.h"
#include "../store/store.h"
#include "cli.h"

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

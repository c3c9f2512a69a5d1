/* Shared plumbing of the govharvest subcommands. */
#ifndef GH_CLI_H
#define GH_CLI_H

#include <glib.h>
#include <stdio.h>

#include "../config/config.h"

/* Exit codes: 0 every input handled, 1 some input failed, 2 usage/config. */
enum { GH_EXIT_OK = 0, GH_EXIT_FAILED = 1, GH_EXIT_USAGE = 2 };

/* Options every command takes, and the config they produce. */
struct gh_common {
  char *config_file;
  char *store_dir;
  char *log_level;  /* --log-level, over [log] level */
  gboolean verbose; /* -v: --log-level debug */
  struct gh_config cfg;
};

/* Parse argv with the command's entries plus --config/--store, then load the
 * configuration.  `params` names the operands in --help; NULL: the command
 * takes none, and one is an error.  On any error prints one line to stderr and returns false
 * with *exit_code = 2; after --help, returns false with *exit_code = 0. */
gboolean gh_cli_parse(const char *command, const char *params, const char *summary,
                      GOptionEntry *entries, int *argc, char ***argv,
                      struct gh_common *common, int *exit_code);
void gh_cli_common_clear(struct gh_common *common);

/* Opens the configured store; on failure prints the reason (a missing
 * store, a newer schema, a store in use) and sets *exit_code to 2. */
struct gh_store;
struct gh_store *gh_cli_open_store(const struct gh_config *cfg, int mode, int *exit_code);

/* The exit code for a failed store read or write: 2 for a damaged store
 * (after the message), 1 otherwise. */
int gh_cli_store_failure(const char *command, const GError *err);

/* The extraction limits of the [limits] section. */
struct gh_extract_opts;
void gh_cli_extract_opts(struct gh_extract_opts *o, const struct gh_config *cfg);

/* --seed URL, --region PREFIX (repeatable) and --refetch: which seeds to
 * crawl now, for crawl and queue alike. */
#define GH_CLI_NOW_ENTRIES(seeds, regions, refetch)                                               \
  { "seed", 0, 0, G_OPTION_ARG_STRING_ARRAY, (seeds),                                            \
    "Crawl only this seed now (repeatable; a URL not in the seed list is crawled as a seed of "   \
    "its own), even where this cycle already did", "URL" },                                       \
    { "region", 0, 0, G_OPTION_ARG_STRING_ARRAY, (regions),                                      \
      "Crawl only the seeds whose region code starts with PREFIX (or lies in the place NAME: "    \
      "淮安市) now (repeatable)", "PREFIX|NAME" },                                                \
    { "refetch", 0, 0, G_OPTION_ARG_NONE, (refetch),                                             \
      "Fetch known report documents again (conditional requests: unchanged ones answer 304)",    \
      NULL }

/* The --resolve and --connect-to options of the commands that fetch
 * (crawl, probe), filling two char ** (G_OPTION_ARG_STRING_ARRAY). */
#define GH_CLI_HOSTMAP_ENTRIES(resolve, connect_to)                                               \
  { "resolve", 0, 0, G_OPTION_ARG_STRING_ARRAY, (resolve),                                        \
    "Use ADDR for HOST:PORT, as curl --resolve (repeatable)", "HOST:PORT:ADDR" },                 \
  {                                                                                               \
    "connect-to", 0, 0, G_OPTION_ARG_STRING_ARRAY, (connect_to),                                  \
      "Connect to HOST2:PORT2 for HOST:PORT, as curl --connect-to (repeatable)",                  \
      "HOST:PORT:HOST2:PORT2"                                                                     \
  }

/* Adds the command line's --resolve/--connect-to items to the configured
 * lists.  A malformed item is named on stderr, *exit_code set to
 * GH_EXIT_USAGE and false returned. */
bool gh_cli_add_hostmaps(const char *command, struct gh_config *cfg, char **resolve,
                         char **connect_to, int *exit_code);

int gh_cmd_backup(int argc, char **argv);
int gh_cmd_check(int argc, char **argv);
int gh_cmd_import(int argc, char **argv);
/* --region values as people type them: code prefixes stay, place names
 * (淮安市, 洪泽区) become their code's prefix (3208, 320813), in place.
 * false after a message (*exit_code = 2) for a value that is neither. */
bool gh_cli_region_prefixes(const char *command, char **regions, int *exit_code);
int gh_cmd_parse(int argc, char **argv);
int gh_cmd_probe(int argc, char **argv);
int gh_cmd_crawl(int argc, char **argv);
int gh_cmd_daemon(int argc, char **argv);
int gh_cmd_export(int argc, char **argv);
int gh_cmd_stats(int argc, char **argv);
int gh_cmd_reparse(int argc, char **argv);
int gh_cmd_queue(int argc, char **argv);

/* Open descriptors for a crawl: the soft RLIMIT_NOFILE is raised to the
 * hard limit (said at level info), and a limit that still cannot hold
 * [crawl] max_connections, the extraction workers' pipes and the store is
 * an error naming what to raise (false, message on stderr). */
bool gh_cli_raise_nofile(const char *command, const struct gh_config *cfg);
int gh_cmd_seeds(int argc, char **argv);
/* The crawl summary's coverage line for a seed list. */
struct gh_regions;
void gh_cli_print_coverage(FILE *out, const struct gh_regions *regions, GPtrArray *seeds);

#endif

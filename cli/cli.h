/* Shared plumbing of the govharvest subcommands. */
#ifndef GH_CLI_H
#define GH_CLI_H

#include <glib.h>

#include "../config/config.h"

/* Exit codes: 0 every input handled, 1 some input failed, 2 usage/config. */
enum { GH_EXIT_OK = 0, GH_EXIT_FAILED = 1, GH_EXIT_USAGE = 2 };

/* Options every command takes, and the config they produce. */
struct gh_common {
  char *config_file;
  char *store_dir;
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

/* The extraction limits of the [limits] section. */
struct gh_extract_opts;
void gh_cli_extract_opts(struct gh_extract_opts *o, const struct gh_config *cfg);

/* Appends a copy of the strings of `more` (NULL-terminated, may be NULL)
 * to the NULL-terminated list *list (g_strfreev'd and replaced): a
 * command-line --resolve adds to the configuration's. */
void gh_cli_append_list(char ***list, char **more);

int gh_cmd_parse(int argc, char **argv);
int gh_cmd_probe(int argc, char **argv);
int gh_cmd_crawl(int argc, char **argv);
int gh_cmd_daemon(int argc, char **argv);
int gh_cmd_export(int argc, char **argv);
int gh_cmd_stats(int argc, char **argv);
int gh_cmd_reparse(int argc, char **argv);

#endif

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

/* What the extraction workers can be asked to run besides the sandbox's
 * own work (extract/sandbox.c). */
static const struct gh_sandbox_work works[] = {
  { GH_CRAWL_WORK, NULL, gh_crawl_work },
  { NULL, NULL, NULL },
};

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  if(argc > 1 && !strcmp(argv[1], GH_POOL_WORKER_ARG))
    return gh_sandbox_worker_main(argc, argv, works);
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

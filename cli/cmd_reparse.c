/* govharvest reparse: this parser over the stored raw documents. */
#include <stdio.h>

#include "../store/reparse.h"
#include "cli.h"

int
gh_cmd_reparse(int argc, char **argv)
{
  gboolean dry_run = FALSE;
  gint workers = -1;
  GOptionEntry entries[] = {
    { "dry-run", 'n', 0, G_OPTION_ARG_NONE, &dry_run, "Print what would change; write nothing",
      NULL },
    { "workers", 'j', 0, G_OPTION_ARG_INT, &workers,
      "Extraction workers (default [limits] extract_workers: one per CPU)", "N" },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  struct gh_store *st = NULL;
  GError *err = NULL;
  if(!gh_cli_parse("reparse", NULL,
                   "Extract and parse every stored report document again (after a parser\n"
                   "upgrade), without fetching.  Prints each record whose values changed,\n"
                   "with the changed fields; the old version stays in history.  Stored\n"
                   "documents whose extraction never finished or failed, and that have no\n"
                   "record, are parsed too (check lists them).  Documents are\n"
                   "read by the extraction workers in parallel; output is in key order.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(workers != -1 && (workers < 1 || workers > 256)) {
    fprintf(stderr, "govharvest reparse: --workers must be 1 to 256\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  /* A dry run writes nothing, so it opens as a reader: it never migrates
   * an older store nor makes its backups. */
  if(!(st = gh_cli_open_store(&common.cfg, dry_run ? GH_STORE_READ : GH_STORE_WRITE, &rc)))
    goto out;
  struct gh_extract_opts eo;
  gh_cli_extract_opts(&eo, &common.cfg);
  struct gh_reparse_summary sum;
  if(!gh_reparse(st, &eo, workers > 0 ? (unsigned)workers : gh_config_extract_workers(&common.cfg),
                 dry_run, stdout, &sum, &err))
    rc = gh_cli_store_failure("reparse", err);
  printf("reparse: %" G_GUINT64_FORMAT " records, %" G_GUINT64_FORMAT " changed%s, %" G_GUINT64_FORMAT
         " unchanged, %" G_GUINT64_FORMAT " without a stored document; %" G_GUINT64_FORMAT
         " stored documents had no record, %" G_GUINT64_FORMAT " now do\n",
         sum.records, sum.changed, dry_run ? " (dry run: nothing written)" : "", sum.unchanged,
         sum.no_document, sum.unrecorded, sum.recovered);
out:
  g_clear_error(&err);
  gh_store_close(st);
  gh_cli_common_clear(&common);
  return rc;
}

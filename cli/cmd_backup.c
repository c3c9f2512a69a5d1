/* govharvest backup DIR: a consistent copy of the store, taken live. */
#include <errno.h>
#include <stdio.h>

#include "../store/check.h"
#include "cli.h"

int
gh_cmd_backup(int argc, char **argv)
{
  GOptionEntry entries[] = { G_OPTION_ENTRY_NULL };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  struct gh_store *st = NULL;
  GError *err = NULL;
  if(!gh_cli_parse("backup", "DIR",
                   "Write a compacted, consistent copy of the store to DIR/data.mdb (DIR is\n"
                   "created; an older backup there is replaced atomically; a directory a\n"
                   "writer has used as a store is refused).  Safe while a crawler or\n"
                   "the daemon runs: the copy is one read transaction's view.  Restore by\n"
                   "pointing --store (or [store] path) at DIR.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(argc != 2) {
    fprintf(stderr, "govharvest backup: give one directory to write the copy to\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(!(st = gh_cli_open_store(&common.cfg, GH_STORE_READ, &rc)))
    goto out;
  bool replaced = false;
  if(!gh_store_backup(st, argv[1], &replaced, &err)) {
    fprintf(stderr, "govharvest backup: %s\n", err->message);
    rc = err->code == EINVAL || err->code == EEXIST ? GH_EXIT_USAGE : GH_EXIT_FAILED;
    goto out;
  }
  printf("backup: %s copied to %s/data.mdb%s\n", gh_store_dir(st), argv[1],
         replaced ? " (the older copy there replaced)" : "");
out:
  g_clear_error(&err);
  gh_store_close(st);
  gh_cli_common_clear(&common);
  return rc;
}

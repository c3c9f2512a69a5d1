#include "import.h"
#include "store_int.h"

#include <string.h>

/* A document is stored only with the record it landed: one that gave no
 * record is read again by the next import (renamed so its name gives the
 * agency and year, or under a newer parser), not skipped as known. */
bool
gh_store_has_doc(struct gh_store *st, const char *sha256, GError **err)
{
  MDB_txn *txn = gh_store_read_begin(st, err);
  if(!txn)
    return false;
  MDB_val k = { strlen(sha256), (void *)sha256 }, v;
  bool found = mdb_get(txn, st->docs, &k, &v) == 0;
  mdb_txn_abort(txn);
  return found;
}

struct batch {
  struct gh_import_doc *docs;
  size_t n;
};

static int
write_batch(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct batch *b = ud;
  for(size_t i = 0; i < b->n; i++) {
    struct gh_import_doc *d = &b->docs[i];
    if(!d->record)
      continue;
    gsize len;
    const char *bytes = g_bytes_get_data(d->bytes, &len);
    int rc = gh_store_put_doc(txn, st, d->sha256, bytes, len);
    /* Landing takes the record as it is written; a retry after the map
     * grew lands it again from the same JSON. */
    if(!rc)
      rc = gh_store_land_record(txn, st, d->record, &d->what);
    if(rc)
      return rc;
  }
  return 0;
}

bool
gh_store_import(struct gh_store *st, struct gh_import_doc *docs, size_t n, GError **err)
{
  struct batch b = { docs, n };
  return gh_store_write(st, write_batch, &b, err);
}

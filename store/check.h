/* `govharvest check`: read every byte of a store the way its users will,
 * and say what does not hold (modelled on git fsck and SQLite's
 * PRAGMA integrity_check).  `govharvest backup`: a consistent, compacted
 * copy while a writer runs (mdb_copy -c). */
#ifndef GH_CHECK_H
#define GH_CHECK_H

#include <stdio.h>

#include "store.h"

struct gh_check_summary {
  guint64 records, history, docs, urls, queue, hosts;
  guint64 problems; /* lines printed */
  guint64 unrecorded; /* stored report documents without a record (listed, not problems) */
};

/* One read transaction over every database: each value decodes, each
 * record sits under the key its agency and year give, each raw document
 * decompresses to its SHA-256, each URL state sits under its URL's hash,
 * each queue entry names a URL whose state is queued, each database's walk
 * matches its own count.  One line per problem on `out` ("DB KEY: what").
 * False with *err only when the store cannot be read at all. */
bool gh_store_check(struct gh_store *st, FILE *out, struct gh_check_summary *sum, GError **err);

/* Writes a compacted copy of the store into directory `dir` (created if
 * missing; not the store nor inside it, nor a directory a writer has used
 * as a store) as dir/data.mdb, through a temporary file that is fsynced and
 * renamed, so a copy is whole or absent and an older copy there is replaced
 * atomically (*replaced says so; may be NULL).  Takes one read transaction:
 * a running crawler or daemon goes on. */
bool gh_store_backup(struct gh_store *st, const char *dir, bool *replaced, GError **err);

#endif

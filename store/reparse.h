/* Re-running a newer parser over the stored raw documents, without
 * fetching: each current record's document (by sha256) is extracted and
 * parsed again, and the record replaced where anything but the parser
 * version changed. */
#ifndef GH_REPARSE_H
#define GH_REPARSE_H

#include <stdbool.h>
#include <stdio.h>

#include "../extract/extract.h"
#include "store.h"

struct gh_reparse_summary {
  guint64 records, changed, unchanged, no_document;
};

/* Prints one line per changed record to `out` ("agency year: field, …"),
 * in key order.  `dry_run`: report only, write nothing.  Works in batches:
 * a batch's documents are read and parsed by `workers` sandbox workers at
 * once, then this process commits the batch, so memory stays flat, the
 * write lock is held briefly, and the result does not depend on
 * `workers`. */
bool gh_reparse(struct gh_store *st, const struct gh_extract_opts *eo, unsigned workers,
                bool dry_run, FILE *out, struct gh_reparse_summary *sum, GError **err);

#endif

/* Re-running a newer parser over the stored raw documents, without
 * fetching: each current record's document (by sha256) is extracted and
 * parsed again, and the record replaced where anything but the parser
 * version changed.  Then the stored documents of URLs that have no record
 * (gh_reparse_unrecorded) are parsed, and land. */
#ifndef GH_REPARSE_H
#define GH_REPARSE_H

#include <stdbool.h>
#include <stdio.h>

#include "../extract/extract.h"
#include "store.h"

struct gh_reparse_summary {
  guint64 records, changed, unchanged, no_document;
  guint64 unrecorded; /* stored documents of URLs without a record, parsed */
  guint64 recovered;  /* of those, records that landed */
};

/* Whether a URL state is a report document kept without a record: done,
 * its bytes stored under a hash no record in `record_shas` carries, and
 * its extraction gave nothing or extract_failed (check lists these). */
bool gh_reparse_unrecorded(const struct gh_urlstate *s, GHashTable *record_shas);

/* Prints one line per changed record to `out` ("agency year: field, …"),
 * in key order.  `dry_run`: report only, write nothing.  Works in batches:
 * a batch's documents are read and parsed by `workers` sandbox workers at
 * once, then this process commits the batch, so memory stays flat, the
 * write lock is held briefly, and the result does not depend on
 * `workers`. */
bool gh_reparse(struct gh_store *st, const struct gh_extract_opts *eo, unsigned workers,
                bool dry_run, FILE *out, struct gh_reparse_summary *sum, GError **err);

#endif

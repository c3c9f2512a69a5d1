/* Landing documents that were not fetched (govharvest import): each
 * document's bytes and its record in one write, the record by the same
 * rules as a crawl's (store.h: rivals, history). */
#ifndef GH_IMPORT_H
#define GH_IMPORT_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "store.h"

struct gh_import_doc {
  const char *sha256;
  GBytes *bytes;
  json_t *record;   /* borrowed; NULL: nothing to land, the document is skipped */
  const char *what; /* set by gh_store_import: store.h's new/same/replaced/kept */
};

/* Whether the store holds the document `sha256` (a read of its own). */
bool gh_store_has_doc(struct gh_store *st, const char *sha256, GError **err);
/* Lands every record of docs[0..n) with its document, in one commit. */
bool gh_store_import(struct gh_store *st, struct gh_import_doc *docs, size_t n, GError **err);

#endif

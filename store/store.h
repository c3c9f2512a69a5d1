/* The store, as the rest of the program sees it: one LMDB environment
 * holding records, raw documents, the crawl frontier and per-host state,
 * opened and closed here and read and written through store/'s other
 * public headers (frontier.h, export.h, stats.h, check.h, import.h,
 * reparse.h, requests.h).  Nothing here is LMDB's: its types, codes and
 * transactions stay inside store/ (store_int.h; scripts/check-layers
 * refuses an LMDB name in any other store header).  docs/store.md
 * documents every key.
 *
 * Named databases:
 *   meta     "schema" -> decimal version; "cycle" -> current crawl cycle;
 *            "cycle_done" -> last finished cycle; "qseq" -> queue counter
 *   records  agency_key \0 YYYY            -> current record (JSON)
 *   history  agency_key \0 YYYY \0 seq(8)  -> a replaced record (JSON)
 *   docs     sha256 hex                    -> raw document (zstd frame)
 *   url_state sha256(normalised URL), 32 bytes -> URL NUL URL state (binary,
 *            urlstate.h; JSON text before schema 4)
 *   queue    host \0 seq(8, big-endian)    -> URL waiting to be fetched
 *   hosts    host                          -> robots.txt and backoff (JSON)
 *
 * Landing a record (a crawl's, an import's, a reparse's): it becomes the
 * current record of its agency key and year, and what it displaces goes
 * to history.  The outcome is "new", "same" (identical source bytes: only
 * the provenance is refreshed), "replaced" (the old one moved to history)
 * or "kept" (the new one goes to history instead).  The same URL again
 * replaces, unless a parse would give way to a failure.  A different
 * document for the same key and year is current if published later, else
 * if parsed where the other is not, else the one that landed first stays;
 * the current one says so in its warnings (GH_STORE_RIVAL_NOTE).
 *
 * Ownership: a struct gh_store is the opener's until gh_store_close; the
 * strings it lends (dir, notice) live as long as it.  Writes are
 * serialised inside store/, a full map is grown and the write retried, so
 * a full map never loses a write.  One writing process per store,
 * enforced by a lock on the directory.
 * Errors: GErrors in the "gh-store" domain whose message names the store
 * and what to do; a damaged store is told apart by gh_store_is_damage. */
#ifndef GH_STORE_H
#define GH_STORE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "urlstate.h"

/* 2: URLs keyed by their SHA-256 (schema 1 keyed them by the URL itself,
 * which LMDB caps at 511 bytes).  3: records keyed by agency identity
 * (record/places.h: 淮安市洪泽区人民政府 and 洪泽区政府 are one agency;
 * schema 2 keyed them by region code and the name as printed).  4: URL
 * states in a binary form (urlstate.h), not JSON text.  A writer
 * migrates an older store on open, after a backup of it; a reader reads
 * any. */
#define GH_STORE_SCHEMA 4

enum gh_store_mode {
  GH_STORE_READ,  /* export, stats: never blocks or is blocked by a writer */
  GH_STORE_WRITE, /* crawl, daemon, reparse: exclusive across processes */
};

/* An open store.  Opaque: its databases are store/'s business (the
 * definition is in store_int.h); everything else goes through the
 * functions here and in frontier.h, records and exports. */
struct gh_store;
/* The store's directory and what opening it did that the operator should
 * hear of (a migration; NULL: nothing), both borrowed for the store's life. */
const char *gh_store_dir(const struct gh_store *st);
const char *gh_store_notice(const struct gh_store *st);

/* Whether `e` says the store is damaged (a page, a key or a value that is
 * not what it should be), as every reader reports it: the message names
 * the database and the key.  Commands exit 2 on it (never 0 with what was
 * read so far). */
bool gh_store_is_damage(const GError *e);

/* Whether `path` (existing or not: its nearest existing ancestor is
 * resolved) is the store directory `store_dir` or lies inside it.  Exports
 * and backups refuse such paths: they could overwrite the live store. */
bool gh_store_path_inside(const char *store_dir, const char *path);

/* Opens (and for GH_STORE_WRITE creates) the store in `dir`, migrating an
 * older schema for a writer.  Refuses a store written by a newer schema,
 * and a second writer, with a message that says what to do.  `initial_map`
 * is the map's first size in bytes (0: the default); it grows as needed. */
bool gh_store_open(const char *dir, enum gh_store_mode mode, size_t initial_map,
                   struct gh_store **out, GError **err);
void gh_store_close(struct gh_store *st);

/* How a write handed to the store's committer thread stands (frontier.h's
 * gh_frontier_commit_poll reports a crawl's batches with it). */
enum gh_commit { GH_COMMIT_IDLE, GH_COMMIT_RUNNING, GH_COMMIT_DONE, GH_COMMIT_FAILED };

/* A URL state as stored, in either form (urlstate.h's binary one, or the
 * JSON text of schema 3 and older): NULL when it decodes as neither.  The
 * state is the caller's (gh_urlstate_free). */
struct gh_urlstate *gh_store_url_decode(const void *state, size_t len);

/* The agency key a record lives under ("CODE|NAME", record/places.h): its
 * "agency_key", given by gh_record_identify — with the built-in region
 * table here when the record has none yet.  Borrowed from the record. */
const char *gh_store_record_agency_key(json_t *record);

/* How the warning about a rival document (see "Landing a record" above)
 * starts: it belongs to the store, not to the parse, and a reparse carries
 * it over. */
#define GH_STORE_RIVAL_NOTE "another document for this agency and year"

/* Key builders shared by the exporters, the crawler and the benchmarks
 * (the caller frees the GString): a record key, agency_key \0 YYYY; a
 * queue key, host \0 seq (8 bytes, big-endian: FIFO per host). */
GString *gh_record_key(const char *agency_key, int year);
GString *gh_store_queue_key(const char *host, uint64_t seq);

#endif

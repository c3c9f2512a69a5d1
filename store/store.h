/* The store: one LMDB environment holding records, raw documents, the crawl
 * frontier and per-host state.  docs/store.md documents every key.
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
 * Writers go through gh_store_write, which retries the whole transaction
 * after growing the map when LMDB reports MDB_MAP_FULL, so a full map never
 * loses a write.  One writing process per store, enforced by a lock file. */
#ifndef GH_STORE_H
#define GH_STORE_H

#include <glib.h>
#include <jansson.h>
#include <lmdb.h>
#include <pthread.h>
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

/* A damaged store, as every reader reports it: an error in the "gh-store"
 * domain with this code, naming the database and the key.  Commands exit 2
 * on it (never 0 with what was read so far). */
#define GH_STORE_DAMAGED MDB_CORRUPTED
bool gh_store_damage(GError **err, const struct gh_store *st, const char *db, const MDB_val *key,
                     const char *what);
bool gh_store_is_damage(const GError *e);
/* Whether a key or value LMDB handed a *read* transaction lies inside the
 * store's map.  A damaged page can hand out a pointer anywhere; readers
 * check before they look (true when the map is not known).  Not for write
 * transactions: their changed pages live on the heap. */
bool gh_store_val_ok(const struct gh_store *st, const MDB_val *v);

/* Walks every entry of `dbi` (named `db` in messages) in key order, inside
 * read transaction `txn`.  Each key and value is checked to lie inside the
 * map before `fn` sees it; fn returns false to stop the walk, which then
 * returns false with *err as fn left it (set, or not for a caller's own
 * reason).  A cursor error, an entry outside the map, or a walk whose
 * length differs from the database's own count (a damaged page; the walk
 * stops one past it) is damage: false with *err.  The one loop every
 * reader of a whole database uses. */
typedef bool (*gh_store_each_fn)(const MDB_val *k, const MDB_val *v, void *ud, GError **err);
bool gh_store_each(MDB_txn *txn, const struct gh_store *st, MDB_dbi dbi, const char *db,
                   gh_store_each_fn fn, void *ud, GError **err);
/* The same over the URL states, each decoded: fn gets the URL and its
 * state (borrowed for the call).  An entry that does not decode is damage. */
typedef bool (*gh_store_each_url_fn)(const char *url, struct gh_urlstate *state, void *ud,
                                     GError **err);
bool gh_store_each_url(MDB_txn *txn, const struct gh_store *st, gh_store_each_url_fn fn, void *ud,
                       GError **err);

/* After a cursor walk over all of `dbi` (named `db`): `rc` is the cursor's
 * last result and `seen` the entries it gave.  MDB_NOTFOUND is the end;
 * anything else is damage after `key` (the last key read, or NULL).  A walk
 * that gave more or fewer entries than the database's own count has met a
 * damaged page (LMDB does not check page headers): damage too. */
bool gh_store_walk_end(int rc, MDB_txn *txn, MDB_dbi dbi, size_t seen, const struct gh_store *st,
                       const char *db, const MDB_val *key, GError **err);

/* Whether `path` (existing or not: its nearest existing ancestor is
 * resolved) is the store directory `store_dir` or lies inside it.  Exports
 * and backups refuse such paths: they could overwrite the live store. */
bool gh_store_path_inside(const char *store_dir, const char *path);

/* Opens (and for GH_STORE_WRITE creates) the store in `dir`.  Refuses a store
 * written by a newer schema, and a second writer, with a message that says
 * what to do. */
bool gh_store_open(const char *dir, enum gh_store_mode mode, size_t initial_map,
                   struct gh_store **out, GError **err);
void gh_store_close(struct gh_store *st);

/* Runs fn inside one write transaction and commits.  fn returns an LMDB
 * error code (0 = success); on MDB_MAP_FULL the transaction is aborted, the
 * map doubled, and fn run again from the start, so fn must not keep state
 * across attempts outside the transaction. */
typedef int (*gh_store_txn_fn)(struct gh_store *st, MDB_txn *txn, void *ctx);
bool gh_store_write(struct gh_store *st, gh_store_txn_fn fn, void *ctx, GError **err);

/* gh_store_write's two halves, for a committer thread: one attempt that
 * never touches the map and returns the LMDB code (MDB_MAP_FULL and
 * MDB_MAP_RESIZED included), and the map adjustment those two call for,
 * made by a thread that holds no read transaction, before trying again. */
int gh_store_write_once(struct gh_store *st, gh_store_txn_fn fn, void *ctx);
bool gh_store_adjust_map(struct gh_store *st, int why, GError **err);

/* Write-behind: one transaction at a time runs on a thread of its own, so
 * an event loop goes on while a batch is written and fsynced.  `wake` is
 * called from that thread when a transaction finishes (curl_multi_wakeup).
 * The caller keeps every object the transaction reads unchanged until poll
 * reports it done, and adjusts nothing itself: poll grows the map on the
 * calling thread, which must hold no read transaction then, and runs the
 * batch again. */
struct gh_store_committer;
enum gh_commit { GH_COMMIT_IDLE, GH_COMMIT_RUNNING, GH_COMMIT_DONE, GH_COMMIT_FAILED };
struct gh_store_committer *gh_store_committer_new(struct gh_store *st, void (*wake)(void *),
                                                  void *wake_ud);
/* false while the previous transaction is still to be collected. */
bool gh_store_committer_start(struct gh_store_committer *cm, gh_store_txn_fn fn, void *ctx);
/* DONE or FAILED (with *err) once per started transaction, then IDLE.
 * While one runs, waits for it until `wait_until` (g_get_monotonic_time
 * µs; 0: not at all, G_MAXINT64: for as long as it takes), then says
 * RUNNING. */
enum gh_commit gh_store_committer_poll(struct gh_store_committer *cm, gint64 wait_until, GError **err);
/* Waits for a running transaction (its result is dropped) and joins. */
void gh_store_committer_free(struct gh_store_committer *cm);

/* A read transaction; abort it with mdb_txn_abort. */
MDB_txn *gh_store_read_begin(struct gh_store *st, GError **err);

/* Small helpers over a transaction. */
int gh_store_put_json(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                      const json_t *value, unsigned flags);
/* NULL when missing or unreadable (a damaged value is treated as absent). */
json_t *gh_store_get_json(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen);
int gh_store_meta_get_u64(MDB_txn *txn, struct gh_store *st, const char *name, uint64_t *out);
int gh_store_meta_put_u64(MDB_txn *txn, struct gh_store *st, const char *name, uint64_t v);

/* URL states.  Keys are the SHA-256 of the URL, so a URL of any length
 * fits; the value holds the URL, a NUL, and the state's stored form
 * (urlstate.h; JSON text before schema 4, still read).  The state is the
 * caller's (gh_urlstate_free); NULL when absent or damaged. */
struct gh_urlstate *gh_store_url_get(MDB_txn *txn, struct gh_store *st, const char *url);
/* The stored value of `url` without decoding it: *state and *len point
 * into the map (valid until the transaction ends); false when absent. */
bool gh_store_url_raw(MDB_txn *txn, struct gh_store *st, const char *url, const void **state,
                      size_t *len);
int gh_store_url_put(MDB_txn *txn, struct gh_store *st, const char *url,
                     const struct gh_urlstate *state);
/* The same with the state already in its stored form (gh_urlstate_encode). */
int gh_store_url_put_encoded(MDB_txn *txn, struct gh_store *st, const char *url,
                             const void *state, size_t len);
/* A state as stored, in either form: NULL when it decodes as neither. */
struct gh_urlstate *gh_store_url_decode(const void *state, size_t len);
/* An entry met by a cursor over st->urls: the URL (g_free) and its state
 * (gh_urlstate_free).  false when the entry does not decode (damage). */
bool gh_store_url_entry(const struct gh_store *st, const MDB_val *k, const MDB_val *v, char **url,
                        struct gh_urlstate **state);

/* Raw documents, zstd-compressed, keyed by sha256 hex.  Storing a document
 * that is already there is a no-op. */
int gh_store_put_doc(MDB_txn *txn, struct gh_store *st, const char *sha256,
                     const char *bytes, size_t len);
/* g_free'd buffer, or NULL with *err. */
char *gh_store_get_doc(MDB_txn *txn, struct gh_store *st, const char *sha256, size_t *len,
                       GError **err);

/* The agency key a record lives under ("CODE|NAME", record/places.h): its
 * "agency_key", given by gh_record_identify — with the built-in region
 * table here when the record has none yet.  Borrowed from the record. */
const char *gh_store_record_agency_key(json_t *record);

/* How the warning of gh_store_land_record about a rival document starts:
 * it belongs to the store, not to the parse, and a reparse carries it
 * over. */
#define GH_STORE_RIVAL_NOTE "another document for this agency and year"
/* Lands `record` (the JSON of gh_record_to_json) as the current record of
 * its agency key and year.  Outcome in *what: "new", "same" (identical
 * source bytes: only the provenance is refreshed), "replaced" (the old one
 * moved to history), or "kept" (the new one goes to history instead).  The
 * same URL again replaces, unless a parse would give way to a failure.  A
 * different document for the same key and year is current if published
 * later, else if parsed where the other is not, else the one that landed
 * first stays; the current one says so in its warnings (GH_STORE_RIVAL_NOTE). */
int gh_store_land_record(MDB_txn *txn, struct gh_store *st, json_t *record,
                         const char **what);

/* Appends `rec` to the history of record key `key` (gh_record_key). */
int gh_store_push_history(MDB_txn *txn, struct gh_store *st, const GString *key, json_t *rec);

/* Lower-level key builders shared by the exporters, the crawler and the
 * benchmarks. */
GString *gh_record_key(const char *agency_key, int year);
/* A queue key, host \0 seq (8 bytes, big-endian: FIFO per host), and the
 * seq back out of one. */
GString *gh_store_queue_key(const char *host, uint64_t seq);
uint64_t gh_store_queue_seq(const MDB_val *key);

#endif

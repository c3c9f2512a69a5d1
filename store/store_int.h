/* The store's inside, shared by store/'s files and by white-box tests and
 * benchmarks only (scripts/check-layers keeps every other layer out): the
 * one header that brings in <lmdb.h>.  It promises the definition of
 * struct gh_store, transactions and the helpers over them, the walks every
 * reader of a whole database uses, the committer thread (commit.c) and
 * the migrations (migrate.c).
 *
 * Ownership: a transaction is its opener's (a read one ends with
 * mdb_txn_abort; a write one belongs to gh_store_write, which commits or
 * aborts it); keys and values LMDB hands out point into the map and are
 * valid until their transaction ends.  What a function returns newly made
 * (GStrings, URLs, URL states, documents) is the caller's to free.
 * Errors: functions that run inside a write transaction return an LMDB
 * code (0: success), which gh_store_write turns into a GError; the others
 * return false or NULL with a GError in the "gh-store" domain
 * (GH_STORE_ERROR), whose code is the LMDB or errno code, or
 * GH_STORE_DAMAGED for a damaged store (gh_store_damage). */
#ifndef GH_STORE_INT_H
#define GH_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>

#include "store.h"

struct gh_store {
  char *dir;
  MDB_env *env;
  MDB_dbi meta, records, history, docs, urls, queue, hosts;
  char *notice;     /* what opening did that the operator should hear of (a migration) */
  bool urls_legacy; /* schema 1 opened read-only: `urls` is keyed by the URL */
  /* A schema-1 store whose migration was cut short (a kill, a full disk
   * between batches): part of its URL states already sit in url_state,
   * keyed by hash.  Readers read both; check counts what has not moved. */
  bool has_moved;
  MDB_dbi urls_moved;
  uint64_t schema;  /* as found on open, or migrated to */
  int guard_slot;   /* the map's entry in the fault guard (store.c), 0: none */
  size_t file_size; /* data.mdb's size when the map was guarded (readers' bound) */
  int lock_fd;
  struct ZSTD_CCtx_s *zc; /* reused: a fresh context per document cost more than compressing */
  size_t map_size;
  unsigned grows; /* how often the map was enlarged (tests read it) */
  /* Held across a write transaction and around mdb_env_set_mapsize, which
   * LMDB allows only while no transaction is open in the process: the
   * crawler commits from a thread of its own. */
  pthread_mutex_t map_lock;
};

#define GH_STORE_ERROR (gh_store_error_quark())
GQuark gh_store_error_quark(void);
/* Sets *err from an LMDB code ("store DIR: WHAT: …", naming a full disk as
 * such); returns false. */
bool gh_store_lmdb_fail(GError **err, const char *dir, const char *what, int rc);

/* ---- damage (walk.c) ---- */

/* A damaged store, as every reader reports it: an error in the "gh-store"
 * domain with this code, naming the database and the key (gh_store_damage
 * sets it; gh_store_is_damage, store.h, recognises it). */
#define GH_STORE_DAMAGED MDB_CORRUPTED
/* Sets *err to damage in database `db` at `key` (NULL: the walk's start),
 * saying `what`; returns false. */
bool gh_store_damage(GError **err, const struct gh_store *st, const char *db, const MDB_val *key,
                     const char *what);
/* Whether a key or value LMDB handed a *read* transaction lies inside the
 * store's map.  A damaged page can hand out a pointer anywhere; readers
 * check before they look (true when the map is not known).  Not for write
 * transactions: their changed pages live on the heap. */
bool gh_store_val_ok(const struct gh_store *st, const MDB_val *v);
/* LMDB's assertion callback: a failed assertion is LMDB meeting a page
 * that is not what its parent says (a damaged store), reported as damage,
 * exit 2, like a fault inside the map; LMDB would abort() after it. */
void gh_store_on_lmdb_assert(MDB_env *env, const char *msg);
/* While `on`, a fault inside the map (a damaged page LMDB follows) is
 * reported as damage instead of killing the process (guard.c). */
void gh_store_guard_map(struct gh_store *st, bool on);

/* ---- walks (walk.c) ---- */

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
/* A current record met by gh_store_each_record: its key in the records
 * database (agency_key \0 YYYY, `klen` bytes, borrowed for the call) and
 * the record, decoded (lent for the call: fn may change it, and keeps it
 * with json_incref). */
typedef bool (*gh_store_record_fn)(const char *key, size_t klen, json_t *rec, void *ud,
                                   GError **err);
/* gh_store_each over the current records, each decoded once, for every
 * reader of records (export, stats, the HTML page, reparse).  A record
 * that is not a JSON object is damage naming its key ("the record is not
 * valid JSON"): never a quiet gap in an analyst's data.  A walk in batches
 * (a read transaction each) starts past key `after` (NULL: at the first
 * record) and gives `before`, the records the earlier batches were given,
 * so the end of the walk still holds the count against the database's. */
bool gh_store_each_record(MDB_txn *txn, const struct gh_store *st, const GString *after,
                          size_t before, gh_store_record_fn fn, void *ud, GError **err);
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

/* ---- transactions (store.c) ---- */

/* A read transaction; abort it with mdb_txn_abort. */
MDB_txn *gh_store_read_begin(struct gh_store *st, GError **err);
/* Runs fn inside one write transaction and commits.  fn returns an LMDB
 * error code (0 = success); on MDB_MAP_FULL the transaction is aborted, the
 * map doubled, and fn run again from the start, so fn must not keep state
 * across attempts outside the transaction. */
typedef int (*gh_store_txn_fn)(struct gh_store *st, MDB_txn *txn, void *ctx);
bool gh_store_write(struct gh_store *st, gh_store_txn_fn fn, void *ctx, GError **err);
/* gh_store_write's two halves, for the committer thread: one attempt that
 * never touches the map and returns the LMDB code (MDB_MAP_FULL and
 * MDB_MAP_RESIZED included), and the map adjustment those two call for,
 * made by a thread that holds no read transaction, before trying again. */
int gh_store_write_once(struct gh_store *st, gh_store_txn_fn fn, void *ctx);
bool gh_store_adjust_map(struct gh_store *st, int why, GError **err);

/* ---- the committer thread (commit.c) ---- */

/* Write-behind: one transaction at a time runs on a thread of its own, so
 * an event loop goes on while a batch is written and fsynced.  `wake` is
 * called from that thread when a transaction finishes (curl_multi_wakeup).
 * The caller keeps every object the transaction reads unchanged until poll
 * reports it done, and adjusts nothing itself: poll grows the map on the
 * calling thread, which must hold no read transaction then, and runs the
 * batch again. */
struct gh_store_committer;
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

/* ---- values (store.c, records.c) ---- */

/* `value` as compact JSON text under `key` in `dbi` (mdb_put's `flags`). */
int gh_store_put_json(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                      const json_t *value, unsigned flags);
/* NULL when missing or unreadable (a damaged value is treated as absent). */
json_t *gh_store_get_json(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen);
/* A number in meta, stored as decimal text: MDB_NOTFOUND when absent,
 * MDB_CORRUPTED when not a number. */
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
/* An entry met by a cursor over st->urls: the URL (g_free) and its state
 * (gh_urlstate_free).  false when the entry does not decode (damage). */
bool gh_store_url_entry(const struct gh_store *st, const MDB_val *k, const MDB_val *v, char **url,
                        struct gh_urlstate **state);
/* The seq back out of a queue key (gh_store_queue_key). */
uint64_t gh_store_queue_seq(const MDB_val *key);

/* Raw documents, zstd-compressed, keyed by sha256 hex.  Storing a document
 * that is already there is a no-op. */
int gh_store_put_doc(MDB_txn *txn, struct gh_store *st, const char *sha256,
                     const char *bytes, size_t len);
/* g_free'd buffer, or NULL with *err. */
char *gh_store_get_doc(MDB_txn *txn, struct gh_store *st, const char *sha256, size_t *len,
                       GError **err);

/* Lands `record` (the JSON of gh_record_to_json) as the current record of
 * its agency key and year, by store.h's rules ("Landing a record"); the
 * outcome ("new", "same", "replaced", "kept") in *what. */
int gh_store_land_record(MDB_txn *txn, struct gh_store *st, json_t *record,
                         const char **what);
/* Appends `rec` to the history of record key `key` (gh_record_key). */
int gh_store_push_history(MDB_txn *txn, struct gh_store *st, const GString *key, json_t *rec);

/* ---- migrations (migrate.c), run by gh_store_open for a writer ---- */

/* Each backs the store up first (schema-N-backup/), then rewrites it in
 * batches that a restart resumes; false with *err leaves it consistent at
 * its old schema or part-way (readers read both halves). */
bool gh_store_migrate_v1(struct gh_store *st, GError **err);
bool gh_store_migrate_v2(struct gh_store *st, GError **err);
bool gh_store_migrate_v3(struct gh_store *st, GError **err);
/* The moved half of a half-migrated schema-1 store, as a store of schema
 * 2 for the readers' calls (a shallow copy: borrow it while `st` lives). */
struct gh_store gh_store_moved_view(const struct gh_store *st);

#endif

/* What store.c, migrate.c and records.c share; not for other modules. */
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
  bool urls_legacy;
  /* A schema-1 store whose migration was cut short (a kill, a full disk
   * between batches): part of its URL states already sit in url_state,
   * keyed by hash.  Readers read both; check counts what has not moved. */
  bool has_moved;
  MDB_dbi urls_moved;
  uint64_t schema;  /* as found on open, or migrated to */
  int guard_slot;   /* the map's entry in the fault guard (store.c), 0: none */
  size_t file_size; /* data.mdb's size when the map was guarded (readers' bound) */ /* schema 1 opened read-only: `urls` is keyed by the URL */
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
/* LMDB's assertion callback: a failed assertion is LMDB meeting a page
 * that is not what its parent says (a damaged store), reported as damage,
 * exit 2, like a fault inside the map; LMDB would abort() after it. */
void gh_store_on_lmdb_assert(MDB_env *env, const char *msg);
/* While `on`, a fault inside the map (a damaged page LMDB follows) is
 * reported as damage instead of killing the process (guard.c). */
void gh_store_guard_map(struct gh_store *st, bool on);
/* Migrations (migrate.c), run by gh_store_open for a writer. */
bool gh_store_migrate_v1(struct gh_store *st, GError **err);
/* The moved half of a half-migrated schema-1 store, as a store of schema
 * 2 for the readers' calls (a shallow copy: borrow it while `st` lives). */
struct gh_store gh_store_moved_view(const struct gh_store *st);
bool gh_store_migrate_v2(struct gh_store *st, GError **err);
bool gh_store_migrate_v3(struct gh_store *st, GError **err);

#endif

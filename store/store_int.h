/* What store.c, migrate.c and records.c share; not for other modules. */
#ifndef GH_STORE_INT_H
#define GH_STORE_INT_H

#include "store.h"

#define GH_STORE_ERROR (gh_store_error_quark())
GQuark gh_store_error_quark(void);
/* Sets *err from an LMDB code ("store DIR: WHAT: …", naming a full disk as
 * such); returns false. */
bool gh_store_lmdb_fail(GError **err, const char *dir, const char *what, int rc);
/* While `on`, a fault inside the map (a damaged page LMDB follows) is
 * reported as damage instead of killing the process (guard.c). */
void gh_store_guard_map(struct gh_store *st, bool on);
/* Migrations (migrate.c), run by gh_store_open for a writer. */
bool gh_store_migrate_v1(struct gh_store *st, GError **err);
bool gh_store_migrate_v2(struct gh_store *st, GError **err);

#endif

#include "store.h"

#include "../record/places.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <ucontext.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#define GH_STORE_ERROR (gh_store_error_quark())
static GQuark
gh_store_error_quark(void)
{
  return g_quark_from_static_string("gh-store");
}

#define DEFAULT_MAP ((size_t)256 << 20)
/* A raw document never decompresses past this, whatever its frame claims. */
#define MAX_DOC_BYTES ((size_t)1 << 30)

static bool
lmdb_fail(GError **err, const char *dir, const char *what, int rc)
{
  /* LMDB reports a short write (a full disk, a file size limit) as EIO. */
  bool space = rc == EIO || rc == ENOSPC || rc == EFBIG || rc == EDQUOT;
  g_set_error(err, GH_STORE_ERROR, rc, "store %s: %s: %s%s", dir, what, mdb_strerror(rc),
              space ? " (is the disk full?  The store keeps its last committed state)" : "");
  return false;
}

/* One writing process per store: LMDB's own lock allows many writers in
 * sequence, but two crawlers interleaving one frontier would each fetch what
 * the other queued.  The flock is taken on the store directory itself, which
 * cannot be deleted while it holds data.mdb, so removing a file cannot lift
 * it; writer.lock only records the holder's pid for the message. */
static bool
take_writer_lock(struct gh_store *st, GError **err)
{
  int fd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(fd < 0) {
    g_set_error(err, GH_STORE_ERROR, errno, "store %s: cannot open: %s", st->dir,
                g_strerror(errno));
    return false;
  }
  char *path = g_build_filename(st->dir, "writer.lock", NULL);
  if(flock(fd, LOCK_EX | LOCK_NB) < 0) {
    char buf[32] = { 0 };
    gsize n = 0;
    char *text = NULL;
    if(g_file_get_contents(path, &text, &n, NULL) && n > 0) {
      g_strlcpy(buf, text, sizeof buf);
      buf[strcspn(buf, "\n")] = '\0';
    }
    g_free(text);
    g_set_error(err, GH_STORE_ERROR, EBUSY,
                "store %s is in use by another govharvest process%s%s%s (a daemon or a "
                "crawl); stop it first, or use a different --store",
                st->dir, *buf ? " (pid " : "", buf, *buf ? ")" : "");
    close(fd);
    g_free(path);
    return false;
  }
  char pid[32];
  g_snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  /* The pid is only a courtesy for the message above. */
  (void)g_file_set_contents(path, pid, -1, NULL);
  g_free(path);
  st->lock_fd = fd;
  return true;
}

/* What is wrong with a store directory, said as such: a missing store, a
 * file given as a store and a directory this user cannot read are three
 * different mistakes. */
static bool
check_store_dir(const char *dir, enum gh_store_mode mode, GError **err)
{
  struct stat sb;
  if(stat(dir, &sb) < 0) {
    if(errno == ENOENT && mode == GH_STORE_WRITE)
      return true; /* created by the caller */
    if(errno == ENOENT)
      g_set_error(err, GH_STORE_ERROR, ENOENT,
                  "store %s does not exist (run 'govharvest crawl' first, or give --store)", dir);
    else
      g_set_error(err, GH_STORE_ERROR, errno, "store %s: %s", dir, g_strerror(errno));
    return false;
  }
  if(!S_ISDIR(sb.st_mode)) {
    g_set_error(err, GH_STORE_ERROR, ENOTDIR,
                "store %s is not a directory (--store names the directory that holds data.mdb)",
                dir);
    return false;
  }
  if(access(dir, (mode == GH_STORE_WRITE ? W_OK : 0) | R_OK | X_OK) < 0) {
    g_set_error(err, GH_STORE_ERROR, errno, "store %s: %s (run as the store's owner)", dir,
                g_strerror(errno));
    return false;
  }
  char *data = g_build_filename(dir, "data.mdb", NULL);
  bool there = g_file_test(data, G_FILE_TEST_EXISTS);
  g_free(data);
  if(!there && mode == GH_STORE_READ) {
    g_set_error(err, GH_STORE_ERROR, ENOENT,
                "store %s does not exist: the directory has no data.mdb (run 'govharvest "
                "crawl' first, or give --store)",
                dir);
    return false;
  }
  return true;
}

/* The databases every schema has; the URL states' depends on the schema. */
static int
open_dbis(struct gh_store *st, MDB_txn *txn, unsigned flags, uint64_t schema)
{
  struct {
    const char *name;
    MDB_dbi *dbi;
  } dbs[] = {
    { "records", &st->records }, { "history", &st->history }, { "docs", &st->docs },
    { "queue", &st->queue },     { "hosts", &st->hosts },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(dbs); i++) {
    int rc = mdb_dbi_open(txn, dbs[i].name, flags, dbs[i].dbi);
    if(rc)
      return rc;
  }
  st->urls_legacy = schema < 2;
  return mdb_dbi_open(txn, st->urls_legacy ? "urls" : "url_state", flags, &st->urls);
}

/* The checks LMDB does not make before it maps a file: a data.mdb shorter
 * than its own last page faults (SIGBUS) on the first read past its end,
 * and an empty one would silently become a new store. */
static bool
check_data_file(const char *dir, GError **err)
{
  char *data = g_build_filename(dir, "data.mdb", NULL);
  struct stat sb;
  bool ok = true;
  if(stat(data, &sb) == 0) {
    if(!S_ISREG(sb.st_mode)) {
      g_set_error(err, GH_STORE_ERROR, EINVAL, "store %s: %s is not a regular file", dir, data);
      ok = false;
    } else if(sb.st_size == 0) {
      g_set_error(err, GH_STORE_ERROR, EINVAL,
                  "store %s is damaged: %s is empty (0 bytes); restore it from a backup "
                  "(govharvest backup), or remove the directory to start a new store",
                  dir, data);
      ok = false;
    }
  }
  g_free(data);
  return ok;
}

static void guard_map(struct gh_store *st, bool on);

static bool
check_data_size(struct gh_store *st, GError **err)
{
  MDB_envinfo info;
  MDB_stat ms;
  int fd = -1;
  struct stat sb;
  if(mdb_env_info(st->env, &info) || mdb_env_stat(st->env, &ms) || mdb_env_get_fd(st->env, &fd) ||
     fstat(fd, &sb))
    return true; /* nothing to compare with: LMDB's own checks stand */
  unsigned long long need = ((unsigned long long)info.me_last_pgno + 1) * ms.ms_psize;
  if((unsigned long long)sb.st_size >= need)
    return true;
  g_set_error(err, GH_STORE_ERROR, EIO,
              "store %s is damaged: data.mdb is %lld bytes but its last page ends at %llu "
              "(the file was truncated); restore it from a backup (govharvest backup) — "
              "nothing was read or written",
              st->dir, (long long)sb.st_size, need);
  return false;
}

/* ---- schema 1 -> 2: URL states re-keyed by the URL's SHA-256 ---- */

struct migrate {
  MDB_dbi old;
  bool finished;
};

static int
migrate_batch(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct migrate *m = ud;
  MDB_cursor *cur;
  int rc = mdb_cursor_open(txn, m->old, &cur);
  if(rc)
    return rc;
  MDB_val k, v;
  unsigned n = 0;
  m->finished = false;
  /* Batches keep each transaction's dirty pages well under LMDB's limit. */
  while(n < 20000 && !(rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST))) {
    char *url = g_strndup(k.mv_data, k.mv_size);
    json_t *s = json_loadb(v.mv_data, v.mv_size, 0, NULL);
    if(!s) /* keep what cannot be read, as the text it was */
      s = json_pack("{s:s, s:s%}", "state", "damaged", "raw", (const char *)v.mv_data, v.mv_size);
    rc = gh_store_url_put(txn, st, url, s);
    json_decref(s);
    g_free(url);
    if(rc || (rc = mdb_cursor_del(cur, 0)))
      break;
    n++;
  }
  mdb_cursor_close(cur);
  if(rc == MDB_NOTFOUND) {
    m->finished = true;
    if(!(rc = mdb_drop(txn, m->old, 1)))
      rc = gh_store_meta_put_u64(txn, st, "schema", 2);
  }
  return rc;
}

/* A compacted copy of the store in STORE/schema-N-backup before a
 * migration from schema N: a migration that fails half-way (a full disk)
 * leaves the store consistent, but the copy is what an operator can go back
 * to with an older govharvest.  An interrupted migration's copy is the
 * older one, and is kept. */
static bool
backup_before(struct gh_store *st, int from, const char *what, GError **err)
{
  char *bak = g_strdup_printf("%s/schema-%d-backup", st->dir, from);
  char *bakdata = g_build_filename(bak, "data.mdb", NULL);
  bool ok = true;
  if(!g_file_test(bakdata, G_FILE_TEST_EXISTS)) {
    int rc;
    if(g_mkdir_with_parents(bak, 0750) < 0) {
      g_set_error(err, GH_STORE_ERROR, errno, "store %s: cannot create %s for the backup: %s",
                  st->dir, bak, g_strerror(errno));
      ok = false;
    } else if((rc = mdb_env_copy2(st->env, bak, MDB_CP_COMPACT))) {
      char *why = g_strdup_printf("cannot back up before migrating from schema %d", from);
      lmdb_fail(err, st->dir, why, rc);
      g_free(why);
      unlink(bakdata);
      ok = false;
    }
  }
  g_free(bakdata);
  if(ok) {
    char *line = g_strdup_printf("store %s migrated from schema %d to %d (%s); the schema-%d "
                                 "store was copied to %s first",
                                 st->dir, from, GH_STORE_SCHEMA, what, from, bak);
    /* Two migrations in one open: the first backup is the one to name. */
    if(!st->notice)
      st->notice = line;
    else
      g_free(line);
  }
  g_free(bak);
  return ok;
}

static bool
migrate_v1(struct gh_store *st, GError **err)
{
  if(!backup_before(st, 1, "URL states keyed by hash, records by agency key", err))
    return false;
  struct migrate m = { .old = st->urls };
  MDB_txn *txn;
  int rc = mdb_txn_begin(st->env, NULL, 0, &txn);
  if(!rc) {
    if((rc = mdb_dbi_open(txn, "url_state", MDB_CREATE, &st->urls)))
      mdb_txn_abort(txn);
    else
      rc = mdb_txn_commit(txn); /* frees the transaction, also on failure */
  }
  if(rc)
    return lmdb_fail(err, st->dir, "cannot create the URL states' database", rc);
  st->urls_legacy = false; /* writes go to url_state from here on */
  bool ok = true;
  while(ok && !m.finished)
    ok = gh_store_write(st, migrate_batch, &m, err);
  if(ok)
    st->schema = 2;
  return ok;
}

/* ---- schema 2 -> 3: records keyed by agency identity ---- */

struct rekey {
  GString *after; /* the last key looked at; the next batch starts past it */
  bool finished;
  unsigned moved;
};

/* Moves the history of record key `from` under record key `to`.  History
 * keys end in a store-wide sequence number, so nothing collides. */
static int
move_history(MDB_txn *txn, struct gh_store *st, const GString *from, const GString *to)
{
  MDB_cursor *cur;
  int rc = mdb_cursor_open(txn, st->history, &cur);
  if(rc)
    return rc;
  GString *prefix = g_string_new_len(from->str, (gssize)from->len);
  g_string_append_c(prefix, '\0');
  GPtrArray *keys = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  MDB_val k = { prefix->len, prefix->str }, v;
  for(rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
      !rc && k.mv_size == prefix->len + 8 && !memcmp(k.mv_data, prefix->str, prefix->len);
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
    g_ptr_array_add(keys, g_bytes_new(k.mv_data, k.mv_size));
  mdb_cursor_close(cur);
  rc = rc == MDB_NOTFOUND ? 0 : rc;
  for(guint i = 0; !rc && i < keys->len; i++) {
    gsize n;
    const char *old = g_bytes_get_data(keys->pdata[i], &n);
    MDB_val ok = { n, (void *)old }, ov;
    if((rc = mdb_get(txn, st->history, &ok, &ov)))
      break;
    GString *nk = g_string_new_len(to->str, (gssize)to->len);
    g_string_append_c(nk, '\0');
    g_string_append_len(nk, old + prefix->len, 8);
    /* A put may split the page ov points into: copy it first. */
    GBytes *val = g_bytes_new(ov.mv_data, ov.mv_size);
    MDB_val nkv = { nk->len, nk->str }, nv = { ov.mv_size, (void *)g_bytes_get_data(val, NULL) };
    if(!(rc = mdb_put(txn, st->history, &nkv, &nv, 0)))
      rc = mdb_del(txn, st->history, &ok, NULL);
    g_bytes_unref(val);
    g_string_free(nk, TRUE);
  }
  g_ptr_array_free(keys, TRUE);
  g_string_free(prefix, TRUE);
  return rc;
}

static int
rekey_batch(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct rekey *m = ud;
  enum { BATCH = 5000 };
  /* The keys first, then the moves: a move lands records ahead of the
   * cursor, where the next batch meets them already keyed, and skips them. */
  MDB_cursor *cur;
  int rc = mdb_cursor_open(txn, st->records, &cur);
  if(rc)
    return rc;
  MDB_val k = { m->after->len, m->after->str }, v;
  rc = m->after->len ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
                     : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
  if(!rc && m->after->len && k.mv_size == m->after->len &&
     !memcmp(k.mv_data, m->after->str, k.mv_size))
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  GPtrArray *keys = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  for(; !rc && keys->len < BATCH; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
    g_ptr_array_add(keys, g_bytes_new(k.mv_data, k.mv_size));
  mdb_cursor_close(cur);
  bool last = rc == MDB_NOTFOUND;
  rc = rc == MDB_NOTFOUND ? 0 : rc;
  unsigned moved = 0;
  for(guint i = 0; !rc && i < keys->len; i++) {
    gsize n;
    const char *kd = g_bytes_get_data(keys->pdata[i], &n);
    GString *oldk = g_string_new_len(kd, (gssize)n);
    json_t *rec = gh_store_get_json(txn, st->records, oldk->str, oldk->len);
    int year = (int)json_integer_value(json_object_get(rec, "year"));
    const char *agency = json_string_value(json_object_get(rec, "agency"));
    if(json_is_object(rec) && agency && *agency && year > 0) {
      bool had = json_string_value(json_object_get(rec, "agency_key")) != NULL;
      GString *newk = gh_record_key(gh_store_record_agency_key(rec), year);
      if(newk->len == oldk->len && !memcmp(newk->str, oldk->str, oldk->len)) {
        if(!had) /* the same key: the record only gains its agency_key */
          rc = gh_store_put_json(txn, st->records, oldk->str, oldk->len, rec, 0);
      } else {
        MDB_val ok = { oldk->len, oldk->str };
        const char *what;
        if(!(rc = mdb_del(txn, st->records, &ok, NULL)) &&
           !(rc = move_history(txn, st, oldk, newk)))
          rc = gh_store_land_record(txn, st, rec, &what);
        moved++;
      }
      g_string_free(newk, TRUE);
    }
    /* What does not decode stays where it is, for `check` to name. */
    json_decref(rec);
    g_string_free(oldk, TRUE);
  }
  if(!rc && last)
    rc = gh_store_meta_put_u64(txn, st, "schema", 3);
  /* Only a batch that will commit moves the position on: gh_store_write
   * runs a batch again from the start after growing a full map. */
  if(!rc) {
    m->finished = last;
    m->moved += moved;
    if(keys->len) {
      gsize n;
      const char *kd = g_bytes_get_data(keys->pdata[keys->len - 1], &n);
      g_string_truncate(m->after, 0);
      g_string_append_len(m->after, kd, (gssize)n);
    }
  }
  g_ptr_array_free(keys, TRUE);
  return rc;
}

static bool
migrate_v2(struct gh_store *st, GError **err)
{
  if(!backup_before(st, 2, "records keyed by agency key", err))
    return false;
  struct rekey m = { .after = g_string_new(NULL) };
  bool ok = true;
  while(ok && !m.finished)
    ok = gh_store_write(st, rekey_batch, &m, err);
  g_string_free(m.after, TRUE);
  if(ok)
    st->schema = 3;
  return ok;
}

bool
gh_store_open(const char *dir, enum gh_store_mode mode, size_t initial_map,
              struct gh_store **out, GError **err)
{
  struct gh_store *st = g_new0(struct gh_store, 1);
  st->dir = g_strdup(dir);
  st->lock_fd = -1;
  pthread_mutex_init(&st->map_lock, NULL);
  st->map_size = initial_map ? initial_map : DEFAULT_MAP;
  *out = NULL;
  int rc;

  if(!check_store_dir(dir, mode, err) || !check_data_file(dir, err))
    goto fail;
  if(mode == GH_STORE_WRITE) {
    if(g_mkdir_with_parents(dir, 0750) < 0) {
      g_set_error(err, GH_STORE_ERROR, errno, "store %s: cannot create: %s", dir,
                  g_strerror(errno));
      goto fail;
    }
    if(!take_writer_lock(st, err))
      goto fail;
  }
  if((rc = mdb_env_create(&st->env)) || (rc = mdb_env_set_maxdbs(st->env, 16)) ||
     (rc = mdb_env_set_mapsize(st->env, st->map_size))) {
    lmdb_fail(err, dir, "cannot create environment", rc);
    goto fail;
  }
  /* MDB_NOTLS: read transactions are not tied to threads, so the export
   * streamer can hold one while the process does other work. */
  unsigned flags = MDB_NOTLS | (mode == GH_STORE_READ ? MDB_RDONLY : 0);
  rc = mdb_env_open(st->env, dir, flags, 0640);
  if((rc == EACCES || rc == EROFS) && mode == GH_STORE_READ) {
    /* A read-only copy (a backup on read-only media, another user's store):
     * LMDB cannot create its lock file there.  Without it, a reader must
     * not run beside a writer; nobody writes to a read-only directory. */
    mdb_env_close(st->env);
    st->env = NULL;
    if(!(rc = mdb_env_create(&st->env)) && !(rc = mdb_env_set_maxdbs(st->env, 16)) &&
       !(rc = mdb_env_set_mapsize(st->env, st->map_size)))
      rc = mdb_env_open(st->env, dir, flags | MDB_NOLOCK, 0640);
    if(!rc)
      st->notice = g_strdup_printf("warning: store %s is read-only here and was opened without "
                                   "LMDB's lock file: no writer may run on it meanwhile",
                                   dir);
  }
  if(rc) {
    if(rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
      g_set_error(err, GH_STORE_ERROR, rc,
                  "store %s: data.mdb is not an LMDB file this govharvest can read (%s); "
                  "nothing was written",
                  dir, mdb_strerror(rc));
    else
      lmdb_fail(err, dir, "cannot open", rc);
    goto fail;
  }
  if(!check_data_size(st, err))
    goto fail;
  guard_map(st, true);
  MDB_envinfo info;
  mdb_env_info(st->env, &info);
  st->map_size = info.me_mapsize;

  MDB_txn *txn;
  if((rc = mdb_txn_begin(st->env, NULL, mode == GH_STORE_READ ? MDB_RDONLY : 0, &txn))) {
    lmdb_fail(err, dir, "cannot begin transaction", rc);
    goto fail;
  }
  rc = mdb_dbi_open(txn, "meta", 0, &st->meta);
  bool fresh = false;
  if(rc == MDB_NOTFOUND) {
    /* No meta database: an empty environment (a new store), a foreign
     * LMDB file, or a damaged main database whose walk does not match its
     * own count.  Only the first is written to. */
    MDB_dbi main_db;
    MDB_cursor *cur;
    MDB_val k = { 0, NULL }, v;
    size_t seen = 0;
    int wrc = mdb_dbi_open(txn, NULL, 0, &main_db);
    if(!wrc && !(wrc = mdb_cursor_open(txn, main_db, &cur))) {
      for(wrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !wrc; wrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT))
        seen++;
      mdb_cursor_close(cur);
    }
    GError *damage = NULL;
    if(!gh_store_walk_end(wrc, txn, main_db, seen, st, "(main)", NULL, &damage)) {
      mdb_txn_abort(txn);
      g_propagate_error(err, damage);
      goto fail;
    }
    if(seen == 0 && mode == GH_STORE_WRITE) {
      rc = mdb_dbi_open(txn, "meta", MDB_CREATE, &st->meta);
      fresh = true;
    }
  }
  if(rc == MDB_NOTFOUND) {
    mdb_txn_abort(txn);
    g_set_error(err, GH_STORE_ERROR, rc,
                "store %s has no meta database: it is not a govharvest store, or its main "
                "database is damaged (run 'govharvest check'); nothing was written",
                dir);
    goto fail;
  }
  uint64_t schema = 0;
  if(!rc)
    rc = gh_store_meta_get_u64(txn, st, "schema", &schema);
  if(rc == MDB_NOTFOUND && fresh) {
    rc = gh_store_meta_put_u64(txn, st, "schema", GH_STORE_SCHEMA);
    schema = GH_STORE_SCHEMA;
  }
  if(rc) {
    /* A store whose meta database lost its schema is damaged, not new:
     * starting over would hide its records and frontier. */
    mdb_txn_abort(txn);
    MDB_val k = { 6, "schema" };
    gh_store_damage(err, st, "meta", &k, mdb_strerror(rc));
    goto fail;
  }
  if(schema > GH_STORE_SCHEMA) {
    mdb_txn_abort(txn);
    g_set_error(err, GH_STORE_ERROR, EPROTO,
                "store %s has schema version %" G_GUINT64_FORMAT
                ", newer than this govharvest understands (%d); upgrade govharvest "
                "(nothing was written)",
                dir, schema, GH_STORE_SCHEMA);
    goto fail;
  }
  rc = open_dbis(st, txn, mode == GH_STORE_READ ? 0 : MDB_CREATE, schema);
  if(rc) {
    mdb_txn_abort(txn);
    lmdb_fail(err, dir, "cannot open databases", rc);
    goto fail;
  }
  if((rc = mdb_txn_commit(txn))) {
    lmdb_fail(err, dir, "cannot commit", rc);
    goto fail;
  }
  st->schema = schema;
  if(mode == GH_STORE_WRITE && st->urls_legacy && !migrate_v1(st, err))
    goto fail;
  if(mode == GH_STORE_WRITE && st->schema < 3 && !migrate_v2(st, err))
    goto fail;
  *out = st;
  return true;
fail:
  gh_store_close(st);
  return false;
}

void
gh_store_close(struct gh_store *st)
{
  if(!st)
    return;
  if(st->env) {
    guard_map(st, false);
    mdb_env_close(st->env);
  }
  if(st->lock_fd >= 0)
    close(st->lock_fd); /* releases the flock */
  ZSTD_freeCCtx(st->zc);
  g_free(st->notice);
  pthread_mutex_destroy(&st->map_lock);
  g_free(st->dir);
  g_free(st);
}

int
gh_store_write_once(struct gh_store *st, gh_store_txn_fn fn, void *ctx)
{
  pthread_mutex_lock(&st->map_lock);
  MDB_txn *txn;
  int rc = mdb_txn_begin(st->env, NULL, 0, &txn);
  if(!rc) {
    rc = fn(st, txn, ctx);
    if(rc == 0)
      rc = mdb_txn_commit(txn);
    else
      mdb_txn_abort(txn);
  }
  pthread_mutex_unlock(&st->map_lock);
  return rc;
}

bool
gh_store_adjust_map(struct gh_store *st, int why, GError **err)
{
  /* mdb_env_set_mapsize needs no transaction open in the process: the
   * caller has none, and map_lock keeps a committer thread out. */
  pthread_mutex_lock(&st->map_lock);
  size_t size = why == MDB_MAP_FULL ? st->map_size * 2 : 0; /* 0: adopt the file's */
  guard_map(st, false);
  int rc = mdb_env_set_mapsize(st->env, size);
  guard_map(st, true); /* the map may have moved */
  if(!rc && why == MDB_MAP_FULL) {
    st->map_size = size;
    st->grows++;
  }
  pthread_mutex_unlock(&st->map_lock);
  return rc ? lmdb_fail(err, st->dir, "cannot grow the map", rc) : true;
}

bool
gh_store_write(struct gh_store *st, gh_store_txn_fn fn, void *ctx, GError **err)
{
  for(;;) {
    int rc = gh_store_write_once(st, fn, ctx);
    if(rc != MDB_MAP_FULL && rc != MDB_MAP_RESIZED)
      return rc == 0 ? true : lmdb_fail(err, st->dir, "write failed", rc);
    if(!gh_store_adjust_map(st, rc, err))
      return false;
  }
}

/* ---- committing from a thread of its own ---- */

/* pthread's mutex and condition, not GMutex/GCond: glib's are futex-based
 * and invisible to ThreadSanitizer, which is how this handover is checked. */
struct gh_store_committer {
  struct gh_store *st;
  GThread *thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  gh_store_txn_fn fn;
  void *ctx;
  bool running;  /* handed over, result not yet collected */
  bool finished; /* the thread is done with this attempt; rc holds its result */
  bool quit;
  int rc;
  void (*wake)(void *);
  void *wake_ud;
};

static gpointer
committer_main(gpointer p)
{
  struct gh_store_committer *cm = p;
  pthread_mutex_lock(&cm->lock);
  for(;;) {
    while(!cm->quit && !(cm->running && !cm->finished))
      pthread_cond_wait(&cm->cond, &cm->lock);
    if(cm->quit)
      break;
    pthread_mutex_unlock(&cm->lock);
    int rc = gh_store_write_once(cm->st, cm->fn, cm->ctx);
    pthread_mutex_lock(&cm->lock);
    cm->rc = rc;
    cm->finished = true;
    pthread_cond_broadcast(&cm->cond);
    if(cm->wake)
      cm->wake(cm->wake_ud);
  }
  pthread_mutex_unlock(&cm->lock);
  return NULL;
}

struct gh_store_committer *
gh_store_committer_new(struct gh_store *st, void (*wake)(void *), void *wake_ud)
{
  struct gh_store_committer *cm = g_new0(struct gh_store_committer, 1);
  cm->st = st;
  cm->wake = wake;
  cm->wake_ud = wake_ud;
  pthread_mutex_init(&cm->lock, NULL);
  /* Timed waits count on the clock g_get_monotonic_time reads: a wall
   * clock step must not stretch or cut a caller's wait. */
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&cm->cond, &ca);
  pthread_condattr_destroy(&ca);
  /* Signals (SIGTERM, SIGINT) stay with the caller's thread, whose poll
   * they interrupt; the committer starts with all of them blocked. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  cm->thread = g_thread_new("gh-commit", committer_main, cm);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return cm;
}

bool
gh_store_committer_start(struct gh_store_committer *cm, gh_store_txn_fn fn, void *ctx)
{
  pthread_mutex_lock(&cm->lock);
  bool idle = !cm->running;
  if(idle) {
    cm->fn = fn;
    cm->ctx = ctx;
    cm->running = true;
    cm->finished = false;
    pthread_cond_broadcast(&cm->cond);
  }
  pthread_mutex_unlock(&cm->lock);
  return idle;
}

enum gh_commit
gh_store_committer_poll(struct gh_store_committer *cm, gint64 wait_until, GError **err)
{
  struct timespec until = { (time_t)(wait_until / G_USEC_PER_SEC), (long)(wait_until % G_USEC_PER_SEC) * 1000 };
  pthread_mutex_lock(&cm->lock);
  for(;;) {
    if(!cm->running) {
      pthread_mutex_unlock(&cm->lock);
      return GH_COMMIT_IDLE;
    }
    while(!cm->finished && wait_until == G_MAXINT64)
      pthread_cond_wait(&cm->cond, &cm->lock);
    while(!cm->finished && wait_until > 0 && wait_until < G_MAXINT64 &&
          pthread_cond_timedwait(&cm->cond, &cm->lock, &until) != ETIMEDOUT)
      ;
    if(!cm->finished) {
      pthread_mutex_unlock(&cm->lock);
      return GH_COMMIT_RUNNING;
    }
    int rc = cm->rc;
    if(rc != MDB_MAP_FULL && rc != MDB_MAP_RESIZED) {
      cm->running = false;
      pthread_mutex_unlock(&cm->lock);
      if(!rc)
        return GH_COMMIT_DONE;
      lmdb_fail(err, cm->st->dir, "write failed", rc);
      return GH_COMMIT_FAILED;
    }
    /* The thread waits while `finished` is set, so the map is adjusted
     * with no transaction open; then the same batch runs again. */
    pthread_mutex_unlock(&cm->lock);
    bool ok = gh_store_adjust_map(cm->st, rc, err);
    pthread_mutex_lock(&cm->lock);
    if(!ok) {
      cm->running = false;
      pthread_mutex_unlock(&cm->lock);
      return GH_COMMIT_FAILED;
    }
    cm->finished = false;
    pthread_cond_broadcast(&cm->cond);
  }
}

void
gh_store_committer_free(struct gh_store_committer *cm)
{
  if(!cm)
    return;
  gh_store_committer_poll(cm, G_MAXINT64, NULL);
  pthread_mutex_lock(&cm->lock);
  cm->quit = true;
  pthread_cond_broadcast(&cm->cond);
  pthread_mutex_unlock(&cm->lock);
  g_thread_join(cm->thread);
  pthread_mutex_destroy(&cm->lock);
  pthread_cond_destroy(&cm->cond);
  g_free(cm);
}

MDB_txn *
gh_store_read_begin(struct gh_store *st, GError **err)
{
  MDB_txn *txn = NULL;
  int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
  if(rc == MDB_MAP_RESIZED) { /* a writer grew the map since we opened */
    pthread_mutex_lock(&st->map_lock);
    guard_map(st, false);
    mdb_env_set_mapsize(st->env, 0);
    guard_map(st, true);
    pthread_mutex_unlock(&st->map_lock);
    rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
  }
  if(rc) {
    lmdb_fail(err, st->dir, "cannot begin a read", rc);
    return NULL;
  }
  return txn;
}

int
gh_store_put_json(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                  const json_t *value, unsigned flags)
{
  char *text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(15));
  if(!text)
    return ENOMEM;
  MDB_val k = { klen, (void *)key }, v = { strlen(text), text };
  int rc = mdb_put(txn, dbi, &k, &v, flags);
  free(text);
  return rc;
}

json_t *
gh_store_get_json(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen)
{
  MDB_val k = { klen, (void *)key }, v;
  if(mdb_get(txn, dbi, &k, &v))
    return NULL;
  return json_loadb(v.mv_data, v.mv_size, 0, NULL);
}

/* ---- faults inside the map ----
 *
 * LMDB trusts its pages: a damaged page header sends a reader to an offset
 * past the end of data.mdb (SIGBUS) or off the map (SIGSEGV).  A fault whose
 * address lies inside an open store's map is that store's damage, not a
 * bug of ours: it is reported as such and the process exits 2.  Any other
 * fault goes on to the handler that was there before (the default, or a
 * sanitizer's). */

#define MAX_GUARDED 8
static struct {
  _Atomic(uintptr_t) lo, hi;
  char msg[512];
} guarded[MAX_GUARDED];
static struct sigaction old_segv, old_bus;

/* LMDB's code, from /proc/self/maps: a fault whose instruction is in it
 * (a NULL page from a damaged branch, say) is the store's damage too. */
static uintptr_t lmdb_text_lo, lmdb_text_hi;

static uintptr_t
fault_pc(void *uc)
{
#if defined(__x86_64__)
  return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.pc;
#else
  (void)uc;
  return 0;
#endif
}

/* The return address of a leaf function that faulted: memcpy and memcmp
 * (called by LMDB on a damaged page) set up no frame, so it is the word at
 * the stack pointer (x86-64) or the link register (arm64). */
static uintptr_t
fault_caller(void *uc)
{
#if defined(__x86_64__)
  return *(const uintptr_t *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
  return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.regs[30];
#else
  (void)uc;
  return 0;
#endif
}

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
  uintptr_t a = (uintptr_t)si->si_addr, pc = fault_pc(uc), caller = fault_caller(uc);
  bool in_lmdb = (pc && pc >= lmdb_text_lo && pc < lmdb_text_hi) ||
                 (caller && caller >= lmdb_text_lo && caller < lmdb_text_hi);
  for(int i = 0; i < MAX_GUARDED; i++)
    if(guarded[i].hi && ((a >= guarded[i].lo && a < guarded[i].hi) || in_lmdb)) {
      ssize_t n = write(2, guarded[i].msg, strlen(guarded[i].msg));
      (void)n;
      _exit(2);
    }
  sigaction(sig, sig == SIGBUS ? &old_bus : &old_segv, NULL);
}

static void
find_lmdb_text(void)
{
  char *maps = NULL;
  if(!g_file_get_contents("/proc/self/maps", &maps, NULL, NULL))
    return;
  for(char *line = maps; line && *line;) {
    char *nl = strchr(line, '\n');
    if(nl)
      *nl = '\0';
    unsigned long a, b;
    char perms[8];
    if(strstr(line, "/liblmdb.so") && sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3 &&
       strchr(perms, 'x')) {
      lmdb_text_lo = a;
      lmdb_text_hi = b;
    }
    line = nl ? nl + 1 : NULL;
  }
  g_free(maps);
}

static void
install_fault_handlers(void)
{
  find_lmdb_text();
  struct sigaction sa = { 0 };
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &old_segv);
  sigaction(SIGBUS, &sa, &old_bus);
}

/* Where LMDB mapped data.mdb: LMDB does not say (me_mapaddr is only set
 * for MDB_FIXEDMAP), and reading a value to find out could itself fault
 * on a damaged root page, so the mapping is found by its file in
 * /proc/self/maps (one not guarded yet: tests open a store twice). */
static bool
map_range(struct gh_store *st, uintptr_t *lo, uintptr_t *hi)
{
  char *data = g_build_filename(st->dir, "data.mdb", NULL);
  char *real = realpath(data, NULL);
  g_free(data);
  char *maps = NULL;
  if(!real || !g_file_get_contents("/proc/self/maps", &maps, NULL, NULL)) {
    free(real);
    return false;
  }
  bool found = false;
  for(char *line = maps; line && *line && !found;) {
    char *nl = strchr(line, '\n');
    if(nl)
      *nl = '\0';
    unsigned long a, b;
    const char *path = strchr(line, '/');
    if(path && !strcmp(path, real) && sscanf(line, "%lx-%lx", &a, &b) == 2) {
      found = true;
      for(int i = 0; i < MAX_GUARDED && found; i++)
        found = !(a >= guarded[i].lo && a < guarded[i].hi);
      *lo = a;
      *hi = b;
    }
    line = nl ? nl + 1 : NULL;
  }
  g_free(maps);
  free(real);
  return found;
}

static void
guard_map(struct gh_store *st, bool on)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, install_fault_handlers);
  uintptr_t lo = 0, hi = 0;
  if(on && !map_range(st, &lo, &hi))
    return;
  for(int i = 0; i < MAX_GUARDED; i++) {
    if(on && guarded[i].hi == 0) {
      g_snprintf(guarded[i].msg, sizeof guarded[i].msg,
                 "govharvest: store %s is damaged: LMDB faulted on a damaged page of "
                 "data.mdb; run 'govharvest check', restore from a backup\n",
                 st->dir);
      guarded[i].lo = lo;
      guarded[i].hi = hi;
      st->guard_slot = i + 1;
      return;
    }
    if(!on && st->guard_slot == i + 1) {
      guarded[i].hi = 0;
      guarded[i].lo = 0;
      st->guard_slot = 0;
      return;
    }
  }
}

bool
gh_store_path_inside(const char *store_dir, const char *path)
{
  char *probe = g_strdup(path), *rpath = NULL, *rstore = realpath(store_dir, NULL);
  while(!(rpath = realpath(probe, NULL)) && strcmp(probe, ".") && strcmp(probe, "/")) {
    char *up = g_path_get_dirname(probe);
    g_free(probe);
    probe = up;
  }
  g_free(probe);
  size_t n = rstore ? strlen(rstore) : 0;
  bool inside = rpath && rstore && !strncmp(rpath, rstore, n) && (rpath[n] == '\0' || rpath[n] == '/');
  free(rpath);
  free(rstore);
  return inside;
}

bool
gh_store_val_ok(const struct gh_store *st, const MDB_val *v)
{
  if(!st->guard_slot)
    return true;
  /* The whole reservation: a pointer past the file's end but inside it
   * faults inside the map, which the fault guard reports as damage. */
  uintptr_t lo = guarded[st->guard_slot - 1].lo, end = guarded[st->guard_slot - 1].hi;
  uintptr_t p = (uintptr_t)v->mv_data;
  return v->mv_size == 0 || (p >= lo && p <= end && v->mv_size <= end - p);
}

/* ---- damage ---- */

/* A key as an operator can read it: text with NUL shown as '/', or hex
 * for a binary key (a URL hash). */
static char *
key_text(const MDB_val *k)
{
  if(!k || !k->mv_data)
    return g_strdup("(the start)");
  const char *p = k->mv_data;
  size_t n = MIN(k->mv_size, (size_t)200);
  bool text = true;
  for(size_t i = 0; text && i < n; i++)
    text = p[i] == '\0' || (unsigned char)p[i] >= 0x20;
  if(text) { /* UTF-8 between the NUL separators (a cut at 200 may split a character) */
    char *copy = g_strndup(p, n);
    for(size_t i = 0; i < n; i++)
      copy[i] = copy[i] ? copy[i] : '/';
    const char *end;
    text = g_utf8_validate(copy, (gssize)n, &end) || (n == 200 && end - copy > 190);
    g_free(copy);
  }
  GString *out = g_string_new(NULL);
  for(size_t i = 0; i < n; i++) {
    if(!text)
      g_string_append_printf(out, "%02x", (unsigned char)p[i]);
    else if(p[i] == '\0')
      g_string_append_c(out, '/');
    else
      g_string_append_c(out, p[i]);
  }
  if(k->mv_size > n)
    g_string_append(out, "…");
  return g_string_free(out, FALSE);
}

bool
gh_store_damage(GError **err, const struct gh_store *st, const char *db, const MDB_val *key,
                const char *what)
{
  char *kt = key_text(key);
  g_set_error(err, GH_STORE_ERROR, GH_STORE_DAMAGED,
              "store %s is damaged: database '%s', key %s: %s (run 'govharvest check'; "
              "restore from a backup)",
              st->dir, db, kt, what);
  g_free(kt);
  return false;
}

bool
gh_store_is_damage(const GError *e)
{
  return e && e->domain == GH_STORE_ERROR && (e->code == GH_STORE_DAMAGED || e->code == MDB_PAGE_NOTFOUND ||
                                               e->code == MDB_INVALID || e->code == EIO);
}

bool
gh_store_walk_end(int rc, MDB_txn *txn, MDB_dbi dbi, size_t seen, const struct gh_store *st,
                  const char *db, const MDB_val *key, GError **err)
{
  char what[200];
  if(rc != MDB_NOTFOUND && rc != 0) {
    g_snprintf(what, sizeof what, "reading past this key failed: %s", mdb_strerror(rc));
    /* The last key of a failed walk may itself be what is damaged. */
    return gh_store_damage(err, st, db, key && gh_store_val_ok(st, key) ? key : NULL, what);
  }
  MDB_stat ms;
  if((rc = mdb_stat(txn, dbi, &ms))) {
    g_snprintf(what, sizeof what, "cannot count its entries: %s", mdb_strerror(rc));
    return gh_store_damage(err, st, db, NULL, what);
  }
  if(ms.ms_entries != seen) {
    g_snprintf(what, sizeof what,
               "a walk over the database gave %zu entries where it holds %zu (a damaged page)",
               seen, (size_t)ms.ms_entries);
    return gh_store_damage(err, st, db, NULL, what);
  }
  return true;
}

bool
gh_store_each(MDB_txn *txn, const struct gh_store *st, MDB_dbi dbi, const char *db,
              gh_store_each_fn fn, void *ud, GError **err)
{
  MDB_cursor *cur;
  MDB_val k = { 0, NULL }, v;
  MDB_stat ms;
  int rc = mdb_cursor_open(txn, dbi, &cur);
  if(rc)
    return gh_store_walk_end(rc, txn, dbi, 0, st, db, NULL, err);
  size_t n = 0, limit = mdb_stat(txn, dbi, &ms) ? G_MAXSIZE : (size_t)ms.ms_entries + 1;
  bool ok = true;
  for(rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc && n < limit;
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    n++;
    if(!gh_store_val_ok(st, &k) || !gh_store_val_ok(st, &v)) {
      ok = gh_store_damage(err, st, db, NULL, "an entry points outside the file (a damaged page)");
      break;
    }
    if(!fn(&k, &v, ud, err)) {
      ok = false; /* with *err as fn left it */
      break;
    }
  }
  if(ok)
    ok = gh_store_walk_end(rc, txn, dbi, n, st, db, &k, err);
  mdb_cursor_close(cur);
  return ok;
}

struct each_url {
  const struct gh_store *st;
  gh_store_each_url_fn fn;
  void *ud;
};

static bool
each_url_entry(const MDB_val *k, const MDB_val *v, void *ud, GError **err)
{
  struct each_url *e = ud;
  char *url;
  json_t *state;
  if(!gh_store_url_entry(e->st, k, v, &url, &state))
    return gh_store_damage(err, e->st, "url_state", k, "the URL state does not decode");
  bool go = e->fn(url, state, e->ud, err);
  json_decref(state);
  g_free(url);
  return go;
}

bool
gh_store_each_url(MDB_txn *txn, const struct gh_store *st, gh_store_each_url_fn fn, void *ud,
                  GError **err)
{
  struct each_url e = { st, fn, ud };
  return gh_store_each(txn, st, st->urls, st->urls_legacy ? "urls" : "url_state", each_url_entry,
                       &e, err);
}

/* ---- URL states ---- */

static void
url_key(const char *url, guint8 out[32])
{
  GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(ck, (const guchar *)url, (gssize)strlen(url));
  gsize n = 32;
  g_checksum_get_digest(ck, out, &n);
  g_checksum_free(ck);
}

json_t *
gh_store_url_get(MDB_txn *txn, struct gh_store *st, const char *url)
{
  if(st->urls_legacy)
    return strlen(url) < 512 ? gh_store_get_json(txn, st->urls, url, strlen(url)) : NULL;
  guint8 h[32];
  url_key(url, h);
  MDB_val k = { sizeof h, h }, v;
  if(mdb_get(txn, st->urls, &k, &v))
    return NULL;
  char *url2 = NULL;
  json_t *state = NULL;
  if(gh_store_url_entry(st, &k, &v, &url2, &state) && strcmp(url2, url)) {
    json_decref(state); /* not this URL's (a SHA-256 collision) */
    state = NULL;
  }
  g_free(url2);
  return state;
}

int
gh_store_url_put(MDB_txn *txn, struct gh_store *st, const char *url, const json_t *state)
{
  if(st->urls_legacy)
    return EROFS; /* a schema-1 store is migrated before anything is written */
  char *text = json_dumps(state, JSON_COMPACT | JSON_REAL_PRECISION(15));
  if(!text)
    return ENOMEM;
  size_t ul = strlen(url), tl = strlen(text);
  guint8 h[32];
  url_key(url, h);
  /* Built here and copied by LMDB, not written into an MDB_RESERVE slot:
   * on a damaged page that slot can be anywhere, and the write would be
   * ours. */
  char *buf = g_malloc(ul + 1 + tl);
  memcpy(buf, url, ul + 1);
  memcpy(buf + ul + 1, text, tl);
  free(text);
  MDB_val k = { sizeof h, h }, v = { ul + 1 + tl, buf };
  int rc = mdb_put(txn, st->urls, &k, &v, 0);
  g_free(buf);
  return rc;
}

bool
gh_store_url_entry(const struct gh_store *st, const MDB_val *k, const MDB_val *v, char **url,
                   json_t **state)
{
  *url = NULL;
  *state = NULL;
  if(st->urls_legacy) {
    *url = g_strndup(k->mv_data, k->mv_size);
    *state = json_loadb(v->mv_data, v->mv_size, 0, NULL);
  } else {
    const char *nul = k->mv_size == 32 ? memchr(v->mv_data, '\0', v->mv_size) : NULL;
    if(nul) {
      size_t ul = (size_t)(nul - (const char *)v->mv_data);
      *url = g_strndup(v->mv_data, ul);
      *state = json_loadb(nul + 1, v->mv_size - ul - 1, 0, NULL);
    }
  }
  if(*state && json_is_object(*state))
    return true;
  json_decref(*state);
  *state = NULL;
  g_free(*url);
  *url = NULL;
  return false;
}

int
gh_store_meta_get_u64(MDB_txn *txn, struct gh_store *st, const char *name, uint64_t *out)
{
  MDB_val k = { strlen(name), (void *)name }, v;
  int rc = mdb_get(txn, st->meta, &k, &v);
  if(rc)
    return rc;
  char buf[24];
  if(v.mv_size == 0 || v.mv_size >= sizeof buf)
    return MDB_CORRUPTED;
  memcpy(buf, v.mv_data, v.mv_size);
  buf[v.mv_size] = '\0';
  char *end;
  *out = g_ascii_strtoull(buf, &end, 10);
  return *end ? MDB_CORRUPTED : 0;
}

int
gh_store_meta_put_u64(MDB_txn *txn, struct gh_store *st, const char *name, uint64_t v)
{
  char buf[24];
  int n = g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v);
  MDB_val k = { strlen(name), (void *)name }, val = { (size_t)n, buf };
  return mdb_put(txn, st->meta, &k, &val, 0);
}

int
gh_store_put_doc(MDB_txn *txn, struct gh_store *st, const char *sha256, const char *bytes,
                 size_t len)
{
  MDB_val k = { strlen(sha256), (void *)sha256 }, v;
  if(mdb_get(txn, st->docs, &k, &v) == 0)
    return 0;
  size_t cap = ZSTD_compressBound(len);
  /* MDB_RESERVE would save a copy, but the compressed size is only known
   * after compressing. */
  if(!st->zc && !(st->zc = ZSTD_createCCtx()))
    return ENOMEM;
  void *buf = g_malloc(cap);
  size_t n = ZSTD_compressCCtx(st->zc, buf, cap, bytes, len, 3);
  if(ZSTD_isError(n)) {
    g_free(buf);
    return EIO;
  }
  v.mv_size = n;
  v.mv_data = buf;
  int rc = mdb_put(txn, st->docs, &k, &v, 0);
  g_free(buf);
  return rc;
}

char *
gh_store_get_doc(MDB_txn *txn, struct gh_store *st, const char *sha256, size_t *len,
                 GError **err)
{
  MDB_val k = { strlen(sha256), (void *)sha256 }, v;
  int rc = mdb_get(txn, st->docs, &k, &v);
  if(rc) {
    lmdb_fail(err, st->dir, sha256, rc);
    return NULL;
  }
  unsigned long long size = ZSTD_getFrameContentSize(v.mv_data, v.mv_size);
  if(size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > MAX_DOC_BYTES) {
    g_set_error(err, GH_STORE_ERROR, EIO, "store %s: document %s is damaged", st->dir, sha256);
    return NULL;
  }
  char *out = g_malloc(size + 1);
  size_t n = ZSTD_decompress(out, size, v.mv_data, v.mv_size);
  if(ZSTD_isError(n) || n != size) {
    g_free(out);
    g_set_error(err, GH_STORE_ERROR, EIO, "store %s: document %s is damaged", st->dir, sha256);
    return NULL;
  }
  out[n] = '\0';
  *len = n;
  return out;
}

GString *
gh_record_key(const char *agency_key, int year)
{
  GString *k = g_string_new(agency_key);
  g_string_append_c(k, '\0');
  g_string_append_printf(k, "%04d", year);
  return k;
}

GString *
gh_store_queue_key(const char *host, uint64_t seq)
{
  GString *k = g_string_new(host);
  g_string_append_c(k, '\0');
  for(int i = 7; i >= 0; i--)
    g_string_append_c(k, (char)((seq >> (i * 8)) & 0xff));
  return k;
}

uint64_t
gh_store_queue_seq(const MDB_val *key)
{
  uint64_t seq = 0;
  for(size_t i = key->mv_size - 8; i < key->mv_size; i++)
    seq = (seq << 8) | ((const unsigned char *)key->mv_data)[i];
  return seq;
}

static const char *
source_sha(json_t *rec)
{
  return json_string_value(json_object_get(json_object_get(rec, "source"), "sha256"));
}

static bool
is_parsed(json_t *rec)
{
  const char *s = json_string_value(json_object_get(rec, "status"));
  return s && !strcmp(s, "parsed");
}

int
gh_store_push_history(MDB_txn *txn, struct gh_store *st, const GString *key, json_t *rec)
{
  uint64_t seq = 0;
  int rc = gh_store_meta_get_u64(txn, st, "seq", &seq);
  if(rc && rc != MDB_NOTFOUND)
    return rc;
  if((rc = gh_store_meta_put_u64(txn, st, "seq", seq + 1)))
    return rc;
  GString *hk = g_string_new_len(key->str, (gssize)key->len);
  g_string_append_c(hk, '\0');
  for(int i = 7; i >= 0; i--) /* big-endian, so history sorts oldest first */
    g_string_append_c(hk, (char)((seq >> (i * 8)) & 0xff));
  rc = gh_store_put_json(txn, st->history, hk->str, hk->len, rec, 0);
  g_string_free(hk, TRUE);
  return rc;
}

const char *
gh_store_record_agency_key(json_t *record)
{
  if(!json_string_value(json_object_get(record, "agency_key")))
    gh_record_identify(record, gh_regions_builtin(), NULL, NULL);
  return json_string_value(json_object_get(record, "agency_key"));
}

static const char *
source_url(json_t *rec)
{
  return json_string_value(json_object_get(json_object_get(rec, "source"), "url"));
}

/* Of two different documents for one agency and year, whether the
 * newcomer is the current one: the later publication; else a parsed one
 * over one that is not; else the one that landed first, so the current
 * record does not flip with the order pages are fetched in. */
static bool
newcomer_wins(json_t *cur, json_t *rec, const char **why)
{
  const char *a = json_string_value(json_object_get(cur, "published_on"));
  const char *b = json_string_value(json_object_get(rec, "published_on"));
  int by_date = a && b ? strcmp(b, a) : 0;
  if(by_date) {
    *why = "published later";
    return by_date > 0;
  }
  if(is_parsed(cur) != is_parsed(rec)) {
    *why = "parsed";
    return is_parsed(rec);
  }
  *why = "landed first";
  return false;
}

/* The current record names the other document it was preferred to, so a
 * reader of one row knows there were two. */
static void
note_rival(json_t *winner, json_t *loser, const char *why)
{
  json_t *w = json_object_get(winner, "warnings");
  if(!json_is_array(w)) {
    w = json_array();
    json_object_set_new(winner, "warnings", w);
  }
  const char *lp = json_string_value(json_object_get(loser, "published_on"));
  char *msg = g_strdup_printf(GH_STORE_RIVAL_NOTE " (%s%s%s) is kept in history; this one is "
                              "current: %s",
                              source_url(loser) ? source_url(loser) : "no URL",
                              lp ? ", published " : "", lp ? lp : "", why);
  bool known = false;
  size_t i;
  json_t *x;
  json_array_foreach(w, i, x) known = known || !g_strcmp0(json_string_value(x), msg);
  if(!known)
    json_array_append_new(w, json_string(msg));
  g_free(msg);
}

int
gh_store_land_record(MDB_txn *txn, struct gh_store *st, json_t *record, const char **what)
{
  int year = (int)json_integer_value(json_object_get(record, "year"));
  const char *agency = json_string_value(json_object_get(record, "agency"));
  if(!agency || !*agency || year <= 0)
    return EINVAL;
  GString *key = gh_record_key(gh_store_record_agency_key(record), year);
  json_t *cur = gh_store_get_json(txn, st->records, key->str, key->len);
  int rc = 0;
  const char *why = NULL;
  if(!cur) {
    *what = "new";
  } else if(source_sha(cur) && source_sha(record) && !strcmp(source_sha(cur), source_sha(record))) {
    *what = "same";
  } else if(source_url(cur) && source_url(record) && strcmp(source_url(cur), source_url(record))) {
    /* Two documents (a report posted twice, a corrected version, a
     * department's report under its government's name): both are kept,
     * one is current by a stated rule. */
    if(newcomer_wins(cur, record, &why)) {
      *what = "replaced";
      note_rival(record, cur, why);
      if((rc = gh_store_push_history(txn, st, key, cur)))
        goto out;
    } else {
      *what = "kept";
      rc = gh_store_push_history(txn, st, key, record);
      if(!rc) {
        note_rival(cur, record, why);
        rc = gh_store_put_json(txn, st->records, key->str, key->len, cur, 0);
      }
      goto out;
    }
  } else if(is_parsed(cur) && !is_parsed(record)) {
    /* The same document again, worse parsed: never displaces the parse. */
    *what = "kept";
    rc = gh_store_push_history(txn, st, key, record);
    goto out;
  } else {
    *what = "replaced";
    if((rc = gh_store_push_history(txn, st, key, cur)))
      goto out;
  }
  rc = gh_store_put_json(txn, st->records, key->str, key->len, record, 0);
out:
  json_decref(cur);
  g_string_free(key, TRUE);
  return rc;
}

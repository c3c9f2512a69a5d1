#include "store.h"

#include "store_int.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

GQuark
gh_store_error_quark(void)
{
  return g_quark_from_static_string("gh-store");
}

#define DEFAULT_MAP ((size_t)256 << 20)

bool
gh_store_lmdb_fail(GError **err, const char *dir, const char *what, int rc)
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
  st->has_moved = false;
  if(st->urls_legacy) {
    int rc = mdb_dbi_open(txn, "url_state", 0, &st->urls_moved);
    if(rc && rc != MDB_NOTFOUND)
      return rc;
    st->has_moved = rc == 0;
  }
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
     (rc = mdb_env_set_mapsize(st->env, st->map_size)) ||
     (rc = mdb_env_set_assert(st->env, gh_store_on_lmdb_assert))) {
    gh_store_lmdb_fail(err, dir, "cannot create environment", rc);
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
    /* Without LMDB's lock a reader beside a writer may read pages the
     * writer is reusing: the writer's flock on the directory is consulted
     * first, and a shared one held, so no writer starts meanwhile. */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(dfd >= 0 && flock(dfd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
      close(dfd);
      g_set_error(err, GH_STORE_ERROR, EBUSY,
                  "store %s is being written by another govharvest process (a daemon or a "
                  "crawl), and this user cannot use LMDB's lock file there: read it once the "
                  "writer has stopped, or as a user who may write lock.mdb",
                  dir);
      goto fail;
    }
    st->lock_fd = dfd; /* held shared until close */
    if(!(rc = mdb_env_create(&st->env)) && !(rc = mdb_env_set_maxdbs(st->env, 16)) &&
       !(rc = mdb_env_set_mapsize(st->env, st->map_size)) &&
       !(rc = mdb_env_set_assert(st->env, gh_store_on_lmdb_assert)))
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
      gh_store_lmdb_fail(err, dir, "cannot open", rc);
    goto fail;
  }
  if(!check_data_size(st, err))
    goto fail;
  gh_store_guard_map(st, true);
  MDB_envinfo info;
  mdb_env_info(st->env, &info);
  st->map_size = info.me_mapsize;

  MDB_txn *txn;
  if((rc = mdb_txn_begin(st->env, NULL, mode == GH_STORE_READ ? MDB_RDONLY : 0, &txn))) {
    gh_store_lmdb_fail(err, dir, "cannot begin transaction", rc);
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
    gh_store_lmdb_fail(err, dir, "cannot open databases", rc);
    goto fail;
  }
  if((rc = mdb_txn_commit(txn))) {
    gh_store_lmdb_fail(err, dir, "cannot commit", rc);
    goto fail;
  }
  st->schema = schema;
  if(mode == GH_STORE_WRITE && st->urls_legacy && !gh_store_migrate_v1(st, err))
    goto fail;
  if(mode == GH_STORE_WRITE && st->schema < 3 && !gh_store_migrate_v2(st, err))
    goto fail;
  if(mode == GH_STORE_WRITE && st->schema < 4 && !gh_store_migrate_v3(st, err))
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
    gh_store_guard_map(st, false);
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
  gh_store_guard_map(st, false);
  int rc = mdb_env_set_mapsize(st->env, size);
  gh_store_guard_map(st, true); /* the map may have moved */
  if(!rc && why == MDB_MAP_FULL) {
    st->map_size = size;
    st->grows++;
  }
  pthread_mutex_unlock(&st->map_lock);
  return rc ? gh_store_lmdb_fail(err, st->dir, "cannot grow the map", rc) : true;
}

bool
gh_store_write(struct gh_store *st, gh_store_txn_fn fn, void *ctx, GError **err)
{
  for(;;) {
    int rc = gh_store_write_once(st, fn, ctx);
    if(rc != MDB_MAP_FULL && rc != MDB_MAP_RESIZED)
      return rc == 0 ? true : gh_store_lmdb_fail(err, st->dir, "write failed", rc);
    if(!gh_store_adjust_map(st, rc, err))
      return false;
  }
}

MDB_txn *
gh_store_read_begin(struct gh_store *st, GError **err)
{
  MDB_txn *txn = NULL;
  int rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
  if(rc == MDB_MAP_RESIZED) { /* a writer grew the map since we opened */
    pthread_mutex_lock(&st->map_lock);
    gh_store_guard_map(st, false);
    mdb_env_set_mapsize(st->env, 0);
    gh_store_guard_map(st, true);
    pthread_mutex_unlock(&st->map_lock);
    rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn);
  }
  if(rc) {
    gh_store_lmdb_fail(err, st->dir, "cannot begin a read", rc);
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

struct gh_store
gh_store_moved_view(const struct gh_store *st)
{
  struct gh_store v = *st;
  v.urls = st->urls_moved;
  v.urls_legacy = false;
  v.has_moved = false;
  return v;
}

bool
gh_store_url_raw(MDB_txn *txn, struct gh_store *st, const char *url, const void **state,
                 size_t *len)
{
  if(st->urls_legacy) {
    MDB_val k = { strlen(url), (void *)url }, v;
    if(k.mv_size >= 512 || mdb_get(txn, st->urls, &k, &v)) {
      if(!st->has_moved)
        return false;
      struct gh_store moved = gh_store_moved_view(st);
      return gh_store_url_raw(txn, &moved, url, state, len);
    }
    *state = v.mv_data;
    *len = v.mv_size;
    return true;
  }
  guint8 h[32];
  url_key(url, h);
  MDB_val k = { sizeof h, h }, v;
  /* (Not gh_store_val_ok: in a write transaction a value written in it
   * lies outside the map, in LMDB's dirty pages.) */
  if(mdb_get(txn, st->urls, &k, &v))
    return false;
  size_t ul = strlen(url);
  /* The value names its URL: another URL's is a SHA-256 collision. */
  if(v.mv_size <= ul || memcmp(v.mv_data, url, ul) || ((const char *)v.mv_data)[ul])
    return false;
  *state = (const char *)v.mv_data + ul + 1;
  *len = v.mv_size - ul - 1;
  return true;
}

struct gh_urlstate *
gh_store_url_decode(const void *state, size_t len)
{
  if(gh_urlstate_is_encoded(state, len))
    return gh_urlstate_decode(state, len);
  /* JSON text: a store of schema 3 or older, read before its migration. */
  json_t *j = json_loadb(state, len, 0, NULL);
  struct gh_urlstate *s = gh_urlstate_from_json(j);
  json_decref(j);
  return s;
}

struct gh_urlstate *
gh_store_url_get(MDB_txn *txn, struct gh_store *st, const char *url)
{
  const void *p;
  size_t n;
  return gh_store_url_raw(txn, st, url, &p, &n) ? gh_store_url_decode(p, n) : NULL;
}

int
gh_store_url_put_encoded(MDB_txn *txn, struct gh_store *st, const char *url, const void *state,
                         size_t len)
{
  if(st->urls_legacy)
    return EROFS; /* a schema-1 store is migrated before anything is written */
  size_t ul = strlen(url);
  guint8 h[32];
  url_key(url, h);
  /* Built here and copied by LMDB, not written into an MDB_RESERVE slot:
   * on a damaged page that slot can be anywhere, and the write would be
   * ours. */
  char *buf = g_malloc(ul + 1 + len);
  memcpy(buf, url, ul + 1);
  memcpy(buf + ul + 1, state, len);
  MDB_val k = { sizeof h, h }, v = { ul + 1 + len, buf };
  int rc = mdb_put(txn, st->urls, &k, &v, 0);
  g_free(buf);
  return rc;
}

int
gh_store_url_put(MDB_txn *txn, struct gh_store *st, const char *url,
                 const struct gh_urlstate *state)
{
  GByteArray *b = g_byte_array_sized_new(256);
  gh_urlstate_encode(state, b);
  int rc = gh_store_url_put_encoded(txn, st, url, b->data, b->len);
  g_byte_array_unref(b);
  return rc;
}

bool
gh_store_url_entry(const struct gh_store *st, const MDB_val *k, const MDB_val *v, char **url,
                   struct gh_urlstate **state)
{
  *url = NULL;
  *state = NULL;
  if(st->urls_legacy) {
    *url = g_strndup(k->mv_data, k->mv_size);
    *state = gh_store_url_decode(v->mv_data, v->mv_size);
  } else {
    const char *nul = k->mv_size == 32 ? memchr(v->mv_data, '\0', v->mv_size) : NULL;
    if(nul) {
      size_t ul = (size_t)(nul - (const char *)v->mv_data);
      *url = g_strndup(v->mv_data, ul);
      *state = gh_store_url_decode(nul + 1, v->mv_size - ul - 1);
    }
  }
  if(*state)
    return true;
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

const char *
gh_store_dir(const struct gh_store *st)
{
  return st->dir;
}

const char *
gh_store_notice(const struct gh_store *st)
{
  return st->notice;
}

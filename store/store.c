#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
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

/* flock on a file beside the environment: LMDB's own lock allows many
 * writers in sequence, but two crawlers interleaving one frontier would each
 * fetch what the other queued. */
static bool
take_writer_lock(struct gh_store *st, GError **err)
{
  char *path = g_build_filename(st->dir, "writer.lock", NULL);
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if(fd < 0) {
    g_set_error(err, GH_STORE_ERROR, errno, "store %s: cannot open %s: %s", st->dir, path,
                g_strerror(errno));
    g_free(path);
    return false;
  }
  if(flock(fd, LOCK_EX | LOCK_NB) < 0) {
    char buf[32] = { 0 };
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if(n > 0)
      buf[strcspn(buf, "\n")] = '\0';
    g_set_error(err, GH_STORE_ERROR, EBUSY,
                "store %s is in use by another govharvest process%s%s%s (a daemon or a "
                "crawl); stop it first, or use a different --store",
                st->dir, n > 0 ? " (pid " : "", n > 0 ? buf : "", n > 0 ? ")" : "");
    close(fd);
    g_free(path);
    return false;
  }
  char pid[32];
  int plen = g_snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  if(ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)plen, 0) < 0) {
    /* The pid is only a courtesy for the message above. */
  }
  g_free(path);
  st->lock_fd = fd;
  return true;
}

static int
open_dbis(struct gh_store *st, MDB_txn *txn, unsigned flags)
{
  struct {
    const char *name;
    MDB_dbi *dbi;
  } dbs[] = {
    { "meta", &st->meta },   { "records", &st->records }, { "history", &st->history },
    { "docs", &st->docs },   { "urls", &st->urls },       { "queue", &st->queue },
    { "hosts", &st->hosts },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(dbs); i++) {
    int rc = mdb_dbi_open(txn, dbs[i].name, flags, dbs[i].dbi);
    if(rc)
      return rc;
  }
  return 0;
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
  char *data = g_build_filename(dir, "data.mdb", NULL);
  bool exists = g_file_test(data, G_FILE_TEST_EXISTS);
  g_free(data);
  int rc;

  if(mode == GH_STORE_READ && !exists) {
    g_set_error(err, GH_STORE_ERROR, ENOENT,
                "store %s does not exist (run 'govharvest crawl' first, or give --store)", dir);
    goto fail;
  }
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
  if((rc = mdb_env_open(st->env, dir, flags, 0640))) {
    lmdb_fail(err, dir, "cannot open", rc);
    goto fail;
  }
  MDB_envinfo info;
  mdb_env_info(st->env, &info);
  st->map_size = info.me_mapsize;

  MDB_txn *txn;
  if((rc = mdb_txn_begin(st->env, NULL, mode == GH_STORE_READ ? MDB_RDONLY : 0, &txn))) {
    lmdb_fail(err, dir, "cannot begin transaction", rc);
    goto fail;
  }
  rc = open_dbis(st, txn, mode == GH_STORE_READ ? 0 : MDB_CREATE);
  if(rc == MDB_NOTFOUND) {
    mdb_txn_abort(txn);
    g_set_error(err, GH_STORE_ERROR, rc, "store %s is not a govharvest store (no meta database)",
                dir);
    goto fail;
  }
  if(rc) {
    mdb_txn_abort(txn);
    lmdb_fail(err, dir, "cannot open databases", rc);
    goto fail;
  }
  uint64_t schema = 0;
  rc = gh_store_meta_get_u64(txn, st, "schema", &schema);
  if(rc == MDB_NOTFOUND && mode == GH_STORE_WRITE) {
    rc = gh_store_meta_put_u64(txn, st, "schema", GH_STORE_SCHEMA);
    schema = GH_STORE_SCHEMA;
  }
  if(rc) {
    mdb_txn_abort(txn);
    lmdb_fail(err, dir, "cannot read the schema version", rc);
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
  if((rc = mdb_txn_commit(txn))) {
    lmdb_fail(err, dir, "cannot commit", rc);
    goto fail;
  }
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
  if(st->env)
    mdb_env_close(st->env);
  if(st->lock_fd >= 0)
    close(st->lock_fd); /* releases the flock */
  ZSTD_freeCCtx(st->zc);
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
  int rc = mdb_env_set_mapsize(st->env, size);
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
    mdb_env_set_mapsize(st->env, 0);
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

char *
gh_agency_key(const char *region_code, const char *agency)
{
  return g_strdup_printf("%s|%s", region_code ? region_code : "", agency ? agency : "");
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

int
gh_store_land_record(MDB_txn *txn, struct gh_store *st, json_t *record, const char **what)
{
  const char *agency = json_string_value(json_object_get(record, "agency"));
  const char *region = json_string_value(json_object_get(record, "region_code"));
  int year = (int)json_integer_value(json_object_get(record, "year"));
  if(!agency || !*agency || year <= 0)
    return EINVAL;
  char *ak = gh_agency_key(region, agency);
  GString *key = gh_record_key(ak, year);
  g_free(ak);
  json_t *cur = gh_store_get_json(txn, st->records, key->str, key->len);
  int rc = 0;
  if(!cur) {
    *what = "new";
  } else if(source_sha(cur) && source_sha(record) && !strcmp(source_sha(cur), source_sha(record))) {
    *what = "same";
  } else if(is_parsed(cur) && !is_parsed(record)) {
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

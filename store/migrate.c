/* Schema migrations, run by the first writer that opens an older store,
 * each after a compacted copy of the store as it was (schema-N-backup/),
 * in batches that a restart resumes.  One driver (migrate) does what
 * every migration does: the backup, a batched walk of one database that
 * carries its position from batch to batch, the schema set with the last
 * batch; each migration gives only its steps (struct migration). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../record/places.h"
#include "store_int.h"

/* Removes a backup directory's files and the directory (best effort). */
static void
remove_backup_dir(const char *dir)
{
  static const char *const files[] = { "data.mdb", "lock.mdb", NULL };
  for(const char *const *f = files; *f; f++) {
    char *p = g_build_filename(dir, *f, NULL);
    unlink(p);
    g_free(p);
  }
  rmdir(dir);
}

/* Whether `dir` holds a whole LMDB copy: it opens, and its file is as long
 * as its last page says.  A copy cut short by a kill opens (its meta pages
 * come first) but ends early; a release before this one wrote backups in
 * place and could leave such a copy behind. */
static bool
backup_whole(const char *dir)
{
  MDB_env *env = NULL;
  bool whole = false;
  char *data = g_build_filename(dir, "data.mdb", NULL);
  struct stat sb;
  if(stat(data, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 && !mdb_env_create(&env) &&
     !mdb_env_set_maxdbs(env, 16) &&
     !mdb_env_open(env, dir, MDB_RDONLY | MDB_NOLOCK | MDB_NOTLS, 0640)) {
    MDB_envinfo info;
    MDB_stat ms;
    whole = !mdb_env_info(env, &info) && !mdb_env_stat(env, &ms) &&
            (unsigned long long)sb.st_size >= ((unsigned long long)info.me_last_pgno + 1) * ms.ms_psize;
  }
  if(env)
    mdb_env_close(env);
  g_free(data);
  return whole;
}

/* A compacted copy of the store in STORE/schema-N-backup before a
 * migration from schema N: a migration that fails half-way (a full disk)
 * leaves the store consistent, but the copy is what an operator can go back
 * to with an older govharvest.  An interrupted migration's copy is the
 * older one, and is kept.  The copy is written into schema-N-backup.tmp,
 * synced, then renamed: a kill mid-copy leaves a .tmp (removed at the next
 * start), never a short backup taken for whole. */
static bool
backup_before(struct gh_store *st, int from, const char *what, GError **err)
{
  char *bak = g_strdup_printf("%s/schema-%d-backup", st->dir, from);
  char *tmp = g_strconcat(bak, ".tmp", NULL);
  char *bakdata = g_build_filename(bak, "data.mdb", NULL);
  char *tmpdata = g_build_filename(tmp, "data.mdb", NULL);
  bool ok = true;
  remove_backup_dir(tmp); /* a copy a killed run left unfinished */
  bool redone = g_file_test(bakdata, G_FILE_TEST_EXISTS) && !backup_whole(bak);
  if(redone)
    remove_backup_dir(bak);
  if(!g_file_test(bakdata, G_FILE_TEST_EXISTS)) {
    int rc = 0, fd = -1;
    if(g_mkdir_with_parents(tmp, 0750) < 0 ||
       (fd = open(tmpdata, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640)) < 0) {
      g_set_error(err, GH_STORE_ERROR, errno, "store %s: cannot create %s for the backup: %s",
                  st->dir, tmp, g_strerror(errno));
      ok = false;
    } else if((rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT)) || (fsync(fd) < 0 && (rc = errno))) {
      char *why = g_strdup_printf("cannot back up before migrating from schema %d", from);
      gh_store_lmdb_fail(err, st->dir, why, rc);
      g_free(why);
      ok = false;
    }
    if(fd >= 0 && close(fd) < 0 && ok) {
      g_set_error(err, GH_STORE_ERROR, errno, "store %s: backup %s: %s", st->dir, tmpdata,
                  g_strerror(errno));
      ok = false;
    }
    if(ok && rename(tmp, bak) < 0) {
      g_set_error(err, GH_STORE_ERROR, errno, "store %s: cannot rename %s to %s: %s", st->dir, tmp,
                  bak, g_strerror(errno));
      ok = false;
    }
    if(ok) { /* the rename itself, before the migration changes anything */
      int dfd = open(st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if(dfd >= 0) {
        fsync(dfd);
        close(dfd);
      }
    } else {
      remove_backup_dir(tmp);
    }
  }
  g_free(bakdata);
  g_free(tmpdata);
  g_free(tmp);
  if(ok) {
    char *line = g_strdup_printf("store %s migrated from schema %d to %d (%s); the schema-%d "
                                 "store was copied to %s first%s",
                                 st->dir, from, GH_STORE_SCHEMA, what, from, bak,
                                 redone ? " (the copy found there was cut short, and was made again)"
                                        : "");
    /* Two migrations in one open: the first backup is the one to name. */
    if(!st->notice)
      st->notice = line;
    else
      g_free(line);
  }
  g_free(bak);
  return ok;
}

/* ---- the driver: one for every migration ---- */

/* What a batch keeps of an entry it reads: copies, since the writes that
 * follow may move the pages the cursor read. */
enum { TAKE_KEY = 1, TAKE_VALUE = 2 };
struct taken {
  GBytes *key, *value; /* NULL where not taken */
};

static void
taken_clear(void *p)
{
  struct taken *t = p;
  if(t->key)
    g_bytes_unref(t->key);
  if(t->value)
    g_bytes_unref(t->value);
}

/* One migration, from schema `from` to from + 1: the driver backs the
 * store up, walks `src` in batches of `batch` entries (each transaction's
 * dirty pages well under LMDB's limit), reads each batch, then has `step`
 * rewrite each entry `take` kept of it, and with the last batch runs
 * `done` and sets the schema. */
struct migration {
  int from;
  const char *what; /* what changes, for the operator's notice */
  unsigned batch;
  /* The database to walk, and what must exist first (false with *err). */
  bool (*open)(struct gh_store *st, MDB_dbi *src, GError **err);
  /* TAKE_KEY and/or TAKE_VALUE of an entry; 0: it needs no change. */
  unsigned (*take)(const MDB_val *k, const MDB_val *v);
  /* The rewrite of one taken entry in `txn` (an LMDB code); `key` and
   * `value` NULL where not taken. */
  int (*step)(struct gh_store *st, MDB_txn *txn, MDB_dbi src, GBytes *key, GBytes *value);
  /* After the last entry, in the same transaction (NULL: nothing). */
  int (*done)(struct gh_store *st, MDB_txn *txn, MDB_dbi src);
};

/* A migration under way: where it is, carried from batch to batch. */
struct run {
  const struct migration *m;
  MDB_dbi src;
  GString *after; /* the last key read; the next batch starts past it */
  bool finished;
};

/* A batch's cursor on `dbi`, at the first entry past `after` (the last
 * key the previous batch handled; empty: at the first entry): the cursor
 * get's result (MDB_NOTFOUND: nothing left), or the open's error with
 * *cur NULL.  Batches that resume from a key, not a count, skip nothing
 * when a batch before them moved entries. */
static int
resume(MDB_txn *txn, MDB_dbi dbi, const GString *after, MDB_cursor **cur, MDB_val *k, MDB_val *v)
{
  int rc = mdb_cursor_open(txn, dbi, cur);
  if(rc) {
    *cur = NULL;
    return rc;
  }
  *k = (MDB_val){ after->len, after->str };
  rc = after->len ? mdb_cursor_get(*cur, k, v, MDB_SET_RANGE) : mdb_cursor_get(*cur, k, v, MDB_FIRST);
  if(!rc && after->len && k->mv_size == after->len && !memcmp(k->mv_data, after->str, after->len))
    rc = mdb_cursor_get(*cur, k, v, MDB_NEXT);
  return rc;
}

static int
run_batch(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct run *r = ud;
  MDB_cursor *cur;
  MDB_val k, v;
  int rc = resume(txn, r->src, r->after, &cur, &k, &v);
  if(!cur)
    return rc;
  GArray *taken = g_array_new(FALSE, TRUE, sizeof(struct taken));
  g_array_set_clear_func(taken, taken_clear);
  GString *last = g_string_new(NULL);
  for(unsigned seen = 0; !rc && seen < r->m->batch;
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT), seen++) {
    g_string_truncate(last, 0);
    g_string_append_len(last, k.mv_data, (gssize)k.mv_size);
    unsigned what = r->m->take(&k, &v);
    if(!what)
      continue;
    struct taken t = { what & TAKE_KEY ? g_bytes_new(k.mv_data, k.mv_size) : NULL,
                       what & TAKE_VALUE ? g_bytes_new(v.mv_data, v.mv_size) : NULL };
    g_array_append_val(taken, t);
  }
  mdb_cursor_close(cur);
  bool end = rc == MDB_NOTFOUND;
  rc = end ? 0 : rc;
  for(guint i = 0; !rc && i < taken->len; i++) {
    struct taken *t = &g_array_index(taken, struct taken, i);
    rc = r->m->step(st, txn, r->src, t->key, t->value);
  }
  if(!rc && end && r->m->done)
    rc = r->m->done(st, txn, r->src);
  if(!rc && end)
    rc = gh_store_meta_put_u64(txn, st, "schema", (uint64_t)r->m->from + 1);
  /* Only a batch that will commit moves the position on: gh_store_write
   * runs a batch again from the start after growing a full map. */
  if(!rc) {
    r->finished = end;
    if(last->len) {
      g_string_truncate(r->after, 0);
      g_string_append_len(r->after, last->str, (gssize)last->len);
    }
  }
  g_string_free(last, TRUE);
  g_array_free(taken, TRUE);
  return rc;
}

static bool
migrate(struct gh_store *st, const struct migration *m, GError **err)
{
  if(!backup_before(st, m->from, m->what, err))
    return false;
  struct run r = { .m = m, .after = g_string_new(NULL) };
  bool ok = m->open(st, &r.src, err);
  while(ok && !r.finished)
    ok = gh_store_write(st, run_batch, &r, err);
  g_string_free(r.after, TRUE);
  if(ok)
    st->schema = (uint64_t)m->from + 1;
  return ok;
}

/* What cannot be read is kept as the text it was, under a state that says
 * so (check names it). */
static struct gh_urlstate *
damaged_state(const void *raw, size_t len)
{
  json_t *d = json_pack("{s:s, s:s%}", "state", "damaged", "raw", (const char *)raw, len);
  if(!d) /* not UTF-8: the mark alone */
    d = json_pack("{s:s}", "state", "damaged");
  struct gh_urlstate *s = gh_urlstate_from_json(d);
  json_decref(d);
  return s;
}

/* ---- schema 1 -> 2: URL states re-keyed by the URL's SHA-256 ---- */

/* From the old database (keyed by the URL) into url_state, which readers
 * read beside it while a migration cut short has moved only part. */
static bool
v1_open(struct gh_store *st, MDB_dbi *src, GError **err)
{
  *src = st->urls;
  MDB_txn *txn;
  int rc = mdb_txn_begin(st->env, NULL, 0, &txn);
  if(!rc) {
    if((rc = mdb_dbi_open(txn, "url_state", MDB_CREATE, &st->urls)))
      mdb_txn_abort(txn);
    else
      rc = mdb_txn_commit(txn); /* frees the transaction, also on failure */
  }
  if(rc)
    return gh_store_lmdb_fail(err, st->dir, "cannot create the URL states' database", rc);
  st->urls_legacy = false; /* writes go to url_state from here on */
  st->has_moved = false;
  return true;
}

static unsigned
v1_take(const MDB_val *k, const MDB_val *v)
{
  (void)k;
  (void)v;
  return TAKE_KEY | TAKE_VALUE;
}

/* Each entry moves: written under its hash, deleted from the old
 * database. */
static int
v1_step(struct gh_store *st, MDB_txn *txn, MDB_dbi src, GBytes *key, GBytes *value)
{
  gsize kn, vn;
  const char *kd = g_bytes_get_data(key, &kn);
  const char *val = g_bytes_get_data(value, &vn);
  char *url = g_strndup(kd, kn);
  struct gh_urlstate *s = gh_store_url_decode(val, vn);
  if(!s)
    s = damaged_state(val, vn);
  int rc = gh_store_url_put(txn, st, url, s);
  gh_urlstate_free(s);
  g_free(url);
  MDB_val old = { kn, (void *)kd };
  return rc ? rc : mdb_del(txn, src, &old, NULL);
}

/* The old database, empty by then, goes. */
static int
v1_done(struct gh_store *st, MDB_txn *txn, MDB_dbi src)
{
  (void)st;
  return mdb_drop(txn, src, 1);
}

/* ---- schema 2 -> 3: records keyed by agency identity ---- */

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

static bool
v2_open(struct gh_store *st, MDB_dbi *src, GError **err)
{
  (void)err;
  *src = st->records;
  return true;
}

static unsigned
v2_take(const MDB_val *k, const MDB_val *v)
{
  (void)k;
  (void)v;
  return TAKE_KEY;
}

/* Each record moves to the key its agency identity gives (a move lands it
 * ahead of the walk, where a later batch meets it already keyed and leaves
 * it), with its history. */
static int
v2_step(struct gh_store *st, MDB_txn *txn, MDB_dbi src, GBytes *key, GBytes *value)
{
  (void)src;
  (void)value;
  gsize n;
  const char *kd = g_bytes_get_data(key, &n);
  GString *oldk = g_string_new_len(kd, (gssize)n);
  json_t *rec = gh_store_get_json(txn, st->records, oldk->str, oldk->len);
  int year = (int)json_integer_value(json_object_get(rec, "year"));
  const char *agency = json_string_value(json_object_get(rec, "agency"));
  int rc = 0;
  if(json_is_object(rec) && agency && *agency && year > 0) {
    bool had = json_string_value(json_object_get(rec, "agency_key")) != NULL;
    GString *newk = gh_record_key(gh_store_record_agency_key(rec), year);
    if(newk->len == oldk->len && !memcmp(newk->str, oldk->str, oldk->len)) {
      if(!had) /* the same key: the record only gains its agency_key */
        rc = gh_store_put_json(txn, st->records, oldk->str, oldk->len, rec, 0);
    } else {
      MDB_val ok = { oldk->len, oldk->str };
      const char *what;
      if(!(rc = mdb_del(txn, st->records, &ok, NULL)) && !(rc = move_history(txn, st, oldk, newk)))
        rc = gh_store_land_record(txn, st, rec, &what);
    }
    g_string_free(newk, TRUE);
  }
  /* What does not decode stays where it is, for `check` to name. */
  json_decref(rec);
  g_string_free(oldk, TRUE);
  return rc;
}

/* ---- schema 3 -> 4: URL states in their binary form ---- */

static bool
v3_open(struct gh_store *st, MDB_dbi *src, GError **err)
{
  (void)err;
  *src = st->urls;
  return true;
}

static unsigned
v3_take(const MDB_val *k, const MDB_val *v)
{
  const char *nul = memchr(v->mv_data, '\0', v->mv_size);
  if(!nul || k->mv_size != 32)
    return 0; /* damage stays where it is, for check to name */
  size_t ul = (size_t)(nul - (const char *)v->mv_data);
  if(gh_urlstate_is_encoded(nul + 1, v->mv_size - ul - 1))
    return 0; /* written since (a schema-1 store's migration writes these) */
  return TAKE_VALUE;
}

static int
v3_step(struct gh_store *st, MDB_txn *txn, MDB_dbi src, GBytes *key, GBytes *value)
{
  (void)src;
  (void)key;
  gsize n;
  const char *val = g_bytes_get_data(value, &n);
  size_t ul = strlen(val);
  struct gh_urlstate *s = gh_store_url_decode(val + ul + 1, n - ul - 1);
  if(!s)
    s = damaged_state(val + ul + 1, n - ul - 1);
  int rc = gh_store_url_put(txn, st, val, s);
  gh_urlstate_free(s);
  return rc;
}

static const struct migration migrations[] = {
  { 1, "URL states keyed by hash, records by agency key", 20000, v1_open, v1_take, v1_step, v1_done },
  { 2, "records keyed by agency key", 5000, v2_open, v2_take, v2_step, NULL },
  { 3, "URL states in a binary form", 20000, v3_open, v3_take, v3_step, NULL },
};

bool
gh_store_migrate_v1(struct gh_store *st, GError **err)
{
  return migrate(st, &migrations[0], err);
}

bool
gh_store_migrate_v2(struct gh_store *st, GError **err)
{
  return migrate(st, &migrations[1], err);
}

bool
gh_store_migrate_v3(struct gh_store *st, GError **err)
{
  return migrate(st, &migrations[2], err);
}

#include "check.h"
#include "store_int.h"

#include "../record/places.h"
#include "reparse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#define GH_CHECK_ERROR (g_quark_from_static_string("gh-check"))

struct ctx {
  struct gh_store *st;
  MDB_txn *txn;
  FILE *out;
  struct gh_check_summary *sum;
  GHashTable *record_shas; /* the documents some record was parsed from */
};

/* One line of the report: a damage message from where the database is named. */
static void
report(struct ctx *c, const GError *e)
{
  const char *m = strstr(e->message, "database '");
  fprintf(c->out, "%s\n", m ? m : e->message);
  c->sum->problems++;
}

static void G_GNUC_PRINTF(4, 5)
problem(struct ctx *c, const char *db, const MDB_val *key, const char *fmt, ...)
{
  GError *e = NULL;
  va_list ap;
  va_start(ap, fmt);
  char *what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  /* The damage message names the key the way every reader does. */
  gh_store_damage(&e, c->st, db, key, what);
  report(c, e);
  g_error_free(e);
  g_free(what);
}

typedef void (*entry_fn)(struct ctx *c, const MDB_val *k, const MDB_val *v);

struct walk {
  struct ctx *c;
  entry_fn fn;
  guint64 n;
};

static bool
walk_entry(const MDB_val *k, const MDB_val *v, void *ud, GError **err)
{
  (void)err;
  struct walk *w = ud;
  w->n++;
  w->fn(w->c, k, v); /* an entry's problems are reported, and the walk goes on */
  return true;
}

/* One database: each entry's problems, then the walk's own (a damaged
 * page ends the walk of that database; the others are still read). */
static guint64
walk(struct ctx *c, MDB_dbi dbi, const char *db, entry_fn fn)
{
  struct walk w = { c, fn, 0 };
  GError *e = NULL;
  if(!gh_store_each(c->txn, c->st, dbi, db, walk_entry, &w, &e)) {
    report(c, e);
    g_error_free(e);
  }
  return w.n;
}

static json_t *
json_value(struct ctx *c, const char *db, const MDB_val *k, const char *data, size_t len)
{
  json_error_t je;
  json_t *j = json_loadb(data, len, 0, &je);
  if(!json_is_object(j)) {
    problem(c, db, k, "not a JSON object: %s", j ? "another JSON value" : je.text);
    json_decref(j);
    return NULL;
  }
  return j;
}

static void
record_entry(struct ctx *c, const MDB_val *k, const MDB_val *v)
{
  json_t *r = json_value(c, "records", k, v->mv_data, v->mv_size);
  if(!r)
    return;
  const char *agency = json_string_value(json_object_get(r, "agency"));
  json_int_t year = json_integer_value(json_object_get(r, "year"));
  if(!agency || year <= 0) {
    problem(c, "records", k, "the record has no agency or year");
  } else {
    /* Schema 3 keys by the record's agency_key; a store not yet migrated
     * by region code and the name as printed. */
    const char *key = json_string_value(json_object_get(r, "agency_key"));
    char *ak = c->st->schema < 3
                 ? gh_agency_key_join(json_string_value(json_object_get(r, "region_code")), agency)
                 : g_strdup(key);
    if(!ak) {
      problem(c, "records", k, "the record (%s %d) has no agency_key", agency, (int)year);
    } else {
      GString *want = gh_record_key(ak, (int)year);
      if(want->len != k->mv_size || memcmp(want->str, k->mv_data, want->len))
        problem(c, "records", k, "the record (%s %d) sits under another key", agency, (int)year);
      g_string_free(want, TRUE);
    }
    g_free(ak);
  }
  const char *sha = json_string_value(json_object_get(json_object_get(r, "source"), "sha256"));
  if(sha)
    g_hash_table_add(c->record_shas, g_strdup(sha));
  if(sha) {
    MDB_val dk = { strlen(sha), (void *)sha }, dv;
    int rc = mdb_get(c->txn, c->st->docs, &dk, &dv);
    if(rc == MDB_NOTFOUND)
      problem(c, "records", k, "its document %s is not in docs", sha);
    else if(rc)
      problem(c, "records", k, "looking up its document failed: %s", mdb_strerror(rc));
  }
  json_decref(r);
}

static void
history_entry(struct ctx *c, const MDB_val *k, const MDB_val *v)
{
  json_decref(json_value(c, "history", k, v->mv_data, v->mv_size));
}

static void
host_entry(struct ctx *c, const MDB_val *k, const MDB_val *v)
{
  json_decref(json_value(c, "hosts", k, v->mv_data, v->mv_size));
}

static void
doc_entry(struct ctx *c, const MDB_val *k, const MDB_val *v G_GNUC_UNUSED)
{
  char sha[65];
  if(k->mv_size != 64) {
    problem(c, "docs", k, "the key is not a SHA-256");
    return;
  }
  memcpy(sha, k->mv_data, 64);
  sha[64] = '\0';
  GError *e = NULL;
  size_t n = 0;
  char *bytes = gh_store_get_doc(c->txn, c->st, sha, &n, &e);
  if(!bytes) {
    problem(c, "docs", k, "does not decompress");
    g_clear_error(&e);
    return;
  }
  char *got = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)bytes, n);
  if(strcmp(got, sha))
    problem(c, "docs", k, "the bytes hash to %s", got);
  g_free(got);
  g_free(bytes);
}

static void
url_entry(struct ctx *c, const MDB_val *k, const MDB_val *v)
{
  char *url;
  struct gh_urlstate *s;
  if(!gh_store_url_entry(c->st, k, v, &url, &s)) {
    problem(c, "url_state", k, "the URL state does not decode");
    return;
  }
  if(!c->st->urls_legacy) {
    char *hex = g_compute_checksum_for_string(G_CHECKSUM_SHA256, url, -1);
    GString *want = g_string_new(NULL);
    for(size_t i = 0; i < k->mv_size; i++)
      g_string_append_printf(want, "%02x", ((const unsigned char *)k->mv_data)[i]);
    if(strcmp(hex, want->str))
      problem(c, "url_state", k, "the state of %s sits under another URL's hash", url);
    g_string_free(want, TRUE);
    g_free(hex);
  }
  if(!(s->has & GH_US_STATE))
    problem(c, "url_state", k, "the state of %s has no \"state\"", url);
  /* Not damage, but a report the crawl kept and never parsed (its
   * extraction was cut short or failed): listed, for reparse. */
  MDB_val dk = { s->sha256 ? strlen(s->sha256) : 0, s->sha256 }, dv;
  if(gh_reparse_unrecorded(s, c->record_shas) && !mdb_get(c->txn, c->st->docs, &dk, &dv)) {
    fprintf(c->out, "%s: document %.12s… stored without a record (extraction: %s); "
            "'govharvest reparse' parses it\n",
            url, s->sha256, s->record_status && *s->record_status ? s->record_status : "unfinished");
    c->sum->unrecorded++;
  }
  gh_urlstate_free(s);
  g_free(url);
}

static void
queue_entry(struct ctx *c, const MDB_val *k, const MDB_val *v)
{
  const char *nul = memchr(k->mv_data, '\0', k->mv_size);
  if(!nul || k->mv_size - (size_t)(nul - (const char *)k->mv_data) != 9) {
    problem(c, "queue", k, "the key is not host NUL sequence");
    return;
  }
  char *url = g_strndup(v->mv_data, v->mv_size);
  /* The host part of the URL (after "://", to the next '/') is the key's. */
  const char *h = strstr(url, "://");
  size_t hl = h ? strcspn(h + 3, "/?#") : 0;
  size_t kl = (size_t)(nul - (const char *)k->mv_data);
  if(!h || g_ascii_strncasecmp(h + 3, k->mv_data, MAX(hl, kl)) != 0 || hl != kl) {
    /* A default port is dropped from the key's host: compare without it. */
    bool port_only = h && hl > kl && h[3 + kl] == ':' &&
                     !g_ascii_strncasecmp(h + 3, k->mv_data, kl);
    if(!port_only)
      problem(c, "queue", k, "queued under another host than %s's", url);
  }
  struct gh_urlstate *s = gh_store_url_get(c->txn, c->st, url);
  if(!s)
    problem(c, "queue", k, "%s is queued but has no URL state", url);
  gh_urlstate_free(s);
  g_free(url);
}

bool
gh_store_check(struct gh_store *st, FILE *out, struct gh_check_summary *sum, GError **err)
{
  memset(sum, 0, sizeof *sum);
  MDB_txn *txn = gh_store_read_begin(st, err);
  if(!txn)
    return false;
  struct ctx c = { st, txn, out, sum, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
  uint64_t schema = 0;
  int rc = gh_store_meta_get_u64(txn, st, "schema", &schema);
  if(rc) {
    MDB_val k = { 6, "schema" };
    problem(&c, "meta", &k, "%s", mdb_strerror(rc));
  }
  sum->records = walk(&c, st->records, "records", record_entry);
  sum->history = walk(&c, st->history, "history", history_entry);
  sum->docs = walk(&c, st->docs, "docs", doc_entry);
  sum->urls = walk(&c, st->urls, st->urls_legacy ? "urls" : "url_state", url_entry);
  if(st->has_moved) {
    /* Cut short between batches: what moved is checked too, and the rest
     * is said, for the next write open finishes the migration. */
    guint64 left = sum->urls;
    struct gh_store moved = gh_store_moved_view(st);
    c.st = &moved;
    sum->urls += walk(&c, moved.urls, "url_state", url_entry);
    c.st = st;
    MDB_val k = { 4, "urls" };
    problem(&c, "urls", &k,
            "the migration from schema 1 is unfinished: %" G_GUINT64_FORMAT " URL states not yet "
            "moved to url_state (%" G_GUINT64_FORMAT " moved); the next crawl, daemon or reparse "
            "finishes it", left, sum->urls - left);
  }
  sum->queue = walk(&c, st->queue, "queue", queue_entry);
  sum->hosts = walk(&c, st->hosts, "hosts", host_entry);
  g_hash_table_destroy(c.record_shas);
  mdb_txn_abort(txn);
  return true;
}

bool
gh_store_backup(struct gh_store *st, const char *dir, bool *replaced, GError **err)
{
  bool inside = gh_store_path_inside(st->dir, dir);
  if(inside) {
    g_set_error(err, GH_CHECK_ERROR, EINVAL,
                "backup %s is the store %s or inside it; give a directory elsewhere", dir,
                st->dir);
    return false;
  }
  if(g_mkdir_with_parents(dir, 0750) < 0) {
    g_set_error(err, GH_CHECK_ERROR, errno, "backup %s: cannot create: %s", dir, g_strerror(errno));
    return false;
  }
  char *target = g_build_filename(dir, "data.mdb", NULL);
  char *tmp = g_build_filename(dir, ".data.mdb.partial", NULL);
  bool ok = false;
  /* An older backup is replaced by the rename below, atomically: a reader
   * of it (or a restore) sees the old copy or the new one, never a mix.  A
   * directory a writer has used is a store, not a backup, and is never
   * replaced. */
  char *lock = g_build_filename(dir, "writer.lock", NULL);
  bool store = g_file_test(lock, G_FILE_TEST_EXISTS);
  g_free(lock);
  if(store) {
    g_set_error(err, GH_CHECK_ERROR, EEXIST,
                "backup %s holds a store that has been written to (writer.lock), not a backup; "
                "give another directory", dir);
    goto out;
  }
  if(replaced)
    *replaced = g_file_test(target, G_FILE_TEST_EXISTS);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if(fd < 0) {
    g_set_error(err, GH_CHECK_ERROR, errno, "backup %s: %s", tmp, g_strerror(errno));
    goto out;
  }
  int rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
  if(rc)
    g_set_error(err, GH_CHECK_ERROR, rc, "backup of %s into %s failed: %s", st->dir, dir,
                mdb_strerror(rc));
  else if(fsync(fd) < 0)
    g_set_error(err, GH_CHECK_ERROR, errno, "backup %s: %s", tmp, g_strerror(errno));
  else
    ok = true;
  if(close(fd) < 0 && ok) {
    g_set_error(err, GH_CHECK_ERROR, errno, "backup %s: %s", tmp, g_strerror(errno));
    ok = false;
  }
  if(ok && rename(tmp, target) < 0) {
    g_set_error(err, GH_CHECK_ERROR, errno, "backup %s: %s", target, g_strerror(errno));
    ok = false;
  }
  if(ok) { /* the rename itself survives a crash */
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(dfd >= 0) {
      if(fsync(dfd) < 0)
        g_debug("fsync %s: %s", dir, g_strerror(errno));
      close(dfd);
    }
  }
  if(!ok)
    unlink(tmp);
out:
  g_free(target);
  g_free(tmp);
  return ok;
}

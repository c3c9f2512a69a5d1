#include "frontier.h"
#include "store_int.h"

#include <string.h>

static const char *const state_names[GH_URL_STATES] = {
  [GH_URL_QUEUED] = "queued",         [GH_URL_DONE] = "done",
  [GH_URL_FAILED] = "failed",         [GH_URL_REDIRECTED] = "redirected",
  [GH_URL_BLOCKED] = "blocked",       [GH_URL_ROBOTS] = "robots",
  [GH_URL_SKIPPED] = "skipped",
};

const char *
gh_url_state_name(enum gh_url_state s)
{
  return (unsigned)s < GH_URL_STATES ? state_names[s] : "queued";
}

bool
gh_url_state_parse(const char *name, enum gh_url_state *out)
{
  for(unsigned i = 0; name && i < GH_URL_STATES; i++)
    if(!strcmp(name, state_names[i])) {
      *out = (enum gh_url_state)i;
      return true;
    }
  return false;
}

enum gh_url_state
gh_url_state_of(const json_t *state)
{
  enum gh_url_state s = GH_URL_QUEUED;
  gh_url_state_parse(json_string_value(json_object_get(state, "state")), &s);
  return s;
}

/* ---- the cycle ---- */

struct cycle_arg {
  guint64 cycle;
};

static int
begin_cycle(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct cycle_arg *a = ud;
  guint64 cycle = 0, done_cycle = 0;
  int rc = gh_store_meta_get_u64(txn, st, "cycle", &cycle);
  if(rc && rc != MDB_NOTFOUND)
    return rc;
  rc = gh_store_meta_get_u64(txn, st, "cycle_done", &done_cycle);
  if(rc && rc != MDB_NOTFOUND)
    return rc;
  if(cycle == 0 || done_cycle >= cycle) {
    cycle++;
    if((rc = gh_store_meta_put_u64(txn, st, "cycle", cycle)))
      return rc;
  }
  a->cycle = cycle;
  return 0;
}

bool
gh_frontier_begin_cycle(struct gh_store *st, guint64 *cycle, GError **err)
{
  struct cycle_arg a = { 0 };
  if(!gh_store_write(st, begin_cycle, &a, err))
    return false;
  *cycle = a.cycle;
  return true;
}

static int
end_cycle(struct gh_store *st, MDB_txn *txn, void *ud)
{
  return gh_store_meta_put_u64(txn, st, "cycle_done", ((struct cycle_arg *)ud)->cycle);
}

bool
gh_frontier_end_cycle(struct gh_store *st, guint64 cycle, GError **err)
{
  struct cycle_arg a = { cycle };
  return gh_store_write(st, end_cycle, &a, err);
}

bool
gh_frontier_cycle_open(struct gh_store *st)
{
  MDB_txn *txn = gh_store_read_begin(st, NULL);
  if(!txn)
    return false;
  guint64 cycle = 0, done = 0;
  gh_store_meta_get_u64(txn, st, "cycle", &cycle);
  gh_store_meta_get_u64(txn, st, "cycle_done", &done);
  mdb_txn_abort(txn);
  return cycle > done;
}

/* ---- reads ---- */

json_t *
gh_frontier_url(struct gh_store *st, const char *url)
{
  MDB_txn *txn = gh_store_read_begin(st, NULL);
  if(!txn)
    return NULL;
  json_t *s = gh_store_url_get(txn, st, url);
  mdb_txn_abort(txn);
  return s;
}

json_t *
gh_frontier_host(struct gh_store *st, const char *host)
{
  MDB_txn *txn = gh_store_read_begin(st, NULL);
  if(!txn)
    return NULL;
  json_t *s = gh_store_get_json(txn, st->hosts, host, strlen(host));
  mdb_txn_abort(txn);
  return s;
}

guint64
gh_frontier_queued(struct gh_store *st)
{
  MDB_txn *txn = gh_store_read_begin(st, NULL);
  if(!txn)
    return 0;
  MDB_stat ms;
  mdb_stat(txn, st->queue, &ms);
  mdb_txn_abort(txn);
  return ms.ms_entries;
}

GHashTable *
gh_frontier_queued_by_host(struct gh_store *st)
{
  GHashTable *count = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  MDB_txn *txn = gh_store_read_begin(st, NULL);
  MDB_cursor *cur = NULL;
  if(!txn || mdb_cursor_open(txn, st->queue, &cur)) {
    if(txn)
      mdb_txn_abort(txn);
    return count;
  }
  MDB_val k, v;
  for(int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if(!gh_store_val_ok(st, &k))
      break;
    char *host = g_strndup(k.mv_data, strnlen(k.mv_data, k.mv_size));
    gpointer n = g_hash_table_lookup(count, host);
    g_hash_table_replace(count, host, GUINT_TO_POINTER(GPOINTER_TO_UINT(n) + 1));
  }
  mdb_cursor_close(cur);
  mdb_txn_abort(txn);
  return count;
}

GPtrArray *
gh_frontier_hosts(struct gh_store *st, GError **err)
{
  MDB_txn *txn = gh_store_read_begin(st, err);
  if(!txn)
    return NULL;
  GPtrArray *hosts = g_ptr_array_new_with_free_func(g_free);
  MDB_cursor *cur;
  mdb_cursor_open(txn, st->queue, &cur);
  MDB_val k, v;
  int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
  while(!rc && gh_store_val_ok(st, &k)) {
    /* Jump host by host: host \0 is followed by host \1 in key order. */
    char *name = g_strndup(k.mv_data, strnlen(k.mv_data, k.mv_size));
    GString *next = g_string_new(name);
    g_string_append_c(next, '\1');
    MDB_val nk = { next->len, next->str };
    rc = mdb_cursor_get(cur, &nk, &v, MDB_SET_RANGE);
    k = nk;
    g_string_free(next, TRUE);
    g_ptr_array_add(hosts, name);
  }
  mdb_cursor_close(cur);
  mdb_txn_abort(txn);
  return hosts;
}

/* ---- a crawl's writes ---- */

/* One pending store operation.  Applied together in one write transaction,
 * so a crawl commits (and fsyncs) a few times a second, not once per URL,
 * and on the committer's thread, so the event loop goes on meanwhile. */
enum op_kind { OP_STATE, OP_DEQUEUE, OP_ENQUEUE, OP_HOST, OP_DOC, OP_LAND };
struct op {
  enum op_kind kind;
  char *key;     /* URL, host or sha256 */
  char *host;    /* OP_DEQUEUE, OP_ENQUEUE: the queue's host */
  json_t *json;  /* state, host state, record */
  GBytes *bytes; /* OP_DOC */
  guint64 qseq;  /* OP_DEQUEUE */
  const char *result; /* set by the commit: OP_LAND what happened; OP_ENQUEUE "added" */
  bool force;         /* OP_ENQUEUE: past this cycle's visit */
};

/* Operations gathered for one commit, with what the loop must know of them
 * until they are in the store: the URLs they finish (their queue entries
 * are still there) and the newest state of each URL they touch. */
struct batch {
  GPtrArray *ops;        /* struct op * */
  GHashTable *dequeued;  /* URLs finished: not to be picked again */
  GHashTable *unflushed; /* URL -> its newest state */
  guint64 doc_bytes;     /* raw documents held by ops */
};

struct gh_frontier {
  struct gh_store *st;
  struct gh_frontier_opts o;
  struct gh_store_committer *committer;
  /* The batch being gathered, and the one the committer thread is writing
   * (empty when none): not in the store yet, so both are consulted. */
  struct batch gathering, committing;
  gint64 commit_started;
};

static void
op_free(void *p)
{
  struct op *op = p;
  g_free(op->key);
  g_free(op->host);
  json_decref(op->json);
  if(op->bytes)
    g_bytes_unref(op->bytes);
  g_free(op);
}

static void
batch_init(struct batch *b)
{
  b->ops = g_ptr_array_new_with_free_func(op_free);
  b->dequeued = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  b->unflushed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)json_decref);
  b->doc_bytes = 0;
}

static void
batch_clear(struct batch *b)
{
  g_ptr_array_set_size(b->ops, 0);
  g_hash_table_remove_all(b->dequeued);
  g_hash_table_remove_all(b->unflushed);
  b->doc_bytes = 0;
}

static void
batch_free(struct batch *b)
{
  g_ptr_array_free(b->ops, TRUE);
  g_hash_table_destroy(b->dequeued);
  g_hash_table_destroy(b->unflushed);
}

struct gh_frontier *
gh_frontier_new(struct gh_store *st, const struct gh_frontier_opts *o)
{
  struct gh_frontier *f = g_new0(struct gh_frontier, 1);
  f->st = st;
  f->o = *o;
  batch_init(&f->gathering);
  batch_init(&f->committing);
  f->committer = gh_store_committer_new(st, o->wake, o->wake_ud);
  return f;
}

void
gh_frontier_free(struct gh_frontier *f)
{
  if(!f)
    return;
  gh_store_committer_free(f->committer); /* waits for a running commit */
  batch_free(&f->gathering);
  batch_free(&f->committing);
  g_free(f);
}

static struct op *
add_op(struct gh_frontier *f, enum op_kind kind, const char *key, json_t *json)
{
  struct op *op = g_new0(struct op, 1);
  op->kind = kind;
  op->key = g_strdup(key);
  op->json = json;
  g_ptr_array_add(f->gathering.ops, op);
  /* Until the batch is committed, the newest state of a URL is here, not
   * in the store: a retry must see its attempt count. */
  if(kind == OP_STATE)
    g_hash_table_replace(f->gathering.unflushed, g_strdup(key), json_incref(json));
  return op;
}

void
gh_frontier_set(struct gh_frontier *f, const char *url, json_t *state)
{
  add_op(f, OP_STATE, url, state);
}

void
gh_frontier_finish(struct gh_frontier *f, const char *url, const char *host, json_t *state)
{
  json_t *qseq = json_object_get(state, "qseq");
  if(host && json_is_integer(qseq)) {
    struct op *op = add_op(f, OP_DEQUEUE, url, NULL);
    op->host = g_strdup(host);
    op->qseq = (guint64)json_integer_value(qseq);
  }
  add_op(f, OP_STATE, url, state);
  g_hash_table_add(f->gathering.dequeued, g_strdup(url));
}

void
gh_frontier_enqueue(struct gh_frontier *f, const char *url, const char *host, json_t *state,
                    bool force)
{
  struct op *op = add_op(f, OP_ENQUEUE, url, state);
  op->host = g_strdup(host);
  op->force = force;
}

void
gh_frontier_put_host(struct gh_frontier *f, const char *host, json_t *state)
{
  add_op(f, OP_HOST, host, state);
}

void
gh_frontier_put_doc(struct gh_frontier *f, const char *sha256, GBytes *bytes)
{
  struct op *op = add_op(f, OP_DOC, sha256, NULL);
  op->bytes = g_bytes_ref(bytes);
  f->gathering.doc_bytes += g_bytes_get_size(bytes);
}

void
gh_frontier_land(struct gh_frontier *f, json_t *record)
{
  add_op(f, OP_LAND, NULL, record);
}

bool
gh_frontier_is_finished(const struct gh_frontier *f, const char *url)
{
  return g_hash_table_contains(f->gathering.dequeued, url) ||
         g_hash_table_contains(f->committing.dequeued, url);
}

guint
gh_frontier_gathered(const struct gh_frontier *f)
{
  return f->gathering.ops->len;
}

guint64
gh_frontier_held_bytes(const struct gh_frontier *f)
{
  return f->gathering.doc_bytes + f->committing.doc_bytes;
}

bool
gh_frontier_committing(const struct gh_frontier *f)
{
  return f->committing.ops->len > 0;
}

gint64
gh_frontier_commit_started(const struct gh_frontier *f)
{
  return f->commit_started;
}

/* ---- applying a batch (on the committer thread) ---- */

static const char *
jstr(const json_t *o, const char *k)
{
  return json_string_value(json_object_get(o, k));
}

/* Queues the op's URL unless the rules in frontier.h say not; decided
 * inside the transaction, so duplicates in one batch and across restarts
 * collapse. */
static int
apply_enqueue(struct gh_frontier *f, MDB_txn *txn, struct op *op, guint64 *qseq)
{
  op->result = NULL;
  json_t *old = gh_store_url_get(txn, f->st, op->key);
  json_t *s = json_deep_copy(op->json);
  if(old) {
    guint64 cyc = (guint64)json_integer_value(json_object_get(old, "cycle"));
    enum gh_url_state state = gh_url_state_of(old);
    bool has_state = jstr(old, "state") != NULL;
    const char *kind = jstr(old, "kind");
    bool leaf = kind && (!strcmp(kind, "report") || !strcmp(kind, "attachment"));
    bool leaf_done = leaf && has_state && state == GH_URL_DONE;
    bool same_cycle = cyc == f->o.cycle;
    /* A forced run visits its seeds' pages again, once each (the mark is
     * in the state, so a batch run twice decides the same); a page still
     * queued is fetched anyway. */
    bool forced = op->force && same_cycle && (!has_state || state != GH_URL_QUEUED) &&
                  json_integer_value(json_object_get(old, "forced_run")) != f->o.run_id &&
                  (!leaf_done || f->o.refetch);
    bool skip = (same_cycle && !forced) || (!same_cycle && leaf_done && !f->o.refetch);
    if(skip) {
      json_decref(old);
      json_decref(s);
      return 0;
    }
    /* Keep what a revisit needs: validators and the last hash. */
    static const char *const keep[] = { "etag", "last_modified", "sha256", "fetched_at",
                                        "record_status", "out", NULL };
    for(const char *const *k = keep; *k; k++)
      if(json_object_get(old, *k))
        json_object_set(s, *k, json_object_get(old, *k));
    if(!g_strcmp0(jstr(s, "kind"), "list") && kind && strcmp(kind, "list"))
      json_object_set_new(s, "kind", json_string(kind)); /* a column seen as a page link */
    json_decref(old);
  }
  /* Whatever a forced run queues, it queues once. */
  if(op->force)
    json_object_set_new(s, "forced_run", json_integer(f->o.run_id));
  guint64 seq = (*qseq)++;
  json_object_set_new(s, "cycle", json_integer((json_int_t)f->o.cycle));
  json_object_set_new(s, "state", json_string(gh_url_state_name(GH_URL_QUEUED)));
  json_object_set_new(s, "qseq", json_integer((json_int_t)seq));
  int rc = gh_store_url_put(txn, f->st, op->key, s);
  if(!rc) {
    GString *qk = gh_store_queue_key(op->host, seq);
    MDB_val k = { qk->len, qk->str }, v = { strlen(op->key), op->key };
    rc = mdb_put(txn, f->st->queue, &k, &v, 0);
    g_string_free(qk, TRUE);
  }
  if(!rc)
    op->result = "added";
  json_decref(s);
  return rc;
}

/* Reads the committing batch and the store, nothing else. */
static int
apply_ops(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct gh_frontier *f = ud;
  GPtrArray *ops = f->committing.ops;
  guint64 qseq = 0;
  int rc = gh_store_meta_get_u64(txn, st, "qseq", &qseq);
  if(rc && rc != MDB_NOTFOUND)
    return rc;
  rc = 0;
  for(guint i = 0; i < ops->len && !rc; i++) {
    struct op *op = ops->pdata[i];
    switch(op->kind) {
    case OP_STATE:
      rc = gh_store_url_put(txn, st, op->key, op->json);
      break;
    case OP_DEQUEUE: {
      GString *qk = gh_store_queue_key(op->host, op->qseq);
      MDB_val k = { qk->len, qk->str };
      rc = mdb_del(txn, st->queue, &k, NULL);
      if(rc == MDB_NOTFOUND)
        rc = 0;
      g_string_free(qk, TRUE);
      break;
    }
    case OP_ENQUEUE:
      rc = apply_enqueue(f, txn, op, &qseq);
      break;
    case OP_HOST: {
      /* Merge: a robots-less update keeps the stored robots.txt. */
      json_t *old = gh_store_get_json(txn, st->hosts, op->key, strlen(op->key));
      json_t *merged = old ? old : json_object();
      json_object_update(merged, op->json);
      rc = gh_store_put_json(txn, st->hosts, op->key, strlen(op->key), merged, 0);
      json_decref(merged);
      break;
    }
    case OP_DOC: {
      gsize n;
      const char *b = g_bytes_get_data(op->bytes, &n);
      rc = gh_store_put_doc(txn, st, op->key, b, n);
      break;
    }
    case OP_LAND:
      rc = gh_store_land_record(txn, st, op->json, &op->result);
      break;
    }
  }
  if(!rc)
    rc = gh_store_meta_put_u64(txn, st, "qseq", qseq);
  return rc;
}

void
gh_frontier_commit_start(struct gh_frontier *f)
{
  if(!f->gathering.ops->len || f->committing.ops->len)
    return;
  struct batch empty = f->committing; /* cleared when it was collected */
  f->committing = f->gathering;
  f->gathering = empty;
  f->commit_started = g_get_monotonic_time();
  gh_store_committer_start(f->committer, apply_ops, f);
}

enum gh_commit
gh_frontier_commit_poll(struct gh_frontier *f, gint64 wait_until, gh_frontier_event_fn events,
                        void *ud, GError **err)
{
  enum gh_commit r = gh_store_committer_poll(f->committer, wait_until, err);
  if(r == GH_COMMIT_IDLE || r == GH_COMMIT_RUNNING)
    return r;
  for(guint i = 0; r == GH_COMMIT_DONE && events && i < f->committing.ops->len; i++) {
    struct op *op = f->committing.ops->pdata[i];
    if(op->kind == OP_LAND)
      events(ud, GH_FRONTIER_LANDED, NULL, op->json, op->result);
    else if(op->kind == OP_ENQUEUE && op->result)
      events(ud, GH_FRONTIER_QUEUED, op->host, op->json, op->result);
  }
  batch_clear(&f->committing);
  return r;
}

/* ---- choosing what to fetch next ---- */

char *
gh_frontier_next(struct gh_frontier *f, const char *host, guint64 from,
                 bool (*skip)(void *ud, const char *url), void *ud, json_t **state,
                 guint64 *seq, GError **err)
{
  MDB_txn *txn = gh_store_read_begin(f->st, err);
  if(!txn)
    return NULL;
  MDB_cursor *cur;
  mdb_cursor_open(txn, f->st->queue, &cur);
  GString *start = gh_store_queue_key(host, from);
  size_t plen = strlen(host) + 1; /* host NUL: this host's entries */
  MDB_val k = { start->len, start->str }, v;
  char *url = NULL;
  int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
  for(; !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if(k.mv_size < plen || memcmp(k.mv_data, start->str, plen))
      break;
    char *u = g_strndup(v.mv_data, v.mv_size);
    if(gh_frontier_is_finished(f, u) || (skip && skip(ud, u))) {
      g_free(u);
      continue;
    }
    json_t *newer = g_hash_table_lookup(f->gathering.unflushed, u);
    if(!newer)
      newer = g_hash_table_lookup(f->committing.unflushed, u);
    *state = newer ? json_deep_copy(newer) : gh_store_url_get(txn, f->st, u);
    if(!*state) /* a queue entry whose state was lost: recreate */
      *state = json_pack("{s:s, s:i}", "kind", "list", "depth", 0);
    /* The queue key is the truth about where this entry sits. */
    *seq = gh_store_queue_seq(&k);
    json_object_set_new(*state, "qseq", json_integer((json_int_t)*seq));
    url = u;
    break;
  }
  g_string_free(start, TRUE);
  mdb_cursor_close(cur);
  mdb_txn_abort(txn);
  return url;
}

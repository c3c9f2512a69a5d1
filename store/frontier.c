#include "frontier.h"
#include "store_int.h"

#include <string.h>

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

struct gh_urlstate *
gh_frontier_url(struct gh_store *st, const char *url)
{
  MDB_txn *txn = gh_store_read_begin(st, NULL);
  if(!txn)
    return NULL;
  struct gh_urlstate *s = gh_store_url_get(txn, st, url);
  mdb_txn_abort(txn);
  return s;
}

GBytes *
gh_frontier_doc(struct gh_store *st, const char *sha256)
{
  MDB_txn *txn = gh_store_read_begin(st, NULL);
  if(!txn)
    return NULL;
  size_t len = 0;
  char *d = gh_store_get_doc(txn, st, sha256, &len, NULL);
  mdb_txn_abort(txn);
  return d ? g_bytes_new_take(d, len) : NULL;
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
  json_t *json;  /* OP_HOST: host state; OP_LAND: record */
  GByteArray *enc;        /* OP_STATE: the URL's state, encoded in the loop */
  struct gh_urlstate *us; /* OP_ENQUEUE: the URL's state, completed by the commit */
  GBytes *bytes; /* OP_DOC */
  guint64 qseq;  /* OP_DEQUEUE */
  const char *result; /* set by the commit: OP_LAND what happened; OP_ENQUEUE "added" */
  char *note;         /* OP_ENQUEUE: the result when it says more than "added" */
  bool force;         /* OP_ENQUEUE: past this cycle's visit */
};

/* Operations gathered for one commit, with what the loop must know of them
 * until they are in the store: the URLs they finish (their queue entries
 * are still there) and the newest state of each URL they touch. */
struct batch {
  GPtrArray *ops;        /* struct op * */
  GHashTable *dequeued;  /* URLs finished: not to be picked again */
  GHashTable *unflushed; /* URL -> the OP_STATE op with its newest state (the op's) */
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
  g_free(op->note);
  json_decref(op->json);
  if(op->enc)
    g_byte_array_unref(op->enc);
  gh_urlstate_free(op->us);
  if(op->bytes)
    g_bytes_unref(op->bytes);
  g_free(op);
}

static void
batch_init(struct batch *b)
{
  b->ops = g_ptr_array_new_with_free_func(op_free);
  b->dequeued = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  b->unflushed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
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
  return op;
}

/* Encoded now, in the loop: the committer then only copies bytes, and the
 * caller keeps its state to change further. */
void
gh_frontier_set(struct gh_frontier *f, const char *url, const struct gh_urlstate *state)
{
  struct op *op = add_op(f, OP_STATE, url, NULL);
  op->enc = g_byte_array_sized_new(256);
  gh_urlstate_encode(state, op->enc);
  /* Until the batch is committed, the newest state of a URL is here, not
   * in the store: a retry must see its attempt count. */
  g_hash_table_replace(f->gathering.unflushed, g_strdup(url), op);
}

void
gh_frontier_finish(struct gh_frontier *f, const char *url, const char *host,
                   const struct gh_urlstate *state)
{
  if(host && (state->has & GH_US_QSEQ)) {
    struct op *op = add_op(f, OP_DEQUEUE, url, NULL);
    op->host = g_strdup(host);
    op->qseq = (guint64)state->qseq;
  }
  gh_frontier_set(f, url, state);
  g_hash_table_add(f->gathering.dequeued, g_strdup(url));
}

void
gh_frontier_enqueue(struct gh_frontier *f, const char *url, const char *host,
                    struct gh_urlstate *state, bool force)
{
  struct op *op = add_op(f, OP_ENQUEUE, url, NULL);
  op->us = state;
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

/* Whether `s` says it was fetched later than GH_FRONTIER_FUTURE_SLACK
 * from `now`: under a clock that ran ahead. */
static bool
fetched_ahead(const struct gh_urlstate *s, gint64 now)
{
  GDateTime *t = s && s->fetched_at ? g_date_time_new_from_iso8601(s->fetched_at, NULL) : NULL;
  bool ahead = t && g_date_time_to_unix(t) > now + GH_FRONTIER_FUTURE_SLACK;
  if(t)
    g_date_time_unref(t);
  return ahead;
}

/* Queues the op's URL unless the rules in frontier.h say not; decided
 * inside the transaction, so duplicates in one batch and across restarts
 * collapse.  Most calls are for a URL already seen this cycle (a portal's
 * navigation on every page), so only the stored state's head is read
 * until the URL is known to be queued. */
static int
apply_enqueue(struct gh_frontier *f, MDB_txn *txn, struct op *op, guint64 *qseq)
{
  op->result = NULL;
  struct gh_urlstate *s = op->us;
  const void *raw;
  size_t rawlen;
  struct gh_urlstate *old = NULL;
  if(gh_store_url_raw(txn, f->st, op->key, &raw, &rawlen)) {
    struct gh_urlstate head;
    bool fast = gh_urlstate_decode_head(raw, rawlen, &head);
    /* An older store's JSON (read before its migration), decoded whole. */
    old = fast ? NULL : gh_store_url_decode(raw, rawlen);
    const struct gh_urlstate *h = fast ? &head : old;
    if(h) {
      enum gh_url_state state = gh_urlstate_state(h);
      bool has_state = h->has & GH_US_STATE;
      bool leaf_done = gh_urlstate_is_leaf(h) && has_state && state == GH_URL_DONE;
      bool same_cycle = (guint64)h->cycle == f->o.cycle;
      /* A forced run visits its seeds' pages again, once each (the mark is
       * in the state, so a batch run twice decides the same); a page still
       * queued is fetched anyway. */
      bool forced = op->force && same_cycle && (!has_state || state != GH_URL_QUEUED) &&
                    h->forced_run != f->o.run_id && (!leaf_done || f->o.refetch);
      bool skip = (same_cycle && !forced) || (!same_cycle && leaf_done && !f->o.refetch);
      if(skip && !same_cycle) {
        /* A report fetched "in the future" is visited again: its record
         * carries that date too, and only a new fetch corrects it. */
        if(!old)
          old = gh_urlstate_decode(raw, rawlen);
        skip = !fetched_ahead(old, g_get_real_time() / G_USEC_PER_SEC);
      }
      if(skip) {
        g_free(head.kind);
        gh_urlstate_free(old);
        return 0;
      }
      if(!old)
        old = gh_urlstate_decode(raw, rawlen);
      g_free(head.kind);
    }
  }
  if(old && fetched_ahead(old, g_get_real_time() / G_USEC_PER_SEC)) {
    /* Fetched under a clock that ran ahead: when is unknown, so are the
     * validators' worth and the outcome's; fetched whole and extracted
     * again, as never fetched. */
    op->note = g_strdup_printf("%s: fetched at %s, in the future (a clock that ran ahead?): "
                               "fetched again", op->key, old->fetched_at);
    g_clear_pointer(&old->etag, g_free);
    g_clear_pointer(&old->last_modified, g_free);
    g_clear_pointer(&old->fetched_at, g_free);
    g_clear_pointer(&old->record_status, g_free);
  }
  if(old) {
    /* Keep what a revisit needs: validators and the last hash. */
    char **keep[][2] = { { &s->etag, &old->etag },
                         { &s->last_modified, &old->last_modified },
                         { &s->sha256, &old->sha256 },
                         { &s->fetched_at, &old->fetched_at },
                         { &s->record_status, &old->record_status } };
    for(size_t i = 0; i < G_N_ELEMENTS(keep); i++)
      if(*keep[i][1]) {
        g_free(*keep[i][0]);
        *keep[i][0] = g_steal_pointer(keep[i][1]);
      }
    if(old->out) {
      if(s->out)
        g_array_unref(s->out);
      s->out = g_steal_pointer(&old->out);
    }
    /* What this writer does not know, and a form post's body when the
     * post is queued again from a page's remembered links (a 304). */
    if(!s->extra && old->extra)
      s->extra = g_steal_pointer(&old->extra);
    if(!g_strcmp0(s->kind, "list") && old->kind && strcmp(old->kind, "list"))
      gh_urlstate_set(&s->kind, old->kind); /* a column seen as a page link */
    gh_urlstate_free(old);
  }
  /* Whatever a forced run queues, it queues once. */
  if(op->force)
    gh_urlstate_set_num(s, forced_run, GH_US_FORCED_RUN, f->o.run_id);
  guint64 seq = (*qseq)++;
  gh_urlstate_set_num(s, cycle, GH_US_CYCLE, (gint64)f->o.cycle);
  gh_urlstate_set_state(s, GH_URL_QUEUED);
  gh_urlstate_set_num(s, qseq, GH_US_QSEQ, (gint64)seq);
  int rc = gh_store_url_put(txn, f->st, op->key, s);
  if(!rc) {
    GString *qk = gh_store_queue_key(op->host, seq);
    MDB_val k = { qk->len, qk->str }, v = { strlen(op->key), op->key };
    rc = mdb_put(txn, f->st->queue, &k, &v, 0);
    g_string_free(qk, TRUE);
  }
  if(!rc)
    op->result = op->note ? op->note : "added";
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
      rc = gh_store_url_put_encoded(txn, st, op->key, op->enc->data, op->enc->len);
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
      events(ud, GH_FRONTIER_LANDED, NULL, op->json, NULL, op->result);
    else if(op->kind == OP_ENQUEUE && op->result)
      events(ud, GH_FRONTIER_QUEUED, op->host, NULL, op->us, op->result);
  }
  batch_clear(&f->committing);
  return r;
}

/* ---- choosing what to fetch next ---- */

char *
gh_frontier_next(struct gh_frontier *f, const char *host, guint64 from,
                 bool (*skip)(void *ud, const char *url), void *ud,
                 struct gh_urlstate **state, guint64 *seq, GError **err)
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
    const struct op *newer = g_hash_table_lookup(f->gathering.unflushed, u);
    if(!newer)
      newer = g_hash_table_lookup(f->committing.unflushed, u);
    *state = newer ? gh_urlstate_decode(newer->enc->data, newer->enc->len)
                   : gh_store_url_get(txn, f->st, u);
    if(!*state) { /* a queue entry whose state was lost: recreate */
      *state = gh_urlstate_new();
      gh_urlstate_set(&(*state)->kind, "list");
      gh_urlstate_set_num(*state, depth, GH_US_DEPTH, 0);
    }
    /* The queue key is the truth about where this entry sits. */
    *seq = gh_store_queue_seq(&k);
    gh_urlstate_set_num(*state, qseq, GH_US_QSEQ, (gint64)*seq);
    url = u;
    break;
  }
  g_string_free(start, TRUE);
  mdb_cursor_close(cur);
  mdb_txn_abort(txn);
  return url;
}

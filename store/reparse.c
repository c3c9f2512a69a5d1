#include "reparse.h"
#include "store_int.h"

#include "../record/places.h"

#include <string.h>

#include "../extract/sandbox.h"
#include "../record/record.h"

/* Records per batch, per worker: enough that the workers' tails at the
 * end of a batch are a small part of it, few enough that the documents
 * held meanwhile stay small (and at most BATCH_BYTES of them). */
#define BATCH_PER_WORKER 32
#define BATCH_BYTES ((size_t)64 << 20)

/* Fields whose change a user cares about: everything but the bookkeeping
 * of the run itself. */
static void
diff(json_t *a, json_t *b, const char *path, GString *out)
{
  if(json_equal(a, b))
    return;
  if(json_is_object(a) && json_is_object(b) && strcmp(path, "checks")) {
    const char *k;
    json_t *v;
    json_object_foreach(a, k, v) {
      if(!strcmp(k, "parser_version") || !strcmp(k, "fetched_at"))
        continue;
      char *p = *path ? g_strdup_printf("%s.%s", path, k) : g_strdup(k);
      diff(v, json_object_get(b, k), p, out);
      g_free(p);
    }
    json_object_foreach(b, k, v) {
      if(!json_object_get(a, k)) {
        char *p = *path ? g_strdup_printf("%s.%s", path, k) : g_strdup(k);
        g_string_append_printf(out, "%s%s", out->len ? ", " : "", p);
        g_free(p);
      }
    }
    return;
  }
  g_string_append_printf(out, "%s%s", out->len ? ", " : "", path);
}

struct item {
  GString *key;
  json_t *old, *fresh;
  GString *changes;
  GBytes *doc; /* NULL: the document is not stored */
};

static void
item_free(void *p)
{
  struct item *it = p;
  g_string_free(it->key, TRUE);
  json_decref(it->old);
  json_decref(it->fresh);
  if(it->doc)
    g_bytes_unref(it->doc);
  if(it->changes)
    g_string_free(it->changes, TRUE);
  g_free(it);
}

static int
write_batch(struct gh_store *st, MDB_txn *txn, void *ud)
{
  GPtrArray *items = ud;
  for(guint i = 0; i < items->len; i++) {
    struct item *it = items->pdata[i];
    if(!it->fresh || !it->changes || !it->changes->len)
      continue;
    /* The old parse goes to history under its own key; the new one lands
     * under its key, which differs when the agency or year now reads
     * differently. */
    MDB_val k = { it->key->len, it->key->str };
    int rc = gh_store_push_history(txn, st, it->key, it->old);
    if(!rc)
      rc = mdb_del(txn, st->records, &k, NULL);
    const char *what;
    if(!rc)
      rc = gh_store_land_record(txn, st, it->fresh, &what);
    if(rc)
      return rc;
  }
  return 0;
}

static void
parsed(void *ud, json_t *record)
{
  struct item *it = ud;
  it->fresh = record;
}

/* The new parse (it->fresh, from the worker) with what the crawl knew and
 * the parser cannot: provenance, the place, landing's notes. */
static void
carry_over(struct item *it)
{
  json_t *src = json_object_get(it->old, "source");
  json_t *fsrc = json_object_get(it->fresh, "source");
  const char *region = json_string_value(json_object_get(it->old, "region_code"));
  if(!json_string_value(json_object_get(it->fresh, "region_code")) && region)
    json_object_set_new(it->fresh, "region_code", json_string(region));
  /* Provenance the crawler added survives a re-parse. */
  static const char *const keep[] = { "url", "fetched_at", "page_url", "link_text", "file_title",
                                      "redirected_from", "path", "mtime", "images", NULL };
  for(const char *const *kk = keep; *kk; kk++)
    if(json_object_get(src, *kk) && !json_is_null(json_object_get(src, *kk)))
      json_object_set(fsrc, *kk, json_object_get(src, *kk));
  /* The identity as the crawl gave it, from the new parse's name (the
   * seed's name is not kept; the old record's region stands for it). */
  gh_record_identify(it->fresh, gh_regions_builtin(), region, NULL);
  /* What landing noted about rival documents is not the parser's to
   * drop. */
  size_t wi;
  json_t *w;
  json_array_foreach(json_object_get(it->old, "warnings"), wi, w)
    if(g_str_has_prefix(json_string_value(w) ? json_string_value(w) : "", GH_STORE_RIVAL_NOTE))
      json_array_append(json_object_get(it->fresh, "warnings"), w);
}

/* ---- documents without a record ----
 *
 * A report whose extraction never finished (its worker killed, the crawl
 * stopped) or failed is stored as bytes with no record: a URL state that
 * is done, has a hash whose document is stored, no record carries that
 * hash, and its outcome is none or extract_failed.  Reparse parses those
 * too, so no document the crawl kept is lost to a transient failure. */

struct orphan {
  char *url;
  struct gh_urlstate *state;
  GBytes *doc;
  json_t *fresh;
};

static void
orphan_free(void *p)
{
  struct orphan *o = p;
  g_free(o->url);
  gh_urlstate_free(o->state);
  if(o->doc)
    g_bytes_unref(o->doc);
  json_decref(o->fresh);
  g_free(o);
}

bool
gh_reparse_unrecorded(const struct gh_urlstate *s, GHashTable *record_shas)
{
  const char *rs = s->record_status;
  return gh_urlstate_is_leaf(s) && (s->has & GH_US_STATE) &&
         gh_urlstate_state(s) == GH_URL_DONE && s->sha256 &&
         !g_hash_table_contains(record_shas, s->sha256) &&
         (!rs || !*rs || !strcmp(rs, gh_status_name(GH_STATUS_EXTRACT_FAILED)));
}

struct orphan_walk {
  struct gh_store *st;
  MDB_txn *txn;
  GHashTable *shas;
  GPtrArray *found;
  size_t held;
};

static bool
orphan_each(const char *url, struct gh_urlstate *state, void *ud, GError **err)
{
  (void)err;
  struct orphan_walk *w = ud;
  if(w->held >= BATCH_BYTES * 4 || !gh_reparse_unrecorded(state, w->shas))
    return true;
  size_t n = 0;
  char *bytes = gh_store_get_doc(w->txn, w->st, state->sha256, &n, NULL);
  if(!bytes)
    return true;
  struct orphan *o = g_new0(struct orphan, 1);
  o->url = g_strdup(url);
  o->doc = g_bytes_new_take(bytes, n);
  /* Borrowed for the call: the fields this needs are moved out. */
  o->state = gh_urlstate_new();
  gh_urlstate_set(&o->state->kind, state->kind);
  gh_urlstate_set(&o->state->sha256, state->sha256);
  gh_urlstate_set(&o->state->text, state->text);
  gh_urlstate_set(&o->state->referer, state->referer);
  gh_urlstate_set(&o->state->region, state->region);
  gh_urlstate_set(&o->state->fetched_at, state->fetched_at);
  w->held += n;
  g_ptr_array_add(w->found, o);
  return true;
}

static int
write_orphans(struct gh_store *st, MDB_txn *txn, void *ud)
{
  GPtrArray *found = ud;
  for(guint i = 0; i < found->len; i++) {
    struct orphan *o = found->pdata[i];
    struct gh_urlstate *s = gh_store_url_get(txn, st, o->url);
    if(!s || g_strcmp0(s->sha256, o->state->sha256)) { /* changed since: the crawl's now */
      gh_urlstate_free(s);
      continue;
    }
    const char *status = json_string_value(json_object_get(o->fresh, "status"));
    gh_urlstate_set(&s->record_status, status);
    int rc = gh_store_url_put(txn, st, o->url, s);
    gh_urlstate_free(s);
    const char *what;
    if(!rc && json_string_value(json_object_get(o->fresh, "agency")) &&
       json_integer_value(json_object_get(o->fresh, "year")) > 0 &&
       g_strcmp0(status, gh_status_name(GH_STATUS_NOT_A_REPORT)) &&
       g_strcmp0(status, gh_status_name(GH_STATUS_EMPTY)))
      rc = gh_store_land_record(txn, st, o->fresh, &what);
    if(rc)
      return rc;
  }
  return 0;
}

static void
orphan_parsed(void *ud, json_t *record)
{
  struct orphan *o = ud;
  o->fresh = record;
}

static bool
reparse_orphans(struct gh_store *st, struct gh_sandbox *pool, const struct gh_extract_opts *eo,
                GHashTable *shas, bool dry_run, FILE *out, struct gh_reparse_summary *sum,
                GError **err)
{
  MDB_txn *txn = gh_store_read_begin(st, err);
  if(!txn)
    return false;
  struct orphan_walk w = { st, txn, shas, g_ptr_array_new_with_free_func(orphan_free), 0 };
  bool ok = gh_store_each_url(txn, st, orphan_each, &w, err);
  mdb_txn_abort(txn);
  for(guint i = 0; ok && i < w.found->len; i++) {
    struct orphan *o = w.found->pdata[i];
    struct gh_doc_hints hints = { .link_text = o->state->text };
    gh_sandbox_submit_record(pool, o->doc, eo, &hints, orphan_parsed, o);
  }
  for(guint i = 0; ok && i < w.found->len; i++) {
    struct orphan *o = w.found->pdata[i];
    while(!o->fresh)
      gh_sandbox_step(pool);
    json_t *src = json_object_get(o->fresh, "source");
    json_object_set_new(src, "url", json_string(o->url));
    const struct gh_urlstate *s = o->state;
    const char *prov[][2] = { { "fetched_at", s->fetched_at }, { "page_url", s->referer },
                              { "link_text", s->text } };
    for(size_t k = 0; k < G_N_ELEMENTS(prov); k++)
      if(prov[k][1])
        json_object_set_new(src, prov[k][0], json_string(prov[k][1]));
    gh_record_identify(o->fresh, gh_regions_builtin(), s->region, NULL);
    if(!json_object_get(o->fresh, "region_code"))
      json_object_set_new(o->fresh, "region_code", json_null());
    const char *agency = json_string_value(json_object_get(o->fresh, "agency"));
    json_int_t year = json_integer_value(json_object_get(o->fresh, "year"));
    const char *status = json_string_value(json_object_get(o->fresh, "status"));
    sum->unrecorded++;
    if(agency && year > 0 && g_strcmp0(status, gh_status_name(GH_STATUS_NOT_A_REPORT)) &&
       g_strcmp0(status, gh_status_name(GH_STATUS_EMPTY))) {
      sum->recovered++;
      fprintf(out, "%s %" JSON_INTEGER_FORMAT ": new record (%s) from %s, which had none\n", agency,
              year, status ? status : "?", o->url);
    }
  }
  if(ok && !dry_run && w.found->len)
    ok = gh_store_write(st, write_orphans, w.found, err);
  g_ptr_array_free(w.found, TRUE);
  return ok;
}

/* One batch's read: its records and their documents, taken in key order
 * until the batch is full. */
struct batch_walk {
  struct gh_store *st;
  MDB_txn *txn;
  GHashTable *shas; /* the documents of every record walked */
  GPtrArray *items;
  guint batch;
  size_t held; /* documents' bytes */
  bool full;   /* the walk stopped for the batch, not for damage */
};

static bool
take_record(const char *key, size_t klen, json_t *rec, void *ud, GError **err)
{
  (void)err;
  struct batch_walk *w = ud;
  struct item *it = g_new0(struct item, 1);
  it->key = g_string_new_len(key, (gssize)klen);
  it->old = json_incref(rec);
  const char *sha = json_string_value(json_object_get(json_object_get(it->old, "source"), "sha256"));
  if(sha)
    g_hash_table_add(w->shas, g_strdup(sha));
  size_t n = 0;
  char *bytes = sha ? gh_store_get_doc(w->txn, w->st, sha, &n, NULL) : NULL;
  it->doc = bytes ? g_bytes_new_take(bytes, n) : NULL;
  w->held += n;
  g_ptr_array_add(w->items, it);
  w->full = w->items->len >= w->batch || w->held >= BATCH_BYTES;
  return !w->full;
}

bool
gh_reparse(struct gh_store *st, const struct gh_extract_opts *eo, unsigned workers, bool dry_run,
           FILE *out, struct gh_reparse_summary *sum, GError **err)
{
  GHashTable *shas = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  memset(sum, 0, sizeof *sum);
  GString *after = NULL;
  workers = workers ? workers : 1;
  const guint batch = BATCH_PER_WORKER * workers;
  struct gh_sandbox *pool = gh_sandbox_new(workers, eo, GH_POOL_WORK_RECORD);
  bool ok = true;
  for(;;) {
    /* One batch: read BATCH records and their documents in a short read
     * transaction, parse outside it, write the changes in one commit. */
    MDB_txn *txn = gh_store_read_begin(st, err);
    if(!txn) {
      ok = false;
      break;
    }
    struct batch_walk bw = { st, txn, shas, g_ptr_array_new_with_free_func(item_free), batch, 0,
                             false };
    GPtrArray *items = bw.items;
    /* A walk that reaches the end holds its count against the database's
     * own (reparse replaces records, never adds keys). */
    bool end = gh_store_each_record(txn, st, after, (size_t)sum->records, take_record, &bw, err);
    bool damaged = !end && !bw.full;
    mdb_txn_abort(txn);
    if(damaged || !items->len) {
      g_ptr_array_free(items, TRUE);
      ok = !damaged;
      break;
    }
    /* The batch's documents go to the workers all at once; the results
     * are taken in key order, so output and commits do not depend on how
     * many workers there are. */
    for(guint i = 0; i < items->len; i++) {
      struct item *it = items->pdata[i];
      if(!it->doc)
        continue;
      json_t *src = json_object_get(it->old, "source");
      /* The hints the crawl had, so the same bytes give the same record. */
      struct gh_doc_hints hints = {
        .link_text = json_string_value(json_object_get(src, "link_text")),
        .file_title = json_string_value(json_object_get(src, "file_title")),
      };
      gh_sandbox_submit_record(pool, it->doc, eo, &hints, parsed, it);
    }
    /* Each result is taken as soon as it is in, in key order, so this
     * process compares and prints while the workers parse the rest. */
    for(guint i = 0; i < items->len; i++) {
      struct item *it = items->pdata[i];
      while(it->doc && !it->fresh)
        gh_sandbox_step(pool);
      sum->records++;
      if(!it->doc || !it->fresh) {
        sum->no_document++;
        continue;
      }
      carry_over(it);
      if(!json_string_value(json_object_get(it->fresh, "agency")) ||
         json_integer_value(json_object_get(it->fresh, "year")) <= 0) {
        /* The new parser cannot place it: keep the record as it is. */
        sum->unchanged++;
        continue;
      }
      it->changes = g_string_new(NULL);
      diff(it->old, it->fresh, "", it->changes);
      if(it->changes->len) {
        sum->changed++;
        fprintf(out, "%s %" JSON_INTEGER_FORMAT ": %s\n",
                json_string_value(json_object_get(it->old, "agency")),
                json_integer_value(json_object_get(it->old, "year")), it->changes->str);
      } else {
        sum->unchanged++;
      }
    }
    ok = dry_run || gh_store_write(st, write_batch, items, err);
    if(!after)
      after = g_string_new(NULL);
    struct item *last = items->pdata[items->len - 1];
    g_string_truncate(after, 0);
    g_string_append_len(after, last->key->str, (gssize)last->key->len);
    g_ptr_array_free(items, TRUE);
    if(!ok || end)
      break;
  }
  if(after)
    g_string_free(after, TRUE);
  if(ok)
    ok = reparse_orphans(st, pool, eo, shas, dry_run, out, sum, err);
  g_hash_table_destroy(shas);
  gh_sandbox_free(pool);
  return ok;
}

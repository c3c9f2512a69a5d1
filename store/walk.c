/* Walking a database, and saying what is damaged when a walk meets it:
 * which database, which key, what was wrong, and what to do (check,
 * backup). */
#include <string.h>

#include "store_int.h"

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

/* gh_store_each from the first entry past `after` (NULL: the first
 * entry), counting `before` entries that earlier walks gave. */
static bool
each_from(MDB_txn *txn, const struct gh_store *st, MDB_dbi dbi, const char *db,
          const GString *after, size_t before, gh_store_each_fn fn, void *ud, GError **err)
{
  MDB_cursor *cur;
  MDB_val k = { 0, NULL }, v;
  MDB_stat ms;
  int rc = mdb_cursor_open(txn, dbi, &cur);
  if(rc)
    return gh_store_walk_end(rc, txn, dbi, before, st, db, NULL, err);
  size_t n = before, limit = mdb_stat(txn, dbi, &ms) ? G_MAXSIZE : (size_t)ms.ms_entries + 1;
  bool ok = true;
  if(after) {
    k = (MDB_val){ after->len, after->str };
    rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    /* Past it: the key itself was the earlier walk's last.  (A key
     * outside the map is not looked at; the loop names it damage.) */
    if(!rc && gh_store_val_ok(st, &k) && k.mv_size == after->len &&
       !memcmp(k.mv_data, after->str, after->len))
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
  } else {
    rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
  }
  for(; !rc && n < limit; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
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

bool
gh_store_each(MDB_txn *txn, const struct gh_store *st, MDB_dbi dbi, const char *db,
              gh_store_each_fn fn, void *ud, GError **err)
{
  return each_from(txn, st, dbi, db, NULL, 0, fn, ud, err);
}

struct each_record {
  const struct gh_store *st;
  gh_store_record_fn fn;
  void *ud;
};

static bool
each_record_entry(const MDB_val *k, const MDB_val *v, void *ud, GError **err)
{
  struct each_record *e = ud;
  json_t *rec = json_loadb(v->mv_data, v->mv_size, 0, NULL);
  if(!json_is_object(rec)) {
    json_decref(rec);
    return gh_store_damage(err, e->st, "records", k, "the record is not valid JSON");
  }
  bool go = e->fn(k->mv_data, k->mv_size, rec, e->ud, err);
  json_decref(rec);
  return go;
}

bool
gh_store_each_record(MDB_txn *txn, const struct gh_store *st, const GString *after,
                     size_t before, gh_store_record_fn fn, void *ud, GError **err)
{
  struct each_record e = { st, fn, ud };
  return each_from(txn, st, st->records, "records", after, before, each_record_entry, &e, err);
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
  struct gh_urlstate *state;
  if(!gh_store_url_entry(e->st, k, v, &url, &state))
    return gh_store_damage(err, e->st, "url_state", k, "the URL state does not decode");
  bool go = e->fn(url, state, e->ud, err);
  gh_urlstate_free(state);
  g_free(url);
  return go;
}

bool
gh_store_each_url(MDB_txn *txn, const struct gh_store *st, gh_store_each_url_fn fn, void *ud,
                  GError **err)
{
  struct each_url e = { st, fn, ud };
  if(!gh_store_each(txn, st, st->urls, st->urls_legacy ? "urls" : "url_state", each_url_entry, &e,
                    err))
    return false;
  if(!st->has_moved)
    return true;
  /* A half-migrated store: the states already moved, after those not. */
  struct gh_store moved = gh_store_moved_view(st);
  e.st = &moved;
  return gh_store_each(txn, &moved, moved.urls, "url_state", each_url_entry, &e, err);
}


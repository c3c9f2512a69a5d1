/* Records and raw documents: landing a record under its agency key and
 * year (with history and the rule for rival documents), and the raw
 * documents, zstd-compressed, that reparse reads again. */
#include <string.h>
#include <zstd.h>

#include "../record/places.h"
#include "store_int.h"

/* A raw document never decompresses past this, whatever its frame claims. */
#define MAX_DOC_BYTES ((size_t)1 << 30)

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
    gh_store_lmdb_fail(err, st->dir, sha256, rc);
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

/* Where the document came from: its URL, or the file an import read it
 * from (two files are two documents, as two URLs are). */
static const char *
source_url(json_t *rec)
{
  json_t *src = json_object_get(rec, "source");
  const char *url = json_string_value(json_object_get(src, "url"));
  return url ? url : json_string_value(json_object_get(src, "path"));
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

/* The store: schema refusal, map growth without loss, history on
 * re-publication, one writer, raw documents round trip. */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "extract/sandbox.h"
#include "store/check.h"
#include "store/export.h"
#include "store/reparse.h"
#include "store/stats.h"
#include "store/store.h"
#include "store/store_int.h" /* white-box: its databases */

static json_t *
record(const char *agency, int year, const char *sha, const char *status, int received)
{
  return json_pack("{s:s, s:s, s:i, s:s, s:s, s:{s:[iiiiiii]}, s:{s:s, s:s}}", "agency", agency,
                   "region_code", "532329", "year", year, "template", "2021", "status", status,
                   "applications", "new_received", 0, 0, 0, 0, 0, 0, received, "source", "sha256",
                   sha, "url", "http://www.wd.gov.cn/a.html");
}

struct land {
  json_t *rec;
  const char *what;
};

static int
land_fn(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct land *l = ud;
  return gh_store_land_record(txn, st, l->rec, &l->what);
}

static const char *
land(struct gh_store *st, json_t *rec)
{
  struct land l = { rec, NULL };
  GError *e = NULL;
  bool ok = gh_store_write(st, land_fn, &l, &e);
  EXPECT(ok, "land: %s", e ? e->message : "");
  g_clear_error(&e);
  json_decref(rec);
  return l.what;
}

static int
count_db(struct gh_store *st, MDB_dbi dbi)
{
  MDB_txn *txn = gh_store_read_begin(st, NULL);
  MDB_stat ms;
  mdb_stat(txn, dbi, &ms);
  mdb_txn_abort(txn);
  return (int)ms.ms_entries;
}

static int
set_schema(struct gh_store *st, MDB_txn *txn, void *ud)
{
  return gh_store_meta_put_u64(txn, st, "schema", GPOINTER_TO_UINT(ud));
}

struct many {
  int from, n;
};

static void
count_wake(void *ud)
{
  g_atomic_int_inc((int *)ud);
}

/* A batch on a stalled disk: the transaction takes 300 ms. */
static int
slow_fn(struct gh_store *st, MDB_txn *txn, void *ud)
{
  (void)st;
  (void)txn;
  (void)ud;
  g_usleep(300 * 1000);
  return 0;
}

/* Writes a record, then fails: the transaction must leave nothing. */
static int
failing_fn(struct gh_store *st, MDB_txn *txn, void *ud)
{
  (void)ud;
  json_t *r = record("失败县局", 2021, "f", "parsed", 1);
  const char *what;
  int rc = gh_store_land_record(txn, st, r, &what);
  json_decref(r);
  return rc ? rc : EIO;
}

static int
many_fn(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct many *m = ud;
  for(int i = m->from; i < m->from + m->n; i++) {
    char name[64];
    g_snprintf(name, sizeof name, "测试县第%d局", i);
    char sha[65];
    g_snprintf(sha, sizeof sha, "%064d", i);
    json_t *r = record(name, 2021, sha, "parsed", i);
    /* Padding, so a small map fills quickly. */
    char *pad = g_strnfill(2000, 'x');
    json_object_set_new(r, "warnings", json_pack("[s]", pad));
    g_free(pad);
    const char *what;
    int rc = gh_store_land_record(txn, st, r, &what);
    json_decref(r);
    if(rc)
      return rc;
  }
  return 0;
}

/* Each case works in its own directory under one temporary directory
 * (removed at the end), so any one of them runs alone. */
static char *dir;

static void
test_basics(void)
{
  struct gh_store *st = NULL;
  GError *e = NULL;
  char *path = g_build_filename(dir, "s", NULL);
  /* A reader on a store that does not exist: a clear error. */
  EXPECT(!gh_store_open(path, GH_STORE_READ, 0, &st, &e) && strstr(e->message, "does not exist"),
         "missing store: %s", e ? e->message : "opened");
  g_clear_error(&e);

  /* History: same bytes = same, new bytes replace, a worse parse is kept
   * aside. */
  EXPECT(gh_store_open(path, GH_STORE_WRITE, 0, &st, &e), "open: %s", e ? e->message : "");
  EXPECT(!strcmp(land(st, record("武定县民政局", 2021, "aa", "parsed", 3)), "new"), "new");
  EXPECT(!strcmp(land(st, record("武定县民政局", 2021, "aa", "parsed", 3)), "same"), "same");
  EXPECT(!strcmp(land(st, record("武定县民政局", 2021, "bb", "parsed", 4)), "replaced"), "replaced");
  EXPECT(!strcmp(land(st, record("武定县民政局", 2021, "cc", "tables_not_found", 0)), "kept"), "kept");
  EXPECT(count_db(st, st->records) == 1 && count_db(st, st->history) == 2,
         "one current record, two in history (got %d, %d)", count_db(st, st->records),
         count_db(st, st->history));
  {
    MDB_txn *txn = gh_store_read_begin(st, NULL);
    GString *k = gh_record_key("532329|民政局", 2021);
    json_t *cur = gh_store_get_json(txn, st->records, k->str, k->len);
    EXPECT(cur && !strcmp(json_string_value(json_object_get(json_object_get(cur, "source"), "sha256")), "bb"),
           "the corrected report (bb) is current, under the agency key");
    json_decref(cur);
    g_string_free(k, TRUE);
    mdb_txn_abort(txn);
  }

  /* Another document for one agency and year, under any of its names: both
   * kept, the later publication current, else the parsed one, else the
   * first; the current one says so. */
  {
    json_t *a = record("武定县人民政府", 2022, "d1", "parsed", 5);
    json_object_set_new(a, "published_on", json_string("2023-01-20"));
    EXPECT(!strcmp(land(st, a), "new"), "2022 first document");
    json_t *b = record("楚雄州武定县政府", 2022, "d2", "parsed", 6);
    json_object_set_new(json_object_get(b, "source"), "url", json_string("http://www.wd.gov.cn/b.pdf"));
    json_object_set_new(b, "published_on", json_string("2023-03-01"));
    EXPECT(!strcmp(land(st, b), "replaced"), "the later publication replaces");
    json_t *c = record("武定县人民政府", 2022, "d3", "tables_not_found", 0);
    json_object_set_new(json_object_get(c, "source"), "url", json_string("http://www.wd.gov.cn/c.doc"));
    EXPECT(!strcmp(land(st, c), "kept"), "an unparsed undated one does not");
    json_t *d = record("武定县人民政府", 2022, "d4", "parsed", 7);
    json_object_set_new(json_object_get(d, "source"), "url", json_string("http://www.wd.gov.cn/d.html"));
    EXPECT(!strcmp(land(st, d), "kept"), "an undated parsed one leaves the first in place");
    MDB_txn *txn = gh_store_read_begin(st, NULL);
    GString *k = gh_record_key("532329|人民政府", 2022);
    json_t *cur = gh_store_get_json(txn, st->records, k->str, k->len);
    const char *sha = json_string_value(json_object_get(json_object_get(cur, "source"), "sha256"));
    EXPECT(sha && !strcmp(sha, "d2"), "the later publication is current (%s)", sha ? sha : "none");
    char *w = json_dumps(json_object_get(cur, "warnings"), 0);
    EXPECT(w && strstr(w, "a.html") && strstr(w, "c.doc") && strstr(w, "d.html") &&
             strstr(w, "published later"),
           "the current record names the other documents: %s", w);
    free(w);
    json_decref(cur);
    g_string_free(k, TRUE);
    mdb_txn_abort(txn);
    EXPECT(count_db(st, st->records) == 2 && count_db(st, st->history) == 5,
           "two current records, five in history (got %d, %d)", count_db(st, st->records),
           count_db(st, st->history));
  }

  /* One writer per store, across processes (flock is per open file). */
  struct gh_store *second = NULL;
  EXPECT(!gh_store_open(path, GH_STORE_WRITE, 0, &second, &e) &&
           strstr(e->message, "in use by another govharvest process"),
         "second writer refused: %s", e ? e->message : "opened");
  g_clear_error(&e);
  /* Deleting writer.lock (it looks like a stale pidfile) does not lift
   * the lock: it is held on the directory. */
  {
    char *wl = g_build_filename(path, "writer.lock", NULL);
    EXPECT(unlink(wl) == 0, "writer.lock removed");
    EXPECT(!gh_store_open(path, GH_STORE_WRITE, 0, &second, &e) &&
             strstr(e->message, "in use by another govharvest process"),
           "second writer refused without writer.lock: %s", e ? e->message : "opened");
    g_clear_error(&e);
    g_free(wl);
  }
  /* URL states of any length: keyed by hash, the URL kept in the value. */
  {
    GString *u = g_string_new("http://www.hzq.gov.cn/nb/");
    while(u->len < 20000)
      g_string_append(u, "%E6%B4%AA%E6%B3%BD");
    g_string_append(u, ".pdf");
    MDB_txn *txn;
    mdb_txn_begin(st->env, NULL, 0, &txn);
    struct gh_urlstate *state = gh_urlstate_new();
    gh_urlstate_set(&state->kind, "attachment");
    gh_urlstate_set_state(state, GH_URL_QUEUED);
    EXPECT(gh_store_url_put(txn, st, u->str, state) == 0, "a 20 KB URL's state is stored");
    EXPECT(gh_store_url_put(txn, st, "http://www.hzq.gov.cn/", state) == 0, "a short one too");
    gh_urlstate_free(state);
    EXPECT(mdb_txn_commit(txn) == 0, "committed");
    txn = gh_store_read_begin(st, NULL);
    struct gh_urlstate *back = gh_store_url_get(txn, st, u->str);
    EXPECT(back && !g_strcmp0(back->kind, "attachment"), "and read back by its URL");
    gh_urlstate_free(back);
    EXPECT(!gh_store_url_get(txn, st, "http://www.hzq.gov.cn/other"), "an unknown URL is absent");
    MDB_cursor *cur;
    MDB_val k, v;
    mdb_cursor_open(txn, st->urls, &cur);
    int found = 0;
    for(int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      char *url;
      struct gh_urlstate *us;
      EXPECT(gh_store_url_entry(st, &k, &v, &url, &us), "an entry decodes");
      found += url && !strcmp(url, u->str);
      g_free(url);
      gh_urlstate_free(us);
    }
    EXPECT(found == 1, "a cursor gives the whole URL back");
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    g_string_free(u, TRUE);
  }
  struct gh_store *reader = NULL;
  EXPECT(gh_store_open(path, GH_STORE_READ, 0, &reader, &e), "a reader beside the writer: %s",
         e ? e->message : "");
  g_clear_error(&e);
  gh_store_close(reader);

  /* Raw documents round trip through zstd. */
  GString *doc = g_string_new(NULL);
  for(int i = 0; i < 5000; i++)
    g_string_append_printf(doc, "第%d行 本年新收政府信息公开申请数量\n", i);
  char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)doc->str, doc->len);
  {
    MDB_txn *txn;
    mdb_txn_begin(st->env, NULL, 0, &txn);
    EXPECT(gh_store_put_doc(txn, st, sha, doc->str, doc->len) == 0, "put doc");
    mdb_txn_commit(txn);
    txn = gh_store_read_begin(st, NULL);
    size_t n = 0;
    char *back = gh_store_get_doc(txn, st, sha, &n, &e);
    EXPECT(back && n == doc->len && !memcmp(back, doc->str, n), "doc round trip");
    g_free(back);
    mdb_txn_abort(txn);
  }
  g_free(sha);
  g_string_free(doc, TRUE);
  gh_store_close(st);

  /* A store from a newer govharvest: refused, nothing written. */
  EXPECT(gh_store_open(path, GH_STORE_WRITE, 0, &st, &e), "reopen");
  gh_store_write(st, set_schema, GUINT_TO_POINTER(GH_STORE_SCHEMA + 1), NULL);
  gh_store_close(st);
  char *data = g_build_filename(path, "data.mdb", NULL);
  GStatBuf sb1, sb2;
  g_stat(data, &sb1);
  EXPECT(!gh_store_open(path, GH_STORE_WRITE, 0, &st, &e) && strstr(e->message, "newer") &&
           strstr(e->message, "nothing was written"),
         "newer schema refused: %s", e ? e->message : "opened");
  g_clear_error(&e);
  EXPECT(!gh_store_open(path, GH_STORE_READ, 0, &st, &e), "newer schema refused to readers too");
  g_clear_error(&e);
  g_stat(data, &sb2);
  EXPECT(sb1.st_mtime == sb2.st_mtime && sb1.st_size == sb2.st_size, "refused store untouched");
  g_free(data);
  g_free(path);
}

static void
test_migrate(void)
{
  struct gh_store *st = NULL;
  GError *e = NULL;
  /* Schema 3 -> 4: URL states written as JSON text become the binary
   * form on the first write open, unchanged in content; a reader before
   * that reads them as they are. */
  {
    char *s3 = g_build_filename(dir, "schema3", NULL);
    EXPECT(gh_store_open(s3, GH_STORE_WRITE, 0, &st, &e), "schema 3: create");
    enum { N = 45000 }; /* more than one migration batch */
    MDB_txn *txn;
    mdb_txn_begin(st->env, NULL, 0, &txn);
    for(int i = 0; i < N; i++) {
      char url[96], *js;
      g_snprintf(url, sizeof url, "http://www.wd.gov.cn/nb/%d.html", i);
      js = g_strdup_printf("{\"kind\":\"report\",\"state\":\"%s\",\"cycle\":3,\"qseq\":%d,"
                           "\"text\":\"武定县第%d局\",\"old_key\":[%d]}",
                           i % 2 ? "done" : "queued", i, i, i);
      GString *v = g_string_new(url);
      g_string_append_c(v, '\0');
      g_string_append(v, js);
      guint8 h[32];
      gsize hn = sizeof h;
      GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
      g_checksum_update(ck, (const guchar *)url, -1);
      g_checksum_get_digest(ck, h, &hn);
      g_checksum_free(ck);
      MDB_val k = { sizeof h, h }, val = { v->len, v->str };
      EXPECT(mdb_put(txn, st->urls, &k, &val, 0) == 0, "a JSON state written");
      g_string_free(v, TRUE);
      g_free(js);
    }
    EXPECT(mdb_txn_commit(txn) == 0, "committed");
    gh_store_write(st, set_schema, GUINT_TO_POINTER(3), NULL);
    gh_store_close(st);
    const char *u7 = "http://www.wd.gov.cn/nb/7.html";
    json_t *want = json_loads("{\"kind\":\"report\",\"state\":\"done\",\"cycle\":3,\"qseq\":7,"
                              "\"text\":\"武定县第7局\",\"old_key\":[7]}", 0, NULL);
    EXPECT(gh_store_open(s3, GH_STORE_READ, 0, &st, &e), "schema 3: read");
    txn = gh_store_read_begin(st, NULL);
    struct gh_urlstate *us = gh_store_url_get(txn, st, u7);
    json_t *got = us ? gh_urlstate_to_json(us) : NULL;
    EXPECT(got && json_equal(got, want), "a reader reads a schema-3 state as it is");
    json_decref(got);
    gh_urlstate_free(us);
    mdb_txn_abort(txn);
    gh_store_close(st);
    EXPECT(gh_store_open(s3, GH_STORE_WRITE, 0, &st, &e), "schema 3: migrate: %s", e ? e->message : "");
    EXPECT(gh_store_notice(st) && strstr(gh_store_notice(st), "from schema 3") &&
             strstr(gh_store_notice(st), "schema-3-backup"),
           "the migration says so: %s", gh_store_notice(st) ? gh_store_notice(st) : "(nothing)");
    txn = gh_store_read_begin(st, NULL);
    MDB_cursor *cur;
    MDB_val k, v;
    mdb_cursor_open(txn, st->urls, &cur);
    int binary = 0, total = 0;
    for(int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); !rc; rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      const char *nul = memchr(v.mv_data, '\0', v.mv_size);
      total++;
      binary += nul && gh_urlstate_is_encoded(nul + 1, v.mv_size - (size_t)(nul + 1 - (const char *)v.mv_data));
    }
    mdb_cursor_close(cur);
    EXPECT(total == N && binary == N, "every state is in the binary form: %d of %d", binary, total);
    us = gh_store_url_get(txn, st, u7);
    got = us ? gh_urlstate_to_json(us) : NULL;
    EXPECT(got && json_equal(got, want), "with the same content, unknown keys too");
    json_decref(got);
    gh_urlstate_free(us);
    mdb_txn_abort(txn);
    gh_store_close(st);
    char *bak = g_build_filename(s3, "schema-3-backup", "data.mdb", NULL);
    EXPECT(g_file_test(bak, G_FILE_TEST_EXISTS), "the schema-3 store was copied first");
    g_free(bak);
    json_decref(want);
    g_free(s3);
  }
}

static void
test_map_full(void)
{
  struct gh_store *st = NULL;
  GError *e = NULL;
  /* MDB_MAP_FULL: a 256 KiB map, 3000 records of 2 KiB: the map grows and
   * every record is there. */
  char *small = g_build_filename(dir, "small", NULL);
  EXPECT(gh_store_open(small, GH_STORE_WRITE, 256 * 1024, &st, &e), "small map: %s",
         e ? e->message : "");
  for(int batch = 0; batch < 30; batch++) {
    struct many m = { batch * 100, 100 };
    EXPECT(gh_store_write(st, many_fn, &m, &e), "batch %d: %s", batch, e ? e->message : "");
    g_clear_error(&e);
  }
  EXPECT(st->grows > 0, "the map grew (%u times)", st->grows);
  EXPECT(count_db(st, st->records) == 3000, "all 3000 records kept (%d)", count_db(st, st->records));
  /* And the export streams them all. */
  struct gh_export_opts o = { .format = GH_EXPORT_JSONL };
  FILE *devnull = fopen("/dev/null", "w");
  guint64 n = 0;
  EXPECT(gh_export(st, &o, devnull, &n, &e) && n == 3000, "export of 3000 (%" G_GUINT64_FORMAT ")", n);
  char *only[] = { "第29", NULL };
  o.filter.agencies = only;
  EXPECT(gh_export(st, &o, devnull, &n, &e) && n == 111, "agency filter (%" G_GUINT64_FORMAT ")", n);
  fclose(devnull);
  gh_store_close(st);
  g_free(small);
}

static void
test_committer(void)
{
  struct gh_store *st = NULL;
  GError *e = NULL;
  /* The same through the committer thread, as the crawler writes: the map
   * fills inside the thread's transaction, poll grows it on this thread
   * and runs the batch again; every batch wakes the caller once. */
  char *bg = g_build_filename(dir, "committer", NULL);
  EXPECT(gh_store_open(bg, GH_STORE_WRITE, 256 * 1024, &st, &e), "committer store");
  int wakes = 0;
  struct gh_store_committer *cm = gh_store_committer_new(st, count_wake, &wakes);
  EXPECT(gh_store_committer_poll(cm, G_MAXINT64, &e) == GH_COMMIT_IDLE, "idle before any batch");
  for(int batch = 0; batch < 30; batch++) {
    struct many m = { batch * 100, 100 };
    EXPECT(gh_store_committer_start(cm, many_fn, &m), "batch %d handed over", batch);
    EXPECT(!gh_store_committer_start(cm, many_fn, &m), "a second batch waits for the first");
    EXPECT(gh_store_committer_poll(cm, G_MAXINT64, &e) == GH_COMMIT_DONE, "batch %d committed: %s", batch,
           e ? e->message : "");
    g_clear_error(&e);
  }
  EXPECT(st->grows > 0, "the map grew under the committer (%u times)", st->grows);
  EXPECT(count_db(st, st->records) == 3000, "all 3000 records kept (%d)", count_db(st, st->records));
  EXPECT(g_atomic_int_get(&wakes) >= 30, "each batch woke the caller (%d)", wakes);
  EXPECT(gh_store_committer_start(cm, failing_fn, NULL), "failing batch handed over");
  EXPECT(gh_store_committer_poll(cm, G_MAXINT64, &e) == GH_COMMIT_FAILED && e &&
           strstr(e->message, "write failed"),
         "a failed batch is reported: %s", e ? e->message : "no error");
  g_clear_error(&e);
  EXPECT(gh_store_committer_poll(cm, 0, &e) == GH_COMMIT_IDLE, "and collected once");
  /* A bounded wait on a slow batch comes back at its bound, still running
   * (the crawler feeds the watchdog between such waits). */
  EXPECT(gh_store_committer_start(cm, slow_fn, NULL), "slow batch handed over");
  gint64 t0 = g_get_monotonic_time();
  enum gh_commit r = gh_store_committer_poll(cm, t0 + 50 * 1000, &e);
  gint64 waited = g_get_monotonic_time() - t0;
  EXPECT(r == GH_COMMIT_RUNNING && waited >= 50 * 1000,
         "a 50 ms wait on a 300 ms batch: state %d after %" G_GINT64_FORMAT " us", r, waited);
  EXPECT(gh_store_committer_poll(cm, 0, &e) == GH_COMMIT_RUNNING, "no wait: still running");
  EXPECT(gh_store_committer_poll(cm, G_MAXINT64, &e) == GH_COMMIT_DONE, "then done");
  gh_store_committer_free(cm);
  EXPECT(count_db(st, st->records) == 3000, "the failed batch wrote nothing");
  gh_store_close(st);
  g_free(bg);
}

static void
test_cross_year(void)
{
  struct gh_store *st = NULL;
  GError *e = NULL;
  guint64 n = 0;
  /* Cross-year checks and republication, as export adds them. */
  char *cy = g_build_filename(dir, "cross", NULL);
  EXPECT(gh_store_open(cy, GH_STORE_WRITE, 0, &st, &e), "cross store");
  json_t *r20 = record("武定县民政局", 2020, "s20", "parsed", 5);
  json_object_set_new(json_object_get(r20, "applications"), "carried_over", json_pack("[iiiiiii]", 1, 0, 0, 0, 0, 0, 1));
  json_object_set_new(r20, "checks", json_array());
  json_t *r21 = record("武定县民政局", 2021, "s21", "parsed", 7);
  json_object_set_new(json_object_get(r21, "applications"), "carried_in", json_pack("[iiiiiii]", 2, 0, 0, 0, 0, 0, 2));
  json_object_set_new(r21, "checks", json_array());
  json_t *r21b = json_deep_copy(r21);
  land(st, r20);
  json_object_set_new(json_object_get(r21, "source"), "sha256", json_string("s21-first"));
  land(st, r21);
  land(st, r21b); /* a corrected re-publication */
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  struct gh_export_opts jo = { .format = GH_EXPORT_JSONL };
  EXPECT(gh_export(st, &jo, mem, &n, &e) && n == 2, "cross export");
  fclose(mem);
  EXPECT(strstr(buf, "\"cross_year_carry\"") && strstr(buf, "carried_in.natural_person: expected 1, printed 2"),
         "cross_year_carry fails with the column named: %.400s", buf);
  EXPECT(strstr(buf, "\"republished\"") && strstr(buf, "was replaced"), "republished warning");
  free(buf);

  /* Reparse: a record whose stored values an older parser got wrong is
   * corrected from the stored document; the old one goes to history. */
  const char *doc_text = "武定县民政局2021年政府信息公开工作年度报告\n"
                         "三、收到和处理政府信息公开申请情况\n"
                         "本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n";
  char *dsha = gh_sha256_hex(doc_text, strlen(doc_text));
  struct gh_extract_opts eo;
  gh_extract_opts_init(&eo);
  json_t *stale = gh_extract_record(doc_text, strlen(doc_text), &eo, NULL);
  json_array_set_new(json_object_get(json_object_get(stale, "applications"), "new_received"), 6, json_integer(99));
  json_object_set_new(stale, "region_code", json_string("532329"));
  {
    MDB_txn *txn;
    mdb_txn_begin(st->env, NULL, 0, &txn);
    gh_store_put_doc(txn, st, dsha, doc_text, strlen(doc_text));
    mdb_txn_commit(txn);
  }
  land(st, stale); /* over the 2021 record above: that one goes to history */
  int hist_before = count_db(st, st->history);
  buf = NULL;
  mem = open_memstream(&buf, &len);
  struct gh_reparse_summary rs;
  EXPECT(gh_reparse(st, &eo, 2, false, mem, &rs, &e), "reparse: %s", e ? e->message : "");
  fclose(mem);
  EXPECT(rs.changed == 1 && strstr(buf, "武定县民政局 2021: applications.new_received"),
         "reparse names the changed field: %s", buf);
  EXPECT(rs.no_document == 1, "records without a stored document are left alone (%" G_GUINT64_FORMAT ")",
         rs.no_document);
  EXPECT(count_db(st, st->history) == hist_before + 1, "the stale version went to history");
  free(buf);
  buf = NULL;
  mem = open_memstream(&buf, &len);
  EXPECT(gh_reparse(st, &eo, 2, false, mem, &rs, &e) && rs.changed == 0, "a second reparse changes nothing");
  fclose(mem);
  free(buf);
  g_free(dsha);

  /* A report whose worker was killed mid-extraction: its URL is done and
   * its bytes stored, but no record carries them.  check lists it, reparse
   * parses it and it lands; then check lists nothing. */
  const char *lost_text = "武定县教育体育局2022年政府信息公开工作年度报告\n"
                          "三、收到和处理政府信息公开申请情况\n"
                          "本年新收政府信息公开申请数量\t5\t0\t0\t0\t0\t0\t5\n";
  char *lsha = gh_sha256_hex(lost_text, strlen(lost_text));
  const char *lurl = "http://www.wd.gov.cn/zwgk/nb/jyj2022.txt";
  {
    MDB_txn *txn;
    mdb_txn_begin(st->env, NULL, 0, &txn);
    gh_store_put_doc(txn, st, lsha, lost_text, strlen(lost_text));
    struct gh_urlstate *us = gh_urlstate_new();
    gh_urlstate_set(&us->kind, "attachment");
    gh_urlstate_set_state(us, GH_URL_DONE);
    gh_urlstate_set(&us->sha256, lsha);
    gh_urlstate_set(&us->region, "532329");
    gh_urlstate_set(&us->fetched_at, "2026-12-01T08:00:00Z");
    EXPECT(gh_store_url_put(txn, st, lurl, us) == 0, "an unrecorded document's URL state");
    gh_urlstate_free(us);
    mdb_txn_commit(txn);
  }
  struct gh_check_summary cs;
  buf = NULL;
  mem = open_memstream(&buf, &len);
  bool checked = gh_store_check(st, mem, &cs, &e);
  fclose(mem);
  EXPECT(checked && cs.unrecorded == 1 && strstr(buf, lurl) && strstr(buf, "without a record"),
         "check lists the document without a record (%" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
         " URL states): %s", cs.unrecorded, cs.urls, buf);
  free(buf);
  int recs_before = count_db(st, st->records);
  buf = NULL;
  mem = open_memstream(&buf, &len);
  checked = gh_reparse(st, &eo, 2, false, mem, &rs, &e);
  fclose(mem);
  EXPECT(checked && rs.unrecorded == 1 && rs.recovered == 1 &&
           strstr(buf, "武定县教育体育局 2022: new record"),
         "reparse parses the stored document that had no record: %s", buf);
  free(buf);
  EXPECT(count_db(st, st->records) == recs_before + 1, "and its record landed");
  buf = NULL;
  mem = open_memstream(&buf, &len);
  checked = gh_store_check(st, mem, &cs, &e);
  fclose(mem);
  EXPECT(checked && cs.unrecorded == 0, "then check lists nothing: %s", buf);
  free(buf);
  g_free(lsha);
  gh_store_close(st);
  g_free(cy);
}

static void
test_reparse_pool(void)
{
  struct gh_store *st = NULL;
  GError *e = NULL;
  guint64 n = 0;
  FILE *mem;
  struct gh_reparse_summary rs;
  struct gh_export_opts jo = { .format = GH_EXPORT_JSONL };
  struct gh_extract_opts eo;
  gh_extract_opts_init(&eo);
  /* Reparse in the pool: 60 stale records with their documents, reparsed
   * by one worker and by three, give the same change list and the same
   * stored records. */
  {
    char *outs[2] = { NULL, NULL }, *dumps[2] = { NULL, NULL };
    for(int run = 0; run < 2; run++) {
      char *pp = g_strdup_printf("%s/parity-%d", dir, run);
      EXPECT(gh_store_open(pp, GH_STORE_WRITE, 0, &st, &e), "parity store");
      for(int i = 0; i < 60; i++) {
        char *text = g_strdup_printf("第%02d县民政局%d年政府信息公开工作年度报告\n"
                                     "三、收到和处理政府信息公开申请情况\n"
                                     "本年新收政府信息公开申请数量\t%d\t0\t0\t0\t0\t0\t%d\n",
                                     i, 2019 + i % 6, i, i);
        char *tsha = gh_sha256_hex(text, strlen(text));
        json_t *rr = gh_extract_record(text, strlen(text), &eo, NULL);
        /* What an older parser got wrong, differently per record. */
        if(i % 3 == 0)
          json_array_set_new(json_object_get(json_object_get(rr, "applications"), "new_received"),
                             6, json_integer(1000 + i));
        else if(i % 3 == 1)
          json_object_set_new(rr, "parser_version", json_string("0.0.1"));
        MDB_txn *txn;
        mdb_txn_begin(st->env, NULL, 0, &txn);
        gh_store_put_doc(txn, st, tsha, text, strlen(text));
        mdb_txn_commit(txn);
        land(st, rr);
        g_free(tsha);
        g_free(text);
      }
      size_t olen = 0;
      mem = open_memstream(&outs[run], &olen);
      EXPECT(gh_reparse(st, &eo, run ? 3 : 1, false, mem, &rs, &e), "parity reparse");
      fclose(mem);
      EXPECT(rs.records == 60 && rs.changed == 20, "%d worker(s): 60 records, 20 changed: %" G_GUINT64_FORMAT
             " %" G_GUINT64_FORMAT, run ? 3 : 1, rs.records, rs.changed);
      mem = open_memstream(&dumps[run], &olen);
      EXPECT(gh_export(st, &jo, mem, &n, &e) && n == 60, "parity export");
      fclose(mem);
      gh_store_close(st);
      g_free(pp);
    }
    EXPECT(outs[0] && outs[1] && !strcmp(outs[0], outs[1]), "reparse prints the same with 1 and 3 workers");
    EXPECT(dumps[0] && dumps[1] && !strcmp(dumps[0], dumps[1]), "reparse stores the same with 1 and 3 workers");
    for(int run = 0; run < 2; run++) {
      free(outs[run]);
      free(dumps[run]);
    }
  }
}

static void
test_stats(void)
{
  struct gh_store *st = NULL;
  GError *e = NULL;
  /* stats' text form: counts in key order, a gap list of 20 and a count
   * of the rest (a national store has tens of thousands). */
  {
    char *gp = g_build_filename(dir, "gaps", NULL);
    EXPECT(gh_store_open(gp, GH_STORE_WRITE, 0, &st, &e), "gaps store");
    for(int i = 0; i < 30; i++) {
      char name[64];
      g_snprintf(name, sizeof name, "第%02d局", i);
      land(st, record(name, 2023, name, "parsed", i));
      char sha19[64];
      g_snprintf(sha19, sizeof sha19, "%s-2019", name);
      land(st, record(name, 2019, sha19, "parsed", i));
    }
    json_t *js = gh_stats(st, &e);
    EXPECT(js && json_array_size(json_object_get(js, "gaps")) == 30, "30 agencies miss 2020-2022");
    char *text = NULL;
    size_t tlen = 0;
    FILE *ms = open_memstream(&text, &tlen);
    gh_stats_print(js, ms, 20);
    fclose(ms);
    EXPECT(strstr(text, "by year            2019=30 2023=30"), "years ascending: %s", text);
    EXPECT(strstr(text, "… 10 more (govharvest stats --gaps"), "20 gaps shown, the rest counted");
    EXPECT(!strstr(text, "第29局"), "the 30th gap is not printed");
    free(text);
    json_decref(js);
    gh_store_close(st);
    g_free(gp);
  }
}

static void
test_damaged(void)
{
  struct gh_store *st = NULL;
  GError *e = NULL;
  /* Damaged files: refused with a message, never mapped past their end
   * (SIGBUS) and never taken for a new store. */
  {
    char *dmg = g_build_filename(dir, "damaged", NULL);
    EXPECT(gh_store_open(dmg, GH_STORE_WRITE, 0, &st, &e), "damaged: create");
    for(int i = 0; i < 300; i++) {
      char name[64];
      g_snprintf(name, sizeof name, "第%d局", i);
      land(st, record(name, 2021, name, "parsed", i));
    }
    gh_store_close(st);
    char *df = g_build_filename(dmg, "data.mdb", NULL);
    GStatBuf sb;
    g_stat(df, &sb);
    EXPECT(truncate(df, sb.st_size / 2) == 0, "truncate");
    EXPECT(!gh_store_open(dmg, GH_STORE_READ, 0, &st, &e) && strstr(e->message, "truncated") &&
             gh_store_is_damage(e),
           "a truncated data.mdb is refused to readers: %s", e ? e->message : "opened");
    g_clear_error(&e);
    EXPECT(!gh_store_open(dmg, GH_STORE_WRITE, 0, &st, &e) && strstr(e->message, "truncated"),
           "and to writers: %s", e ? e->message : "opened");
    g_clear_error(&e);
    EXPECT(truncate(df, 0) == 0, "empty");
    EXPECT(!gh_store_open(dmg, GH_STORE_WRITE, 0, &st, &e) && strstr(e->message, "empty"),
           "a 0-byte data.mdb is not a new store: %s", e ? e->message : "opened");
    g_clear_error(&e);
    g_stat(df, &sb);
    EXPECT(sb.st_size == 0, "and it was left as it was");
    EXPECT(g_file_set_contents(df, "this is not an LMDB file, but long enough to look like one? no.",
                               -1, NULL), "garbage");
    EXPECT(!gh_store_open(dmg, GH_STORE_WRITE, 0, &st, &e) && strstr(e->message, "not an LMDB file"),
           "garbage in data.mdb is refused: %s", e ? e->message : "opened");
    g_clear_error(&e);
    /* A file given as the store. */
    EXPECT(!gh_store_open(df, GH_STORE_READ, 0, &st, &e) && strstr(e->message, "not a directory"),
           "a regular file as the store: %s", e ? e->message : "opened");
    g_clear_error(&e);
    g_free(df);
    g_free(dmg);
  }
}

static const struct gh_case cases[] = {
  GH_CASE(basics), GH_CASE(migrate), GH_CASE(map_full), GH_CASE(committer),
  GH_CASE(cross_year), GH_CASE(reparse_pool), GH_CASE(stats), GH_CASE(damaged),
};

int
main(int argc, char **argv)
{
  if(argc > 1 && !strcmp(argv[1], GH_POOL_WORKER_ARG)) /* reparse's workers */
    return gh_sandbox_worker_main(argc, argv, NULL);
  dir = g_dir_make_tmp("gh-store-XXXXXX", NULL);
  int rc = gh_cases_main("store", cases, G_N_ELEMENTS(cases), argc, argv);
  char *rm = g_strdup_printf("rm -rf '%s'", dir);
  if(system(rm) != 0) {
    fprintf(stderr, "FAIL cleanup: %s\n", rm);
    rc = 1;
  }
  g_free(rm);
  g_free(dir);
  return rc;
}

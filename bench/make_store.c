/* Fill a store for the benchmarks.
 *
 *   make_store DIR N SAMPLE_REPORT   N synthetic records (bench/export.py):
 *                                    real record shapes from the parser,
 *                                    varied agencies, regions and years
 *   make_store DIR N --frontier      N queued URLs over 100 benchmark hosts
 *                                    (bench/frontier.py), as an interrupted
 *                                    crawl leaves them
 *   make_store DIR N --documents TEMPLATE
 *                                    N distinct report documents (TEMPLATE
 *                                    under N agency titles) stored with the
 *                                    records a previous parser made of them:
 *                                    a third of them with a value it got
 *                                    wrong, for reparse (bench/local.py) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/extract.h"
#include "record/places.h"
#include "store/store.h"
#include "store/store_int.h" /* white-box: its databases */

/* The records of one commit: [from, from + n). */
struct span {
  long from, n;
};

struct fill {
  struct span sp;
  json_t *tmpl;
  GPtrArray *counties; /* the region table's county codes (borrowed) */
};

static int
fill_fn(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct fill *f = ud;
  for(long i = f->sp.from; i < f->sp.from + f->sp.n; i++) {
    json_t *r = json_deep_copy(f->tmpl);
    char name[64], region[8], sha[65];
    g_snprintf(name, sizeof name, "基准%ld县第%ld局", i / 7, i % 7);
    /* Real county codes, so the places, the coverage and the data page
     * (stats --html) see a country, not codes of nowhere. */
    g_snprintf(region, sizeof region, "%s",
               (const char *)f->counties->pdata[(guint)((i / 7) % f->counties->len)]);
    g_snprintf(sha, sizeof sha, "%064ld", i);
    json_object_set_new(r, "agency", json_string(name));
    json_object_set_new(r, "region_code", json_string(region));
    json_object_set_new(r, "year", json_integer(2019 + i % 7));
    json_object_set_new(json_object_get(r, "source"), "sha256", json_string(sha));
    json_t *apps = json_object_get(r, "applications");
    json_array_set_new(json_object_get(apps, "new_received"), 6, json_integer(i % 1000));
    /* Outcomes and appeals that vary, so rates and rankings are not one
     * number repeated. */
    json_array_set_new(json_object_get(apps, "total"), 6, json_integer(i % 1000));
    json_array_set_new(json_object_get(apps, "granted"), 6, json_integer((i % 1000) / (1 + i % 3)));
    json_t *lit = json_object_get(json_object_get(r, "appeals"), "litigation_direct");
    if(json_array_size(lit) == 5) {
      json_array_set_new(lit, 0, json_integer(i % 5));
      json_array_set_new(lit, 1, json_integer(i % 3 == 0));
      json_array_set_new(lit, 4, json_integer(i % 5 + (i % 3 == 0)));
    }
    const char *what;
    int rc = gh_store_land_record(txn, st, r, &what);
    json_decref(r);
    if(rc)
      return rc;
  }
  return 0;
}

struct frontier {
  struct span sp;
};

/* Queued URLs as the crawler leaves them: a state and a queue entry. */
static int
frontier_fn(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct frontier *f = ud;
  for(long i = f->sp.from; i < f->sp.from + f->sp.n; i++) {
    char host[64], url[128];
    g_snprintf(host, sizeof host, "www.bench%04ld.gov.cn", i % 100);
    g_snprintf(url, sizeof url, "http://%s/nb/q/%ld.html", host, i);
    struct gh_urlstate *s = gh_urlstate_new();
    gh_urlstate_set(&s->kind, "report");
    gh_urlstate_set_num(s, depth, GH_US_DEPTH, 1);
    gh_urlstate_set_num(s, cycle, GH_US_CYCLE, 1);
    gh_urlstate_set_state(s, GH_URL_QUEUED);
    gh_urlstate_set_num(s, qseq, GH_US_QSEQ, i);
    int rc = gh_store_url_put(txn, st, url, s);
    gh_urlstate_free(s);
    GString *k = gh_store_queue_key(host, (uint64_t)i);
    MDB_val kv = { k->len, k->str }, vv = { strlen(url), url };
    if(!rc)
      rc = mdb_put(txn, st->queue, &kv, &vv, 0);
    g_string_free(k, TRUE);
    if(rc)
      return rc;
  }
  if(f->sp.from == 0) {
    int rc = gh_store_meta_put_u64(txn, st, "cycle", 1);
    if(!rc)
      rc = gh_store_meta_put_u64(txn, st, "cycle_done", 0);
    if(rc)
      return rc;
  }
  return gh_store_meta_put_u64(txn, st, "qseq", (uint64_t)(f->sp.from + f->sp.n));
}

struct docs {
  struct span sp;
  const char *body; /* the template after its title line */
};

static int
docs_fn(struct gh_store *st, MDB_txn *txn, void *ud)
{
  struct docs *d = ud;
  struct gh_extract_opts eo;
  gh_extract_opts_init(&eo);
  for(long i = d->sp.from; i < d->sp.from + d->sp.n; i++) {
    char *text = g_strdup_printf("基准%ld县第%ld局%ld年政府信息公开工作年度报告\n%s", i / 7, i % 7,
                                 2019 + (i / 7) % 7, d->body);
    size_t len = strlen(text);
    char *sha = gh_sha256_hex(text, len);
    struct gh_record rec;
    gh_record_init(&rec);
    gh_document_record(text, len, gh_sniff(text, len), sha, &eo, NULL, NULL, &rec);
    json_t *r = gh_record_to_json(&rec);
    gh_record_clear(&rec);
    if(i % 3 == 0)
      json_array_set_new(json_object_get(json_object_get(r, "applications"), "new_received"), 6,
                         json_integer(100000 + i));
    const char *what;
    int rc = gh_store_put_doc(txn, st, sha, text, len);
    if(!rc)
      rc = gh_store_land_record(txn, st, r, &what);
    json_decref(r);
    g_free(sha);
    g_free(text);
    if(rc)
      return rc;
  }
  return 0;
}

/* Opens `dir` for writing and runs `fn` over [0, n) in steps of `step`,
 * one commit each; `sp` starts the struct `fn` is given. */
static int
fill_store(const char *dir, long n, long step, gh_store_txn_fn fn, struct span *sp)
{
  struct gh_store *st;
  GError *e = NULL;
  if(!gh_store_open(dir, GH_STORE_WRITE, 0, &st, &e)) {
    fprintf(stderr, "%s\n", e->message);
    return 1;
  }
  for(sp->from = 0; sp->from < n; sp->from += sp->n) {
    sp->n = n - sp->from < step ? n - sp->from : step;
    if(!gh_store_write(st, fn, sp, &e)) {
      fprintf(stderr, "%s\n", e->message);
      return 1;
    }
  }
  gh_store_close(st);
  return 0;
}

int
main(int argc, char **argv)
{
  if(argc == 5 && !strcmp(argv[3], "--documents")) {
    char *tmpl = NULL;
    if(!g_file_get_contents(argv[4], &tmpl, NULL, NULL))
      return 1;
    const char *nl = strchr(tmpl, '\n');
    struct docs d = { { 0, 0 }, nl ? nl + 1 : tmpl };
    int rc = fill_store(argv[1], atol(argv[2]), 2000, docs_fn, &d.sp);
    g_free(tmpl);
    return rc;
  }
  if(argc == 4 && !strcmp(argv[3], "--frontier")) {
    struct frontier f = { { 0, 0 } };
    return fill_store(argv[1], atol(argv[2]), 50000, frontier_fn, &f.sp);
  }
  if(argc != 4) {
    fprintf(stderr, "usage: make_store DIR N SAMPLE_REPORT\n");
    return 2;
  }
  long n = atol(argv[2]);
  char *text = NULL;
  gsize len = 0;
  if(!g_file_get_contents(argv[3], &text, &len, NULL))
    return 1;
  struct gh_extract_opts eo;
  gh_extract_opts_init(&eo);
  /* The sample is ours, not fetched: read in this process. */
  struct gh_record rec;
  gh_record_init(&rec);
  gh_document_record(text, len, gh_sniff(text, len), NULL, &eo, NULL, NULL, &rec);
  struct fill f = { { 0, 0 }, gh_record_to_json(&rec), g_ptr_array_new() };
  gh_record_clear(&rec);
  g_free(text);
  const char *code, *name, *level, *parent;
  for(guint i = 0; gh_regions_at(gh_regions_builtin(), i, &code, &name, &level, &parent); i++)
    if(!strcmp(level, "county"))
      g_ptr_array_add(f.counties, (char *)code);
  int rc = fill_store(argv[1], n, 5000, fill_fn, &f.sp);
  json_decref(f.tmpl);
  g_ptr_array_free(f.counties, TRUE);
  return rc;
}

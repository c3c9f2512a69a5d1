#include "stats.h"
#include "store_int.h"

#include "export.h"

#include <string.h>

#include "../record/places.h"

static void
bump(json_t *obj, const char *key)
{
  if(!key)
    key = "unknown";
  json_t *v = json_object_get(obj, key);
  json_object_set_new(obj, key, json_integer(v ? json_integer_value(v) + 1 : 1));
}

static bool
failed_error_check(json_t *rec)
{
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(rec, "checks"), i, c) {
    const char *level = json_string_value(json_object_get(c, "level"));
    if(json_is_false(json_object_get(c, "ok")) && (!level || strcmp(level, "warning")))
      return true;
  }
  return false;
}

/* Years an agency reported, against the latest year in the store. */
static void
gaps_for(json_t *gaps, const char *agency_key, GArray *years, int latest, GHashTable *names)
{
  if(!years->len)
    return;
  int first = g_array_index(years, int, 0);
  json_t *missing = json_array();
  guint j = 0;
  for(int y = first; y <= latest; y++) {
    while(j < years->len && g_array_index(years, int, j) < y)
      j++;
    if(j >= years->len || g_array_index(years, int, j) != y)
      json_array_append_new(missing, json_integer(y));
  }
  if(json_array_size(missing)) {
    const char *bar = strchr(agency_key, '|');
    char *region = bar && bar != agency_key ? g_strndup(agency_key, (gsize)(bar - agency_key)) : NULL;
    /* The name as the latest report prints it; the key is what joins. */
    const char *printed = g_hash_table_lookup(names, agency_key);
    json_array_append_new(gaps, json_pack("{s:s, s:s, s:s?, s:o}", "agency",
                                          printed ? printed : bar ? bar + 1 : agency_key,
                                          "agency_key", agency_key, "region_code", region,
                                          "missing_years", missing));
    g_free(region);
  } else {
    json_decref(missing);
  }
}

/* Per seed: report columns and list pages reached, report links found
 * (report pages and attachments), and those fetched.  A seed whose crawl
 * reached no column, or a column with no report in it, is a silent miss
 * otherwise: the crawl ends "complete" all the same. */
/* The state a URL's state names, as text: a foreign or damaged name kept
 * in `extra` counts under that name, as it was written. */
static const char *
state_text(const struct gh_urlstate *s)
{
  if(s->has & GH_US_STATE)
    return gh_url_state_name(s->state);
  return json_string_value(json_object_get(s->extra, "state"));
}

/* `records`: source URL -> status of the current records (NULL: the
 * seed misses alone need no records). */
static void
seed_account(json_t *seeds, const char *url, const struct gh_urlstate *state, GHashTable *records)
{
  const char *seed = state->seed;
  const char *kind = state->kind;
  const char *st = state_text(state);
  if(!seed || !kind)
    return;
  json_t *e = json_object_get(seeds, seed);
  if(!e) {
    e = json_pack("{s:i, s:i, s:i}", "columns", 0, "report_links", 0, "reports_fetched", 0);
    json_object_set_new(seeds, seed, e);
  }
  /* The stored kind names (gh_link_kind_name). */
  if(!strcmp(kind, "column") || !strcmp(kind, "list"))
    bump(e, "columns");
  if(!strcmp(kind, "report") || !strcmp(kind, "attachment")) {
    bump(e, "report_links");
    if(st && !strcmp(st, "done"))
      bump(e, "reports_fetched");
  }
  /* What became of them: records by status (the store's records this URL
   * is the source of: a report page that handed over to its attachment,
   * or whose record lost to another document, is not one), failures by
   * kind. */
  const char *rs = records ? g_hash_table_lookup(records, url) : NULL;
  if(rs && *rs) {
    json_t *by = json_object_get(e, "records");
    if(!by)
      json_object_set_new(e, "records", by = json_object());
    bump(by, rs);
  }
  const char *err = state->error;
  if(err && st && strcmp(st, "queued")) {
    json_t *by = json_object_get(e, "errors");
    if(!by)
      json_object_set_new(e, "errors", by = json_object());
    bump(by, err);
  }
}

static void
seed_misses(json_t *out, json_t *seeds)
{
  json_t *no_column = json_array(), *no_reports = json_array();
  GList *keys = NULL;
  const char *seed;
  json_t *e;
  json_object_foreach(seeds, seed, e) keys = g_list_prepend(keys, (gpointer)seed);
  keys = g_list_sort(keys, (GCompareFunc)strcmp);
  for(GList *l = keys; l; l = l->next) {
    e = json_object_get(seeds, l->data);
    json_int_t cols = json_integer_value(json_object_get(e, "columns"));
    json_int_t reps = json_integer_value(json_object_get(e, "report_links"));
    if(!cols && !reps)
      json_array_append_new(no_column, json_string(l->data));
    else if(!reps)
      json_array_append_new(no_reports, json_string(l->data));
  }
  g_list_free(keys);
  json_object_set_new(out, "seeds_without_column", no_column);
  json_object_set_new(out, "seeds_without_reports", no_reports);
}

/* What one read of the store adds up (gh_stats). */
struct tally {
  json_t *by_year, *by_tpl, *by_fmt, *by_status, *by_state, *by_error, *host_errors, *gaps,
    *seeds, *unhealthy;
  json_int_t records, failed, urls;
  int latest;
  uint64_t cycle;
  GString *agency; /* pass 2: the agency whose years are being gathered */
  GHashTable *names; /* agency key -> the name its latest record prints (pass 1) */
  GHashTable *name_year; /* agency key -> that record's year */
  json_t *by_region;     /* "2"|"4"|"6" -> region code -> year -> records */
  GHashTable *seed_codes; /* the region codes of the seeds crawled */
  GHashTable *record_urls; /* source URL -> status, of the current records */
  GArray *years;
};

/* Pass 1: counts, and the latest year reported on. */
static bool
tally_record(const char *k, size_t klen, json_t *rec, void *ud, GError **err)
{
  (void)err;
  struct tally *t = ud;
  t->records++;
  json_int_t y = json_integer_value(json_object_get(rec, "year"));
  char ys[16];
  g_snprintf(ys, sizeof ys, "%d", (int)y);
  bump(t->by_year, ys);
  t->latest = MAX(t->latest, (int)y);
  const char *agency = json_string_value(json_object_get(rec, "agency"));
  char *ak = g_strndup(k, strnlen(k, klen));
  if(agency && GPOINTER_TO_INT(g_hash_table_lookup(t->name_year, ak)) <= (int)y) {
    g_hash_table_insert(t->name_year, g_strdup(ak), GINT_TO_POINTER((int)y));
    g_hash_table_insert(t->names, ak, g_strdup(agency));
  } else {
    g_free(ak);
  }
  bump(t->by_tpl, json_string_value(json_object_get(rec, "template")));
  bump(t->by_fmt, json_string_value(json_object_get(json_object_get(rec, "source"), "format")));
  bump(t->by_status, json_string_value(json_object_get(rec, "status")));
  /* Province, prefecture and county × year: one record is one agency's
   * year (the store's key). */
  const char *rc = json_string_value(json_object_get(rec, "region_code"));
  for(int level = 2; level <= 6; level += 2) {
    char lk[2] = { (char)('0' + level), 0 }, code[8] = "unknown";
    if(rc && strlen(rc) == 6)
      g_snprintf(code, sizeof code, "%.*s%.*s", level, rc, 6 - level, "0000");
    json_t *lv = json_object_get(t->by_region, lk);
    if(!lv)
      json_object_set_new(t->by_region, lk, lv = json_object());
    json_t *rg = json_object_get(lv, code);
    if(!rg)
      json_object_set_new(lv, code, rg = json_object());
    bump(rg, ys);
  }
  t->failed += failed_error_check(rec);
  const char *url = json_string_value(json_object_get(json_object_get(rec, "source"), "url"));
  const char *status = json_string_value(json_object_get(rec, "status"));
  if(url && status)
    g_hash_table_insert(t->record_urls, g_strdup(url), g_strdup(status));
  return true;
}

/* Pass 2: the gap list; one agency's years are adjacent in key order. */
static bool
tally_years(const MDB_val *k, const MDB_val *v, void *ud, GError **err)
{
  (void)v;
  (void)err;
  struct tally *t = ud;
  size_t alen = strnlen(k->mv_data, k->mv_size);
  if(alen != t->agency->len || memcmp(k->mv_data, t->agency->str, alen)) {
    gaps_for(t->gaps, t->agency->str, t->years, t->latest, t->names);
    g_string_truncate(t->agency, 0);
    g_string_append_len(t->agency, k->mv_data, (gssize)alen);
    g_array_set_size(t->years, 0);
  }
  int y = 0;
  for(size_t i = alen + 1; i < k->mv_size && i < alen + 5; i++)
    y = y * 10 + (((const char *)k->mv_data)[i] - '0');
  g_array_append_val(t->years, y);
  return true;
}

/* URL states and failures by host; per seed, what its crawl found. */
/* The host (and port) of a URL as the frontier stores it: normalised by
 * the crawler (crawler/url.c: scheme lower-case, host lower-case, default
 * port dropped), so the authority is what lies between "//" and the path,
 * and equals the crawler's host name.  Parsing it again here would make
 * the store depend on the crawler. */
static char *
url_authority(const char *url)
{
  const char *a = url ? strstr(url, "://") : NULL;
  if(!a)
    return NULL;
  a += 3;
  size_t n = strcspn(a, "/?#");
  const char *at = memchr(a, '@', n); /* user info is not part of the host */
  if(at) {
    n -= (size_t)(at + 1 - a);
    a = at + 1;
  }
  return n ? g_strndup(a, n) : NULL;
}

static bool
tally_url(const char *url, struct gh_urlstate *s, void *ud, GError **err)
{
  (void)err;
  struct tally *t = ud;
  t->urls++;
  seed_account(t->seeds, url, s, t->record_urls);
  if(s->kind && !strcmp(s->kind, "seed") && s->region)
    g_hash_table_add(t->seed_codes, g_strdup(s->region));
  const char *e = s->error;
  const char *state = state_text(s);
  bump(t->by_state, state);
  if(e && state && strcmp(state, "queued")) {
    bump(t->by_error, e);
    char *host = url_authority(url);
    if(host) {
      json_t *he = json_object_get(t->host_errors, host);
      if(!he) {
        he = json_object();
        json_object_set_new(t->host_errors, host, he);
      }
      bump(he, e);
    }
    g_free(host);
  }
  return true;
}

/* Hosts set aside in the current cycle after repeated failures. */
static bool
tally_host(const MDB_val *k, const MDB_val *v, void *ud, GError **err)
{
  (void)err;
  struct tally *t = ud;
  json_t *hs = json_loadb(v->mv_data, v->mv_size, 0, NULL);
  const char *why = json_string_value(json_object_get(hs, "unhealthy"));
  if(why && (uint64_t)json_integer_value(json_object_get(hs, "unhealthy_cycle")) == t->cycle) {
    char *name = g_strndup(k->mv_data, k->mv_size);
    json_object_set_new(t->unhealthy, name, json_string(why));
    g_free(name);
  }
  json_decref(hs);
  return true;
}

json_t *
gh_stats(struct gh_store *st, GError **err)
{
  MDB_txn *txn = gh_store_read_begin(st, err);
  if(!txn)
    return NULL;
  struct tally t = {
    .by_year = json_object(), .by_tpl = json_object(), .by_fmt = json_object(),
    .by_status = json_object(), .by_state = json_object(), .by_error = json_object(),
    .host_errors = json_object(), .gaps = json_array(), .seeds = json_object(),
    .unhealthy = json_object(), .agency = g_string_new(NULL),
    .names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
    .name_year = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .years = g_array_new(FALSE, FALSE, sizeof(int)), .by_region = json_object(),
    .seed_codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .record_urls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
  };
  uint64_t done = 0;
  gh_store_meta_get_u64(txn, st, "cycle", &t.cycle);
  gh_store_meta_get_u64(txn, st, "cycle_done", &done);
  /* Counts from part of a store are not shown: any damage ends it. */
  bool ok = gh_store_each_record(txn, st, NULL, 0, tally_record, &t, err) &&
            gh_store_each(txn, st, st->records, "records", tally_years, &t, err) &&
            gh_store_each_url(txn, st, tally_url, &t, err) &&
            gh_store_each(txn, st, st->hosts, "hosts", tally_host, &t, err);
  gaps_for(t.gaps, t.agency->str, t.years, t.latest, t.names);
  MDB_stat hist, queue;
  mdb_stat(txn, st->history, &hist);
  mdb_stat(txn, st->queue, &queue);
  mdb_txn_abort(txn);
  g_string_free(t.agency, TRUE);
  g_hash_table_destroy(t.names);
  g_hash_table_destroy(t.name_year);
  g_hash_table_destroy(t.record_urls);
  g_array_free(t.years, TRUE);

  json_t *out = json_pack(
    "{s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:I, s:I, s:b, s:i, s:o, s:o, s:o}",
    "records", (json_int_t)t.records, "records_failing_checks", (json_int_t)t.failed,
    "history_versions", (json_int_t)hist.ms_entries, "by_year", t.by_year, "by_template", t.by_tpl,
    "by_format", t.by_fmt, "by_status", t.by_status, "urls", (json_int_t)t.urls, "urls_by_state",
    t.by_state, "errors_by_kind", t.by_error, "hosts_with_errors", t.host_errors, "queued",
    (json_int_t)queue.ms_entries, "cycle", (json_int_t)t.cycle, "cycle_complete",
    t.cycle && done >= t.cycle, "latest_year", t.latest, "gaps", t.gaps, "unhealthy_hosts",
    t.unhealthy, "seeds", json_incref(t.seeds));
  json_object_set_new(out, "by_region", t.by_region);
  /* The seeds crawled against the country, as `seeds coverage` counts. */
  json_object_set_new(out, "coverage", gh_regions_coverage_counts(gh_regions_builtin(), t.seed_codes));
  g_hash_table_destroy(t.seed_codes);
  seed_misses(out, t.seeds);
  json_decref(t.seeds);
  if(!ok) {
    json_decref(out);
    return NULL;
  }
  return out;
}

struct seed_count {
  json_t *seeds;
  GHashTable *only;
};

static bool
count_seed(const char *url, struct gh_urlstate *s, void *ud, GError **err)
{
  (void)err;
  struct seed_count *c = ud;
  const char *seed = s->seed;
  if(seed && (!c->only || g_hash_table_contains(c->only, seed)))
    seed_account(c->seeds, url, s, NULL);
  return true;
}

json_t *
gh_stats_seed_misses(struct gh_store *st, GHashTable *only, GError **err)
{
  MDB_txn *txn = gh_store_read_begin(st, err);
  if(!txn)
    return NULL;
  struct seed_count c = { json_object(), only };
  bool ok = gh_store_each_url(txn, st, count_seed, &c, err);
  mdb_txn_abort(txn);
  json_t *out = NULL;
  if(ok) {
    out = json_object();
    seed_misses(out, c.seeds);
  }
  json_decref(c.seeds);
  return out;
}

static GList *
sorted_keys(json_t *obj)
{
  GList *keys = NULL;
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) keys = g_list_prepend(keys, (gpointer)k);
  return g_list_sort(keys, (GCompareFunc)strcmp);
}

/* Counts of one object as "key=n key=n" in key order. */
static char *
counts_text(json_t *obj)
{
  GList *keys = sorted_keys(obj);
  GString *t = g_string_new(NULL);
  for(GList *l = keys; l; l = l->next)
    g_string_append_printf(t, "%s%s=%" JSON_INTEGER_FORMAT, t->len ? " " : "", (const char *)l->data,
                           json_integer_value(json_object_get(obj, l->data)));
  g_list_free(keys);
  return g_string_free(t, FALSE);
}

static void
print_counts(FILE *out, const char *title, json_t *obj)
{
  fprintf(out, "%-18s", title);
  if(!json_object_size(obj))
    fprintf(out, " none");
  /* In key order (years ascending), not the hash table's. */
  char *t = counts_text(obj);
  fprintf(out, "%s%s\n", *t ? " " : "", t);
  g_free(t);
}

void
gh_stats_print(json_t *s, FILE *out, size_t max)
{
  fprintf(out, "%-18s %" JSON_INTEGER_FORMAT " (%" JSON_INTEGER_FORMAT " failing a check, %" JSON_INTEGER_FORMAT
               " older versions in history)\n",
          "records", json_integer_value(json_object_get(s, "records")),
          json_integer_value(json_object_get(s, "records_failing_checks")),
          json_integer_value(json_object_get(s, "history_versions")));
  print_counts(out, "by year", json_object_get(s, "by_year"));
  print_counts(out, "by template", json_object_get(s, "by_template"));
  print_counts(out, "by format", json_object_get(s, "by_format"));
  print_counts(out, "by status", json_object_get(s, "by_status"));
  fprintf(out, "%-18s %" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT " queued, cycle %" JSON_INTEGER_FORMAT " %s\n",
          "urls", json_integer_value(json_object_get(s, "urls")),
          json_integer_value(json_object_get(s, "queued")), json_integer_value(json_object_get(s, "cycle")),
          json_is_true(json_object_get(s, "cycle_complete")) ? "complete" : "unfinished");
  print_counts(out, "urls by state", json_object_get(s, "urls_by_state"));
  char *cov = gh_coverage_text(json_object_get(s, "coverage"));
  fprintf(out, "%-18s %s\n", "coverage", cov);
  g_free(cov);
  print_counts(out, "errors by kind", json_object_get(s, "errors_by_kind"));
  const char *host;
  json_t *he;
  fprintf(out, "hosts with errors:%s\n", json_object_size(json_object_get(s, "hosts_with_errors")) ? "" : " none");
  json_object_foreach(json_object_get(s, "hosts_with_errors"), host, he) {
    char *t = g_strdup_printf("  %s", host);
    print_counts(out, t, he);
    g_free(t);
  }
  json_t *uh = json_object_get(s, "unhealthy_hosts");
  fprintf(out, "unhealthy hosts:%s\n", json_object_size(uh) ? "" : " none");
  const char *why_key;
  json_t *why;
  json_object_foreach(uh, why_key, why)
    fprintf(out, "  %s: %s (its URLs wait for the next cycle)\n", why_key, json_string_value(why));
  gh_stats_print_misses(s, out, max);
  json_t *gaps = json_object_get(s, "gaps");
  if(json_array_size(gaps))
    fprintf(out, "gaps: %zu agencies miss a year (latest year %" JSON_INTEGER_FORMAT "):\n",
            json_array_size(gaps), json_integer_value(json_object_get(s, "latest_year")));
  else
    fprintf(out, "gaps: none (latest year %" JSON_INTEGER_FORMAT ")\n",
            json_integer_value(json_object_get(s, "latest_year")));
  size_t i;
  json_t *g;
  json_array_foreach(gaps, i, g) {
    if(max && i >= max) {
      fprintf(out, "  … %zu more (govharvest stats --gaps, or --json)\n", json_array_size(gaps) - max);
      break;
    }
    fprintf(out, "  %s", json_string_value(json_object_get(g, "agency")));
    const char *rc = json_string_value(json_object_get(g, "region_code"));
    if(rc)
      fprintf(out, " (%s)", rc);
    fprintf(out, " missing");
    size_t j;
    json_t *y;
    json_array_foreach(json_object_get(g, "missing_years"), j, y) fprintf(out, " %" JSON_INTEGER_FORMAT, json_integer_value(y));
    fputc('\n', out);
  }
}

void
gh_stats_print_misses(json_t *s, FILE *out, size_t max)
{
  static const struct {
    const char *key, *what;
  } lists[] = {
    { "seeds_without_column", "seeds where no report column was found" },
    { "seeds_without_reports", "seeds whose column held no report" },
  };
  for(size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
    json_t *a = json_object_get(s, lists[l].key);
    if(!json_array_size(a))
      continue;
    fprintf(out, "%zu %s (govharvest probe URL shows why):\n", json_array_size(a), lists[l].what);
    size_t i;
    json_t *u;
    json_array_foreach(a, i, u) {
      if(max && i >= max) {
        fprintf(out, "  … %zu more (govharvest stats)\n", json_array_size(a) - max);
        break;
      }
      fprintf(out, "  %s\n", json_string_value(u));
    }
  }
}

#define GH_STATS_ERROR (g_quark_from_static_string("gh-stats"))

static bool
print_url(const char *url, struct gh_urlstate *s, void *ud, GError **err)
{
  json_t *j = gh_urlstate_to_json(s);
  json_object_del(j, "out"); /* a page's links: long, and in docs/store.md */
  json_object_set_new(j, "url", json_string(url));
  bool ok = json_dumpf(j, ud, JSON_COMPACT | JSON_SORT_KEYS) == 0 && fputc('\n', ud) != EOF;
  json_decref(j);
  if(ok)
    return true;
  g_set_error(err, GH_STATS_ERROR, 1, "writing failed");
  return false;
}

bool
gh_stats_urls(struct gh_store *st, FILE *out, GError **err)
{
  MDB_txn *txn = gh_store_read_begin(st, err);
  if(!txn)
    return false;
  bool ok = gh_store_each_url(txn, st, print_url, out, err);
  mdb_txn_abort(txn);
  if(ok && fflush(out) != 0) {
    g_set_error(err, GH_STATS_ERROR, 1, "writing failed");
    ok = false;
  }
  return ok;
}

static void
csv_cell(FILE *out, const char *v, bool last)
{
  GString *f = g_string_new(NULL);
  gh_csv_field(f, v);
  g_string_append_c(f, last ? '\n' : ',');
  fputs(f->str, out);
  g_string_free(f, TRUE);
}

void
gh_stats_print_by_seed(json_t *s, FILE *out, bool csv)
{
  json_t *seeds = json_object_get(s, "seeds");
  GList *keys = sorted_keys(seeds);
  if(csv)
    fputs("seed,column_found,links,documents,records,errors\n", out);
  /* links: report links found; documents: those fetched; records: landed
   * (by status) — the words of the crawl summary. */
  else
    fprintf(out, "%-60s %6s %6s %9s  %s\n", "seed", "column", "links", "documents",
            "records; errors");
  for(GList *l = keys; l; l = l->next) {
    json_t *e = json_object_get(seeds, l->data);
    json_int_t cols = json_integer_value(json_object_get(e, "columns"));
    json_int_t links = json_integer_value(json_object_get(e, "report_links"));
    json_int_t docs = json_integer_value(json_object_get(e, "reports_fetched"));
    char *recs = counts_text(json_object_get(e, "records"));
    char *errs = counts_text(json_object_get(e, "errors"));
    /* A column is found when the crawl reached one, or reports without one
     * (a seed that is itself the column). */
    bool found = cols > 0 || links > 0;
    if(csv) {
      char n[3][32];
      g_snprintf(n[0], sizeof n[0], "%" JSON_INTEGER_FORMAT, links);
      g_snprintf(n[1], sizeof n[1], "%" JSON_INTEGER_FORMAT, docs);
      csv_cell(out, l->data, false);
      csv_cell(out, found ? "yes" : "no", false);
      csv_cell(out, n[0], false);
      csv_cell(out, n[1], false);
      csv_cell(out, recs, false);
      csv_cell(out, errs, true);
    } else {
      fprintf(out, "%-60s %6s %6" JSON_INTEGER_FORMAT " %9" JSON_INTEGER_FORMAT "  %s%s%s\n",
              (const char *)l->data, found ? "yes" : "no", links, docs, *recs ? recs : "-",
              *errs ? "; " : "", errs);
    }
    g_free(recs);
    g_free(errs);
  }
  g_list_free(keys);
}

void
gh_stats_print_by_region(json_t *s, int level, FILE *out, bool csv)
{
  char lk[2] = { (char)('0' + level), 0 };
  json_t *regions = json_object_get(json_object_get(s, "by_region"), lk);
  /* The years any region has, as columns. */
  GHashTable *ys = g_hash_table_new(g_str_hash, g_str_equal);
  const char *code;
  json_t *row;
  json_object_foreach(regions, code, row) {
    const char *y;
    json_t *n;
    json_object_foreach(row, y, n) g_hash_table_add(ys, (gpointer)y);
  }
  GList *years = g_list_sort(g_hash_table_get_keys(ys), (GCompareFunc)strcmp);
  GList *codes = sorted_keys(regions);
  const struct gh_regions *t = gh_regions_builtin();
  if(csv)
    fputs("region_code,region,", out);
  else
    fprintf(out, "%-8s %-24s", "code", "region");
  for(GList *y = years; y; y = y->next)
    fprintf(out, csv ? "%s," : " %6s", (const char *)y->data);
  fputs(csv ? "total\n" : "  total\n", out);
  for(GList *c = codes; c; c = c->next) {
    row = json_object_get(regions, c->data);
    const char *name = gh_region_name(t, c->data);
    if(!name)
      name = strcmp(c->data, "unknown") ? "" : "(no region)";
    json_int_t total = 0;
    if(csv) {
      csv_cell(out, c->data, false);
      csv_cell(out, name, false);
    } else {
      /* Pad by display width: Chinese characters take two columns. */
      long w = 0;
      for(const char *p = name; *p; p = g_utf8_next_char(p))
        w += g_unichar_iswide(g_utf8_get_char(p)) ? 2 : 1;
      fprintf(out, "%-8s %s%*s", (const char *)c->data, name, (int)MAX(0, 24 - w), "");
    }
    for(GList *y = years; y; y = y->next) {
      json_int_t n = json_integer_value(json_object_get(row, y->data));
      total += n;
      fprintf(out, csv ? "%" JSON_INTEGER_FORMAT "," : " %6" JSON_INTEGER_FORMAT, n);
    }
    fprintf(out, csv ? "%" JSON_INTEGER_FORMAT "\n" : "  %5" JSON_INTEGER_FORMAT "\n", total);
  }
  g_list_free(codes);
  g_list_free(years);
  g_hash_table_destroy(ys);
}

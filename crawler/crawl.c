/* The crawl loop (gh_crawl_run): one libcurl multi handle over every host.
 *
 * Each turn: crawl_fill (turns.c) asks the hosts that may start a request
 * whether they may (crawler/host.c) and takes each one's next queued URL
 * from the frontier (store/frontier.c); libcurl moves the transfers
 * (events.c: its sockets over epoll); each finished one goes
 * to crawl_answer (answer.c), which gives the URL its next state; a body
 * that must be read goes to a sandbox worker (job.c) and comes back as
 * links and a record; the writes of all of this are gathered by the
 * frontier and committed a few times a second on the committer thread.
 * docs/internals/crawl-loop.md follows one URL through it.
 *
 * The loop holds hosts and transfers in memory, never URLs: a URL's state
 * lives in the store from the moment it is queued, so a killed crawl
 * resumes where its last commit left it. */
#include "crawl_int.h"


#include <curl/curl.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../store/frontier.h"
#include "host.h"
#include "log.h"
#include "events.h"
#include "render.h"
#include "url.h"

void
crawl_count(GHashTable *h, const char *name)
{
  gpointer v = g_hash_table_lookup(h, name);
  if(!v)
    g_hash_table_insert(h, g_strdup(name), GUINT_TO_POINTER(1));
  else
    g_hash_table_insert(h, g_strdup(name), GUINT_TO_POINTER(GPOINTER_TO_UINT(v) + 1));
}

char *
crawl_now_iso(void)
{
  GDateTime *d = g_date_time_new_now_utc();
  char *s = g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ");
  g_date_time_unref(d);
  return s;
}

/* A log line about one URL (its URL and host become journal fields). */
void
crawl_log(struct crawl *c, enum gh_log_level level, const char *url, const char *fmt, ...)
{
  if(level > c->cfg->log_level)
    return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  gh_log(level, &(struct gh_log_fields){ .url = url }, "%s", msg);
  g_free(msg);
}

/* ---- hosts ---- */

GHashTable *
gh_crawl_hosts_new(void)
{
  return g_hash_table_new_full(g_str_hash, g_str_equal, NULL, gh_host_free);
}

/* A host kept from an earlier run in this process: its politeness (when it
 * may next be asked, its delay, robots.txt, the backoff of its failures in
 * a row) stays; what was that run's (transfers, the loop's timers, the
 * cycle's budgets, set-aside) starts afresh, as for a new host. */
static void
host_rejoin(struct crawl *c, struct gh_host *h)
{
  h->rules = &c->host_rules;
  /* A reload may have changed [crawl] delay, the floor of any Crawl-delay. */
  h->delay = h->robots ? gh_robots_delay(h->robots, h->rules->delay) : h->rules->delay;
  h->in_flight = 0;
  h->robots_loading = false;
  h->idle = false;
  g_hash_table_remove_all(h->busy);
  h->scan_from = 0;
  h->sched_dirty = false;
  h->sched_timer = NULL;
  h->cycle_failures = 0;
  h->failed_seconds = 0;
  g_clear_pointer(&h->unhealthy, g_free);
  g_clear_pointer(&h->drain, g_free);
  g_clear_pointer(&h->drain_kind, g_free);
  h->robots_attempts = 0;
  /* The page count is the store's, per cycle (crawl_host_load). */
  h->pages = 0;
  json_t *hs = gh_frontier_host(c->st, h->name);
  if((guint64)json_integer_value(json_object_get(hs, "cycle")) == c->cycle)
    h->pages = (guint64)json_integer_value(json_object_get(hs, "pages"));
  json_decref(hs);
}

struct gh_host *
crawl_host_get(struct crawl *c, const char *name)
{
  struct gh_host *h = g_hash_table_lookup(c->hosts, name);
  if(h && h->run_mark == c->run_id)
    return h;
  if(h) {
    host_rejoin(c, h);
  } else {
    h = gh_host_new(name, &c->host_rules);
    g_hash_table_insert(c->hosts, h->name, h);
  }
  h->run_mark = c->run_id;
  crawl_host_mark(c, h);
  c->sum->hosts++;
  return h;
}

/* A host whose robots.txt was fetched recently reuses it from the store. */
void
crawl_host_load(struct crawl *c, struct gh_host *h)
{
  json_t *hs = gh_frontier_host(c->st, h->name);
  gh_host_load(h, hs, c->cycle, g_get_real_time() / USEC, ROBOTS_MAX_AGE);
  json_decref(hs);
}

void
crawl_host_save(struct crawl *c, struct gh_host *h, long robots_status, const char *robots)
{
  json_t *hs = gh_host_state(h, c->cycle, robots_status, robots, g_get_real_time() / USEC);
  gh_frontier_put_host(c->fr, h->name, hs);
}

/* ---- URL states ----
 *
 *   (new) --crawl_enqueue--> queued --crawl_finish--> done | failed |
 *                                                     redirected | blocked |
 *                                                     robots | skipped
 *   queued --retry_later (answer.c)--> queued (attempts + 1, error noted)
 *
 * crawl_enqueue is the only way into the queue (the frontier decides at
 * commit whether the URL may be queued again this cycle); crawl_finish is
 * the only way out. */

/* The one place a URL leaves the queue: its final state, with the error
 * kind (counted) and reason, written in the batch that removes its queue
 * entry on `host`, and logged. */
void
crawl_finish(struct crawl *c, const char *url, const char *host, struct gh_urlstate *s,
             enum gh_url_state state, const char *error_kind, const char *reason)
{
  gh_urlstate_set_state(s, state);
  gh_urlstate_set(&s->error, error_kind);
  if(error_kind)
    crawl_count(c->sum->errors, error_kind);
  gh_urlstate_set(&s->reason, reason);
  gh_frontier_finish(c->fr, url, host, s);
  if(error_kind)
    gh_log(GH_LOG_INFO, &(struct gh_log_fields){ .url = url, .status = error_kind },
           "%s: %s%s%s", url, error_kind, reason ? ": " : "", reason ? reason : "");
  else if(c->cfg->log_level >= GH_LOG_DEBUG)
    gh_log(GH_LOG_DEBUG, &(struct gh_log_fields){ .url = url }, "%s: queued -> %s", url,
           gh_url_state_name(state));
}

void
crawl_finish_xfer(struct crawl *c, struct xfer *x, enum gh_url_state state, const char *error_kind,
           const char *reason)
{
  crawl_finish(c, x->url, x->host->name, x->state, state, error_kind, reason);
}

/* Queue `url` for this cycle unless it already is, or is a report document
 * fetched in an earlier cycle (those do not change; corrections get new
 * URLs).  Decided inside the transaction, so duplicates in one batch and
 * across restarts collapse. */
struct gh_urlstate *
crawl_enqueue(struct crawl *c, const char *url, const char *url_host, enum gh_link_kind kind,
              int depth, const char *seed, const char *region, const char *text,
              const char *referer)
{
  struct gh_urlstate *s = gh_urlstate_new();
  gh_urlstate_set(&s->kind, gh_link_kind_name(kind));
  gh_urlstate_set(&s->seed, seed);
  gh_urlstate_set(&s->referer, referer);
  size_t ulen = strlen(url);
  if(ulen > GH_URL_MAX) {
    /* Recorded, never queued: the store keys URLs by hash, so the state
     * fits, and the page that linked it is named. */
    char *why = g_strdup_printf("%zu bytes, over the %d-byte limit", ulen, GH_URL_MAX);
    gh_urlstate_set_num(s, cycle, GH_US_CYCLE, (gint64)c->cycle);
    gh_urlstate_set_state(s, GH_URL_FAILED);
    gh_urlstate_set(&s->error, "url_too_long");
    gh_urlstate_set(&s->reason, why);
    crawl_count(c->sum->errors, "url_too_long");
    gh_log(GH_LOG_INFO, &(struct gh_log_fields){ .url = referer, .status = "url_too_long" },
           "a link of %s: %s", referer ? referer : "a seed", why);
    g_free(why);
    /* Under its first GH_URL_MAX bytes (the reason keeps its length): two
     * links of 12 MB each made a 25 MB store. */
    size_t cut = GH_URL_MAX;
    while(cut > 0 && ((unsigned char)url[cut] & 0xC0) == 0x80)
      cut--; /* never inside a UTF-8 character */
    char *head = g_strndup(url, cut);
    gh_frontier_set(c->fr, head, s);
    g_free(head);
    gh_urlstate_free(s);
    return NULL;
  }
  char *host = url_host ? NULL : gh_url_host(url);
  if(!url_host && !host) {
    gh_urlstate_free(s);
    return NULL;
  }
  gh_urlstate_set_num(s, depth, GH_US_DEPTH, depth);
  gh_urlstate_set(&s->region, region);
  if(text && *text)
    gh_urlstate_set(&s->text, text);
  if(kind == GH_LINK_SEED) { /* the daemon schedules seeds by this */
    char *iso = crawl_now_iso();
    gh_urlstate_set(&s->queued_at, iso);
    g_free(iso);
  }
  /* Borrowed by the caller, which may still add to it: the frontier reads
   * it only once the batch is handed to the committer. */
  gh_frontier_enqueue(c->fr, url, url_host ? url_host : host, s,
                      c->o->force && seed && g_hash_table_contains(c->run_seeds, seed));
  g_free(host);
  return s;
}

/* What a committed batch did: counted and logged, and the hosts it queued
 * work for woken. */
static void
committed(void *ud, enum gh_frontier_event ev, const char *key, const json_t *json,
          const struct gh_urlstate *state, const char *result)
{
  struct crawl *c = ud;
  if(ev == GH_FRONTIER_LANDED) {
    const char *status = jstr(json, "status");
    crawl_count(c->sum->records, status ? status : "unknown");
    const char *url = jstr(json_object_get(json, "source"), "url");
    gh_log(GH_LOG_INFO,
           &(struct gh_log_fields){ .url = url, .agency = jstr(json, "agency"),
                                    .year = (int)json_integer_value(json_object_get(json, "year")),
                                    .status = status },
           "record %s %" JSON_INTEGER_FORMAT " (%s): %s, %s", jstr(json, "agency"),
           json_integer_value(json_object_get(json, "year")), status, result, url);
  } else {
    if(strcmp(result, "added"))
      gh_log(GH_LOG_WARNING, NULL, "%s", result);
    struct gh_host *h = crawl_host_get(c, key);
    h->idle = false;
    crawl_host_mark(c, h);
    if(gh_urlstate_is_leaf(state))
      c->sum->reports_found++;
  }
}

/* True while the batch being committed has run past the stall limit
 * (saying so once per stall).  A batch is bounded (see crawl_fill), so a commit
 * that long is a stalled disk, not a big one. */
static bool
commit_stalled(struct crawl *c)
{
  if(!gh_frontier_committing(c->fr))
    return false;
  gint64 limit = c->o->commit_stall_usec ? c->o->commit_stall_usec : 60 * USEC;
  gint64 age = g_get_monotonic_time() - c->last_flush;
  if(age < limit)
    return false;
  if(!c->stall_reported) {
    c->stall_reported = true;
    crawl_log(c, GH_LOG_ERROR, NULL,
            "store: a commit has been running for %.0f s (is the disk stalled?); "
            "finished work waits in memory and the watchdog is not fed until it completes",
            (double)age / USEC);
  }
  return true;
}

/* The caller's per-turn callback (the daemon's watchdog ping), withheld
 * while the store is stalled. */
static void
tick(struct crawl *c)
{
  if(c->o->tick && !commit_stalled(c))
    c->o->tick(c->o->status_ud);
}

/* Collects the committer's batch if it has finished (with `wait`, once it
 * has, ticking meanwhile).  false on a store error, which ends the crawl:
 * the batch's URLs are still queued in the store, so the next run fetches
 * them again. */
static bool
collect(struct crawl *c, bool wait)
{
  GError *e = NULL;
  enum gh_commit r;
  while((r = gh_frontier_commit_poll(c->fr, wait ? g_get_monotonic_time() + USEC / 4 : 0, committed,
                                     c, &e)) == GH_COMMIT_RUNNING &&
        wait) {
    tick(c);
    if(c->o->progress || c->o->status || c->cfg->heartbeat_seconds)
      crawl_report_status(c, false);
  }
  if(r == GH_COMMIT_IDLE || r == GH_COMMIT_RUNNING)
    return true;
  double took = (double)(g_get_monotonic_time() - c->last_flush) / USEC;
  c->sum->commits++;
  c->sum->commit_seconds += took;
  c->sum->commit_max_seconds = MAX(c->sum->commit_max_seconds, took);
  if(c->stall_reported) {
    c->stall_reported = false;
    crawl_log(c, GH_LOG_WARNING, NULL, "store: the stalled commit ended after %.1f s", took);
  }
  if(r == GH_COMMIT_FAILED && !c->error)
    c->error = e;
  else if(r == GH_COMMIT_FAILED)
    g_error_free(e);
  return r == GH_COMMIT_DONE;
}

/* Hands the pending ops to the committer unless it is still busy with the
 * previous batch. */
static bool
flush_start(struct crawl *c)
{
  if(!collect(c, false))
    return false;
  if(!gh_frontier_gathered(c->fr) || gh_frontier_committing(c->fr))
    return true;
  c->last_flush = g_get_monotonic_time();
  gh_frontier_commit_start(c->fr);
  return true;
}

/* Everything pending is in the store when this returns true. */
static bool
flush(struct crawl *c)
{
  return collect(c, true) && flush_start(c) && collect(c, true);
}

/* Starts a commit at most every FLUSH_EVERY µs (or sooner when many writes
 * wait): one fsync per batch, not per URL.  A crash loses at most that
 * window of finished work (and the batch being written), which the next
 * run fetches again. */

static bool
maybe_flush(struct crawl *c, bool force)
{
  if(force)
    return flush(c);
  if(!collect(c, false))
    return false;
  gint64 now = g_get_monotonic_time();
  guint n = gh_frontier_gathered(c->fr);
  if(!n || (now - c->last_flush < FLUSH_EVERY && n < OPS_PER_BATCH))
    return true;
  return flush_start(c);
}

/* ---- scope ---- */

/* Pages stay on the seed's site; attachments may come from any government
 * host (portals keep files on a shared download server).  Seed hosts are
 * parsed once: every discovered link is checked against its seed's. */
bool
crawl_in_scope(struct crawl *c, const char *seed, const char *url, enum gh_link_kind kind,
               char **url_host)
{
  const char *seed_host = seed ? g_hash_table_lookup(c->seed_hosts, seed) : NULL;
  if(seed && !seed_host && (seed_host = gh_url_host(seed)))
    g_hash_table_insert(c->seed_hosts, g_strdup(seed), (char *)seed_host);
  char *host = gh_url_host(url);
  bool ok = false;
  if(host && seed_host) {
    char *a = gh_url_site(host), *b = gh_url_site(seed_host);
    bool same_site = !strcmp(a, b);
    bool gov = gh_url_host_is_gov(host);
    ok = !strcmp(host, seed_host) || (same_site && gov) ||
         (kind == GH_LINK_ATTACHMENT && gov);
    g_free(a);
    g_free(b);
  }
  if(ok && url_host)
    *url_host = host;
  else
    g_free(host);
  return ok;
}

/* ---- transfers ---- */

struct xfer *
crawl_xfer_new(struct crawl *c, struct gh_host *h, const char *url, const char *ask, size_t cap)
{
  struct xfer *x = g_new0(struct xfer, 1);
  x->host = h;
  x->url = g_strdup(url);
  x->in.body = g_string_sized_new(16384);
  x->in.cap = cap;
  CURL *e = x->easy = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, ask ? ask : url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, gh_capped_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &x->in);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, gh_fetch_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &x->hd);
  gh_crawl_easy_setup(e, c->cfg, h->name, c->resolve, c->connect_to, &x->guard);
  return x;
}

void
crawl_start(struct crawl *c, struct gh_host *h, const char *url, struct gh_urlstate *state,
            bool robots)
{
  const struct gh_config *cfg = c->cfg;
  /* A form post (forms.c): its body is in the state, its URL without the
   * "#gh-post=" fragment is what is asked; never conditional, since the
   * validators a GET of that URL earned say nothing of the post. */
  const char *post_body = state && state->extra
                            ? json_string_value(json_object_get(state->extra, "post_body")) : NULL;
  char *post_target = post_body ? gh_post_target(url) : NULL;
  if(!post_target)
    post_body = NULL;
  struct xfer *x = crawl_xfer_new(c, h, url, post_target,
                                  robots ? GH_ROBOTS_MAX_BYTES : cfg->max_document_bytes);
  x->state = state;
  x->robots = robots;
  CURL *e = x->easy;
  /* Redirects are followed by the scheduler, not by curl: the target may
   * be another host, with its own robots.txt and its own delay. */
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, robots ? 1L : 0L);
  /* robots.txt is read up to its cap and the rest ignored (RFC 9309
   * §2.5), so only documents are refused by their announced size. */
  if(!robots)
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->in.cap);
  if(post_body) {
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, post_body);
    x->req_headers = curl_slist_append(x->req_headers,
                                       "Content-Type: application/x-www-form-urlencoded");
  }
  if(state) {
    const char *etag = post_body ? NULL : state->etag;
    const char *lm = post_body ? NULL : state->last_modified;
    if(etag) {
      char *hd = g_strdup_printf("If-None-Match: %s", etag);
      x->req_headers = curl_slist_append(x->req_headers, hd);
      g_free(hd);
    }
    if(lm) {
      char *hd = g_strdup_printf("If-Modified-Since: %s", lm);
      x->req_headers = curl_slist_append(x->req_headers, hd);
      g_free(hd);
    }
    const char *referer = state->referer;
    if(referer)
      curl_easy_setopt(e, CURLOPT_REFERER, referer);
  }
  x->req_headers = curl_slist_append(x->req_headers, GH_ACCEPT_LANGUAGE);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->req_headers);
  if(!robots && !post_body)
    gh_fetch_dataproxy_post(e, url);
  gh_host_started(h, url, g_get_monotonic_time());
  c->in_flight++;
  g_hash_table_add(c->active, x);
  curl_multi_add_handle(c->multi, e);
  crawl_log(c, GH_LOG_DEBUG, url, "%s %s", post_body ? "POST" : "GET", url);
  g_free(post_target);
}

void
crawl_xfer_free(struct xfer *x)
{
  crawl_render_fetch_free(x->rf);
  curl_slist_free_all(x->req_headers);
  curl_easy_cleanup(x->easy);
  if(x->in.body) /* NULL once handed to a page job */
    g_string_free(x->in.body, TRUE);
  gh_urlstate_free(x->state);
  g_free(x->url);
  gh_answer_headers_clear(&x->hd);
  g_free(x);
}

static bool
cfg_limit_reached(struct crawl *c)
{
  return c->cfg->cycle_time_limit_seconds &&
         g_get_monotonic_time() - c->started >= (gint64)c->cfg->cycle_time_limit_seconds * USEC;
}

/* ---- the cycle ---- */

static void
load_hosts(struct crawl *c)
{
  GError *e = NULL;
  GPtrArray *hosts = gh_frontier_hosts(c->st, &e);
  if(!hosts) {
    c->error = e;
    return;
  }
  for(guint i = 0; i < hosts->len; i++)
    crawl_host_get(c, hosts->pdata[i]);
  g_ptr_array_free(hosts, TRUE);
  c->sum->queued_left = gh_frontier_queued(c->st);
}

/* User + system CPU of this process (its threads) or of its reaped
 * children. */
static double
cpu_seconds(int who)
{
  struct rusage ru;
  getrusage(who, &ru);
  return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

bool
gh_crawl_run(struct gh_store *st, const struct gh_crawl_opts *o, struct gh_crawl_summary *sum,
             GError **err)
{
  /* Keep freed heap mapped: the loop allocates and frees bodies, replies
   * and curl buffers all the time, and returning memory to the kernel at
   * every dip (then faulting it back, with TLB shootdowns under a
   * hypervisor) cost a tenth of the loop's CPU.  Bodies above 4 MiB still
   * get their own mapping. */
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  struct crawl c = { 0 };
  c.st = st;
  c.o = o;
  c.cfg = o->cfg;
  c.sum = sum;
  c.host_rules = (struct gh_host_rules){ .delay = c.cfg->delay_seconds,
                                         .connections = (unsigned)c.cfg->connections_per_host,
                                         .max_pages = c.cfg->max_pages_per_host,
                                         .failures = c.cfg->host_failures,
                                         .failure_time = (double)c.cfg->host_failure_seconds,
                                         .retries = c.cfg->retries,
                                         .backoff = c.cfg->backoff_seconds };
  c.hosts = o->hosts ? o->hosts : gh_crawl_hosts_new();
  c.seed_hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  c.active = g_hash_table_new(NULL, NULL);
  c.timers = g_sequence_new(NULL);
  g_queue_init(&c.dirty);
  c.processing = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, crawl_job_free);
  c.deferred = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c.costly = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c.run_seeds = g_hash_table_new(g_str_hash, g_str_equal);
  c.qcount = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c.run_hosts = g_ptr_array_new_with_free_func(g_free);
  c.run_id = g_get_real_time() ^ ((gint64)getpid() << 40);
  for(guint i = 0; i < o->seeds->len; i++) {
    const struct gh_seed *s = o->seeds->pdata[i];
    g_hash_table_insert(c.run_seeds, s->url, (gpointer)s);
    char *sh = gh_url_host(s->url);
    g_ptr_array_add(c.run_hosts, sh ? sh : g_strdup(""));
  }
  c.workers = gh_config_extract_workers(c.cfg);
  c.pool = gh_pool_new(c.workers, &o->extract, GH_CRAWL_WORK);
  c.resolve = gh_curl_slist(c.cfg->resolve);
  c.connect_to = gh_curl_slist(c.cfg->connect_to);
  c.started = g_get_monotonic_time();
  double cpu0 = cpu_seconds(RUSAGE_SELF), wcpu0 = cpu_seconds(RUSAGE_CHILDREN);
  c.multi = curl_multi_init();
  /* Per-host limits are the scheduler's (connections_per_host); curl's
   * own would count by connect-to target and serialise every host mapped
   * to one address. */
  curl_multi_setopt(c.multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c.cfg->max_connections);
  /* Keep every host's connection between its requests.  curl's default
   * cache holds 4 connections per transfer in the multi handle, and a
   * polite crawl has few in flight at once (each host waits its delay
   * between requests): at 3,000 hosts every request opened and closed a
   * TCP connection. */
  curl_multi_setopt(c.multi, CURLMOPT_MAXCONNECTS, (long)c.cfg->max_connections);
  curl_multi_setopt(c.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  c.ev = gh_events_new(c.multi, err);
  bool ok = c.ev && gh_frontier_begin_cycle(st, &c.cycle, err);
  /* The committer thread wakes the loop when a commit ends. */
  struct gh_frontier_opts fo = { .cycle = c.cycle, .run_id = c.run_id, .refetch = o->refetch,
                                 .wake = gh_events_wake, .wake_ud = c.ev };
  c.fr = gh_frontier_new(st, &fo);
  c.render = gh_render_new(&c);
  if(ok) {
    sum->cycle = c.cycle;
    for(guint i = 0; i < o->seeds->len; i++) {
      const struct gh_seed *s = o->seeds->pdata[i];
      crawl_enqueue(&c, s->url, NULL, GH_LINK_SEED, 0, s->url, s->region_code, s->name, NULL);
    }
    ok = flush(&c);
    load_hosts(&c);
  }
  bool kicked = false; /* curl's timeouts were run after the last poll (gh_events_kick) */
  while(ok && !c.error) {
    if(*o->stop) {
      sum->interrupted = true;
      break;
    }
    gint64 soonest = crawl_fill(&c);
    if(!maybe_flush(&c, false))
      break;
    bool idle = c.in_flight == 0 && gh_pool_pending(c.pool) == 0 && !gh_render_busy(c.render) &&
                crawl_hosts_drained(&c);
    if(!c.time_up && cfg_limit_reached(&c)) {
      c.time_up = true;
      sum->time_limited = true;
      gh_log(GH_LOG_WARNING, NULL,
             "[crawl] cycle_time_limit (%" G_GUINT64_FORMAT " s) reached: no new requests; what is "
             "queued waits for the next cycle",
             c.cfg->cycle_time_limit_seconds);
    }
    if(idle && (gh_frontier_gathered(c.fr) || gh_frontier_committing(c.fr))) { /* pending writes may queue more work */
      if(!maybe_flush(&c, true))
        break;
      continue;
    }
    if(idle)
      break;
    /* A batch due for commit; while the committer is busy, it wakes us. */
    if(gh_frontier_gathered(c.fr) && !gh_frontier_committing(c.fr))
      soonest = MIN(soonest, c.last_flush + FLUSH_EVERY);
    /* Sleep until a transfer has news or a host's delay ends (at most
     * half a second, so a stop request is seen promptly). */
    gint64 pool_deadline = gh_pool_deadline(c.pool);
    soonest = MIN(soonest, pool_deadline);
    struct pollfd pfds[256];
    unsigned nfd = gh_pool_pollfds(c.pool, pfds, G_N_ELEMENTS(pfds) - 2);
    /* The browser's pipe is one more descriptor of the loop. */
    unsigned rfd = gh_render_pollfds(c.render, pfds + nfd, 2);
    soonest = MIN(soonest, gh_render_deadline(c.render));
    /* The previous turn ran curl itself: an answer that arrived then is
     * waiting in curl's message queue, with no socket left to wake us. */
    if(kicked)
      soonest = 0;
    kicked = false;
    gh_events_wait(c.ev, pfds, nfd + rfd, soonest, USEC / 2);
    gh_pool_service(c.pool, pfds, nfd);
    gh_render_service(c.render, pfds + nfd, rfd);
    CURLMsg *m;
    int left;
    GPtrArray *answered = NULL;
    while((m = curl_multi_info_read(c.multi, &left))) {
      if(m->msg != CURLMSG_DONE)
        continue;
      struct xfer *x = NULL;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
      CURLcode rc = m->data.result;
      curl_multi_remove_handle(c.multi, m->easy_handle);
      g_hash_table_remove(c.active, x);
      crawl_answer(&c, x, rc);
      if(!x->fetched) {
        crawl_xfer_free(x);
        continue;
      }
      if(!answered)
        answered = g_ptr_array_new();
      g_ptr_array_add(answered, x);
    }
    if(answered) {
      /* The hosts these answers freed get their next requests on the wire
       * first; hashing the bodies and handing them to the workers overlaps
       * with those round trips.  On one connection that work was the gap
       * between two requests. */
      crawl_fill(&c);
      gh_events_kick(c.ev);
      kicked = true;
      for(guint i = 0; i < answered->len; i++) {
        struct xfer *x = answered->pdata[i];
        crawl_answer_fetched(&c, x);
        g_hash_table_remove(x->host->busy, x->url);
        crawl_xfer_free(x);
      }
      g_ptr_array_free(answered, TRUE);
    }
    if(!maybe_flush(&c, false))
      break;
    if(o->progress || o->status || c.cfg->heartbeat_seconds)
      crawl_report_status(&c, false);
    tick(&c);
  }
  /* Stopping: transfers in flight are abandoned; their queue entries stay,
   * so the next run fetches them. */
  GHashTableIter ai;
  gpointer ax;
  g_hash_table_iter_init(&ai, c.active);
  while(g_hash_table_iter_next(&ai, &ax, NULL)) {
    struct xfer *x = ax;
    g_hash_table_iter_remove(&ai);
    curl_multi_remove_handle(c.multi, x->easy);
    crawl_xfer_free(x);
  }
  /* Documents still in the workers are abandoned the same way. */
  gh_pool_free(c.pool); /* reaps every worker: their CPU is counted below */
  c.pool = NULL;
  g_hash_table_remove_all(c.processing);
  gh_render_free(c.render); /* pages it had are still queued: the next run renders them */
  c.render = NULL;
  flush(&c);
  sum->cpu_seconds = cpu_seconds(RUSAGE_SELF) - cpu0; /* the committer's included */
  sum->worker_cpu_seconds = cpu_seconds(RUSAGE_CHILDREN) - wcpu0;
  sum->queued_left = gh_frontier_queued(st);
  if(!c.error && !sum->interrupted && sum->queued_left == 0)
    gh_frontier_end_cycle(st, c.cycle, NULL);
  if(o->progress || o->status || c.cfg->heartbeat_seconds)
    crawl_report_status(&c, true);
  if(o->progress)
    fputc('\n', stderr);
  sum->seconds = (double)(g_get_monotonic_time() - c.started) / USEC;
  if(c.error) {
    g_propagate_error(err, c.error);
    ok = false;
  }
  gh_events_free(c.ev);
  curl_multi_cleanup(c.multi);
  curl_slist_free_all(c.resolve);
  curl_slist_free_all(c.connect_to);
  gh_frontier_free(c.fr);
  g_hash_table_destroy(c.active);
  g_sequence_free(c.timers);
  g_queue_clear(&c.dirty);
  g_hash_table_destroy(c.processing);
  g_hash_table_destroy(c.deferred);
  g_hash_table_destroy(c.costly);
  g_hash_table_destroy(c.run_seeds);
  g_hash_table_destroy(c.qcount);
  g_ptr_array_free(c.run_hosts, TRUE);
  if(o->hosts) { /* kept for the next run: nothing of this one's loop */
    GHashTableIter hi;
    gpointer hv;
    g_hash_table_iter_init(&hi, c.hosts);
    while(g_hash_table_iter_next(&hi, NULL, &hv)) {
      struct gh_host *h = hv;
      h->sched_timer = NULL;
      h->sched_dirty = false;
      h->rules = NULL;
    }
  } else {
    g_hash_table_destroy(c.hosts);
  }
  g_hash_table_destroy(c.seed_hosts);
  return ok;
}


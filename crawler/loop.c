/* The crawl loop's turns (gh_crawl_new, gh_crawl_turn, gh_crawl_free and
 * gh_crawl_run, which is the three in a row) and the commits they make.
 *
 * Each turn: crawl_fill (turns.c) starts what the hosts' politeness
 * allows; libcurl moves the transfers (events.c: its sockets over epoll),
 * the extraction workers and the browser are served; each finished
 * transfer goes to crawl_answer (answer.c); the writes of all of this are
 * gathered by the frontier and committed a few times a second on the
 * committer thread.  Between two turns a caller may change the crawl
 * (gh_crawl_reconfigure, gh_crawl_add_seeds): the daemon applies a reload
 * or a request so, without stopping the transfers in flight. */
#include "crawl_int.h"

#include <curl/curl.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../store/frontier.h"
#include "events.h"
#include "host.h"
#include "log.h"
#include "render.h"
#include "url.h"

/* ---- commits ---- */

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

/* ---- the cycle ---- */

static bool
cfg_limit_reached(struct crawl *c)
{
  return c->cfg->cycle_time_limit_seconds &&
         g_get_monotonic_time() - c->started >= (gint64)c->cfg->cycle_time_limit_seconds * USEC;
}

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

static struct gh_host_rules
host_rules(const struct gh_config *cfg)
{
  return (struct gh_host_rules){ .delay = cfg->delay_seconds,
                                 .connections = (unsigned)cfg->connections_per_host,
                                 .max_pages = cfg->max_pages_per_host,
                                 .failures = cfg->host_failures,
                                 .failure_time = (double)cfg->host_failure_seconds,
                                 .retries = cfg->retries,
                                 .backoff = cfg->backoff_seconds };
}

/* `s` becomes one of the run's seeds (borrowed), forced or not, and is
 * queued. */
static void
add_seed(struct crawl *c, const struct gh_seed *s, bool force)
{
  if(!g_hash_table_contains(c->run_seeds, s->url)) {
    g_hash_table_insert(c->run_seeds, s->url, (gpointer)s);
    char *sh = gh_url_host(s->url);
    g_ptr_array_add(c->run_hosts, sh ? sh : g_strdup(""));
  }
  if(force) {
    if(!c->forced)
      c->forced = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_add(c->forced, s->url);
  }
  crawl_enqueue(c, s->url, NULL, GH_LINK_SEED, 0, s->url, s->region_code, s->name, NULL);
}

struct gh_crawl *
gh_crawl_new(struct gh_store *st, const struct gh_crawl_opts *o, struct gh_crawl_summary *sum)
{
  /* Keep freed heap mapped: the loop allocates and frees bodies, replies
   * and curl buffers all the time, and returning memory to the kernel at
   * every dip (then faulting it back, with TLB shootdowns under a
   * hypervisor) cost a tenth of the loop's CPU.  Bodies above 4 MiB still
   * get their own mapping. */
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
  struct gh_crawl *gc = g_new0(struct gh_crawl, 1);
  struct crawl *c = &gc->c;
  c->st = st;
  c->o = o;
  c->cfg = o->cfg;
  c->sum = sum;
  c->host_rules = host_rules(c->cfg);
  c->hosts = o->hosts ? o->hosts : gh_crawl_hosts_new();
  c->seed_hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  c->active = g_hash_table_new(NULL, NULL);
  c->timers = g_sequence_new(NULL);
  g_queue_init(&c->dirty);
  c->processing = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, crawl_job_free);
  c->deferred = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->costly = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->run_seeds = g_hash_table_new(g_str_hash, g_str_equal);
  c->qcount = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->run_hosts = g_ptr_array_new_with_free_func(g_free);
  c->run_id = g_get_real_time() ^ ((gint64)getpid() << 40);
  c->workers = gh_config_extract_workers(c->cfg);
  c->pool = gh_sandbox_new(c->workers, &o->extract, GH_CRAWL_WORK);
  c->resolve = gh_curl_slist(c->cfg->resolve);
  c->connect_to = gh_curl_slist(c->cfg->connect_to);
  c->started = g_get_monotonic_time();
  gc->cpu0 = cpu_seconds(RUSAGE_SELF);
  gc->wcpu0 = cpu_seconds(RUSAGE_CHILDREN);
  c->multi = curl_multi_init();
  /* Per-host limits are the scheduler's (connections_per_host); curl's
   * own would count by connect-to target and serialise every host mapped
   * to one address. */
  curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)c->cfg->max_connections);
  /* Keep every host's connection between its requests.  curl's default
   * cache holds 4 connections per transfer in the multi handle, and a
   * polite crawl has few in flight at once (each host waits its delay
   * between requests): at 3,000 hosts every request opened and closed a
   * TCP connection. */
  curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)c->cfg->max_connections);
  curl_multi_setopt(c->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  GError *e = NULL;
  c->ev = gh_events_new(c->multi, &e);
  bool begun = c->ev && gh_frontier_begin_cycle(st, &c->cycle, &e);
  /* The committer thread wakes the loop when a commit ends. */
  struct gh_frontier_opts fo = { .cycle = c->cycle, .run_id = c->run_id, .refetch = o->refetch,
                                 .wake = gh_events_wake, .wake_ud = c->ev };
  c->fr = gh_frontier_new(st, &fo);
  c->render = gh_render_new(c);
  if(begun) {
    sum->cycle = c->cycle;
    for(guint i = 0; i < o->seeds->len; i++)
      add_seed(c, o->seeds->pdata[i], o->force);
    if(flush(c)) /* else c->error says why, and the first turn ends it */
      load_hosts(c);
  } else {
    c->error = e;
  }
  return gc;
}

void
gh_crawl_reconfigure(struct gh_crawl *gc, const struct gh_config *cfg)
{
  struct crawl *c = &gc->c;
  c->cfg = cfg;
  c->host_rules = host_rules(cfg);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, c->hosts);
  while(g_hash_table_iter_next(&it, NULL, &v)) {
    struct gh_host *h = v;
    if(h->run_mark != c->run_id)
      continue; /* not in this run: crawl_host_get sets it up when it is */
    gh_host_rules_changed(h);
    /* A larger connection or page budget may let it start more now. */
    h->idle = false;
    crawl_host_mark(c, h);
  }
  /* A cycle_time_limit raised or lifted lets the crawl go on. */
  if(c->time_up && !cfg_limit_reached(c)) {
    c->time_up = false;
    c->sum->time_limited = false;
  }
}

void
gh_crawl_add_seeds(struct gh_crawl *gc, GPtrArray *seeds, bool force)
{
  struct crawl *c = &gc->c;
  for(guint i = 0; i < seeds->len; i++)
    add_seed(c, seeds->pdata[i], force);
}

bool
gh_crawl_turn(struct gh_crawl *gc, gint64 timeout_usec)
{
  struct crawl *c = &gc->c;
  const struct gh_crawl_opts *o = c->o;
  struct gh_crawl_summary *sum = c->sum;
  if(gc->over)
    return false;
  if(c->error || *o->stop) {
    sum->interrupted = !c->error;
    gc->over = true;
    return false;
  }
  gint64 soonest = crawl_fill(c);
  if(!maybe_flush(c, false)) {
    gc->over = true;
    return false;
  }
  bool idle = c->in_flight == 0 && gh_sandbox_pending(c->pool) == 0 && !gh_render_busy(c->render) &&
              crawl_hosts_drained(c);
  if(!c->time_up && cfg_limit_reached(c)) {
    c->time_up = true;
    sum->time_limited = true;
    gh_log(GH_LOG_WARNING, NULL,
           "[crawl] cycle_time_limit (%" G_GUINT64_FORMAT " s) reached: no new requests; what is "
           "queued waits for the next cycle",
           c->cfg->cycle_time_limit_seconds);
  }
  if(idle && (gh_frontier_gathered(c->fr) || gh_frontier_committing(c->fr))) {
    /* Pending writes may queue more work. */
    gc->over = !maybe_flush(c, true);
    return !gc->over;
  }
  if(idle) {
    gc->over = true;
    return false;
  }
  /* A batch due for commit; while the committer is busy, it wakes us. */
  if(gh_frontier_gathered(c->fr) && !gh_frontier_committing(c->fr))
    soonest = MIN(soonest, c->last_flush + FLUSH_EVERY);
  /* Sleep until a transfer has news or a host's delay ends (at most
   * half a second, so a stop request is seen promptly). */
  gint64 pool_deadline = gh_sandbox_deadline(c->pool);
  soonest = MIN(soonest, pool_deadline);
  struct pollfd pfds[256];
  unsigned nfd = gh_sandbox_pollfds(c->pool, pfds, G_N_ELEMENTS(pfds) - 2);
  /* The browser's pipe is one more descriptor of the loop. */
  unsigned rfd = gh_render_pollfds(c->render, pfds + nfd, 2);
  soonest = MIN(soonest, gh_render_deadline(c->render));
  /* The previous turn ran curl itself: an answer that arrived then is
   * waiting in curl's message queue, with no socket left to wake us. */
  if(gc->kicked)
    soonest = 0;
  gc->kicked = false;
  gh_events_wait(c->ev, pfds, nfd + rfd, soonest, CLAMP(timeout_usec, 0, USEC / 2));
  gh_sandbox_service(c->pool, pfds, nfd);
  gh_render_service(c->render, pfds + nfd, rfd);
  CURLMsg *m;
  int left;
  GPtrArray *answered = NULL;
  while((m = curl_multi_info_read(c->multi, &left))) {
    if(m->msg != CURLMSG_DONE)
      continue;
    struct xfer *x = NULL;
    curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
    CURLcode rc = m->data.result;
    curl_multi_remove_handle(c->multi, m->easy_handle);
    g_hash_table_remove(c->active, x);
    crawl_answer(c, x, rc);
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
    crawl_fill(c);
    gh_events_kick(c->ev);
    gc->kicked = true;
    for(guint i = 0; i < answered->len; i++) {
      struct xfer *x = answered->pdata[i];
      crawl_answer_fetched(c, x);
      g_hash_table_remove(x->host->busy, x->url);
      crawl_xfer_free(x);
    }
    g_ptr_array_free(answered, TRUE);
  }
  if(!maybe_flush(c, false)) {
    gc->over = true;
    return false;
  }
  if(o->progress || o->status || c->cfg->heartbeat_seconds)
    crawl_report_status(c, false);
  tick(c);
  return true;
}

bool
gh_crawl_free(struct gh_crawl *gc, GError **err)
{
  struct crawl *c = &gc->c;
  const struct gh_crawl_opts *o = c->o;
  struct gh_crawl_summary *sum = c->sum;
  if(!gc->over) /* ended by its caller between two turns */
    sum->interrupted = true;
  /* Stopping: transfers in flight are abandoned; their queue entries stay,
   * so the next run fetches them. */
  GHashTableIter ai;
  gpointer ax;
  g_hash_table_iter_init(&ai, c->active);
  while(g_hash_table_iter_next(&ai, &ax, NULL)) {
    struct xfer *x = ax;
    g_hash_table_iter_remove(&ai);
    curl_multi_remove_handle(c->multi, x->easy);
    crawl_xfer_free(x);
  }
  /* Documents still in the workers are abandoned the same way. */
  gh_sandbox_free(c->pool); /* reaps every worker: their CPU is counted below */
  c->pool = NULL;
  g_hash_table_remove_all(c->processing);
  gh_render_free(c->render); /* pages it had are still queued: the next run renders them */
  c->render = NULL;
  flush(c);
  sum->cpu_seconds = cpu_seconds(RUSAGE_SELF) - gc->cpu0; /* the committer's included */
  sum->worker_cpu_seconds = cpu_seconds(RUSAGE_CHILDREN) - gc->wcpu0;
  sum->queued_left = gh_frontier_queued(c->st);
  if(!c->error && !sum->interrupted && sum->queued_left == 0)
    gh_frontier_end_cycle(c->st, c->cycle, NULL);
  if(o->progress || o->status || c->cfg->heartbeat_seconds)
    crawl_report_status(c, true);
  if(o->progress)
    fputc('\n', stderr);
  sum->seconds = (double)(g_get_monotonic_time() - c->started) / USEC;
  bool ok = true;
  if(c->error) {
    g_propagate_error(err, c->error);
    ok = false;
  }
  gh_events_free(c->ev);
  curl_multi_cleanup(c->multi);
  curl_slist_free_all(c->resolve);
  curl_slist_free_all(c->connect_to);
  gh_frontier_free(c->fr);
  g_hash_table_destroy(c->active);
  g_sequence_free(c->timers);
  g_queue_clear(&c->dirty);
  g_hash_table_destroy(c->processing);
  g_hash_table_destroy(c->deferred);
  g_hash_table_destroy(c->costly);
  g_clear_pointer(&c->page_sets, g_hash_table_destroy);
  g_hash_table_destroy(c->run_seeds);
  if(c->forced)
    g_hash_table_destroy(c->forced);
  g_hash_table_destroy(c->qcount);
  g_ptr_array_free(c->run_hosts, TRUE);
  if(o->hosts) { /* kept for the next run: nothing of this one's loop */
    GHashTableIter hi;
    gpointer hv;
    g_hash_table_iter_init(&hi, c->hosts);
    while(g_hash_table_iter_next(&hi, NULL, &hv)) {
      struct gh_host *h = hv;
      h->sched_timer = NULL;
      h->sched_dirty = false;
      h->rules = NULL;
    }
  } else {
    g_hash_table_destroy(c->hosts);
  }
  g_hash_table_destroy(c->seed_hosts);
  g_free(gc);
  return ok;
}

bool
gh_crawl_run(struct gh_store *st, const struct gh_crawl_opts *o, struct gh_crawl_summary *sum,
             GError **err)
{
  struct gh_crawl *c = gh_crawl_new(st, o, sum);
  while(gh_crawl_turn(c, USEC / 2))
    ;
  return gh_crawl_free(c, err);
}

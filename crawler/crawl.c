/* The crawl loop's common ground: one libcurl multi handle over every
 * host, its hosts, URL states, scope and transfers; loop.c runs its turns
 * (gh_crawl_new, gh_crawl_turn, gh_crawl_free).
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
#include <stdio.h>
#include <string.h>

#include "../store/frontier.h"
#include "host.h"
#include "log.h"
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
  h->drain_kind = GH_FAIL_NONE;
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
 * kind's stored name (counted) and reason, written in the batch that
 * removes its queue entry on `host`, and logged. */
static void
finish(struct crawl *c, const char *url, const char *host, struct gh_urlstate *s,
       enum gh_url_state state, enum gh_fail f, const char *reason)
{
  char buf[GH_FAIL_NAME_MAX];
  long code = (s->has & GH_US_HTTP_STATUS) ? (long)s->http_status : 0;
  const char *name = f != GH_FAIL_NONE ? gh_fail_name_code(f, code, buf) : NULL;
  gh_urlstate_set_state(s, state);
  gh_urlstate_set(&s->error, name);
  if(name)
    crawl_count(c->sum->errors, name);
  gh_urlstate_set(&s->reason, reason);
  gh_frontier_finish(c->fr, url, host, s);
  if(s->extra && json_object_get(s->extra, "page_of"))
    crawl_pages_settled(c, url, s, state, reason);
  if(name)
    gh_log(GH_LOG_INFO, &(struct gh_log_fields){ .url = url, .status = name },
           "%s: %s%s%s", url, name, reason ? ": " : "", reason ? reason : "");
  else if(c->cfg->log_level >= GH_LOG_DEBUG)
    gh_log(GH_LOG_DEBUG, &(struct gh_log_fields){ .url = url }, "%s: queued -> %s", url,
           gh_url_state_name(state));
}

void
crawl_finish(struct crawl *c, const char *url, const char *host, struct gh_urlstate *s,
             enum gh_url_state state, const char *reason)
{
  finish(c, url, host, s, state, GH_FAIL_NONE, reason);
}

void
crawl_finish_xfer(struct crawl *c, struct xfer *x, enum gh_url_state state, const char *reason)
{
  finish(c, x->url, x->host->name, x->state, state, GH_FAIL_NONE, reason);
}

void
crawl_fail(struct crawl *c, const char *url, const char *host, struct gh_urlstate *s,
           enum gh_fail f, const char *reason)
{
  finish(c, url, host, s, gh_fail_info(f)->status, f, reason);
}

void
crawl_fail_xfer(struct crawl *c, struct xfer *x, enum gh_fail f, const char *reason)
{
  crawl_fail(c, x->url, x->host->name, x->state, f, reason);
}

void
crawl_count_fail(struct crawl *c, enum gh_fail f)
{
  crawl_count(c->sum->errors, gh_fail_name(f));
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
    gh_urlstate_set_state(s, gh_fail_info(GH_FAIL_URL_TOO_LONG)->status);
    gh_urlstate_set(&s->error, gh_fail_name(GH_FAIL_URL_TOO_LONG));
    gh_urlstate_set(&s->reason, why);
    crawl_count_fail(c, GH_FAIL_URL_TOO_LONG);
    gh_log(GH_LOG_INFO,
           &(struct gh_log_fields){ .url = referer, .status = gh_fail_name(GH_FAIL_URL_TOO_LONG) },
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
  gh_frontier_enqueue(c->fr, url, url_host ? url_host : host, s, crawl_seed_forced(c, seed));
  g_free(host);
  return s;
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

/* ---- seeds ---- */

bool
crawl_seed_forced(struct crawl *c, const char *seed)
{
  return seed && c->forced && g_hash_table_contains(c->forced, seed);
}

/* What an answer means: one function per outcome of a transfer (robots.txt,
 * a network error, a redirect, not modified, throttled, an HTTP error, a
 * page or document), each giving the URL its next state and the host its
 * next wait.  Called by the loop (crawl.c) when libcurl says a transfer
 * ended. */
#include <string.h>

#include "crawl_int.h"
#include "render.h"
#include "url.h"

static void
finish_host(struct crawl *c, struct xfer *x, double extra_wait)
{
  /* Not finished and not on its way to a worker: still queued, so the
   * next pick must be able to see it again. */
  bool has_qseq = x->state && (x->state->has & GH_US_QSEQ);
  bool requeued = has_qseq && !x->fetched && !gh_frontier_is_finished(c->fr, x->url);
  gh_host_answered(x->host, x->url, g_get_monotonic_time(), extra_wait,
                   requeued ? (guint64)x->state->qseq : G_MAXUINT64);
  c->in_flight--;
  crawl_host_mark(c, x->host);
}

/* A network failure on the host: counted; once its failure budget is
 * spent ([crawl] host_failures) it gets no more requests this cycle.
 * Nothing is lost: its URLs stay queued, the host is named in the summary
 * and, through the hosts database, in stats.  Returns the backoff. */
void
crawl_host_set_aside(struct crawl *c, struct gh_host *h)
{
  g_hash_table_replace(c->sum->unhealthy, g_strdup(h->name), g_strdup(h->unhealthy));
  gh_log(GH_LOG_WARNING, NULL, "%s: %s; its queued URLs wait for the next cycle", h->name,
         h->unhealthy);
  json_t *hs = json_pack("{s:I, s:s, s:I}", "cycle", (json_int_t)c->cycle, "unhealthy", h->unhealthy,
                         "unhealthy_cycle", (json_int_t)c->cycle);
  gh_frontier_put_host(c->fr, h->name, hs);
}

static double
host_failed(struct crawl *c, struct gh_host *h, enum gh_fail kind, const char *reason)
{
  bool set_aside;
  double backoff = gh_host_failed(h, kind, reason, &set_aside);
  if(set_aside)
    crawl_host_set_aside(c, h);
  return backoff;
}

/* Put the URL back for a later attempt, or give up after the retry cap. */
static void
retry_later(struct crawl *c, struct xfer *x, enum gh_fail kind, const char *reason,
            double *wait)
{
  gint64 attempts = ((x->state->has & GH_US_ATTEMPTS) ? x->state->attempts : 0) + 1;
  gh_urlstate_set_num(x->state, attempts, GH_US_ATTEMPTS, attempts);
  if((guint64)attempts > c->cfg->retries) {
    crawl_fail_xfer(c, x, kind, reason);
    host_failed(c, x->host, kind, reason);
    return;
  }
  /* Exponential backoff on the host (host.c). */
  double backoff = host_failed(c, x->host, kind, reason);
  if(*wait < backoff)
    *wait = backoff;
  gh_urlstate_set(&x->state->error, gh_fail_name(kind));
  gh_urlstate_set(&x->state->reason, reason);
  gh_frontier_set(c->fr, x->url, x->state); /* still queued */
  crawl_log(c, GH_LOG_INFO, x->url, "%s: %s (%s), retry %d in %.0f s", x->url, gh_fail_name(kind),
            reason, (int)attempts, *wait);
}

/* Unchanged listing page: queue again what it linked last time. */
static void
requeue_links(struct crawl *c, struct xfer *x)
{
  const struct gh_urlstate *s = x->state;
  for(guint i = 0; s->out && i < s->out->len; i++) {
    const struct gh_url_link *l = &g_array_index(s->out, struct gh_url_link, i);
    enum gh_link_kind k;
    if(!l->url || !gh_link_kind_from_name(l->kind, &k))
      continue;
    crawl_enqueue(c, l->url, NULL, k, (int)l->depth, s->seed, s->region, l->text, x->url);
  }
}

/* A redirect becomes a new queued URL of the same kind, so the target's
 * host gets its robots.txt check and its delay.  The chain travels in the
 * state to catch loops and over-long chains. */
static void
follow_redirect(struct crawl *c, struct xfer *x, long code, const char *target)
{
  char *to = target ? gh_url_resolve(x->url, target) : NULL;
  struct gh_urlstate *s = x->state;
  GPtrArray *chain = g_ptr_array_new_with_free_func(g_free);
  for(guint i = 0; s->redirect_chain && i < s->redirect_chain->len; i++)
    g_ptr_array_add(chain, g_strdup(s->redirect_chain->pdata[i]));
  g_ptr_array_add(chain, g_strdup(x->url));
  bool loop = false;
  for(guint i = 0; to && i < chain->len; i++)
    loop |= !strcmp(chain->pdata[i], to);
  enum gh_link_kind kind = GH_LINK_LIST;
  gh_link_kind_from_name(s->kind, &kind);
  const char *seed = s->seed;
  char *why = NULL, *to_host = NULL;
  if(!to) {
    why = g_strdup_printf("HTTP %ld without a usable Location", code);
    crawl_fail_xfer(c, x, GH_FAIL_BAD_REDIRECT, why);
  } else if(loop || chain->len > c->cfg->max_redirects) {
    why = g_strdup_printf("%s after %u redirects (to %s)", loop ? "redirect loop" : "too many redirects",
                          chain->len, to);
    crawl_fail_xfer(c, x, GH_FAIL_REDIRECT_LOOP, why);
  } else if(!crawl_in_scope(c, seed, to, kind == GH_LINK_REPORT ? GH_LINK_ATTACHMENT : kind,
                            &to_host)) {
    why = g_strdup_printf("redirected off the seed's site to %s", to);
    crawl_fail_xfer(c, x, GH_FAIL_OFF_SCOPE, why);
  } else {
    gh_urlstate_set(&s->redirect_to, to);
    crawl_finish_xfer(c, x, GH_URL_REDIRECTED, NULL);
    struct gh_urlstate *ns = crawl_enqueue(c, to, to_host, kind, (int)s->depth, seed, s->region,
                                           s->text, s->referer);
    if(ns) {
      if(ns->redirect_chain)
        g_ptr_array_unref(ns->redirect_chain);
      ns->redirect_chain = g_steal_pointer(&chain);
    }
  }
  if(chain)
    g_ptr_array_unref(chain);
  g_free(why);
  g_free(to_host);
  g_free(to);
}

/* A 2xx answer: validators and hash noted, then links and/or a record,
 * or nothing when the page is unchanged and has nothing to offer. */
void
crawl_answer_fetched(struct crawl *c, struct xfer *x)
{
  enum gh_link_kind kind = x->kind;
  char *sha = gh_sha256_hex(x->in.body->str, x->in.body->len);
  bool unchanged = x->state->sha256 && !strcmp(x->state->sha256, sha);
  enum gh_format fmt = gh_sniff(x->in.body->str, x->in.body->len);
  bool page = kind == GH_LINK_SEED || kind == GH_LINK_SECTION || kind == GH_LINK_COLUMN ||
              kind == GH_LINK_LIST;
  if(x->hd.etag)
    gh_urlstate_set(&x->state->etag, x->hd.etag);
  if(x->hd.last_modified)
    gh_urlstate_set(&x->state->last_modified, x->hd.last_modified);
  gh_urlstate_set(&x->state->sha256, sha);
  char *iso = crawl_now_iso();
  gh_urlstate_set(&x->state->fetched_at, iso);
  g_free(iso);
  /* List answers come as HTML, or as XML/JSON text (dataproxy.jsp).
   * A seed may itself be a report page (the survey lists some); a
   * "column" link may be a file all along; report pages are read for
   * their record and their attachments. */
  bool markup = fmt == GH_FMT_HTML || fmt == GH_FMT_TEXT;
  bool discover = (page && markup) || (kind == GH_LINK_REPORT && fmt == GH_FMT_HTML);
  /* An unchanged body is extracted again when its last extraction gave
   * nothing final (none stored, or extract_failed) or --refetch asks. */
  const char *rs = x->state->record_status;
  bool redo = c->o->refetch || !rs || !*rs ||
              !strcmp(rs, gh_status_name(GH_STATUS_EXTRACT_FAILED));
  bool extract =
    (!unchanged || redo) && (!page || (page && !markup && kind != GH_LINK_SEED) ||
                   (kind == GH_LINK_SEED && markup &&
                    memmem(x->in.body->str, x->in.body->len, "本年新收", 12)));
  if(discover || extract)
    crawl_job_start(c, x, sha, fmt, discover, extract);
  else
    crawl_finish_xfer(c, x, GH_URL_DONE, NULL);
  g_free(sha);
}

/* ---- one function per outcome; each returns the host's extra wait ---- */

/* robots.txt answered (or not): the host's rules from now on. */
static void
on_robots(struct crawl *c, struct xfer *x, CURLcode rc, long code, curl_off_t retry_after)
{
  struct gh_host *h = x->host;
  if(x->in.too_large && code >= 200 && code < 300)
    rc = CURLE_OK; /* parse the first 500 KiB */
  long status = rc == CURLE_OK ? code : 0;
  if(rc == CURLE_COULDNT_CONNECT && x->guard.refused) {
    char *why = g_strdup_printf("%s resolves to the private address %s ([crawl] allow_private "
                                "lists hosts allowed to)", h->name, x->guard.addr);
    gh_host_robots_unavailable(h, false, 0, GH_FAIL_PRIVATE_ADDRESS, why);
    g_free(why);
    finish_host(c, x, 0);
    gh_log(GH_LOG_WARNING, NULL, "%s", h->drain);
    return;
  }
  if(rc != CURLE_OK || status >= 500 || status == 429) {
    /* A 5xx or 429 is throttling; a network failure may pass too. */
    enum gh_fail kind = rc == CURLE_OK ? GH_FAIL_ROBOTS_UNREACHABLE : gh_fetch_fail(rc);
    bool transient = rc == CURLE_OK || gh_fail_retryable(kind);
    char *why = g_strdup_printf("robots.txt unreachable (%s)",
                                rc ? curl_easy_strerror(rc) : "server error");
    double wait = gh_host_robots_unavailable(h, transient, retry_after > 0 ? (double)retry_after : 0,
                                             kind, why);
    g_free(why);
    if(wait >= 0) {
      finish_host(c, x, wait);
      crawl_log(c, GH_LOG_INFO, x->url, "%s: robots.txt unavailable (%s), retry in %.0f s", h->name,
                rc ? curl_easy_strerror(rc) : "server error", wait);
      return;
    }
    /* Given up (RFC 9309 §2.3.1.4: unreachable means complete disallow):
     * the host drains, and its robots state is kept. */
    status = 503;
  } else {
    gh_host_set_robots(h, status, x->in.body->str, x->in.body->len);
  }
  crawl_host_save(c, h, status, status >= 200 && status < 300 ? x->in.body->str : "");
  h->robots_loading = false;
  finish_host(c, x, 0);
}

/* No whole answer: a network failure is retried later, the rest fail. */
static double
on_error(struct crawl *c, struct xfer *x, CURLcode rc)
{
  double wait = 0;
  bool refused = rc == CURLE_COULDNT_CONNECT && x->guard.refused;
  enum gh_fail kind = x->in.too_large ? GH_FAIL_TOO_LARGE
                      : refused       ? GH_FAIL_PRIVATE_ADDRESS
                                      : gh_fetch_fail(rc);
  char *reason = x->in.too_large
                   ? g_strdup_printf("body over the %zu-byte limit (transfer aborted)", x->in.cap)
                 : refused ? g_strdup_printf("the host resolves to the private address %s "
                                             "([crawl] allow_private lists hosts allowed to)",
                                             x->guard.addr)
                 : rc == CURLE_OUT_OF_MEMORY
                   ? g_strdup("the answer's headers are too large (over libcurl's 100 KiB)")
                   : g_strdup(curl_easy_strerror(rc));
  if(gh_fail_retryable(kind))
    retry_later(c, x, kind, reason, &wait);
  else
    crawl_fail_xfer(c, x, kind, reason);
  g_free(reason);
  return wait;
}

static double
on_redirect(struct crawl *c, struct xfer *x, long code)
{
  char *target = NULL;
  curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &target);
  follow_redirect(c, x, code, target);
  return 0;
}

/* 304: the page is as it was; what it linked last time is queued again. */
static double
on_not_modified(struct crawl *c, struct xfer *x)
{
  c->sum->not_modified++;
  requeue_links(c, x);
  crawl_finish_xfer(c, x, GH_URL_DONE, NULL);
  return 0;
}

/* 429, or a 5xx: later, after the Retry-After or a backoff; a Retry-After
 * past the limit waits for the next cycle. */
static double
on_throttled(struct crawl *c, struct xfer *x, long code, curl_off_t retry_after)
{
  double wait = 0;
  enum gh_fail kind = code == 429 ? GH_FAIL_HTTP_429 : GH_FAIL_HTTP_5XX;
  char *why = g_strdup_printf("HTTP %ld", code);
  if((code == 429 || code == 503) && retry_after > 0 &&
     (double)retry_after > c->cfg->max_retry_after_seconds) {
    char *r = g_strdup_printf("HTTP %ld with Retry-After %" CURL_FORMAT_CURL_OFF_T
                              " s (over the %.0f s limit; next cycle)",
                              code, retry_after, c->cfg->max_retry_after_seconds);
    crawl_fail_xfer(c, x, kind, r);
    g_free(r);
  } else {
    if((code == 429 || code == 503) && retry_after > 0)
      wait = (double)retry_after;
    retry_later(c, x, kind, why, &wait);
  }
  g_free(why);
  return wait;
}

static double
on_http_error(struct crawl *c, struct xfer *x, long code)
{
  char *why = g_strdup_printf("HTTP %ld", code);
  /* Named by the status the state records (crawl_answer set it). */
  crawl_fail_xfer(c, x, GH_FAIL_HTTP_STATUS, why);
  g_free(why);
  return 0;
}

/* A 2xx: left marked `fetched` for crawl_answer_fetched to hand to a
 * worker after the loop has started the next requests. */
static double
on_ok(struct xfer *x, enum gh_link_kind kind, const char *ctype)
{
  x->fetched = true;
  x->kind = kind;
  x->ctype = ctype;
  return 0;
}

void
crawl_answer(struct crawl *c, struct xfer *x, CURLcode rc)
{
  long code = 0;
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
  char *ctype = NULL;
  curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
  curl_off_t retry_after = 0;
  curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &retry_after);
  struct gh_host *h = x->host;
  if(code > 0) {
    c->sum->fetched++;
    c->sum->bytes += x->in.body->len;
  }
  if(x->robots) {
    on_robots(c, x, rc, code, retry_after);
    return;
  }
  /* Time lost to a failed transfer, against the host's budget for the
   * cycle: drips that alternate with fast 404s cannot dodge it. */
  if(rc != CURLE_OK || code == 429 || code >= 500) {
    curl_off_t us = 0;
    curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us);
    enum gh_fail kind = rc != CURLE_OK ? (x->in.too_large ? GH_FAIL_TOO_LARGE : gh_fetch_fail(rc))
                        : code == 429 ? GH_FAIL_HTTP_429
                                      : GH_FAIL_HTTP_5XX;
    char *why = rc != CURLE_OK ? g_strdup(curl_easy_strerror(rc)) : g_strdup_printf("HTTP %ld", code);
    if(gh_host_charge(h, (double)us / USEC, kind, why))
      crawl_host_set_aside(c, h);
    g_free(why);
  }
  if(x->rf) {
    /* A rendered page's request: its answer is the page's (render.c); the
     * host's politeness is the same as for any request. */
    if(rc == CURLE_OK)
      gh_host_succeeded(h);
    h->pages++;
    crawl_render_answered(c, x, rc, code);
    finish_host(c, x, 0);
    return;
  }
  if(rc != CURLE_OK) {
    finish_host(c, x, on_error(c, x, rc));
    return;
  }
  gh_host_succeeded(h);
  enum gh_link_kind kind = GH_LINK_SEED;
  gh_link_kind_from_name(x->state->kind, &kind);
  gh_urlstate_set_num(x->state, http_status, GH_US_HTTP_STATUS, code);
  /* Attempts count within a cycle; an answer that is not a retry ends them. */
  if(code != 429 && code < 500) {
    x->state->has &= ~(guint32)GH_US_ATTEMPTS;
    x->state->attempts = 0;
  }
  const char *blocked = gh_detect_blocked(code, x->in.body->str, x->in.body->len);
  double wait;
  if(blocked) {
    crawl_fail_xfer(c, x, GH_FAIL_BLOCKED, blocked);
    wait = 0;
  } else if(code >= 300 && code < 400 && code != 304) {
    wait = on_redirect(c, x, code);
  } else if(code == 304) {
    wait = on_not_modified(c, x);
  } else if(code == 429 || code >= 500) {
    wait = on_throttled(c, x, code, retry_after);
  } else if(code < 200 || code >= 300) {
    wait = on_http_error(c, x, code);
  } else {
    wait = on_ok(x, kind, ctype);
  }
  h->pages++;
  finish_host(c, x, wait);
  /* The connection is free, but the URL stays busy until
   * crawl_answer_fetched has run: its queue entry is still there and must
   * not be picked again. */
  if(x->fetched)
    g_hash_table_add(h->busy, g_strdup(x->url));
}

/* The rendering fallback: pages in headless Chromium, every request they
 * make answered by the crawl (render.h, docs/render.md).
 *
 * One browser per crawl, started when the first page needs it and again
 * after it died.  Each host has its own browser context (cookies, cache),
 * disposed of when its last queued render ends; a host renders one page
 * at a time (as it is fetched one request at a time), [render] parallel
 * hosts at once.  A page goes:
 *
 *   queued -> context -> target -> attached -> Fetch/Page enabled ->
 *   navigating -> settled (no request in flight, a quiet period) ->
 *   snapshot (to discovery) -> click the pager -> settled -> snapshot …
 *   -> closed
 *
 * Each step is a command whose reply (tagged with the page's id) moves it
 * on.  The caps end a page wherever it is: [render] seconds, clicks,
 * requests, and the browser's memory (the whole process group's RSS;
 * past it the browser is killed and restarted for the next page).
 *
 * Why one long file: a render is one state machine.  The browser's
 * replies, its events (paused requests, load, crash), the crawl's answers
 * to paused requests and the timers all move the same page and read the
 * same browser, context and fetch-queue state; split apart, each part would
 * need the others' insides.  The protocol pipe (cdp.c) and the page script
 * (render.js) are apart already. */
#include "render.h"

#include <string.h>

#include "../extract/extract.h"
#include "cdp.h"
#include "render_js.h"
#include "url.h"

/* No request in flight for this long after the last one: settled. */
#define QUIET (USEC * 6 / 10)
#define WATCH_EVERY USEC
/* Past [render] seconds a page that still answers is read once more (a
 * storm of requests that never settles still shows its list): this long. */
#define LAST_READ (2 * USEC)
/* A browser idle this long is stopped. */
#define IDLE_STOP (30 * USEC)
/* A browser that fails to start this often in a row is given up on for
 * the crawl: its pages are named as wanting rendering. */
#define MAX_START_FAILURES 3

enum phase { P_QUEUED, P_CONTEXT, P_TARGET, P_ATTACH, P_SETUP, P_NAVIGATE, P_SETTLE, P_SNAP,
             P_CLICK, P_CLOSING };
/* The step a reply answers (a command's tag is the page's id). */
enum step { S_CONTEXT = 1, S_TARGET, S_ATTACH, S_FETCH, S_NAVIGATE, S_SNAP, S_CLICK, S_IGNORE };

struct render_page {
  guint64 id;
  struct gh_render *r;
  char *url, *host, *ctype;
  GBytes *body;
  struct gh_urlstate *state; /* the page's, finished when the render ends */
  enum gh_link_kind kind;
  enum phase phase;
  char *target, *session;
  gint64 started, deadline, last_activity;
  bool loaded, doc_served;
  bool tabs;        /* the pager is done: clicking tabs and tree nodes */
  bool final;       /* past [render] seconds: one last reading, then the end */
  unsigned tab;     /* the next tab to click */
  unsigned inflight, requests, refused, clicks, snaps, parts;
  char *sig;
  enum gh_fail fail_kind; /* not GH_FAIL_NONE: the render ended early, */
  char *fail_reason;      /* for this reason */
  json_t *log; /* probe --render: {url, requests, clicks, links, result} */
};

struct render_fetch {
  guint64 page_id;
  char *request_id;
  char *url, *method, *content_type, *referer, *requested_with, *accept;
  GBytes *post; /* NULL: no body */
  bool document;
  json_t *log;  /* probe --render: its entry in the page's requests (borrowed) */
};

struct host_ctx {
  char *id;        /* the browserContextId, NULL until created */
  unsigned pages;  /* queued and running renders of the host */
  bool active;     /* one of them is running */
};

struct gh_render {
  struct crawl *c;
  struct gh_cdp *b;
  char *browser;
  bool gave_up, tried_sandbox, no_sandbox, jitless, confirmed;
  unsigned start_failures;
  guint64 next_id;
  GHashTable *pages;      /* id -> struct render_page * (owned) */
  GQueue waiting;         /* struct render_page * not started */
  GHashTable *by_session; /* sessionId -> struct render_page * */
  GHashTable *ctxs;       /* host -> struct host_ctx * */
  GHashTable *fetches;    /* host -> GQueue of struct render_fetch * */
  GHashTable *renders;    /* host -> renders started this cycle */
  GHashTable *parts;      /* page jobs in the pool (crawl_job_discover) */
  unsigned running;
  gint64 next_watch;
  bool dead;          /* the browser is gone (gh_cdp_service said so) */
  gint64 idle_since;  /* no page to render since then (0: busy) */
};

/* ---- small pieces ---- */

void
crawl_render_fetch_free(struct render_fetch *f)
{
  if(!f)
    return;
  g_free(f->request_id);
  g_free(f->url);
  g_free(f->method);
  g_free(f->content_type);
  g_free(f->referer);
  g_free(f->requested_with);
  g_free(f->accept);
  if(f->post)
    g_bytes_unref(f->post);
  g_free(f);
}

static void
fetch_queue_free(void *q)
{
  g_queue_free_full(q, (GDestroyNotify)crawl_render_fetch_free);
}

static void
ctx_free(void *p)
{
  struct host_ctx *x = p;
  g_free(x->id);
  g_free(x);
}

static void
page_free(void *p)
{
  struct render_page *pg = p;
  g_free(pg->url);
  g_free(pg->host);
  g_free(pg->ctype);
  if(pg->body)
    g_bytes_unref(pg->body);
  gh_urlstate_free(pg->state);
  g_free(pg->target);
  g_free(pg->session);
  g_free(pg->sig);
  g_free(pg->fail_reason);
  json_decref(pg->log);
  g_free(pg);
}

static void on_event(void *ud, const char *method, json_t *params, const char *session);
static void on_reply(void *ud, guint64 tag, int step, json_t *result, json_t *error);

struct gh_render *
gh_render_new(struct crawl *c)
{
  const struct gh_config *cfg = c->cfg;
  /* A configuration built in code (tests) rather than loaded has no
   * [render] at all: no browser. */
  const char *en = cfg->render_enabled;
  if(!en || !strcmp(en, "no"))
    return NULL;
  struct gh_render *r = g_new0(struct gh_render, 1);
  r->c = c;
  r->browser = gh_cdp_find_browser(cfg->render_browser);
  if(!r->browser) {
    r->gave_up = true;
    gh_log(!strcmp(en, "yes") ? GH_LOG_WARNING : GH_LOG_INFO, NULL,
           "render: no browser found (%s); pages whose lists scripts build are named, not "
           "rendered",
           cfg->render_browser ? cfg->render_browser : "chromium");
  }
  r->next_id = 1;
  r->pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, page_free);
  g_queue_init(&r->waiting);
  r->by_session = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  r->ctxs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, ctx_free);
  r->fetches = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, fetch_queue_free);
  r->renders = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  r->parts = g_hash_table_new(NULL, NULL);
  /* Without a user namespace or setuid helper (as root, or in a unit that
   * restricts namespaces) the browser's sandbox cannot start. */
  r->no_sandbox = geteuid() == 0;
  r->jitless = gh_cdp_wx_denied();
  return r;
}

void
gh_render_free(struct gh_render *r)
{
  if(!r)
    return;
  gh_cdp_free(r->b);
  /* The pool is gone: its jobs' callbacks never ran. */
  GHashTableIter pi;
  gpointer job;
  g_hash_table_iter_init(&pi, r->parts);
  while(g_hash_table_iter_next(&pi, &job, NULL)) {
    ((struct page_job *)job)->state = NULL; /* its page's */
    crawl_job_free(job);
  }
  g_hash_table_destroy(r->parts);
  g_hash_table_destroy(r->by_session);
  g_queue_clear(&r->waiting);
  g_hash_table_destroy(r->pages);
  g_hash_table_destroy(r->ctxs);
  g_hash_table_destroy(r->fetches);
  g_hash_table_destroy(r->renders);
  g_free(r->browser);
  g_free(r);
}

bool
gh_render_busy(const struct gh_render *r)
{
  return r && g_hash_table_size(r->pages) > 0;
}

/* ---- the browser ---- */

static bool
browser_up(struct gh_render *r)
{
  if(r->b && gh_cdp_alive(r->b))
    return true;
  if(r->b) {
    gh_cdp_free(r->b);
    r->b = NULL;
    g_hash_table_remove_all(r->by_session);
    /* Contexts died with the browser. */
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, r->ctxs);
    while(g_hash_table_iter_next(&it, NULL, &v))
      g_clear_pointer(&((struct host_ctx *)v)->id, g_free);
  }
  if(r->gave_up)
    return false;
  const struct gh_config *cfg = r->c->cfg;
  struct gh_cdp_opts o = { .browser = r->browser,
                           .js_heap_bytes = cfg->render_memory_bytes / 2,
                           .no_sandbox = r->no_sandbox,
                           .jitless = r->jitless };
  GError *e = NULL;
  r->b = gh_cdp_start(&o, on_event, on_reply, r, &e);
  if(!r->b) {
    gh_log(GH_LOG_WARNING, NULL, "render: %s cannot start: %s", r->browser, e->message);
    g_error_free(e);
    r->gave_up = ++r->start_failures >= MAX_START_FAILURES;
    return false;
  }
  r->confirmed = false;
  r->dead = false;
  /* A link that starts a download is a link, not a file for the browser. */
  gh_cdp_send(r->b, NULL, "Browser.setDownloadBehavior", json_pack("{s:s}", "behavior", "deny"), 0,
              S_IGNORE);
  /* The first reply says the browser runs (and its sandbox with it). */
  gh_cdp_send(r->b, NULL, "Target.setDiscoverTargets", json_pack("{s:b}", "discover", 1), 0,
              S_IGNORE);
  gh_log(GH_LOG_INFO, NULL, "render: started %s (pid %d%s%s)", r->browser, (int)gh_cdp_pid(r->b),
         r->no_sandbox ? ", no sandbox" : "", r->jitless ? ", jitless" : "");
  return true;
}

static void
send_page(struct gh_render *r, struct render_page *pg, const char *method, json_t *params,
          enum step step)
{
  gh_cdp_send(r->b, pg->session, method, params, pg->id, step);
}

/* ---- a page's end ---- */

static struct host_ctx *
ctx_get(struct gh_render *r, const char *host)
{
  struct host_ctx *x = g_hash_table_lookup(r->ctxs, host);
  if(!x) {
    x = g_new0(struct host_ctx, 1);
    g_hash_table_insert(r->ctxs, g_strdup(host), x);
  }
  return x;
}

/* The page leaves the browser; once discovery has read what it gave, its
 * URL is finished. */
static void
page_complete(struct gh_render *r, struct render_page *pg)
{
  struct crawl *c = r->c;
  if(pg->fail_kind != GH_FAIL_NONE) {
    c->sum->render_failed++;
    crawl_log(c, GH_LOG_WARNING, pg->url, "render of %s: %s", pg->url, pg->fail_reason);
  } else {
    c->sum->rendered++;
    crawl_log(c, GH_LOG_INFO, pg->url, "rendered %s: %u requests (%u refused over the cap), %u clicks",
              pg->url, pg->requests, pg->refused, pg->clicks);
  }
  if(pg->log) {
    json_object_set_new(pg->log, "result", json_string(pg->fail_reason ? pg->fail_reason : "rendered"));
    json_array_append(c->sum->render_log, pg->log);
  }
  struct gh_host *h = g_hash_table_lookup(c->hosts, pg->host);
  if(h) {
    g_hash_table_remove(h->busy, pg->url);
    crawl_host_mark(c, h);
  }
  crawl_fail(c, pg->url, pg->host, pg->state, pg->fail_kind, pg->fail_reason);
  g_hash_table_remove(r->pages, &pg->id);
}

/* Ends the render where it is (`kind` NULL: it ran its course). */
static void
page_end(struct gh_render *r, struct render_page *pg, enum gh_fail kind, const char *reason)
{
  if(pg->phase == P_CLOSING)
    return;
  if(kind != GH_FAIL_NONE && pg->fail_kind == GH_FAIL_NONE) {
    pg->fail_kind = kind;
    pg->fail_reason = g_strdup(reason);
  }
  bool was_running = pg->phase != P_QUEUED;
  pg->phase = P_CLOSING;
  if(was_running) {
    r->running--;
    struct host_ctx *x = ctx_get(r, pg->host);
    x->active = false;
    if(--x->pages == 0) {
      if(x->id && gh_cdp_alive(r->b))
        gh_cdp_send(r->b, NULL, "Target.disposeBrowserContext",
                    json_pack("{s:s}", "browserContextId", x->id), 0, S_IGNORE);
      g_hash_table_remove(r->ctxs, pg->host);
    }
  }
  if(pg->target && r->b && gh_cdp_alive(r->b))
    gh_cdp_send(r->b, NULL, "Target.closeTarget", json_pack("{s:s}", "targetId", pg->target), 0,
                S_IGNORE);
  if(pg->session)
    g_hash_table_remove(r->by_session, pg->session);
  /* Paused requests not yet started are dropped with the page. */
  GQueue *q = g_hash_table_lookup(r->fetches, pg->host);
  for(GList *l = q ? q->head : NULL; l;) {
    GList *next = l->next;
    struct render_fetch *f = l->data;
    if(f->page_id == pg->id) {
      crawl_render_fetch_free(f);
      g_queue_delete_link(q, l);
    }
    l = next;
  }
  if(pg->parts == 0)
    page_complete(r, pg);
}

/* ---- offering a page ---- */

/* Whether the page has scripts or frames at all: without them a browser
 * would show what the static reading saw. */
static bool
has_scripts(GBytes *body)
{
  gsize len;
  const char *p = g_bytes_get_data(body, &len);
  static const char *const marks[] = { "<script", "<iframe", "<frame" };
  for(gsize i = 0; i + 7 <= len; i++) {
    if(p[i] != '<')
      continue;
    for(size_t k = 0; k < G_N_ELEMENTS(marks); k++) {
      size_t ml = strlen(marks[k]);
      if(i + ml <= len && !g_ascii_strncasecmp(p + i, marks[k], ml))
        return true;
    }
  }
  return false;
}

const char *
crawl_render_offer(struct crawl *c, struct page_job *j, bool found, bool *taken)
{
  *taken = false;
  bool page = j->kind == GH_LINK_SEED || j->kind == GH_LINK_SECTION ||
              j->kind == GH_LINK_COLUMN || j->kind == GH_LINK_LIST;
  bool forced = c->o->render_probe && j->kind == GH_LINK_SEED;
  if(found || !page || j->fmt != GH_FMT_HTML || !j->state || (!forced && !has_scripts(j->body)))
    return NULL;
  struct gh_render *r = c->render;
  if(!r || r->gave_up)
    return !r ? "a script builds its list; [render] enabled = no"
              : "a script builds its list; no browser to render it ([render] browser)";
  if(c->time_up)
    return "a script builds its list; [crawl] cycle_time_limit reached before rendering";
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(r->renders, j->host));
  if(n >= c->cfg->render_max_per_host)
    return "a script builds its list; over [render] max_renders_per_host this cycle";
  g_hash_table_insert(r->renders, g_strdup(j->host), GUINT_TO_POINTER(n + 1));
  struct render_page *pg = g_new0(struct render_page, 1);
  pg->id = r->next_id++;
  pg->r = r;
  pg->url = g_strdup(j->url);
  pg->host = g_strdup(j->host);
  pg->ctype = g_strdup(j->ctype);
  pg->body = g_bytes_ref(j->body);
  pg->state = g_steal_pointer(&j->state);
  /* A rendered page is fetched whole next cycle: its shell rarely
   * changes when its list does, and a 304 would skip the render. */
  gh_urlstate_set(&pg->state->etag, NULL);
  gh_urlstate_set(&pg->state->last_modified, NULL);
  pg->kind = j->kind;
  if(c->o->render_probe)
    pg->log = json_pack("{s:s, s:[], s:[], s:[]}", "url", pg->url, "requests", "clicks", "links");
  g_hash_table_insert(r->pages, &pg->id, pg);
  g_queue_push_tail(&r->waiting, pg);
  ctx_get(r, pg->host)->pages++;
  /* Its queue entry stays until the render ends: the host must not pick
   * it again meanwhile. */
  struct gh_host *h = crawl_host_get(c, pg->host);
  g_hash_table_add(h->busy, g_strdup(pg->url));
  *taken = true;
  crawl_log(c, GH_LOG_INFO, pg->url, "%s: no report link and no next page; rendering", pg->url);
  return NULL;
}

/* The browser died before it answered anything: the pages it was given
 * go back to waiting, for the next one. */
static void
requeue_running(struct gh_render *r)
{
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, r->pages);
  while(g_hash_table_iter_next(&it, NULL, &v)) {
    struct render_page *pg = v;
    if(pg->phase == P_QUEUED || pg->phase == P_CLOSING)
      continue;
    pg->phase = P_QUEUED;
    g_clear_pointer(&pg->target, g_free);
    g_clear_pointer(&pg->session, g_free);
    r->running--;
    ctx_get(r, pg->host)->active = false;
    g_queue_push_head(&r->waiting, pg);
  }
}

/* Starts waiting pages while slots are free: one per host at a time. */
static void
start_waiting(struct gh_render *r)
{
  unsigned parallel = (unsigned)MAX(r->c->cfg->render_parallel, 1);
  for(GList *l = r->waiting.head; l && r->running < parallel;) {
    GList *next = l->next;
    struct render_page *pg = l->data;
    struct host_ctx *x = ctx_get(r, pg->host);
    if(x->active) {
      l = next;
      continue;
    }
    if(!browser_up(r)) {
      if(!r->gave_up)
        return; /* the next service tries again */
      /* No browser for this crawl: every waiting page is named instead. */
      while((pg = g_queue_pop_head(&r->waiting))) {
        pg->fail_kind = GH_FAIL_WANTS_RENDER;
        pg->fail_reason = g_strdup("a script builds its list; the browser could not start");
        pg->phase = P_CLOSING;
        ctx_get(r, pg->host)->pages--;
        page_complete(r, pg);
      }
      return;
    }
    g_queue_delete_link(&r->waiting, l);
    x->active = true;
    r->running++;
    gint64 now = g_get_monotonic_time();
    pg->started = pg->last_activity = now;
    pg->deadline = now + (gint64)(r->c->cfg->render_seconds * USEC);
    if(x->id) {
      pg->phase = P_TARGET;
      gh_cdp_send(r->b, NULL, "Target.createTarget",
                  json_pack("{s:s, s:s}", "url", "about:blank", "browserContextId", x->id), pg->id,
                  S_TARGET);
    } else {
      pg->phase = P_CONTEXT;
      gh_cdp_send(r->b, NULL, "Target.createBrowserContext",
                  json_pack("{s:b}", "disposeOnDetach", 0), pg->id, S_CONTEXT);
    }
    l = next;
  }
}

/* ---- paused requests ---- */

static void
fail_request(struct gh_render *r, const char *session, const char *request_id, const char *reason)
{
  gh_cdp_send(r->b, session, "Fetch.failRequest",
              json_pack("{s:s, s:s}", "requestId", request_id, "errorReason", reason), 0,
              S_IGNORE);
}

static char *
header_get(json_t *headers, const char *name)
{
  const char *k;
  json_t *v;
  json_object_foreach(headers, k, v) {
    if(!g_ascii_strcasecmp(k, name) && json_is_string(v))
      return g_strdup(json_string_value(v));
  }
  return NULL;
}

/* The request's body: postDataEntries (base64 bytes) or the older
 * postData text. */
static GBytes *
post_body(json_t *req)
{
  json_t *entries = json_object_get(req, "postDataEntries");
  if(json_is_array(entries) && json_array_size(entries)) {
    GByteArray *b = g_byte_array_new();
    size_t i;
    json_t *e;
    json_array_foreach(entries, i, e) {
      const char *s = json_string_value(json_object_get(e, "bytes"));
      if(!s)
        continue;
      gsize n;
      guchar *d = g_base64_decode(s, &n);
      g_byte_array_append(b, d, (guint)n);
      g_free(d);
    }
    return g_byte_array_free_to_bytes(b);
  }
  const char *s = jstr(req, "postData");
  return s ? g_bytes_new(s, strlen(s)) : NULL;
}

/* probe --render: what became of one request of the page. */
static json_t *
log_request(struct render_page *pg, const char *method, const char *url, const char *type,
            const char *what)
{
  if(!pg->log)
    return NULL;
  json_t *e = json_pack("{s:s, s:s, s:s, s:s}", "method", method, "url", url, "type", type, "what",
                        what);
  json_array_append_new(json_object_get(pg->log, "requests"), e);
  return e;
}

static void
fulfill(struct gh_render *r, struct render_page *pg, const char *request_id, long code,
        const char *ctype, const char *location, const void *body, size_t len)
{
  json_t *hd = json_array();
  if(ctype)
    json_array_append_new(hd, json_pack("{s:s, s:s}", "name", "Content-Type", "value", ctype));
  if(location)
    json_array_append_new(hd, json_pack("{s:s, s:s}", "name", "Location", "value", location));
  gchar *b64 = g_base64_encode(body, len);
  send_page(r, pg, "Fetch.fulfillRequest",
            json_pack("{s:s, s:i, s:o, s:s}", "requestId", request_id, "responseCode", (int)code,
                      "responseHeaders", hd, "body", b64),
            S_IGNORE);
  g_free(b64);
}

static void
on_paused(struct gh_render *r, struct render_page *pg, json_t *p)
{
  struct crawl *c = r->c;
  const char *rid = jstr(p, "requestId");
  json_t *req = json_object_get(p, "request");
  const char *url = jstr(req, "url"), *method = jstr(req, "method");
  const char *type = jstr(p, "resourceType");
  if(!rid)
    return;
  if(!url || !method || !type || pg->phase == P_CLOSING) {
    fail_request(r, pg->session, rid, "Aborted");
    return;
  }
  /* Only what can carry a list: documents, scripts, XHR and fetch.
   * Stylesheets, images, fonts, media, beacons and sockets are refused
   * unfetched. */
  bool document = !strcmp(type, "Document");
  if(!document && strcmp(type, "XHR") && strcmp(type, "Fetch") && strcmp(type, "Script")) {
    log_request(pg, method, url, type, "refused unfetched (not a document, script or list)");
    fail_request(r, pg->session, rid, "BlockedByClient");
    return;
  }
  char *u = g_strdup(url);
  char *hash = strchr(u, '#');
  if(hash)
    *hash = '\0';
  /* The page itself: the crawl fetched it already. */
  if(document && !pg->doc_served && !strcmp(method, "GET") && !strcmp(u, pg->url)) {
    pg->doc_served = true;
    pg->last_activity = g_get_monotonic_time();
    gsize len;
    const void *d = g_bytes_get_data(pg->body, &len);
    fulfill(r, pg, rid, 200, pg->ctype ? pg->ctype : "text/html", NULL, d, len);
    log_request(pg, method, u, type, "the page itself, as the crawl fetched it");
    g_free(u);
    return;
  }
  char *host = NULL;
  bool http = g_str_has_prefix(u, "http://") || g_str_has_prefix(u, "https://");
  if(!http || !crawl_in_scope(c, pg->state->seed, u, GH_LINK_LIST, &host)) {
    crawl_log(c, GH_LOG_DEBUG, pg->url, "render of %s: %s %s refused (off the seed's site)",
              pg->url, method, u);
    log_request(pg, method, u, type, "refused (off the seed's site)");
    fail_request(r, pg->session, rid, "BlockedByClient");
    g_free(u);
    return;
  }
  if(strcmp(method, "GET") && strcmp(method, "POST")) {
    log_request(pg, method, u, type, "refused (not GET or POST)");
    fail_request(r, pg->session, rid, "BlockedByClient");
    g_free(u);
    g_free(host);
    return;
  }
  if(pg->requests >= c->cfg->render_max_requests) {
    log_request(pg, method, u, type, "refused (over [render] max_requests)");
    if(pg->refused++ == 0)
      crawl_log(c, GH_LOG_INFO, pg->url, "render of %s: over [render] max_requests (%" G_GUINT64_FORMAT
                "); the rest are refused", pg->url, c->cfg->render_max_requests);
    fail_request(r, pg->session, rid, "BlockedByClient");
    g_free(u);
    g_free(host);
    return;
  }
  /* Refused requests above do not hold the page unsettled: a storm of
   * them must not keep it from being read. */
  pg->last_activity = g_get_monotonic_time();
  pg->requests++;
  pg->inflight++;
  struct render_fetch *f = g_new0(struct render_fetch, 1);
  f->page_id = pg->id;
  f->request_id = g_strdup(rid);
  f->url = u;
  f->method = g_strdup(method);
  json_t *hd = json_object_get(req, "headers");
  f->content_type = header_get(hd, "Content-Type");
  f->referer = header_get(hd, "Referer");
  f->requested_with = header_get(hd, "X-Requested-With");
  f->accept = header_get(hd, "Accept");
  f->post = strcmp(method, "GET") ? post_body(req) : NULL;
  f->document = document;
  f->log = log_request(pg, method, u, type, "fetched by the crawler");
  GQueue *q = g_hash_table_lookup(r->fetches, host);
  if(!q) {
    q = g_queue_new();
    g_hash_table_insert(r->fetches, g_strdup(host), q);
  }
  g_queue_push_tail(q, f);
  struct gh_host *h = crawl_host_get(c, host);
  h->idle = false; /* its queue may be empty; this request is not */
  crawl_host_mark(c, h);
  g_free(host);
}

/* ---- the host's turn: the crawl's own request ---- */

static void
start_fetch(struct crawl *c, struct gh_host *h, struct render_fetch *f)
{
  const struct gh_config *cfg = c->cfg;
  struct xfer *x = crawl_xfer_new(c, h, f->url, NULL, cfg->max_document_bytes);
  x->rf = f;
  CURL *e = x->easy;
  /* The browser follows redirects itself: each hop is paused again. */
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->in.cap);
  if(f->post) {
    gsize len;
    const void *d = g_bytes_get_data(f->post, &len);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, len ? d : "");
  } else if(strcmp(f->method, "GET")) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, 0L);
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, "");
  }
  if(f->referer)
    curl_easy_setopt(e, CURLOPT_REFERER, f->referer);
  const char *pass[][2] = { { "Content-Type", f->content_type },
                            { "X-Requested-With", f->requested_with },
                            { "Accept", f->accept } };
  for(size_t i = 0; i < G_N_ELEMENTS(pass); i++) {
    if(!pass[i][1] || strpbrk(pass[i][1], "\r\n"))
      continue;
    char *hd = g_strdup_printf("%s: %s", pass[i][0], pass[i][1]);
    x->req_headers = curl_slist_append(x->req_headers, hd);
    g_free(hd);
  }
  x->req_headers = curl_slist_append(x->req_headers, GH_ACCEPT_LANGUAGE);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->req_headers);
  gh_host_started(h, f->url, g_get_monotonic_time());
  c->in_flight++;
  g_hash_table_add(c->active, x);
  curl_multi_add_handle(c->multi, e);
  crawl_log(c, GH_LOG_DEBUG, f->url, "%s %s (for a render)", f->method, f->url);
}

enum crawl_render_pick
crawl_render_pick(struct crawl *c, struct gh_host *h)
{
  struct gh_render *r = c->render;
  GQueue *q = r ? g_hash_table_lookup(r->fetches, h->name) : NULL;
  struct render_fetch *f = q ? g_queue_peek_head(q) : NULL;
  if(!f)
    return RENDER_PICK_NONE;
  struct render_page *pg = g_hash_table_lookup(r->pages, &f->page_id);
  if(!h->robots && !h->robots_loading && !h->drain)
    crawl_host_load(c, h);
  char *pq = gh_url_path_query(f->url);
  enum gh_host_pick pick = gh_host_judge(h, pq ? pq : "/");
  g_free(pq);
  if(pick == GH_PICK_ROBOTS) {
    char *robots_url = g_strdup_printf(
      "%s://%s/robots.txt", g_str_has_prefix(f->url, "https://") ? "https" : "http", h->name);
    h->robots_loading = true;
    crawl_start(c, h, robots_url, NULL, true);
    g_free(robots_url);
    return RENDER_PICK_ROBOTS;
  }
  g_queue_pop_head(q);
  if(pick == GH_PICK_FETCH && pg && pg->phase != P_CLOSING) {
    start_fetch(c, h, f);
    return RENDER_PICK_STARTED;
  }
  if(pg && pg->phase != P_CLOSING) {
    crawl_log(c, GH_LOG_INFO, pg->url, "render of %s: %s refused (%s)", pg->url, f->url,
              pick == GH_PICK_DISALLOWED ? "robots.txt" : pick == GH_PICK_DRAIN ? h->drain
                                                                                : "max_pages");
    pg->inflight--;
    pg->last_activity = g_get_monotonic_time();
    if(f->log)
      json_object_set_new(f->log, "what", json_string(pick == GH_PICK_DISALLOWED
                                                        ? "refused (robots.txt)"
                                                        : "refused (the host is drained or over budget)"));
    fail_request(r, pg->session, f->request_id, "AccessDenied");
  }
  crawl_render_fetch_free(f);
  return RENDER_PICK_STARTED;
}

/* ---- discovery of what the page showed ---- */

static void
part_done(void *ud, void *job, unsigned links, json_t *found)
{
  struct render_page *pg = ud;
  (void)links;
  if(pg->log && found) {
    json_t *all = json_object_get(pg->log, "links");
    size_t i, k;
    json_t *l, *seen;
    json_array_foreach(found, i, l) {
      bool dup = false;
      json_array_foreach(all, k, seen)
        dup |= json_equal(json_object_get(seen, "url"), json_object_get(l, "url"));
      if(!dup)
        json_array_append(all, l);
    }
  }
  g_hash_table_remove(pg->r->parts, job);
  pg->parts--;
  if(pg->parts == 0 && pg->phase == P_CLOSING)
    page_complete(pg->r, pg);
}

/* A snapshot of the page, or an answer it fetched, read for links like any
 * page of the crawl (in a worker); links resolve against `url`. */
static void
discover(struct gh_render *r, struct render_page *pg, const char *url, enum gh_link_kind kind,
         GBytes *body, const char *ctype)
{
  pg->parts++;
  g_hash_table_add(r->parts, crawl_job_discover(r->c, url, pg->host, pg->url, kind, body, ctype,
                                                pg->state, part_done, pg));
}

void
crawl_render_answered(struct crawl *c, struct xfer *x, CURLcode rc, long code)
{
  struct gh_render *r = c->render;
  struct render_fetch *f = g_steal_pointer(&x->rf);
  struct render_page *pg = r ? g_hash_table_lookup(r->pages, &f->page_id) : NULL;
  if(!pg || pg->phase == P_CLOSING || !gh_cdp_alive(r->b)) {
    crawl_render_fetch_free(f);
    return;
  }
  pg->inflight--;
  pg->last_activity = g_get_monotonic_time();
  if(rc != CURLE_OK || code < 100) {
    const char *why = x->in.too_large ? "over [limits] max_document_bytes"
                      : x->guard.refused ? "a private address"
                                         : curl_easy_strerror(rc);
    crawl_log(c, GH_LOG_INFO, pg->url, "render of %s: %s failed: %s", pg->url, f->url, why);
    if(f->log)
      json_object_set_new(f->log, "error", json_string(why));
    fail_request(r, pg->session, f->request_id,
                 rc == CURLE_OPERATION_TIMEDOUT ? "TimedOut"
                 : x->guard.refused            ? "AddressUnreachable"
                                               : "Failed");
    crawl_render_fetch_free(f);
    return;
  }
  char *ctype = NULL;
  curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
  char *location = NULL;
  if(code >= 300 && code < 400) {
    char *target = NULL;
    curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &target);
    location = target ? g_strdup(target) : NULL;
  }
  fulfill(r, pg, f->request_id, code, ctype, location, x->in.body->str, x->in.body->len);
  if(f->log)
    json_object_set_new(f->log, "status", json_integer(code));
  /* What a script or frame fetched is a page of the crawl too: a list
   * answer (JSON, JSONP, an HTML fragment) may hold links the DOM never
   * shows as anchors. */
  bool script = ctype && (strstr(ctype, "javascript") || strstr(ctype, "ecmascript"));
  if(code >= 200 && code < 300 && !script && x->in.body->len) {
    enum gh_format fmt = gh_sniff(x->in.body->str, x->in.body->len);
    if(fmt == GH_FMT_HTML || fmt == GH_FMT_TEXT) {
      GBytes *b = g_bytes_new(x->in.body->str, x->in.body->len);
      discover(r, pg, f->url, GH_LINK_LIST, b, ctype);
      g_bytes_unref(b);
    }
  }
  g_free(location);
  crawl_render_fetch_free(f);
}

/* ---- the page's steps ---- */

static void
evaluate(struct gh_render *r, struct render_page *pg, const char *mode, unsigned n, enum step step)
{
  char *expr = g_strdup_printf("(%s)(\"%s\", %u)", gh_render_js, mode, n);
  send_page(r, pg,
            "Runtime.evaluate",
            json_pack("{s:s, s:b, s:b}", "expression", expr, "returnByValue", 1, "userGesture", 1),
            step);
  g_free(expr);
}

static void
on_snap(struct gh_render *r, struct render_page *pg, json_t *result)
{
  json_t *v = json_object_get(json_object_get(result, "result"), "value");
  const char *html = jstr(v, "html"), *sig = jstr(v, "sig"), *url = jstr(v, "url");
  if(!html || !sig) {
    page_end(r, pg, GH_FAIL_RENDER_FAILED, "the page could not be read after it settled");
    return;
  }
  bool same = pg->sig && !strcmp(pg->sig, sig);
  if(!same) {
    GBytes *b = g_bytes_new(html, strlen(html));
    discover(r, pg, url && g_str_has_prefix(url, "http") ? url : pg->url, pg->kind, b,
             "text/html; charset=utf-8");
    g_bytes_unref(b);
  }
  pg->snaps++;
  g_free(pg->sig);
  pg->sig = g_strdup(sig);
  if(pg->final) {
    char *why = g_strdup_printf("over [render] seconds (%.0f s): %u requests, %u clicks; read as it "
                                "was",
                                r->c->cfg->render_seconds, pg->requests, pg->clicks);
    page_end(r, pg, GH_FAIL_RENDER_TIMEOUT, why);
    g_free(why);
    return;
  }
  if(pg->clicks >= pg->r->c->cfg->render_max_clicks) {
    page_end(r, pg, GH_FAIL_NONE, NULL);
    return;
  }
  /* The pager until the list stops changing; then each tab or tree node
   * that reads as a column, a year or an agency, once. */
  if(same && !pg->tabs)
    pg->tabs = true;
  pg->phase = P_CLICK;
  if(pg->tabs)
    evaluate(r, pg, "tab", pg->tab++, S_CLICK);
  else
    evaluate(r, pg, "click", pg->clicks + 2, S_CLICK);
}

static void
on_reply(void *ud, guint64 tag, int step, json_t *result, json_t *error)
{
  struct gh_render *r = ud;
  if(!r->confirmed) {
    r->confirmed = true;
    r->start_failures = 0;
  }
  if(step == S_IGNORE || !tag)
    return;
  struct render_page *pg = g_hash_table_lookup(r->pages, &tag);
  if(!pg || pg->phase == P_CLOSING)
    return;
  if(error) {
    char *why = g_strdup_printf("the browser refused a step: %s", jstr(error, "message"));
    page_end(r, pg, GH_FAIL_RENDER_FAILED, why);
    g_free(why);
    return;
  }
  switch(step) {
  case S_CONTEXT: {
    const char *id = jstr(result, "browserContextId");
    struct host_ctx *x = ctx_get(r, pg->host);
    g_free(x->id);
    x->id = g_strdup(id);
    pg->phase = P_TARGET;
    gh_cdp_send(r->b, NULL, "Target.createTarget",
                json_pack("{s:s, s:s?}", "url", "about:blank", "browserContextId", id), pg->id,
                S_TARGET);
    break;
  }
  case S_TARGET:
    pg->target = g_strdup(jstr(result, "targetId"));
    pg->phase = P_ATTACH;
    gh_cdp_send(r->b, NULL, "Target.attachToTarget",
                json_pack("{s:s?, s:b}", "targetId", pg->target, "flatten", 1), pg->id, S_ATTACH);
    break;
  case S_ATTACH:
    pg->session = g_strdup(jstr(result, "sessionId"));
    if(!pg->session) {
      page_end(r, pg, GH_FAIL_RENDER_FAILED, "no session on the page");
      break;
    }
    g_hash_table_insert(r->by_session, g_strdup(pg->session), pg);
    pg->phase = P_SETUP;
    send_page(r, pg, "Page.enable", NULL, S_IGNORE);
    send_page(r, pg, "Fetch.enable",
              json_pack("{s:[{s:s, s:s}]}", "patterns", "urlPattern", "*", "requestStage",
                        "Request"),
              S_FETCH);
    break;
  case S_FETCH:
    pg->phase = P_NAVIGATE;
    pg->last_activity = g_get_monotonic_time();
    send_page(r, pg, "Page.navigate", json_pack("{s:s}", "url", pg->url), S_NAVIGATE);
    break;
  case S_NAVIGATE:
    if(jstr(result, "errorText")) {
      char *why = g_strdup_printf("the page did not load: %s", jstr(result, "errorText"));
      page_end(r, pg, GH_FAIL_RENDER_FAILED, why);
      g_free(why);
      break;
    }
    pg->phase = P_SETTLE;
    break;
  case S_SNAP:
    on_snap(r, pg, result);
    break;
  case S_CLICK: {
    const char *what = jstr(json_object_get(result, "result"), "value");
    if((!what || !*what) && !pg->tabs) {
      /* No pager (left): the tabs. */
      pg->tabs = true;
      evaluate(r, pg, "tab", pg->tab++, S_CLICK);
      break;
    }
    if(!what || !*what) {
      page_end(r, pg, GH_FAIL_NONE, NULL);
      break;
    }
    pg->clicks++;
    crawl_log(r->c, GH_LOG_DEBUG, pg->url, "render of %s: clicked %s", pg->url, what);
    if(pg->log)
      json_array_append_new(json_object_get(pg->log, "clicks"), json_string(what));
    pg->phase = P_SETTLE;
    pg->last_activity = g_get_monotonic_time();
    break;
  }
  default:
    break;
  }
}

static struct render_page *
page_of_target(struct gh_render *r, const char *target)
{
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, r->pages);
  while(target && g_hash_table_iter_next(&it, NULL, &v)) {
    struct render_page *pg = v;
    if(pg->target && !strcmp(pg->target, target))
      return pg;
  }
  return NULL;
}

static void
on_event(void *ud, const char *method, json_t *params, const char *session)
{
  struct gh_render *r = ud;
  struct render_page *pg = session ? g_hash_table_lookup(r->by_session, session) : NULL;
  if(!strcmp(method, "Fetch.requestPaused")) {
    if(pg)
      on_paused(r, pg, params);
    else if(session && jstr(params, "requestId"))
      fail_request(r, session, jstr(params, "requestId"), "Aborted");
  } else if(!strcmp(method, "Page.loadEventFired") && pg) {
    pg->loaded = true;
    pg->last_activity = g_get_monotonic_time();
  } else if(!strcmp(method, "Page.frameStartedLoading") && pg) {
    pg->last_activity = g_get_monotonic_time();
  } else if(!strcmp(method, "Page.javascriptDialogOpening") && pg) {
    /* An alert() stops the page's scripts until it is answered. */
    send_page(r, pg, "Page.handleJavaScriptDialog", json_pack("{s:b}", "accept", 1), S_IGNORE);
  } else if(!strcmp(method, "Target.targetCrashed")) {
    struct render_page *t = page_of_target(r, jstr(params, "targetId"));
    if(t)
      page_end(r, t, GH_FAIL_RENDER_FAILED, "the page's renderer crashed (or ran out of memory)");
  } else if(!strcmp(method, "Target.detachedFromTarget")) {
    const char *sid = jstr(params, "sessionId");
    struct render_page *t = sid ? g_hash_table_lookup(r->by_session, sid) : NULL;
    if(t)
      page_end(r, t, GH_FAIL_RENDER_FAILED, "the page went away");
  }
}

/* ---- the loop's side ---- */

unsigned
gh_render_pollfds(const struct gh_render *r, struct pollfd *fds, unsigned max)
{
  if(!r || !r->b || max < 2)
    return 0;
  return gh_cdp_pollfds(r->b, fds);
}

gint64
gh_render_deadline(const struct gh_render *r)
{
  if(!r || !g_hash_table_size(r->pages))
    return G_MAXINT64;
  gint64 soonest = r->next_watch;
  if(r->waiting.length && r->running < MAX(r->c->cfg->render_parallel, 1))
    soonest = MIN(soonest, g_get_monotonic_time() + USEC / 4);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, r->pages);
  while(g_hash_table_iter_next(&it, NULL, &v)) {
    const struct render_page *pg = v;
    if(pg->phase == P_QUEUED || pg->phase == P_CLOSING)
      continue;
    soonest = MIN(soonest, pg->deadline);
    if(pg->phase == P_SETTLE && !pg->inflight)
      soonest = MIN(soonest, pg->last_activity + QUIET);
  }
  return soonest;
}

void
gh_render_service(struct gh_render *r, const struct pollfd *fds, unsigned n)
{
  if(!r)
    return;
  gint64 now = g_get_monotonic_time();
  if(r->b && !r->dead && !gh_cdp_service(r->b, fds, n)) {
    r->dead = true;
    const char *why = gh_cdp_gone_why(r->b);
    if(!r->confirmed) {
      /* It never answered: its pages did not start, and wait for the next
       * browser rather than fail. */
      requeue_running(r);
      if(!r->no_sandbox && !r->tried_sandbox) {
        /* The sandbox needs user namespaces the system may not give. */
        r->tried_sandbox = true;
        r->no_sandbox = true;
        gh_log(GH_LOG_WARNING, NULL, "render: the browser's sandbox cannot start (%s); running it "
               "with --no-sandbox, confined by what confines govharvest", why);
      } else {
        gh_log(GH_LOG_WARNING, NULL, "render: %s did not start (%s)", r->browser, why);
        r->gave_up = ++r->start_failures >= MAX_START_FAILURES;
      }
    }
  }
  /* A browser with nothing to render for a while is stopped: its memory
   * is the crawl's again.  The next page starts another. */
  if(r->b && !r->dead && !g_hash_table_size(r->pages)) {
    if(!r->idle_since)
      r->idle_since = now;
    else if(now - r->idle_since > IDLE_STOP) {
      gh_cdp_free(r->b);
      r->b = NULL;
      g_hash_table_remove_all(r->by_session);
      g_hash_table_remove_all(r->ctxs);
    }
  } else {
    r->idle_since = 0;
  }
  GPtrArray *ending = g_ptr_array_new();
  bool alive = r->b && gh_cdp_alive(r->b);
  GHashTableIter it;
  gpointer v;
  g_hash_table_iter_init(&it, r->pages);
  while(g_hash_table_iter_next(&it, NULL, &v)) {
    struct render_page *pg = v;
    if(pg->phase == P_QUEUED || pg->phase == P_CLOSING)
      continue;
    if(!alive || now >= pg->deadline)
      g_ptr_array_add(ending, pg);
  }
  for(guint i = 0; i < ending->len; i++) {
    struct render_page *pg = ending->pdata[i];
    if(!alive) {
      char *why = g_strdup_printf("the browser died under it (%s); it is restarted for the next "
                                  "page",
                                  r->b ? gh_cdp_gone_why(r->b) : "not running");
      page_end(r, pg, GH_FAIL_RENDER_FAILED, why);
      g_free(why);
    } else if(!pg->final && pg->session) {
      /* What it shows now still counts: a storm of requests that never
       * settles costs the render's time, not its list.  A script that
       * never yields does not answer this either, and ends at LAST_READ. */
      pg->final = true;
      pg->deadline = now + LAST_READ;
      if(pg->phase != P_SNAP) { /* else the reading on its way is the last */
        pg->phase = P_SNAP;
        evaluate(r, pg, "snap", 0, S_SNAP);
      }
    } else {
      char *why = g_strdup_printf("over [render] seconds (%.0f s): %u requests, %u clicks so far",
                                  r->c->cfg->render_seconds, pg->requests, pg->clicks);
      page_end(r, pg, GH_FAIL_RENDER_TIMEOUT, why);
      g_free(why);
    }
  }
  g_ptr_array_free(ending, TRUE);
  /* Settled pages are read. */
  g_hash_table_iter_init(&it, r->pages);
  while(alive && g_hash_table_iter_next(&it, NULL, &v)) {
    struct render_page *pg = v;
    if(pg->phase != P_SETTLE || pg->inflight || now - pg->last_activity < QUIET)
      continue;
    /* The first load must have ended: a script that never yields holds
     * the load event, and the render then ends at its deadline. */
    if(!pg->loaded)
      continue;
    pg->phase = P_SNAP;
    evaluate(r, pg, "snap", 0, S_SNAP);
  }
  /* The memory watchdog: the browser's whole process group. */
  if(alive && now >= r->next_watch) {
    r->next_watch = now + WATCH_EVERY;
    guint64 rss = gh_cdp_rss(r->b), cap = r->c->cfg->render_memory_bytes;
    if(cap && rss > cap) {
      char *why = g_strdup_printf("the browser's memory (%" G_GUINT64_FORMAT
                                  " MiB) passed [render] memory",
                                  rss >> 20);
      gh_log(GH_LOG_WARNING, NULL, "render: %s; killed", why);
      gh_cdp_kill(r->b, why);
      g_free(why);
      /* Its pages end on the next service, named by that reason. */
      r->next_watch = now;
    }
  }
  start_waiting(r);
}

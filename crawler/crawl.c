#include "crawl.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>

#include <curl/curl.h>
#include <malloc.h>
#include <poll.h>
#include <openssl/ssl.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../extract/charset.h"
#include "../extract/htmlwalk.h"
#include "../extract/report.h"
#include "../extract/textnorm.h"
#include "../store/frontier.h"
#include "discover.h"
#include "host.h"
#include "log.h"
#include "robots.h"
#include "url.h"

#define GH_CRAWL_ERROR (g_quark_from_static_string("gh-crawl"))
#define USEC 1000000
/* A robots.txt older than this is fetched again (RFC 9309 §2.4: caching
 * beyond 24 hours is discouraged). */
#define ROBOTS_MAX_AGE (24 * 3600)
/* Headers of one response: a hostile server can't grow them without bound. */
#define MAX_HEADER_BYTES (64 * 1024)

/* ---- state kept in memory: hosts and transfers, never URLs ---- */

struct xfer {
  CURL *easy;
  struct gh_host *host;
  char *url;
  json_t *state; /* the URL's state as queued (owned) */
  struct gh_capped in;
  size_t header_bytes;
  char *etag, *last_modified, *disposition;
  struct curl_slist *req_headers;
  bool robots;
  /* A 2xx whose body is still to be hashed and handed to a worker: done()
   * frees the host first, so its next request goes out before that work. */
  bool fetched;
  enum gh_link_kind kind;
  const char *ctype; /* the easy handle's, valid until xfer_free */
  struct gh_private_guard guard;
};

struct crawl {
  struct gh_host_rules host_rules; /* [crawl]'s politeness, for every host */
  struct gh_store *st;
  GHashTable *run_seeds;  /* seed URL -> its struct gh_seed (borrowed): this run's seeds */
  gint64 run_id;          /* marks pages a forced run requeued: each once */
  const struct gh_crawl_opts *o;
  const struct gh_config *cfg;
  struct gh_crawl_summary *sum;
  CURLM *multi;
  GHashTable *hosts; /* name -> struct gh_host * */
  GHashTable *seed_hosts; /* seed URL -> its host, for scope checks */
  GPtrArray *active;      /* struct xfer * in flight */
  struct gh_frontier *fr; /* URL states, queues and the crawl's writes (store/frontier.h) */
  struct gh_pool *pool;   /* extraction workers */
  unsigned workers;
  guint64 pending_bytes;  /* bodies waiting in or for a worker */
  GHashTable *processing; /* URL -> struct doc_job *: fetched, being extracted */
  guint64 cycle;
  unsigned in_flight;
  struct curl_slist *resolve, *connect_to;
  gint64 started, last_status, last_flush, next_measure, last_heartbeat;
  GHashTable *qcount;     /* host -> queued entries, at the last measure_queue */
  GPtrArray *run_hosts;   /* the hosts of this run's seeds (one per seed) */
  unsigned seeds_done;
  double eta_seconds;
  bool stall_reported; /* the running commit was said to be stalled */
  guint64 last_fetched;
  bool time_up; /* [crawl] cycle_time_limit passed: start nothing more */
  GError *error;
};

static void
count(GHashTable *h, const char *name)
{
  gpointer v = g_hash_table_lookup(h, name);
  if(!v)
    g_hash_table_insert(h, g_strdup(name), GUINT_TO_POINTER(1));
  else
    g_hash_table_insert(h, g_strdup(name), GUINT_TO_POINTER(GPOINTER_TO_UINT(v) + 1));
}

static char *
now_iso(void)
{
  GDateTime *d = g_date_time_new_now_utc();
  char *s = g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ");
  g_date_time_unref(d);
  return s;
}

/* A log line about one URL (its URL and host become journal fields). */
static void logline(struct crawl *c, enum gh_log_level level, const char *url, const char *fmt,
                    ...) G_GNUC_PRINTF(4, 5);
static void
logline(struct crawl *c, enum gh_log_level level, const char *url, const char *fmt, ...)
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

static struct gh_host *
host_get(struct crawl *c, const char *name)
{
  struct gh_host *h = g_hash_table_lookup(c->hosts, name);
  if(h)
    return h;
  h = gh_host_new(name, &c->host_rules);
  g_hash_table_insert(c->hosts, h->name, h);
  c->sum->hosts++;
  return h;
}

/* A host whose robots.txt was fetched recently reuses it from the store. */
static void
host_load(struct crawl *c, struct gh_host *h)
{
  json_t *hs = gh_frontier_host(c->st, h->name);
  gh_host_load(h, hs, c->cycle, g_get_real_time() / USEC, ROBOTS_MAX_AGE);
  json_decref(hs);
}

static void
host_save(struct crawl *c, struct gh_host *h, long robots_status, const char *robots)
{
  json_t *hs = gh_host_state(h, c->cycle, robots_status, robots, g_get_real_time() / USEC);
  gh_frontier_put_host(c->fr, h->name, hs);
}

/* ---- URL states ---- */

static const char *
jstr(const json_t *o, const char *k)
{
  return json_string_value(json_object_get(o, k));
}

/* The one place a URL leaves the queue: its final state, with the error
 * kind (counted) and reason, written in the batch that removes its queue
 * entry on `host`, and logged. */
static void
finish_state(struct crawl *c, const char *url, const char *host, json_t *s,
             enum gh_url_state state, const char *error_kind, const char *reason)
{
  json_object_set_new(s, "state", json_string(gh_url_state_name(state)));
  if(error_kind) {
    json_object_set_new(s, "error", json_string(error_kind));
    count(c->sum->errors, error_kind);
  } else {
    json_object_del(s, "error");
  }
  if(reason)
    json_object_set_new(s, "reason", json_string(reason));
  else
    json_object_del(s, "reason");
  gh_frontier_finish(c->fr, url, host, json_incref(s));
  if(error_kind)
    gh_log(GH_LOG_INFO, &(struct gh_log_fields){ .url = url, .status = error_kind },
           "%s: %s%s%s", url, error_kind, reason ? ": " : "", reason ? reason : "");
  else if(c->cfg->log_level >= GH_LOG_DEBUG)
    gh_log(GH_LOG_DEBUG, &(struct gh_log_fields){ .url = url }, "%s: queued -> %s", url,
           gh_url_state_name(state));
}

static void
finish_url(struct crawl *c, struct xfer *x, enum gh_url_state state, const char *error_kind,
           const char *reason)
{
  finish_state(c, x->url, x->host->name, x->state, state, error_kind, reason);
}

/* Queue `url` for this cycle unless it already is, or is a report document
 * fetched in an earlier cycle (those do not change; corrections get new
 * URLs).  Decided inside the transaction, so duplicates in one batch and
 * across restarts collapse. */
static json_t *
enqueue(struct crawl *c, const char *url, enum gh_link_kind kind, int depth, const char *seed,
        const char *region, const char *text, const char *referer)
{
  char *host = gh_url_host(url);
  if(!host)
    return NULL;
  json_t *s = json_object();
  json_object_set_new(s, "kind", json_string(gh_link_kind_name(kind)));
  size_t ulen = strlen(url);
  if(ulen > GH_URL_MAX) {
    /* Recorded, never queued: the store keys URLs by hash, so the state
     * fits, and the page that linked it is named. */
    char *why = g_strdup_printf("%zu bytes, over the %d-byte limit", ulen, GH_URL_MAX);
    json_object_set_new(s, "cycle", json_integer((json_int_t)c->cycle));
    json_object_set_new(s, "state", json_string(gh_url_state_name(GH_URL_FAILED)));
    json_object_set_new(s, "error", json_string("url_too_long"));
    json_object_set_new(s, "reason", json_string(why));
    if(seed)
      json_object_set_new(s, "seed", json_string(seed));
    if(referer)
      json_object_set_new(s, "referer", json_string(referer));
    count(c->sum->errors, "url_too_long");
    gh_log(GH_LOG_INFO, &(struct gh_log_fields){ .url = referer, .status = "url_too_long" },
           "a link of %s: %s", referer ? referer : "a seed", why);
    g_free(why);
    gh_frontier_set(c->fr, url, s); /* the frontier owns it; callers borrow, as below */
    g_free(host);
    return s;
  }
  json_object_set_new(s, "depth", json_integer(depth));
  if(seed)
    json_object_set_new(s, "seed", json_string(seed));
  if(region)
    json_object_set_new(s, "region", json_string(region));
  if(text && *text)
    json_object_set_new(s, "text", json_string(text));
  if(referer)
    json_object_set_new(s, "referer", json_string(referer));
  if(kind == GH_LINK_SEED) { /* the daemon schedules seeds by this */
    char *iso = now_iso();
    json_object_set_new(s, "queued_at", json_string(iso));
    g_free(iso);
  }
  /* Borrowed by the caller, which may still add to it: the frontier reads
   * it only once the batch is handed to the committer. */
  gh_frontier_enqueue(c->fr, url, host, s,
                      c->o->force && seed && g_hash_table_contains(c->run_seeds, seed));
  g_free(host);
  return s;
}

/* What a committed batch did: counted and logged, and the hosts it queued
 * work for woken. */
static void
committed(void *ud, enum gh_frontier_event ev, const char *key, const json_t *json,
          const char *result)
{
  struct crawl *c = ud;
  if(ev == GH_FRONTIER_LANDED) {
    const char *status = jstr(json, "status");
    count(c->sum->records, status ? status : "unknown");
    const char *url = jstr(json_object_get(json, "source"), "url");
    gh_log(GH_LOG_INFO,
           &(struct gh_log_fields){ .url = url, .agency = jstr(json, "agency"),
                                    .year = (int)json_integer_value(json_object_get(json, "year")),
                                    .status = status },
           "record %s %" JSON_INTEGER_FORMAT " (%s): %s, %s", jstr(json, "agency"),
           json_integer_value(json_object_get(json, "year")), status, result, url);
  } else {
    host_get(c, key)->idle = false;
    const char *k = jstr(json, "kind");
    if(k && (!strcmp(k, "report") || !strcmp(k, "attachment")))
      c->sum->reports_found++;
  }
}

static void report_status(struct crawl *c, bool force);

/* True while the batch being committed has run past the stall limit
 * (saying so once per stall).  A batch is bounded (see fill), so a commit
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
    logline(c, GH_LOG_ERROR, NULL,
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
      report_status(c, false);
  }
  if(r == GH_COMMIT_IDLE || r == GH_COMMIT_RUNNING)
    return true;
  if(c->stall_reported) {
    c->stall_reported = false;
    logline(c, GH_LOG_WARNING, NULL, "store: the stalled commit ended after %.1f s",
            (double)(g_get_monotonic_time() - c->last_flush) / USEC);
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
#define FLUSH_EVERY (USEC / 10)
#define OPS_PER_BATCH 8000

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
static bool
in_scope(struct crawl *c, const char *seed, const char *url, enum gh_link_kind kind)
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
  g_free(host);
  return ok;
}

/* ---- transfers ---- */

size_t
gh_capped_write(char *data, size_t size, size_t n, void *ud)
{
  struct gh_capped *in = ud;
  size_t len = size * n;
  if(in->body->len + len > in->cap) {
    in->too_large = true;
    return 0; /* aborts the transfer: nothing past the cap is read */
  }
  g_string_append_len(in->body, data, (gssize)len);
  return len;
}

static char *
header_value(const char *line, size_t len, const char *name)
{
  size_t n = strlen(name);
  if(len <= n + 1 || g_ascii_strncasecmp(line, name, n) || line[n] != ':')
    return NULL;
  char *v = g_strndup(line + n + 1, len - n - 1);
  return g_strstrip(v);
}

static size_t
on_header(char *data, size_t size, size_t n, void *ud)
{
  struct xfer *x = ud;
  size_t len = size * n;
  x->header_bytes += len;
  if(x->header_bytes > MAX_HEADER_BYTES)
    return 0;
  if(len >= 5 && !strncmp(data, "HTTP/", 5)) {
    /* A new response (after a redirect or 100): forget the last one's. */
    g_clear_pointer(&x->etag, g_free);
    g_clear_pointer(&x->last_modified, g_free);
    g_clear_pointer(&x->disposition, g_free);
    return len;
  }
  char *v;
  if((v = header_value(data, len, "ETag"))) {
    g_free(x->etag);
    x->etag = v;
  } else if((v = header_value(data, len, "Last-Modified"))) {
    g_free(x->last_modified);
    x->last_modified = v;
  } else if((v = header_value(data, len, "Content-Disposition"))) {
    g_free(x->disposition);
    x->disposition = v;
  }
  return len;
}

/* For hosts the operator named in tls_insecure_hosts only: old government
 * servers that need legacy renegotiation (OpenSSL 3 refuses it by default)
 * and accept small DH keys (SECLEVEL=0, set through the cipher list). */
static CURLcode
legacy_tls(CURL *curl, void *ssl_ctx, void *ud)
{
  (void)curl;
  (void)ud;
  SSL_CTX_set_options((SSL_CTX *)ssl_ctx, SSL_OP_LEGACY_SERVER_CONNECT);
  return CURLE_OK;
}

static bool
host_listed(char **list, const char *host)
{
  for(char **h = list; h && *h; h++)
    if(!g_ascii_strcasecmp(*h, host))
      return true;
  return false;
}

static bool
v4_private(uint32_t a)
{
  static const struct { uint32_t net; int bits; } nets[] = {
    { 0x00000000, 8 },  { 0x0A000000, 8 },  { 0x64400000, 10 }, { 0x7F000000, 8 },
    { 0xA9FE0000, 16 }, { 0xAC100000, 12 }, { 0xC0000000, 24 }, { 0xC0A80000, 16 },
    { 0xC6120000, 15 }, { 0xE0000000, 4 },  { 0xF0000000, 4 },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(nets); i++)
    if((a >> (32 - nets[i].bits)) == (nets[i].net >> (32 - nets[i].bits)))
      return true;
  return false;
}

bool
gh_addr_is_private(const struct sockaddr *sa)
{
  /* Copies, not casts: the caller's object may be any of the sockaddr
   * types, and the optimiser may assume a struct sockaddr read does not
   * see a struct sockaddr_in's bytes. */
  sa_family_t family;
  memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof family);
  if(family == AF_INET) {
    struct in_addr in;
    memcpy(&in, (const char *)sa + offsetof(struct sockaddr_in, sin_addr), sizeof in);
    return v4_private(ntohl(in.s_addr));
  }
  if(family == AF_INET6) {
    struct in6_addr a;
    memcpy(&a, (const char *)sa + offsetof(struct sockaddr_in6, sin6_addr), sizeof a);
    if(IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
      uint32_t v4;
      memcpy(&v4, &a.s6_addr[12], 4);
      return v4_private(ntohl(v4));
    }
    return IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LINKLOCAL(&a) ||
           IN6_IS_ADDR_SITELOCAL(&a) || IN6_IS_ADDR_MULTICAST(&a) ||
           (a.s6_addr[0] & 0xFE) == 0xFC; /* fc00::/7, unique local */
  }
  return true; /* not an internet address at all */
}

/* A host the operator pointed somewhere on purpose. */
static bool
host_mapped(const struct gh_config *cfg, const char *host)
{
  if(host_listed(cfg->allow_private, host))
    return true;
  char **lists[] = { cfg->resolve, cfg->connect_to };
  for(int l = 0; l < 2; l++)
    for(char **m = lists[l]; m && *m; m++) {
      const char *colon = strchr(*m, ':');
      size_t n = colon ? (size_t)(colon - *m) : strlen(*m);
      if(n == 0 || (n == 1 && **m == '*') || (n == strlen(host) && !g_ascii_strncasecmp(*m, host, n)))
        return true;
    }
  return false;
}

static bool
proxy_configured(void)
{
  static const char *const vars[] = { "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY",
                                       "all_proxy", NULL };
  for(const char *const *v = vars; *v; v++)
    if(g_getenv(*v) && *g_getenv(*v))
      return true;
  return false;
}

static curl_socket_t
open_public(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
  struct gh_private_guard *g = ud;
  (void)purpose;
  if(gh_addr_is_private(&a->addr)) {
    /* The URL being connected for (a redirect's, when curl follows). */
    char *eff = NULL, *host = NULL;
    curl_easy_getinfo(g->easy, CURLINFO_EFFECTIVE_URL, &eff);
    CURLU *u = curl_url();
    if(eff && !curl_url_set(u, CURLUPART_URL, eff, 0))
      curl_url_get(u, CURLUPART_HOST, &host, 0);
    bool allowed = host && host_mapped(g->cfg, host);
    curl_free(host);
    curl_url_cleanup(u);
    if(!allowed) {
      const char *base = (const char *)&a->addr; /* no casts: curl's sockaddr is 2-aligned */
      const void *in = base + (a->family == AF_INET ? offsetof(struct sockaddr_in, sin_addr)
                                                    : offsetof(struct sockaddr_in6, sin6_addr));
      if(!inet_ntop(a->family, in, g->addr, sizeof g->addr))
        g_strlcpy(g->addr, "?", sizeof g->addr);
      g->refused = true;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

void
gh_crawl_easy_setup(CURL *e, const struct gh_config *cfg, const char *host_port,
                    struct curl_slist *resolve, struct curl_slist *connect_to,
                    struct gh_private_guard *guard)
{
  if(guard && !proxy_configured()) {
    guard->easy = e;
    guard->cfg = cfg;
    guard->refused = false;
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_public);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, guard);
  }
  curl_easy_setopt(e, CURLOPT_USERAGENT, cfg->user_agent);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)cfg->max_redirects);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)cfg->connect_timeout_seconds);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)cfg->timeout_seconds);
  /* A server that sends a byte a second would hold a slot for the whole
   * timeout; under 64 B/s for 30 s is a stall. */
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 64L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
  /* Every encoding curl can decode; the cap applies to decoded bytes, so a
   * gzip bomb stops at the cap like any other body. */
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  /* No CURLOPT_PIPEWAIT: curl groups connections by connect-to target, so
   * with every host mapped to one address (tests, proxies) a transfer would
   * wait on another host's slow response to learn whether it multiplexes. */
  if(resolve)
    curl_easy_setopt(e, CURLOPT_RESOLVE, resolve);
  if(connect_to)
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to);
  char *bare = g_strdup(host_port);
  char *colon = strrchr(bare, ':');
  if(colon && !strchr(bare, ']'))
    *colon = '\0';
  if(host_listed(cfg->tls_insecure_hosts, bare)) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    /* Old government servers: legacy renegotiation and small DH keys. */
    curl_easy_setopt(e, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
    curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, legacy_tls);
  }
  g_free(bare);
}

/* Hanweb's jpage script POSTs a column's parameters to dataproxy.jsp with
 * only the record range in the URL, and some servers answer nothing else:
 * a generated proxy URL (discover.c) goes the same way.  The URL with
 * every parameter stays its identity in the store. */
static void
dataproxy_post(CURL *e, const char *url)
{
  const char *q = strchr(url, '?');
  if(!q || !g_strstr_len(url, q - url, "/dataproxy.jsp") || !strstr(q, "columnid="))
    return;
  GString *range = g_string_new_len(url, q - url), *form = g_string_new(NULL);
  char **params = g_strsplit(q + 1, "&", -1);
  char sep = '?';
  for(char **p = params; *p; p++) {
    if(g_str_has_prefix(*p, "startrecord=") || g_str_has_prefix(*p, "endrecord=") ||
       g_str_has_prefix(*p, "perpage=")) {
      g_string_append_printf(range, "%c%s", sep, *p);
      sep = '&';
    } else if(**p) {
      g_string_append_printf(form, "%s%s", form->len ? "&" : "", *p);
    }
  }
  g_strfreev(params);
  curl_easy_setopt(e, CURLOPT_URL, range->str);
  curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, form->str);
  g_string_free(range, TRUE);
  g_string_free(form, TRUE);
}

static void
start(struct crawl *c, struct gh_host *h, const char *url, json_t *state, bool robots)
{
  const struct gh_config *cfg = c->cfg;
  struct xfer *x = g_new0(struct xfer, 1);
  x->host = h;
  x->url = g_strdup(url);
  x->state = state;
  x->robots = robots;
  x->in.body = g_string_sized_new(16384);
  x->in.cap = robots ? GH_ROBOTS_MAX_BYTES : cfg->max_document_bytes;
  CURL *e = x->easy = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, gh_capped_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &x->in);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  gh_crawl_easy_setup(e, cfg, h->name, c->resolve, c->connect_to, &x->guard);
  /* Redirects are followed by the scheduler, not by curl: the target may
   * be another host, with its own robots.txt and its own delay. */
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, robots ? 1L : 0L);
  /* robots.txt is read up to its cap and the rest ignored (RFC 9309
   * §2.5), so only documents are refused by their announced size. */
  if(!robots)
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->in.cap);
  if(state) {
    const char *etag = jstr(state, "etag"), *lm = jstr(state, "last_modified");
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
    const char *referer = jstr(state, "referer");
    if(referer)
      curl_easy_setopt(e, CURLOPT_REFERER, referer);
  }
  x->req_headers = curl_slist_append(x->req_headers, GH_ACCEPT_LANGUAGE);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->req_headers);
  if(!robots)
    dataproxy_post(e, url);
  gh_host_started(h, url, g_get_monotonic_time());
  c->in_flight++;
  g_ptr_array_add(c->active, x);
  curl_multi_add_handle(c->multi, e);
  logline(c, GH_LOG_DEBUG, url, "GET %s", url);
}

static void
xfer_free(struct xfer *x)
{
  curl_slist_free_all(x->req_headers);
  curl_easy_cleanup(x->easy);
  if(x->in.body) /* NULL once handed to a page job */
    g_string_free(x->in.body, TRUE);
  json_decref(x->state);
  g_free(x->url);
  g_free(x->etag);
  g_free(x->last_modified);
  g_free(x->disposition);
  g_free(x);
}

/* ---- handling a finished transfer ---- */

static const char *
curl_error_kind(CURLcode rc)
{
  switch(rc) {
  case CURLE_OPERATION_TIMEDOUT: return "timeout";
  case CURLE_COULDNT_RESOLVE_HOST: return "dns";
  case CURLE_COULDNT_CONNECT: return "connect";
  case CURLE_TOO_MANY_REDIRECTS: return "redirect_loop";
  case CURLE_FILESIZE_EXCEEDED:
  case CURLE_WRITE_ERROR: return "too_large";
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR: return "tls_error";
  case CURLE_BAD_CONTENT_ENCODING: return "bad_encoding";
  /* libcurl 7.88 answers an endless header block with out-of-memory. */
  case CURLE_OUT_OF_MEMORY: return "too_large";
  default: return "network";
  }
}

static bool
retryable_kind(const char *kind)
{
  return !strcmp(kind, "timeout") || !strcmp(kind, "connect") || !strcmp(kind, "network") ||
         !strcmp(kind, "dns");
}

static void
finish_host(struct crawl *c, struct xfer *x, double extra_wait)
{
  /* Not finished and not on its way to a worker: still queued, so the
   * next pick must be able to see it again. */
  json_t *qseq = x->state ? json_object_get(x->state, "qseq") : NULL;
  bool requeued = qseq && !x->fetched && !gh_frontier_is_finished(c->fr, x->url);
  gh_host_answered(x->host, x->url, g_get_monotonic_time(), extra_wait,
                   requeued ? (guint64)json_integer_value(qseq) : G_MAXUINT64);
  c->in_flight--;
}

/* A network failure on the host: counted; once its failure budget is
 * spent ([crawl] host_failures) it gets no more requests this cycle.
 * Nothing is lost: its URLs stay queued, the host is named in the summary
 * and, through the hosts database, in stats.  Returns the backoff. */
static double
host_failed(struct crawl *c, struct gh_host *h, const char *kind, const char *reason)
{
  bool set_aside;
  double backoff = gh_host_failed(h, kind, reason, &set_aside);
  if(!set_aside)
    return backoff;
  g_hash_table_replace(c->sum->unhealthy, g_strdup(h->name), g_strdup(h->unhealthy));
  gh_log(GH_LOG_WARNING, NULL, "%s: %s; its queued URLs wait for the next cycle", h->name,
         h->unhealthy);
  json_t *hs = json_pack("{s:I, s:s, s:I}", "cycle", (json_int_t)c->cycle, "unhealthy", h->unhealthy,
                         "unhealthy_cycle", (json_int_t)c->cycle);
  gh_frontier_put_host(c->fr, h->name, hs);
  return backoff;
}

/* Put the URL back for a later attempt, or give up after the retry cap. */
static void
retry_later(struct crawl *c, struct xfer *x, const char *kind, const char *reason,
            double *wait)
{
  json_int_t attempts = json_integer_value(json_object_get(x->state, "attempts")) + 1;
  json_object_set_new(x->state, "attempts", json_integer(attempts));
  if((guint64)attempts > c->cfg->retries) {
    finish_url(c, x, GH_URL_FAILED, kind, reason);
    host_failed(c, x->host, kind, reason);
    return;
  }
  /* Exponential backoff on the host (host.c). */
  double backoff = host_failed(c, x->host, kind, reason);
  if(*wait < backoff)
    *wait = backoff;
  json_object_set_new(x->state, "error", json_string(kind));
  json_object_set_new(x->state, "reason", json_string(reason));
  gh_frontier_set(c->fr, x->url, json_incref(x->state)); /* still queued */
  logline(c, GH_LOG_INFO, x->url, "%s: %s (%s), retry %d in %.0f s", x->url, kind, reason,
          (int)attempts, *wait);
}

/* A fetched page or document on its way to links and a record.  The
 * hostile parts (HTML, PDF, DOCX parsing, link discovery) run in a pool
 * worker while the event loop goes on; the URL is finished (and dequeued)
 * only when the job completes, so a crash in between refetches it. */
struct page_job {
  struct crawl *c;
  char *url;
  char *host; /* its queue's */
  json_t *state;
  GBytes *body;
  char *sha;
  char *file_title; /* the Content-Disposition name, decoded (or NULL) */
  enum gh_link_kind kind;
  bool discover, extract, record_done;
  enum gh_format fmt;
  struct gh_record rec;
};

#define PENDING_BYTES_MAX ((guint64)256 << 20)

static void
page_job_free(void *p)
{
  struct page_job *j = p;
  j->c->pending_bytes -= g_bytes_get_size(j->body);
  g_free(j->url);
  g_free(j->host);
  json_decref(j->state);
  g_bytes_unref(j->body);
  g_free(j->sha);
  g_free(j->file_title);
  gh_record_clear(&j->rec);
  g_free(j);
}

/* The download name a Content-Disposition header gives, as normalised
 * title text (NULL without one).  Decoded here, in the loop: the raw
 * header may be GBK bytes, which cannot travel in the worker's JSON. */
static char *
disposition_title(const char *disposition)
{
  char *fname = disposition ? gh_disposition_filename(disposition) : NULL;
  char *n = fname ? gh_norm(fname, strlen(fname)) : NULL;
  g_free(fname);
  return n;
}

/* The page's links as [[url, kind, text], …], from its tree when parsed. */
static json_t *
links_json(const GumboOutput *tree, const char *utf8, size_t ulen, const json_t *a)
{
  json_t *jl = json_array();
  if(!utf8)
    return jl;
  GPtrArray *links = g_ptr_array_new_with_free_func(gh_link_free);
  gh_discover_tree(tree, utf8, ulen, jstr(a, "url"), jstr(a, "referer"),
                   (enum gh_link_kind)json_integer_value(json_object_get(a, "kind")), links);
  for(guint i = 0; i < links->len; i++) {
    struct gh_link *l = links->pdata[i];
    json_array_append_new(jl, json_pack("[s,s,s]", l->url, gh_link_kind_name(l->kind),
                                        l->text ? l->text : ""));
  }
  g_ptr_array_free(links, TRUE);
  return jl;
}

/* Runs in the worker, on the fetched bytes: the page's links and/or its
 * record, so the crawler's loop gets a small reply and never parses what a
 * portal sent.  An HTML report page is converted and parsed once for both. */
json_t *
gh_crawl_work(const struct gh_pool_input *in)
{
  const json_t *a = in->args;
  bool discover = json_is_true(json_object_get(a, "discover"));
  bool record = json_is_true(json_object_get(a, "record"));
  json_t *out = json_object();
  size_t ulen = 0;
  char *utf8 = NULL;
  struct gh_html_tree *tree = NULL;
  if(discover || (record && in->format == GH_FMT_HTML))
    utf8 = gh_to_utf8(in->bytes, in->len, in->o->declared_charset, true, &ulen, NULL, NULL);
  if(utf8 && in->format == GH_FMT_HTML)
    tree = gh_gumbo_parse(utf8, ulen);
  if(discover)
    json_object_set_new(out, "links", links_json(tree ? tree->out : NULL, utf8, ulen, a));
  if(record) {
    struct gh_record rec;
    gh_record_init(&rec);
    struct gh_doc_hints hints = { .link_text = jstr(a, "text"), .file_title = jstr(a, "file_title") };
    gh_document_record(in->bytes, in->len, in->format, jstr(a, "sha256"), in->o, &hints,
                       tree ? tree->out : NULL, &rec);
    /* What the loop will not store (an error page, a page with no report
     * and no agency/year) comes back as its verdict only: the whole record
     * would cost the loop more to decode than the page cost to fetch. */
    bool lands = rec.status != GH_STATUS_NOT_A_REPORT && rec.status != GH_STATUS_EMPTY &&
                 rec.agency && *rec.agency && rec.year > 0;
    json_object_set_new(out, "record",
                        lands ? gh_record_to_json(&rec)
                              : json_pack("{s s s s?}", "status", gh_status_name(rec.status),
                                          "reason", rec.reason));
    gh_record_clear(&rec);
  }
  gh_gumbo_free(tree);
  g_free(utf8);
  return out;
}

/* Queues what the page links to, within scope and depth; returns how many
 * attachments it links. */
static unsigned
queue_links(struct crawl *c, struct page_job *j, json_t *links)
{
  json_t *s = j->state;
  int depth = (int)json_integer_value(json_object_get(s, "depth"));
  const char *seed = jstr(s, "seed");
  unsigned attachments = 0;
  bool api = gh_is_api_answer(j->url);
  const char *embed = api ? (jstr(s, "embed") ? jstr(s, "embed") : jstr(s, "referer")) : j->url;
  /* What this page led to, kept so a later 304 can requeue it without the
   * body (a column whose portal page did not change still gets new
   * reports). */
  json_t *out = json_array();
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) {
    const char *url = json_string_value(json_array_get(l, 0));
    const char *text = json_string_value(json_array_get(l, 2));
    enum gh_link_kind k;
    if(!url || !gh_link_kind_from_name(json_string_value(json_array_get(l, 1)), &k))
      continue;
    int d = depth;
    if(k == GH_LINK_SECTION || k == GH_LINK_COLUMN)
      d = depth + 1;
    if(d > (int)c->cfg->max_depth || !in_scope(c, seed, url, k))
      continue;
    json_t *ns = enqueue(c, url, k, d, seed, jstr(s, "region"), text, j->url);
    /* What an API answer (dataproxy.jsp, JPaaS) links is shown in the
     * column page, also when one answer leads to the next: the column is
     * kept along the chain for the worker to resolve against. */
    if(api && embed && ns)
      json_object_set_new(ns, "embed", json_string(embed));
    attachments += k == GH_LINK_ATTACHMENT;
    /* A report page keeps only its attachments: a 304 on it then still
     * reaches the document (crawl --refetch). */
    if(j->kind != GH_LINK_REPORT || k == GH_LINK_ATTACHMENT)
      json_array_append_new(out, json_pack("[s,s,i,s]", url, gh_link_kind_name(k), d,
                                           text ? text : ""));
  }
  json_object_set_new(s, "out", out);
  return attachments;
}

/* Provenance the crawl knows and the parser cannot: where the bytes came
 * from and how the crawler got there, and the agency's identity (its
 * place from the name, else from the link, the file name or the seed). */
static void
add_provenance(struct crawl *c, struct page_job *j, json_t *rj)
{
  json_t *s = j->state;
  json_t *src = json_object_get(rj, "source");
  char *iso = now_iso();
  json_object_set_new(src, "url", json_string(j->url));
  json_object_set_new(src, "fetched_at", json_string(iso));
  g_free(iso);
  json_t *chain = json_object_get(s, "redirect_chain");
  if(json_array_size(chain))
    json_object_set(src, "redirected_from", json_array_get(chain, 0));
  if(jstr(s, "referer"))
    json_object_set_new(src, "page_url", json_string(jstr(s, "referer")));
  if(jstr(s, "text"))
    json_object_set_new(src, "link_text", json_string(jstr(s, "text")));
  if(j->file_title)
    json_object_set_new(src, "file_title", json_string(j->file_title));
  const struct gh_seed *sd = jstr(s, "seed") ? g_hash_table_lookup(c->run_seeds, jstr(s, "seed")) : NULL;
  const char *extra[] = { sd ? sd->name : NULL, NULL };
  gh_record_identify(rj, c->o->regions ? c->o->regions : gh_regions_builtin(), jstr(s, "region"),
                     extra);
  if(!json_object_get(rj, "region_code"))
    json_object_set_new(rj, "region_code", json_null());
}

/* The record is parsed (`rj`, taken): land it, or say why not.  A report
 * page that links its PDF/DOCX is a wrapper: the attachment is the report,
 * and the wrapper lands only if it parsed by itself. */
static void
land_document(struct crawl *c, struct page_job *j, json_t *rj, bool only_if_parsed)
{
  const char *status = jstr(rj, "status");
  const char *reason = jstr(rj, "reason");
  const char *agency = jstr(rj, "agency");
  json_int_t year = json_integer_value(json_object_get(rj, "year"));
  json_object_set_new(j->state, "record_status", json_string(status ? status : ""));
  /* The raw bytes, so `reparse` can rerun a newer parser without fetching. */
  gh_frontier_put_doc(c->fr, j->sha, j->body);
  bool parsed = status && !strcmp(status, gh_status_name(GH_STATUS_PARSED));
  if(only_if_parsed && !parsed) {
    logline(c, GH_LOG_DEBUG, j->url, "%s: %s; its attachments carry the report", j->url,
            status);
  } else if(status && (!strcmp(status, gh_status_name(GH_STATUS_NOT_A_REPORT)) ||
                       !strcmp(status, gh_status_name(GH_STATUS_EMPTY)))) {
    /* An error page behind a report link is not that agency's report: a
     * record would hide the gap.  The URL state keeps what it was. */
    logline(c, GH_LOG_INFO, j->url, "%s: %s: %s", j->url, status, reason ? reason : "");
  } else if(agency && *agency && year > 0) {
    add_provenance(c, j, rj);
    gh_frontier_land(c->fr, rj);
    rj = NULL;
  } else {
    count(c->sum->records, "unlanded");
    logline(c, GH_LOG_INFO, j->url, "%s: %s%s%s (no agency and year: not stored as a record)",
            j->url, status, reason ? ": " : "", reason ? reason : "");
  }
  json_decref(rj);
}

static void
page_done(void *ud, json_t *reply, const char *failure)
{
  struct page_job *j = ud;
  struct crawl *c = j->c;
  json_t *links = json_object_get(reply, "links");
  if(j->discover && !links) {
    /* The worker died on this page (a parser crash, a hang): nothing it
     * links can be trusted, and the failure is the page's. */
    finish_state(c, j->url, j->host, j->state, GH_URL_FAILED, "extract_failed",
                 failure ? failure : "extraction failed");
    g_hash_table_remove(c->processing, j->url);
    return;
  }
  unsigned attachments = j->discover ? queue_links(c, j, links) : 0;
  if(j->extract) {
    json_t *rj = json_incref(json_object_get(reply, "record"));
    if(!rj) {
      if(!j->record_done) {
        struct gh_doc_hints hints = { .link_text = jstr(j->state, "text"), .file_title = j->file_title };
        gh_document_failed(j->sha, j->fmt, failure, &hints, &j->rec);
      }
      rj = gh_record_to_json(&j->rec);
    }
    land_document(c, j, rj, j->kind == GH_LINK_REPORT && attachments > 0);
  }
  finish_state(c, j->url, j->host, j->state, GH_URL_DONE, NULL, NULL);
  g_hash_table_remove(c->processing, j->url); /* frees j */
}

/* Hands a fetched body to the pool for links and/or a record. */
static void
start_page_job(struct crawl *c, struct xfer *x, const char *sha, enum gh_format fmt,
               bool discover, bool extract)
{
  enum gh_link_kind kind = x->kind;
  const char *ctype = x->ctype;
  struct page_job *j = g_new0(struct page_job, 1);
  j->c = c;
  j->url = g_strdup(x->url);
  j->host = g_strdup(x->host->name);
  j->state = json_incref(x->state);
  /* The body moves from the transfer to the job: the worker's request and
   * the stored document share it, no copy (a PDF can be 32 MiB). */
  gsize len;
  j->body = g_string_free_to_bytes(x->in.body);
  x->in.body = NULL;
  const char *bytes = g_bytes_get_data(j->body, &len);
  c->pending_bytes += len;
  j->sha = g_strdup(sha);
  j->file_title = disposition_title(x->disposition);
  j->kind = kind;
  j->discover = discover;
  j->extract = extract;
  gh_record_init(&j->rec);
  struct gh_extract_opts eo = c->o->extract;
  char *cs = gh_content_type_charset(ctype);
  eo.declared_charset = cs;
  /* An oversized document is refused here, unread; everything else is
   * read in a worker. */
  j->fmt = fmt;
  if(extract && gh_document_too_large(len, &eo)) {
    struct gh_doc_hints hints = { .link_text = jstr(x->state, "text"), .file_title = j->file_title };
    gh_document_record(bytes, len, fmt, sha, &eo, &hints, NULL, &j->rec);
    j->record_done = true;
  }
  bool record = extract && !j->record_done;
  g_hash_table_insert(c->processing, j->url, j);
  if(discover || record) {
    /* The page that led here: an API answer of HTML (Hanweb JPaaS) is
     * inserted into that page, so its relative links are that page's. */
    json_t *args = json_pack("{s s s i s b s b s s s s? s s? s s?}", "url", j->url, "kind", (int)kind,
                             "discover", discover, "record", record, "sha256", sha, "text",
                             jstr(x->state, "text"), "file_title", j->file_title, "referer",
                             jstr(x->state, "embed") ? jstr(x->state, "embed")
                                                     : jstr(x->state, "referer"));
    if(args)
      gh_pool_submit(c->pool, j->body, j->fmt, &eo, args, page_done, j);
    else /* every string above is UTF-8 by now; this is a bug, said so */
      page_done(j, NULL, "internal error: the job's arguments are not valid JSON");
    json_decref(args);
  } else {
    page_done(j, NULL, NULL);
  }
  g_free(cs);
}

/* Unchanged listing page: queue again what it linked last time. */
static void
requeue_links(struct crawl *c, struct xfer *x)
{
  size_t i;
  json_t *l;
  json_array_foreach(json_object_get(x->state, "out"), i, l) {
    enum gh_link_kind k;
    if(!gh_link_kind_from_name(json_string_value(json_array_get(l, 1)), &k))
      continue;
    enqueue(c, json_string_value(json_array_get(l, 0)), k,
            (int)json_integer_value(json_array_get(l, 2)), jstr(x->state, "seed"),
            jstr(x->state, "region"), json_string_value(json_array_get(l, 3)), x->url);
  }
}

/* A redirect becomes a new queued URL of the same kind, so the target's
 * host gets its robots.txt check and its delay.  The chain travels in the
 * state to catch loops and over-long chains. */
static void
follow_redirect(struct crawl *c, struct xfer *x, long code, const char *target)
{
  char *to = target ? gh_url_resolve(x->url, target) : NULL;
  json_t *chain = json_object_get(x->state, "redirect_chain");
  chain = chain ? json_deep_copy(chain) : json_array();
  json_array_append_new(chain, json_string(x->url));
  bool loop = false;
  size_t i;
  json_t *v;
  json_array_foreach(chain, i, v) loop |= to && !strcmp(json_string_value(v), to);
  enum gh_link_kind kind = GH_LINK_LIST;
  gh_link_kind_from_name(jstr(x->state, "kind"), &kind);
  const char *seed = jstr(x->state, "seed");
  char *why = NULL;
  if(!to) {
    why = g_strdup_printf("HTTP %ld without a usable Location", code);
    finish_url(c, x, GH_URL_FAILED, "bad_redirect", why);
  } else if(loop || json_array_size(chain) > c->cfg->max_redirects) {
    why = g_strdup_printf("%s after %zu redirects (to %s)", loop ? "redirect loop" : "too many redirects",
                          json_array_size(chain), to);
    finish_url(c, x, GH_URL_FAILED, "redirect_loop", why);
  } else if(!in_scope(c, seed, to, kind == GH_LINK_REPORT ? GH_LINK_ATTACHMENT : kind)) {
    why = g_strdup_printf("redirected off the seed's site to %s", to);
    finish_url(c, x, GH_URL_FAILED, "off_scope", why);
  } else {
    json_object_set_new(x->state, "redirect_to", json_string(to));
    finish_url(c, x, GH_URL_REDIRECTED, NULL, NULL);
    json_t *s = enqueue(c, to, kind, (int)json_integer_value(json_object_get(x->state, "depth")),
                        seed, jstr(x->state, "region"), jstr(x->state, "text"),
                        jstr(x->state, "referer"));
    json_object_set(s, "redirect_chain", chain);
  }
  json_decref(chain);
  g_free(why);
  g_free(to);
}

/* A 2xx answer: validators and hash noted, then links and/or a record,
 * or nothing when the page is unchanged and has nothing to offer. */
static void
fetched(struct crawl *c, struct xfer *x)
{
  enum gh_link_kind kind = x->kind;
  char *sha = gh_sha256_hex(x->in.body->str, x->in.body->len);
  bool unchanged = jstr(x->state, "sha256") && !strcmp(jstr(x->state, "sha256"), sha);
  enum gh_format fmt = gh_sniff(x->in.body->str, x->in.body->len);
  bool page = kind == GH_LINK_SEED || kind == GH_LINK_SECTION || kind == GH_LINK_COLUMN ||
              kind == GH_LINK_LIST;
  if(x->etag)
    json_object_set_new(x->state, "etag", json_string(x->etag));
  if(x->last_modified)
    json_object_set_new(x->state, "last_modified", json_string(x->last_modified));
  json_object_set_new(x->state, "sha256", json_string(sha));
  char *iso = now_iso();
  json_object_set_new(x->state, "fetched_at", json_string(iso));
  g_free(iso);
  /* List answers come as HTML, or as XML/JSON text (dataproxy.jsp).
   * A seed may itself be a report page (the survey lists some); a
   * "column" link may be a file all along; report pages are read for
   * their record and their attachments. */
  bool markup = fmt == GH_FMT_HTML || fmt == GH_FMT_TEXT;
  bool discover = (page && markup) || (kind == GH_LINK_REPORT && fmt == GH_FMT_HTML);
  bool extract =
    !unchanged && (!page || (page && !markup && kind != GH_LINK_SEED) ||
                   (kind == GH_LINK_SEED && markup &&
                    memmem(x->in.body->str, x->in.body->len, "本年新收", 12)));
  if(discover || extract)
    start_page_job(c, x, sha, fmt, discover, extract);
  else
    finish_url(c, x, GH_URL_DONE, NULL, NULL);
  g_free(sha);
}

/* An answer: its URL's state, the host's politeness, retries.  A 2xx is
 * left marked `fetched` for fetched() to run after the loop has started
 * the next requests. */
static void
done(struct crawl *c, struct xfer *x, CURLcode rc)
{
  long code = 0;
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
  char *ctype = NULL;
  curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ctype);
  curl_off_t retry_after = 0;
  curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &retry_after);
  struct gh_host *h = x->host;
  double wait = 0;
  if(code > 0) {
    c->sum->fetched++;
    c->sum->bytes += x->in.body->len;
  }

  if(x->robots) {
    if(x->in.too_large && code >= 200 && code < 300)
      rc = CURLE_OK; /* parse the first 500 KiB */
    long status = rc == CURLE_OK ? code : 0;
    if(rc == CURLE_COULDNT_CONNECT && x->guard.refused) {
      char *why = g_strdup_printf("%s resolves to the private address %s ([crawl] allow_private "
                                  "lists hosts allowed to)", h->name, x->guard.addr);
      gh_host_robots_unavailable(h, false, 0, "private_address", why);
      g_free(why);
      finish_host(c, x, 0);
      gh_log(GH_LOG_WARNING, NULL, "%s", h->drain);
      return;
    }
    if(rc != CURLE_OK || status >= 500 || status == 429) {
      bool transient = rc == CURLE_OK || retryable_kind(curl_error_kind(rc));
      char *why = g_strdup_printf("robots.txt unreachable (%s)",
                                  rc ? curl_easy_strerror(rc) : "server error");
      wait = gh_host_robots_unavailable(h, transient, retry_after > 0 ? (double)retry_after : 0,
                                        rc ? curl_error_kind(rc) : "robots_unreachable", why);
      g_free(why);
      if(wait >= 0) {
        finish_host(c, x, wait);
        logline(c, GH_LOG_INFO, x->url, "%s: robots.txt unavailable (%s), retry in %.0f s", h->name,
                rc ? curl_easy_strerror(rc) : "server error", wait);
        return;
      }
      /* Given up (RFC 9309 §2.3.1.4: unreachable means complete
       * disallow): the host drains, and its robots state is kept. */
      status = 503;
    } else {
      gh_host_set_robots(h, status, x->in.body->str, x->in.body->len);
    }
    host_save(c, h, status, status >= 200 && status < 300 ? x->in.body->str : "");
    h->robots_loading = false;
    finish_host(c, x, 0);
    return;
  }

  if(rc != CURLE_OK) {
    bool refused = rc == CURLE_COULDNT_CONNECT && x->guard.refused;
    const char *kind = x->in.too_large ? "too_large" : refused ? "private_address" : curl_error_kind(rc);
    char *reason = x->in.too_large
                     ? g_strdup_printf("body over the %zu-byte limit (transfer aborted)", x->in.cap)
                   : refused ? g_strdup_printf("the host resolves to the private address %s "
                                               "([crawl] allow_private lists hosts allowed to)",
                                               x->guard.addr)
                   : rc == CURLE_OUT_OF_MEMORY
                     ? g_strdup("the answer's headers are too large (over libcurl's 100 KiB)")
                     : g_strdup(curl_easy_strerror(rc));
    if(retryable_kind(kind))
      retry_later(c, x, kind, reason, &wait);
    else
      finish_url(c, x, GH_URL_FAILED, kind, reason);
    g_free(reason);
    finish_host(c, x, wait);
    return;
  }
  gh_host_succeeded(h);
  enum gh_link_kind kind = GH_LINK_SEED;
  gh_link_kind_from_name(jstr(x->state, "kind"), &kind);
  json_object_set_new(x->state, "http_status", json_integer(code));
  /* Attempts count within a cycle; an answer that is not a retry ends them. */
  if(code != 429 && code < 500)
    json_object_del(x->state, "attempts");
  const char *blocked = gh_detect_blocked(code, x->in.body->str, x->in.body->len);
  char *why = NULL;

  if(blocked) {
    finish_url(c, x, GH_URL_BLOCKED, "blocked", blocked);
  } else if(code >= 300 && code < 400 && code != 304) {
    char *target = NULL;
    curl_easy_getinfo(x->easy, CURLINFO_REDIRECT_URL, &target);
    follow_redirect(c, x, code, target);
  } else if(code == 304) {
    c->sum->not_modified++;
    requeue_links(c, x);
    finish_url(c, x, GH_URL_DONE, NULL, NULL);
  } else if(code == 429 || code == 503) {
    why = g_strdup_printf("HTTP %ld", code);
    if(retry_after > 0 && (double)retry_after > c->cfg->max_retry_after_seconds) {
      char *r = g_strdup_printf("HTTP %ld with Retry-After %" CURL_FORMAT_CURL_OFF_T
                                " s (over the %.0f s limit; next cycle)",
                                code, retry_after, c->cfg->max_retry_after_seconds);
      finish_url(c, x, GH_URL_FAILED, code == 429 ? "http_429" : "http_5xx", r);
      g_free(r);
    } else {
      if(retry_after > 0)
        wait = (double)retry_after;
      retry_later(c, x, code == 429 ? "http_429" : "http_5xx", why, &wait);
    }
  } else if(code >= 500) {
    why = g_strdup_printf("HTTP %ld", code);
    retry_later(c, x, "http_5xx", why, &wait);
  } else if(code >= 400 || code < 200 || code >= 300) {
    why = g_strdup_printf("HTTP %ld", code);
    char *kindname = g_strdup_printf("http_%ld", code);
    finish_url(c, x, GH_URL_FAILED, kindname, why);
    g_free(kindname);
  } else {
    x->fetched = true;
    x->kind = kind;
    x->ctype = ctype;
  }
  g_free(why);
  h->pages++;
  finish_host(c, x, wait);
  /* The connection is free, but the URL stays busy until fetched() has
   * run: its queue entry is still there and must not be picked again. */
  if(x->fetched)
    g_hash_table_add(h->busy, g_strdup(x->url));
}

/* ---- choosing what to fetch next ---- */

/* The oldest queued URL of `h` not already in flight, from its scan
 * cursor on, and its sequence number; NULL when none. */
static bool
in_hand(void *ud, const char *url)
{
  struct gh_host *h = ((void **)ud)[1];
  struct crawl *c = ((void **)ud)[0];
  return g_hash_table_contains(h->busy, url) || g_hash_table_contains(c->processing, url);
}

static char *
next_url(struct crawl *c, struct gh_host *h, json_t **state, guint64 *seq)
{
  if(!h->robots && !h->robots_loading && !h->drain)
    host_load(c, h);
  GError *e = NULL;
  void *ud[2] = { c, h };
  char *url = gh_frontier_next(c->fr, h->name, h->scan_from, in_hand, ud, state, seq, &e);
  if(e && !c->error)
    c->error = e;
  else if(e)
    g_error_free(e);
  return url;
}

/* Start whatever the politeness rules allow now.  Returns the earliest
 * time (monotonic µs) something else could start. */
static gint64
fill(struct crawl *c)
{
  gint64 now = g_get_monotonic_time(), soonest = G_MAXINT64;
  /* Backpressure: documents wait for a worker in memory, so stop fetching
   * while the workers are far behind.  Bounded by bytes, not count: a
   * burst of 500 small column pages is normal, 500 large PDFs are not. */
  if(c->pending_bytes > PENDING_BYTES_MAX || gh_pool_pending(c->pool) >= 2048)
    return soonest;
  /* The same while the committer is behind (a stalled disk): finished
   * work waits in memory for it, documents included.  Its end wakes us. */
  if(gh_frontier_committing(c->fr) &&
     (gh_frontier_gathered(c->fr) >= 4 * OPS_PER_BATCH ||
      gh_frontier_held_bytes(c->fr) > PENDING_BYTES_MAX))
    return soonest;
  GHashTableIter it;
  gpointer key, val;
  g_hash_table_iter_init(&it, c->hosts);
  while(g_hash_table_iter_next(&it, &key, &val)) {
    struct gh_host *h = val;
    /* Bounded per turn: skipping robots-denied URLs of a big queue must
     * not starve the event loop. */
    int looks = 0;
    if(c->time_up)
      continue;
    while(looks++ < 64 && c->in_flight < c->cfg->max_connections && !*c->o->stop) {
      gint64 wait_until;
      enum gh_host_turn turn = gh_host_next_job(h, now, &wait_until);
      if(turn == GH_HOST_WAIT)
        soonest = MIN(soonest, wait_until);
      if(turn != GH_HOST_NOW)
        break;
      json_t *state = NULL;
      guint64 seq = 0;
      char *url = next_url(c, h, &state, &seq);
      if(!url) {
        h->idle = true;
        break;
      }
      char *pq = gh_url_path_query(url);
      enum gh_host_pick pick = gh_host_judge(h, pq);
      if(pick == GH_PICK_ROBOTS) {
        /* robots.txt first, through the same politeness as everything. */
        char *robots_url = g_strdup_printf(
          "%s://%s/robots.txt", g_str_has_prefix(url, "https://") ? "https" : "http", h->name);
        json_decref(state);
        g_free(url);
        g_free(pq);
        h->robots_loading = true;
        start(c, h, robots_url, NULL, true);
        g_free(robots_url);
        break;
      }
      h->scan_from = seq + 1; /* each branch below takes the entry */
      switch(pick) {
      case GH_PICK_DRAIN:
        finish_state(c, url, h->name, state, GH_URL_FAILED, h->drain_kind, h->drain);
        break;
      case GH_PICK_DISALLOWED:
        c->sum->robots_denied++;
        finish_state(c, url, h->name, state, GH_URL_ROBOTS, NULL, "disallowed by robots.txt");
        break;
      case GH_PICK_OVER_BUDGET:
        finish_state(c, url, h->name, state, GH_URL_SKIPPED, "max_pages",
                     "over [crawl] max_pages_per_host this cycle");
        break;
      case GH_PICK_ROBOTS:
      case GH_PICK_FETCH:
        start(c, h, url, state, false);
        state = NULL;
        break;
      }
      json_decref(state);
      g_free(pq);
      g_free(url);
    }
  }
  return soonest;
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
    host_get(c, hosts->pdata[i]);
  g_ptr_array_free(hosts, TRUE);
  c->sum->queued_left = gh_frontier_queued(c->st);
}

/* Queue lengths per host, from one walk of the queue database (its keys
 * are host NUL seq): how many seeds are done and when the cycle may end.
 * At national scale the walk is a million keys: report_status spaces it. */
static void
measure_queue(struct crawl *c)
{
  g_hash_table_destroy(c->qcount);
  c->qcount = gh_frontier_queued_by_host(c->st);
  /* ETA: the slowest host, at its delay (the politeness bound), from now. */
  double eta = 0;
  GHashTableIter it;
  gpointer key, val;
  g_hash_table_iter_init(&it, c->qcount);
  while(g_hash_table_iter_next(&it, &key, &val)) {
    struct gh_host *h = g_hash_table_lookup(c->hosts, key);
    if(h && h->unhealthy)
      continue; /* waits for the next cycle */
    double delay = h ? h->delay : c->cfg->delay_seconds;
    eta = MAX(eta, GPOINTER_TO_UINT(val) * MAX(delay, 0.05));
  }
  c->eta_seconds = eta;
  unsigned done = 0;
  for(guint i = 0; i < c->run_hosts->len; i++) {
    const char *h = c->run_hosts->pdata[i];
    struct gh_host *hs = g_hash_table_lookup(c->hosts, h);
    done += !g_hash_table_contains(c->qcount, h) && (!hs || !hs->in_flight);
  }
  c->seeds_done = done;
}

static void
hms(char *buf, size_t n, double seconds)
{
  long t = (long)(seconds + 0.5);
  g_snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

/* The progress line: on a terminal every half second, to the daemon's
 * STATUS, and without a terminal every [log] heartbeat as a log line.  Its
 * words are the summary's: links (report links found), documents
 * (fetched), records (landed). */
static void
report_status(struct crawl *c, bool force)
{
  gint64 now = g_get_monotonic_time();
  if(!force && now - c->last_status < USEC / 2)
    return;
  /* No terminal and no STATUS to feed: the line is built only when a
   * heartbeat is due (the queue walk below is not free at scale). */
  bool beat = !c->o->progress && c->cfg->heartbeat_seconds &&
              now - c->last_heartbeat >= (gint64)c->cfg->heartbeat_seconds * USEC;
  if(!force && !c->o->progress && !c->o->status && !beat)
    return;
  double dt = (double)(now - c->last_status) / USEC;
  double rate = c->last_status ? (double)(c->sum->fetched - c->last_fetched) / dt : 0;
  c->last_status = now;
  c->last_fetched = c->sum->fetched;
  guint64 waiting = gh_frontier_queued(c->st);
  /* Every two seconds, or less often when the walk itself is slow (a
   * national queue): the walk stays under 2% of the loop's time. */
  if(force || now >= c->next_measure || (waiting == 0 && c->eta_seconds > 0)) {
    measure_queue(c);
    gint64 took = g_get_monotonic_time() - now;
    c->next_measure = now + MAX(2 * USEC, 50 * took);
  }
  guint records = 0;
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, c->sum->records);
  while(g_hash_table_iter_next(&it, &k, &v))
    records += GPOINTER_TO_UINT(v);
  guint errors = 0;
  g_hash_table_iter_init(&it, c->sum->errors);
  while(g_hash_table_iter_next(&it, &k, &v))
    errors += GPOINTER_TO_UINT(v);
  unsigned active = 0;
  g_hash_table_iter_init(&it, c->hosts);
  while(g_hash_table_iter_next(&it, &k, &v))
    active += !((struct gh_host *)v)->idle;
  char stalled[64] = "";
  if(c->stall_reported)
    g_snprintf(stalled, sizeof stalled, "store stalled (a commit running for %.0f s), ",
               (double)(now - c->last_flush) / USEC);
  char elapsed[32], eta[32];
  hms(elapsed, sizeof elapsed, (double)(now - c->started) / USEC);
  hms(eta, sizeof eta, c->eta_seconds);
  char *line = g_strdup_printf("%sseeds %u/%u done, hosts %u active, %" G_GUINT64_FORMAT
                               " links, %" G_GUINT64_FORMAT " documents fetched, %" G_GUINT64_FORMAT
                               " queued, %u records, %u errors, %.1f pages/s, %s elapsed, ETA %s",
                               stalled, c->seeds_done, c->run_hosts->len, active,
                               c->sum->reports_found, c->sum->fetched, waiting, records, errors,
                               rate, elapsed, eta);
  if(c->o->progress)
    fprintf(stderr, "\r\033[K%s", line);
  if(c->o->status)
    c->o->status(line, c->o->status_ud);
  /* No terminal (a file, the journal): a heartbeat, not a flood. */
  if(beat) {
    if(c->last_heartbeat)
      gh_log(GH_LOG_INFO, NULL, "progress: %s", line);
    c->last_heartbeat = now;
  }
  g_free(line);
}

/* Called on the committer thread: curl_multi_wakeup is the one curl call
 * made for that. */
static void
wake_loop(void *multi)
{
  curl_multi_wakeup(multi);
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
                                         .retries = c.cfg->retries,
                                         .backoff = c.cfg->backoff_seconds };
  c.hosts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, gh_host_free);
  c.seed_hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  c.active = g_ptr_array_new();
  c.processing = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, page_job_free);
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
  curl_multi_setopt(c.multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
  bool ok = gh_frontier_begin_cycle(st, &c.cycle, err);
  struct gh_frontier_opts fo = { .cycle = c.cycle, .run_id = c.run_id, .refetch = o->refetch,
                                 .wake = wake_loop, .wake_ud = c.multi };
  c.fr = gh_frontier_new(st, &fo);
  if(ok) {
    sum->cycle = c.cycle;
    for(guint i = 0; i < o->seeds->len; i++) {
      const struct gh_seed *s = o->seeds->pdata[i];
      enqueue(&c, s->url, GH_LINK_SEED, 0, s->url, s->region_code, s->name, NULL);
    }
    ok = flush(&c);
    load_hosts(&c);
  }
  bool kicked = false; /* curl_multi_perform ran after the last poll */
  while(ok && !c.error) {
    if(*o->stop) {
      sum->interrupted = true;
      break;
    }
    gint64 soonest = fill(&c);
    if(!maybe_flush(&c, false))
      break;
    bool idle = c.in_flight == 0 && gh_pool_pending(c.pool) == 0;
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, c.hosts);
    while(idle && g_hash_table_iter_next(&it, &k, &v))
      idle = ((struct gh_host *)v)->idle || ((struct gh_host *)v)->unhealthy || c.time_up;
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
    struct pollfd pfds[64];
    struct curl_waitfd wfds[64];
    unsigned nfd = gh_pool_pollfds(c.pool, pfds, G_N_ELEMENTS(pfds));
    for(unsigned i = 0; i < nfd; i++) {
      wfds[i].fd = pfds[i].fd;
      wfds[i].events = (pfds[i].events & POLLOUT) ? CURL_WAIT_POLLOUT : CURL_WAIT_POLLIN;
      wfds[i].revents = 0;
    }
    gint64 now = g_get_monotonic_time();
    int timeout = 500;
    if(soonest != G_MAXINT64)
      timeout = (int)CLAMP((soonest - now + 999) / 1000, 0, 500);
    /* The previous turn ran curl itself: an answer that arrived then is
     * waiting in curl's message queue, with no socket left to wake us. */
    if(kicked)
      timeout = 0;
    kicked = false;
    curl_multi_poll(c.multi, wfds, nfd, timeout, NULL);
    gh_pool_service(c.pool);
    int running = 0;
    curl_multi_perform(c.multi, &running);
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
      g_ptr_array_remove_fast(c.active, x);
      done(&c, x, rc);
      if(!x->fetched) {
        xfer_free(x);
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
      fill(&c);
      curl_multi_perform(c.multi, &running);
      kicked = true;
      for(guint i = 0; i < answered->len; i++) {
        struct xfer *x = answered->pdata[i];
        fetched(&c, x);
        g_hash_table_remove(x->host->busy, x->url);
        xfer_free(x);
      }
      g_ptr_array_free(answered, TRUE);
    }
    if(!maybe_flush(&c, false))
      break;
    if(o->progress || o->status || c.cfg->heartbeat_seconds)
      report_status(&c, false);
    tick(&c);
  }
  /* Stopping: transfers in flight are abandoned; their queue entries stay,
   * so the next run fetches them. */
  while(c.active->len) {
    struct xfer *x = g_ptr_array_steal_index_fast(c.active, c.active->len - 1);
    curl_multi_remove_handle(c.multi, x->easy);
    xfer_free(x);
  }
  /* Documents still in the workers are abandoned the same way. */
  gh_pool_free(c.pool); /* reaps every worker: their CPU is counted below */
  c.pool = NULL;
  g_hash_table_remove_all(c.processing);
  flush(&c);
  sum->cpu_seconds = cpu_seconds(RUSAGE_SELF) - cpu0; /* the committer's included */
  sum->worker_cpu_seconds = cpu_seconds(RUSAGE_CHILDREN) - wcpu0;
  sum->queued_left = gh_frontier_queued(st);
  if(!c.error && !sum->interrupted && sum->queued_left == 0)
    gh_frontier_end_cycle(st, c.cycle, NULL);
  if(o->progress || o->status || c.cfg->heartbeat_seconds)
    report_status(&c, true);
  if(o->progress)
    fputc('\n', stderr);
  sum->seconds = (double)(g_get_monotonic_time() - c.started) / USEC;
  if(c.error) {
    g_propagate_error(err, c.error);
    ok = false;
  }
  curl_multi_cleanup(c.multi);
  curl_slist_free_all(c.resolve);
  curl_slist_free_all(c.connect_to);
  gh_frontier_free(c.fr);
  g_ptr_array_free(c.active, TRUE);
  g_hash_table_destroy(c.processing);
  g_hash_table_destroy(c.run_seeds);
  g_hash_table_destroy(c.qcount);
  g_ptr_array_free(c.run_hosts, TRUE);
  g_hash_table_destroy(c.hosts);
  g_hash_table_destroy(c.seed_hosts);
  return ok;
}

/* ---- summary ---- */

void
gh_crawl_summary_init(struct gh_crawl_summary *s)
{
  memset(s, 0, sizeof *s);
  s->records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  s->errors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  s->unhealthy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void
gh_crawl_summary_clear(struct gh_crawl_summary *s)
{
  g_hash_table_destroy(s->records);
  g_hash_table_destroy(s->errors);
  g_hash_table_destroy(s->unhealthy);
  memset(s, 0, sizeof *s);
}

static void
print_counts(FILE *out, const char *title, GHashTable *h)
{
  GList *keys = g_list_sort(g_hash_table_get_keys(h), (GCompareFunc)strcmp);
  fprintf(out, "%-14s", title);
  if(!keys)
    fprintf(out, " none");
  for(GList *k = keys; k; k = k->next)
    fprintf(out, " %s=%u", (char *)k->data, GPOINTER_TO_UINT(g_hash_table_lookup(h, k->data)));
  fputc('\n', out);
  g_list_free(keys);
}

void
gh_crawl_summary_print(const struct gh_crawl_summary *s, FILE *out)
{
  fprintf(out, "cycle          %" G_GUINT64_FORMAT "%s\n", s->cycle,
          s->interrupted ? " (interrupted; run again to resume)"
          : s->time_limited && s->queued_left ? " (unfinished: cycle_time_limit reached; run again to resume)"
          : s->queued_left && g_hash_table_size(s->unhealthy)
            ? " (unfinished: unhealthy hosts wait for the next run)"
          : s->queued_left ? " (unfinished)"
                           : " (complete)");
  /* The progress line's words: links found, documents fetched, records
   * landed. */
  fprintf(out, "hosts          %u\n", s->hosts);
  fprintf(out, "links          %" G_GUINT64_FORMAT " report links found\n", s->reports_found);
  fprintf(out, "documents      %" G_GUINT64_FORMAT " fetched, %.1f MiB, %" G_GUINT64_FORMAT
               " not modified\n",
          s->fetched, (double)s->bytes / (1024.0 * 1024.0), s->not_modified);
  print_counts(out, "records", s->records);
  print_counts(out, "errors", s->errors);
  fprintf(out, "robots denied  %" G_GUINT64_FORMAT "\n", s->robots_denied);
  fprintf(out, "queued         %" G_GUINT64_FORMAT "\n", s->queued_left);
  GList *hosts = g_list_sort(g_hash_table_get_keys(s->unhealthy), (GCompareFunc)strcmp);
  for(GList *l = hosts; l; l = l->next)
    fprintf(out, "unhealthy      %s: %s\n", (const char *)l->data,
            (const char *)g_hash_table_lookup(s->unhealthy, l->data));
  g_list_free(hosts);
  fprintf(out, "time           %.1f s\n", s->seconds);
  fprintf(out, "cpu            %.2f s crawler, %.2f s extraction workers\n", s->cpu_seconds,
          s->worker_cpu_seconds);
}

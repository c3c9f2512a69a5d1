/* The crawl loop's insides, shared by its files (model: curl's
 * lib/multihandle.h): the loop's context, a transfer, a page job, and the
 * functions one file calls in another.  Not for anything outside the
 * files below (and render.c): the public face is crawl.h.
 *
 *   crawl.c     hosts, URL states, scope, starting transfers
 *   loop.c      the turns (gh_crawl_new, gh_crawl_turn, gh_crawl_free),
 *               committing, the cycle
 *   turns.c     each turn: which hosts may start a request, which URL each takes
 *   answer.c    what each answer means, one function per outcome
 *   job.c       a fetched body in a worker, and its links and record back
 *   progress.c  the status line, the heartbeat and the daemon's STATUS
 *   summary.c   the summary a crawl prints */
#ifndef GH_CRAWL_INT_H
#define GH_CRAWL_INT_H

#include <curl/curl.h>
#include <jansson.h>

#include "../store/frontier.h"
#include "crawl.h"
#include "discover.h"
#include "fetch.h"
#include "host.h"
#include "log.h"

#define GH_CRAWL_ERROR (g_quark_from_static_string("gh-crawl"))
#define USEC 1000000
/* A robots.txt older than this is fetched again (RFC 9309 §2.4: caching
 * beyond 24 hours is discouraged). */
#define ROBOTS_MAX_AGE (24 * 3600)

/* ---- state kept in memory: hosts and transfers, never URLs ---- */

struct render_fetch;
struct gh_render;

struct xfer {
  CURL *easy;
  struct gh_host *host;
  char *url;
  struct gh_urlstate *state; /* the URL's state as queued (owned) */
  struct gh_capped in;
  struct gh_answer_headers hd;
  struct curl_slist *req_headers;
  bool robots;
  /* A 2xx whose body is still to be hashed and handed to a worker: crawl_answer()
   * frees the host first, so its next request goes out before that work. */
  bool fetched;
  enum gh_link_kind kind;
  const char *ctype; /* the easy handle's, valid until crawl_xfer_free */
  struct gh_private_guard guard;
  struct render_fetch *rf; /* a rendered page's request (render.c), or NULL */
};

struct crawl {
  struct gh_host_rules host_rules; /* [crawl]'s politeness, for every host */
  struct gh_store *st;
  GHashTable *run_seeds;  /* seed URL -> its struct gh_seed (borrowed): this run's seeds */
  /* The run's seeds crawled past this cycle's visits (an operator's "now":
   * gh_crawl_opts.force, or gh_crawl_add_seeds'), a set of seed URLs
   * (borrowed); NULL: none. */
  GHashTable *forced;
  gint64 run_id;          /* marks pages a forced run requeued: each once */
  const struct gh_crawl_opts *o;
  const struct gh_config *cfg;
  struct gh_crawl_summary *sum;
  CURLM *multi;
  GHashTable *hosts; /* name -> struct gh_host * */
  GHashTable *seed_hosts; /* seed URL -> its host, for scope checks */
  GHashTable *active;     /* struct xfer * in flight (a set) */
  struct gh_events *ev;
  GQueue dirty;           /* hosts to look at next turn (host_mark) */
  GSequence *timers;      /* waiting hosts by the time their wait ends */   /* curl's sockets and timers over epoll (events.c) */
  struct gh_frontier *fr; /* URL states, queues and the crawl's writes (store/frontier.h) */
  struct gh_sandbox *pool;   /* extraction workers */
  unsigned workers;
  guint64 pending_bytes;  /* bodies waiting in or for a worker */
  GHashTable *processing; /* URL -> struct doc_job *: fetched, being extracted */
  GHashTable *deferred;   /* URLs left queued for the next run (job.c's defer_job) */
  GHashTable *costly;     /* host -> documents of it that hit a worker's cap (job.c) */
  GHashTable *page_sets;  /* report page URL -> its page scans being fetched (job.c), or NULL */
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
  struct gh_render *render; /* the browser fallback (render.c); NULL: off */
};

/* A crawl as its callers hold it (crawl.h): the loop's context and what
 * gh_crawl_turn keeps from one turn to the next. */
struct gh_crawl {
  struct crawl c;
  double cpu0, wcpu0; /* CPU seconds at the start: the summary's are since */
  bool kicked;        /* curl's timeouts were run after the last poll (gh_events_kick) */
  bool over;          /* drained, stopped or failed: turns do nothing more */
};

/* A fetched page or document on its way to links and a record.  The
 * hostile parts (HTML, PDF, DOCX parsing, link discovery) run in a pool
 * worker while the event loop goes on; the URL is finished (and dequeued)
 * only when the job completes, so a crash in between refetches it. */
struct page_job {
  struct crawl *c;
  char *url;
  char *host; /* its queue's */
  struct gh_urlstate *state; /* moved from the transfer */
  GBytes *body;
  char *sha;
  char *file_title; /* the Content-Disposition name, decoded (or NULL) */
  enum gh_link_kind kind;
  bool discover, extract;
  enum gh_format fmt;
  GByteArray *args;  /* the worker's arguments, kept for another attempt */
  char *charset;     /* the Content-Type's, likewise */
  unsigned attempts; /* extraction attempts a transient failure ended */
  char *ctype; /* the answer's Content-Type (a render serves the page with it) */
  json_t *images; /* an image-page report's scans, in order: its provenance (or NULL) */
  /* A rendered page's snapshot or answer (crawl_job_discover): its links
   * are queued under `state` (borrowed), nothing is finished, and this is
   * told how many links it gave. */
  void (*part_done)(void *ud, void *job, unsigned links, json_t *found);
  void *part_ud;
};

#define PENDING_BYTES_MAX ((guint64)256 << 20)
/* A commit starts at most every FLUSH_EVERY µs, or sooner with this many
 * writes waiting (crawl.c's maybe_flush). */
#define FLUSH_EVERY (USEC / 10)
#define OPS_PER_BATCH 8000


static inline const char *
jstr(const json_t *o, const char *k)
{
  return json_string_value(json_object_get(o, k));
}

/* ---- crawl.c ---- */

/* A log line about one URL (its URL and host become journal fields). */
void crawl_log(struct crawl *c, enum gh_log_level level, const char *url, const char *fmt, ...)
  G_GNUC_PRINTF(4, 5);
void crawl_count(GHashTable *h, const char *name);
char *crawl_now_iso(void);
struct gh_host *crawl_host_get(struct crawl *c, const char *name);
/* The host's state (pages, and robots.txt when `robots_status`) to store. */
void crawl_host_save(struct crawl *c, struct gh_host *h, long robots_status, const char *robots);
/* The one place a URL leaves the queue (see crawl.c): in `state`, with no
 * failure. */
void crawl_finish(struct crawl *c, const char *url, const char *host, struct gh_urlstate *s,
                  enum gh_url_state state, const char *reason);
void crawl_finish_xfer(struct crawl *c, struct xfer *x, enum gh_url_state state,
                       const char *reason);
/* Likewise for a failure: the URL is left in the state the kind's row
 * says (store/fail.c), under the kind's stored name (GH_FAIL_HTTP_STATUS:
 * "http_<code>" of the status `s` records), counted in the summary. */
void crawl_fail(struct crawl *c, const char *url, const char *host, struct gh_urlstate *s,
                enum gh_fail f, const char *reason);
void crawl_fail_xfer(struct crawl *c, struct xfer *x, enum gh_fail f, const char *reason);
/* Counts a failure in the summary's errors by kind. */
void crawl_count_fail(struct crawl *c, enum gh_fail f);
/* Whether pages of `seed` are queued past this cycle's visits (once per
 * run). */
bool crawl_seed_forced(struct crawl *c, const char *seed);
/* Queues `url` (see crawl.c); returns its state, borrowed, or NULL.
 * `url_host`: its host when the caller has it (crawl_in_scope), else NULL. */
struct gh_urlstate *crawl_enqueue(struct crawl *c, const char *url, const char *url_host,
                      enum gh_link_kind kind, int depth, const char *seed, const char *region,
                      const char *text, const char *referer);
/* Whether the crawl follows `url` from `seed`'s site; when it does and
 * `url_host` is given, the URL's host (g_free), parsed on the way. */
bool crawl_in_scope(struct crawl *c, const char *seed, const char *url, enum gh_link_kind kind,
                    char **url_host);

/* A host's stored state (robots.txt of today, pages this cycle). */
void crawl_host_load(struct crawl *c, struct gh_host *h);
/* A transfer of `url` on host `h` (asking `ask` when not NULL: a form
 * post's target), its body capped at `cap`, the easy handle set up as
 * every crawl request is (callbacks, politeness headers, address guard). */
struct xfer *crawl_xfer_new(struct crawl *c, struct gh_host *h, const char *url, const char *ask,
                            size_t cap);
/* Starts a transfer of `url` (`state` taken; NULL for robots.txt). */
void crawl_start(struct crawl *c, struct gh_host *h, const char *url, struct gh_urlstate *state,
                 bool robots);
/* A transfer's memory, once libcurl and crawl_answer are done with it. */
void crawl_xfer_free(struct xfer *x);

/* ---- turns.c ---- */

/* The host's failure or cost budget is spent (h->unhealthy says why): no
 * more requests this cycle, named in the summary and stats. */
void crawl_host_set_aside(struct crawl *c, struct gh_host *h);
/* The host may have something to start: look at it next turn. */
void crawl_host_mark(struct crawl *c, struct gh_host *h);
/* Starts what the politeness rules allow now; returns the earliest time
 * (monotonic µs) another host's wait ends. */
gint64 crawl_fill(struct crawl *c);
/* True when no host has anything queued (asking the frontier for hosts
 * that are only waiting out their delay): the cycle's work is done.  Only
 * when nothing is in flight or in a worker. */
bool crawl_hosts_drained(struct crawl *c);

/* ---- answer.c ---- */

/* A transfer ended (rc): its URL's state, the host's politeness, retries. */
void crawl_answer(struct crawl *c, struct xfer *x, CURLcode rc);
/* A 2xx's body, after the loop started the next requests: to a worker. */
void crawl_answer_fetched(struct crawl *c, struct xfer *x);

/* ---- job.c ---- */

void crawl_job_start(struct crawl *c, struct xfer *x, const char *sha, enum gh_format fmt,
                     bool discover, bool extract);
void crawl_job_free(void *job);
/* A page scan of an image-page report left the queue (crawl_finish): once
 * all of the page's scans have, they are read as one document. */
void crawl_pages_settled(struct crawl *c, const char *url, const struct gh_urlstate *s,
                         enum gh_url_state state, const char *reason);

/* ---- pageset.c: an image-page report's scans (data only: it calls no
 * other file of the loop) ---- */

struct page_set;
/* The scans a report page lists, queued one by one (crawl_page_set_add
 * marks each scan's state with its page), then kept in the crawl with
 * the number of images the page showed. */
struct page_set *crawl_page_set_new(const char *page, const char *host,
                                    const struct gh_urlstate *page_state, const char *text);
void crawl_page_set_add(struct page_set *ps, const char *url, struct gh_urlstate *scan_state);
void crawl_page_set_listed(struct crawl *c, struct page_set *ps, unsigned shown);
void crawl_page_set_free(void *ps);
/* A fetched scan's bytes, kept for its set and stored. */
void crawl_page_set_keep(struct crawl *c, const struct gh_urlstate *s, const char *url,
                         const char *sha, GBytes *body);
/* The whole set, once its last scan is settled (each field taken). */
struct page_bundle {
  char *page, *host;
  struct gh_urlstate *state; /* seed, region, the report's title, the page's referer */
  GBytes *bundle;            /* pages.h */
  json_t *images;            /* the scans' URLs in order */
  unsigned got, n;           /* scans fetched, of */
};
/* Marks `url`'s scan settled (`state`, `reason`); true with `out` filled
 * when it was its set's last, the set then dropped. */
bool crawl_page_set_settle(struct crawl *c, const char *url, const struct gh_urlstate *s,
                           enum gh_url_state state, const char *reason,
                           struct page_bundle *out);

/* Links of `body` (a rendered page's DOM, or an answer it fetched) at
 * `url`, read in a worker as a page of kind `kind` shown in `embed`:
 * queued under the page's `state` (borrowed until `done` runs; under
 * probe --render not queued but given to `done` as `found`).  Returns
 * the job, for crawl_job_free if the pool is freed before it is done. */
void *crawl_job_discover(struct crawl *c, const char *url, const char *host, const char *embed,
                        enum gh_link_kind kind, GBytes *body, const char *ctype,
                        struct gh_urlstate *state,
                        void (*done)(void *ud, void *job, unsigned links, json_t *found),
                        void *ud);

/* ---- progress.c ---- */

/* At most once a second (always with `force`): the status line, STATUS=
 * and the heartbeat. */
void crawl_report_status(struct crawl *c, bool force);

#endif

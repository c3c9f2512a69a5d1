/* The crawl scheduler: one libcurl multi event loop over every host, polite
 * per host, with the frontier in the store.
 *
 * A crawl runs in cycles.  A cycle starts by queueing the seeds and ends
 * when the queue is empty; every URL's state records the cycle it was last
 * queued in, so a killed crawl resumes its cycle and a finished URL is never
 * fetched twice in one cycle.  Listing pages are revisited every cycle (with
 * conditional requests); report documents once. */
#ifndef GH_CRAWL_H
#define GH_CRAWL_H

#include <curl/curl.h>
#include <sys/socket.h>
#include <glib.h>
#include <signal.h>
#include <stdbool.h>

#include "../config/config.h"
#include "../config/seeds.h"
#include "../extract/sandbox.h"
#include "../store/store.h"

/* A response body read up to a cap: the CURLOPT_WRITEFUNCTION
 * gh_capped_write (with the struct as CURLOPT_WRITEDATA) aborts the transfer
 * with too_large set rather than read a byte past `cap`. */
struct gh_capped {
  GString *body;
  size_t cap;
  bool too_large;
};
size_t gh_capped_write(char *data, size_t size, size_t n, void *ud);

/* The options every request of govharvest carries, the crawler's and
 * probe's alike: the user agent, http(s) only, time and stall limits,
 * content decoding, the configured host maps and, for a host named in
 * [crawl] tls_insecure_hosts, legacy TLS.  `host_port` is the URL's
 * "host[:port]".  Redirects, caps and request headers are the caller's. */
/* No private targets from DNS: a public name that resolves to a loopback,
 * private, link-local (cloud metadata), CGNAT or multicast address is not
 * connected to, unless the host is mapped by [crawl] resolve/connect_to
 * (or --resolve/--connect-to) or listed in [crawl] allow_private, or a
 * proxy is configured (the proxy is what is connected to).  The guard
 * lives as long as the handle; after a CURLE_COULDNT_CONNECT, `refused`
 * says the guard was why and `addr` which address it was. */
struct gh_private_guard {
  CURL *easy;
  const struct gh_config *cfg;
  bool refused;
  char addr[64];
};
void gh_crawl_easy_setup(CURL *e, const struct gh_config *cfg, const char *host_port,
                         struct curl_slist *resolve, struct curl_slist *connect_to,
                         struct gh_private_guard *guard);
/* Loopback, private, link-local, CGNAT, multicast, reserved, unspecified
 * (IPv4, IPv6, and IPv4 mapped in IPv6). */
bool gh_addr_is_private(const struct sockaddr *sa);
/* Requests ask for Chinese pages: some portals serve a language picker
 * or an English shell otherwise. */
#define GH_ACCEPT_LANGUAGE "Accept-Language: zh-CN,zh;q=0.9"

/* One GET with the crawler's request options: for probe and seed
 * discovery, which read a page at a time rather than a host's queue.
 * With `follow`, redirects are followed here within max_redirects;
 * without, a 3xx comes back with its `location` (resolved).  `error` is
 * set when no whole answer came (too_large, private_address, curl's
 * message). */
struct gh_page {
  long status;
  char *final_url;
  char *location;
  GBytes *body;
  char *ctype;
  char *error;
};
void gh_get_page(const struct gh_config *cfg, struct curl_slist *resolve,
                 struct curl_slist *connect_to, const char *url, bool follow, struct gh_page *f);
void gh_page_clear(struct gh_page *f);

struct gh_crawl_opts {
  const struct gh_config *cfg;
  GPtrArray *seeds;                 /* struct gh_seed * */
  const struct gh_regions *regions; /* may be NULL: seed codes only */
  struct gh_extract_opts extract;
  bool progress;                    /* live status line on stderr */
  /* Fetch report documents fetched in earlier cycles again (conditional
   * requests still honoured: an unchanged one answers 304). */
  bool refetch;
  /* Crawl `seeds` again even where this cycle already did (an operator's
   * "now": crawl --seed/--region, a daemon request); each page once per
   * run. */
  bool force;
  volatile sig_atomic_t *stop;      /* set by a signal handler: stop cleanly */
  /* Called about once a second with a one-line summary (the daemon's
   * STATUS=); may be NULL. */
  void (*status)(const char *line, void *ud);
  /* Called every event-loop turn (at least twice a second): the daemon's
   * watchdog ping, so a hung loop is noticed.  May be NULL. */
  void (*tick)(void *ud);
  void *status_ud; /* for both callbacks */
  /* A store commit running longer than this (µs; 0: a minute) is taken
   * for a stalled disk: it is logged and shown in the status, and tick is
   * not called until it completes, so a watchdog restarts the daemon as it
   * would a hung loop.  The daemon passes its watchdog period. */
  gint64 commit_stall_usec;
};

struct gh_crawl_summary {
  guint64 cycle;
  unsigned hosts;
  guint64 fetched;      /* HTTP responses received, robots.txt included */
  guint64 not_modified; /* 304 answers to conditional requests */
  guint64 bytes;
  guint64 reports_found; /* report pages and attachments newly queued */
  guint64 robots_denied;
  guint64 queued_left;   /* still queued when the crawl stopped */
  GHashTable *records;   /* landed, by status name -> GUINT_TO_POINTER(count) */
  GHashTable *errors;    /* failures by kind -> count */
  GHashTable *unhealthy; /* host -> why it was set aside this cycle ([crawl] host_failures) */
  bool interrupted;
  bool time_limited;     /* [crawl] cycle_time_limit stopped new requests */
  double seconds;
  double cpu_seconds;        /* the crawler process: fetching, scheduling, storing */
  double worker_cpu_seconds; /* its extraction workers: reading, parsing, discovery */
};

void gh_crawl_summary_init(struct gh_crawl_summary *s);
void gh_crawl_summary_clear(struct gh_crawl_summary *s);
/* Prints the summary as the crawl command shows it. */
void gh_crawl_summary_print(const struct gh_crawl_summary *s, FILE *out);

/* Runs until the frontier is drained or *stop is set.  False with *err only
 * for store failures; fetch and parse failures are recorded per URL. */
/* What the crawler's extraction workers run (extract/worker.c): a page's
 * links and/or its record, from the fetched bytes. */
#define GH_CRAWL_WORK "crawl"
json_t *gh_crawl_work(const struct gh_pool_input *in);

bool gh_crawl_run(struct gh_store *st, const struct gh_crawl_opts *o,
                  struct gh_crawl_summary *sum, GError **err);

#endif

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
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>

#include "../config/config.h"
#include "fetch.h"
#include "seeds.h"
#include "../extract/sandbox.h"
#include "../store/store.h"

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
  /* Host name -> struct gh_host *, kept by the caller across runs in one
   * process (the daemon: one crawl follows another, and a host must not
   * forget when it may next be asked, nor its backoff).
   * NULL: this run's own.  Create it with gh_crawl_hosts_new. */
  GHashTable *hosts;
  /* probe --render: every page of kind seed is rendered whatever its
   * static reading found, nothing is followed, and what each render did
   * is kept in the summary's render_log. */
  bool render_probe;
};

/* A table for gh_crawl_opts.hosts (g_hash_table_destroy frees it). */
GHashTable *gh_crawl_hosts_new(void);

struct gh_crawl_summary {
  guint64 cycle;
  unsigned hosts;
  guint64 fetched;      /* HTTP responses received, robots.txt included */
  guint64 not_modified; /* 304 answers to conditional requests */
  guint64 bytes;
  guint64 reports_found; /* report pages and attachments newly queued */
  guint64 robots_denied;
  guint64 queued_left;   /* still queued when the crawl stopped */
  guint64 rendered;      /* pages rendered in the browser ([render]) */
  guint64 render_failed; /* renders cut short by a cap or a browser's death */
  GPtrArray *render_wanted; /* URLs of pages that wanted rendering and were not (g_free) */
  json_t *render_log;    /* render_probe: per rendered page, its requests, clicks and links */
  GHashTable *records;   /* landed, by status name -> GUINT_TO_POINTER(count) */
  GHashTable *errors;    /* failures by kind -> count */
  GHashTable *unhealthy; /* host -> why it was set aside this cycle ([crawl] host_failures) */
  bool interrupted;
  bool time_limited;     /* [crawl] cycle_time_limit stopped new requests */
  double seconds;
  double cpu_seconds;        /* the crawler process: fetching, scheduling, storing */
  double worker_cpu_seconds; /* its extraction workers: reading, parsing, discovery */
  /* Store commits, from handing a batch to the committer to the loop
   * collecting it: how far the store lags behind the crawl. */
  guint64 commits;
  double commit_seconds, commit_max_seconds;
};

void gh_crawl_summary_init(struct gh_crawl_summary *s);
void gh_crawl_summary_clear(struct gh_crawl_summary *s);
/* Prints the summary as the crawl command shows it. */
void gh_crawl_summary_print(const struct gh_crawl_summary *s, FILE *out);

/* What the crawler's extraction workers run (extract/sandbox.c): a page's
 * links and/or its record, from the fetched bytes. */
#define GH_CRAWL_WORK "crawl"
GByteArray *gh_crawl_work(const struct gh_sandbox_input *in);

/* A running crawl, driven a turn at a time (the daemon) or to its end
 * (gh_crawl_run). */
struct gh_crawl;
/* Begins (or resumes) the cycle and queues `o`'s seeds.  `st`, `o`, what
 * `o` points to (the configuration, the seeds) and `sum` are borrowed until
 * gh_crawl_free.  Never NULL: a store failure here ends the first turn, and
 * gh_crawl_free reports it. */
struct gh_crawl *gh_crawl_new(struct gh_store *st, const struct gh_crawl_opts *o,
                              struct gh_crawl_summary *sum);
/* One turn of the loop: starts what the hosts' politeness allows, waits
 * at most `timeout_usec` (and never over half a second) for answers,
 * handles them.  True while there is more to do; false once the frontier
 * is drained, *stop was set or the store failed. */
bool gh_crawl_turn(struct gh_crawl *c, gint64 timeout_usec);
/* A reload, between two turns: from now on the crawl obeys `cfg` (borrowed
 * until gh_crawl_free; the one it replaces must also live until then, as
 * requests in flight were set up from it): per-host limits, delays,
 * budgets and retries apply at once, and each host keeps when it may next
 * be asked (pushed back by a longer delay), its backoff and its failures.
 * Transfers in flight go on.  What was set up once for the crawl ([crawl]
 * resolve, connect_to, max_connections, the extraction workers) stays as
 * it was until the next crawl. */
void gh_crawl_reconfigure(struct gh_crawl *c, const struct gh_config *cfg);
/* More seeds (struct gh_seed *, borrowed until gh_crawl_free) for the
 * running crawl, queued now; with `force`, past this cycle's visits, once
 * in this crawl: a seed already forced in it is not crawled again. */
void gh_crawl_add_seeds(struct gh_crawl *c, GPtrArray *seeds, bool force);
/* Ends the crawl (transfers still in flight are abandoned and stay queued
 * for the next), commits what is pending and completes the summary.
 * False with *err only for a store failure; fetch and parse failures are
 * recorded per URL. */
bool gh_crawl_free(struct gh_crawl *c, GError **err);
/* gh_crawl_new, turns until there is nothing more to do or *stop is set,
 * gh_crawl_free. */
bool gh_crawl_run(struct gh_store *st, const struct gh_crawl_opts *o,
                  struct gh_crawl_summary *sum, GError **err);

#endif

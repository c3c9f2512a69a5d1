/* One host's politeness: how often it may be asked, robots.txt first, its
 * Crawl-delay, backoff after failures, a failure budget, and draining when
 * it cannot be crawled at all (model: wget2's src/host.c).
 *
 * The crawl loop asks (gh_host_next_job, gh_host_judge) and reports
 * (gh_host_started, gh_host_answered, gh_host_failed, gh_host_succeeded);
 * it never computes a delay itself.  Times are monotonic microseconds
 * (g_get_monotonic_time), passed in so the rules can be tested without a
 * clock.  A host holds no URL states: those are the frontier's. */
#ifndef GH_HOST_H
#define GH_HOST_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "../store/fail.h"
#include "robots.h"

/* The [crawl] settings a host obeys (borrowed for the host's life). */
struct gh_host_rules {
  double delay;          /* seconds between requests: the floor of any Crawl-delay */
  unsigned connections;  /* requests in flight at once */
  guint64 max_pages;     /* pages per cycle */
  guint64 failures;      /* network failures in a cycle before the host is set aside */
  double failure_time;   /* seconds spent in failed transfers per cycle, likewise (0: none) */
  guint64 retries;       /* attempts of robots.txt after the first */
  double backoff;        /* seconds: the first retry's wait, doubled per failure */
};

struct gh_host {
  char *name;            /* host[:port], as gh_url_host gives it */
  const struct gh_host_rules *rules;
  unsigned in_flight;
  gint64 next_ok;        /* no request starts before this */
  double delay;          /* seconds: max(rules->delay, Crawl-delay) */
  struct gh_robots *robots; /* NULL until robots.txt was read (or loaded) */
  bool robots_loading;   /* its request is in flight */
  unsigned robots_attempts;
  guint64 pages;         /* fetched in this cycle */
  bool idle;             /* the last look found nothing queued */
  char *drain;           /* set: everything queued fails with this reason */
  enum gh_fail drain_kind;
  unsigned failures;     /* consecutive, for backoff */
  /* This cycle's, never reset by a success (a 404 between two drips must
   * not renew the budget): failures and seconds spent in failed transfers. */
  unsigned cycle_failures;
  double failed_seconds;
  /* Set once the failure budget is spent (a tarpit, a dead server): no
   * more requests this cycle; its URLs stay queued for the next. */
  char *unhealthy;
  GHashTable *busy;      /* URLs in flight or being extracted */
  /* Queue entries below this sequence number are all in flight, being
   * extracted or finished: the next pick starts here instead of walking
   * past them (hundreds per batch on a fast host).  Lowered when an entry
   * goes back to waiting (a retry). */
  guint64 scan_from;
  /* The crawl loop's bookkeeping of when to look at the host again (it
   * keeps a queue of changed hosts and a timer per waiting one). */
  bool sched_dirty;
  gint64 sched_at;
  void *sched_timer; /* GSequenceIter *, or NULL */
  gint64 run_mark;   /* the crawl run that last used it (crawl.c's crawl_host_get) */
};

struct gh_host *gh_host_new(const char *name, const struct gh_host_rules *rules);
void gh_host_free(void *host);

/* Its rules changed (a reload): the delay is the new floor under its
 * Crawl-delay, and a longer one pushes back the next request as
 * gh_host_set_robots does; when it may next be asked, its backoff and its
 * failures are kept. */
void gh_host_rules_changed(struct gh_host *h);

/* ---- robots.txt ---- */

/* The answer to robots.txt (status 0: none), per RFC 9309: its rules and
 * Crawl-delay apply from now; a delay that grew also pushes back the next
 * request, which the robots.txt request itself spaced by the old one. */
void gh_host_set_robots(struct gh_host *h, long status, const char *body, size_t len);
/* The host's stored state (gh_host_state): its pages this cycle, and its
 * robots.txt if read less than max_age seconds before `now_unix`. */
void gh_host_load(struct gh_host *h, const json_t *stored, guint64 cycle, gint64 now_unix,
                  gint64 max_age);
/* The state to store (json_decref): pages this cycle and, with a status,
 * the robots.txt answer and when it was read. */
json_t *gh_host_state(const struct gh_host *h, guint64 cycle, long robots_status,
                      const char *robots, gint64 now_unix);
/* robots.txt could not be read.  Returns the seconds to wait before asking
 * again, or a negative number when the host is given up on (RFC 9309
 * §2.3.1.4: unreachable means disallow all): then it drains with `kind`
 * and `reason`. */
double gh_host_robots_unavailable(struct gh_host *h, bool transient, double retry_after,
                                  enum gh_fail kind, const char *reason);

/* ---- turns ---- */

enum gh_host_turn {
  GH_HOST_NOW,     /* a request may start */
  GH_HOST_WAIT,    /* not before *wait_until */
  GH_HOST_FULL,    /* as many requests in flight as allowed */
  GH_HOST_LOADING, /* robots.txt is being fetched */
  GH_HOST_OFF,     /* set aside this cycle, or nothing queued */
};
enum gh_host_turn gh_host_next_job(const struct gh_host *h, gint64 now, gint64 *wait_until);

/* What to do with the URL the frontier gave (its path and query). */
enum gh_host_pick {
  GH_PICK_FETCH,       /* start it */
  GH_PICK_ROBOTS,      /* fetch robots.txt first; the URL stays queued */
  GH_PICK_DRAIN,       /* fail it with h->drain_kind, h->drain */
  GH_PICK_DISALLOWED,  /* robots.txt forbids it */
  GH_PICK_OVER_BUDGET, /* max_pages reached this cycle */
};
enum gh_host_pick gh_host_judge(const struct gh_host *h, const char *path_query);

/* A request started at `now`: the next waits for the delay (and with one
 * connection never overlaps: next_job says FULL until it is answered), so
 * P pages take P × delay, not P × (delay + response time). */
void gh_host_started(struct gh_host *h, const char *url, gint64 now);
/* Its answer came at `now`; the next request waits `extra_wait` seconds
 * more (backoff, Retry-After) counted from now.  `requeued_seq`: the
 * queue entry went back to waiting (G_MAXUINT64: it did not). */
void gh_host_answered(struct gh_host *h, const char *url, gint64 now, double extra_wait,
                      guint64 requeued_seq);

/* A network or server failure: counted; returns the backoff in seconds
 * (backoff, 2×, 4×, capped at 8×), and sets the host aside (*set_aside)
 * when the cycle's failure budget is spent. */
double gh_host_failed(struct gh_host *h, enum gh_fail kind, const char *reason, bool *set_aside);
/* A transfer that failed (stalled, timed out, reset, over a cap, 5xx)
 * after `seconds`: charged to the host's time budget for the cycle; true
 * when that sets the host aside.  Slow successes are never charged. */
bool gh_host_charge(struct gh_host *h, double seconds, enum gh_fail kind, const char *reason);
/* An answer that was not a failure ends the run of failures (the backoff),
 * not the cycle's count. */
void gh_host_succeeded(struct gh_host *h);

#endif

/* The crawl frontier: every URL's state, the per-host queues, the hosts'
 * robots.txt and health, the crawl cycle, and the writes a crawl makes,
 * gathered into batches that a committer thread writes while the crawler's
 * event loop goes on.  The only code that touches the url_state, queue and
 * hosts databases (docs/store.md has their keys).
 *
 * A URL's life (enum gh_url_state; the state itself is urlstate.h's): queued -> fetched -> one final state.
 * Only gh_frontier_enqueue makes a URL queued (again), and it decides
 * inside the commit whether it may: a URL already queued or visited this
 * cycle is not, and a report or attachment fetched in an earlier cycle is
 * not (those do not change; corrections get new URLs) unless the crawl
 * refetches, or its state says it was fetched more than
 * GH_FRONTIER_FUTURE_SLACK in the future: then, as any URL whose state
 * says so, it is queued without its validators and outcome, to be
 * fetched and extracted again.  gh_frontier_finish gives a queued URL its final state and
 * removes its queue entry in the same batch.
 *
 * Ownership: a URL state handed to gh_frontier_set or _finish is encoded
 * at once (the caller keeps it and may go on changing it); one handed to
 * gh_frontier_enqueue, and every json_t handed to a write, is taken (the
 * committer thread reads and completes it); callbacks and lookups lend
 * theirs for the call.
 * Errors: reads return NULL/0 and, where they take one, set a GError from
 * the store (see store.h); a failed commit is reported by
 * gh_frontier_commit_poll and ends the crawl with the batch's URLs still
 * queued in the store, so the next run fetches them again. */
#ifndef GH_FRONTIER_H
#define GH_FRONTIER_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

#include "store.h"

/* A stored time further than this ahead of the clock was written under a
 * clock that ran ahead (or is damage): treated as absent, as systemd does
 * with a persistent timer's timestamp in the future. */
#define GH_FRONTIER_FUTURE_SLACK (5 * 60)

/* ---- the cycle: one pass over every seed ---- */

/* Opens the next cycle unless one is still open; *cycle is the open one. */
bool gh_frontier_begin_cycle(struct gh_store *st, guint64 *cycle, GError **err);
bool gh_frontier_end_cycle(struct gh_store *st, guint64 cycle, GError **err);
/* True while a cycle was begun and not ended (a crawl was interrupted). */
bool gh_frontier_cycle_open(struct gh_store *st);

/* ---- reads outside a crawl (the daemon's schedule, stats) ---- */

/* One URL's state (gh_urlstate_free), or NULL. */
struct gh_urlstate *gh_frontier_url(struct gh_store *st, const char *url);
/* Queue entries in all. */
guint64 gh_frontier_queued(struct gh_store *st);
/* host -> queue entries (GUINT_TO_POINTER), from one walk of the queue. */
GHashTable *gh_frontier_queued_by_host(struct gh_store *st);
/* The hosts with queue entries (g_free each; free the array). */
GPtrArray *gh_frontier_hosts(struct gh_store *st, GError **err);
/* A host's stored state (robots.txt, pages this cycle, health), or NULL. */
json_t *gh_frontier_host(struct gh_store *st, const char *host);

/* ---- a crawl's writes ---- */

struct gh_frontier;
struct gh_frontier_opts {
  guint64 cycle;
  gint64 run_id;   /* marks what a forced run queued: each page once */
  bool refetch;    /* reports and attachments fetched before are fetched again */
  void (*wake)(void *); /* called on the committer thread when a commit ends */
  void *wake_ud;
};
struct gh_frontier *gh_frontier_new(struct gh_store *st, const struct gh_frontier_opts *o);
/* Pending writes not committed are dropped: their URLs are still queued in
 * the store. */
void gh_frontier_free(struct gh_frontier *f);

/* `state` is the URL's newest state: stored with the next batch, and what
 * gh_frontier_next gives for the URL meanwhile. */
void gh_frontier_set(struct gh_frontier *f, const char *url, const struct gh_urlstate *state);
/* The URL's final state: `state` already says which; its queue entry
 * (host, the state's qseq) goes in the same batch. */
void gh_frontier_finish(struct gh_frontier *f, const char *url, const char *host,
                        const struct gh_urlstate *state);
/* Queue `url` on `host` (its host, not NULL; see above for when it is
 * not queued) with `state` (taken); `force`: past this cycle's visit, once
 * per run. */
void gh_frontier_enqueue(struct gh_frontier *f, const char *url, const char *host,
                         struct gh_urlstate *state, bool force);
/* Merged into the host's stored state (a robots-less update keeps the
 * stored robots.txt). */
void gh_frontier_put_host(struct gh_frontier *f, const char *host, json_t *state);
/* A raw document stored by an earlier commit, by its sha256, or NULL. */
GBytes *gh_frontier_doc(struct gh_store *st, const char *sha256);
/* A raw document, by its sha256 (the bytes are referenced). */
void gh_frontier_put_doc(struct gh_frontier *f, const char *sha256, GBytes *bytes);
/* A record to land (store.h's rules for rivals and history). */
void gh_frontier_land(struct gh_frontier *f, json_t *record);

/* Finished and not yet in the store: not to be picked again. */
bool gh_frontier_is_finished(const struct gh_frontier *f, const char *url);
/* Writes gathered, and raw-document bytes held by gathered and committing
 * batches (the crawler's backpressure). */
guint gh_frontier_gathered(const struct gh_frontier *f);
guint64 gh_frontier_held_bytes(const struct gh_frontier *f);
/* True while the committer is writing a batch. */
bool gh_frontier_committing(const struct gh_frontier *f);
/* Monotonic µs the running commit started. */
gint64 gh_frontier_commit_started(const struct gh_frontier *f);

/* ---- committing ---- */

/* What a committed batch did, told once per event. */
enum gh_frontier_event {
  GH_FRONTIER_LANDED, /* `record`; `result`: store.h's what-happened */
  GH_FRONTIER_QUEUED, /* `key`: the host that has work again; `state`: the URL's */
};
/* GH_FRONTIER_QUEUED's `result` is "added", or a sentence to log (a URL
 * queued again because its state was fetched in the future). */
typedef void (*gh_frontier_event_fn)(void *ud, enum gh_frontier_event ev, const char *key,
                                     const json_t *record, const struct gh_urlstate *state,
                                     const char *result);
/* Hands the gathered writes to the committer, unless it is busy. */
void gh_frontier_commit_start(struct gh_frontier *f);
/* The running commit's outcome by `wait_until` (monotonic µs; 0: now).
 * On GH_COMMIT_DONE the events of the batch were told; on
 * GH_COMMIT_FAILED *err says why. */
enum gh_commit gh_frontier_commit_poll(struct gh_frontier *f, gint64 wait_until,
                                       gh_frontier_event_fn events, void *ud, GError **err);

/* The oldest queued URL of `host` from sequence `from` on that
 * `skip(ud, url)` does not reject and that is not finished, with its
 * newest state (gh_urlstate_free) and sequence; NULL when none, or on a
 * store error (*err). */
char *gh_frontier_next(struct gh_frontier *f, const char *host, guint64 from,
                       bool (*skip)(void *ud, const char *url), void *ud,
                       struct gh_urlstate **state, guint64 *seq, GError **err);

#endif

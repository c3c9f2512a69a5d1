/* The rendering fallback (docs/render.md): a column page whose static
 * reading found no report and no next page, but whose scripts may build
 * the list, is loaded in headless Chromium (cdp.c).  Every request the
 * page makes is paused and answered by the crawl's own fetcher: the same
 * host queue and delay, robots.txt, scope, private-address guard and size
 * and time caps.  The settled DOM (and what the page fetched) goes to
 * discovery like any page; pager controls are clicked until the list stops
 * changing.
 *
 * Crawl-internal, like crawl_int.h: the loop (crawl.c) polls the
 * browser's descriptors, turns.c starts the paused requests on their
 * hosts, answer.c hands their answers back, job.c offers pages. */
#ifndef GH_RENDER_H
#define GH_RENDER_H

#include <poll.h>

#include "crawl_int.h"

struct gh_render;
struct render_fetch;

/* NULL when [render] enabled = no. */
struct gh_render *gh_render_new(struct crawl *c);
/* After the worker pool is freed: kills the browser; pages still being
 * rendered stay queued in the store for the next run. */
void gh_render_free(struct gh_render *r);

/* A page whose static reading found nothing to follow (`found` false):
 * NULL when it needs no rendering; else either *taken (the render
 * finishes the page) or the reason it was not rendered, for its URL
 * state's error "wants_render". */
const char *crawl_render_offer(struct crawl *c, struct page_job *j, bool found, bool *taken);

enum crawl_render_pick {
  RENDER_PICK_NONE,    /* no paused request waits on this host */
  RENDER_PICK_STARTED, /* one was started (or refused without a request) */
  RENDER_PICK_ROBOTS,  /* robots.txt was started first: the host waits for it */
};
/* The host's turn: a request a page waits for comes before its queue. */
enum crawl_render_pick crawl_render_pick(struct crawl *c, struct gh_host *h);
/* A render request's transfer ended: its answer goes to the page. */
void crawl_render_answered(struct crawl *c, struct xfer *x, CURLcode rc, long code);
void crawl_render_fetch_free(struct render_fetch *f);

/* Renders queued, running or waiting for discovery: the cycle is not over. */
bool gh_render_busy(const struct gh_render *r);
unsigned gh_render_pollfds(const struct gh_render *r, struct pollfd *fds, unsigned max);
/* After the poll (fds: the ones gh_render_pollfds gave): messages, the
 * settle and cap timers, the memory watchdog. */
void gh_render_service(struct gh_render *r, const struct pollfd *fds, unsigned n);
/* When gh_render_service must run next (monotonic µs). */
gint64 gh_render_deadline(const struct gh_render *r);

#endif

/* Each turn of the loop: which hosts may start a request now, and which
 * URL each takes (crawl_fill).  A host's rules are host.c's; this file
 * decides only whom to ask, and asks the frontier for the URL. */
#include <string.h>

#include "crawl_int.h"
#include "render.h"
#include "url.h"

/* ---- choosing what to fetch next ---- */

struct pick {
  struct crawl *c;
  struct gh_host *h;
};

/* In flight or in a worker: its queue entry is still there. */
static bool
in_hand(void *ud, const char *url)
{
  const struct pick *p = ud;
  return g_hash_table_contains(p->h->busy, url) || g_hash_table_contains(p->c->processing, url) ||
         g_hash_table_contains(p->c->deferred, url);
}

/* The oldest queued URL of `h` not already in hand, from its scan cursor
 * on, and its sequence number; NULL when none. */
static char *
next_url(struct crawl *c, struct gh_host *h, struct gh_urlstate **state, guint64 *seq)
{
  if(!h->robots && !h->robots_loading && !h->drain)
    crawl_host_load(c, h);
  GError *e = NULL;
  struct pick p = { c, h };
  char *url = gh_frontier_next(c->fr, h->name, h->scan_from, in_hand, &p, state, seq, &e);
  if(e && !c->error)
    c->error = e;
  else if(e)
    g_error_free(e);
  return url;
}

/* ---- which hosts to look at ----
 *
 * A turn looks only at hosts that may have something to start: those whose
 * state changed (a new host, an answer, new work queued: host_mark) and
 * those whose wait ended (a timer per waiting host, in a sequence sorted by
 * time).  Walking all 3,000 hosts of a national crawl on every turn was a
 * tenth of the loop's CPU. */

static int
by_sched_at(gconstpointer a, gconstpointer b, gpointer ud)
{
  (void)ud;
  gint64 x = ((const struct gh_host *)a)->sched_at, y = ((const struct gh_host *)b)->sched_at;
  return x < y ? -1 : x > y ? 1 : (a < b ? -1 : a > b);
}

void
crawl_host_mark(struct crawl *c, struct gh_host *h)
{
  if(h->sched_dirty)
    return;
  h->sched_dirty = true;
  g_queue_push_tail(&c->dirty, h);
}

static void
host_wake_at(struct crawl *c, struct gh_host *h, gint64 at)
{
  if(h->sched_timer) {
    if(h->sched_at == at)
      return;
    g_sequence_remove(h->sched_timer);
  }
  h->sched_at = at;
  h->sched_timer = g_sequence_insert_sorted(c->timers, h, by_sched_at, NULL);
}

/* Start whatever the politeness rules allow now.  Returns the earliest
 * time (monotonic µs) something else could start. */
gint64
crawl_fill(struct crawl *c)
{
  gint64 now = g_get_monotonic_time(), soonest = G_MAXINT64;
  /* Backpressure: documents wait for a worker in memory, so stop fetching
   * while the workers are far behind.  Bounded by bytes, not count: a
   * burst of 500 small column pages is normal, 500 large PDFs are not. */
  if(c->pending_bytes > PENDING_BYTES_MAX || gh_sandbox_pending(c->pool) >= 2048)
    return soonest;
  /* The same while the committer is behind (a stalled disk): finished
   * work waits in memory for it, documents included.  Its end wakes us. */
  if(gh_frontier_committing(c->fr) &&
     (gh_frontier_gathered(c->fr) >= 4 * OPS_PER_BATCH ||
      gh_frontier_held_bytes(c->fr) > PENDING_BYTES_MAX))
    return soonest;
  /* Hosts whose wait is over join the hosts whose state changed. */
  for(GSequenceIter *first; !g_sequence_is_empty(c->timers) &&
                            ((struct gh_host *)g_sequence_get(
                               first = g_sequence_get_begin_iter(c->timers)))->sched_at <= now;) {
    struct gh_host *h = g_sequence_get(first);
    g_sequence_remove(first);
    h->sched_timer = NULL;
    crawl_host_mark(c, h);
  }
  for(guint n = c->time_up ? 0 : c->dirty.length;
      n && c->in_flight < c->cfg->max_connections && !*c->o->stop; n--) {
    struct gh_host *h = g_queue_pop_head(&c->dirty);
    h->sched_dirty = false;
    /* Bounded per turn: skipping robots-denied URLs of a big queue must
     * not starve the event loop. */
    int looks = 0;
    bool settled = false; /* the host is waiting for something that will wake it */
    while(looks++ < 64 && c->in_flight < c->cfg->max_connections && !*c->o->stop) {
      gint64 wait_until;
      enum gh_host_turn turn = gh_host_next_job(h, now, &wait_until);
      if(turn == GH_HOST_WAIT)
        host_wake_at(c, h, wait_until);
      if(turn != GH_HOST_NOW) {
        settled = true; /* a timer, an answer, robots.txt or new work wakes it */
        break;
      }
      /* A page in the browser waits for this request: it goes first. */
      enum crawl_render_pick rp = crawl_render_pick(c, h);
      if(rp == RENDER_PICK_ROBOTS) {
        settled = true;
        break;
      }
      if(rp == RENDER_PICK_STARTED)
        continue;
      struct gh_urlstate *state = NULL;
      guint64 seq = 0;
      char *url = next_url(c, h, &state, &seq);
      if(!url) {
        h->idle = true;
        settled = true;
        break;
      }
      char *pq = gh_url_path_query(url);
      enum gh_host_pick pick = gh_host_judge(h, pq);
      if(pick == GH_PICK_ROBOTS) {
        /* robots.txt first, through the same politeness as everything. */
        char *robots_url = g_strdup_printf(
          "%s://%s/robots.txt", g_str_has_prefix(url, "https://") ? "https" : "http", h->name);
        gh_urlstate_free(state);
        g_free(url);
        g_free(pq);
        h->robots_loading = true;
        crawl_start(c, h, robots_url, NULL, true);
        g_free(robots_url);
        settled = true;
        break;
      }
      h->scan_from = seq + 1; /* each branch below takes the entry */
      switch(pick) {
      case GH_PICK_DRAIN:
        crawl_fail(c, url, h->name, state, h->drain_kind, h->drain);
        break;
      case GH_PICK_DISALLOWED:
        c->sum->robots_denied++;
        crawl_finish(c, url, h->name, state, GH_URL_ROBOTS, "disallowed by robots.txt");
        break;
      case GH_PICK_OVER_BUDGET:
        crawl_fail(c, url, h->name, state, GH_FAIL_MAX_PAGES,
                     "over [crawl] max_pages_per_host this cycle");
        break;
      case GH_PICK_ROBOTS:
      case GH_PICK_FETCH:
        crawl_start(c, h, url, state, false);
        state = NULL;
        break;
      }
      gh_urlstate_free(state);
      g_free(pq);
      g_free(url);
    }
    if(!settled)
      crawl_host_mark(c, h); /* cut short (the connection limit, 64 looks): next turn */
  }
  if(!g_sequence_is_empty(c->timers))
    soonest = ((struct gh_host *)g_sequence_get(g_sequence_get_begin_iter(c->timers)))->sched_at;
  return soonest;
}


bool
crawl_hosts_drained(struct crawl *c)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, c->hosts);
  while(g_hash_table_iter_next(&it, &k, &v)) {
    struct gh_host *h = v;
    if(h->idle || h->unhealthy || c->time_up)
      continue;
    /* Waiting out its delay after its last request: its queue may be
     * empty already, and the crawl must not wait a delay to learn it. */
    struct gh_urlstate *state = NULL;
    guint64 seq;
    char *url = next_url(c, h, &state, &seq);
    if(!url && !c->error) {
      h->idle = true;
      continue;
    }
    gh_urlstate_free(state);
    g_free(url);
    return false;
  }
  return true;
}

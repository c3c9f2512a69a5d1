/* What a running crawl says about itself: the live status line on a
 * terminal, the daemon's STATUS=, and a heartbeat in the log; with the
 * seeds done, the queue left and an estimate of the time to the end. */
#include <stdio.h>
#include <string.h>

#include "crawl_int.h"

/* Queue lengths per host, from one walk of the queue database (its keys
 * are host NUL seq): how many seeds are done and when the cycle may end.
 * At national scale the walk is a million keys: crawl_report_status spaces it. */
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
void
crawl_report_status(struct crawl *c, bool force)
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


/* govharvest daemon: the service.  Re-crawls each seed on a schedule, talks
 * to systemd (READY, STATUS, WATCHDOG, RELOADING, STOPPING), reloads on
 * SIGHUP, stops cleanly on SIGTERM.
 *
 * Scheduling state is the store's: a seed is due when its own URL state
 * says it was last fetched longer ago than the interval (shorter in the
 * season when reports appear), so a restart does not re-crawl everything,
 * and an unfinished cycle is resumed first.
 *
 * The daemon runs the crawl's turns itself (gh_crawl_turn), and between
 * two turns applies what came meanwhile: a reload's rules and new seeds,
 * the spool's requests.  Neither stops the crawl: transfers in flight go
 * on, and each host keeps when it may next be asked. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "../crawler/seeds.h"
#include "../store/requests.h"
#include "../store/spool.h"
#include "../store/stats.h"
#include "../crawler/crawl.h"
#include "../crawler/log.h"
#include "../crawler/schedule.h"
#include "../store/frontier.h"
#include "../store/store.h"
#include "cli.h"

static volatile sig_atomic_t terminate, reload, stop_crawl;

static void
on_signal(int sig)
{
  if(sig == SIGHUP) {
    reload = 1; /* applied between two turns of the crawl */
  } else {
    terminate = 1;
    stop_crawl = 1; /* the crawl's turn returns within half a second */
  }
}

/* Something the running crawl borrows from a configuration a reload
 * replaced (the configuration, its seeds, its regions) or from a request
 * (its ad-hoc seeds): freed when the crawl ends. */
struct kept {
  void *p;
  GDestroyNotify free;
};

struct daemon {
  char *config_file;
  char *store_override;
  struct gh_config cfg;
  GPtrArray *seeds;
  struct gh_regions *regions;
  struct gh_store *st;
  guint64 watchdog_usec; /* 0: no watchdog */
  gint64 last_ping;
  gint64 last_spool_look; /* monotonic µs */
  bool request_waiting;   /* a `govharvest queue` request is in the spool */
  /* Every crawl's hosts, kept across crawls: the next crawl must still
   * wait each host's delay (or Crawl-delay, or backoff) from its last
   * request. */
  GHashTable *hosts;
  /* The running crawl (NULL: none), its options and its summary. */
  struct gh_crawl *crawl;
  struct gh_crawl_opts opts;
  struct gh_crawl_summary sum;
  GPtrArray *crawl_seeds; /* its starting seeds (borrowed from `seeds` or kept) */
  GHashTable *in_crawl;   /* seed URL -> the struct gh_seed * the crawl borrows */
  /* Its seeds crawled on request, past this cycle's visits: a request
   * these cover is coalesced, never a second crawl of them. */
  GHashTable *forced;
  /* Requests whose seeds the running crawl covers (borrowed from `kept`):
   * done when it has run (a daemon stopped before takes them again at its
   * start). */
  GPtrArray *requests;
  GArray *kept; /* struct kept */
};

static void
keep(struct daemon *d, void *p, GDestroyNotify f)
{
  if(!d->kept)
    d->kept = g_array_new(FALSE, FALSE, sizeof(struct kept));
  g_array_append_val(d->kept, ((struct kept){ p, f }));
}

/* Frees what the crawl borrowed, once there is none. */
static void
release_kept(struct daemon *d)
{
  for(guint i = 0; d->kept && i < d->kept->len; i++) {
    struct kept *k = &g_array_index(d->kept, struct kept, i);
    k->free(k->p);
  }
  g_clear_pointer(&d->kept, g_array_unref);
}

static void
config_free(void *p)
{
  gh_config_clear(p);
  g_free(p);
}

static void
regions_free(void *p)
{
  gh_regions_free(p);
}

/* Whether every seed request `r` selects is forced in the running crawl
 * (and it asks no refetch that crawl does not do). */
static bool
covered(struct daemon *d, const struct gh_request *r)
{
  if(!d->crawl || (r->refetch && !d->opts.refetch))
    return false;
  GPtrArray *sel = NULL, *adhoc = NULL;
  GError *err = NULL;
  if(!gh_seeds_select(d->seeds, r->seeds, r->regions, &sel, &adhoc, NULL, &err)) {
    g_error_free(err);
    return false; /* taken the usual way, which says why it is dropped */
  }
  bool all = sel->len > 0; /* ad-hoc seeds included, matched by URL */
  for(guint i = 0; all && i < sel->len; i++)
    all = g_hash_table_contains(d->forced, ((struct gh_seed *)sel->pdata[i])->url);
  g_ptr_array_free(sel, TRUE);
  g_ptr_array_unref(adhoc);
  return all;
}

static void
ping(void *ud)
{
  struct daemon *d = ud;
  gint64 now = g_get_monotonic_time();
  /* Twice per watchdog period, as sd_watchdog_enabled(3) advises. */
  if(d->watchdog_usec && now - d->last_ping >= (gint64)d->watchdog_usec / 2) {
    sd_notify(0, "WATCHDOG=1");
    d->last_ping = now;
  }
  /* A request in the spool is taken between two turns: "now" means
   * within seconds, not after a cycle of 3,000 hosts. */
  if(d->st && !d->request_waiting && now - d->last_spool_look >= G_USEC_PER_SEC) {
    d->last_spool_look = now;
    d->request_waiting = gh_requests_waiting(gh_store_dir(d->st));
  }
}

static void
status(const char *line, void *ud)
{
  (void)ud;
  sd_notifyf(0, "STATUS=crawling: %s", line);
}

/* Loads config, seeds and regions into `d`, or leaves `d` alone and says
 * why (the running configuration stays). */
static bool
load(struct daemon *d, GError **err)
{
  struct gh_config cfg;
  if(!gh_config_load(&cfg, d->config_file, true, err))
    return false;
  if(d->store_override) {
    g_free(cfg.store_path);
    cfg.store_path = g_strdup(d->store_override);
  }
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  GPtrArray *seeds = gh_seeds_load(cfg.seeds_file, notes, err);
  for(guint i = 0; i < notes->len; i++)
    gh_log(GH_LOG_WARNING, NULL, "%s", (const char *)notes->pdata[i]);
  g_ptr_array_free(notes, TRUE);
  if(!seeds) {
    gh_config_clear(&cfg);
    return false;
  }
  GError *rerr = NULL;
  struct gh_regions *regions = gh_regions_load(cfg.regions_file, &rerr);
  if(!regions) {
    gh_log(GH_LOG_WARNING, NULL, "%s; region codes come from seeds only", rerr->message);
    g_error_free(rerr);
  }
  if(d->st && strcmp(cfg.store_path, d->cfg.store_path))
    gh_log(GH_LOG_WARNING, NULL, "[store] path changed to %s: takes effect at the next restart",
           cfg.store_path);
  if(d->crawl) {
    /* The running crawl reads the configuration through &d->cfg, and
     * requests in flight were set up from this one's strings. */
    keep(d, g_memdup2(&d->cfg, sizeof d->cfg), config_free);
  } else {
    gh_config_clear(&d->cfg);
  }
  d->cfg = cfg;
  if(d->st) { /* the open store stays the store */
    g_free(d->cfg.store_path);
    d->cfg.store_path = g_strdup(gh_store_dir(d->st));
  }
  if(d->seeds && d->crawl)
    keep(d, d->seeds, (GDestroyNotify)g_ptr_array_unref); /* the crawl's seeds are among them */
  else if(d->seeds)
    g_ptr_array_free(d->seeds, TRUE);
  d->seeds = seeds;
  if(d->regions && d->crawl)
    keep(d, d->regions, regions_free);
  else
    gh_regions_free(d->regions);
  d->regions = regions;
  gh_log_setup(d->cfg.log_level, false);
  return true;
}

/* Seeds due now, and the time (unix seconds) the next one falls due. */
static GPtrArray *
due_seeds(struct daemon *d, gint64 *next_due, bool *cycle_open)
{
  GDateTime *now = g_date_time_new_now_utc();
  GPtrArray *due = gh_schedule_due(d->st, &d->cfg, d->seeds, now, next_due);
  g_date_time_unref(now);
  *cycle_open = gh_frontier_cycle_open(d->st);
  return due;
}

/* A seed that yielded no report column, or a column without a report, is
 * a silent miss unless said: one journal line each, and the STATUS. */
static void
log_misses(struct daemon *d, GPtrArray *seeds)
{
  GHashTable *mine = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i < seeds->len; i++)
    g_hash_table_add(mine, ((struct gh_seed *)seeds->pdata[i])->url);
  json_t *m = gh_stats_seed_misses(d->st, mine, NULL);
  size_t i;
  json_t *u;
  json_array_foreach(json_object_get(m, "seeds_without_column"), i, u)
    gh_log(GH_LOG_WARNING, &(struct gh_log_fields){ .url = json_string_value(u), .status = "no_column" },
           "seed %s: no_column: no report column found (govharvest probe --follow %s shows why)",
           json_string_value(u), json_string_value(u));
  json_array_foreach(json_object_get(m, "seeds_without_reports"), i, u)
    gh_log(GH_LOG_WARNING, &(struct gh_log_fields){ .url = json_string_value(u), .status = "no_reports" },
           "seed %s: no_reports: its report column holds no report (govharvest probe --follow %s "
           "shows why)",
           json_string_value(u), json_string_value(u));
  size_t nc = json_array_size(json_object_get(m, "seeds_without_column"));
  size_t nr = json_array_size(json_object_get(m, "seeds_without_reports"));
  if(nc || nr)
    sd_notifyf(0, "STATUS=no_column: %zu seeds, no_reports: %zu seeds (see the journal)", nc, nr);
  json_decref(m);
  g_hash_table_destroy(mine);
}

/* Starts a crawl of `seeds` (borrowed until it ends): forced (requested)
 * or the due ones. */
static void
crawl_start(struct daemon *d, GPtrArray *seeds, bool force, bool refetch, bool cycle_open,
            const char *why)
{
  struct gh_crawl_opts *o = &d->opts;
  memset(o, 0, sizeof *o);
  o->cfg = &d->cfg;
  o->seeds = seeds;
  o->regions = d->regions;
  o->force = force;
  o->refetch = refetch;
  gh_cli_extract_opts(&o->extract, &d->cfg);
  o->stop = &stop_crawl;
  o->status = status;
  o->tick = ping;
  o->status_ud = d;
  /* A commit that outlasts the watchdog period stops the pings, so
   * systemd restarts a daemon whose disk hangs as it would a hung loop. */
  o->commit_stall_usec = (gint64)d->watchdog_usec; /* 0 without one: a minute */
  if(!d->hosts)
    d->hosts = gh_crawl_hosts_new();
  o->hosts = d->hosts;
  d->crawl_seeds = seeds;
  d->in_crawl = g_hash_table_new(g_str_hash, g_str_equal);
  d->forced = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i < seeds->len; i++) {
    struct gh_seed *sd = seeds->pdata[i];
    g_hash_table_insert(d->in_crawl, sd->url, sd);
    if(force)
      g_hash_table_add(d->forced, sd->url);
  }
  gh_crawl_summary_init(&d->sum);
  gh_log(GH_LOG_INFO, NULL, "crawl: %u seeds %s%s", seeds->len, why,
         cycle_open ? ", resuming an unfinished cycle" : "");
  d->crawl = gh_crawl_new(d->st, o, &d->sum);
}

/* The running crawl has ended (or is ended, when stopping); false on a
 * store failure (then *rc is set). */
static bool
crawl_end(struct daemon *d, int *rc)
{
  GError *err = NULL;
  bool ok = gh_crawl_free(d->crawl, &err);
  d->crawl = NULL;
  if(!ok) {
    /* A store failure: systemd restarts us (Restart=on-failure). */
    gh_log(GH_LOG_ERROR, NULL, "%s", err->message);
    sd_notifyf(0, "STATUS=store failure: %s", err->message);
    g_error_free(err);
    *rc = GH_EXIT_FAILED;
  } else {
    gh_log(GH_LOG_INFO, NULL, "crawl cycle %" G_GUINT64_FORMAT " %s: %" G_GUINT64_FORMAT
           " documents, %" G_GUINT64_FORMAT " links found",
           d->sum.cycle, d->sum.interrupted ? "paused" : "finished", d->sum.fetched,
           d->sum.reports_found);
    if(!d->sum.interrupted && !d->sum.queued_left) {
      GPtrArray *all = g_ptr_array_new();
      GHashTableIter it;
      gpointer v;
      g_hash_table_iter_init(&it, d->in_crawl);
      while(g_hash_table_iter_next(&it, NULL, &v))
        g_ptr_array_add(all, v);
      log_misses(d, all);
      g_ptr_array_free(all, TRUE);
    }
  }
  /* Done unless stopping: a killed or stopped daemon takes them again. */
  for(guint i = 0; ok && !terminate && d->requests && i < d->requests->len; i++)
    gh_request_done(d->requests->pdata[i]);
  g_clear_pointer(&d->requests, g_ptr_array_unref);
  gh_crawl_summary_clear(&d->sum);
  g_clear_pointer(&d->crawl_seeds, g_ptr_array_unref);
  g_clear_pointer(&d->in_crawl, g_hash_table_destroy);
  g_clear_pointer(&d->forced, g_hash_table_destroy);
  release_kept(d);
  return ok;
}

/* A request read mid-crawl (gh_requests_peek) is taken here as
 * gh_requests_take would take it (store/requests.h: *.json becomes
 * *.taken), so `queue` sees it taken and the next look passes it by.
 * gh_requests_take itself is for between crawls: it also takes *.taken
 * files again, as a killed daemon's, and the running crawl's are not. */
static void
claim(struct gh_request *r)
{
  if(!g_str_has_suffix(r->path, ".json"))
    return;
  char *taken = g_strconcat(r->path, ".taken", NULL);
  if(rename(r->path, taken) == 0) {
    g_free(r->path);
    r->path = taken;
  } else {
    g_free(taken); /* gone meanwhile: nothing to delete once it has run */
  }
}

/* The requests' seeds, crawled now past this cycle's visits: added to the
 * running crawl (a request whose seeds it already crawls on request is
 * coalesced), or in a crawl of their own.  `reqs` (taken) lives until the
 * crawl ends. */
static void
handle_requests(struct daemon *d, GPtrArray *reqs, GPtrArray *notes)
{
  keep(d, reqs, (GDestroyNotify)g_ptr_array_unref);
  GPtrArray *seeds = g_ptr_array_new();
  GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
  bool refetch = false;
  for(guint i = 0; i < reqs->len; i++) {
    const struct gh_request *r = reqs->pdata[i];
    if(covered(d, r)) {
      gh_log(GH_LOG_INFO, NULL, "request %s: its seeds are being crawled now; coalesced", r->path);
      gh_request_done(r);
      continue;
    }
    GPtrArray *sel = NULL, *adhoc = NULL;
    GError *err = NULL;
    if(!gh_seeds_select(d->seeds, r->seeds, r->regions, &sel, &adhoc, notes, &err)) {
      gh_log(GH_LOG_WARNING, NULL, "request %s: %s; dropped", r->path, err->message);
      g_error_free(err);
      gh_request_done(r);
      continue;
    }
    gh_log(GH_LOG_INFO, NULL, "request %s (%s): %u seeds%s", r->path,
           r->requested_at ? r->requested_at : "?", sel->len, r->refetch ? ", refetch" : "");
    for(guint k = 0; k < sel->len; k++) {
      struct gh_seed *sd = sel->pdata[k];
      if((!d->forced || !g_hash_table_contains(d->forced, sd->url)) &&
         g_hash_table_add(seen, sd->url))
        g_ptr_array_add(seeds, sd);
    }
    refetch = refetch || r->refetch;
    g_ptr_array_free(sel, TRUE);
    keep(d, adhoc, (GDestroyNotify)g_ptr_array_unref); /* the ad-hoc seeds, until the crawl ends */
    claim((struct gh_request *)r);
    if(!d->requests)
      d->requests = g_ptr_array_new();
    g_ptr_array_add(d->requests, (gpointer)r);
  }
  g_hash_table_destroy(seen);
  if(seeds->len && d->crawl) {
    gh_log(GH_LOG_INFO, NULL, "crawl: %u requested seeds join the running crawl", seeds->len);
    gh_crawl_add_seeds(d->crawl, seeds, true);
    for(guint i = 0; i < seeds->len; i++) {
      struct gh_seed *sd = seeds->pdata[i];
      g_hash_table_insert(d->in_crawl, sd->url, sd);
      g_hash_table_add(d->forced, sd->url);
    }
    keep(d, seeds, (GDestroyNotify)g_ptr_array_unref);
  } else if(seeds->len) {
    sd_notifyf(0, "STATUS=crawling %u requested seeds", seeds->len);
    crawl_start(d, seeds, true, refetch, false, "requested");
  } else {
    g_ptr_array_free(seeds, TRUE);
  }
  if(!d->crawl) /* nothing borrows what they gave */
    release_kept(d);
}

/* Whether a request asks a refetch the running crawl does not do. */
static bool
asks_refetch(struct daemon *d, GPtrArray *reqs)
{
  for(guint i = 0; d->crawl && !d->opts.refetch && i < reqs->len; i++)
    if(((const struct gh_request *)reqs->pdata[i])->refetch)
      return true;
  return false;
}

/* Takes the spool's requests.  A refetch is the whole crawl's (the
 * frontier's), not a seed's: a request for one ends a running crawl that
 * does not refetch, and the requested crawl follows (hosts keep their
 * politeness).  false on a store failure (then *rc is set). */
static bool
take_requests(struct daemon *d, int *rc)
{
  const char *dir = gh_store_dir(d->st);
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  GPtrArray *reqs = NULL;
  bool ok = true;
  if(d->crawl) {
    reqs = gh_requests_peek(dir); /* not taken: see claim */
    if(asks_refetch(d, reqs)) {
      gh_log(GH_LOG_INFO, NULL, "a request asks a refetch: the running crawl pauses for it");
      g_ptr_array_unref(reqs);
      reqs = NULL;
      ok = crawl_end(d, rc);
    }
  }
  if(ok && !reqs)
    reqs = gh_requests_take(dir, notes);
  if(ok)
    handle_requests(d, reqs, notes);
  else if(reqs)
    g_ptr_array_unref(reqs);
  for(guint i = 0; i < notes->len; i++)
    gh_log(GH_LOG_WARNING, NULL, "%s", (const char *)notes->pdata[i]);
  g_ptr_array_free(notes, TRUE);
  return ok;
}

/* A reload applied to the running crawl, between two turns: its rules,
 * and the seeds new to the configuration join it. */
static void
reload_crawl(struct daemon *d, GHashTable *before)
{
  gh_crawl_reconfigure(d->crawl, &d->cfg);
  GPtrArray *added = g_ptr_array_new();
  for(guint i = 0; i < d->seeds->len; i++) {
    struct gh_seed *sd = d->seeds->pdata[i];
    if(!g_hash_table_contains(d->in_crawl, sd->url) && !g_hash_table_contains(before, sd->url))
      g_ptr_array_add(added, sd);
  }
  if(added->len) {
    gh_log(GH_LOG_INFO, NULL, "crawl: %u seeds new to the configuration join the running crawl",
           added->len);
    gh_crawl_add_seeds(d->crawl, added, false);
    for(guint i = 0; i < added->len; i++)
      g_hash_table_insert(d->in_crawl, ((struct gh_seed *)added->pdata[i])->url, added->pdata[i]);
  }
  g_ptr_array_free(added, TRUE);
}

static void
do_reload(struct daemon *d)
{
  sd_notify(0, "RELOADING=1");
  GError *err = NULL;
  /* The seeds before (kept alive while a crawl runs, which is when this
   * is read). */
  GHashTable *before = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; d->crawl && i < d->seeds->len; i++)
    g_hash_table_add(before, ((struct gh_seed *)d->seeds->pdata[i])->url);
  if(load(d, &err)) {
    gh_log(GH_LOG_INFO, NULL, "reloaded %s: %u seeds", d->config_file, d->seeds->len);
    if(d->crawl)
      reload_crawl(d, before);
    sd_notifyf(0, "READY=1\nSTATUS=reloaded: %u seeds", d->seeds->len);
  } else {
    gh_log(GH_LOG_ERROR, NULL, "reload failed, keeping the running configuration: %s", err->message);
    sd_notifyf(0, "READY=1\nSTATUS=reload failed (running configuration kept): %s", err->message);
    g_error_free(err);
  }
  g_hash_table_destroy(before);
}

int
gh_cmd_daemon(int argc, char **argv)
{
  GOptionEntry entries[] = { G_OPTION_ENTRY_NULL };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  struct daemon d = { 0 };
  GError *err = NULL;
  if(!gh_cli_parse("daemon", NULL,
                   "Run as a service: crawl each seed again every [daemon] recrawl_interval\n"
                   "(more often in the season when reports appear), with systemd\n"
                   "notification and watchdog.  SIGHUP reloads the configuration and\n"
                   "seeds; SIGTERM stops.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  d.config_file = g_strdup(common.config_file ? common.config_file : GH_DEFAULT_CONFIG);
  d.store_override = g_strdup(common.store_dir);
  gh_log_setup(common.cfg.log_level, false);
  if(load(&d, &err) && !gh_cli_raise_nofile("daemon", &d.cfg)) {
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(err || !gh_store_open(d.cfg.store_path, GH_STORE_WRITE, 0, &d.st, &err)) {
    fprintf(stderr, "govharvest: %s\n", err->message);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(gh_store_notice(d.st))
    gh_log(GH_LOG_WARNING, NULL, "%s", gh_store_notice(d.st));
  /* The spool exists before anyone queues: `sudo govharvest queue` would
   * otherwise create it as root, where this daemon cannot take from it. */
  if(!gh_spool_prepare(gh_store_dir(d.st), &err)) {
    gh_log(GH_LOG_WARNING, NULL, "%s; govharvest queue may not reach this daemon", err->message);
    g_clear_error(&err);
  }
  if(sd_watchdog_enabled(0, &d.watchdog_usec) <= 0)
    d.watchdog_usec = 0;

  struct sigaction sa = { 0 };
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

  sd_notifyf(0, "READY=1\nSTATUS=started: %u seeds, store %s\nMAINPID=%ld", d.seeds->len,
             gh_store_dir(d.st), (long)getpid());
  gh_log(GH_LOG_INFO, NULL, "started: %u seeds, store %s", d.seeds->len, gh_store_dir(d.st));
  /* Going idle and waking are said once each (not every minute of
   * idling), so the journal tells when the daemon last did anything. */
  bool idle = false;
  while(!terminate) {
    if(reload) {
      reload = 0;
      if(idle)
        gh_log(GH_LOG_INFO, NULL, "woke: reload (SIGHUP)");
      idle = false;
      do_reload(&d); /* between two turns of a running crawl: applied to it */
    }
    if(terminate)
      break;
    /* Requests are looked for at every turn without a crawl (one left
     * taken by a killed daemon included), and during one when the spool
     * has some (ping). */
    if(!d.crawl || d.request_waiting) {
      if(idle && d.request_waiting)
        gh_log(GH_LOG_INFO, NULL, "woke: a request in the spool");
      idle = idle && !d.request_waiting;
      d.request_waiting = false;
      if(!take_requests(&d, &rc))
        break;
    }
    if(d.crawl) {
      if(gh_crawl_turn(d.crawl, G_USEC_PER_SEC / 2))
        continue;
      if(terminate)
        break;
      if(!crawl_end(&d, &rc))
        break;
      continue; /* look again: requests, and a reload may have added seeds */
    }
    gint64 next_due;
    bool cycle_open;
    GPtrArray *due = due_seeds(&d, &next_due, &cycle_open);
    if(due->len || cycle_open) {
      if(idle)
        gh_log(GH_LOG_INFO, NULL, "woke: %u seeds due", due->len);
      idle = false;
      crawl_start(&d, due, false, false, cycle_open, "due");
      continue;
    }
    g_ptr_array_free(due, TRUE);
    /* Idle until the next seed falls due, a signal, or a minute (the
     * season may start meanwhile). */
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    gint64 wait = next_due == G_MAXINT64 ? 60 : CLAMP(next_due - now, 1, 60);
    char when[64] = "no seeds";
    if(next_due != G_MAXINT64) {
      GDateTime *t = g_date_time_new_from_unix_utc(next_due);
      char *s = g_date_time_format(t, "%Y-%m-%d %H:%M UTC");
      g_snprintf(when, sizeof when, "next crawl %s", s);
      g_free(s);
      g_date_time_unref(t);
    }
    sd_notifyf(0, "STATUS=idle: %u seeds, %s", d.seeds->len, when);
    if(!idle)
      gh_log(GH_LOG_INFO, NULL, "idle: %u seeds, %s", d.seeds->len, when);
    idle = true;
    for(gint64 i = 0; i < wait * 10 && !terminate && !reload && !d.request_waiting; i++) {
      ping(&d);
      g_usleep(100000);
    }
  }
  sd_notify(0, "STOPPING=1\nSTATUS=stopping");
  if(d.crawl) /* stopping: what it had in flight stays queued for the next start */
    crawl_end(&d, &rc);
  gh_log(GH_LOG_INFO, NULL, "stopped");
out:
  g_clear_error(&err);
  release_kept(&d);
  gh_store_close(d.st); /* every batch is committed; nothing is pending */
  gh_regions_free(d.regions);
  if(d.hosts)
    g_hash_table_destroy(d.hosts);
  if(d.seeds)
    g_ptr_array_free(d.seeds, TRUE);
  gh_config_clear(&d.cfg);
  g_free(d.config_file);
  g_free(d.store_override);
  gh_cli_common_clear(&common);
  return rc;
}

/* govharvest daemon: the service.  Re-crawls each seed on a schedule, talks
 * to systemd (READY, STATUS, WATCHDOG, RELOADING, STOPPING), reloads on
 * SIGHUP, stops cleanly on SIGTERM.
 *
 * Scheduling state is the store's: a seed is due when its own URL state
 * says it was last fetched longer ago than the interval (shorter in the
 * season when reports appear), so a restart does not re-crawl everything,
 * and an unfinished cycle is resumed first. */
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
  if(sig == SIGHUP)
    reload = 1;
  else
    terminate = 1;
  stop_crawl = 1; /* the crawl loop returns within half a second */
}

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
  /* Every crawl's hosts, kept across crawls: a reload or a request stops
   * and restarts the crawl, and a restarted crawl must still wait each
   * host's delay (or Crawl-delay, or backoff) from its last request. */
  GHashTable *hosts;
  /* While a requested (forced) crawl runs: its seeds' URLs, and whether it
   * refetches.  A request those cover is dropped, not a restart of it. */
  GHashTable *forced;
  bool forced_refetch;
};

/* Whether every seed request `r` selects is in the running forced crawl
 * (and it asks no refetch that crawl does not do). */
static bool
covered(struct daemon *d, const struct gh_request *r)
{
  if(!d->forced || (r->refetch && !d->forced_refetch))
    return false;
  GPtrArray *sel = NULL, *adhoc = NULL;
  GError *err = NULL;
  if(!gh_seeds_select(d->seeds, r->seeds, r->regions, &sel, &adhoc, NULL, &err)) {
    g_error_free(err);
    return false; /* taken the usual way, which says why it is dropped */
  }
  bool all = adhoc->len == 0;
  for(guint i = 0; all && i < sel->len; i++)
    all = g_hash_table_contains(d->forced, ((struct gh_seed *)sel->pdata[i])->url);
  g_ptr_array_free(sel, TRUE);
  g_ptr_array_unref(adhoc);
  return all;
}

/* A request waits in the spool: one the running forced crawl covers is
 * dropped (said in the journal), anything else stops the crawl so the
 * requests are taken now. */
static void
look_at_spool(struct daemon *d)
{
  if(!d->forced) {
    if(gh_requests_waiting(gh_store_dir(d->st))) {
      d->request_waiting = true;
      stop_crawl = 1;
    }
    return;
  }
  GPtrArray *reqs = gh_requests_peek(gh_store_dir(d->st));
  bool others = false;
  for(guint i = 0; i < reqs->len; i++) {
    const struct gh_request *r = reqs->pdata[i];
    if(covered(d, r)) {
      gh_log(GH_LOG_INFO, NULL, "request %s: its seeds are being crawled now; coalesced", r->path);
      gh_request_done(r);
    } else {
      others = true;
    }
  }
  g_ptr_array_free(reqs, TRUE);
  if(others || gh_requests_waiting(gh_store_dir(d->st))) {
    d->request_waiting = true;
    stop_crawl = 1;
  }
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
  /* A request in the spool pauses the crawl (it resumes after): "now"
   * means within seconds, not after a cycle of 3,000 hosts. */
  if(d->st && !d->request_waiting && now - d->last_spool_look >= G_USEC_PER_SEC) {
    d->last_spool_look = now;
    look_at_spool(d);
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
  gh_config_clear(&d->cfg);
  d->cfg = cfg;
  if(d->st) { /* the open store stays the store */
    g_free(d->cfg.store_path);
    d->cfg.store_path = g_strdup(gh_store_dir(d->st));
  }
  if(d->seeds)
    g_ptr_array_free(d->seeds, TRUE);
  d->seeds = seeds;
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

/* Runs one crawl of `seeds`; false on a store failure (then *rc is set). */
static bool
crawl_now(struct daemon *d, GPtrArray *seeds, bool force, bool refetch, bool cycle_open,
          const char *why, int *rc)
{
  GError *err = NULL;
  struct gh_crawl_opts o = { 0 };
  o.cfg = &d->cfg;
  o.seeds = seeds;
  o.regions = d->regions;
  o.force = force;
  o.refetch = refetch;
  gh_cli_extract_opts(&o.extract, &d->cfg);
  o.stop = &stop_crawl;
  o.status = status;
  o.tick = ping;
  o.status_ud = d;
  /* A commit that outlasts the watchdog period stops the pings, so
   * systemd restarts a daemon whose disk hangs as it would a hung loop. */
  o.commit_stall_usec = (gint64)d->watchdog_usec; /* 0 without one: a minute */
  if(!d->hosts)
    d->hosts = gh_crawl_hosts_new();
  o.hosts = d->hosts;
  struct gh_crawl_summary sum;
  gh_crawl_summary_init(&sum);
  gh_log(GH_LOG_INFO, NULL, "crawl: %u seeds %s%s", seeds->len, why,
         cycle_open ? ", resuming an unfinished cycle" : "");
  bool ok = gh_crawl_run(d->st, &o, &sum, &err);
  if(!ok) {
    /* A store failure: systemd restarts us (Restart=on-failure). */
    gh_log(GH_LOG_ERROR, NULL, "%s", err->message);
    sd_notifyf(0, "STATUS=store failure: %s", err->message);
    g_error_free(err);
    *rc = GH_EXIT_FAILED;
  } else {
    gh_log(GH_LOG_INFO, NULL, "crawl cycle %" G_GUINT64_FORMAT " %s: %" G_GUINT64_FORMAT
           " documents, %" G_GUINT64_FORMAT " links found",
           sum.cycle, sum.interrupted ? "paused" : "finished", sum.fetched, sum.reports_found);
    if(!sum.interrupted && !sum.queued_left)
      log_misses(d, seeds);
  }
  gh_crawl_summary_clear(&sum);
  return ok;
}

/* Takes the spool's requests (govharvest queue) and crawls their seeds
 * now, past this cycle's visits.  false on a store failure. */
static bool
take_requests(struct daemon *d, int *rc)
{
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  GPtrArray *reqs = gh_requests_take(gh_store_dir(d->st), notes);
  GPtrArray *seeds = g_ptr_array_new(), *adhocs = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
  bool refetch = false, ok = true;
  for(guint i = 0; i < reqs->len; i++) {
    const struct gh_request *r = reqs->pdata[i];
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
    for(guint k = 0; k < sel->len; k++)
      if(g_hash_table_add(seen, ((struct gh_seed *)sel->pdata[k])->url))
        g_ptr_array_add(seeds, sel->pdata[k]);
    refetch = refetch || r->refetch;
    g_ptr_array_free(sel, TRUE);
    g_ptr_array_add(adhocs, adhoc); /* owns the ad-hoc seeds until the crawl ends */
  }
  for(guint i = 0; i < notes->len; i++)
    gh_log(GH_LOG_WARNING, NULL, "%s", (const char *)notes->pdata[i]);
  if(seeds->len) {
    sd_notifyf(0, "STATUS=crawling %u requested seeds", seeds->len);
    d->forced = g_hash_table_new(g_str_hash, g_str_equal);
    for(guint i = 0; i < seeds->len; i++)
      g_hash_table_add(d->forced, ((struct gh_seed *)seeds->pdata[i])->url);
    d->forced_refetch = refetch;
    ok = crawl_now(d, seeds, true, refetch, false, "requested", rc);
    g_clear_pointer(&d->forced, g_hash_table_destroy);
    /* Done unless stopping: a killed or stopped daemon takes them again. */
    for(guint i = 0; ok && !terminate && i < reqs->len; i++)
      gh_request_done(reqs->pdata[i]);
  }
  g_hash_table_destroy(seen);
  g_ptr_array_free(seeds, TRUE);
  g_ptr_array_free(adhocs, TRUE);
  g_ptr_array_free(reqs, TRUE);
  g_ptr_array_free(notes, TRUE);
  return ok;
}

static void
do_reload(struct daemon *d)
{
  sd_notify(0, "RELOADING=1");
  GError *err = NULL;
  if(load(d, &err)) {
    gh_log(GH_LOG_INFO, NULL, "reloaded %s: %u seeds", d->config_file, d->seeds->len);
    sd_notifyf(0, "READY=1\nSTATUS=reloaded: %u seeds", d->seeds->len);
  } else {
    gh_log(GH_LOG_ERROR, NULL, "reload failed, keeping the running configuration: %s", err->message);
    sd_notifyf(0, "READY=1\nSTATUS=reload failed (running configuration kept): %s", err->message);
    g_error_free(err);
  }
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
      do_reload(&d);
    }
    stop_crawl = 0;
    if(terminate)
      break;
    if(idle && d.request_waiting)
      gh_log(GH_LOG_INFO, NULL, "woke: a request in the spool");
    idle = idle && !d.request_waiting;
    d.request_waiting = false;
    if(!take_requests(&d, &rc))
      break;
    if(terminate)
      break;
    gint64 next_due;
    bool cycle_open;
    GPtrArray *due = due_seeds(&d, &next_due, &cycle_open);
    if(due->len || cycle_open) {
      if(idle)
        gh_log(GH_LOG_INFO, NULL, "woke: %u seeds due", due->len);
      idle = false;
      bool ok = crawl_now(&d, due, false, false, cycle_open, "due", &rc);
      g_ptr_array_free(due, TRUE);
      if(!ok)
        break;
      continue; /* look again: a reload may have added seeds */
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
  gh_log(GH_LOG_INFO, NULL, "stopped");
out:
  g_clear_error(&err);
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

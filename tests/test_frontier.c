/* The frontier without a network (store/frontier.c): URL states, enqueue
 * deduplication, revisits, the order of a host's queue, resuming after a
 * stop, and the daemon's schedule (crawler/schedule.c), on a store in a
 * temporary directory. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crawler/schedule.h"
#include "crawler/seeds.h"
#include "store/frontier.h"

static struct gh_urlstate *
state(const char *kind)
{
  struct gh_urlstate *s = gh_urlstate_new();
  gh_urlstate_set(&s->kind, kind);
  gh_urlstate_set_num(s, depth, GH_US_DEPTH, 1);
  return s;
}

static void
commit(struct gh_frontier *f)
{
  gh_frontier_commit_start(f);
  GError *e = NULL;
  enum gh_commit r = gh_frontier_commit_poll(f, G_MAXINT64, NULL, NULL, &e);
  EXPECT(r == GH_COMMIT_DONE || r == GH_COMMIT_IDLE, "commit: %s", e ? e->message : "");
  g_clear_error(&e);
}

struct events {
  int queued, landed;
};

static void
on_event(void *ud, enum gh_frontier_event ev, const char *key, const json_t *json,
         const struct gh_urlstate *us, const char *result)
{
  (void)key, (void)json, (void)us, (void)result;
  struct events *e = ud;
  if(ev == GH_FRONTIER_QUEUED)
    e->queued++;
  else
    e->landed++;
}

static char *
next(struct gh_frontier *f, const char *host, struct gh_urlstate **st)
{
  guint64 seq;
  GError *e = NULL;
  char *u = gh_frontier_next(f, host, 0, NULL, NULL, st, &seq, &e);
  g_clear_error(&e);
  return u;
}

/* Takes the host's next URL, expected to be `want`, and finishes it. */
static void
finish_next(struct gh_frontier *f, const char *host, const char *want)
{
  struct gh_urlstate *s = NULL;
  char *u = next(f, host, &s);
  EXPECT(u && !strcmp(u, want), "next is %s: %s", want, u ? u : "(none)");
  if(u) {
    gh_urlstate_set_state(s, GH_URL_DONE);
    gh_frontier_finish(f, u, host, s);
  }
  gh_urlstate_free(s);
  g_free(u);
}

static void
test_frontier(void)
{
  char *dir = g_dir_make_tmp("gh-frontier-XXXXXX", NULL);
  struct gh_store *st = NULL;
  GError *e = NULL;
  EXPECT(gh_store_open(dir, GH_STORE_WRITE, 0, &st, &e), "open: %s", e ? e->message : "");
  guint64 cycle = 0;
  EXPECT(gh_frontier_begin_cycle(st, &cycle, &e) && cycle == 1, "the first cycle is 1");
  EXPECT(gh_frontier_cycle_open(st), "and open");
  const char *host = "www.a.gov.cn";
  struct gh_frontier_opts fo = { .cycle = cycle, .run_id = 1 };
  struct gh_frontier *f = gh_frontier_new(st, &fo);
  /* Enqueued twice in one batch, and once more in the next: queued once. */
  gh_frontier_enqueue(f, "http://www.a.gov.cn/", host, state("seed"), false);
  gh_frontier_enqueue(f, "http://www.a.gov.cn/list.html", host, state("list"), false);
  gh_frontier_enqueue(f, "http://www.a.gov.cn/list.html", host, state("list"), false);
  gh_frontier_enqueue(f, "http://www.a.gov.cn/r/2023.pdf", host, state("attachment"), false);
  gh_frontier_commit_start(f);
  struct events ev = { 0 };
  EXPECT(gh_frontier_commit_poll(f, G_MAXINT64, on_event, &ev, &e) == GH_COMMIT_DONE &&
           ev.queued == 3,
         "three URLs queued, the duplicate not: %d", ev.queued);
  gh_frontier_enqueue(f, "http://www.a.gov.cn/list.html", host, state("list"), false);
  commit(f);
  EXPECT(gh_frontier_queued(st) == 3, "queue holds 3: %" G_GUINT64_FORMAT, gh_frontier_queued(st));
  /* A host's queue is first in, first out. */
  struct gh_urlstate *s = NULL;
  char *u = next(f, host, &s);
  EXPECT(u && !strcmp(u, "http://www.a.gov.cn/") && gh_urlstate_state(s) == GH_URL_QUEUED,
         "the seed first: %s", u ? u : "(none)");
  /* Finished: not picked again, even before the commit. */
  gh_urlstate_set_state(s, GH_URL_DONE);
  gh_frontier_finish(f, u, host, s);
  gh_urlstate_free(s);
  g_free(u);
  EXPECT(gh_frontier_is_finished(f, "http://www.a.gov.cn/"), "finished before the commit");
  finish_next(f, host, "http://www.a.gov.cn/list.html");
  commit(f);
  EXPECT(gh_frontier_queued(st) == 1, "finished URLs leave the queue");
  /* Visited this cycle: not queued again. */
  gh_frontier_enqueue(f, "http://www.a.gov.cn/list.html", host, state("list"), false);
  commit(f);
  EXPECT(gh_frontier_queued(st) == 1, "a page visited this cycle is not queued again");
  /* A stop: a new frontier over the same store resumes the queue. */
  gh_frontier_free(f);
  f = gh_frontier_new(st, &fo);
  finish_next(f, host, "http://www.a.gov.cn/r/2023.pdf"); /* resumed */
  commit(f);
  gh_frontier_free(f);
  EXPECT(gh_frontier_end_cycle(st, cycle, &e) && !gh_frontier_cycle_open(st), "cycle ended");

  /* The next cycle revisits pages, not documents already fetched. */
  EXPECT(gh_frontier_begin_cycle(st, &cycle, &e) && cycle == 2, "cycle 2");
  fo.cycle = cycle;
  f = gh_frontier_new(st, &fo);
  gh_frontier_enqueue(f, "http://www.a.gov.cn/list.html", host, state("list"), false);
  gh_frontier_enqueue(f, "http://www.a.gov.cn/r/2023.pdf", host, state("attachment"), false);
  commit(f);
  EXPECT(gh_frontier_queued(st) == 1, "the list again, the fetched PDF not");
  struct gh_urlstate *ls = gh_frontier_url(st, "http://www.a.gov.cn/list.html");
  EXPECT(ls && ls->cycle == 2 && gh_urlstate_state(ls) == GH_URL_QUEUED,
         "its state says queued in cycle 2");
  gh_urlstate_free(ls);
  /* A forced run refetches pages visited this cycle, once. */
  finish_next(f, host, "http://www.a.gov.cn/list.html");
  commit(f);
  gh_frontier_free(f);
  fo.run_id = 2;
  fo.refetch = true;
  f = gh_frontier_new(st, &fo);
  gh_frontier_enqueue(f, "http://www.a.gov.cn/list.html", host, state("list"), true);
  gh_frontier_enqueue(f, "http://www.a.gov.cn/r/2023.pdf", host, state("attachment"), true);
  commit(f);
  EXPECT(gh_frontier_queued(st) == 2, "forced with --refetch: both again");
  gh_frontier_enqueue(f, "http://www.a.gov.cn/list.html", host, state("list"), true);
  commit(f);
  EXPECT(gh_frontier_queued(st) == 2, "once per run");
  GHashTable *by = gh_frontier_queued_by_host(st);
  EXPECT(GPOINTER_TO_UINT(g_hash_table_lookup(by, host)) == 2, "counted per host");
  g_hash_table_destroy(by);
  GPtrArray *hosts = gh_frontier_hosts(st, &e);
  EXPECT(hosts && hosts->len == 1 && !strcmp(hosts->pdata[0], host), "one host with work");
  g_ptr_array_free(hosts, TRUE);
  gh_frontier_free(f);

  /* The daemon's schedule: a seed queued two days ago is due in the
   * season (daily) and not outside it (weekly); a seed never queued is
   * due at once. */
  {
    struct gh_frontier_opts so = { .cycle = cycle, .run_id = 3 };
    f = gh_frontier_new(st, &so);
    struct gh_urlstate *ss = state("seed");
    gh_urlstate_set(&ss->queued_at, "2027-01-08T00:00:00Z");
    gh_frontier_set(f, "http://www.b.gov.cn/", ss);
    gh_urlstate_free(ss);
    commit(f);
    gh_frontier_free(f);
    struct gh_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.recrawl_seconds = 7 * 86400;
    cfg.season_recrawl_seconds = 86400;
    cfg.season_from = 101;
    cfg.season_until = 331;
    struct gh_seed a = { .url = "http://www.b.gov.cn/" }, b = { .url = "http://www.c.gov.cn/" };
    GPtrArray *seeds = g_ptr_array_new();
    g_ptr_array_add(seeds, &a);
    g_ptr_array_add(seeds, &b);
    GDateTime *jan = g_date_time_new_utc(2027, 1, 10, 0, 0, 0);
    gint64 next_due = 0;
    GPtrArray *due = gh_schedule_due(st, &cfg, seeds, jan, &next_due);
    EXPECT(due->len == 2, "in season both are due: %u", due->len);
    g_ptr_array_free(due, TRUE);
    cfg.season_from = 501; /* the same day, out of season */
    cfg.season_until = 1231;
    due = gh_schedule_due(st, &cfg, seeds, jan, &next_due);
    GDateTime *then = g_date_time_new_from_unix_utc(next_due);
    EXPECT(due->len == 1 && due->pdata[0] == &b && g_date_time_get_day_of_month(then) == 15,
           "out of season only the new seed; the other on the 15th: %u", due->len);
    g_date_time_unref(then);
    g_ptr_array_free(due, TRUE);
    cfg.season_from = 1101; /* a season across New Year */
    cfg.season_until = 228;
    GDateTime *june = g_date_time_new_utc(2027, 6, 1, 0, 0, 0);
    EXPECT(gh_schedule_in_season(&cfg, jan) && !gh_schedule_in_season(&cfg, june),
           "a season may run across New Year");
    g_date_time_unref(june);
    /* Queued under a clock 400 days ahead: once the clock is right again
     * the seed is due now, not in 400 days. */
    f = gh_frontier_new(st, &so);
    ss = state("seed");
    gh_urlstate_set(&ss->queued_at, "2028-02-14T00:00:00Z");
    gh_frontier_set(f, "http://www.b.gov.cn/", ss);
    gh_urlstate_free(ss);
    commit(f);
    gh_frontier_free(f);
    due = gh_schedule_due(st, &cfg, seeds, jan, &next_due);
    EXPECT(due->len == 2, "a last-queued time in the future is not trusted: %u due", due->len);
    g_ptr_array_free(due, TRUE);
    g_date_time_unref(jan);
    g_ptr_array_free(seeds, TRUE);
  }

  /* States by name, both ways. */
  for(int i = 0; i < GH_URL_STATES; i++) {
    enum gh_url_state back;
    EXPECT(gh_url_state_parse(gh_url_state_name((enum gh_url_state)i), &back) && (int)back == i,
           "state %d round-trips", i);
  }
  enum gh_url_state none;
  EXPECT(!gh_url_state_parse("nonsense", &none), "an unknown state is refused");
  gh_store_close(st);
  char *cmd = g_strdup_printf("rm -rf '%s'", dir);
  EXPECT(system(cmd) == 0, "cleanup");
  g_free(cmd);
  g_free(dir);
}

static const struct gh_case cases[] = { GH_CASE(frontier) };

int
main(int argc, char **argv)
{
  return gh_cases_main("frontier", cases, G_N_ELEMENTS(cases), argc, argv);
}

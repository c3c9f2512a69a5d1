/* The crawl's scheduling rules without a network: a host's politeness
 * (crawler/host.c: delays, Crawl-delay, robots.txt first, backoff, the
 * failure budget, draining) on a clock the test moves, and the frontier
 * (store/frontier.c: URL states, enqueue deduplication, revisits, the
 * order of a host's queue, resuming after a stop) on a store in a
 * temporary directory. */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "crawler/host.h"
#include "crawler/schedule.h"
#include "crawler/seeds.h"
#include "store/frontier.h"

#define SEC 1000000

static const struct gh_host_rules rules = {
  .delay = 1.0, .connections = 1, .max_pages = 3, .failures = 4, .retries = 2, .backoff = 10.0,
};

static void
test_host_turns(void)
{
  struct gh_host *h = gh_host_new("www.example.gov.cn", &rules);
  gint64 t = 100 * (gint64)SEC, wait = 0;
  /* Nothing known yet: robots.txt first, and the URL stays queued. */
  EXPECT(gh_host_next_job(h, t, &wait) == GH_HOST_NOW, "a new host may start");
  EXPECT(gh_host_judge(h, "/a.html") == GH_PICK_ROBOTS, "robots.txt before anything");
  h->robots_loading = true;
  gh_host_started(h, "http://www.example.gov.cn/robots.txt", t);
  EXPECT(gh_host_next_job(h, t, &wait) == GH_HOST_FULL, "one connection: no overlap");
  gh_host_answered(h, "http://www.example.gov.cn/robots.txt", t + SEC / 10, 0, G_MAXUINT64);
  EXPECT(gh_host_next_job(h, t + SEC / 10, &wait) == GH_HOST_WAIT && wait == t + SEC,
         "the next request waits for the delay from the previous start: %" G_GINT64_FORMAT,
         wait - t);
  EXPECT(gh_host_next_job(h, t + SEC, &wait) == GH_HOST_LOADING, "and for robots.txt's answer");
  /* Crawl-delay 3 raises the delay, and pushes back the request the old
   * delay allowed. */
  const char *robots = "User-agent: *\nDisallow: /private\nCrawl-delay: 3\n";
  gh_host_set_robots(h, 200, robots, strlen(robots));
  h->robots_loading = false;
  EXPECT(h->delay == 3.0, "Crawl-delay 3 s: delay %.1f", h->delay);
  EXPECT(gh_host_next_job(h, t + SEC, &wait) == GH_HOST_WAIT && wait == t + 3 * SEC,
         "pushed back to 3 s after the robots.txt request: %.1f s", (double)(wait - t) / SEC);
  EXPECT(gh_host_judge(h, "/private/x.html") == GH_PICK_DISALLOWED, "robots.txt's Disallow");
  EXPECT(gh_host_judge(h, "/public/x.html") == GH_PICK_FETCH, "the rest may be fetched");
  /* The page budget. */
  h->pages = rules.max_pages;
  EXPECT(gh_host_judge(h, "/public/y.html") == GH_PICK_OVER_BUDGET, "max_pages per cycle");
  h->pages = 0;
  /* A Crawl-delay below the configured delay does not lower it. */
  const char *fast = "User-agent: *\nCrawl-delay: 0.1\n";
  gh_host_set_robots(h, 200, fast, strlen(fast));
  EXPECT(h->delay == 1.0, "the configured delay is the floor: %.1f", h->delay);
  gh_host_free(h);
}

static void
test_host_failures(void)
{
  struct gh_host *h = gh_host_new("slow.example.gov.cn", &rules);
  bool aside = false;
  double waits[6];
  for(int i = 0; i < 6; i++)
    waits[i] = gh_host_failed(h, "timeout", "no answer", &aside);
  EXPECT(waits[0] == 10 && waits[1] == 20 && waits[2] == 40 && waits[3] == 80 && waits[4] == 80,
         "backoff doubles and stops at 8×: %.0f %.0f %.0f %.0f %.0f", waits[0], waits[1], waits[2],
         waits[3], waits[4]);
  EXPECT(h->unhealthy && strstr(h->unhealthy, "4 timeout failures this cycle"),
         "set aside after the budget: %s", h->unhealthy ? h->unhealthy : "(not)");
  gint64 wait;
  EXPECT(gh_host_next_job(h, 0, &wait) == GH_HOST_OFF, "no more requests this cycle");
  gh_host_free(h);

  /* Set aside exactly once, when the budget is spent. */
  h = gh_host_new("flaky.example.gov.cn", &rules);
  int told = 0;
  for(int i = 0; i < 3; i++) {
    gh_host_failed(h, "connect", "refused", &aside);
    told += aside;
  }
  EXPECT(told == 0 && !h->unhealthy, "three failures are within the budget of four");
  gh_host_succeeded(h); /* a fast 404 between drips */
  EXPECT(gh_host_failed(h, "connect", "refused", &aside) == 10 && aside && h->unhealthy,
         "a success resets the backoff, not the cycle's count: the fourth sets it aside");
  gh_host_failed(h, "connect", "refused", &aside);
  EXPECT(!aside, "and says so once");
  gh_host_free(h);

  /* The time budget: failed transfers' seconds add up, whatever succeeds
   * between them; successes are never charged. */
  struct gh_host_rules timed = rules;
  timed.failures = 1000;
  timed.failure_time = 60;
  h = gh_host_new("drip.example.gov.cn", &timed);
  bool spent = false;
  for(int i = 0; i < 2 && !spent; i++) {
    spent = gh_host_charge(h, 25, "timeout", "Operation timed out");
    gh_host_succeeded(h);
  }
  EXPECT(!spent && !h->unhealthy, "50 s of failed transfers are within 60 s");
  spent = gh_host_charge(h, 25, "timeout", "Operation timed out");
  EXPECT(spent && h->unhealthy && strstr(h->unhealthy, "75 s spent in failed transfers"),
         "75 s spend it: %s", h->unhealthy ? h->unhealthy : "(not)");
  EXPECT(!gh_host_charge(h, 25, "timeout", "again"), "and it is said once");
  gh_host_free(h);

  /* Backoff and Retry-After count from the answer. */
  h = gh_host_new("busy.example.gov.cn", &rules);
  gh_host_started(h, "http://busy.example.gov.cn/a", 0);
  gh_host_answered(h, "http://busy.example.gov.cn/a", 2 * SEC, 30, 7);
  gint64 until = 0;
  EXPECT(gh_host_next_job(h, 3 * SEC, &until) == GH_HOST_WAIT && until == 32 * SEC,
         "waits 30 s after the answer: %.0f", (double)until / SEC);
  h->scan_from = 9;
  gh_host_started(h, "http://busy.example.gov.cn/b", 40 * SEC);
  gh_host_answered(h, "http://busy.example.gov.cn/b", 41 * SEC, 0, 7);
  EXPECT(h->scan_from == 7, "a retry's entry is picked again: scan from %" G_GUINT64_FORMAT,
         h->scan_from);
  gh_host_free(h);

  /* robots.txt that cannot be read: retried with backoff (at least the
   * Retry-After), then the host drains. */
  h = gh_host_new("down.example.gov.cn", &rules);
  double w1 = gh_host_robots_unavailable(h, true, 0, "http_5xx", "robots.txt unreachable (503)");
  double w2 = gh_host_robots_unavailable(h, true, 60, "http_5xx", "robots.txt unreachable (503)");
  double w3 = gh_host_robots_unavailable(h, true, 0, "http_5xx", "robots.txt unreachable (503)");
  EXPECT(w1 == 10 && w2 == 60 && w3 < 0, "robots.txt retries: %.0f %.0f then give up (%.0f)", w1,
         w2, w3);
  EXPECT(h->drain && !strcmp(h->drain_kind, "http_5xx") &&
           gh_host_judge(h, "/a.html") == GH_PICK_DRAIN,
         "an unreachable robots.txt drains the host");
  gh_host_free(h);
  h = gh_host_new("cert.example.gov.cn", &rules);
  EXPECT(gh_host_robots_unavailable(h, false, 0, "tls", "robots.txt unreachable (certificate)") < 0,
         "a failure that waiting will not mend drains at once");
  gh_host_free(h);
}

static void
test_host_store_state(void)
{
  struct gh_host *h = gh_host_new("www.example.gov.cn", &rules);
  h->pages = 2;
  const char *robots = "User-agent: *\nDisallow: /x\nCrawl-delay: 2\n";
  json_t *st = gh_host_state(h, 5, 200, robots, 1000);
  gh_host_free(h);
  h = gh_host_new("www.example.gov.cn", &rules);
  gh_host_load(h, st, 5, 1000 + 3600, 24 * 3600);
  EXPECT(h->pages == 2 && h->robots && h->delay == 2.0 &&
           gh_host_judge(h, "/x/1") == GH_PICK_DISALLOWED,
         "a stored robots.txt of today is reused, with this cycle's page count");
  gh_host_free(h);
  h = gh_host_new("www.example.gov.cn", &rules);
  gh_host_load(h, st, 6, 1000 + 25 * 3600, 24 * 3600);
  EXPECT(h->pages == 0 && !h->robots, "a day-old robots.txt is fetched again; a new cycle counts from 0");
  gh_host_free(h);
  h = gh_host_new("www.example.gov.cn", &rules);
  gh_host_load(h, st, 5, 1000 - 400 * 86400, 24 * 3600);
  EXPECT(!h->robots, "a robots.txt read 400 days in the future is not fresh: fetched again");
  gh_host_free(h);
  json_decref(st);
}

/* ---- the frontier ---- */

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

/* The URL state's two forms: the stored one gives back what went in, and
 * refuses damage; the JSON one keeps what the struct does not know. */
static void
test_urlstate(void)
{
  const char *full =
    "{\"state\":\"redirected\",\"kind\":\"report\",\"depth\":2,\"cycle\":7,\"qseq\":0,"
    "\"forced_run\":1767225600,\"attempts\":3,\"http_status\":302,\"seed\":\"http://www.a.gov.cn/\","
    "\"region\":\"532329\",\"text\":\"武定县2023年政府信息公开工作年度报告\",\"referer\":\"http://www.a.gov.cn/nb/\","
    "\"embed\":\"http://www.a.gov.cn/col/\",\"queued_at\":\"2026-12-01T00:00:00Z\",\"error\":\"http_5xx\","
    "\"reason\":\"HTTP 503\",\"etag\":\"\\\"5e1\\\"\",\"last_modified\":\"Mon, 01 Dec 2026 00:00:00 GMT\","
    "\"sha256\":\"ab\",\"fetched_at\":\"2026-12-01T00:00:01Z\",\"record_status\":\"\","
    "\"redirect_to\":\"http://www.a.gov.cn/r.pdf\",\"redirect_chain\":[\"http://www.a.gov.cn/x\"],"
    "\"out\":[[\"http://www.a.gov.cn/r/1.pdf\",\"attachment\",3,\"附件1\"]],"
    "\"future_key\":{\"a\":[1,2]},\"depth_note\":null}";
  json_t *in = json_loads(full, 0, NULL);
  struct gh_urlstate *s = gh_urlstate_from_json(in);
  EXPECT(s && (s->has & GH_US_QSEQ) && s->qseq == 0 && s->extra &&
           json_object_size(s->extra) == 2 && s->out && s->out->len == 1,
         "every field read, qseq 0 is set, two unknown keys kept aside");
  json_t *back = gh_urlstate_to_json(s);
  EXPECT(json_equal(in, back), "the JSON form gives back what went in");
  json_decref(back);
  GByteArray *b = g_byte_array_new();
  gh_urlstate_encode(s, b);
  struct gh_urlstate *d = gh_urlstate_decode(b->data, b->len);
  back = d ? gh_urlstate_to_json(d) : NULL;
  EXPECT(back && json_equal(in, back), "the stored form gives back what went in");
  json_decref(back);
  struct gh_urlstate head;
  EXPECT(gh_urlstate_decode_head(b->data, b->len, &head) && head.cycle == 7 &&
           head.state == GH_URL_REDIRECTED && !g_strcmp0(head.kind, "report") && !head.seed,
         "the head alone: numbers, state and kind");
  g_free(head.kind);
  /* Damage: every cut, a JSON text, a state past the names, a count that
   * lies. */
  int refused = 0;
  for(guint cut = 0; cut < b->len; cut++) {
    struct gh_urlstate *t = gh_urlstate_decode(b->data, cut);
    refused += t == NULL;
    gh_urlstate_free(t);
  }
  EXPECT(refused == (int)b->len, "a stored state cut short is refused (%d of %u)", refused, b->len);
  EXPECT(!gh_urlstate_decode(full, strlen(full)) && !gh_urlstate_is_encoded(full, strlen(full)),
         "JSON text is not the stored form");
  GByteArray *bad = g_byte_array_new();
  g_byte_array_append(bad, b->data, b->len);
  guint32 st = 99;
  memcpy(bad->data + 8, &st, 4);
  EXPECT(!gh_urlstate_decode(bad->data, bad->len), "a state past the names is refused");
  g_byte_array_unref(bad);
  gh_urlstate_free(s);
  gh_urlstate_free(d);
  g_byte_array_unref(b);
  json_decref(in);
  /* A field of the wrong type is kept as it was, not dropped. */
  in = json_loads("{\"kind\":5,\"depth\":\"1\",\"state\":\"damaged\",\"raw\":\"{x\"}", 0, NULL);
  s = gh_urlstate_from_json(in);
  back = gh_urlstate_to_json(s);
  EXPECT(!s->kind && !(s->has & (GH_US_DEPTH | GH_US_STATE)) && json_equal(in, back),
         "foreign values stay in extra, as they were");
  json_decref(back);
  gh_urlstate_free(s);
  json_decref(in);
}

int
main(void)
{
  test_host_turns();
  test_host_failures();
  test_host_store_state();
  test_frontier();
  test_urlstate();
  printf("frontier: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

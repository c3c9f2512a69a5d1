/* A host's politeness without a network (crawler/host.c): delays,
 * Crawl-delay, robots.txt first, backoff, the failure budget, draining, and
 * the state a host keeps between runs, on a clock the test moves. */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "crawler/host.h"

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
    waits[i] = gh_host_failed(h, GH_FAIL_TIMEOUT, "no answer", &aside);
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
    gh_host_failed(h, GH_FAIL_CONNECT, "refused", &aside);
    told += aside;
  }
  EXPECT(told == 0 && !h->unhealthy, "three failures are within the budget of four");
  gh_host_succeeded(h); /* a fast 404 between drips */
  EXPECT(gh_host_failed(h, GH_FAIL_CONNECT, "refused", &aside) == 10 && aside && h->unhealthy,
         "a success resets the backoff, not the cycle's count: the fourth sets it aside");
  gh_host_failed(h, GH_FAIL_CONNECT, "refused", &aside);
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
    spent = gh_host_charge(h, 25, GH_FAIL_TIMEOUT, "Operation timed out");
    gh_host_succeeded(h);
  }
  EXPECT(!spent && !h->unhealthy, "50 s of failed transfers are within 60 s");
  spent = gh_host_charge(h, 25, GH_FAIL_TIMEOUT, "Operation timed out");
  EXPECT(spent && h->unhealthy && strstr(h->unhealthy, "75 s spent in failed transfers"),
         "75 s spend it: %s", h->unhealthy ? h->unhealthy : "(not)");
  EXPECT(!gh_host_charge(h, 25, GH_FAIL_TIMEOUT, "again"), "and it is said once");
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
  double w1 = gh_host_robots_unavailable(h, true, 0, GH_FAIL_HTTP_5XX, "robots.txt unreachable (503)");
  double w2 = gh_host_robots_unavailable(h, true, 60, GH_FAIL_HTTP_5XX, "robots.txt unreachable (503)");
  double w3 = gh_host_robots_unavailable(h, true, 0, GH_FAIL_HTTP_5XX, "robots.txt unreachable (503)");
  EXPECT(w1 == 10 && w2 == 60 && w3 < 0, "robots.txt retries: %.0f %.0f then give up (%.0f)", w1,
         w2, w3);
  EXPECT(h->drain && h->drain_kind == GH_FAIL_HTTP_5XX &&
           gh_host_judge(h, "/a.html") == GH_PICK_DRAIN,
         "an unreachable robots.txt drains the host");
  gh_host_free(h);
  h = gh_host_new("cert.example.gov.cn", &rules);
  EXPECT(gh_host_robots_unavailable(h, false, 0, GH_FAIL_TLS,
                                    "robots.txt unreachable (certificate)") < 0,
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

/* A reload's new rules (gh_crawl_reconfigure): a longer delay counts from
 * the last request, a shorter one never brings it forward, a Crawl-delay
 * above both still rules, and the backoff and failures are kept. */
static void
test_host_rules_changed(void)
{
  struct gh_host_rules r = rules;
  struct gh_host *h = gh_host_new("www.reload.gov.cn", &r);
  gint64 t = 100 * (gint64)SEC, wait = 0;
  gh_host_set_robots(h, 404, "", 0);
  gh_host_started(h, "http://www.reload.gov.cn/a.html", t);
  gh_host_answered(h, "http://www.reload.gov.cn/a.html", t + SEC / 10, 0, G_MAXUINT64);
  bool aside = false;
  gh_host_failed(h, GH_FAIL_TIMEOUT, "no answer", &aside);
  r.delay = 4.0;
  gh_host_rules_changed(h);
  EXPECT(h->delay == 4.0 && gh_host_next_job(h, t + SEC, &wait) == GH_HOST_WAIT && wait == t + 4 * SEC,
         "delay 1 -> 4 s: the next request 4 s after the last, not after the reload: %.1f s",
         (double)(wait - t) / SEC);
  r.delay = 0.5;
  gh_host_rules_changed(h);
  EXPECT(h->delay == 0.5 && gh_host_next_job(h, t + SEC, &wait) == GH_HOST_WAIT && wait == t + 4 * SEC,
         "a shorter delay does not bring the waiting request forward: %.1f s", (double)(wait - t) / SEC);
  EXPECT(h->failures == 1 && h->cycle_failures == 1, "failures kept: %u, %u", h->failures,
         h->cycle_failures);
  const char *robots = "User-agent: *\nCrawl-delay: 60\n";
  gh_host_set_robots(h, 200, robots, strlen(robots));
  r.delay = 2.0;
  gh_host_rules_changed(h);
  EXPECT(h->delay == 60.0, "a Crawl-delay of 60 s outlives a reload's 2 s: %.1f", h->delay);
  gh_host_free(h);
}

static const struct gh_case cases[] = {
  GH_CASE(host_turns), GH_CASE(host_failures), GH_CASE(host_store_state), GH_CASE(host_rules_changed),
};

int
main(int argc, char **argv)
{
  return gh_cases_main("host", cases, G_N_ELEMENTS(cases), argc, argv);
}

/* Whose turn it is (crawler/turns.c crawl_fill): robots.txt before a new
 * host's first page, the oldest queued URL first, robots-denied and
 * over-budget URLs finished without a request, a host's delay, the
 * connection limit, backpressure, and when the cycle's work is done.  On
 * tests/fake_crawl.h's fake web. */
#include <glib.h>
#include <string.h>

#include "fake_crawl.h"

#define HOST "www.wd.gov.cn"
#define U1 "http://www.wd.gov.cn/nb/1.html"
#define U2 "http://www.wd.gov.cn/nb/2.html"
#define PRIV "http://www.wd.gov.cn/private/a.html"

/* The one transfer in flight, or NULL. */
static struct xfer *
in_flight(struct fake_crawl *f)
{
  if(g_hash_table_size(f->c.active) != 1)
    return NULL;
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init(&it, f->c.active);
  return g_hash_table_iter_next(&it, &k, NULL) ? k : NULL;
}

static void
setup(struct fake_crawl *f, const char *robots)
{
  fake_crawl_begin(f);
  if(robots)
    fake_web_answer(&f->web, "/robots.txt", "200 OK", "Content-Type: text/plain\r\n", robots);
  fake_web_answer(&f->web, "/nb/1.html", "200 OK", "Content-Type: text/html\r\n", "<p>1</p>");
  fake_web_answer(&f->web, "/nb/2.html", "200 OK", "Content-Type: text/html\r\n", "<p>2</p>");
}

/* The turn that starts robots.txt, and its answer. */
static void
robots_turn(struct fake_crawl *f)
{
  crawl_fill(&f->c);
  struct xfer *x = in_flight(f);
  EXPECT(x && x->robots && !strcmp(x->url, "http://" HOST "/robots.txt"),
         "a new host's first request is its robots.txt (%s)", x ? x->url : "nothing started");
  if(x)
    fake_xfer_done(f, fake_answer_one(f));
}

static void
test_robots_first(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  setup(&f, "User-agent: *\nDisallow: /private/\n");
  fake_queue(&f, U1, GH_LINK_REPORT, "http://" HOST "/");
  fake_queue(&f, U2, GH_LINK_REPORT, "http://" HOST "/");
  crawl_host_get(&f.c, HOST);
  robots_turn(&f);
  EXPECT(f.c.in_flight == 0 && fake_web_count(&f.web, "GET /nb/") == 0, "no page before robots.txt");
  crawl_fill(&f.c);
  struct xfer *x = in_flight(&f);
  EXPECT(x && !x->robots && !strcmp(x->url, U1), "then the oldest queued URL: %s",
         x ? x->url : "nothing started");
  EXPECT(f.c.in_flight == 1, "one request at a time on a host ([crawl] connections_per_host 1)");
  crawl_fill(&f.c);
  EXPECT(f.c.in_flight == 1, "a second turn starts nothing more on the host");
  fake_xfer_done(&f, fake_answer_one(&f));
  crawl_fill(&f.c);
  x = in_flight(&f);
  EXPECT(x && !strcmp(x->url, U2), "the answered URL, still being read, is not picked again: %s",
         x ? x->url : "nothing started");
  if(x)
    fake_xfer_done(&f, fake_answer_one(&f));
  fake_crawl_end(&f);
}

static void
test_disallowed(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  setup(&f, "User-agent: *\nDisallow: /private/\n");
  fake_queue(&f, PRIV, GH_LINK_REPORT, "http://" HOST "/");
  fake_queue(&f, U1, GH_LINK_REPORT, "http://" HOST "/");
  crawl_host_get(&f.c, HOST);
  robots_turn(&f);
  crawl_fill(&f.c);
  struct xfer *x = in_flight(&f);
  EXPECT(x && !strcmp(x->url, U1), "the allowed URL is started: %s", x ? x->url : "nothing");
  if(x)
    fake_xfer_done(&f, fake_answer_one(&f));
  EXPECT(f.sum.robots_denied == 1, "one URL denied by robots.txt");
  struct gh_urlstate *s = fake_stored(&f, PRIV);
  EXPECT(s && gh_urlstate_state(s) == GH_URL_ROBOTS && !g_strcmp0(s->reason, "disallowed by robots.txt"),
         "the denied URL is finished as robots");
  gh_urlstate_free(s);
  EXPECT(fake_web_count(&f.web, "/private/") == 0, "and never requested");
  fake_crawl_end(&f);
}

static void
test_over_budget(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  f.cfg.max_pages_per_host = 1;
  setup(&f, NULL); /* robots.txt: 404, everything allowed */
  fake_queue(&f, U1, GH_LINK_REPORT, "http://" HOST "/");
  fake_queue(&f, U2, GH_LINK_REPORT, "http://" HOST "/");
  crawl_host_get(&f.c, HOST);
  robots_turn(&f);
  crawl_fill(&f.c);
  fake_xfer_done(&f, fake_answer_one(&f));
  crawl_fill(&f.c);
  EXPECT(f.c.in_flight == 0, "over [crawl] max_pages_per_host nothing more is started");
  struct gh_urlstate *s = fake_stored(&f, U2);
  EXPECT(s && gh_urlstate_state(s) == GH_URL_SKIPPED &&
           !g_strcmp0(s->error, gh_fail_name(GH_FAIL_MAX_PAGES)),
         "the URL over budget is skipped (max_pages) for this cycle");
  gh_urlstate_free(s);
  EXPECT(fake_web_count(&f.web, "GET /nb/2.html") == 0, "and never requested");
  fake_crawl_end(&f);
}

static void
test_delay(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  f.cfg.delay_seconds = 30;
  setup(&f, NULL);
  fake_queue(&f, U1, GH_LINK_REPORT, "http://" HOST "/");
  crawl_host_get(&f.c, HOST);
  gint64 before = g_get_monotonic_time();
  robots_turn(&f);
  gint64 now = g_get_monotonic_time();
  gint64 soonest = crawl_fill(&f.c);
  EXPECT(f.c.in_flight == 0, "within the host's delay nothing is started");
  /* The delay runs from robots.txt's request or answer, both between
   * `before` and `now`. */
  EXPECT(soonest >= before + 30 * (gint64)USEC && soonest <= now + 30 * (gint64)USEC,
         "the turn says when the delay ends: in %.1f s", (double)(soonest - now) / USEC);
  EXPECT(crawl_fill(&f.c) == soonest, "a waiting host keeps its place among the timers");
  fake_crawl_end(&f);
}

static void
test_connection_limit(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  f.cfg.max_connections = 1;
  setup(&f, NULL);
  fake_queue(&f, U1, GH_LINK_REPORT, "http://" HOST "/");
  fake_queue(&f, "http://www.hzq.gov.cn/nb/1.html", GH_LINK_REPORT, "http://www.hzq.gov.cn/");
  crawl_host_get(&f.c, HOST);
  crawl_host_get(&f.c, "www.hzq.gov.cn");
  crawl_fill(&f.c);
  EXPECT(f.c.in_flight == 1, "[crawl] max_connections 1: one request for two hosts (%u)", f.c.in_flight);
  fake_xfer_done(&f, fake_answer_one(&f));
  crawl_fill(&f.c);
  struct xfer *x = in_flight(&f);
  EXPECT(x && x->robots && strstr(x->url, "www.hzq.gov.cn"),
         "the host cut short by the limit gets the next turn: %s", x ? x->url : "nothing");
  if(x)
    fake_xfer_done(&f, fake_answer_one(&f));
  fake_crawl_end(&f);
}

static void
test_backpressure(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  setup(&f, NULL);
  fake_queue(&f, U1, GH_LINK_REPORT, "http://" HOST "/");
  crawl_host_get(&f.c, HOST);
  f.c.pending_bytes = PENDING_BYTES_MAX + 1;
  EXPECT(crawl_fill(&f.c) == G_MAXINT64 && f.c.in_flight == 0,
         "with 256 MiB of bodies waiting for the workers nothing is started");
  f.c.pending_bytes = 0;
  crawl_fill(&f.c);
  EXPECT(f.c.in_flight == 1, "and the host's turn comes when they are read");
  fake_xfer_done(&f, fake_answer_one(&f));
  fake_crawl_end(&f);
}

static void
test_drained(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  setup(&f, NULL);
  fake_queue(&f, U1, GH_LINK_REPORT, "http://" HOST "/");
  struct gh_host *h = crawl_host_get(&f.c, HOST);
  gh_host_set_robots(h, 404, "", 0);
  EXPECT(!crawl_hosts_drained(&f.c), "a host with a queued URL: not drained");
  struct gh_urlstate *s = gh_frontier_url(f.c.st, U1);
  crawl_finish(&f.c, U1, HOST, s, GH_URL_DONE, NULL);
  gh_urlstate_free(s);
  fake_commit(&f);
  EXPECT(crawl_hosts_drained(&f.c) && h->idle, "its last URL finished: drained, the host idle");
  fake_crawl_end(&f);
}

static const struct gh_case cases[] = {
  GH_CASE(robots_first),     GH_CASE(disallowed),  GH_CASE(over_budget), GH_CASE(delay),
  GH_CASE(connection_limit), GH_CASE(backpressure), GH_CASE(drained),
};

int
main(int argc, char **argv)
{
  return fake_crawl_main("turns", cases, G_N_ELEMENTS(cases), argc, argv);
}

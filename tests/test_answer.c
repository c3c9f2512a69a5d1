/* What each answer means (crawler/answer.c), on fake transfers: a URL's
 * next state, its error kind and reason, the retry count, the host's next
 * wait, what a 304 or a redirect queues, and robots.txt becoming the
 * host's rules.  Each case answers from tests/fake_crawl.h's fake web. */
#include <glib.h>
#include <string.h>

#include "fake_crawl.h"

/* The state records the failure `f` under its stored name (store/fail.c
 * pins the names; test_fail checks them), with HTTP status `code` for
 * GH_FAIL_HTTP_STATUS. */
static bool
failed_as(const struct gh_urlstate *s, enum gh_fail f, long code)
{
  enum gh_fail got = GH_FAIL_N;
  long got_code = 0;
  return gh_fail_from_name(s->error, &got, &got_code) && got == f &&
         (f != GH_FAIL_HTTP_STATUS || got_code == code);
}

#define COLUMN "http://www.wd.gov.cn/zwgk/zfxxgknb/index.html"

/* The host's next turn: how many seconds from now it may ask again (0:
 * now). */
static double
host_wait(struct fake_crawl *f, const char *name)
{
  struct gh_host *h = crawl_host_get(&f->c, name);
  gint64 now = g_get_monotonic_time(), until = now;
  enum gh_host_turn t = gh_host_next_job(h, now, &until);
  return t == GH_HOST_WAIT ? (double)(until - now) / USEC : 0;
}

/* When the host may ask again (monotonic µs; now when it may at once). */
static gint64
host_until(struct fake_crawl *f, const char *name)
{
  struct gh_host *h = crawl_host_get(&f->c, name);
  gint64 now = g_get_monotonic_time(), until = now;
  return gh_host_next_job(h, now, &until) == GH_HOST_WAIT ? until : now;
}

static void
test_ok(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/zwgk/zfxxgknb/index.html", "200 OK",
                  "Content-Type: text/html; charset=utf-8\r\nETag: \"c1\"\r\n",
                  "<ul><li><a href='t1.html'>武定县2023年政府信息公开工作年度报告</a></li></ul>");
  fake_queue(&f, COLUMN, GH_LINK_COLUMN, "http://www.wd.gov.cn/");
  struct xfer *x = fake_fetch(&f, COLUMN);
  EXPECT(x->fetched && x->kind == GH_LINK_COLUMN, "a 200 is kept for a worker (fetched %d, kind %d)",
         x->fetched, x->kind);
  EXPECT(x->state->http_status == 200 && x->hd.etag && !strcmp(x->hd.etag, "\"c1\""),
         "its status and validator are noted");
  EXPECT(g_hash_table_contains(x->host->busy, COLUMN),
         "the URL stays busy until its body is handed over, so no turn picks it again");
  EXPECT(f.sum.fetched == 1 && x->host->pages == 1 && f.c.in_flight == 0,
         "counted: %" G_GUINT64_FORMAT " fetched, %u pages, %u in flight", f.sum.fetched,
         (unsigned)x->host->pages, f.c.in_flight);
  EXPECT(!gh_frontier_is_finished(f.c.fr, COLUMN), "not finished before its body is read");
  fake_xfer_done(&f, x);
  fake_crawl_end(&f);
}

static void
test_not_modified(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/zwgk/zfxxgknb/index.html", "304 Not Modified", NULL, "");
  crawl_enqueue(&f.c, COLUMN, NULL, GH_LINK_COLUMN, 1, "http://www.wd.gov.cn/", "532329", NULL, NULL);
  fake_commit(&f);
  /* What the column linked when it was last read. */
  struct gh_urlstate *s = gh_frontier_url(f.c.st, COLUMN);
  gh_urlstate_set(&s->etag, "\"c1\"");
  gh_urlstate_add_out(s, "http://www.wd.gov.cn/zwgk/zfxxgknb/202401/t1.html", "report", 2,
                      "武定县2023年政府信息公开工作年度报告");
  gh_frontier_set(f.c.fr, COLUMN, s);
  gh_urlstate_free(s);
  struct xfer *x = fake_fetch(&f, COLUMN);
  EXPECT(fake_web_count(&f.web, "GET /zwgk/zfxxgknb/index.html") == 1, "asked once");
  EXPECT(gh_urlstate_state(x->state) == GH_URL_DONE && !x->state->error && !x->fetched,
         "a 304 is done, with no error and no body to read");
  EXPECT(f.sum.not_modified == 1, "counted as not modified");
  fake_xfer_done(&f, x);
  struct gh_urlstate *r = fake_stored(&f, "http://www.wd.gov.cn/zwgk/zfxxgknb/202401/t1.html");
  EXPECT(r && gh_urlstate_state(r) == GH_URL_QUEUED && !g_strcmp0(r->kind, "report") &&
           r->depth == 2 && !g_strcmp0(r->referer, COLUMN),
         "what it linked last time is queued again, as it was linked");
  gh_urlstate_free(r);
  fake_crawl_end(&f);
}

static void
test_throttled(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  f.cfg.retries = 2;
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/zwgk/zfxxgknb/index.html", "429 Too Many Requests",
                  "Retry-After: 30\r\n", "");
  fake_queue(&f, COLUMN, GH_LINK_COLUMN, "http://www.wd.gov.cn/");
  for(int attempt = 1; attempt <= 2; attempt++) {
    gint64 before = g_get_monotonic_time();
    struct xfer *x = fake_fetch(&f, COLUMN);
    EXPECT(gh_urlstate_state(x->state) == GH_URL_QUEUED && x->state->attempts == attempt &&
             failed_as(x->state, GH_FAIL_HTTP_429, 0) && !g_strcmp0(x->state->reason, "HTTP 429"),
           "429 #%d: still queued, attempt %d, error %s", attempt, (int)x->state->attempts,
           x->state->error ? x->state->error : "(none)");
    EXPECT(!gh_frontier_is_finished(f.c.fr, COLUMN), "429 #%d: not finished", attempt);
    EXPECT(host_until(&f, "www.wd.gov.cn") >= before + 30 * (gint64)USEC,
           "429 #%d: the host waits out Retry-After (30 s): %.1f s", attempt,
           host_wait(&f, "www.wd.gov.cn"));
    fake_xfer_done(&f, x);
  }
  struct xfer *x = fake_fetch(&f, COLUMN);
  EXPECT(gh_urlstate_state(x->state) == GH_URL_FAILED && failed_as(x->state, GH_FAIL_HTTP_429, 0),
         "past [crawl] retries the URL fails as http_429");
  EXPECT(GPOINTER_TO_UINT(g_hash_table_lookup(f.sum.errors, "http_429")) == 1,
         "the summary counts the failure once");
  fake_xfer_done(&f, x);
  struct gh_urlstate *s = fake_stored(&f, COLUMN);
  EXPECT(s && gh_urlstate_state(s) == GH_URL_FAILED && s->attempts == 3, "stored failed after 3 attempts");
  gh_urlstate_free(s);
  fake_crawl_end(&f);
}

static void
test_retry_after_too_long(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/zwgk/zfxxgknb/index.html", "503 Service Unavailable",
                  "Retry-After: 864000\r\n", "");
  fake_queue(&f, COLUMN, GH_LINK_COLUMN, "http://www.wd.gov.cn/");
  struct xfer *x = fake_fetch(&f, COLUMN);
  EXPECT(gh_urlstate_state(x->state) == GH_URL_FAILED && failed_as(x->state, GH_FAIL_HTTP_5XX, 0) &&
           x->state->reason && strstr(x->state->reason, "next cycle"),
         "a Retry-After past the limit waits for the next cycle: %s",
         x->state->reason ? x->state->reason : "(none)");
  fake_xfer_done(&f, x);
  fake_crawl_end(&f);
}

static void
test_http_error(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/nb/gone.pdf", "404 Not Found", NULL, "<h1>404</h1>");
  fake_queue(&f, "http://www.wd.gov.cn/nb/gone.pdf", GH_LINK_ATTACHMENT, "http://www.wd.gov.cn/");
  struct xfer *x = fake_fetch(&f, "http://www.wd.gov.cn/nb/gone.pdf");
  EXPECT(gh_urlstate_state(x->state) == GH_URL_FAILED && failed_as(x->state, GH_FAIL_HTTP_STATUS, 404) &&
           !g_strcmp0(x->state->reason, "HTTP 404") && !(x->state->has & GH_US_ATTEMPTS),
         "a 404 fails at once, not retried");
  EXPECT(host_wait(&f, "www.wd.gov.cn") == 0, "and costs the host no backoff");
  fake_xfer_done(&f, x);
  fake_crawl_end(&f);
}

static void
test_blocked(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/zwgk/zfxxgknb/index.html", "412 Precondition Failed", NULL,
                  "<html><script>$_ts=window['$_ts'];$_ts.nsd=12345;</script></html>");
  fake_queue(&f, COLUMN, GH_LINK_COLUMN, "http://www.wd.gov.cn/");
  struct xfer *x = fake_fetch(&f, COLUMN);
  EXPECT(gh_urlstate_state(x->state) == GH_URL_BLOCKED && failed_as(x->state, GH_FAIL_BLOCKED, 0) &&
           x->state->reason && strstr(x->state->reason, "$_ts"),
         "an anti-bot challenge is blocked, named: %s", x->state->reason ? x->state->reason : "(none)");
  fake_xfer_done(&f, x);
  fake_crawl_end(&f);
}

static void
test_redirect(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  const char *a = "http://www.wd.gov.cn/nb/a.html", *b = "http://www.wd.gov.cn/nb/b.html";
  fake_web_answer(&f.web, "/nb/a.html", "302 Found", "Location: /nb/b.html\r\n", "");
  fake_web_answer(&f.web, "/nb/b.html", "301 Moved Permanently", "Location: a.html\r\n", "");
  fake_web_answer(&f.web, "/nb/off.html", "302 Found", "Location: http://www.example.com/x.html\r\n", "");
  fake_web_answer(&f.web, "/nb/nowhere.html", "302 Found", NULL, "");
  fake_queue(&f, a, GH_LINK_REPORT, "http://www.wd.gov.cn/");
  struct xfer *x = fake_fetch(&f, a);
  EXPECT(gh_urlstate_state(x->state) == GH_URL_REDIRECTED && !g_strcmp0(x->state->redirect_to, b),
         "a redirect within the site: redirected to %s",
         x->state->redirect_to ? x->state->redirect_to : "(none)");
  fake_xfer_done(&f, x);
  struct gh_urlstate *s = fake_stored(&f, b);
  EXPECT(s && gh_urlstate_state(s) == GH_URL_QUEUED && !g_strcmp0(s->kind, "report") && s->redirect_chain &&
           s->redirect_chain->len == 1 && !strcmp(s->redirect_chain->pdata[0], a),
         "the target is queued as its own URL, same kind, with the chain so far");
  gh_urlstate_free(s);
  x = fake_fetch(&f, b);
  EXPECT(gh_urlstate_state(x->state) == GH_URL_FAILED && failed_as(x->state, GH_FAIL_REDIRECT_LOOP, 0),
         "back to a URL of the chain: a loop (%s)", x->state->reason ? x->state->reason : "");
  fake_xfer_done(&f, x);
  fake_queue(&f, "http://www.wd.gov.cn/nb/off.html", GH_LINK_LIST, "http://www.wd.gov.cn/");
  x = fake_fetch(&f, "http://www.wd.gov.cn/nb/off.html");
  EXPECT(gh_urlstate_state(x->state) == GH_URL_FAILED && failed_as(x->state, GH_FAIL_OFF_SCOPE, 0),
         "a page redirected off the seed's site is not followed");
  fake_xfer_done(&f, x);
  fake_queue(&f, "http://www.wd.gov.cn/nb/nowhere.html", GH_LINK_LIST, "http://www.wd.gov.cn/");
  x = fake_fetch(&f, "http://www.wd.gov.cn/nb/nowhere.html");
  EXPECT(gh_urlstate_state(x->state) == GH_URL_FAILED && failed_as(x->state, GH_FAIL_BAD_REDIRECT, 0),
         "a 302 without Location: bad_redirect");
  fake_xfer_done(&f, x);
  fake_crawl_end(&f);
}

static void
test_network_error(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  f.cfg.retries = 1;
  fake_crawl_begin(&f);
  const char *u = "http://down.wd.gov.cn/nb/2023.pdf";
  fake_queue(&f, u, GH_LINK_ATTACHMENT, "http://www.wd.gov.cn/");
  struct xfer *x = fake_fetch(&f, u);
  EXPECT(gh_urlstate_state(x->state) == GH_URL_QUEUED && failed_as(x->state, GH_FAIL_CONNECT, 0) &&
           x->state->attempts == 1,
         "a refused connection is retried later: %s", x->state->error ? x->state->error : "(none)");
  EXPECT(host_wait(&f, "down.wd.gov.cn") > 0, "after a backoff on the host");
  fake_xfer_done(&f, x);
  x = fake_fetch(&f, u);
  EXPECT(gh_urlstate_state(x->state) == GH_URL_FAILED && failed_as(x->state, GH_FAIL_CONNECT, 0),
         "and fails past the retry cap");
  fake_xfer_done(&f, x);
  fake_crawl_end(&f);
}

static void
test_too_large(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  f.cfg.max_document_bytes = 4096;
  fake_crawl_begin(&f);
  char *big = g_strnfill(20000, 'x');
  fake_web_answer(&f.web, "/nb/big.pdf", "200 OK", "Content-Type: application/pdf\r\n", big);
  g_free(big);
  fake_queue(&f, "http://www.wd.gov.cn/nb/big.pdf", GH_LINK_ATTACHMENT, "http://www.wd.gov.cn/");
  struct xfer *x = fake_fetch(&f, "http://www.wd.gov.cn/nb/big.pdf");
  EXPECT(gh_urlstate_state(x->state) == GH_URL_FAILED && failed_as(x->state, GH_FAIL_TOO_LARGE, 0) &&
           !x->fetched,
         "a body over [limits] max_document_bytes fails as too_large, not retried: %s",
         x->state->error ? x->state->error : "(none)");
  fake_xfer_done(&f, x);
  fake_crawl_end(&f);
}

static void
test_robots(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/robots.txt", "200 OK", "Content-Type: text/plain\r\n",
                  "User-agent: *\nDisallow: /private/\nCrawl-delay: 3\n");
  struct gh_host *h = crawl_host_get(&f.c, "www.wd.gov.cn");
  h->robots_loading = true;
  crawl_start(&f.c, h, "http://www.wd.gov.cn/robots.txt", NULL, true);
  struct xfer *x = fake_answer_one(&f);
  fake_xfer_done(&f, x);
  EXPECT(h->robots && !h->robots_loading, "robots.txt read: the host has its rules");
  EXPECT(gh_host_judge(h, "/private/a.html") == GH_PICK_DISALLOWED &&
           gh_host_judge(h, "/nb/a.html") == GH_PICK_FETCH,
         "its rules judge the host's URLs");
  EXPECT(h->delay == 3.0, "its Crawl-delay is the host's delay: %g", h->delay);
  /* Unavailable (a 503): no rules yet, asked again after a wait. */
  struct gh_host *h2 = crawl_host_get(&f.c, "www.hzq.gov.cn");
  fake_web_answer(&f.web, "/robots.txt", "503 Service Unavailable", NULL, "");
  h2->robots_loading = true;
  crawl_start(&f.c, h2, "http://www.hzq.gov.cn/robots.txt", NULL, true);
  x = fake_answer_one(&f);
  fake_xfer_done(&f, x);
  EXPECT(!h2->robots && !h2->drain && host_wait(&f, "www.hzq.gov.cn") > 0,
         "a 503 robots.txt: no rules, no drain, asked again after a wait");
  fake_crawl_end(&f);
}

static const struct gh_case cases[] = {
  GH_CASE(ok),        GH_CASE(not_modified),  GH_CASE(throttled), GH_CASE(retry_after_too_long),
  GH_CASE(http_error), GH_CASE(blocked),      GH_CASE(redirect),  GH_CASE(network_error),
  GH_CASE(too_large), GH_CASE(robots),
};

int
main(int argc, char **argv)
{
  return fake_crawl_main("answer", cases, G_N_ELEMENTS(cases), argc, argv);
}

/* The failure kinds (store/fail.c): every kind and its stored name map both
 * ways, the names are the ones stores and exports already carry, HTTP
 * statuses name themselves, what waiting may mend is what the crawl retries,
 * the table's retry and state columns are what the crawl loop does with
 * each answer, and a name that is no kind is refused rather than guessed. */
#include <glib.h>
#include <string.h>

#include "crawler/fetch.h"
#include "store/fail.h"

#include "fake_crawl.h"

static void
test_round_trip(void)
{
  GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
  for(int i = 0; i < GH_FAIL_N; i++) {
    const char *n = gh_fail_name((enum gh_fail)i);
    enum gh_fail back = GH_FAIL_N;
    EXPECT(n && (i == GH_FAIL_NONE || *n), "kind %d has a name", i);
    EXPECT(g_hash_table_add(names, (char *)n), "%s names one kind", n);
    if(i == GH_FAIL_HTTP_STATUS)
      continue; /* a pattern, named per status (test_http) */
    EXPECT(gh_fail_from_name(n, &back, NULL) && back == (enum gh_fail)i, "%s -> kind %d, got %d", n, i,
           back);
  }
  g_hash_table_destroy(names);
}

/* The names URL states, summaries and exports already hold: changing one
 * would orphan what stores carry. */
static void
test_stored_names(void)
{
  static const struct { enum gh_fail f; const char *name; enum gh_url_state status; } rows[] = {
    { GH_FAIL_TIMEOUT, "timeout", GH_URL_FAILED },
    { GH_FAIL_DNS, "dns", GH_URL_FAILED },
    { GH_FAIL_CONNECT, "connect", GH_URL_FAILED },
    { GH_FAIL_NETWORK, "network", GH_URL_FAILED },
    { GH_FAIL_TLS, "tls_error", GH_URL_FAILED },
    { GH_FAIL_BAD_ENCODING, "bad_encoding", GH_URL_FAILED },
    { GH_FAIL_TOO_LARGE, "too_large", GH_URL_FAILED },
    { GH_FAIL_PRIVATE_ADDRESS, "private_address", GH_URL_FAILED },
    { GH_FAIL_HTTP_429, "http_429", GH_URL_FAILED },
    { GH_FAIL_HTTP_5XX, "http_5xx", GH_URL_FAILED },
    { GH_FAIL_BLOCKED, "blocked", GH_URL_BLOCKED },
    { GH_FAIL_REDIRECT_LOOP, "redirect_loop", GH_URL_FAILED },
    { GH_FAIL_BAD_REDIRECT, "bad_redirect", GH_URL_FAILED },
    { GH_FAIL_OFF_SCOPE, "off_scope", GH_URL_FAILED },
    { GH_FAIL_ROBOTS_UNREACHABLE, "robots_unreachable", GH_URL_FAILED },
    { GH_FAIL_MAX_PAGES, "max_pages", GH_URL_SKIPPED },
    { GH_FAIL_URL_TOO_LONG, "url_too_long", GH_URL_FAILED },
    { GH_FAIL_EXTRACT_FAILED, "extract_failed", GH_URL_FAILED },
    { GH_FAIL_TOO_COSTLY, "too_costly", GH_URL_FAILED },
    { GH_FAIL_EXTRACT_DEFERRED, "extract_deferred", GH_URL_QUEUED },
    { GH_FAIL_WANTS_RENDER, "wants_render", GH_URL_DONE },
    { GH_FAIL_RENDER_FAILED, "render_failed", GH_URL_DONE },
    { GH_FAIL_RENDER_TIMEOUT, "render_timeout", GH_URL_DONE },
  };
  EXPECT(G_N_ELEMENTS(rows) + 2 == GH_FAIL_N, "every kind but none and http_<code> is listed here");
  for(size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    EXPECT(!strcmp(gh_fail_name(rows[i].f), rows[i].name), "kind %d is stored as %s, not %s", rows[i].f,
           rows[i].name, gh_fail_name(rows[i].f));
    EXPECT(gh_fail_info(rows[i].f)->status == rows[i].status, "%s leaves its URL %s", rows[i].name,
           gh_url_state_name(rows[i].status));
  }
}

/* What the crawl retries later in the cycle (answer.c's retry_later):
 * network failures and throttling; nothing waiting cannot mend. */
static void
test_retryable(void)
{
  const enum gh_fail again[] = { GH_FAIL_TIMEOUT, GH_FAIL_DNS, GH_FAIL_CONNECT, GH_FAIL_NETWORK,
                                 GH_FAIL_HTTP_429, GH_FAIL_HTTP_5XX };
  int n = 0;
  for(size_t i = 0; i < G_N_ELEMENTS(again); i++)
    EXPECT(gh_fail_retryable(again[i]), "%s is retried", gh_fail_name(again[i]));
  for(int i = 0; i < GH_FAIL_N; i++)
    n += gh_fail_retryable((enum gh_fail)i);
  EXPECT(n == (int)G_N_ELEMENTS(again), "only those (%d retryable)", n);
  EXPECT(!gh_fail_retryable(GH_FAIL_TOO_LARGE) && !gh_fail_retryable(GH_FAIL_BLOCKED) &&
           !gh_fail_retryable(GH_FAIL_HTTP_STATUS),
         "a body too large, a block page, a 404 are given up on at once");
}

static void
test_http(void)
{
  static const struct { long code; const char *name; enum gh_fail f; } rows[] = {
    { 404, "http_404", GH_FAIL_HTTP_STATUS }, { 403, "http_403", GH_FAIL_HTTP_STATUS },
    { 410, "http_410", GH_FAIL_HTTP_STATUS }, { 204, "http_204", GH_FAIL_HTTP_STATUS },
    { 429, "http_429", GH_FAIL_HTTP_429 },    { 500, "http_5xx", GH_FAIL_HTTP_5XX },
    { 503, "http_5xx", GH_FAIL_HTTP_5XX },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    char *n = gh_fail_name_http(rows[i].code);
    enum gh_fail f = GH_FAIL_NONE;
    long code = 0;
    EXPECT(!strcmp(n, rows[i].name), "HTTP %ld is named %s, not %s", rows[i].code, rows[i].name, n);
    EXPECT(gh_fail_from_name(n, &f, &code) && f == rows[i].f, "%s -> kind %d", n, f);
    if(rows[i].f == GH_FAIL_HTTP_STATUS)
      EXPECT(code == rows[i].code, "%s carries its code: %ld", n, code);
    g_free(n);
  }
}

/* gh_fail_name_code: an HTTP status names itself, other kinds ignore it. */
static void
test_name_code(void)
{
  char buf[GH_FAIL_NAME_MAX];
  EXPECT(!strcmp(gh_fail_name_code(GH_FAIL_HTTP_STATUS, 404, buf), "http_404"), "404 -> http_404");
  EXPECT(!strcmp(gh_fail_name_code(GH_FAIL_HTTP_STATUS, 0, buf), "http_status"),
         "no status read: the pattern's name, never \"http_0\"");
  EXPECT(gh_fail_name_code(GH_FAIL_TIMEOUT, 404, buf) == gh_fail_name(GH_FAIL_TIMEOUT),
         "other kinds are their own name");
}

/* libcurl's results the fetcher names: a network failure is retryable, a
 * certificate, a cap or a bad encoding is not. */
static void
test_curl(void)
{
  static const struct { CURLcode rc; enum gh_fail f; } rows[] = {
    { CURLE_OPERATION_TIMEDOUT, GH_FAIL_TIMEOUT },  { CURLE_COULDNT_RESOLVE_HOST, GH_FAIL_DNS },
    { CURLE_COULDNT_CONNECT, GH_FAIL_CONNECT },     { CURLE_RECV_ERROR, GH_FAIL_NETWORK },
    { CURLE_PEER_FAILED_VERIFICATION, GH_FAIL_TLS }, { CURLE_WRITE_ERROR, GH_FAIL_TOO_LARGE },
    { CURLE_BAD_CONTENT_ENCODING, GH_FAIL_BAD_ENCODING },
    { CURLE_TOO_MANY_REDIRECTS, GH_FAIL_REDIRECT_LOOP },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(rows); i++)
    EXPECT(gh_fetch_fail(rows[i].rc) == rows[i].f, "curl %d is %s, not %s", rows[i].rc,
           gh_fail_name(rows[i].f), gh_fail_name(gh_fetch_fail(rows[i].rc)));
}

/* What the crawl loop (answer.c) does with each answer, through a fake web
 * and one retry allowed: a retryable kind leaves its URL queued after the
 * first failure and in the table's state after the second; any other is
 * in the table's state at once.  The table is what the loop decides. */
static void
test_answer_agrees(void)
{
  static const struct {
    const char *path, *status, *headers, *body;
    enum gh_fail f;
    long code;
  } rows[] = {
    { "/t/429.html", "429 Too Many Requests", NULL, "slow down", GH_FAIL_HTTP_429, 0 },
    { "/t/503.html", "503 Service Unavailable", NULL, "busy", GH_FAIL_HTTP_5XX, 0 },
    { "/t/404.html", "404 Not Found", NULL, "<h1>404</h1>", GH_FAIL_HTTP_STATUS, 404 },
    { "/t/410.html", "410 Gone", NULL, "gone", GH_FAIL_HTTP_STATUS, 410 },
    { "/t/ts.html", "412 Precondition Failed", NULL,
      "<html><script>$_ts=window['$_ts'];$_ts.nsd=12345;</script></html>", GH_FAIL_BLOCKED, 0 },
    { "/t/loop.html", "302 Found", "Location: /t/loop.html\r\n", "", GH_FAIL_REDIRECT_LOOP, 0 },
    { "/t/off.html", "302 Found", "Location: http://www.example.com/x.html\r\n", "",
      GH_FAIL_OFF_SCOPE, 0 },
    { "/t/nowhere.html", "302 Found", NULL, "", GH_FAIL_BAD_REDIRECT, 0 },
    { "/t/big.html", "200 OK", NULL, NULL, GH_FAIL_TOO_LARGE, 0 },
    { NULL, NULL, NULL, NULL, GH_FAIL_CONNECT, 0 }, /* a host nothing listens for */
  };
  struct fake_crawl f;
  fake_crawl_init(&f);
  f.cfg.retries = 1;
  f.cfg.backoff_seconds = 0;
  f.cfg.max_document_bytes = 4096;
  fake_crawl_begin(&f);
  char *big = g_strnfill(20000, 'x');
  for(size_t i = 0; i < G_N_ELEMENTS(rows); i++)
    if(rows[i].path)
      fake_web_answer(&f.web, rows[i].path, rows[i].status, rows[i].headers,
                      rows[i].body ? rows[i].body : big);
  g_free(big);
  for(size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
    const struct gh_fail_info *info = gh_fail_info(rows[i].f);
    char *url = rows[i].path ? g_strconcat("http://www.wd.gov.cn", rows[i].path, NULL)
                             : g_strdup("http://down.wd.gov.cn/t/x.html");
    fake_queue(&f, url, GH_LINK_LIST, "http://www.wd.gov.cn/");
    struct xfer *x = fake_fetch(&f, url);
    enum gh_fail got = GH_FAIL_N;
    long code = 0;
    bool named = gh_fail_from_name(x->state->error, &got, &code) && got == rows[i].f &&
                 code == rows[i].code;
    enum gh_url_state first = gh_urlstate_state(x->state);
    EXPECT(named, "%s: recorded as %s, got %s", url, gh_fail_name(rows[i].f),
           x->state->error ? x->state->error : "(none)");
    if(info->retryable)
      EXPECT(first == GH_URL_QUEUED, "%s: %s is retryable, so still queued after one (%s)", url,
             info->name, gh_url_state_name(first));
    else
      EXPECT(first == info->status && !(x->state->has & GH_US_ATTEMPTS),
             "%s: %s is not retried: %s at once (got %s)", url, info->name,
             gh_url_state_name(info->status), gh_url_state_name(first));
    fake_xfer_done(&f, x);
    if(info->retryable) {
      struct gh_host *h =
        g_hash_table_lookup(f.c.hosts, rows[i].path ? "www.wd.gov.cn" : "down.wd.gov.cn");
      h->next_ok = 0; /* the backoff is host.c's to test */
      x = fake_fetch(&f, url);
      EXPECT(gh_urlstate_state(x->state) == info->status,
             "%s: %s past the retry cap leaves its URL %s (got %s)", url, info->name,
             gh_url_state_name(info->status), gh_url_state_name(gh_urlstate_state(x->state)));
      fake_xfer_done(&f, x);
    }
    g_free(url);
  }
  fake_crawl_end(&f);
}

static void
test_unknown(void)
{
  const char *bad[] = { "Timeout", "http_", "http_4044", "http_abc", "http_099", "http_600",
                        "http_503", "http_429 ", "robots", "queued", "network\n" };
  for(size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
    enum gh_fail f = GH_FAIL_N;
    EXPECT(!gh_fail_from_name(bad[i], &f, NULL) && f == GH_FAIL_N, "\"%s\" is no kind", bad[i]);
  }
  enum gh_fail f;
  EXPECT(!gh_fail_from_name(NULL, &f, NULL), "NULL is no kind");
  EXPECT(gh_fail_from_name("", &f, NULL) && f == GH_FAIL_NONE, "\"\" is no failure");
  EXPECT(gh_fail_info((enum gh_fail)GH_FAIL_N) == gh_fail_info(GH_FAIL_NONE) &&
           gh_fail_info((enum gh_fail)-1) == gh_fail_info(GH_FAIL_NONE),
         "a number past the table reads as no failure, not past the table");
}

static const struct gh_case cases[] = {
  GH_CASE(round_trip), GH_CASE(stored_names), GH_CASE(retryable),      GH_CASE(http),
  GH_CASE(name_code),  GH_CASE(curl),         GH_CASE(answer_agrees), GH_CASE(unknown),
};

int
main(int argc, char **argv)
{
  return fake_crawl_main("fail", cases, G_N_ELEMENTS(cases), argc, argv);
}

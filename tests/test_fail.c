/* The failure kinds (store/fail.c): every kind and its stored name map both
 * ways, the names are the ones stores and exports already carry, HTTP
 * statuses name themselves, what waiting may mend is what the crawl retries,
 * and a name that is no kind is refused rather than guessed. */
#include <glib.h>
#include <string.h>

#include "store/fail.h"

#include "check.h"

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
  GH_CASE(round_trip), GH_CASE(stored_names), GH_CASE(retryable), GH_CASE(http), GH_CASE(unknown),
};

int
main(int argc, char **argv)
{
  return gh_cases_main("fail", cases, G_N_ELEMENTS(cases), argc, argv);
}

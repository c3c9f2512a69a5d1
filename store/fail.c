/* The table of failure kinds (fail.h): one row per kind, in enum order,
 * checked at compile time to have a row for each. */
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "fail.h"

static const struct gh_fail_info table[] = {
  [GH_FAIL_NONE] = { "", false, GH_URL_DONE },
  [GH_FAIL_TIMEOUT] = { "timeout", true, GH_URL_FAILED },
  [GH_FAIL_DNS] = { "dns", true, GH_URL_FAILED },
  [GH_FAIL_CONNECT] = { "connect", true, GH_URL_FAILED },
  [GH_FAIL_NETWORK] = { "network", true, GH_URL_FAILED },
  [GH_FAIL_TLS] = { "tls_error", false, GH_URL_FAILED },
  [GH_FAIL_BAD_ENCODING] = { "bad_encoding", false, GH_URL_FAILED },
  [GH_FAIL_TOO_LARGE] = { "too_large", false, GH_URL_FAILED },
  [GH_FAIL_PRIVATE_ADDRESS] = { "private_address", false, GH_URL_FAILED },
  [GH_FAIL_HTTP_429] = { "http_429", true, GH_URL_FAILED },
  [GH_FAIL_HTTP_5XX] = { "http_5xx", true, GH_URL_FAILED },
  [GH_FAIL_HTTP_STATUS] = { "http_status", false, GH_URL_FAILED },
  [GH_FAIL_BLOCKED] = { "blocked", false, GH_URL_BLOCKED },
  [GH_FAIL_REDIRECT_LOOP] = { "redirect_loop", false, GH_URL_FAILED },
  [GH_FAIL_BAD_REDIRECT] = { "bad_redirect", false, GH_URL_FAILED },
  [GH_FAIL_OFF_SCOPE] = { "off_scope", false, GH_URL_FAILED },
  [GH_FAIL_ROBOTS_UNREACHABLE] = { "robots_unreachable", false, GH_URL_FAILED },
  [GH_FAIL_MAX_PAGES] = { "max_pages", false, GH_URL_SKIPPED },
  [GH_FAIL_URL_TOO_LONG] = { "url_too_long", false, GH_URL_FAILED },
  [GH_FAIL_EXTRACT_FAILED] = { "extract_failed", false, GH_URL_FAILED },
  [GH_FAIL_TOO_COSTLY] = { "too_costly", false, GH_URL_FAILED },
  [GH_FAIL_EXTRACT_DEFERRED] = { "extract_deferred", false, GH_URL_QUEUED },
  [GH_FAIL_WANTS_RENDER] = { "wants_render", false, GH_URL_DONE },
  [GH_FAIL_RENDER_FAILED] = { "render_failed", false, GH_URL_DONE },
  [GH_FAIL_RENDER_TIMEOUT] = { "render_timeout", false, GH_URL_DONE },
};
G_STATIC_ASSERT(G_N_ELEMENTS(table) == GH_FAIL_N);

const struct gh_fail_info *
gh_fail_info(enum gh_fail f)
{
  /* A kind past the table (a cast from a damaged number) must not read
   * past it. */
  if((unsigned)f >= GH_FAIL_N || !table[f].name)
    return &table[GH_FAIL_NONE];
  return &table[f];
}

const char *
gh_fail_name(enum gh_fail f)
{
  return gh_fail_info(f)->name;
}

bool
gh_fail_retryable(enum gh_fail f)
{
  return gh_fail_info(f)->retryable;
}

char *
gh_fail_name_http(long code)
{
  if(code == 429)
    return g_strdup(table[GH_FAIL_HTTP_429].name);
  if(code >= 500 && code <= 599)
    return g_strdup(table[GH_FAIL_HTTP_5XX].name);
  return g_strdup_printf("http_%ld", code);
}

const char *
gh_fail_name_code(enum gh_fail f, long code, char buf[GH_FAIL_NAME_MAX])
{
  if(f != GH_FAIL_HTTP_STATUS)
    return gh_fail_name(f);
  /* A status outside 100-999 (none was read) keeps the pattern's name
   * rather than a name no reader expects. */
  if(code < 100 || code > 999)
    return gh_fail_name(f);
  g_snprintf(buf, GH_FAIL_NAME_MAX, "http_%ld", code);
  return buf;
}

/* "http_" and three digits, 100-599 (a status the fetcher can see). */
static bool
http_code(const char *name, long *code)
{
  if(strncmp(name, "http_", 5) != 0 || strlen(name) != 8)
    return false;
  for(int i = 5; i < 8; i++)
    if(!g_ascii_isdigit(name[i]))
      return false;
  long c = strtol(name + 5, NULL, 10);
  if(c < 100 || c > 599 || c == 429 || c >= 500)
    return false;
  *code = c;
  return true;
}

bool
gh_fail_from_name(const char *name, enum gh_fail *f, long *http_code_out)
{
  if(!name)
    return false;
  for(int i = 0; i < GH_FAIL_N; i++)
    if(i != GH_FAIL_HTTP_STATUS && !strcmp(name, table[i].name)) {
      *f = (enum gh_fail)i;
      return true;
    }
  long code;
  if(!http_code(name, &code))
    return false;
  *f = GH_FAIL_HTTP_STATUS;
  if(http_code_out)
    *http_code_out = code;
  return true;
}

#include "url.h"

#include <curl/curl.h>
#include <string.h>

CURLU *
gh_url_base(const char *base)
{
  CURLU *u = curl_url();
  if(u && base && curl_url_set(u, CURLUPART_URL, base, 0)) {
    curl_url_cleanup(u);
    return NULL;
  }
  return u;
}

char *
gh_url_resolve_from(CURLU *base, const char *href)
{
  if(!href)
    return NULL;
  /* Portals write links with stray whitespace and tabs inside. */
  char *h = g_strstrip(g_strdup(href));
  GString *clean = g_string_new(NULL);
  for(const char *p = h; *p; p++)
    if(*p != '\n' && *p != '\r' && *p != '\t')
      g_string_append_c(clean, *p);
  g_free(h);
  char *out = NULL;
  if(!clean->len || clean->str[0] == '#' ||
     !g_ascii_strncasecmp(clean->str, "javascript:", 11) ||
     !g_ascii_strncasecmp(clean->str, "mailto:", 7) || !g_ascii_strncasecmp(clean->str, "tel:", 4))
    goto done;

  /* A copy of the parsed base: a page's links share one parse of it. */
  CURLU *u = base ? curl_url_dup(base) : curl_url();
  /* With a base already set, CURLU resolves relative references (RFC 3986
   * §5.2); CURLU_URLENCODE escapes the spaces and raw UTF-8/GBK bytes
   * portals put in links. */
  CURLUcode rc = curl_url_set(u, CURLUPART_URL, clean->str, CURLU_URLENCODE | CURLU_NON_SUPPORT_SCHEME);
  char *scheme = NULL;
  if(!rc && !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
     (!strcmp(scheme, "http") || !strcmp(scheme, "https"))) {
    if(strchr(clean->str, '#'))
      curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    char *raw = NULL;
    /* An IDN host in its punycode form, so two spellings are one host
     * (glib's IDNA: libcurl 7.88's CURLU_PUNYCODE fails on output); lower
     * case; a trailing dot names the same host. */
    /* g_hostname_to_ascii wants valid UTF-8 (on other bytes glib's IDNA
     * code wrote past its buffers: fuzz_url); a host that is not is no host. */
    char *host = !curl_url_get(u, CURLUPART_HOST, &raw, 0) && g_utf8_validate(raw, -1, NULL)
                   ? g_hostname_to_ascii(raw)
                   : NULL;
    if(host && strlen(host) <= GH_HOST_MAX) {
      size_t n = strlen(host);
      char *lower = g_ascii_strdown(host, -1);
      if(n > 1 && lower[n - 1] == '.')
        lower[n - 1] = '\0';
      if(strcmp(raw, lower))
        curl_url_set(u, CURLUPART_HOST, lower, 0);
      g_free(lower);
      char *url = NULL;
      if(!curl_url_get(u, CURLUPART_URL, &url, CURLU_NO_DEFAULT_PORT)) {
        out = g_strdup(url);
        curl_free(url);
      }
    }
    g_free(host);
    curl_free(raw);
  }
  curl_free(scheme);
  curl_url_cleanup(u);
done:
  g_string_free(clean, TRUE);
  return out;
}

char *
gh_url_resolve(const char *base, const char *href)
{
  CURLU *b = NULL;
  if(base && !(b = gh_url_base(base)))
    return NULL; /* an unparseable base resolves nothing */
  char *out = gh_url_resolve_from(b, href);
  curl_url_cleanup(b);
  return out;
}

/* Two parts of a URL from one parse, joined by `sep` when the second is
 * there: the scheduler asks for these several times per response. */
static char *
two_parts(const char *url, CURLUPart first, CURLUPart second, const char *sep)
{
  CURLU *u = curl_url();
  char *a = NULL, *b = NULL, *out = NULL;
  if(!curl_url_set(u, CURLUPART_URL, url, 0) && !curl_url_get(u, first, &a, 0)) {
    curl_url_get(u, second, &b, 0); /* absent: a default port, no query */
    out = b ? g_strconcat(a, sep, b, NULL) : g_strdup(a);
  }
  curl_free(a);
  curl_free(b);
  curl_url_cleanup(u);
  return out;
}

char *
gh_url_host(const char *url)
{
  char *host = two_parts(url, CURLUPART_HOST, CURLUPART_PORT, ":");
  for(char *p = host; p && *p; p++)
    *p = g_ascii_tolower(*p);
  return host;
}

char *
gh_url_path_query(const char *url)
{
  return two_parts(url, CURLUPART_PATH, CURLUPART_QUERY, "?");
}

bool
gh_url_host_is_gov(const char *host)
{
  if(!host)
    return false;
  const char *colon = strrchr(host, ':');
  size_t n = colon && !strchr(host, ']') ? (size_t)(colon - host) : strlen(host);
  return (n == 6 && !strncmp(host, "gov.cn", 6)) ||
         (n > 7 && !strncmp(host + n - 7, ".gov.cn", 7));
}

char *
gh_url_site(const char *host)
{
  /* The label before "gov.cn" (or the last two labels of anything else)
   * plus the suffix: x.gov.cn, x.y.gov.cn -> y.gov.cn. */
  const char *end = host + strlen(host);
  const char *colon = strrchr(host, ':');
  if(colon)
    end = colon;
  int want = 2;
  size_t n = (size_t)(end - host);
  if(n > 7 && !strncmp(end - 7, ".gov.cn", 7))
    want = 3;
  const char *p = end;
  int dots = 0;
  while(p > host) {
    p--;
    if(*p == '.' && ++dots == want)
      return g_strndup(p + 1, (size_t)(end - p - 1));
  }
  return g_strndup(host, n);
}

struct curl_slist *
gh_curl_slist(char **items)
{
  struct curl_slist *l = NULL;
  for(char **i = items; i && *i; i++)
    l = curl_slist_append(l, *i);
  return l;
}

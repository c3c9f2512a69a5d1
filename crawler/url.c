#include "url.h"

#include <curl/curl.h>
#include <string.h>

char *
gh_url_resolve(const char *base, const char *href)
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

  CURLU *u = curl_url();
  CURLUcode rc = CURLUE_OK;
  if(base)
    rc = curl_url_set(u, CURLUPART_URL, base, 0);
  if(!rc)
    /* With a base already set, CURLU resolves relative references (RFC 3986
     * §5.2); CURLU_URLENCODE escapes the spaces and raw UTF-8/GBK bytes
     * portals put in links. */
    rc = curl_url_set(u, CURLUPART_URL, clean->str, CURLU_URLENCODE | CURLU_NON_SUPPORT_SCHEME);
  char *scheme = NULL;
  if(!rc && !curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) &&
     (!strcmp(scheme, "http") || !strcmp(scheme, "https"))) {
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    char *host = NULL;
    if(!curl_url_get(u, CURLUPART_HOST, &host, 0)) {
      char *lower = g_ascii_strdown(host, -1);
      /* A trailing dot names the same host. */
      size_t n = strlen(lower);
      if(n > 1 && lower[n - 1] == '.')
        lower[n - 1] = '\0';
      curl_url_set(u, CURLUPART_HOST, lower, 0);
      g_free(lower);
      curl_free(host);
      char *url = NULL;
      if(!curl_url_get(u, CURLUPART_URL, &url, CURLU_NO_DEFAULT_PORT)) {
        out = g_strdup(url);
        curl_free(url);
      }
    }
  }
  curl_free(scheme);
  curl_url_cleanup(u);
done:
  g_string_free(clean, TRUE);
  return out;
}

static char *
part(const char *url, CURLUPart which, unsigned flags)
{
  CURLU *u = curl_url();
  char *v = NULL, *out = NULL;
  if(!curl_url_set(u, CURLUPART_URL, url, 0) && !curl_url_get(u, which, &v, flags)) {
    out = g_strdup(v);
    curl_free(v);
  }
  curl_url_cleanup(u);
  return out;
}

char *
gh_url_host(const char *url)
{
  char *host = part(url, CURLUPART_HOST, 0);
  char *port = part(url, CURLUPART_PORT, 0); /* NULL for the default port */
  if(host && port) {
    char *hp = g_strdup_printf("%s:%s", host, port);
    g_free(host);
    host = hp;
  }
  g_free(port);
  if(host) {
    char *l = g_ascii_strdown(host, -1);
    g_free(host);
    host = l;
  }
  return host;
}

char *
gh_url_path_query(const char *url)
{
  char *path = part(url, CURLUPART_PATH, 0);
  char *query = part(url, CURLUPART_QUERY, 0);
  if(path && query) {
    char *pq = g_strdup_printf("%s?%s", path, query);
    g_free(path);
    path = pq;
  }
  g_free(query);
  return path;
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

#include "fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>

/* Past this, a header block is an attack, not an answer. */
#define MAX_HEADER_BYTES (64 * 1024)

size_t
gh_capped_write(char *data, size_t size, size_t n, void *ud)
{
  struct gh_capped *in = ud;
  size_t len = size * n;
  if(in->body->len + len > in->cap) {
    in->too_large = true;
    return 0; /* aborts the transfer: nothing past the cap is read */
  }
  g_string_append_len(in->body, data, (gssize)len);
  return len;
}

static char *
header_value(const char *line, size_t len, const char *name)
{
  size_t n = strlen(name);
  if(len <= n + 1 || g_ascii_strncasecmp(line, name, n) || line[n] != ':')
    return NULL;
  char *v = g_strndup(line + n + 1, len - n - 1);
  return g_strstrip(v);
}

size_t
gh_fetch_header(char *data, size_t size, size_t n, void *ud)
{
  struct gh_answer_headers *x = ud;
  size_t len = size * n;
  x->bytes += len;
  if(x->bytes > MAX_HEADER_BYTES)
    return 0;
  if(len >= 5 && !strncmp(data, "HTTP/", 5)) {
    /* A new response (after a redirect or 100): forget the last one's. */
    g_clear_pointer(&x->etag, g_free);
    g_clear_pointer(&x->last_modified, g_free);
    g_clear_pointer(&x->disposition, g_free);
    return len;
  }
  char *v;
  if((v = header_value(data, len, "ETag"))) {
    g_free(x->etag);
    x->etag = v;
  } else if((v = header_value(data, len, "Last-Modified"))) {
    g_free(x->last_modified);
    x->last_modified = v;
  } else if((v = header_value(data, len, "Content-Disposition"))) {
    g_free(x->disposition);
    x->disposition = v;
  }
  return len;
}

/* For hosts the operator named in tls_insecure_hosts only: old government
 * servers that need legacy renegotiation (OpenSSL 3 refuses it by default)
 * and accept small DH keys (SECLEVEL=0, set through the cipher list). */
static CURLcode
legacy_tls(CURL *curl, void *ssl_ctx, void *ud)
{
  (void)curl;
  (void)ud;
  SSL_CTX_set_options((SSL_CTX *)ssl_ctx, SSL_OP_LEGACY_SERVER_CONNECT);
  return CURLE_OK;
}

static bool
host_listed(char **list, const char *host)
{
  for(char **h = list; h && *h; h++)
    if(!g_ascii_strcasecmp(*h, host))
      return true;
  return false;
}

static bool
v4_private(uint32_t a)
{
  static const struct { uint32_t net; int bits; } nets[] = {
    { 0x00000000, 8 },  { 0x0A000000, 8 },  { 0x64400000, 10 }, { 0x7F000000, 8 },
    { 0xA9FE0000, 16 }, { 0xAC100000, 12 }, { 0xC0000000, 24 }, { 0xC0A80000, 16 },
    { 0xC6120000, 15 }, { 0xE0000000, 4 },  { 0xF0000000, 4 },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(nets); i++)
    if((a >> (32 - nets[i].bits)) == (nets[i].net >> (32 - nets[i].bits)))
      return true;
  return false;
}

bool
gh_addr_is_private(const struct sockaddr *sa)
{
  /* Copies, not casts: the caller's object may be any of the sockaddr
   * types, and the optimiser may assume a struct sockaddr read does not
   * see a struct sockaddr_in's bytes. */
  sa_family_t family;
  memcpy(&family, (const char *)sa + offsetof(struct sockaddr, sa_family), sizeof family);
  if(family == AF_INET) {
    struct in_addr in;
    memcpy(&in, (const char *)sa + offsetof(struct sockaddr_in, sin_addr), sizeof in);
    return v4_private(ntohl(in.s_addr));
  }
  if(family == AF_INET6) {
    struct in6_addr a;
    memcpy(&a, (const char *)sa + offsetof(struct sockaddr_in6, sin6_addr), sizeof a);
    if(IN6_IS_ADDR_V4MAPPED(&a) || IN6_IS_ADDR_V4COMPAT(&a)) {
      uint32_t v4;
      memcpy(&v4, &a.s6_addr[12], 4);
      return v4_private(ntohl(v4));
    }
    return IN6_IS_ADDR_LOOPBACK(&a) || IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LINKLOCAL(&a) ||
           IN6_IS_ADDR_SITELOCAL(&a) || IN6_IS_ADDR_MULTICAST(&a) ||
           (a.s6_addr[0] & 0xFE) == 0xFC; /* fc00::/7, unique local */
  }
  return true; /* not an internet address at all */
}

/* The end of a HOST or PORT field of a resolve/connect_to entry: the next
 * colon outside [IPv6] brackets, or the string's end. */
static const char *
field_end(const char *p)
{
  int depth = 0;
  for(; *p && (*p != ':' || depth > 0); p++)
    depth += (*p == '[') - (*p == ']');
  return p;
}

/* Whether the operator pointed `host`:`port` somewhere on purpose: listed
 * in allow_private, or named by a resolve/connect_to entry whose HOST is
 * it (or any host: '*' or empty) and whose PORT is its port (or, in
 * connect_to, any port: empty).  Only that pair is exempt: a wildcard for
 * one port does not open every host on every other port to addresses its
 * DNS gives. */
static bool
host_mapped(const struct gh_config *cfg, const char *host, long port)
{
  if(host_listed(cfg->allow_private, host))
    return true;
  char **lists[] = { cfg->resolve, cfg->connect_to };
  for(int l = 0; l < 2; l++)
    for(char **m = lists[l]; m && *m; m++) {
      const char *he = field_end(*m);
      if(!*he)
        continue;
      size_t n = (size_t)(he - *m);
      bool any_host = n == 0 || (n == 1 && **m == '*');
      if(!any_host && (n != strlen(host) || g_ascii_strncasecmp(*m, host, n)))
        continue;
      const char *ps = he + 1, *pe = field_end(ps);
      char *digits = g_strndup(ps, (gsize)(pe - ps));
      guint64 p = 0;
      bool port_ok = (!*digits && l == 1) ||
                     (g_ascii_string_to_unsigned(digits, 10, 1, 65535, &p, NULL) && (long)p == port);
      g_free(digits);
      if(port_ok)
        return true;
    }
  return false;
}

static bool
proxy_configured(void)
{
  static const char *const vars[] = { "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY",
                                       "all_proxy", NULL };
  for(const char *const *v = vars; *v; v++)
    if(g_getenv(*v) && *g_getenv(*v))
      return true;
  return false;
}

static curl_socket_t
open_public(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
  struct gh_private_guard *g = ud;
  (void)purpose;
  if(gh_addr_is_private(&a->addr)) {
    /* The URL being connected for (a redirect's, when curl follows). */
    char *eff = NULL, *host = NULL, *port = NULL;
    curl_easy_getinfo(g->easy, CURLINFO_EFFECTIVE_URL, &eff);
    CURLU *u = curl_url();
    if(eff && !curl_url_set(u, CURLUPART_URL, eff, 0)) {
      curl_url_get(u, CURLUPART_HOST, &host, 0);
      curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    }
    bool allowed = host && port && host_mapped(g->cfg, host, strtol(port, NULL, 10));
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    if(!allowed) {
      const char *base = (const char *)&a->addr; /* no casts: curl's sockaddr is 2-aligned */
      const void *in = base + (a->family == AF_INET ? offsetof(struct sockaddr_in, sin_addr)
                                                    : offsetof(struct sockaddr_in6, sin6_addr));
      if(!inet_ntop(a->family, in, g->addr, sizeof g->addr))
        g_strlcpy(g->addr, "?", sizeof g->addr);
      g->refused = true;
      return CURL_SOCKET_BAD;
    }
  }
  return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

void
gh_crawl_easy_setup(CURL *e, const struct gh_config *cfg, const char *host_port,
                    struct curl_slist *resolve, struct curl_slist *connect_to,
                    struct gh_private_guard *guard)
{
  if(guard && !proxy_configured()) {
    guard->easy = e;
    guard->cfg = cfg;
    guard->refused = false;
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_public);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, guard);
  }
  curl_easy_setopt(e, CURLOPT_USERAGENT, cfg->user_agent);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)cfg->max_redirects);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)cfg->connect_timeout_seconds);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)cfg->timeout_seconds);
  /* A server that sends a byte a second would hold a slot for the whole
   * timeout; under 64 B/s for 30 s is a stall. */
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 64L);
  curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, 30L);
  /* Every encoding curl can decode; the cap applies to decoded bytes, so a
   * gzip bomb stops at the cap like any other body. */
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  /* No CURLOPT_PIPEWAIT: curl groups connections by connect-to target, so
   * with every host mapped to one address (tests, proxies) a transfer would
   * wait on another host's slow response to learn whether it multiplexes. */
  if(resolve)
    curl_easy_setopt(e, CURLOPT_RESOLVE, resolve);
  if(connect_to)
    curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to);
  char *bare = g_strdup(host_port);
  char *colon = strrchr(bare, ':');
  if(colon && !strchr(bare, ']'))
    *colon = '\0';
  if(host_listed(cfg->tls_insecure_hosts, bare)) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    /* Old government servers: legacy renegotiation and small DH keys. */
    curl_easy_setopt(e, CURLOPT_SSL_CIPHER_LIST, "DEFAULT:@SECLEVEL=0");
    curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, legacy_tls);
  }
  g_free(bare);
}

/* Hanweb's jpage script POSTs a column's parameters to dataproxy.jsp with
 * only the record range in the URL, and some servers answer nothing else:
 * a generated proxy URL (discover.c) goes the same way.  The URL with
 * every parameter stays its identity in the store. */
void
gh_fetch_dataproxy_post(CURL *e, const char *url)
{
  const char *q = strchr(url, '?');
  if(!q || !g_strstr_len(url, q - url, "/dataproxy.jsp") || !strstr(q, "columnid="))
    return;
  GString *range = g_string_new_len(url, q - url), *form = g_string_new(NULL);
  char **params = g_strsplit(q + 1, "&", -1);
  char sep = '?';
  for(char **p = params; *p; p++) {
    if(g_str_has_prefix(*p, "startrecord=") || g_str_has_prefix(*p, "endrecord=") ||
       g_str_has_prefix(*p, "perpage=")) {
      g_string_append_printf(range, "%c%s", sep, *p);
      sep = '&';
    } else if(**p) {
      g_string_append_printf(form, "%s%s", form->len ? "&" : "", *p);
    }
  }
  g_strfreev(params);
  curl_easy_setopt(e, CURLOPT_URL, range->str);
  curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, form->str);
  g_string_free(range, TRUE);
  g_string_free(form, TRUE);
}

void
gh_answer_headers_clear(struct gh_answer_headers *h)
{
  g_free(h->etag);
  g_free(h->last_modified);
  g_free(h->disposition);
  memset(h, 0, sizeof *h);
}

enum gh_fail
gh_fetch_fail(CURLcode rc)
{
  switch(rc) {
  case CURLE_OPERATION_TIMEDOUT: return GH_FAIL_TIMEOUT;
  case CURLE_COULDNT_RESOLVE_HOST: return GH_FAIL_DNS;
  case CURLE_COULDNT_CONNECT: return GH_FAIL_CONNECT;
  case CURLE_TOO_MANY_REDIRECTS: return GH_FAIL_REDIRECT_LOOP;
  case CURLE_FILESIZE_EXCEEDED:
  case CURLE_WRITE_ERROR: return GH_FAIL_TOO_LARGE;
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR: return GH_FAIL_TLS;
  case CURLE_BAD_CONTENT_ENCODING: return GH_FAIL_BAD_ENCODING;
  /* libcurl 7.88 answers an endless header block with out-of-memory. */
  case CURLE_OUT_OF_MEMORY: return GH_FAIL_TOO_LARGE;
  default: return GH_FAIL_NETWORK;
  }
}

static char *
percent_decode(const char *s, size_t n)
{
  GString *o = g_string_new(NULL);
  for(size_t i = 0; i < n; i++) {
    if(s[i] == '%' && i + 2 < n && g_ascii_isxdigit(s[i + 1]) && g_ascii_isxdigit(s[i + 2])) {
      g_string_append_c(o, (char)(g_ascii_xdigit_value(s[i + 1]) * 16 +
                                  g_ascii_xdigit_value(s[i + 2])));
      i += 2;
    } else {
      g_string_append_c(o, s[i]);
    }
  }
  return g_string_free(o, FALSE);
}

static char *
bytes_to_utf8(char *raw)
{
  if(g_utf8_validate(raw, -1, NULL))
    return raw;
  char *u = g_convert(raw, -1, "UTF-8", "GB18030", NULL, NULL, NULL);
  g_free(raw);
  return u;
}

char *
gh_disposition_filename(const char *v)
{
  if(!v)
    return NULL;
  const char *star = strstr(v, "filename*=");
  if(star) {
    const char *p = star + 10;
    const char *q1 = strchr(p, '\'');
    const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
    if(q2) {
      char *charset = g_strndup(p, (size_t)(q1 - p));
      size_t n = strcspn(q2 + 1, ";");
      char *raw = percent_decode(q2 + 1, n);
      char *out = NULL;
      if(!g_ascii_strcasecmp(charset, "utf-8"))
        out = bytes_to_utf8(raw);
      else {
        out = g_convert(raw, -1, "UTF-8", charset, NULL, NULL, NULL);
        g_free(raw);
      }
      g_free(charset);
      if(out)
        return out;
    }
  }
  const char *f = strstr(v, "filename=");
  if(!f)
    return NULL;
  f += 9;
  size_t n;
  if(*f == '"') {
    f++;
    n = strcspn(f, "\"");
  } else {
    n = strcspn(f, ";");
  }
  /* Servers send raw GBK or percent-encoded UTF-8 here in equal measure. */
  char *raw = percent_decode(f, n);
  return bytes_to_utf8(raw);
}



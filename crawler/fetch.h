/* One request's setup and answer, shared by the crawl loop, probe and seed
 * discovery: libcurl options every govharvest request carries, the guard
 * against private addresses, a capped body, the response headers a crawl
 * keeps, and what a libcurl failure is called in URL states. */
#ifndef GH_FETCH_H
#define GH_FETCH_H

#include <curl/curl.h>
#include <glib.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "../config/config.h"
#include "../store/fail.h"
#include "host.h"

/* A response body read up to a cap: the CURLOPT_WRITEFUNCTION
 * gh_capped_write (with the struct as CURLOPT_WRITEDATA) aborts the transfer
 * with too_large set rather than read a byte past `cap`. */
struct gh_capped {
  GString *body;
  size_t cap;
  bool too_large;
};
size_t gh_capped_write(char *data, size_t size, size_t n, void *ud);

/* No private targets from DNS: a public name that resolves to a loopback,
 * private, link-local (cloud metadata), CGNAT or multicast address is not
 * connected to, unless the host is mapped by [crawl] resolve/connect_to
 * (or --resolve/--connect-to) or listed in [crawl] allow_private, or a
 * proxy is configured (the proxy is what is connected to).  The guard
 * lives as long as the handle; after a CURLE_COULDNT_CONNECT, `refused`
 * says the guard was why and `addr` which address it was. */
struct gh_private_guard {
  CURL *easy;
  const struct gh_config *cfg;
  bool refused;
  char addr[64];
};
/* The options every request of govharvest carries, the crawler's and
 * probe's alike: the user agent, http(s) only, time and stall limits,
 * content decoding, the configured host maps and, for a host named in
 * [crawl] tls_insecure_hosts, legacy TLS.  `host_port` is the URL's
 * "host[:port]".  Redirects, caps and request headers are the caller's. */
void gh_crawl_easy_setup(CURL *e, const struct gh_config *cfg, const char *host_port,
                         struct curl_slist *resolve, struct curl_slist *connect_to,
                         struct gh_private_guard *guard);
/* Loopback, private, link-local, CGNAT, multicast, reserved, unspecified
 * (IPv4, IPv6, and IPv4 mapped in IPv6). */
bool gh_addr_is_private(const struct sockaddr *sa);
/* Requests ask for Chinese pages: some portals serve a language picker
 * or an English shell otherwise. */
#define GH_ACCEPT_LANGUAGE "Accept-Language: zh-CN,zh;q=0.9"

/* The headers of the last response of a transfer (CURLOPT_HEADERFUNCTION
 * gh_fetch_header with the struct as CURLOPT_HEADERDATA): validators for
 * the next conditional request and the download name.  A header block over
 * 64 KiB aborts the transfer. */
struct gh_answer_headers {
  size_t bytes;
  char *etag, *last_modified, *disposition;
};
size_t gh_fetch_header(char *data, size_t size, size_t n, void *ud);
void gh_answer_headers_clear(struct gh_answer_headers *h);

/* A file name from Content-Disposition, decoded from RFC 5987 UTF-8
 * (filename*=UTF-8''…) or raw GBK/UTF-8 bytes (filename="…").  g_free, or
 * NULL. */
char *gh_disposition_filename(const char *header_value);

/* Hanweb's dataproxy.jsp is asked by POST, its paging in the URL and the
 * column in the form, as the portal's own jpage script asks: sets `url` on
 * the handle that way when it is such a URL. */
void gh_fetch_dataproxy_post(CURL *e, const char *url);

/* The failure a libcurl result is (timeout, dns, connect, tls_error,
 * too_large, …); whether waiting may mend it is the kind's
 * (gh_fail_retryable). */
enum gh_fail gh_fetch_fail(CURLcode rc);

#endif

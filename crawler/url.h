/* URLs through libcurl's URL API (CURLU): resolving links against their
 * page, normalising so one document has one key, and deciding scope. */
#ifndef GH_URL_H
#define GH_URL_H

#include <curl/curl.h>
#include <glib.h>
#include <stdbool.h>

/* The longest URL the crawler queues (bytes, normalised).  Longer links
 * are recorded as failed with error `url_too_long`; real report links,
 * percent-encoded Chinese file names included, stay far below it. */
#define GH_URL_MAX 8192
/* A host name longer than DNS allows (RFC 1035) is no host. */
#define GH_HOST_MAX 253

/* Resolves `href` against `base` (NULL for an absolute URL) and normalises:
 * http/https only, host lower-cased (an IDN host in its punycode form, so
 * two spellings are one host), default port and fragment dropped, unsafe
 * bytes percent-encoded.  NULL for javascript:, mailto:, malformed
 * or non-HTTP links. */
char *gh_url_resolve(const char *base, const char *href);

/* The same for many links of one page: the base parsed once (NULL when it
 * does not parse; free with curl_url_cleanup), then each href resolved
 * against a copy of it. */
CURLU *gh_url_base(const char *base);
char *gh_url_resolve_from(CURLU *base, const char *href);

/* Host (lower case, with ":port" when not the default), or NULL. */
char *gh_url_host(const char *url);
/* Path and query ("/a/b?x=1"), or NULL. */
char *gh_url_path_query(const char *url);

/* Government sites only: a *.gov.cn host, or a host the seed list names
 * (IP-addressed portals exist).  Mirror and hijacked sites copy government
 * pages with their paths intact; this keeps them out. */
bool gh_url_host_is_gov(const char *host);

/* The registrable site of a host: "www.x.gov.cn" and "czj.x.gov.cn" share
 * "x.gov.cn" (g_free; any port is dropped).  Used to keep a seed's crawl on its own site. */
char *gh_url_site(const char *host);

/* A curl string list of the NULL-terminated `items` (may be NULL); free
 * with curl_slist_free_all.  For --resolve/--connect-to. */
struct curl_slist *gh_curl_slist(char **items);

#endif

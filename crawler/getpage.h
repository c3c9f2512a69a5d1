/* Pages one at a time, outside the crawl loop, for probe and seed
 * discovery (getpage.c).
 *
 * Promises: each call blocks until one whole answer, a failure, or a
 * refusal by robots.txt; every request carries the crawl's options
 * (fetch.h: caps, the private-address guard, headers), so what probe sees
 * is what a crawl would be served.
 * Owns: a struct gh_page owns its strings and body until gh_page_clear; a
 * struct gh_polite owns its per-host state until gh_polite_clear, and
 * borrows the configuration and the resolve/connect_to lists.
 * Errors: never returned as GError; a page's `error` says why no whole
 * answer came, and gh_polite_get's result says why nothing was asked. */
#ifndef GH_GETPAGE_H
#define GH_GETPAGE_H

#include <curl/curl.h>
#include <glib.h>
#include <stdbool.h>

#include "../config/config.h"
#include "host.h"

/* One GET with the crawler's request options: for probe and seed
 * discovery, which read a page at a time rather than a host's queue.
 * With `follow`, redirects are followed here within max_redirects;
 * without, a 3xx comes back with its `location` (resolved).  `error` is
 * set when no whole answer came (too_large, private_address, curl's
 * message). */
struct gh_page {
  long status;
  char *final_url;
  char *location;
  GBytes *body;
  char *ctype;
  char *error;
};
void gh_get_page(const struct gh_config *cfg, struct curl_slist *resolve,
                 struct curl_slist *connect_to, const char *url, bool follow, struct gh_page *f);
void gh_page_clear(struct gh_page *f);

/* Pages one at a time, politely, for probe and seed discovery: robots.txt
 * first on each host (fetched once, read for govharvest's product token),
 * its rules and Crawl-delay, and the delay between two requests to a host,
 * by the crawler's own rules (host.c).  Blocking: it sleeps out a delay. */
struct gh_polite {
  const struct gh_config *cfg;
  struct curl_slist *resolve, *connect_to; /* borrowed */
  struct gh_host_rules rules;
  GHashTable *hosts;     /* host -> its state (getpage.c) */
  unsigned fetches;      /* requests made, robots.txt included */
  unsigned max_fetches;  /* 0: no bound */
};
enum gh_polite_result {
  GH_POLITE_FETCHED,     /* *f is the answer (which may be an HTTP error) */
  GH_POLITE_DISALLOWED,  /* robots.txt forbids it */
  GH_POLITE_NO_ROBOTS,   /* robots.txt got no answer at all: f->error says why */
  GH_POLITE_OVER_BUDGET, /* max_fetches reached */
  GH_POLITE_BAD_URL,     /* no host in it */
};
void gh_polite_init(struct gh_polite *p, const struct gh_config *cfg, struct curl_slist *resolve,
                    struct curl_slist *connect_to);
void gh_polite_clear(struct gh_polite *p);
/* `*f` is always set (gh_page_clear it); `robots_status` (may be NULL)
 * gets the HTTP status robots.txt answered with (0: none). */
enum gh_polite_result gh_polite_get(struct gh_polite *p, const char *url, bool follow,
                                    struct gh_page *f, long *robots_status);

#endif

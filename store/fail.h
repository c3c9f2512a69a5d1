/* Why a URL failed, as a type: one enum gh_fail and one table of what each
 * failure is called in URL states, the summary, stats and exports (the
 * names stored so far, unchanged), whether waiting may mend it (a retry
 * later in the cycle) and the state it leaves its URL in.
 *
 * In store/ because the store keeps and reports the names (URL states,
 * stats) and is a layer below the crawler; the fetcher and the crawl loop
 * above it map libcurl's and HTTP's answers to these.  An HTTP error
 * other than 429 and 5xx is one kind, GH_FAIL_HTTP_STATUS, named with its
 * code ("http_404"): the code travels beside the kind.
 *
 * Promises: every kind has one name and every name one kind
 * (gh_fail_from_name(gh_fail_name(f)) == f); the names never change, for
 * stores and exports already written carry them.  Nothing here allocates
 * except gh_fail_name_http.  Errors: a name that is no kind (a damaged or
 * foreign state, or one a newer govharvest wrote) is reported as false by
 * gh_fail_from_name, never guessed. */
#ifndef GH_FAIL_H
#define GH_FAIL_H

#include <stdbool.h>

#include "urlstate.h"

enum gh_fail {
  GH_FAIL_NONE, /* no failure; named "" */
  /* The network (libcurl): no whole answer. */
  GH_FAIL_TIMEOUT,         /* "timeout" */
  GH_FAIL_DNS,             /* "dns" */
  GH_FAIL_CONNECT,         /* "connect" */
  GH_FAIL_NETWORK,         /* "network": any other transfer failure */
  GH_FAIL_TLS,             /* "tls_error" */
  GH_FAIL_BAD_ENCODING,    /* "bad_encoding": a Content-Encoding that does not decode */
  GH_FAIL_TOO_LARGE,       /* "too_large": over a byte limit, body or headers */
  GH_FAIL_PRIVATE_ADDRESS, /* "private_address": the host resolves into a private network */
  /* HTTP answers. */
  GH_FAIL_HTTP_429,    /* "http_429": throttled */
  GH_FAIL_HTTP_5XX,    /* "http_5xx": a server error */
  GH_FAIL_HTTP_STATUS, /* "http_<code>": any other status that is not a page */
  GH_FAIL_BLOCKED,     /* "blocked": an anti-bot challenge or WAF page */
  /* Redirects. */
  GH_FAIL_REDIRECT_LOOP, /* "redirect_loop": a loop, or a chain too long */
  GH_FAIL_BAD_REDIRECT,  /* "bad_redirect": a 3xx without a usable Location */
  GH_FAIL_OFF_SCOPE,     /* "off_scope": redirected off the seed's site */
  /* The crawl's own decisions. */
  GH_FAIL_ROBOTS_UNREACHABLE, /* "robots_unreachable": robots.txt never answered */
  GH_FAIL_MAX_PAGES,          /* "max_pages": over the host's page budget this cycle */
  GH_FAIL_URL_TOO_LONG,       /* "url_too_long": over GH_URL_MAX, recorded, never queued */
  GH_FAIL_EXTRACT_FAILED,     /* "extract_failed": the worker died on the page */
  GH_FAIL_TOO_COSTLY,         /* "too_costly": its host's documents tripped the extraction breaker */
  /* "extract_deferred": the workers kept failing for reasons not the
   * document's; left queued for the next run (its state says
   * extract_failed; the summary counts this). */
  GH_FAIL_EXTRACT_DEFERRED,
  /* The browser fallback (render.c): the page is done, with a note. */
  GH_FAIL_WANTS_RENDER,   /* "wants_render": a script may build its list and no browser read it */
  GH_FAIL_RENDER_FAILED,  /* "render_failed": the render was cut short */
  GH_FAIL_RENDER_TIMEOUT, /* "render_timeout": the render ran past [render] seconds */
  GH_FAIL_N
};

struct gh_fail_info {
  const char *name;
  /* Waiting may mend it: the URL stays queued and is retried later in the
   * cycle, up to [crawl] retries, with the host backing off. */
  bool retryable;
  /* The state a URL is left in when it is given up on for this. */
  enum gh_url_state status;
};

/* The table's row for `f`; GH_FAIL_N and beyond give GH_FAIL_NONE's. */
const struct gh_fail_info *gh_fail_info(enum gh_fail f);
/* Its stored name; GH_FAIL_HTTP_STATUS's is "http_status" (a pattern:
 * gh_fail_name_http gives a status's real name). */
const char *gh_fail_name(enum gh_fail f);
bool gh_fail_retryable(enum gh_fail f);
/* "http_<code>" for an HTTP status: the name GH_FAIL_HTTP_STATUS is stored
 * under, and http_429/http_5xx for those (g_free). */
char *gh_fail_name_http(long code);
/* Room for any name gh_fail_name_code writes. */
#define GH_FAIL_NAME_MAX 16
/* The name `f` is stored under for an answer with HTTP status `code`:
 * gh_fail_name's, except GH_FAIL_HTTP_STATUS's, "http_<code>", which is
 * written into `buf` (the crawl's one way from a kind to a stored name). */
const char *gh_fail_name_code(enum gh_fail f, long code, char buf[GH_FAIL_NAME_MAX]);
/* The kind a stored name stands for; for "http_<code>" GH_FAIL_HTTP_STATUS
 * with the code in *http_code (may be NULL).  False for a name that is no
 * kind ("" is GH_FAIL_NONE). */
bool gh_fail_from_name(const char *name, enum gh_fail *f, long *http_code);

#endif

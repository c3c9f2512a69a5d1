/* robots.txt (RFC 9309): groups by product token, longest-match rules with
 * '*' and '$', Allow winning ties, percent-encoding normalised on both
 * sides, plus the de-facto Crawl-delay.  Bodies over 500 KiB are read up to
 * that bound, as the RFC allows. */
#ifndef GH_ROBOTS_H
#define GH_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

#define GH_ROBOTS_MAX_BYTES (500 * 1024)

struct gh_robots;

/* Rules of the group for `agent` (its product token, e.g. "govharvest"),
 * else of the '*' group, else none (everything allowed). */
struct gh_robots *gh_robots_parse(const char *body, size_t len, const char *agent);
/* "Unreachable" robots.txt (5xx, network failure): everything disallowed. */
struct gh_robots *gh_robots_disallow_all(void);
/* The rules an answer to GET /robots.txt gives (RFC 9309 §2.3.1): a 2xx
 * body is parsed; 4xx ("unavailable") allows everything; anything else,
 * 5xx or no answer at all (status 0), is "unreachable" and disallows all. */
struct gh_robots *gh_robots_for_answer(long status, const char *body, size_t len,
                                       const char *agent);
void gh_robots_free(struct gh_robots *r);

/* `path_query` is the URL's path and query ("/a/b?x=1"). */
bool gh_robots_allowed(const struct gh_robots *r, const char *path_query);
/* Seconds, or a negative number when the group sets none. */
double gh_robots_crawl_delay(const struct gh_robots *r);
/* The delay to keep between two requests to the host: `configured`, or
 * the group's longer Crawl-delay capped at GH_ROBOTS_MAX_DELAY. */
double gh_robots_delay(const struct gh_robots *r, double configured);

/* A site asking for an hour between requests would stall its cycle
 * forever: a Crawl-delay is honoured up to a minute. */
#define GH_ROBOTS_MAX_DELAY 60.0

#endif

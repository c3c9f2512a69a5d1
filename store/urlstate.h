/* A URL's state in the frontier, typed.
 *
 * The crawl reads and writes a state for every URL it queues, fetches or
 * finds linked (a few per fetched page), so the state is a struct, stored
 * in a compact binary form: as JSON it cost a parse and a print per touch
 * and a hash table per object, most of the loop's CPU outside libcurl and
 * the kernel.  JSON remains the form people see (`stats --urls`,
 * docs/store.md) and the form stores before schema 4 kept (converted by
 * the migration); gh_urlstate_to_json / _from_json go between the two, and
 * a key this struct does not know is kept in `extra`, never dropped.
 *
 * Strings are owned (g_free), NULL when absent; numbers count only with
 * their GH_US_* bit in `has` (0 is a real queue sequence). */
#ifndef GH_URLSTATE_H
#define GH_URLSTATE_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

enum gh_url_state {
  GH_URL_QUEUED,     /* in its host's queue, waiting to be fetched */
  GH_URL_DONE,       /* fetched (or not modified) and handled */
  GH_URL_FAILED,     /* given up on: the state's "error" and "reason" say why */
  GH_URL_REDIRECTED, /* answered with a redirect; the target is queued */
  GH_URL_BLOCKED,    /* the portal answered with a block or captcha page */
  GH_URL_ROBOTS,     /* robots.txt disallows it */
  GH_URL_SKIPPED,    /* not fetched this cycle (the host's page budget) */
};
#define GH_URL_STATES 7

const char *gh_url_state_name(enum gh_url_state s);
/* False when `name` is no state (a damaged or foreign entry). */
bool gh_url_state_parse(const char *name, enum gh_url_state *out);

/* Which numbers a state holds. */
enum {
  GH_US_STATE = 1 << 0,
  GH_US_DEPTH = 1 << 1,
  GH_US_CYCLE = 1 << 2,
  GH_US_QSEQ = 1 << 3,
  GH_US_FORCED_RUN = 1 << 4,
  GH_US_ATTEMPTS = 1 << 5,
  GH_US_HTTP_STATUS = 1 << 6,
};

/* One link a page led to ("out"), kept so a 304 can requeue it. */
struct gh_url_link {
  char *url, *kind, *text;
  gint64 depth;
};

struct gh_urlstate {
  guint32 has;
  enum gh_url_state state;
  gint64 depth, cycle, qseq, forced_run, attempts, http_status;
  char *kind;   /* gh_link_kind_name: seed, column, list, report, attachment … */
  char *seed, *region, *text, *referer, *embed, *queued_at;
  char *error, *reason;
  char *etag, *last_modified, *sha256, *fetched_at, *record_status, *redirect_to;
  GPtrArray *redirect_chain; /* char *, or NULL */
  GArray *out;               /* struct gh_url_link, or NULL */
  json_t *extra;             /* keys not above, as they were; or NULL */
};

struct gh_urlstate *gh_urlstate_new(void);
void gh_urlstate_free(struct gh_urlstate *s);

/* The state it records: GH_URL_QUEUED when it names none. */
enum gh_url_state gh_urlstate_state(const struct gh_urlstate *s);
void gh_urlstate_set_state(struct gh_urlstate *s, enum gh_url_state st);
/* Replaces a string field (`v` copied; NULL clears it). */
void gh_urlstate_set(char **field, const char *v);
/* Sets a number and its bit. */
#define gh_urlstate_set_num(s, field, bit, v) ((s)->field = (v), (s)->has |= (bit))
/* Whether its kind is a report or an attachment (a leaf of the crawl). */
bool gh_urlstate_is_leaf(const struct gh_urlstate *s);
/* Appends a link to `out`. */
void gh_urlstate_add_out(struct gh_urlstate *s, const char *url, const char *kind, gint64 depth,
                         const char *text);
void gh_urlstate_clear_out(struct gh_urlstate *s);

/* The stored form: appended to `b`. */
void gh_urlstate_encode(const struct gh_urlstate *s, GByteArray *b);
/* Whether `len` bytes at `p` are the stored form (not JSON of an older
 * schema, not damage). */
bool gh_urlstate_is_encoded(const void *p, size_t len);
/* The stored form back: NULL when it does not decode (damage). */
struct gh_urlstate *gh_urlstate_decode(const void *p, size_t len);
/* Only the numbers and the kind (what deciding whether to queue a URL
 * again needs, without copying a page's links; g_free s->kind): false on
 * damage, with nothing to free. */
bool gh_urlstate_decode_head(const void *p, size_t len, struct gh_urlstate *s);

/* The JSON form: the keys docs/store.md lists (and `extra`'s). */
json_t *gh_urlstate_to_json(const struct gh_urlstate *s);
/* From an object of that form (an older store's, or a test's); NULL when
 * `j` is not an object. */
struct gh_urlstate *gh_urlstate_from_json(const json_t *j);

#endif

/* Crawl requests for a running daemon: `govharvest queue` cannot write the
 * store while the daemon holds it, so it drops a small JSON file into the
 * daemon's spool, STORE/requests/, and the daemon takes it up within
 * seconds.  One file per request, written whole (a temporary name, then
 * rename), named so the oldest sorts first:
 *
 *   STORE/requests/<unix µs>-<pid>.json
 *     {"seeds": [URL...], "regions": [PREFIX...], "refetch": bool,
 *      "requested_at": ISO 8601, "by": user}
 *
 * The daemon renames a file it takes to *.taken and deletes it once the
 * crawl for it has run; a daemon killed in between takes it again on
 * start (as *.retaken), and a third time sets it aside as *.bad.  Only a
 * regular file of at most 1 MiB is read: anything else named *.json (a
 * FIFO, a symlink, a device) is set aside as *.bad unread.  docs/store.md
 * documents the spool. */
#ifndef GH_REQUESTS_H
#define GH_REQUESTS_H

#include <glib.h>
#include <stdbool.h>

struct gh_request {
  char *path;     /* the file, *.taken once taken */
  char **seeds;   /* NULL-terminated, may be empty */
  char **regions; /* NULL-terminated, may be empty */
  bool refetch;
  char *requested_at;
};

/* Writes a request; *path gets its file name (g_free).  The spool
 * directory is created (mode 0770) when missing. */
bool gh_request_submit(const char *store_dir, char **seeds, char **regions, bool refetch,
                       char **path, GError **err);
/* Whether a request waits that no one has taken. */
bool gh_requests_waiting(const char *store_dir);
/* Takes every waiting request (and any left taken by a killed daemon), in
 * order; a file that does not parse is renamed *.bad and named in
 * `notes`.  A GPtrArray of struct gh_request * (free func set). */
GPtrArray *gh_requests_take(const char *store_dir, GPtrArray *notes);
/* The waiting requests (*.json), read but not taken (their paths are the
 * *.json files): what the daemon looks at mid-crawl, to drop a request the
 * running crawl already covers.  Files that are not requests are left for
 * gh_requests_take to set aside. */
GPtrArray *gh_requests_peek(const char *store_dir);
/* The request's crawl has run: its file goes. */
void gh_request_done(const struct gh_request *r);

#endif

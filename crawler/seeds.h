/* The seed list (TSV: url, region_code, name[, kind, identifier]).  The region table the codes
 * refer to is record/places.h. */
#ifndef GH_SEEDS_H
#define GH_SEEDS_H

#include <glib.h>
#include <stdbool.h>

#include "../record/places.h"

struct gh_seed {
  char *url;         /* normalised */
  char *region_code; /* 6 digits, or NULL */
  char *name;
  /* Optional fourth and fifth columns (seeds discover writes them): "government" or
   * "department", and the site's 网站标识码; NULL when absent.  The crawl
   * does not need them. */
  char *kind;
  char *identifier;
};

/* Seeds of `file` and then of the .tsv files in seeds.d/ beside it, in
 * name order: a GPtrArray of struct gh_seed * (free func set), or NULL with
 * *err as "FILE:LINE: why".  Blank lines and '#' comments are skipped, as
 * is a header line starting with "url".  A URL listed twice is kept once,
 * its first line winning; each repeat is a line appended to `notes` (may
 * be NULL). */
GPtrArray *gh_seeds_load(const char *file, GPtrArray *notes, GError **err);
/* That file only, without seeds.d (a list being merged, not the one in use). */
GPtrArray *gh_seeds_load_file(const char *file, GPtrArray *notes, GError **err);

/* The seeds of `all` (borrowed into *selected, a GPtrArray without a free
 * function) whose URL is one of `urls` (normalised here) or whose region
 * code starts with one of `regions` (either may be NULL).  A URL not in
 * the list becomes a seed of its own, kept in *adhoc (free func set), with
 * a line in `notes`.  false with *err when a URL is not http(s) or nothing
 * matches. */
bool gh_seeds_select(GPtrArray *all, char **urls, char **regions, GPtrArray **selected,
                     GPtrArray **adhoc, GPtrArray *notes, GError **err);

#endif

/* How the harvest stands: counts over records and URL states, and the gap
 * list (an agency's year missing although earlier years were found). */
#ifndef GH_STATS_H
#define GH_STATS_H

#include <jansson.h>

#include "store.h"

/* The whole picture as JSON (the `stats --json` output; the text form is
 * printed from it).  NULL with *err on a store error. */
json_t *gh_stats(struct gh_store *st, GError **err);
/* The text form; the gap and miss lists show at most `max` entries each
 * (0: all). */
void gh_stats_print(json_t *stats, FILE *out, size_t max);
/* The seeds whose crawl found no report column, or a column without a
 * report (stats' seeds_without_column / seeds_without_reports), at most
 * `max` of each (0: all). */
void gh_stats_print_misses(json_t *stats, FILE *out, size_t max);

/* Only the two miss lists of gh_stats, from the URL states alone, for
 * the seeds in `only` (a set of seed URLs; NULL: every seed). */
json_t *gh_stats_seed_misses(struct gh_store *st, GHashTable *only, GError **err);

/* Every URL's state (docs/store.md) as JSON lines, with its "url" added. */
bool gh_stats_urls(struct gh_store *st, FILE *out, GError **err);

#endif

/* How the harvest stands: counts over records and URL states, and the gap
 * list (an agency's year missing although earlier years were found). */
#ifndef GH_STATS_H
#define GH_STATS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

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

/* Per seed: whether a report column was found, report links, documents
 * fetched, records by status and errors by kind; a table, or CSV. */
void gh_stats_print_by_seed(json_t *stats, FILE *out, bool csv);
/* Records (one per agency and year) by region × year, regions cut to
 * `level` digits of their code (2 province, 4 prefecture, 6 county) and
 * named from the region table; a table, or CSV. */
void gh_stats_print_by_region(json_t *stats, int level, FILE *out, bool csv);

/* Only the two miss lists of gh_stats, from the URL states alone, for
 * the seeds in `only` (a set of seed URLs; NULL: every seed). */
json_t *gh_stats_seed_misses(struct gh_store *st, GHashTable *only, GError **err);

/* Every URL's state (docs/store.md) as JSON lines, with its "url" added. */
bool gh_stats_urls(struct gh_store *st, FILE *out, GError **err);

#endif

/* `stats --html`: the data page (headline figures per year, trends, the
 * coverage tile grid, the top agencies, the province × year matrix,
 * statuses and failing checks, every record) as one self-contained file. */
#ifndef GH_STATS_HTML_H
#define GH_STATS_HTML_H

#include <stdio.h>

#include "store.h"

bool gh_stats_html(struct gh_store *st, FILE *out, GError **err);

#endif

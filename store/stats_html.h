/* `stats --html`: a province × year matrix of agencies with parsed
 * reports, the failing checks, and per county every record with a link to
 * its source — one self-contained page (no script, nothing fetched). */
#ifndef GH_STATS_HTML_H
#define GH_STATS_HTML_H

#include <stdio.h>

#include "store.h"

bool gh_stats_html(struct gh_store *st, FILE *out, GError **err);

#endif

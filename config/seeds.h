/* The seed list (TSV: url, region_code, name).  The region table the codes
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
};

/* A GPtrArray of struct gh_seed * (free func set), or NULL with *err as
 * "FILE:LINE: why".  Blank lines and '#' comments are skipped, as is a
 * header line starting with "url". */
/* Seeds of `file` and then of the .tsv files in seeds.d/ beside it, in
 * name order.  A URL listed twice is kept once, its first line winning;
 * each repeat is a line appended to `notes` (may be NULL). */
GPtrArray *gh_seeds_load(const char *file, GPtrArray *notes, GError **err);

#endif

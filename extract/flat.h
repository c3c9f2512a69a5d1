/* Flattened pages: a report whose text is one line with its table cells
 * run together ("…申请数量640020470二、上年结转…"), as archivers and
 * copy tools leave a portal page.  See flat.c for how the runs of digits
 * are read. */
#ifndef GH_FLAT_H
#define GH_FLAT_H

#include "../record/cells.h"

/* The document rebuilt into headings, text and table rows, or NULL when it
 * is not a flattened page (the caller parses it as it is).  gh_cells_free. */
struct gh_doc *gh_unflatten(const struct gh_doc *doc);

#endif

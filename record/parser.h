/* The report parser: cell stream (cells.h) -> record (record.h).
 *
 * It never looks at bytes or file formats; every extractor feeds it the same
 * stream, so a fix here helps PDF, DOCX, HTML and text alike. */
#ifndef GH_PARSER_H
#define GH_PARSER_H

#include "record.h"
#include "cells.h"
#include "title.h" /* gh_report_read_title, gh_record_fill_from_title */

/* Fill `rec` (already gh_record_init'ed) from `doc`.  Sets rec->status; on
 * GH_STATUS_PARSED the record carries derived cells and checks. */
void gh_report_parse(const struct gh_doc *doc, struct gh_record *rec);

/* How a printed value reached its record cell (parse --cells):
 *  header      under its column header: a glyph box's x-extent or a grid
 *              column inside the header's;
 *  count       the row printed every cell of the form (blanks delimited),
 *              so order alone places them;
 *  arithmetic  fewer cells than the form, no header to go by, and exactly
 *              one placement satisfies the form's sums (row totals,
 *              outcome total, balance, group totals);
 *  unplaced    none of these: the row's cells are left blank and named in
 *              the record's `unplaced` and `warnings`. */
enum gh_placement { GH_PLACE_HEADER, GH_PLACE_COUNT, GH_PLACE_ARITHMETIC, GH_PLACE_UNPLACED };
const char *gh_placement_name(enum gh_placement p);

struct gh_cell_placement {
  guint row;      /* index into doc->rows */
  unsigned cell;  /* index into that row's cells */
  enum gh_placement how;
  char *path;     /* "applications.granted[3]", or the row's path when unplaced */
};

/* gh_report_parse, also appending to `placed` (struct gh_cell_placement,
 * paths owned by the array's clear function, see gh_placements_new) one
 * entry per value token it read. */
void gh_report_parse_placed(const struct gh_doc *doc, struct gh_record *rec, GArray *placed);
GArray *gh_placements_new(void);

/* The section 三 row (enum gh_app_row) a label names, by the parser's own
 * phrases; -1 when it names none.  `norm` is gh_norm'ed text. */
int gh_report_app_row(const char *norm);

#endif

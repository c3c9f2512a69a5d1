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

/* The section 三 row (enum gh_app_row) a label names, by the parser's own
 * phrases; -1 when it names none.  `norm` is gh_norm'ed text. */
int gh_report_app_row(const char *norm);

#endif

/* The report parser: cell stream (doc.h) -> record (record.h).
 *
 * It never looks at bytes or file formats; every extractor feeds it the same
 * stream, so a fix here helps PDF, DOCX, HTML and text alike. */
#ifndef GH_REPORT_H
#define GH_REPORT_H

#include "../record/record.h"
#include "doc.h"

/* Fill `rec` (already gh_record_init'ed) from `doc`.  Sets rec->status; on
 * GH_STATUS_PARSED the record carries derived cells and checks. */
void gh_report_parse(const struct gh_doc *doc, struct gh_record *rec);

#endif

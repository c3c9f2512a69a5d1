/* The report parser: cell stream (cells.h) -> record (record.h).
 *
 * It never looks at bytes or file formats; every extractor feeds it the same
 * stream, so a fix here helps PDF, DOCX, HTML and text alike. */
#ifndef GH_PARSER_H
#define GH_PARSER_H

#include "record.h"
#include "cells.h"

/* Fill `rec` (already gh_record_init'ed) from `doc`.  Sets rec->status; on
 * GH_STATUS_PARSED the record carries derived cells and checks. */
void gh_report_parse(const struct gh_doc *doc, struct gh_record *rec);

/* Agency and year from a title ("XX县2023年政府信息公开工作年度报告"), the
 * text normalised by gh_norm.  False when it is not a report title; *agency
 * (g_free) may be NULL and *year -1 when the title lacks them.  The crawler
 * reads link texts with it too. */
bool gh_report_read_title(const char *norm, char **agency, int *year);

/* Fills a record's missing agency and year from a link text or file name
 * (normalised) that reads as a report title: scans name themselves only
 * there. */
void gh_record_fill_from_title(struct gh_record *rec, const char *norm_title);

/* The section 三 row (enum gh_app_row) a label names, by the parser's own
 * phrases; -1 when it names none.  `norm` is gh_norm'ed text. */
int gh_report_app_row(const char *norm);

#endif

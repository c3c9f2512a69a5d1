/* Agency, year and dates of a report from its text (record/title.c). */
#ifndef GH_TITLE_H
#define GH_TITLE_H

#include "cells.h"
#include "record.h"

/* Agency and year from a title ("XX县2023年政府信息公开工作年度报告"), the
 * text normalised by gh_norm.  False when it is not a report title; *agency
 * (g_free) may be NULL and *year -1 when the title lacks them.  The crawler
 * reads link texts with it too. */
bool gh_report_read_title(const char *norm, char **agency, int *year);

/* Fills a record's missing agency and year from a link text or file name
 * (normalised) that reads as a report title: scans name themselves only
 * there. */
void gh_record_fill_from_title(struct gh_record *rec, const char *norm_title);

/* Sets rec's agency, year and published_on from the document's rows
 * (`rownorm`: each row's gh_norm'ed text; the rows before `head_end` are
 * the head, above the first section) and its title and date hints. */
void gh_report_title(char *const *rownorm, guint nrows, guint head_end, const struct gh_doc *doc,
                     struct gh_record *rec);

#endif

/* Traditional Chinese -> simplified, for the reports that arrive that way.
 *
 * Mirrors and big5 gateways republish portal pages in traditional
 * characters (template-spec §8), and a few agencies write them so.  The
 * parser matches simplified labels, so such a document is converted whole,
 * with OpenCC's t2s tables, before it is parsed.  The record then carries
 * the simplified agency name: one spelling per agency for joins. */
#ifndef GH_HANT_H
#define GH_HANT_H

#include <stdbool.h>

#include "../record/cells.h"

/* Whether the document is written in traditional characters: enough
 * distinct traditional-only characters of the report's vocabulary. */
bool gh_doc_is_traditional(const struct gh_doc *doc);

/* A simplified copy of `doc` (gh_cells_free), or NULL when OpenCC or its t2s
 * tables are not available (the caller parses the original). */
struct gh_doc *gh_doc_to_simplified(const struct gh_doc *doc);

/* `text` in simplified characters (g_free): a copy when it holds no
 * Chinese or when OpenCC is not available.  Discovery reads link texts so
 * (a big5 mirror's 年度報告 is a 年度报告). */
char *gh_text_to_simplified(const char *text);

#endif

/* Section 四 (行政复议、行政诉讼情况): its fifteen cells read into
 * rec->appeals, from one table, from one table per group, or from text
 * placed by count or by every group's 总计.  Part of the parser (see
 * parse_tokens.h for the order of its files).
 *
 * Values it cannot place are left blank and named in rec->unplaced. */
#ifndef GH_PARSE_APPEALS_H
#define GH_PARSE_APPEALS_H

#include "parse_tokens.h"

/* Reads section 四's tokens into cx->rec (has_appeals, appeals). */
void parse_appeals(struct ctx *cx, GArray *toks);

#endif

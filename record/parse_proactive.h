/* Section 二 (主动公开政府信息情况): each block's rows read into rec->pro
 * and rec->amount by the `tpl` form's layout.  Part of the parser (see
 * parse_tokens.h for the order of its files).
 *
 * A row outside the form, printed twice, or short of cells with no header
 * to place them by is a warning (the last also in rec->unplaced), never a
 * guessed value. */
#ifndef GH_PARSE_PROACTIVE_H
#define GH_PARSE_PROACTIVE_H

#include "parse_tokens.h"

/* Reads section 二's tokens into cx->rec (has_proactive, pro, amount). */
void parse_proactive(struct ctx *cx, GArray *toks, enum gh_template tpl);

#endif

/* Reading a section of text by the form's fixed row order (issue 30).
 *
 * Text that other tools make of a report (plain pdftotext, PDF.js, an OCR
 * or LLM transcription) puts a label's lines before or after its values,
 * sets group labels between them and breaks a row over lines, so the
 * label before a run of values is not its row.  What such text keeps is
 * the order: the form's rows follow each other in a fixed order, each
 * with a fixed number of cells.  When a section's values are exactly the
 * form's cells (blanks delimited), its rows' labels stand in the form's
 * order, and (section 三, 四) every sum of the form holds, the i-th value
 * is the i-th cell.  Anything less is no reading: the functions return
 * false and the section is read as before, never by a guess.
 *
 * Part of the parser (see parse_tokens.h for the order of its files);
 * calls parse_tokens.c, parse_labels.c and arith.c.  The functions only
 * read: they fill arrays of borrowed token pointers, and the section
 * readers write the record. */
#ifndef GH_PARSE_ORDER_H
#define GH_PARSE_ORDER_H

#include "parse_tokens.h"

/* Section 三: cells[row * GH_APP_COLS + c] for every row of the form the
 * values fit (2019: 23 rows, 2021: 25), NULL for the rows outside it;
 * *form2021 says which. */
bool parse_order_apps(GArray *toks, const struct tok **cells, bool *form2021);

/* Section 二 under the `tpl` form: cells[k * 4 + c] for the k-th row of
 * gh_pro_layout(tpl), its integers then its amount. */
bool parse_order_pro(GArray *toks, enum gh_template tpl, const struct tok **cells);

/* Section 四: the fifteen cells, every group's 总计 the sum of its four. */
bool parse_order_appeals(GArray *toks, const struct tok **cells);

#endif

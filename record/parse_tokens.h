/* The parser's token stream, the state one parse carries, and where each
 * value went.  Shared by the parser's files (parser.c and parse_*.c), not
 * for anything outside record/: the public face is parser.h.
 *
 * The parser's files call one way only, in this order:
 *   parse_tokens.c     a section's rows -> TEXT and VALUE tokens; runs of
 *                      values; noting placements and unplaced rows
 *   parse_place.c      column headers as anchors, placing a run's values by
 *                      header or by count, the form's cell helpers
 *   parse_labels.c     row labels (key phrases), section headings, the
 *                      template vote, a repeated section 三 header
 *   parse_align.c      section 三's rows whose labels wrap around their
 *                      values, aligned with the form's row order
 *   parse_order.c      a section whose labels stand apart from its values
 *                      (text other tools make), read by the form's order
 *   parse_apps.c, parse_proactive.c, parse_appeals.c
 *                      the readers of sections 三, 二 and 四
 *   parser.c           the driver (gh_report_parse)
 *
 * Ownership: a token array owns its tokens' `norm` strings (freed by
 * parse_toks_free); a token points into nothing else.  The context borrows
 * the document and the record; it owns `rownorm` and `skip_row`, which the
 * driver frees.  Nothing here fails: a value that cannot be read stays a
 * TEXT token, and a row that cannot be placed is noted in the record
 * (parse_unplaced_row), never guessed. */
#ifndef GH_PARSE_TOKENS_H
#define GH_PARSE_TOKENS_H

#include "parser.h"
#include "textnorm.h" /* struct gh_value */

enum tok_kind { TOK_TEXT, TOK_VALUE };

struct tok {
  enum tok_kind kind;
  char *norm;
  struct gh_value v;
  guint row;
  int col;
  int span;
  unsigned cell; /* index of its cell in doc row `row` */
  bool table;
};

struct ctx {
  const struct gh_doc *doc;
  struct gh_record *rec;
  char **rownorm; /* normalised text of each row, cells joined */
  guint nrows;
  GArray *placed; /* struct gh_cell_placement, or NULL */
  bool *skip_row; /* rows tokenize leaves out (a repeated table header), or NULL */
};

/* The tokens of rows [from, to), minus cx->skip_row's; a table's blank
 * cell is a BLANK value token.  Free with parse_toks_free. */
GArray *parse_tokenize(const struct ctx *cx, guint from, guint to);
void parse_toks_free(GArray *toks);

/* Where the value token `tok` went; blank cells are not noted (a blank is
 * blank wherever it sits). */
void parse_note(struct ctx *cx, const void *tok, enum gh_placement how, const char *fmt, ...)
  G_GNUC_PRINTF(4, 5);

/* Names the row in `unplaced` (once) and says why in `warnings`. */
void parse_unplaced_row(struct ctx *cx, const char *path, const char *why);

/* The end of the run of values starting at toks[i]: within the same row
 * for a table (the next row has its own label), across lines for text. */
guint parse_run_end(GArray *toks, guint i);

/* The values of [i, j) that are not blank. */
int parse_run_real_values(GArray *toks, guint i, guint j);

#endif

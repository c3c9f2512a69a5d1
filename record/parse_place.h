/* Placing a run of values into the form's columns: under the column
 * headers the table prints (anchors), or by count when the row delimits
 * every cell; and the cell helpers the section readers share.  Part of
 * the parser (see parse_tokens.h for the order of its files); calls only
 * parse_tokens.c.
 *
 * The placing functions fill arrays of borrowed token pointers (NULL for a
 * column no token reached); they never write the record.  They fail by
 * saying so (false, or GH_PLACE_UNPLACED with every output NULL), and the
 * caller decides whether the form's arithmetic may place the row. */
#ifndef GH_PARSE_PLACE_H
#define GH_PARSE_PLACE_H

#include "parse_tokens.h"

/* A table prints its column headers, and a value belongs to the header it
 * sits under, whatever else its row holds: Word and WPS grids carry phantom
 * columns (a trailing gridCol, a column split in two), and a blank cell
 * must stay blank in its own column rather than let the next value slide
 * into it.  Anchors are the grid-column ranges of the headers; extractors
 * that know grid columns (HTML, DOCX, pipe tables, positioned PDF) give
 * every cell one. */
#define MAX_ANCHORS 16
struct anchors {
  int n; /* logical columns; 0 when the headers were not all found */
  int lo[MAX_ANCHORS], hi[MAX_ANCHORS]; /* grid columns [lo, hi) */
};

/* Place the run [i, j) under the anchors.  False when it cannot be placed
 * that way: a cell without a grid column, a value under no header, or two
 * values under one header; the caller then falls back and says so. */
bool parse_place_anchored(GArray *toks, guint i, guint j, const struct tok **out,
                          const struct anchors *a);

/* Set anchor k from a header cell, first occurrence only. */
void parse_anchor_set(struct anchors *a, bool *have, int k, const struct tok *t);

/* Anchors are usable when they are ordered left to right without overlap;
 * one missing header between two found ones takes the columns between
 * them (a header lost to an image or a typo).  Sets a->n = n when usable. */
bool parse_anchors_finish(struct anchors *a, bool *have, int n);

/* Section 三's applicant columns, from the header rows above its first
 * data row (a->n = 0 when they are not all there). */
void parse_app_anchors(GArray *toks, struct anchors *a);

/* A cell of a header row of section 三 (自然人 … 总计, no values in its
 * row): column names, never part of a row's label. */
bool parse_app_header_cell(GArray *toks, guint i);

/* Section 四's five result headers (结果维持 … 总计), NULL-terminated. */
extern const char *const parse_appeal_heads[];

/* Section 四's fifteen columns from the header cells before toks[upto]. */
void parse_appeal_anchors(GArray *toks, guint upto, struct anchors *a);

enum align { ALIGN_LEFT, ALIGN_RIGHT };

/* Place a run's values into `out[0..ncols)` by their count (*how =
 * GH_PLACE_COUNT).  Returns a short description of any doubt left (static
 * string), or NULL when the placement was certain.  A row that prints
 * fewer values than the form has, with no delimited blanks to count, is
 * not placed at all (*how = GH_PLACE_UNPLACED, `out` all NULL).
 * `single_col` is the row total's column, or -1. */
const char *parse_place_run(GArray *toks, guint i, guint j, const struct tok **out, int ncols,
                            int single_col, enum align align, enum gh_placement *how);

/* A value token as a count: blank (or NULL) is GH_NULL; a fraction is
 * warned about and left GH_NULL. */
void parse_cell_to_count(struct ctx *cx, const struct tok *t, int64_t *dst, const char *path,
                         int col);

/* cand[0..n) from the k values v in the columns `mask` sets, 0 elsewhere. */
void parse_spread(unsigned mask, const struct tok *const *v, int n, int64_t *cand);
int parse_bits(unsigned mask);
/* Whether all k values are integers 0 / integers at all. */
bool parse_all_zero(const struct tok *const *v, int k);
bool parse_whole_counts(const struct tok *const *v, int k);

#endif

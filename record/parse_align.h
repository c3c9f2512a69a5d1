/* Section 三's rows whose labels wrap around their values: the runs of
 * values aligned with the form's row order when the simple rule (a row's
 * label is the text since the previous values) leaves one unread.  Part
 * of the parser (see parse_tokens.h for the order of its files); calls
 * parse_tokens.c, parse_place.c and parse_labels.c.
 *
 * Its work is bounded whatever the document (parse_align_rows returns -1
 * past the bound, and the caller keeps the simple rule's reading).  The
 * caller owns every array it passes and gets back. */
#ifndef GH_PARSE_ALIGN_H
#define GH_PARSE_ALIGN_H

#include "parse_tokens.h"

/* Walks section 三's tokens run by run: the label is the text since the
 * previous values (header cells aside), then the next run of values
 * [*from, *to).  The caller sets w->after_values once a run has taken the
 * label, so the next text starts a new one. */
struct label_walk {
  GString *label;
  bool after_values;
  bool marker_2021; /* saw 不补正 or 收费通知: the 2021 form's sub-rows */
  guint i;
};

/* The next run; false at the end of the tokens. */
bool parse_walk_next(GArray *toks, struct label_walk *w, guint *from, guint *to);

/* The simple rule's verdict without side effects: does it leave any run
 * of values unread or read twice?  Sets *runs_out (g_free it) to the K
 * runs' [from, to) pairs and *K_out to K. */
bool parse_simple_rule_fails(GArray *toks, guint **runs_out, int *K_out);

/* Rows for the K runs [runs[2k], runs[2k+1]) of values; row[k] = -1 when
 * a run names no row.  Returns the number of runs given a row, or -1 when
 * the table is too large or scattered to align within the work bound. */
int parse_align_rows(GArray *toks, const guint *runs, int K, int *row);

#endif

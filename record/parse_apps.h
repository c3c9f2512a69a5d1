/* Section 三 (收到和处理政府信息公开申请情况): its rows read into
 * rec->app, placed by header, by count, or by the form's sums (arith.h),
 * and otherwise left blank and named in rec->unplaced.  Part of the parser
 * (see parse_tokens.h for the order of its files).
 *
 * Errors are the record's: a row it cannot read or place is a warning and
 * blank cells, never a guessed value. */
#ifndef GH_PARSE_APPS_H
#define GH_PARSE_APPS_H

#include "parse_tokens.h"

/* What section 三 showed, for the driver's template and missing-row
 * verdicts. */
struct app_state {
  bool seen[GH_APP_N];
  bool printed_blank[GH_APP_N];
  int last; /* row assigned last, for the 2019 （六）→（七） marker */
  bool marker_2019, marker_2021;
};

/* Reads section 三's tokens into cx->rec (has_applications, app) and `st`
 * (zeroed by the caller). */
void parse_applications(struct ctx *cx, GArray *toks, struct app_state *st);

#endif

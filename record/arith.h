/* Placing the values of section 三 rows that print fewer cells than the
 * form's seven, in text that does not show where the blanks were
 * (record/arith.c). */
#ifndef GH_ARITH_H
#define GH_ARITH_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

/* A row whose printed values (in order) are known but not their columns. */
struct gh_arith_row {
  int row;          /* enum gh_app_row */
  int k;            /* values printed, 1..GH_APP_COLS - 1 */
  int64_t v[GH_APP_COLS];
  /* out: each cell as every reading has it (GH_NULL: blank), and whether
   * the readings agree on it; a cell they disagree on stays unplaced. */
  int64_t cell[GH_APP_COLS];
  bool known[GH_APP_COLS];
};

/* Chooses each pending row's columns so that the form's arithmetic holds
 * in every column, blanks counting as 0: a row's 总计 is the sum of its six
 * applicant cells, the outcome rows add up to （七）总计, and new + carried
 * in = total + carried over.  `app` holds the rows already placed (GH_NULL
 * blank; a row not printed at all is blank); `form2021` says which outcome
 * rows the total adds.  A cell is known where every reading that
 * satisfies the arithmetic gives it the same content (a zero whose column
 * the arithmetic cannot tell is not); the rest stay unplaced.  The search
 * is bounded: past its step budget nothing is known.  Returns the number
 * of readings found (0: none, or the budget ran out).  `pending` is
 * reordered. */
unsigned gh_arith_place(const int64_t (*app)[GH_APP_COLS], bool form2021,
                        struct gh_arith_row *pending, unsigned n);

/* Whether a whole section 三 `app` (GH_NULL: blank, counted as 0) holds
 * every sum of the form: each row's 总计 is the sum of its six applicant
 * cells, the outcome rows (the 2021 form's three 其他处理 rows, or the
 * 2019 form's one) add up to （七）总计, and new + carried in = total +
 * carried over, column by column. */
bool gh_arith_holds(const int64_t (*app)[GH_APP_COLS], bool form2021);

#endif

/* The page model the table-geometry passes share (pdfgrid*.c): lines of
 * cells rebuilt from positioned text boxes.  Private to extract/; the
 * front door is pdfgrid.h. */
#ifndef GH_PDFGRID_INT_H
#define GH_PDFGRID_INT_H

#include <glib.h>
#include <stdbool.h>

#include "pdfgrid.h"

/* A line as cells: glyph runs separated by gaps of more than half a glyph.
 * Justified Chinese text has gaps of a fraction of that; two table cells
 * side by side are apart by their two paddings, about 0.8-0.9 of a glyph
 * in Word and WPS tables (a vertically set group label beside a row label
 * must not run into it). */
#define CELL_GAP 0.6
struct pcell {
  char *text;
  double x0, x1;
  bool numeric; /* a value or a blank marker ("-", "/") */
  bool group;   /* a piece of a group label set down a narrow column */
  /* Its glyphs' boxes, left to right, one per character of `text` (none
   * for a cell joined from others): a header run across narrow columns is
   * cut at the columns by them (pdfgrid_header.c). */
  unsigned ng;
  struct gh_glyph_box *gbox;
};

struct pline {
  GPtrArray *cells; /* struct pcell * */
  double h;
  unsigned numeric;
};


/* ---- pdfgrid_lines.c: boxes to lines, and what reads one line ---- */

/* The lines of the page boxes[0..n) (one page's), top to bottom, appended
 * to `lines` (struct pline *, freed by pg_pline_free); returns how many
 * glyphs they hold. */
size_t pg_page_lines(GPtrArray *lines, const struct gh_grid_box *boxes, size_t n);
void pg_pcell_free(void *p);
void pg_pline_free(void *p);
/* One CJK character that is not a value: a piece of a header or label set
 * one character per line. */
bool pg_single_cjk(const struct pcell *c);
/* Header words of the national tables, whole (after gh_norm): section
 * 二's headers and the captions of sections 三 and 四. */
bool pg_block_header(const char *norm);
/* A leaf header, whole: nothing joins it.  Not 其他, which may still
 * become 其他结果 with the piece below it. */
bool pg_whole_header(const char *norm);
/* Group headers that span several columns (申请人情况, 法人或其他组织,
 * 行政复议…) and captions: not columns of their own. */
bool pg_spanning_header(const char *norm);
/* Whether a cell of l contains `word` (after gh_norm). */
bool pg_line_has(const struct pline *l, const char *word);
/* qsort order of doubles, ascending. */
int pg_by_double(const void *a, const void *b);
/* The columns of block [i, end) from its values' x centres, the matching
 * tolerance and the number of numeric rows. */
GArray *pg_block_columns(GPtrArray *lines, guint i, guint end, double *tol, unsigned *rows);
/* The right edge of the row labels of block [i, end), or -G_MAXDOUBLE. */
double pg_label_edge(GPtrArray *lines, guint i, guint end);

/* ---- pdfgrid_header.c: the header cells above a block ---- */

/* The columns of the block that starts at line `first`, from the header
 * cells in lines [from, first) right of `label_x1`, and their names
 * (*names); NULL when they do not cover the value columns `vcols`.  On
 * success *tolp is the reach within which a value is a column's. */
GArray *pg_header_columns(GPtrArray *lines, guint from, guint first, double label_x1,
                          const GArray *vcols, double *tolp, GPtrArray **names);

/* ---- pdfgrid_labels.c: group labels set down a narrow column ---- */

/* Marks the group-label pieces of block [i, end) and returns the group
 * labels, joined down their columns, to emit after the table. */
GPtrArray *pg_mark_group_labels(GPtrArray *lines, guint i, guint end, double label_x1);

#endif

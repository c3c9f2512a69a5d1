/* Table geometry from positioned text, apart from poppler: what the PDF
 * reader (pdf.c) makes of its glyph boxes, and what a reader of any other
 * positioned text (OCR words with their boxes) can use the same way.
 *
 * What it promises:
 *  - boxes in (text, page, x0, y0, x1, y1), cell stream out: running text
 *    as text lines, each table row as a table row whose values sit in the
 *    columns of the header printed above them;
 *  - in the tables of sections 三 and 四 a value goes to a header column
 *    only when the column's header is printed over it, within reach: a
 *    value with no header above it is not guessed into the nearest column,
 *    its line stays text (the parser then leaves it unplaced); section
 *    二's small tables take each value to its nearest header;
 *  - a row label wrapped below its values' line (top-aligned tall rows)
 *    is the row's label, not text before the next row;
 *  - a label and its value, or header names, run together with less than
 *    a cell's gap between them (narrow cell padding) are read apart;
 *  - a header wrapped in a narrow cell, stacked a character per line
 *    (vertical text, upright or rotated to read upwards) or run together
 *    across narrow columns reads as its column's one name; a group header
 *    spanning several columns is no column of its own;
 *  - a table's columns hold across a page break and long wrapped labels;
 *  - every pass is bounded by the number of boxes; nothing reads outside
 *    the array.
 *
 * Coordinates are PDF points or pixels, x growing to the right and y
 * downwards (a line further down the page has a larger y).  Tolerances are
 * measured in a line's glyph size: the glyphs' height, or for CJK glyph
 * boxes over twice as tall as wide (a producer that gives the line's
 * height) 1.2 times their width. */
#ifndef GH_PDFGRID_H
#define GH_PDFGRID_H

#include <stdbool.h>
#include <stddef.h>

struct gh_doc;

/* One piece of positioned text: a glyph of a PDF, a word of OCR.  A box
 * of several characters gives each an equal share of its width.  White
 * space and control characters are skipped; a box with no height or a
 * coordinate that is not finite is dropped. */
struct gh_grid_box {
  const char *text; /* UTF-8 */
  unsigned page;
  double x0, y0, x1, y1;
};

/* The boxes[0..n) of a document, grouped by page (a page's boxes
 * contiguous, pages in reading order), as text lines and table rows
 * appended to `doc`.  Returns the number of glyphs read: 0 for a document
 * without text (a scan). */
size_t gh_pdfgrid_to_doc(const struct gh_grid_box *boxes, size_t n, struct gh_doc *doc);

/* A glyph's horizontal extent. */
struct gh_glyph_box {
  double x0, x1;
};

/* The leaf column headers of the national tables' sections 三 and 四
 * (自然人 … 总计, 结果维持 … 尚未审结), NULL-terminated. */
extern const char *const gh_pdfgrid_leaf_headers[];

/* Where a run of header glyphs that the line builder kept as one cell (no
 * gap wide enough between them) crosses narrow table columns, and is in
 * truth the header lines of several columns: "结果结果其他尚未" over four
 * columns of section 四, "商业科研社会公法律服务" under 法人或其他组织.
 *
 * `g[0..n)` are the run's glyph boxes, one per UTF-8 character of `text`,
 * left to right; `vcols[0..nv)` the x of the table's value columns.  Sets
 * cut[k] (k in 1..n-1) where a new column's piece starts, clears the rest,
 * and returns the number of pieces (1 when the run is not cut).
 *
 *  - By the value columns: k columns have their x inside the run's extent
 *    (a header inside its own column never reaches a neighbour's values),
 *    so the run crosses k columns and is cut at its k - 1 widest gaps
 *    between glyphs (a word's glyphs touch; column borders leave a gap),
 *    fewer when a caption over several of them has no gaps inside.
 *  - By the form's names: the run is two or more leaf headers, or
 *    lines of them wrapped in narrow cells (two characters or more of a
 *    name), side by side with a gap at each seam ("总计结果": one group's
 *    总计 beside the next group's 结果维持, whose columns hold no value).
 * Whichever gives more pieces wins (a column blank on every row has no
 * value to count).  A gap is wider than a tenth of `h`.  The caller refuses captions
 * (法人或其他组织, a whole header name) before asking. */
unsigned gh_pdfgrid_cut_header(const char *text, const struct gh_glyph_box *g, unsigned n,
                               const double *vcols, unsigned nv, double h, bool *cut);

#endif

/* Table geometry from glyph boxes, apart from poppler: the parts of the
 * PDF reader (pdf.c) that decide where a table's header columns are from
 * the boxes of their glyphs, with unit tests on synthetic boxes
 * (tests/test_pdfgrid.c).  A reader of other positioned text (OCR words
 * with boxes) can use the same calls: boxes in, cuts and columns out.
 *
 * Coordinates are PDF points, x growing to the right; `h` is the glyph
 * height of the line, the unit every tolerance is measured in. */
#ifndef GH_PDFGRID_H
#define GH_PDFGRID_H

#include <stdbool.h>
#include <stddef.h>

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

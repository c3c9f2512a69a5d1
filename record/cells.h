/* The cell stream: what every extractor produces and the report parser reads.
 *
 * A document is a sequence of rows.  A row is either a line of running text
 * (one cell, GH_ROW_TEXT) or a table row whose cells the source delimits
 * (GH_ROW_TABLE).  The distinction matters for blank cells: a table row from
 * HTML, DOCX or a positioned PDF emits every cell, empty ones included, so a
 * blank stays blank in its own column; a line of plain text cannot say where a
 * missing value would have been.
 *
 * Each cell carries its grid column when the source knows it (HTML/DOCX after
 * rowspan/colspan expansion, PDF from glyph x positions) and -1 otherwise.
 *
 * Ownership: the doc owns every string added to it; gh_cells_free releases all.
 */
#ifndef GH_CELLS_H
#define GH_CELLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <glib.h>

enum gh_row_kind {
  GH_ROW_TEXT,  /* a paragraph or text line: cells are not delimited */
  GH_ROW_TABLE, /* a table row: every cell present, blank ones as "" */
};

struct gh_cell {
  char *text; /* UTF-8, never NULL; "" for a blank cell */
  int col;    /* grid column, or -1 when unknown */
  int colspan;
  int conf; /* OCR confidence 0..100, or -1 for text that was not OCR'd */
};

struct gh_row {
  enum gh_row_kind kind;
  unsigned n_cells;
  struct gh_cell *cells;
};

struct gh_doc {
  GArray *rows;   /* struct gh_row */
  /* Page metadata the extractor found outside the body text (HTML <title>,
   * "发布日期" info bars).  Hints only: the parser prefers the report's text. */
  char *title_hint;
  char *date_hint;
  GPtrArray *warnings; /* char *, extraction-level remarks */
  bool ocr; /* the text was read from images (extract/ocr.h) */
};

struct gh_doc *gh_cells_new(void);
void gh_cells_free(struct gh_doc **docp);

/* Append one line of running text (copied).  Empty lines are kept: they are
 * paragraph breaks and some reports put one cell per paragraph. */
void gh_cells_add_text(struct gh_doc *doc, const char *text, size_t len);

/* Start a table row, then add its cells in reading order. */
void gh_cells_begin_row(struct gh_doc *doc);
void gh_cells_add_cell(struct gh_doc *doc, const char *text, size_t len,
                     int col, int colspan);

/* Drops every row (a reader that gave up, before another one tries). */
void gh_cells_clear_rows(struct gh_doc *doc);

/* The OCR confidence of the cell or line added last. */
void gh_cells_set_conf(struct gh_doc *doc, int conf);

void gh_cells_warn(struct gh_doc *doc, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Debug aid (govharvest parse --cells): print the stream, one row per line. */
void gh_cells_dump(const struct gh_doc *doc, FILE *out);

/* The same, calling `note` after each cell's text to add what a reader
 * made of it (parse --cells: where the parser placed a value). */
typedef void (*gh_cell_note_fn)(guint row, unsigned cell, FILE *out, void *ud);
void gh_cells_dump_noted(const struct gh_doc *doc, FILE *out, gh_cell_note_fn note, void *ud);



/* Wire form between an extraction worker and its caller (sandbox.c).  JSON,
 * because it is the one format both ends already parse defensively. */
#include <jansson.h>
json_t *gh_cells_to_json(const struct gh_doc *doc);
struct gh_doc *gh_cells_from_json(const json_t *j); /* NULL if malformed */
#endif

/* OCR of scanned reports: image-only PDFs and images (JPEG, PNG, TIFF)
 * through Tesseract, in the extraction worker under its caps.
 *
 * ocr.c reads one page image into the cell stream (ruled tables found from
 * their rules, each cell read on its own, the text around them as lines),
 * with the page's geometry from ocr_grid.c (rules, a photographed page
 * flattened) and the form's words from ocr_words.c; ocr_doc.c decodes
 * images and renders image-only PDF pages to feed it, under the caps
 * below.  docs/ocr.md says how and what it costs. */
#ifndef GH_OCR_H
#define GH_OCR_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../record/cells.h"

/* A cell read with less confidence than this is named in the warnings. */
#define GH_OCR_MIN_CONF 80
/* Caps: pages read per document, pixels per page (a larger image is
 * refused before it is decoded; a PDF page is rendered smaller), CPU
 * seconds per page and per document. */
#define GH_OCR_MAX_PAGES 20u
#define GH_OCR_MAX_PIXELS ((uint64_t)40000000)
#define GH_OCR_PAGE_SECONDS 30u
/* Seconds for all of a document's pages: below the worker's default CPU
 * budget (60 s), so a long scan ends with what it read and a warning
 * rather than a killed worker. */
#define GH_OCR_TOTAL_SECONDS 45u

struct gh_ocr_stats {
  unsigned pages, cells, low;
  bool timed_out;
};

/* This process's CPU time in µs, on which the caps are counted. */
gint64 gh_ocr_cpu_us(void);

struct Pix;
/* One page image -> rows appended to doc.  False with *err when Tesseract
 * or its language data is missing or the image cannot be used. */
bool gh_ocr_page(struct Pix *page, struct gh_doc *doc, struct gh_ocr_stats *st, unsigned seconds,
                 GError **err);

/* An image file (JPEG, PNG, TIFF, GIF) -> doc.  G_FILE_ERROR_NOSPC past
 * the pixel cap. */
bool gh_ocr_image(const char *bytes, size_t len, struct gh_doc *doc, GError **err);

/* An image-only PDF -> doc: each page rendered at the resolution of the
 * scan it holds, up to GH_OCR_MAX_PAGES pages. */
bool gh_ocr_pdf(const char *bytes, size_t len, struct gh_doc *doc, GError **err);

#endif

/* A report published as a row of page images on an HTML page (many
 * township reports are): the crawler fetches the images and hands them to
 * a worker as one document, a page bundle, which is read by OCR page by
 * page in order, as a scanned PDF is.
 *
 * The bundle is also what the store keeps as the document's bytes, so
 * `reparse` reads it again: "GHPAGES1", the number of images the page
 * showed and the number of pages in the bundle (u32, little endian), then
 * each page's length (u32) and bytes.  A page of length 0 is one the
 * crawler could not fetch. */
#ifndef GH_PAGES_H
#define GH_PAGES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "../record/cells.h"

#define GH_PAGES_MAGIC "GHPAGES1"
/* Images of one page read as its report; more are left out, and said so. */
#define GH_PAGES_MAX 20u
/* The most a worker lists for the crawler (which fetches GH_PAGES_MAX):
 * enough to say how long the row was. */
#define GH_PAGES_LISTED_MAX 200u

/* The bundle of `n` page images in order (a NULL or empty one: a page
 * that could not be fetched) of the `shown` the page showed. */
GBytes *gh_pages_bundle(GBytes *const *pages, unsigned n, unsigned shown);

/* A bundle -> doc, each page by OCR under ocr.h's caps (pages, pixels per
 * page, CPU seconds per page and per document).  False with *err when no
 * page could be read; G_FILE_ERROR_NOSPC when every page was over a cap. */
bool gh_ocr_pages(const char *bytes, size_t len, struct gh_doc *doc, GError **err);

#endif

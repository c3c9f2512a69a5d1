/* PDF -> cell stream, with poppler-glib.
 *
 * Poppler's plain reading order scrambles Word-exported tables (numbers come
 * out column by column), so lines are rebuilt from glyph boxes instead:
 * poppler_page_get_text_layout gives one rectangle per character of
 * poppler_page_get_text, and each becomes a box of the table geometry
 * (pdfgrid.h), which rebuilds the lines and places each value under its
 * header column.
 *
 * Runs only inside an extraction worker (sandbox.c): poppler on hostile
 * input may crash, loop or allocate without bound. */
#include "extract.h"

#include <poppler.h>
#include <string.h>

#include "pdfgrid.h"

/* The glyphs of a page as grid boxes appended to `boxes`, each box's text
 * (one character) appended NUL-terminated to `chars` at the offset
 * appended to `offs`: the caller points the boxes at their text once every
 * page is read (chars moves as it grows). */
static void
page_boxes(GArray *boxes, GArray *offs, GString *chars, PopplerPage *page, unsigned pageno)
{
  char *text = poppler_page_get_text(page);
  PopplerRectangle *rects = NULL;
  guint nrects = 0;
  if(!text || !poppler_page_get_text_layout(page, &rects, &nrects)) {
    g_free(text);
    return;
  }
  guint i = 0;
  for(const char *p = text; *p && i < nrects; p = g_utf8_next_char(p), i++) {
    const char *q = g_utf8_next_char(p);
    PopplerRectangle *r = &rects[i];
    struct gh_grid_box b = { NULL, pageno, r->x1, r->y1, r->x2, r->y2 };
    gsize at = chars->len;
    g_string_append_len(chars, p, q - p);
    g_string_append_c(chars, '\0');
    g_array_append_val(boxes, b);
    g_array_append_val(offs, at);
  }
  g_free(rects);
  g_free(text);
}

bool
gh_pdf_to_doc(const char *bytes, size_t len, unsigned max_pages, struct gh_doc *doc,
              enum gh_status *status, GError **err)
{
  *status = GH_STATUS_PARSED;
  GBytes *gb = g_bytes_new_static(bytes, len);
  GError *e = NULL;
  PopplerDocument *pdf = poppler_document_new_from_bytes(gb, NULL, &e);
  g_bytes_unref(gb);
  if(!pdf) {
    if(g_error_matches(e, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED)) {
      *status = GH_STATUS_ENCRYPTED;
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_PERM,
                  "the PDF is password-protected");
    }
    else {
      *status = GH_STATUS_EXTRACT_FAILED;
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "poppler cannot open the PDF: %s",
                  e ? e->message : "unknown error");
    }
    g_clear_error(&e);
    return false;
  }
  int n = poppler_document_get_n_pages(pdf);
  if(n <= 0) {
    *status = GH_STATUS_EXTRACT_FAILED;
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the PDF has no pages");
    g_object_unref(pdf);
    return false;
  }
  if(max_pages && (unsigned)n > max_pages) {
    gh_cells_warn(doc, "pdf: %d pages, only the first %u read", n, max_pages);
    n = (int)max_pages;
  }
  char *title = poppler_document_get_title(pdf);
  if(title && *title)
    doc->title_hint = title;
  else
    g_free(title);
  /* All pages' boxes first: a table continues across a page break. */
  GArray *boxes = g_array_new(FALSE, FALSE, sizeof(struct gh_grid_box));
  GArray *offs = g_array_new(FALSE, FALSE, sizeof(gsize));
  GString *chars = g_string_new(NULL);
  for(int i = 0; i < n; i++) {
    PopplerPage *page = poppler_document_get_page(pdf, i);
    if(!page)
      continue;
    page_boxes(boxes, offs, chars, page, (unsigned)i);
    g_object_unref(page);
  }
  g_object_unref(pdf);
  for(guint k = 0; k < boxes->len; k++)
    g_array_index(boxes, struct gh_grid_box, k).text = chars->str + g_array_index(offs, gsize, k);
  size_t glyphs = gh_pdfgrid_to_doc((const struct gh_grid_box *)(void *)boxes->data, boxes->len,
                                    doc);
  g_array_free(boxes, TRUE);
  g_array_free(offs, TRUE);
  g_string_free(chars, TRUE);
  if(glyphs == 0) {
    /* Scanned reports: pages of images.  Report it as such rather than as
     * an empty report, so someone can OCR it. */
    *status = GH_STATUS_NEEDS_OCR;
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "the PDF has no text layer (%d page(s), a scan?)", n);
    return false;
  }
  return true;
}


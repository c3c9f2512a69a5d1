/* PDF -> cell stream, with poppler-glib.
 *
 * Poppler's plain reading order scrambles Word-exported tables (numbers come
 * out column by column), so lines are rebuilt from glyph boxes instead:
 * poppler_page_get_text_layout gives one rectangle per character of
 * poppler_page_get_text.  Glyphs are grouped by baseline into lines, sorted
 * left to right, and a horizontal gap wider than a glyph starts a new cell,
 * so "31    0    0" stays three values while "本机关不掌握" stays one label.
 * Tables continue across pages simply because lines do.
 *
 * Runs only inside the extraction child (isolate.c): poppler on hostile
 * input may crash, loop or allocate without bound. */
#include "extract.h"

#include <math.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

#include "textnorm.h"

struct glyph {
  double x0, x1, yc, h;
  gunichar c;
};

static int
by_y(const void *a, const void *b)
{
  const struct glyph *p = a, *q = b;
  return (p->yc > q->yc) - (p->yc < q->yc);
}

static int
by_x(const void *a, const void *b)
{
  const struct glyph *p = a, *q = b;
  return (p->x0 > q->x0) - (p->x0 < q->x0);
}

static void
emit_line(struct gh_doc *doc, struct glyph *g, size_t n)
{
  qsort(g, n, sizeof(*g), by_x);
  GString *line = g_string_new(NULL);
  for(size_t i = 0; i < n; i++) {
    if(i > 0) {
      double gap = g[i].x0 - g[i - 1].x1;
      double h = MAX(g[i].h, g[i - 1].h);
      /* A gap of most of a glyph's height separates cells; justified
       * Chinese text has gaps of a fraction of that. */
      if(gap > 0.9 * h)
        g_string_append(line, "  ");
      else if(gap > 0.25 * h && g_ascii_isdigit((int)(g[i].c < 128 ? g[i].c : 'x')) !=
                                    g_ascii_isdigit((int)(g[i - 1].c < 128 ? g[i - 1].c : 'x')))
        g_string_append_c(line, ' ');
    }
    g_string_append_unichar(line, g[i].c);
  }
  gh_doc_add_text(doc, line->str, line->len);
  g_string_free(line, TRUE);
}

static void
page_lines(struct gh_doc *doc, PopplerPage *page, size_t *glyphs_seen)
{
  char *text = poppler_page_get_text(page);
  PopplerRectangle *rects = NULL;
  guint nrects = 0;
  if(!text || !poppler_page_get_text_layout(page, &rects, &nrects)) {
    g_free(text);
    return;
  }
  GArray *gs = g_array_new(FALSE, FALSE, sizeof(struct glyph));
  guint i = 0;
  for(const char *p = text; *p && i < nrects; p = g_utf8_next_char(p), i++) {
    gunichar c = g_utf8_get_char(p);
    if(gh_is_space_uc(c) || c < 0x20)
      continue;
    PopplerRectangle *r = &rects[i];
    double h = fabs(r->y2 - r->y1);
    if(h <= 0 || !isfinite(h) || !isfinite(r->x1) || !isfinite(r->y1))
      continue;
    struct glyph g = { MIN(r->x1, r->x2), MAX(r->x1, r->x2), (r->y1 + r->y2) / 2, h, c };
    g_array_append_val(gs, g);
  }
  *glyphs_seen += gs->len;
  if(gs->len) {
    struct glyph *g = (struct glyph *)(void *)gs->data;
    qsort(g, gs->len, sizeof(*g), by_y);
    size_t start = 0;
    double line_y = g[0].yc, line_h = g[0].h;
    for(size_t k = 1; k <= gs->len; k++) {
      /* Same line while the centre stays within 40% of the glyph height:
       * tight enough to keep table rows apart, loose enough for mixed
       * fonts (digits sit a little lower than CJK glyphs). */
      if(k == gs->len || fabs(g[k].yc - line_y) > 0.4 * MAX(line_h, g[k].h)) {
        emit_line(doc, g + start, k - start);
        if(k < gs->len) {
          start = k;
          line_y = g[k].yc;
          line_h = g[k].h;
        }
      }
    }
  }
  g_array_free(gs, TRUE);
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
    gh_doc_warn(doc, "pdf: %d pages, only the first %u read", n, max_pages);
    n = (int)max_pages;
  }
  char *title = poppler_document_get_title(pdf);
  if(title && *title)
    doc->title_hint = title;
  else
    g_free(title);
  size_t glyphs = 0;
  for(int i = 0; i < n; i++) {
    PopplerPage *page = poppler_document_get_page(pdf, i);
    if(!page)
      continue;
    page_lines(doc, page, &glyphs);
    g_object_unref(page);
  }
  g_object_unref(pdf);
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

/* Images and image-only PDFs to page images for OCR (ocr.h), under the
 * caps: pages per document, pixels per page, seconds per page. */
#include "ocr.h"

#include <cairo.h>
#include <leptonica/allheaders.h>
#include <math.h>
#include <poppler.h>
#include <string.h>
#include <sys/resource.h>

static void
note_caps(struct gh_doc *doc, const struct gh_ocr_stats *st, unsigned total_pages)
{
  doc->ocr = true;
  if(total_pages > st->pages)
    gh_cells_warn(doc, "OCR: read %u of %u pages (caps: %u pages, %u seconds)", st->pages,
                total_pages, GH_OCR_MAX_PAGES, GH_OCR_TOTAL_SECONDS);
}

/* The worker's CPU limit for a document scales with its size (a few
 * seconds for a small file: enough to parse, not to OCR a page).  OCR has
 * its own caps, counted in CPU time, so the soft limit is raised to cover
 * them: the process's CPU used so far plus the OCR cap and a margin, never
 * past the worker's hard (lifetime) limit. */
static void
cpu_room_for_ocr(unsigned seconds)
{
  struct rusage ru;
  struct rlimit cpu;
  if(getrusage(RUSAGE_SELF, &ru) != 0 || getrlimit(RLIMIT_CPU, &cpu) != 0 ||
     cpu.rlim_cur == RLIM_INFINITY)
    return;
  rlim_t want = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + seconds + 5;
  if(cpu.rlim_max != RLIM_INFINITY && want > cpu.rlim_max)
    want = cpu.rlim_max;
  if(want > cpu.rlim_cur) {
    cpu.rlim_cur = want;
    setrlimit(RLIMIT_CPU, &cpu);
  }
}

/* For ocr_pages.c, which reads a bundle's pages under the same room. */
void gh_ocr_cpu_room(unsigned seconds);

void
gh_ocr_cpu_room(unsigned seconds)
{
  cpu_room_for_ocr(seconds);
}

bool
gh_ocr_image(const char *bytes, size_t len, struct gh_doc *doc, GError **err)
{
  l_int32 fmt, w = 0, h = 0, bps, spp, cmap;
  setMsgSeverity(L_SEVERITY_NONE);
  if(pixReadHeaderMem((const l_uint8 *)bytes, len, &fmt, &w, &h, &bps, &spp, &cmap) != 0 ||
     w <= 0 || h <= 0) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "an image leptonica cannot read");
    return false;
  }
  if((uint64_t)w * (uint64_t)h > GH_OCR_MAX_PIXELS) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                "a %d x %d image is over the %" G_GUINT64_FORMAT "-pixel cap of a page", w, h,
                (guint64)GH_OCR_MAX_PIXELS);
    return false;
  }
  cpu_room_for_ocr(GH_OCR_PAGE_SECONDS);
  PIX *pix = pixReadMem((const l_uint8 *)bytes, len);
  if(!pix) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "an image leptonica cannot decode");
    return false;
  }
  struct gh_ocr_stats st = { 0 };
  bool ok = gh_ocr_page(pix, doc, &st, GH_OCR_PAGE_SECONDS, err);
  pixDestroy(&pix);
  if(ok)
    note_caps(doc, &st, 1);
  return ok;
}

/* The resolution the page's scan was made at: its largest image's pixels
 * over the space it covers, so the page is rendered at no more detail than
 * it holds (and no less than is readable). */
static double
scan_dpi(PopplerPage *page)
{
  double best_area = 0, dpi = 0;
  GList *maps = poppler_page_get_image_mapping(page);
  for(GList *l = maps; l; l = l->next) {
    PopplerImageMapping *m = l->data;
    double wpt = m->area.x2 - m->area.x1, hpt = m->area.y2 - m->area.y1;
    if(wpt * hpt <= best_area || wpt < 36 || hpt < 36)
      continue;
    cairo_surface_t *img = poppler_page_get_image(page, m->image_id);
    if(img) {
      int iw = cairo_image_surface_get_width(img);
      if(iw > 0) {
        best_area = wpt * hpt;
        dpi = iw / (wpt / 72.0);
      }
      cairo_surface_destroy(img);
    }
  }
  poppler_page_free_image_mapping(maps);
  return dpi > 0 ? CLAMP(dpi, 150, 400) : 0; /* 0: no image, nothing to read */
}

static PIX *
render(PopplerPage *page, double dpi)
{
  double pw, ph;
  poppler_page_get_size(page, &pw, &ph);
  double s = dpi / 72.0;
  if(pw * s * ph * s > (double)GH_OCR_MAX_PIXELS) /* the pixel cap: render smaller */
    s = sqrt((double)GH_OCR_MAX_PIXELS / (pw * ph));
  int w = (int)(pw * s), h = (int)(ph * s);
  if(w < 16 || h < 16)
    return NULL;
  cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create(surf);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_scale(cr, s, s);
  poppler_page_render(page, cr);
  cairo_destroy(cr);
  cairo_surface_flush(surf);
  PIX *pix = NULL;
  if(cairo_surface_status(surf) == CAIRO_STATUS_SUCCESS) {
    pix = pixCreate(w, h, 32);
    const unsigned char *src = cairo_image_surface_get_data(surf);
    int stride = cairo_image_surface_get_stride(surf);
    l_uint32 *dst = pixGetData(pix);
    int wpl = pixGetWpl(pix);
    for(int y = 0; y < h; y++) {
      const uint32_t *row = (const uint32_t *)(const void *)(src + (size_t)y * (size_t)stride);
      for(int x = 0; x < w; x++)
        dst[(size_t)y * (size_t)wpl + (size_t)x] = row[x] << 8; /* xRGB -> RGBx */
    }
  }
  cairo_surface_destroy(surf);
  return pix;
}

bool
gh_ocr_pdf(const char *bytes, size_t len, struct gh_doc *doc, GError **err)
{
  GBytes *gb = g_bytes_new_static(bytes, len);
  PopplerDocument *pdf = poppler_document_new_from_bytes(gb, NULL, err);
  g_bytes_unref(gb);
  if(!pdf)
    return false;
  int n = poppler_document_get_n_pages(pdf);
  struct gh_ocr_stats st = { 0 };
  bool ok = true;
  unsigned scans = 0;
  cpu_room_for_ocr(GH_OCR_TOTAL_SECONDS);
  gint64 end = gh_ocr_cpu_us() + (gint64)GH_OCR_TOTAL_SECONDS * G_USEC_PER_SEC;
  for(int i = 0; ok && i < n && (unsigned)i < GH_OCR_MAX_PAGES && !st.timed_out; i++) {
    gint64 left = (end - gh_ocr_cpu_us()) / G_USEC_PER_SEC;
    if(left < 1)
      break;
    PopplerPage *page = poppler_document_get_page(pdf, i);
    if(!page)
      continue;
    double dpi = scan_dpi(page);
    PIX *pix = dpi > 0 ? render(page, dpi) : NULL;
    g_object_unref(page);
    scans += dpi > 0;
    st.pages += dpi == 0; /* a page without an image is read: nothing on it */
    if(!pix)
      continue;
    ok = gh_ocr_page(pix, doc, &st, (unsigned)MIN(left, GH_OCR_PAGE_SECONDS), err);
    pixDestroy(&pix);
  }
  g_object_unref(pdf);
  if(ok && !scans) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no page holds an image to read");
    return false;
  }
  if(ok)
    note_caps(doc, &st, (unsigned)MAX(n, 0));
  return ok;
}

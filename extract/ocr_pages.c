/* Page bundles (pages.h): the images of an image-page report, read by OCR
 * in order under the caps a scanned PDF has. */
#include "pages.h"

#include <leptonica/allheaders.h>
#include <string.h>

#include "ocr.h"

/* ocr_doc.c: the worker's CPU soft limit raised to cover `seconds` of OCR. */
void gh_ocr_cpu_room(unsigned seconds);

static void
put_u32(GByteArray *b, guint32 v)
{
  guint8 le[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
  g_byte_array_append(b, le, 4);
}

static guint32
get_u32(const guint8 *p)
{
  return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

GBytes *
gh_pages_bundle(GBytes *const *pages, unsigned n, unsigned shown)
{
  GByteArray *b = g_byte_array_new();
  g_byte_array_append(b, (const guint8 *)GH_PAGES_MAGIC, strlen(GH_PAGES_MAGIC));
  put_u32(b, MAX(shown, n));
  put_u32(b, n);
  for(unsigned i = 0; i < n; i++) {
    gsize len = 0;
    const guint8 *d = pages[i] ? g_bytes_get_data(pages[i], &len) : NULL;
    put_u32(b, (guint32)len);
    if(len)
      g_byte_array_append(b, d, (guint)len);
  }
  return g_byte_array_free_to_bytes(b);
}

/* One page: refused over the pixel cap before it is decoded. */
static bool
read_page(const guint8 *img, size_t len, struct gh_doc *doc, struct gh_ocr_stats *st,
          unsigned seconds, GError **err)
{
  l_int32 fmt, w = 0, h = 0, bps, spp, cmap;
  if(pixReadHeaderMem(img, len, &fmt, &w, &h, &bps, &spp, &cmap) != 0 || w <= 0 || h <= 0) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "an image leptonica cannot read");
    return false;
  }
  if((guint64)w * (guint64)h > GH_OCR_MAX_PIXELS) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                "a %d x %d image is over the %" G_GUINT64_FORMAT "-pixel cap of a page", w, h,
                (guint64)GH_OCR_MAX_PIXELS);
    return false;
  }
  PIX *pix = pixReadMem(img, len);
  if(!pix) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "an image leptonica cannot decode");
    return false;
  }
  bool ok = gh_ocr_page(pix, doc, st, seconds, err);
  pixDestroy(&pix);
  return ok;
}

bool
gh_ocr_pages(const char *bytes, size_t len, struct gh_doc *doc, GError **err)
{
  const guint8 *p = (const guint8 *)bytes, *end = p + len;
  size_t ml = strlen(GH_PAGES_MAGIC);
  if(len < ml + 8 || memcmp(p, GH_PAGES_MAGIC, ml)) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a page bundle");
    return false;
  }
  p += ml;
  guint32 shown = get_u32(p), n = get_u32(p + 4);
  p += 8;
  /* Each page takes at least its length's 4 bytes: a count past that lies. */
  if(n == 0 || n > (guint32)((size_t)(end - p) / 4)) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "a page bundle that claims %u pages", n);
    return false;
  }
  setMsgSeverity(L_SEVERITY_NONE);
  gh_ocr_cpu_room(GH_OCR_TOTAL_SECONDS);
  gint64 stop = gh_ocr_cpu_us() + (gint64)GH_OCR_TOTAL_SECONDS * G_USEC_PER_SEC;
  struct gh_ocr_stats st = { 0 };
  unsigned read = 0, tried = 0;
  GString *lost = g_string_new(NULL);
  GError *last = NULL;
  for(guint32 i = 0; i < n; i++) {
    if((size_t)(end - p) < 4) {
      g_string_append_printf(lost, "%s%u", lost->len ? ", " : "", i + 1);
      break; /* cut short: the pages after it are not there */
    }
    guint32 plen = get_u32(p);
    p += 4;
    if(plen > (size_t)(end - p)) {
      g_string_append_printf(lost, "%s%u", lost->len ? ", " : "", i + 1);
      break;
    }
    const guint8 *img = p;
    p += plen;
    gint64 left = (stop - gh_ocr_cpu_us()) / G_USEC_PER_SEC;
    if(tried >= GH_OCR_MAX_PAGES || left < 1 || st.timed_out)
      continue; /* counted below as not read */
    if(plen == 0) {
      g_string_append_printf(lost, "%s%u", lost->len ? ", " : "", i + 1);
      continue;
    }
    tried++;
    GError *e = NULL;
    if(read_page(img, plen, doc, &st, (unsigned)MIN(left, GH_OCR_PAGE_SECONDS), &e)) {
      read++;
    } else {
      gh_cells_warn(doc, "OCR: page image %u of %u not read: %s", i + 1, n, e->message);
      g_clear_error(&last);
      last = e;
    }
  }
  if(lost->len)
    gh_cells_warn(doc, "page images not fetched: %s of %u", lost->str, n);
  if(shown > n)
    gh_cells_warn(doc, "the page shows %u%s page images: the first %u read (cap: %u)", shown,
                shown >= GH_PAGES_LISTED_MAX ? " or more" : "", n, GH_PAGES_MAX);
  g_string_free(lost, TRUE);
  if(!read) {
    if(last)
      g_propagate_prefixed_error(err, last, "no page image could be read: ");
    else
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no page image could be read");
    return false;
  }
  g_clear_error(&last);
  doc->ocr = true;
  if(read < n)
    gh_cells_warn(doc, "OCR: read %u of %u page images (caps: %u pages, %u seconds)", read, n,
                GH_OCR_MAX_PAGES, GH_OCR_TOTAL_SECONDS);
  return true;
}

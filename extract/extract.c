/* Formats, sniffing, limits and hashes: what every caller of the readers
 * needs before any reading happens. */
#include "extract.h"
#include "pages.h"

#include <openssl/evp.h>
#include <string.h>

const char *
gh_format_name(enum gh_format f)
{
  switch(f) {
  case GH_FMT_EMPTY: return "empty";
  case GH_FMT_TEXT: return "text";
  case GH_FMT_HTML: return "html";
  case GH_FMT_PDF: return "pdf";
  case GH_FMT_DOCX: return "docx";
  case GH_FMT_ZIP: return "zip";
  case GH_FMT_OLE: return "ole";
  case GH_FMT_RTF: return "rtf";
  case GH_FMT_IMAGE: return "image";
  case GH_FMT_BINARY: return "binary";
  case GH_FMT_PAGES: return "images";
  }
  return "binary";
}

static bool
starts_with(const char *b, size_t len, const char *magic, size_t n)
{
  return len >= n && !memcmp(b, magic, n);
}

/* A tag that only markup opens with, in any case, within the first 4 KiB.
 * Runs on every fetched body, so it looks only where a '<' is. */
static bool
looks_html(const char *b, size_t len)
{
  static const char *const tags[] = { "<html", "<!doctype html", "<head", "<body", "<table",
                                      "<meta", "<p>",   "<p ",            "<div",  NULL };
  size_t n = len < 4096 ? len : 4096;
  for(const char *p = b, *end = b + n; (p = memchr(p, '<', (size_t)(end - p))); p++)
    for(const char *const *t = tags; *t; t++) {
      size_t k = strlen(*t);
      if((size_t)(end - p) >= k && !g_ascii_strncasecmp(p, *t, k))
        return true;
    }
  return false;
}

enum gh_format
gh_sniff(const char *b, size_t len)
{
  if(len == 0)
    return GH_FMT_EMPTY;
  if(starts_with(b, len, GH_PAGES_MAGIC, sizeof GH_PAGES_MAGIC - 1))
    return GH_FMT_PAGES;
  /* PDF readers accept the header anywhere in the first KiB; so do we. */
  size_t head = len < 1024 ? len : 1024;
  if(memmem(b, head, "%PDF-", 5))
    return GH_FMT_PDF;
  if(starts_with(b, len, "PK\x03\x04", 4)) {
    /* The names of a Word document's parts are plain bytes in the local
     * headers and the central directory. */
    if(memmem(b, len < (1u << 20) ? len : (1u << 20), "word/", 5) ||
       (len > 65536 && memmem(b + len - 65536, 65536, "word/", 5)))
      return GH_FMT_DOCX;
    return GH_FMT_ZIP;
  }
  if(starts_with(b, len, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
    return GH_FMT_OLE;
  if(starts_with(b, len, "{\\rtf", 5))
    return GH_FMT_RTF;
  if(starts_with(b, len, "\x89PNG", 4) || starts_with(b, len, "\xFF\xD8\xFF", 3) ||
     starts_with(b, len, "GIF8", 4) || starts_with(b, len, "II*\0", 4) ||
     starts_with(b, len, "MM\0*", 4))
    return GH_FMT_IMAGE;
  size_t probe = len < 8192 ? len : 8192;
  bool utf16 = starts_with(b, len, "\xFF\xFE", 2) || starts_with(b, len, "\xFE\xFF", 2);
  size_t ctrl = 0;
  for(size_t i = 0; i < probe && !utf16; i++) {
    unsigned char c = (unsigned char)b[i];
    if(c == 0)
      return GH_FMT_BINARY;
    if(c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b)
      ctrl++;
  }
  if(ctrl * 20 > probe)
    return GH_FMT_BINARY;
  const char *p = b;
  size_t n = len;
  if(starts_with(p, n, "\xEF\xBB\xBF", 3))
    p += 3, n -= 3;
  if(!utf16 && looks_html(p, n))
    return GH_FMT_HTML;
  return GH_FMT_TEXT;
}

void
gh_extract_opts_init(struct gh_extract_opts *o)
{
  memset(o, 0, sizeof(*o));
  o->max_bytes = 32u << 20;
  o->memory_bytes = 1ull << 30;
  o->cpu_seconds = 60;
  o->wall_seconds = 120;
  o->max_pdf_pages = 300;
  o->max_xml_bytes = 64u << 20;
}

/* OpenSSL's SHA-256, not GChecksum's: the crawler hashes every byte it
 * fetches, and glib's portable C version ran at ~450 MB/s here against
 * OpenSSL's ~1.7 GB/s (SHA-NI/AVX2); it was the largest single cost of the
 * crawl loop.  libcrypto is linked for TLS anyway. */
char *
gh_sha256_hex(const char *bytes, size_t len)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if(!EVP_Digest(bytes, len, md, &n, EVP_sha256(), NULL))
    g_error("SHA-256 is not available from OpenSSL"); /* a broken installation */
  static const char hex[] = "0123456789abcdef";
  char *out = g_malloc(2 * n + 1);
  for(unsigned i = 0; i < n; i++) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 15];
  }
  out[2 * n] = '\0';
  return out;
}

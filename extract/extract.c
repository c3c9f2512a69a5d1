#include "extract.h"
#include "flat.h"
#include "hant.h"

#include <openssl/evp.h>
#include <string.h>

#include "../record/crossyear.h"
#include "charset.h"
#include "report.h"

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
  o->isolate = true;
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

bool
gh_read_doc(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *o,
            struct gh_doc *doc, enum gh_status *status, GError **err)
{
  bool ok;
  *status = GH_STATUS_PARSED;
  switch(f) {
  case GH_FMT_HTML:
    ok = gh_html_to_doc(bytes, len, o->declared_charset, doc, err);
    break;
  case GH_FMT_PDF:
    ok = gh_pdf_to_doc(bytes, len, o->max_pdf_pages, doc, status, err);
    break;
  case GH_FMT_DOCX:
    ok = gh_docx_to_doc(bytes, len, o->max_xml_bytes, doc, err);
    break;
  default:
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no reader for %s", gh_format_name(f));
    ok = false;
  }
  if(!ok && *status == GH_STATUS_PARSED)
    *status = err && *err && g_error_matches(*err, G_FILE_ERROR, G_FILE_ERROR_NOSPC)
                ? GH_STATUS_TOO_LARGE /* a reader's own cap (XML bytes, cells) */
                : GH_STATUS_EXTRACT_FAILED;
  return ok;
}

/* Why a format that has no reader is not read: one sentence per format. */
static enum gh_status
unread_status(enum gh_format f, const char **why)
{
  switch(f) {
  case GH_FMT_EMPTY:
    *why = "zero bytes";
    return GH_STATUS_EMPTY;
  case GH_FMT_OLE:
    *why = "legacy Office/WPS file (OLE2 compound document: .doc, .wps or .xls); "
           "no well-kept library reads these";
    return GH_STATUS_UNSUPPORTED_FORMAT;
  case GH_FMT_RTF:
    *why = "RTF document";
    return GH_STATUS_UNSUPPORTED_FORMAT;
  case GH_FMT_ZIP:
    *why = "zip archive that is not a Word document";
    return GH_STATUS_UNSUPPORTED_FORMAT;
  case GH_FMT_IMAGE:
    *why = "an image; the report's text would need OCR";
    return GH_STATUS_NEEDS_OCR;
  default:
    *why = "binary data, not a document format govharvest reads";
    return GH_STATUS_UNSUPPORTED_FORMAT;
  }
}

struct gh_doc *
gh_extract_doc(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *o,
               enum gh_status *status, char **reason)
{
  *status = GH_STATUS_PARSED;
  *reason = NULL;
  if(f == GH_FMT_TEXT) {
    GError *err = NULL;
    size_t ulen = 0;
    char *u = gh_to_utf8(bytes, len, o->declared_charset, false, &ulen, NULL, &err);
    if(!u) {
      *status = GH_STATUS_EXTRACT_FAILED;
      *reason = g_strdup_printf("text: %s", err->message);
      g_error_free(err);
      return NULL;
    }
    struct gh_doc *doc = gh_doc_new();
    gh_text_to_doc(u, ulen, doc);
    g_free(u);
    return doc;
  }
  if(f != GH_FMT_HTML && f != GH_FMT_PDF && f != GH_FMT_DOCX) {
    const char *why;
    *status = unread_status(f, &why);
    *reason = g_strdup(why);
    return NULL;
  }
  char *why = NULL;
  struct gh_doc *doc = NULL;
  if(o->isolate)
    doc = gh_extract_doc_isolated(bytes, len, f, o, status, &why);
  else {
    GError *err = NULL;
    doc = gh_doc_new();
    if(!gh_read_doc(bytes, len, f, o, doc, status, &err)) {
      why = g_strdup(err->message);
      g_error_free(err);
      gh_doc_free(&doc);
    }
  }
  if(!doc)
    *reason = g_strdup_printf("%s: %s", gh_format_name(f), why ? why : "extraction failed");
  g_free(why);
  return doc;
}

/* Runs the reader for `f` wherever opts says and parses its result. */
static void
read_and_parse(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *opts,
               const struct gh_doc_hints *hints, struct gh_record *rec)
{
  enum gh_status st;
  char *why = NULL;
  struct gh_doc *doc = gh_extract_doc(bytes, len, f, opts, &st, &why);
  gh_extract_record_finish(rec, doc, st, why, hints);
  g_free(why);
  gh_doc_free(&doc);
}

void
gh_extract_record(const char *bytes, size_t len, const struct gh_extract_opts *opts,
                  const struct gh_doc_hints *hints, struct gh_record *rec)
{
  enum gh_format f = gh_sniff(bytes, len);
  if(!gh_extract_record_begin(bytes, len, f, NULL, opts, hints, rec))
    read_and_parse(bytes, len, f, opts, hints, rec);
}

bool
gh_title_is_image_only(const char *norm)
{
  return norm && (strstr(norm, "图片版") || strstr(norm, "扫描版") || strstr(norm, "(图片)"));
}

void
gh_extract_record_complete(struct gh_record *rec, const struct gh_doc_hints *hints)
{
  const char *link = hints ? hints->link_text : NULL;
  gh_record_fill_from_title(rec, link);
  if(hints && hints->file_title)
    gh_record_fill_from_title(rec, hints->file_title);
  if(rec->status != GH_STATUS_PARSED &&
     (rec->status == GH_STATUS_NEEDS_OCR || gh_title_is_image_only(link ? link : "")))
    gh_record_fail(rec, GH_STATUS_NEEDS_OCR, "%s", rec->reason ? rec->reason : "image-only report");
}

bool
gh_extract_record_begin(const char *bytes, size_t len, enum gh_format f, const char *sha256,
                        const struct gh_extract_opts *opts, const struct gh_doc_hints *hints,
                        struct gh_record *rec)
{
  g_free(rec->source.sha256);
  rec->source.sha256 = sha256 ? g_strdup(sha256) : gh_sha256_hex(bytes, len);
  g_free(rec->source.format);
  rec->source.format = g_strdup(gh_format_name(f));

  if(opts->max_bytes && len > opts->max_bytes) {
    gh_record_fail(rec, GH_STATUS_TOO_LARGE, "%zu bytes is over the %zu-byte limit",
                   len, opts->max_bytes);
    gh_extract_record_complete(rec, hints);
    return true;
  }
  if(f == GH_FMT_HTML || f == GH_FMT_PDF || f == GH_FMT_DOCX)
    return false; /* a reader must run: the caller decides where */
  /* Text is read in-process; other formats fail with their status. */
  read_and_parse(bytes, len, f, opts, hints, rec);
  return true;
}

void
gh_extract_record_finish(struct gh_record *rec, const struct gh_doc *doc, enum gh_status st,
                         const char *why, const struct gh_doc_hints *hints)
{
  if(!doc) {
    gh_record_fail(rec, st == GH_STATUS_PARSED ? GH_STATUS_EXTRACT_FAILED : st, "%s",
                   why ? why : "extraction failed");
    gh_extract_record_complete(rec, hints);
    return;
  }
  /* A report in traditional characters is read in simplified ones, and a
   * page flattened to one line is rebuilt into its rows first. */
  struct gh_doc *simp = gh_doc_is_traditional(doc) ? gh_doc_to_simplified(doc) : NULL;
  const struct gh_doc *use = simp ? simp : doc;
  struct gh_doc *flat = gh_unflatten(use);
  gh_report_parse(flat ? flat : use, rec);
  gh_doc_free(&flat);
  gh_doc_free(&simp);
  gh_extract_record_complete(rec, hints);
  /* The prose's fingerprint, for the year-to-year "copied text" check:
   * a report's only, since nothing else is stored as a record. */
  if(rec->status == GH_STATUS_NOT_A_REPORT || rec->status == GH_STATUS_EMPTY)
    return;
  GPtrArray *lines = g_ptr_array_new();
  for(guint i = 0; i < doc->rows->len; i++) {
    const struct gh_row *row = &g_array_index(doc->rows, struct gh_row, i);
    if(row->kind == GH_ROW_TEXT && row->n_cells)
      g_ptr_array_add(lines, row->cells[0].text);
  }
  if(lines->len) {
    g_free(rec->source.text_fingerprint);
    rec->source.text_fingerprint =
      gh_text_fingerprint((const char *const *)lines->pdata, lines->len);
  }
  g_ptr_array_free(lines, TRUE);
}

/* One document's bytes -> its cell stream -> its record.
 *
 * gh_document_record is the only path from a document to a record: parse,
 * reparse and the crawl's extraction job all run it, inside a sandbox
 * worker (sandbox.c), so the same bytes with the same hints give the same
 * record whoever reads them.  Only the fuzzers call it in their own
 * process. */
#include "extract.h"

#include <string.h>

#include "../record/crossyear.h"
#include "charset.h"
#include "convert.h"
#include "ocr.h"
#include "pages.h"
#include "pdfscan.h"
#include "flat.h"
#include "hant.h"
#include "../record/parser.h"

bool
gh_document_read(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *o,
            struct gh_doc *doc, enum gh_status *status, GError **err)
{
  bool ok;
  *status = GH_STATUS_PARSED;
  switch(f) {
  case GH_FMT_HTML:
    ok = gh_html_to_doc(bytes, len, o->declared_charset, doc, err);
    break;
  case GH_FMT_PDF: {
    /* Judged before poppler opens it: a few KB of nested forms cost
     * poppler a minute, and OCR would draw them again. */
    char *why = NULL;
    if(gh_pdfscan_too_costly(bytes, len, &why)) {
      *status = GH_STATUS_TOO_COSTLY;
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_FAILED, "not read: %s", why);
      g_free(why);
      ok = false;
      break;
    }
    ok = gh_pdf_to_doc(bytes, len, o->max_pdf_pages, doc, status, err);
    if(!ok && *status == GH_STATUS_NEEDS_OCR) {
      /* A scan: its pages read by OCR instead.  Should OCR fail too, the
       * record stays needs_ocr with both reasons. */
      GError *oerr = NULL;
      gh_cells_clear_rows(doc);
      if(gh_ocr_pdf(bytes, len, doc, &oerr)) {
        g_clear_error(err);
        *status = GH_STATUS_PARSED;
        ok = true;
      } else if(err && *err) {
        char *msg = g_strdup_printf("%s; OCR: %s", (*err)->message,
                                    oerr ? oerr->message : "failed");
        g_free((*err)->message);
        (*err)->message = msg;
        g_clear_error(&oerr);
      } else
        g_clear_error(&oerr);
    }
    break;
  }
  case GH_FMT_IMAGE:
    ok = gh_ocr_image(bytes, len, doc, err);
    if(!ok)
      *status = err && *err && g_error_matches(*err, G_FILE_ERROR, G_FILE_ERROR_NOSPC)
                  ? GH_STATUS_TOO_LARGE
                  : GH_STATUS_NEEDS_OCR;
    break;
  case GH_FMT_PAGES:
    ok = gh_ocr_pages(bytes, len, doc, err);
    if(!ok)
      *status = err && *err && g_error_matches(*err, G_FILE_ERROR, G_FILE_ERROR_NOSPC)
                  ? GH_STATUS_TOO_LARGE
                  : GH_STATUS_NEEDS_OCR;
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
  case GH_FMT_RTF:
    *why = "a legacy Office file, read only through LibreOffice";
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

/* An OLE2 compound file names its streams in UTF-16LE in its directory:
 * a word-processing file holds "WordDocument" (Word, Kingsoft .wps), a
 * workbook "Workbook" (Excel 97-2003, Kingsoft .et) or "Book" (Excel 5).
 * Anything else (PowerPoint, Outlook, Thumbs.db) is no report. */
enum ole_kind { OLE_OTHER, OLE_WORD, OLE_BOOK };

static enum ole_kind
ole_kind(const char *b, size_t len)
{
  static const char word[] = "W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t\0";
  static const char book[] = "W\0o\0r\0k\0b\0o\0o\0k\0", book5[] = "B\0o\0o\0k\0\0\0";
  if(memmem(b, len, word, sizeof word - 1))
    return OLE_WORD;
  if(memmem(b, len, book, sizeof book - 1) || memmem(b, len, book5, sizeof book5 - 1))
    return OLE_BOOK;
  return OLE_OTHER;
}

/* .doc, .wps, .rtf and .xls: converted by LibreOffice in the worker's
 * converter helper (convert.h), then read as the DOCX or XLSX it gives. */
static struct gh_doc *
legacy_cells(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *o,
             enum gh_status *status, char **reason)
{
  enum ole_kind kind = f == GH_FMT_OLE ? ole_kind(bytes, len) : OLE_WORD;
  if(kind == OLE_OTHER) {
    *status = GH_STATUS_UNSUPPORTED_FORMAT;
    *reason = g_strdup("legacy Office file (OLE2 compound document) that holds neither a Word "
                       "nor an Excel document");
    return NULL;
  }
  bool book = kind == OLE_BOOK;
  enum gh_convert_target t = book ? GH_CONVERT_XLSX : GH_CONVERT_DOCX;
  const char *what = f == GH_FMT_RTF ? "RTF document"
                     : book          ? "legacy spreadsheet (.xls/.et)"
                                     : "legacy Word/WPS document (.doc/.wps)";
  if(!gh_convert_available()) {
    *status = GH_STATUS_UNSUPPORTED_FORMAT;
    *reason = g_strdup_printf("%s; reading it needs LibreOffice (soffice, package %s), "
                              "which is not installed",
                              what, gh_convert_package(t));
    return NULL;
  }
  GError *err = NULL;
  GByteArray *conv = gh_convert(bytes, len, f == GH_FMT_RTF ? "rtf" : book ? "xls" : "doc", t, &err);
  struct gh_doc *doc = NULL;
  if(conv) {
    doc = gh_cells_new();
    size_t n = conv->len;
    bool ok = t == GH_CONVERT_XLSX
                ? gh_xlsx_to_doc((const char *)conv->data, n, o->max_xml_bytes, doc, &err)
                : gh_docx_to_doc((const char *)conv->data, n, o->max_xml_bytes, doc, &err);
    if(!ok)
      gh_cells_free(&doc);
    g_byte_array_free(conv, TRUE);
  }
  if(!doc) {
    *status = g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC) ? GH_STATUS_TOO_LARGE
                                                                      : GH_STATUS_EXTRACT_FAILED;
    *reason = g_strdup_printf("%s: %s", what, err ? err->message : "conversion failed");
  }
  g_clear_error(&err);
  return doc;
}

struct gh_doc *
gh_document_cells(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *o,
                  const struct GumboInternalOutput *tree, enum gh_status *status, char **reason)
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
    struct gh_doc *doc = gh_cells_new();
    gh_text_to_doc(u, ulen, doc);
    g_free(u);
    return doc;
  }
  if(f == GH_FMT_OLE || f == GH_FMT_RTF)
    return legacy_cells(bytes, len, f, o, status, reason);
  if(f != GH_FMT_HTML && f != GH_FMT_PDF && f != GH_FMT_DOCX && f != GH_FMT_IMAGE &&
     f != GH_FMT_PAGES) {
    const char *why;
    *status = unread_status(f, &why);
    *reason = g_strdup(why);
    return NULL;
  }
  struct gh_doc *doc = gh_cells_new();
  if(f == GH_FMT_HTML && tree) {
    gh_html_tree_to_doc(tree, doc); /* the caller parsed the page already */
    return doc;
  }
  GError *err = NULL;
  if(!gh_document_read(bytes, len, f, o, doc, status, &err)) {
    *reason = g_strdup_printf("%s: %s", gh_format_name(f), err ? err->message : "extraction failed");
    g_clear_error(&err);
    gh_cells_free(&doc);
  }
  return doc;
}

/* A title that says the report is a scan (图片版, 扫描版). */
static bool
title_is_image_only(const char *norm)
{
  return norm && (strstr(norm, "图片版") || strstr(norm, "扫描版") || strstr(norm, "(图片)"));
}

/* The last step of every path, also for a record that failed before any
 * reader ran: the hints' agency and year where the document lacks them,
 * and needs_ocr for a failed read behind an image-only title. */
static void
complete(struct gh_record *rec, const struct gh_doc_hints *hints)
{
  const char *link = hints ? hints->link_text : NULL;
  gh_record_fill_from_title(rec, link);
  if(hints && hints->file_title)
    gh_record_fill_from_title(rec, hints->file_title);
  if(rec->status != GH_STATUS_PARSED &&
     (rec->status == GH_STATUS_NEEDS_OCR || title_is_image_only(link ? link : "")))
    gh_record_fail(rec, GH_STATUS_NEEDS_OCR, "%s", rec->reason ? rec->reason : "image-only report");
}

/* The prose's fingerprint, for the year-to-year "copied text" check. */
static void
fingerprint(struct gh_record *rec, const struct gh_doc *doc)
{
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

static void
identify(struct gh_record *rec, const char *sha256, size_t len, const char *bytes, enum gh_format f)
{
  g_free(rec->source.sha256);
  rec->source.sha256 = sha256 ? g_strdup(sha256) : gh_sha256_hex(bytes, len);
  g_free(rec->source.format);
  rec->source.format = g_strdup(gh_format_name(f));
}

bool
gh_document_too_large(size_t len, const struct gh_extract_opts *o)
{
  return o->max_bytes && len > o->max_bytes;
}

struct gh_doc *
gh_document_placements(const struct gh_doc *doc, struct gh_record *rec, GArray *placed)
{
  struct gh_doc *simp = gh_doc_is_traditional(doc) ? gh_doc_to_simplified(doc) : NULL;
  struct gh_doc *flat = gh_unflatten(simp ? simp : doc);
  if(flat)
    gh_cells_free(&simp);
  struct gh_doc *read = flat ? flat : simp;
  gh_report_parse_placed(read ? read : doc, rec, placed);
  return read;
}

void
gh_document_record(const char *bytes, size_t len, enum gh_format f, const char *sha256,
                   const struct gh_extract_opts *o, const struct gh_doc_hints *hints,
                   const struct GumboInternalOutput *tree, struct gh_record *rec)
{
  identify(rec, sha256, len, bytes, f);
  if(gh_document_too_large(len, o)) {
    gh_record_fail(rec, GH_STATUS_TOO_LARGE, "%zu bytes is over the %zu-byte limit", len,
                   o->max_bytes);
    complete(rec, hints);
    return;
  }
  enum gh_status st;
  char *why = NULL;
  struct gh_doc *doc = gh_document_cells(bytes, len, f, o, tree, &st, &why);
  if(!doc) {
    gh_record_fail(rec, st == GH_STATUS_PARSED ? GH_STATUS_EXTRACT_FAILED : st, "%s",
                   why ? why : "extraction failed");
    g_free(why);
    complete(rec, hints);
    return;
  }
  /* A report in traditional characters is read in simplified ones, and a
   * page flattened to one line is rebuilt into its rows first. */
  struct gh_doc *simp = gh_doc_is_traditional(doc) ? gh_doc_to_simplified(doc) : NULL;
  const struct gh_doc *use = simp ? simp : doc;
  struct gh_doc *flat = gh_unflatten(use);
  gh_report_parse(flat ? flat : use, rec);
  rec->source.ocr = doc->ocr;
  gh_cells_free(&flat);
  gh_cells_free(&simp);
  complete(rec, hints);
  /* A report's only, since nothing else is stored as a record. */
  if(rec->status != GH_STATUS_NOT_A_REPORT && rec->status != GH_STATUS_EMPTY)
    fingerprint(rec, doc);
  gh_cells_free(&doc);
}

void
gh_document_failed(const char *sha256, enum gh_format f, const char *failure,
                   const struct gh_doc_hints *hints, struct gh_record *rec)
{
  identify(rec, sha256, 0, "", f);
  gh_record_fail(rec, GH_STATUS_EXTRACT_FAILED, "%s: %s", gh_format_name(f),
                 failure ? failure : "extraction failed");
  complete(rec, hints);
}

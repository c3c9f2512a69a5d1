/* Extraction front door: fetched or local bytes -> cell stream -> record.
 *
 * The format is sniffed from the bytes, never from a file name or a URL: a
 * portal serves PDFs as "download.jsp?id=…" and HTML error pages as ".pdf". */
#ifndef GH_EXTRACT_H
#define GH_EXTRACT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../record/record.h"
#include "../record/cells.h"

enum gh_format {
  GH_FMT_EMPTY,
  GH_FMT_TEXT,
  GH_FMT_HTML,
  GH_FMT_PDF,
  GH_FMT_DOCX,
  GH_FMT_ZIP,    /* a zip that is not a Word document */
  GH_FMT_OLE,    /* legacy .doc / .wps / .xls (OLE2 compound file) */
  GH_FMT_RTF,
  GH_FMT_IMAGE,
  GH_FMT_BINARY,
  GH_FMT_PAGES, /* an image-page report's images, bundled by the crawler (pages.h) */
};

enum gh_format gh_sniff(const char *bytes, size_t len);
const char *gh_format_name(enum gh_format f);

struct gh_extract_opts {
  size_t max_bytes; /* larger documents are refused as too_large */
  const char *declared_charset; /* from HTTP Content-Type, or NULL */
  /* The sandbox worker's limits (sandbox.c). */
  uint64_t memory_bytes;  /* RLIMIT_AS; 0 = none */
  unsigned cpu_seconds;   /* CPU per document; 0 = none */
  unsigned wall_seconds;  /* killed after this; 0 = 120 */
  unsigned max_pdf_pages; /* 0 = all */
  size_t max_xml_bytes;   /* decompressed word/document.xml cap */
};

/* Defaults matching the [limits] section of the configuration. */
void gh_extract_opts_init(struct gh_extract_opts *o);

/* ---- the readers: hostile bytes in, cell stream out.  They run in a
 * sandbox worker (sandbox.h); only the fuzzers call them directly. ---- */

/* Text/markdown (already UTF-8) -> doc. */
void gh_text_to_doc(const char *utf8, size_t len, struct gh_doc *doc);

/* HTML bytes in any charset -> doc.  False with *err on failure. */
bool gh_html_to_doc(const char *bytes, size_t len, const char *declared_charset,
                    struct gh_doc *doc, GError **err);
/* The same from a page already parsed (gh_gumbo_parse), for a caller that
 * also finds the page's links in that tree. */
struct GumboInternalOutput;
void gh_html_tree_to_doc(const struct GumboInternalOutput *out, struct gh_doc *doc);

/* PDF -> doc.  *status tells needs_ocr/encrypted/extract_failed on false. */
bool gh_pdf_to_doc(const char *bytes, size_t len, unsigned max_pages, struct gh_doc *doc,
                   enum gh_status *status, GError **err);

/* DOCX -> doc (word/document.xml, capped at max_xml decompressed bytes). */
bool gh_docx_to_doc(const char *bytes, size_t len, size_t max_xml, struct gh_doc *doc,
                    GError **err);

/* One part of a zip (OOXML) file, decompressed to at most `cap` bytes
 * (G_FILE_ERROR_NOSPC past it, G_FILE_ERROR_NOENT when absent). */
bool gh_zip_part(const char *bytes, size_t len, const char *name, size_t cap, GByteArray **out,
                 GError **err);

/* XLSX -> doc: every worksheet's rows as table rows (xlsx.c). */
bool gh_xlsx_to_doc(const char *bytes, size_t len, size_t max_xml, struct gh_doc *doc,
                    GError **err);

/* The reader for f (HTML, PDF or DOCX), in this process. */
bool gh_document_read(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *o,
                 struct gh_doc *doc, enum gh_status *status, GError **err);

/* ---- one document -> its record (document.c) ---- */

/* What a crawl knew of a document besides its bytes: the text of the link
 * that led to it and its download name (Content-Disposition), both
 * normalised by gh_norm, both optional.  The store keeps them in the
 * record's source (link_text, file_title), so a reparse applies the same. */
struct gh_doc_hints {
  const char *link_text;
  const char *file_title;
};

/* Bytes of a sniffed format -> cell stream, in this process: text through
 * charset conversion, HTML/PDF/DOCX through their reader (HTML from `tree`
 * when the caller parsed it already, else NULL).  NULL with *status and
 * *reason (g_free) when the document has no stream. */
struct gh_doc *gh_document_cells(const char *bytes, size_t len, enum gh_format f,
                                 const struct gh_extract_opts *o,
                                 const struct GumboInternalOutput *tree, enum gh_status *status,
                                 char **reason);

/* What gh_document_record's parser reads of `doc`: the stream after
 * traditional->simplified and unflattening (a new doc, g_free with
 * gh_cells_free; NULL when it reads `doc` itself), parsed into `rec`
 * (gh_record_init'ed) with each value's placement appended to `placed`
 * (gh_placements_new).  For parse --cells. */
struct gh_doc *gh_document_placements(const struct gh_doc *doc, struct gh_record *rec,
                                      GArray *placed);

/* The one path from a document to its record, taken by parse, reparse and
 * the crawl's extraction job alike (always inside a sandbox worker):
 * cells, traditional->simplified, unflattening, the report parser, the
 * hints' agency and year, the prose fingerprint.  `rec` must be
 * gh_record_init'ed; `sha256` may be NULL (computed), `hints` and `tree`
 * NULL; source.sha256 and source.format are filled, status always set.
 * A document over o->max_bytes is refused (too_large) without reading. */
void gh_document_record(const char *bytes, size_t len, enum gh_format f, const char *sha256,
                        const struct gh_extract_opts *o, const struct gh_doc_hints *hints,
                        const struct GumboInternalOutput *tree, struct gh_record *rec);

/* True when gh_document_record would refuse the document unread: such a
 * body is not sent to a worker at all. */
bool gh_document_too_large(size_t len, const struct gh_extract_opts *o);

/* The record of a document whose worker failed (a crash, a hang, a reply
 * out of bounds): extract_failed with the failure, plus the hints. */
void gh_document_failed(const char *sha256, enum gh_format f, const char *failure,
                        const struct gh_doc_hints *hints, struct gh_record *rec);

/* Lower-case hex sha256 of the bytes (g_free). */
char *gh_sha256_hex(const char *bytes, size_t len);

#endif

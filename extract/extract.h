/* Extraction front door: fetched or local bytes -> cell stream -> record.
 *
 * The format is sniffed from the bytes, never from a file name or a URL: a
 * portal serves PDFs as "download.jsp?id=…" and HTML error pages as ".pdf". */
#ifndef GH_EXTRACT_H
#define GH_EXTRACT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "../record/record.h"
#include "doc.h"

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
};

enum gh_format gh_sniff(const char *bytes, size_t len);
const char *gh_format_name(enum gh_format f);

struct gh_extract_opts {
  size_t max_bytes; /* larger documents are refused as too_large */
  const char *declared_charset; /* from HTTP Content-Type, or NULL */
};

/* Text/markdown (already UTF-8) -> doc. */
void gh_text_to_doc(const char *utf8, size_t len, struct gh_doc *doc);

/* HTML bytes in any charset -> doc.  False with *err on failure. */
bool gh_html_to_doc(const char *bytes, size_t len, const char *declared_charset,
                    struct gh_doc *doc, GError **err);

/* The whole path for one document.  `rec` must be gh_record_init'ed; its
 * source.sha256 and source.format are filled here, status always set. */
void gh_extract_record(const char *bytes, size_t len, const struct gh_extract_opts *opts,
                       struct gh_record *rec);

/* Lower-case hex sha256 of the bytes (g_free). */
char *gh_sha256_hex(const char *bytes, size_t len);

#endif

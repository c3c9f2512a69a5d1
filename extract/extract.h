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
  /* Run PDF/DOCX/HTML readers in a limited child process (isolate.c).
   * Off only for fuzzers, which want crashes in-process. */
  bool isolate;
  uint64_t memory_bytes;  /* child RLIMIT_AS; 0 = none */
  unsigned cpu_seconds;   /* child RLIMIT_CPU; 0 = none */
  unsigned wall_seconds;  /* killed after this; 0 = 120 */
  unsigned max_pdf_pages; /* 0 = all */
  size_t max_xml_bytes;   /* decompressed word/document.xml cap */
  /* Keep one extraction child for many documents (worker.c) instead of a
   * fork per document: same limits, a fraction of the cost. */
  bool reuse_worker;
};

/* Defaults matching the [limits] section of the configuration. */
void gh_extract_opts_init(struct gh_extract_opts *o);

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

/* Run the reader for `f` in a child under the limits of `o`.  Returns the
 * doc, or NULL with *status and *reason (g_free) saying why. */
struct gh_doc *gh_extract_doc_isolated(const char *bytes, size_t len, enum gh_format f,
                                       const struct gh_extract_opts *o,
                                       enum gh_status *status, char **reason);

/* The isolation primitive: run `reader` in a forked child under the limits
 * of `o` (memory, CPU, wall time, output size) and return the doc it built,
 * or NULL with *status and *reason.  `input_len` bounds the reply size. */
/* The long-lived worker behind reuse_worker (worker.c), and its end. */
struct gh_doc *gh_worker_extract(const char *bytes, size_t len, enum gh_format f,
                                 const struct gh_extract_opts *o, enum gh_status *status,
                                 char **reason);
void gh_worker_shutdown(void);

/* A pool of such workers for callers with an event loop (the crawler):
 * submit, poll the fds gh_pool_pollfds gives, call gh_pool_service when
 * they are ready or at gh_pool_deadline (monotonic µs).
 *
 * The pool's work function runs in the worker, on hostile bytes, under the
 * limits: it gets the body, its sniffed format, the limits (with the
 * declared charset) and the caller's arguments, and returns the reply
 * object.  `done` runs inside gh_pool_service (or submit) with that reply
 * (borrowed), or with NULL and the failure (a crash, a timeout, an
 * oversized or malformed reply). */
struct pollfd;
struct gh_pool;
struct gh_pool_input {
  const char *bytes;
  size_t len;
  enum gh_format format;
  const struct gh_extract_opts *o;
  const json_t *args; /* NULL when the caller sent none */
};
typedef json_t *(*gh_pool_work_fn)(const struct gh_pool_input *in);
typedef void (*gh_pool_done_fn)(void *ud, json_t *reply, const char *failure);
/* Workers are this program started again with GH_POOL_WORKER_ARG and the
 * work function's name: its main() must hand such a command line to
 * gh_pool_worker_main, with the table of work functions, before anything
 * else. */
#define GH_POOL_WORKER_ARG "__extract-worker"
#define GH_POOL_WORK_DOC "doc" /* gh_pool_read_doc */
struct gh_pool_work {
  const char *name;
  gh_pool_work_fn fn;
};
int gh_pool_worker_main(int argc, char **argv, const struct gh_pool_work *works);
struct gh_pool *gh_pool_new(unsigned workers, const struct gh_extract_opts *o, const char *work);
/* `body` is shared (referenced), not copied, until the job ends. */
void gh_pool_submit(struct gh_pool *p, GBytes *body, enum gh_format f,
                    const struct gh_extract_opts *o, const json_t *args, gh_pool_done_fn done,
                    void *ud);
/* The plain work function: the reader's cell stream as gh_doc_reply. */
json_t *gh_pool_read_doc(const struct gh_pool_input *in);
unsigned gh_pool_pending(const struct gh_pool *p);
unsigned gh_pool_pollfds(const struct gh_pool *p, struct pollfd *fds, unsigned max);
void gh_pool_service(struct gh_pool *p);
/* The soonest deadline of the jobs in the workers (G_MAXINT64: none), for
 * a caller's poll timeout, without touching the pipes. */
gint64 gh_pool_deadline(const struct gh_pool *p);
/* Kills workers with jobs (their callbacks never run) and frees. */
void gh_pool_free(struct gh_pool *p);

/* Shared by both isolation paths: the child's rlimits, a signal's reason,
 * and the reply decoder. */
void gh_isolate_child_limits(const struct gh_extract_opts *o);
char *gh_isolate_signal_reason(int sig);
struct gh_doc *gh_isolate_parse_reply(const char *text, size_t len, enum gh_status *status,
                                      char **reason);
/* A reader's result as a reply object ({"status", "reason", "doc"}), and
 * back: the doc, or NULL with *status and *reason when it failed. */
json_t *gh_doc_reply(const struct gh_doc *doc, enum gh_status status, const GError *err);
struct gh_doc *gh_doc_from_reply(const json_t *reply, enum gh_status *status, char **reason);

typedef void (*gh_reader_fn)(void *ctx, struct gh_doc *doc, enum gh_status *status,
                             GError **err);
struct gh_doc *gh_isolate_run(gh_reader_fn reader, void *ctx, size_t input_len,
                              const struct gh_extract_opts *o, enum gh_status *status,
                              char **reason);

/* Run the reader for f (HTML, PDF or DOCX) in this process.  The one
 * dispatch both the isolated child and in-process callers (fuzzers) use. */
bool gh_read_doc(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *o,
                 struct gh_doc *doc, enum gh_status *status, GError **err);

/* Bytes of a sniffed format -> cell stream: text through charset
 * conversion, HTML/PDF/DOCX through the reader (isolated when o->isolate).
 * NULL with *status and *reason (g_free) when the document has no stream. */
struct gh_doc *gh_extract_doc(const char *bytes, size_t len, enum gh_format f,
                              const struct gh_extract_opts *o, enum gh_status *status,
                              char **reason);

/* What a crawl knew of a document besides its bytes: the text of the link
 * that led to it and its download name (Content-Disposition), both
 * normalised by gh_norm, both optional.  The store keeps them in the
 * record's source (link_text, file_title), so a reparse applies the same. */
struct gh_doc_hints {
  const char *link_text;
  const char *file_title;
};

/* The whole path for one document, the one that parse, reparse and the
 * crawl's extraction job all take, so the same bytes with the same hints
 * give the same record whoever reads them.  `rec` must be
 * gh_record_init'ed and `opts` set up with gh_extract_opts_init; `hints`
 * may be NULL; source.sha256 and source.format are filled here, status
 * always set. */
void gh_extract_record(const char *bytes, size_t len, const struct gh_extract_opts *opts,
                       const struct gh_doc_hints *hints, struct gh_record *rec);

/* A title that says the report is a scan (图片版, 扫描版). */
bool gh_title_is_image_only(const char *norm);

/* gh_extract_record in two halves, for callers that run the reader
 * elsewhere (the crawler's worker pool).  begin() takes the format the
 * caller sniffed (gh_sniff), fills sha256 (taken from `sha256` when the
 * caller has it, else computed) and format, and returns true when the
 * record is already complete (text, too large, unsupported formats); false
 * when the reader for `f` must run, after which finish() parses its doc (or
 * records the failure). */
bool gh_extract_record_begin(const char *bytes, size_t len, enum gh_format f, const char *sha256,
                             const struct gh_extract_opts *opts, const struct gh_doc_hints *hints,
                             struct gh_record *rec);
void gh_extract_record_finish(struct gh_record *rec, const struct gh_doc *doc,
                              enum gh_status status, const char *why,
                              const struct gh_doc_hints *hints);
/* The last step of every path, also for a record that failed before any
 * reader ran: the hints' agency and year where the document lacks them,
 * and needs_ocr for a failed read behind an image-only title. */
void gh_extract_record_complete(struct gh_record *rec, const struct gh_doc_hints *hints);

/* Lower-case hex sha256 of the bytes (g_free). */
char *gh_sha256_hex(const char *bytes, size_t len);

#endif

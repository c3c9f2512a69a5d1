/* The sandbox without an event loop: record jobs for parse and reparse,
 * one-document calls for probe and parse --cells, and the reply encoding
 * of a cell stream.  The pool's own workings are sandbox.c's. */
#include <poll.h>
#include <string.h>

#include "sandbox.h"

#define USEC 1000000

void
gh_sandbox_step(struct gh_sandbox *p)
{
  struct pollfd fds[64];
  unsigned n = gh_sandbox_pollfds(p, fds, G_N_ELEMENTS(fds));
  if(n) {
    gint64 deadline = gh_sandbox_deadline(p);
    gint64 left = deadline == G_MAXINT64 ? USEC : deadline - g_get_monotonic_time();
    if(poll(fds, n, (int)CLAMP(left / 1000 + 1, 0, 1000)) < 0)
      n = 0; /* interrupted: no revents to trust, read every pipe */
  }
  gh_sandbox_service(p, n ? fds : NULL, n);
}

void
gh_sandbox_drain(struct gh_sandbox *p)
{
  while(gh_sandbox_pending(p))
    gh_sandbox_step(p);
}

struct record_job {
  gh_record_done_fn done;
  void *ud;
  GBytes *body; /* for the failure's record: its sha256, computed then */
  enum gh_format f;
  char *link_text, *file_title;
};

static void
record_done(void *ud, json_t *reply, const char *failure)
{
  struct record_job *rj = ud;
  json_t *rec = json_incref(json_object_get(reply, "record"));
  if(!json_is_object(rec)) {
    json_decref(rec);
    struct gh_record r;
    gh_record_init(&r);
    struct gh_doc_hints hints = { rj->link_text, rj->file_title };
    gsize len;
    const char *bytes = g_bytes_get_data(rj->body, &len);
    char *sha = gh_sha256_hex(bytes, len);
    gh_document_failed(sha, rj->f, reply ? "extractor sent a malformed reply" : failure, &hints,
                       &r);
    g_free(sha);
    rec = gh_record_to_json(&r);
    gh_record_clear(&r);
  }
  rj->done(rj->ud, rec);
  g_bytes_unref(rj->body);
  g_free(rj->link_text);
  g_free(rj->file_title);
  g_free(rj);
}

void
gh_sandbox_submit_record(struct gh_sandbox *p, GBytes *body, const struct gh_extract_opts *o,
                      const struct gh_doc_hints *hints, gh_record_done_fn done, void *ud)
{
  gsize len;
  const char *bytes = g_bytes_get_data(body, &len);
  enum gh_format f = gh_sniff(bytes, len);
  struct gh_doc_hints none = { 0 };
  if(!hints)
    hints = &none;
  if(gh_document_too_large(len, o)) { /* refused unread: no worker needed */
    struct gh_record r;
    gh_record_init(&r);
    gh_document_record(bytes, len, f, NULL, o, hints, NULL, &r);
    done(ud, gh_record_to_json(&r));
    gh_record_clear(&r);
    return;
  }
  /* The worker hashes the body too: the caller's one core is what parse
   * and reparse must not spend per document. */
  struct record_job *rj = g_new0(struct record_job, 1);
  *rj = (struct record_job){ done, ud, g_bytes_ref(body), f, g_strdup(hints->link_text),
                             g_strdup(hints->file_title) };
  json_t *args = json_pack("{s s? s s?}", "link_text", hints->link_text, "file_title",
                           hints->file_title);
  gh_sandbox_submit(p, body, f, o, args, record_done, rj);
  json_decref(args);
}

static struct gh_sandbox *shared_record, *shared_doc;

static void
keep_record(void *ud, json_t *record)
{
  *(json_t **)ud = record;
}

json_t *
gh_extract_record(const char *bytes, size_t len, const struct gh_extract_opts *o,
                  const struct gh_doc_hints *hints)
{
  if(!shared_record)
    shared_record = gh_sandbox_new(1, o, GH_POOL_WORK_RECORD);
  json_t *rec = NULL;
  /* The job ends before this returns: the caller's bytes need no copy. */
  GBytes *body = g_bytes_new_static(bytes, len);
  gh_sandbox_submit_record(shared_record, body, o, hints, keep_record, &rec);
  g_bytes_unref(body);
  while(!rec)
    gh_sandbox_step(shared_record);
  return rec;
}

struct doc_result {
  bool done;
  struct gh_doc *doc;
  enum gh_status status;
  char *reason;
};

static void
doc_done(void *ud, json_t *reply, const char *failure)
{
  struct doc_result *r = ud;
  r->done = true;
  r->status = GH_STATUS_EXTRACT_FAILED;
  if(reply)
    r->doc = gh_doc_from_reply(reply, &r->status, &r->reason);
  else
    r->reason = g_strdup(failure);
}

struct gh_doc *
gh_extract_doc(const char *bytes, size_t len, const struct gh_extract_opts *o,
               enum gh_status *status, char **reason)
{
  if(!shared_doc)
    shared_doc = gh_sandbox_new(1, o, GH_POOL_WORK_DOC);
  struct doc_result r = { 0 };
  GBytes *body = g_bytes_new_static(bytes, len);
  gh_sandbox_submit(shared_doc, body, gh_sniff(bytes, len), o, NULL, doc_done, &r);
  g_bytes_unref(body);
  while(!r.done)
    gh_sandbox_step(shared_doc);
  *status = r.status;
  *reason = r.reason;
  return r.doc;
}

void
gh_extract_shutdown(void)
{
  gh_sandbox_free(shared_record);
  gh_sandbox_free(shared_doc);
  shared_record = shared_doc = NULL;
}

json_t *
gh_doc_reply(const struct gh_doc *doc, enum gh_status status, const char *reason)
{
  return json_pack("{s i s s? s o?}", "status", (int)status, "reason", reason, "doc",
                   doc ? gh_cells_to_json(doc) : NULL);
}

struct gh_doc *
gh_doc_from_reply(const json_t *j, enum gh_status *status, char **reason)
{
  int st = (int)json_integer_value(json_object_get(j, "status"));
  const char *why = json_string_value(json_object_get(j, "reason"));
  *status = st >= GH_STATUS_PARSED && st <= GH_STATUS_LAST ? (enum gh_status)st
                                                             : GH_STATUS_EXTRACT_FAILED;
  *reason = NULL;
  json_t *jd = json_object_get(j, "doc");
  struct gh_doc *doc = jd && *status == GH_STATUS_PARSED ? gh_cells_from_json(jd) : NULL;
  if(doc)
    return doc;
  if(*status == GH_STATUS_PARSED) {
    *status = GH_STATUS_EXTRACT_FAILED;
    why = "extractor sent a malformed reply";
  }
  *reason = g_strdup(why ? why : "extraction failed");
  return NULL;
}

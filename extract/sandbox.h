/* The sandbox: the only place hostile bytes are read.
 *
 * A pool of extraction workers, each this program started again under
 * limits (memory, CPU per document, a wall deadline, a seccomp filter, no
 * descriptors but its two pipes: confine.c).  A reader that crashes, hangs
 * or runs away fails that one document with the reason; the caller goes
 * on.  The framing is wire.h's.
 *
 * Two ways in:
 *   - an event loop (the crawler) submits jobs, polls gh_sandbox_pollfds and
 *     calls gh_sandbox_service when they are ready or at gh_sandbox_deadline;
 *   - everything else (parse, reparse, probe) submits record jobs and
 *     waits with gh_sandbox_drain / gh_sandbox_step, or calls the one-document
 *     gh_extract_record.
 *
 * Ownership: a job's body is shared (referenced), never copied, until its
 * callback has run.  A callback's reply is borrowed for the call; a record
 * job's record is the callback's to keep (json_decref).  Callbacks run only
 * inside gh_sandbox_submit*, gh_sandbox_service, gh_sandbox_step or gh_sandbox_drain. */
#ifndef GH_SANDBOX_H
#define GH_SANDBOX_H

#include <jansson.h>

#include "extract.h"

struct pollfd;
struct gh_sandbox;

/* What a work function gets, in the worker: the body, its sniffed format,
 * the limits (with the declared charset) and the caller's arguments. */
struct gh_sandbox_input {
  const char *bytes;
  size_t len;
  enum gh_format format;
  const struct gh_extract_opts *o;
  const json_t *args;  /* a JSON work's: NULL when the caller sent none */
  const guint8 *raw;   /* a bytes work's, as sent (wire.h's fields) */
  size_t raw_len;
};

/* Two kinds of work.  A JSON work takes and returns JSON objects: the
 * tools' and the tests' (a reply per document, where clarity wins).  A
 * bytes work takes and returns buffers in wire.h's fields: the crawl's
 * (a reply per fetched page, where JSON cost a tenth of the CPU).  A work
 * returning NULL ends its worker, and the job fails. */
typedef json_t *(*gh_sandbox_work_fn)(const struct gh_sandbox_input *in);
typedef GByteArray *(*gh_sandbox_bytes_work_fn)(const struct gh_sandbox_input *in);
/* `reply` NULL: the job failed (`failure` says how: a crash, a timeout, an
 * oversized or malformed reply). */
typedef void (*gh_sandbox_done_fn)(void *ud, json_t *reply, const char *failure);
/* How a job failed.  Only what the document itself caused is final: a
 * worker killed from outside (the OOM killer, an operator) or out of time
 * on a busy machine may well pass another attempt. */
enum gh_sandbox_failure {
  GH_POOL_FAILED,  /* a crash, an exit, a malformed or oversized reply */
  GH_POOL_KILLED,  /* SIGKILL from outside */
  GH_POOL_TIMEOUT, /* the wall deadline (killed) */
  GH_POOL_CPU,     /* the CPU cap (SIGXCPU) */
  GH_POOL_MEMORY,  /* out of memory */
};
/* Whether another attempt at the same document may succeed. */
static inline bool
gh_sandbox_failure_transient(enum gh_sandbox_failure f)
{
  return f == GH_POOL_KILLED || f == GH_POOL_TIMEOUT || f == GH_POOL_MEMORY;
}
/* Whether the document hit one of the worker's caps (CPU, wall, memory). */
static inline bool
gh_sandbox_failure_costly(enum gh_sandbox_failure f)
{
  return f == GH_POOL_TIMEOUT || f == GH_POOL_CPU || f == GH_POOL_MEMORY;
}
/* `reply` (len bytes, borrowed for the call) NULL: the job failed.  The
 * reply came from a worker that read hostile bytes: decode it with
 * gh_wire_reader, which checks every field. */
typedef void (*gh_sandbox_bytes_done_fn)(void *ud, const guint8 *reply, size_t len,
                                      const char *failure, enum gh_sandbox_failure how);

struct gh_sandbox_work {
  const char *name;
  gh_sandbox_work_fn fn;          /* a JSON work, or */
  gh_sandbox_bytes_work_fn bytes; /* a bytes work */
};

/* Workers are this program started again with GH_POOL_WORKER_ARG and the
 * work function's name: main() must hand such a command line to
 * gh_sandbox_worker_main before anything else.  The built-in works (the
 * cell stream, the record) are always known; `extra` adds the caller's
 * (NULL-terminated, may be NULL). */
#define GH_POOL_WORKER_ARG "__extract-worker"
#define GH_POOL_WORK_DOC "doc"       /* the cell stream (parse --cells) */
#define GH_POOL_WORK_RECORD "record" /* gh_document_record's record */
int gh_sandbox_worker_main(int argc, char **argv, const struct gh_sandbox_work *extra);

/* `workers` processes (0 = 1), each running the work function `work`,
 * spawned when first needed. */
struct gh_sandbox *gh_sandbox_new(unsigned workers, const struct gh_extract_opts *o, const char *work);
/* A job for a JSON work (`args` may be NULL) ... */
void gh_sandbox_submit(struct gh_sandbox *p, GBytes *body, enum gh_format f,
                    const struct gh_extract_opts *o, const json_t *args, gh_sandbox_done_fn done,
                    void *ud);
/* ... or for a bytes work (`args` may be NULL). */
void gh_sandbox_submit_bytes(struct gh_sandbox *p, GBytes *body, enum gh_format f,
                          const struct gh_extract_opts *o, const GByteArray *args,
                          gh_sandbox_bytes_done_fn done, void *ud);
/* How the pool orders a job among the waiting: `urgent` jobs (a crawl's
 * link discovery, which every host's next requests wait for) go before
 * the rest; and while jobs of other groups (hosts) wait, no group holds
 * more than its share of the workers (workers / groups with work, at
 * least one), so a host of costly documents cannot stall the others.
 * Without waiting rivals a group may use every worker. */
struct gh_sandbox_sched {
  const char *group; /* copied; NULL: a group of its own */
  bool urgent;
};
void gh_sandbox_submit_bytes_sched(struct gh_sandbox *p, GBytes *body, enum gh_format f,
                                const struct gh_extract_opts *o, const GByteArray *args,
                                const struct gh_sandbox_sched *sched, gh_sandbox_bytes_done_fn done,
                                void *ud);
unsigned gh_sandbox_pending(const struct gh_sandbox *p);
unsigned gh_sandbox_pollfds(const struct gh_sandbox *p, struct pollfd *fds, unsigned max);
/* After a poll of gh_sandbox_pollfds' descriptors (`fds`, n, their revents
 * set; NULL: read every busy worker's pipe). */
void gh_sandbox_service(struct gh_sandbox *p, const struct pollfd *fds, unsigned n);
/* The soonest deadline of the jobs in the workers (G_MAXINT64: none), for
 * a caller's poll timeout, without touching the pipes. */
gint64 gh_sandbox_deadline(const struct gh_sandbox *p);
/* Waits (at most a second) for the next thing a worker does, and services
 * it: the blocking callers' loop turn. */
void gh_sandbox_step(struct gh_sandbox *p);
/* Steps until no job is pending. */
void gh_sandbox_drain(struct gh_sandbox *p);
/* Kills workers with jobs (their callbacks never run) and frees. */
void gh_sandbox_free(struct gh_sandbox *p);

/* ---- record jobs, on a pool made with GH_POOL_WORK_RECORD ---- */

/* `record` is always a record (the callback owns it): the document's, or
 * the failure's (gh_document_failed) when the worker died on it. */
typedef void (*gh_record_done_fn)(void *ud, json_t *record);
void gh_sandbox_submit_record(struct gh_sandbox *p, GBytes *body, const struct gh_extract_opts *o,
                           const struct gh_doc_hints *hints, gh_record_done_fn done, void *ud);

/* One document's record, blocking, in a one-worker pool kept for the
 * process (gh_extract_shutdown ends it).  Returns the record (json_decref). */
json_t *gh_extract_record(const char *bytes, size_t len, const struct gh_extract_opts *o,
                          const struct gh_doc_hints *hints);
/* One document's cell stream, the same way: NULL with *status and *reason
 * (g_free) when there is none. */
struct gh_doc *gh_extract_doc(const char *bytes, size_t len, const struct gh_extract_opts *o,
                              enum gh_status *status, char **reason);
void gh_extract_shutdown(void);

/* A reader's result as a reply object ({"status", "reason", "doc"}), and
 * back: the doc, or NULL with *status and *reason when it failed. */
json_t *gh_doc_reply(const struct gh_doc *doc, enum gh_status status, const char *reason);
struct gh_doc *gh_doc_from_reply(const json_t *reply, enum gh_status *status, char **reason);

#endif

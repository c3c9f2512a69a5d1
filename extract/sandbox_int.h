/* What the pool (extract/sandbox.c) and its workers
 * (extract/sandbox_worker.c) share: the worker's fixed descriptors, its
 * exit status for "out of memory", and its CPU lifetime.  Not for anything
 * outside those two files. */
#ifndef GH_SANDBOX_INT_H
#define GH_SANDBOX_INT_H

#include <glib.h>

/* A worker's hard RLIMIT_CPU is this many per-document budgets; the pool
 * retires it at half (checked with the resident size), so the hard limit
 * only stops a reader that lifted its own soft limit. */
#define GH_WORKER_CPU_LIFETIME 50u
/* The worker's ends of its pipes, fixed across the exec. */
#define REQ_FD 3
#define REP_FD 4
/* A worker's exit status when an allocation failed: the pool reports "out
 * of memory" (a busy machine's doing as often as the document's), not a
 * crash or a malformed file. */
#define GH_WORKER_EXIT_NOMEM 75
/* A document's CPU budget grows with its size, up to [limits]
 * extract_cpu_seconds: GH_WORKER_CPU_FLOOR seconds and one more per
 * GH_WORKER_CPU_PER_SECOND bytes.  An 8 KB PDF of nested forms used to get
 * the whole minute; a report's text takes well under a second. */
#define GH_WORKER_CPU_FLOOR 5u
#define GH_WORKER_CPU_PER_SECOND (100u * 1024u)
unsigned gh_worker_cpu_budget(unsigned cap, guint64 len);

#endif

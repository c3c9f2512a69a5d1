/* What the pool (extract/sandbox.c) and its workers
 * (extract/sandbox_worker.c) share: the worker's fixed descriptors, its
 * exit status for "out of memory", and its CPU lifetime.  Not for anything
 * outside those two files. */
#ifndef GH_SANDBOX_INT_H
#define GH_SANDBOX_INT_H

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

#endif

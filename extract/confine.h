/* What an extraction worker may do, whoever started it.  The systemd unit
 * confines the daemon; this confines the readers of hostile files in
 * every setting (a crawl run by hand as root included).  docs/security.md
 * says what a compromised reader can and cannot do. */
#ifndef GH_CONFINE_H
#define GH_CONFINE_H

#include <glib.h>
#include <stdbool.h>

/* Address and thread sanitizers: shadow memory and a runtime of their own,
 * which the address-space cap and the seccomp filter make room for. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GH_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GH_UNDER_SANITIZER 1
#endif
#endif

/* RUNNING_ON_VALGRIND: valgrind's client request, 0 where valgrind's
 * headers are absent. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* Once, in the worker, after start-up and before the first document:
 * working directory "/", no new privileges, every capability dropped
 * (bounding, ambient, effective, permitted, inheritable), a hard
 * RLIMIT_CPU of `cpu_lifetime` seconds (0: none), and a seccomp filter
 * that allows reading files, memory management, signals, time and the
 * two pipes, and kills the process on anything else (sockets, exec,
 * fork, ptrace, writing files…).  Under valgrind the filter is left out
 * (it would apply to valgrind's own calls).  False with *err when the
 * kernel refused a step; the worker then does not serve. */
bool gh_confine_worker(unsigned cpu_lifetime, GError **err);

/* A process started as root (the converter helper, which runs soffice
 * and cannot take the worker's seccomp filter) becomes nobody, groups and
 * all; nothing happens for any other user.  False with *err on failure. */
bool gh_confine_drop_root(GError **err);

/* The environment a worker is started with: nothing of the caller's but
 * the sanitizers' options.  NULL-terminated; g_strfreev. */
char **gh_confine_environ(void);

#endif

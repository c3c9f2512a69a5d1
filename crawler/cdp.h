/* A headless Chromium driven over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: the browser reads commands on its fd 3 and
 * writes replies and events on its fd 4, each a JSON text ended by a NUL).
 *
 * This file knows processes and messages, not crawls: render.c decides
 * what to ask.  Nothing blocks: the caller polls gh_cdp_pollfds with its
 * other descriptors and calls gh_cdp_service; replies and events come
 * back through the two callbacks.  The browser runs in its own process
 * group, so its memory can be measured and the whole of it killed. */
#ifndef GH_CDP_H
#define GH_CDP_H

#include <glib.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct gh_cdp;

/* An event (`params` and `session` borrowed; `session` NULL for the
 * browser's own). */
typedef void (*gh_cdp_event_fn)(void *ud, const char *method, json_t *params,
                                const char *session);
/* The reply to a command sent with `tag` and `step` (`result` or `error`
 * borrowed, one of them NULL).  When the browser dies, no reply comes. */
typedef void (*gh_cdp_reply_fn)(void *ud, guint64 tag, int step, json_t *result, json_t *error);

struct gh_cdp_opts {
  const char *browser;      /* the executable */
  guint64 js_heap_bytes;    /* V8's old space per renderer (--max-old-space-size) */
  bool no_sandbox;          /* the caller found the browser's sandbox unusable */
  bool jitless;             /* W+X memory is denied (MemoryDenyWriteExecute) */
};

/* Starts the browser; NULL with *err when it cannot be. */
struct gh_cdp *gh_cdp_start(const struct gh_cdp_opts *o, gh_cdp_event_fn ev, gh_cdp_reply_fn reply,
                            void *ud, GError **err);
/* Kills the browser's process group, reaps it and removes its profile. */
void gh_cdp_free(struct gh_cdp *b);

/* Queues a command (`params` taken; NULL: none) for the browser or one of
 * its sessions. */
void gh_cdp_send(struct gh_cdp *b, const char *session, const char *method, json_t *params,
                 guint64 tag, int step);
/* The descriptors to poll (at most 2); after the poll, gh_cdp_service with
 * them.  false once the browser is gone (it exited, was killed, or sent
 * what no browser sends). */
unsigned gh_cdp_pollfds(const struct gh_cdp *b, struct pollfd *fds);
bool gh_cdp_service(struct gh_cdp *b, const struct pollfd *fds, unsigned n);
bool gh_cdp_alive(const struct gh_cdp *b);
pid_t gh_cdp_pid(const struct gh_cdp *b);
/* Resident memory of every process of the browser's group, in bytes. */
guint64 gh_cdp_rss(const struct gh_cdp *b);
/* SIGKILL to the whole group; the browser is gone from then on. */
void gh_cdp_kill(struct gh_cdp *b, const char *why);
/* Why the browser is gone (NULL while it is alive). */
const char *gh_cdp_gone_why(const struct gh_cdp *b);

/* `configured` when executable, else the first of Debian's chromium and
 * its usual names found on PATH; g_free, or NULL when there is none. */
char *gh_cdp_find_browser(const char *configured);
/* True when this process may not map writable-executable memory (systemd's
 * MemoryDenyWriteExecute): V8 must then run without its JIT. */
bool gh_cdp_wx_denied(void);

#endif

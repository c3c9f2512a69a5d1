/* libcurl's event-driven interface (curl_multi_socket_action) over epoll,
 * for thousands of connections at once.  curl_multi_perform and
 * curl_multi_poll visit every transfer on every call; with 3,000 hosts
 * that walk was most of the crawler's CPU.  Here curl says which sockets it
 * waits on (CURLMOPT_SOCKETFUNCTION) and when its next timeout is due
 * (CURLMOPT_TIMERFUNCTION), epoll says which are ready, and only those
 * transfers are driven. */
#ifndef GH_EVENTS_H
#define GH_EVENTS_H

#include <curl/curl.h>
#include <glib.h>

struct pollfd;
struct gh_events;

/* Takes over `multi`'s socket and timer callbacks.  NULL with *err when
 * the kernel gives no epoll or eventfd descriptor. */
struct gh_events *gh_events_new(CURLM *multi, GError **err);
void gh_events_free(struct gh_events *ev);
/* From any thread: the next gh_events_wait returns at once. */
void gh_events_wake(void *ev);
/* Waits until a socket curl waits on is ready, one of the caller's `fds`
 * has an event (their revents are set), gh_events_wake is called, curl's
 * timer or `deadline` (monotonic µs; G_MAXINT64: none) is due, and drives
 * curl for what is ready.  At most `max_wait` µs. */
void gh_events_wait(struct gh_events *ev, struct pollfd *fds, unsigned n, gint64 deadline,
                    gint64 max_wait);
/* Runs curl's due timeouts now: after adding transfers, their requests go
 * out without waiting for the next turn. */
void gh_events_kick(struct gh_events *ev);

#endif

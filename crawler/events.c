#include "events.h"

#include <errno.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_EVENTS 512

struct gh_events {
  CURLM *multi;
  int ep;           /* epoll over curl's sockets */
  int wake;         /* eventfd: the committer thread's "a commit ended" */
  gint64 deadline;  /* curl's next timeout, monotonic µs; G_MAXINT64: none */
};

static int
on_socket(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
  (void)e, (void)socketp;
  struct gh_events *ev = userp;
  if(what == CURL_POLL_REMOVE) {
    epoll_ctl(ev->ep, EPOLL_CTL_DEL, s, NULL);
    return 0;
  }
  struct epoll_event ee = { .events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) |
                                      ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u),
                            .data.fd = s };
  if(epoll_ctl(ev->ep, EPOLL_CTL_MOD, s, &ee) != 0 && errno == ENOENT)
    epoll_ctl(ev->ep, EPOLL_CTL_ADD, s, &ee);
  return 0;
}

static int
on_timer(CURLM *m, long ms, void *userp)
{
  (void)m;
  struct gh_events *ev = userp;
  ev->deadline = ms < 0 ? G_MAXINT64 : g_get_monotonic_time() + (gint64)ms * 1000;
  return 0;
}

struct gh_events *
gh_events_new(CURLM *multi, GError **err)
{
  int ep = epoll_create1(EPOLL_CLOEXEC);
  int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if(ep < 0 || wake < 0) {
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "epoll/eventfd: %s",
                g_strerror(errno));
    if(ep >= 0)
      close(ep);
    if(wake >= 0)
      close(wake);
    return NULL;
  }
  struct gh_events *ev = g_new0(struct gh_events, 1);
  ev->multi = multi;
  ev->ep = ep;
  ev->wake = wake;
  ev->deadline = G_MAXINT64;
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, ev);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, ev);
  return ev;
}

void
gh_events_free(struct gh_events *ev)
{
  if(!ev)
    return;
  curl_multi_setopt(ev->multi, CURLMOPT_SOCKETFUNCTION, NULL);
  curl_multi_setopt(ev->multi, CURLMOPT_TIMERFUNCTION, NULL);
  close(ev->ep);
  close(ev->wake);
  g_free(ev);
}

void
gh_events_wake(void *p)
{
  struct gh_events *ev = p;
  uint64_t one = 1;
  /* A full counter (never, at one write per commit) already wakes. */
  ssize_t r = write(ev->wake, &one, sizeof one);
  (void)r;
}

void
gh_events_kick(struct gh_events *ev)
{
  int running;
  if(g_get_monotonic_time() >= ev->deadline) {
    /* curl's timer is one-shot: once fired it stays disarmed until curl
     * sets it again (from inside this very call, if it still wants one).
     * Left armed, a past deadline makes every later wait a poll(…, 0). */
    ev->deadline = G_MAXINT64;
    curl_multi_socket_action(ev->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

void
gh_events_wait(struct gh_events *ev, struct pollfd *fds, unsigned n, gint64 deadline,
               gint64 max_wait)
{
  struct pollfd *all = g_newa(struct pollfd, n + 2);
  all[0] = (struct pollfd){ ev->ep, POLLIN, 0 };
  all[1] = (struct pollfd){ ev->wake, POLLIN, 0 };
  for(unsigned i = 0; i < n; i++) {
    fds[i].revents = 0;
    all[i + 2] = fds[i];
  }
  gint64 now = g_get_monotonic_time();
  gint64 until = MIN(MIN(deadline, ev->deadline), now + max_wait);
  int timeout = until <= now ? 0 : (int)((until - now + 999) / 1000);
  if(poll(all, n + 2, timeout) > 0) {
    for(unsigned i = 0; i < n; i++)
      fds[i].revents = all[i + 2].revents;
    if(all[1].revents) {
      uint64_t count;
      ssize_t r = read(ev->wake, &count, sizeof count);
      (void)r;
    }
  }
  int running;
  if(all[0].revents) {
    struct epoll_event evs[MAX_EVENTS];
    int k = epoll_wait(ev->ep, evs, MAX_EVENTS, 0);
    for(int i = 0; i < k; i++) {
      int flags = ((evs[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                  ((evs[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                  ((evs[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
      curl_multi_socket_action(ev->multi, evs[i].data.fd, flags, &running);
    }
  }
  gh_events_kick(ev);
}

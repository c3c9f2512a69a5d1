/* A long-lived extraction worker: the same isolation as isolate.c (a child
 * process under RLIMIT_AS, a per-document CPU budget and a wall deadline),
 * without a fork per document.
 *
 * A fork per document costs a few milliseconds: copying page tables, then
 * copy-on-write faults as the reader allocates in a heap shaped by the
 * parent.  The crawler extracts hundreds of documents a second, so it keeps
 * one child and sends it documents over a pipe:
 *
 *   request:  "GHRQ", format, max_pdf_pages, max_xml_bytes, charset length,
 *             body length (little-endian integers), charset, body
 *   reply:    length (8 bytes), then {"status", "reason", "doc"} as JSON
 *
 * A crash, a hang past the deadline or an oversized reply kills that
 * worker and fails that one document with the reason; the next document
 * gets a fresh worker.  Workers retire after GH_WORKER_DOCS documents, so a
 * slow leak in a library cannot accumulate. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "extract.h"

#define GH_WORKER_DOCS 500
#define MAGIC 0x51524847u /* "GHRQ" */

struct header {
  guint32 magic, format, max_pdf_pages, charset_len;
  guint64 max_xml_bytes, len;
};

static struct {
  pid_t pid;
  int req, rep; /* parent's ends */
  unsigned served;
} w = { 0, -1, -1, 0 };

static double
now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Blocking full read/write for the child. */
static bool
read_all(int fd, void *buf, size_t n)
{
  for(size_t off = 0; off < n;) {
    ssize_t r = read(fd, (char *)buf + off, n - off);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      return false;
    off += (size_t)r;
  }
  return true;
}

static bool
write_all(int fd, const void *buf, size_t n)
{
  for(size_t off = 0; off < n;) {
    ssize_t r = write(fd, (const char *)buf + off, n - off);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      return false;
    off += (size_t)r;
  }
  return true;
}

G_GNUC_NORETURN static void
worker_main(int req, int rep, const struct gh_extract_opts *o)
{
  /* Memory and core limits for the worker's life; CPU per document below
   * (a hard limit could not be raised again). */
  struct gh_extract_opts life = *o;
  life.cpu_seconds = 0;
  gh_isolate_child_limits(&life);
  for(;;) {
    struct header h;
    if(!read_all(req, &h, sizeof h) || h.magic != MAGIC || h.charset_len > 64 ||
       (o->max_bytes && h.len > o->max_bytes))
      _exit(0); /* the parent closed the pipe (retired us) or spoke nonsense */
    char charset[65] = { 0 };
    char *body = g_malloc(h.len + 1);
    if(!read_all(req, charset, h.charset_len) || !read_all(req, body, h.len))
      _exit(0);
    body[h.len] = '\0';
    /* The CPU budget is per document: the limit moves with the usage. */
    if(o->cpu_seconds) {
      struct rusage ru;
      getrusage(RUSAGE_SELF, &ru);
      rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec);
      struct rlimit cpu = { used + o->cpu_seconds, RLIM_INFINITY };
      setrlimit(RLIMIT_CPU, &cpu);
    }
    struct gh_extract_opts ro = *o;
    ro.max_pdf_pages = h.max_pdf_pages;
    ro.max_xml_bytes = h.max_xml_bytes;
    ro.declared_charset = h.charset_len ? charset : NULL;
    struct gh_doc *doc = gh_doc_new();
    enum gh_status status = GH_STATUS_PARSED;
    GError *err = NULL;
    gh_read_doc(body, h.len, (enum gh_format)h.format, &ro, doc, &status, &err);
    json_t *out = json_pack("{s i s s? s o}", "status", (int)status, "reason",
                            err ? err->message : NULL, "doc", gh_doc_to_json(doc));
    char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
    guint64 n = text ? strlen(text) : 0;
    bool ok = text && write_all(rep, &n, sizeof n) && write_all(rep, text, n);
    free(text);
    json_decref(out);
    g_clear_error(&err);
    gh_doc_free(&doc);
    g_free(body);
    if(!ok)
      _exit(3);
  }
}

static void
reap(bool kill_it, int *ws)
{
  if(w.req >= 0)
    close(w.req);
  if(w.rep >= 0)
    close(w.rep);
  w.req = w.rep = -1;
  if(w.pid > 0) {
    if(kill_it)
      kill(w.pid, SIGKILL);
    int status = 0;
    while(waitpid(w.pid, &status, 0) < 0 && errno == EINTR)
      ;
    if(ws)
      *ws = status;
  }
  w.pid = 0;
  w.served = 0;
}

void
gh_worker_shutdown(void)
{
  reap(false, NULL); /* closing the request pipe ends the worker */
}

static bool
spawn(const struct gh_extract_opts *o, char **reason)
{
  int a[2], b[2];
  if(pipe2(a, O_CLOEXEC) != 0 || pipe2(b, O_CLOEXEC) != 0) {
    *reason = g_strdup_printf("pipe: %s", g_strerror(errno));
    return false;
  }
  /* A worker that dies while we write must not kill us with SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  fflush(NULL);
  pid_t pid = fork();
  if(pid < 0) {
    *reason = g_strdup_printf("fork: %s", g_strerror(errno));
    close(a[0]);
    close(a[1]);
    close(b[0]);
    close(b[1]);
    return false;
  }
  if(pid == 0) {
    close(a[1]);
    close(b[0]);
    worker_main(a[0], b[1], o);
  }
  close(a[0]);
  close(b[1]);
  w.pid = pid;
  w.req = a[1];
  w.rep = b[0];
  w.served = 0;
  /* Non-blocking, so every read and write below honours the deadline. */
  fcntl(w.req, F_SETFL, O_NONBLOCK);
  fcntl(w.rep, F_SETFL, O_NONBLOCK);
  return true;
}

/* Moves n bytes to or from the worker before the deadline.  -1 timeout,
 * 0 the worker went away, 1 done. */
static int
transfer(int fd, bool out, void *buf, size_t n, double deadline)
{
  for(size_t off = 0; off < n;) {
    double left = deadline - now_s();
    if(left <= 0)
      return -1;
    struct pollfd pfd = { fd, out ? POLLOUT : POLLIN, 0 };
    int r = poll(&pfd, 1, (int)(left * 1000) + 1);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      continue;
    ssize_t k = out ? write(fd, (const char *)buf + off, n - off) : read(fd, (char *)buf + off, n - off);
    if(k < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if(k <= 0)
      return 0;
    off += (size_t)k;
  }
  return 1;
}

struct gh_doc *
gh_worker_extract(const char *bytes, size_t len, enum gh_format f, const struct gh_extract_opts *o,
                  enum gh_status *status, char **reason)
{
  *reason = NULL;
  *status = GH_STATUS_EXTRACT_FAILED;
  if(!w.pid && !spawn(o, reason))
    return NULL;
  unsigned wall = o->wall_seconds ? o->wall_seconds : 120;
  double deadline = now_s() + wall;
  const char *cs = o->declared_charset ? o->declared_charset : "";
  struct header h = { MAGIC, (guint32)f, o->max_pdf_pages, (guint32)MIN(strlen(cs), 64),
                      o->max_xml_bytes, len };
  int r = transfer(w.req, true, &h, sizeof h, deadline);
  if(r == 1)
    r = transfer(w.req, true, (void *)cs, h.charset_len, deadline);
  if(r == 1)
    r = transfer(w.req, true, (void *)bytes, len, deadline);
  guint64 n = 0;
  if(r == 1)
    r = transfer(w.rep, false, &n, sizeof n, deadline);
  /* The reply is bounded like isolate.c's: a cell stream is a fraction of
   * its document. */
  size_t cap = len * 8 + (16u << 20);
  char *text = NULL;
  bool overflow = r == 1 && n > cap;
  if(r == 1 && !overflow) {
    text = g_malloc(n + 1);
    r = transfer(w.rep, false, text, n, deadline);
    text[r == 1 ? n : 0] = '\0';
  }
  if(r != 1 || overflow) {
    int ws = 0;
    reap(true, &ws);
    g_free(text);
    if(r < 0)
      *reason = g_strdup_printf("extractor timed out after %u s (killed)", wall);
    else if(overflow)
      *reason = g_strdup("extractor output exceeded its bound (killed)");
    else if(WIFSIGNALED(ws) && WTERMSIG(ws) != SIGKILL)
      *reason = gh_isolate_signal_reason(WTERMSIG(ws));
    else
      *reason = g_strdup("extractor exited unexpectedly");
    return NULL;
  }
  if(++w.served >= GH_WORKER_DOCS)
    gh_worker_shutdown();
  struct gh_doc *doc = gh_isolate_parse_reply(text, n, status, reason);
  g_free(text);
  return doc;
}

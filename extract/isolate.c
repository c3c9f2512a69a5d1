/* Running hostile-file readers where they cannot take the process down.
 *
 * poppler, libxml2, libarchive and gumbo are good libraries, but a crafted
 * file can still crash them, make them loop, or make them allocate until the
 * machine swaps.  So the reader runs in a forked child:
 *
 *   1. the parent creates a pipe and forks;
 *   2. the child closes the read end, caps its address space (RLIMIT_AS),
 *      CPU time (RLIMIT_CPU) and core size, runs the reader, writes the cell
 *      stream as one JSON document to the pipe and _exit()s (no atexit
 *      handlers, no flushing of stdio buffers inherited from the parent);
 *   3. the parent closes the write end (so EOF arrives when the child dies),
 *      reads with a wall-clock deadline, kills the child at the deadline,
 *      reaps it, and turns a signal, a timeout or malformed output into a
 *      failed document with the reason.
 *
 * Only the cell stream crosses the pipe; the report parser runs in the
 * parent.  The child never touches shared state such as an LMDB
 * environment (LMDB forbids using an env after fork). */
#include "extract.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "confine.h" /* GH_UNDER_SANITIZER */

struct reader_ctx {
  const char *bytes;
  size_t len;
  enum gh_format f;
  const struct gh_extract_opts *o;
};

static void
run_reader(void *p, struct gh_doc *doc, enum gh_status *status, GError **err)
{
  const struct reader_ctx *c = p;
  gh_read_doc(c->bytes, c->len, c->f, c->o, doc, status, err);
}

void
gh_isolate_child_limits(const struct gh_extract_opts *o)
{
  struct rlimit core = { 0, 0 };
  setrlimit(RLIMIT_CORE, &core);
  if(o->cpu_seconds) {
    struct rlimit cpu = { o->cpu_seconds, o->cpu_seconds + 1 };
    setrlimit(RLIMIT_CPU, &cpu);
  }
#ifndef GH_UNDER_SANITIZER
  /* Address and thread sanitizers reserve terabytes of address space for their shadow
   * memory, so the cap is only applied in normal builds. */
  if(o->memory_bytes) {
    struct rlimit as = { o->memory_bytes, o->memory_bytes };
    setrlimit(RLIMIT_AS, &as);
  }
#endif
}

static void
child_main(int fd, gh_reader_fn reader, void *ctx, const struct gh_extract_opts *o)
{
  gh_isolate_child_limits(o);
  struct gh_doc *doc = gh_doc_new();
  enum gh_status status = GH_STATUS_PARSED;
  GError *err = NULL;
  reader(ctx, doc, &status, &err);
  json_t *out = gh_doc_reply(doc, status, err);
  /* One buffer, written whole: json_dumpfd would issue a write per token. */
  char *text = out ? json_dumps(out, JSON_COMPACT) : NULL;
  int rc = text ? 0 : 3;
  for(size_t off = 0, n = text ? strlen(text) : 0; text && off < n;) {
    ssize_t w = write(fd, text + off, n - off);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0) {
      rc = 3;
      break;
    }
    off += (size_t)w;
  }
  _exit(rc);
}

static double
now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *
signame(int sig)
{
  switch(sig) {
  case SIGSEGV: return "SIGSEGV";
  case SIGABRT: return "SIGABRT";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGKILL: return "SIGKILL";
  case SIGXCPU: return "SIGXCPU";
  case SIGSYS: return "SIGSYS: a system call its seccomp filter forbids (extract/confine.c)";
  default: return "signal";
  }
}

struct gh_doc *
gh_extract_doc_isolated(const char *bytes, size_t len, enum gh_format f,
                        const struct gh_extract_opts *o, enum gh_status *status, char **reason)
{
  if(o->reuse_worker)
    return gh_worker_extract(bytes, len, f, o, status, reason);
  struct reader_ctx c = { bytes, len, f, o };
  return gh_isolate_run(run_reader, &c, len, o, status, reason);
}

char *
gh_isolate_signal_reason(int sig)
{
  return g_strdup_printf("extractor died of %s (%d)%s", signame(sig), sig,
                         sig == SIGXCPU ? ": CPU time limit"
                         : sig == SIGABRT ? ": aborted, often the memory limit"
                                          : "");
}

json_t *
gh_doc_reply(const struct gh_doc *doc, enum gh_status status, const GError *err)
{
  return json_pack("{s i s s? s o}", "status", (int)status, "reason", err ? err->message : NULL,
                   "doc", gh_doc_to_json(doc));
}

struct gh_doc *
gh_isolate_parse_reply(const char *text, size_t len, enum gh_status *status, char **reason)
{
  json_t *j = json_loadb(text, len, 0, NULL);
  struct gh_doc *doc = gh_doc_from_reply(j, status, reason);
  json_decref(j);
  return doc;
}

struct gh_doc *
gh_doc_from_reply(const json_t *j, enum gh_status *status, char **reason)
{
  json_t *jd = json_object_get(j, "doc");
  struct gh_doc *doc = jd ? gh_doc_from_json(jd) : NULL;
  *status = GH_STATUS_EXTRACT_FAILED;
  if(!doc) {
    *reason = g_strdup("extractor sent a malformed reply");
  } else {
    int st = (int)json_integer_value(json_object_get(j, "status"));
    const char *why = json_string_value(json_object_get(j, "reason"));
    *status = st >= GH_STATUS_PARSED && st <= GH_STATUS_EXTRACT_FAILED ? (enum gh_status)st
                                                                        : GH_STATUS_EXTRACT_FAILED;
    if(*status != GH_STATUS_PARSED) {
      *reason = g_strdup(why ? why : "extraction failed");
      gh_doc_free(&doc);
    }
  }
  return doc;
}

struct gh_doc *
gh_isolate_run(gh_reader_fn reader, void *ctx, size_t input_len,
               const struct gh_extract_opts *o, enum gh_status *status, char **reason)
{
  *reason = NULL;
  *status = GH_STATUS_EXTRACT_FAILED;
  int p[2];
  if(pipe2(p, O_CLOEXEC) != 0) {
    *reason = g_strdup_printf("pipe: %s", g_strerror(errno));
    return NULL;
  }
  fflush(NULL);
  pid_t pid = fork();
  if(pid < 0) {
    *reason = g_strdup_printf("fork: %s", g_strerror(errno));
    close(p[0]);
    close(p[1]);
    return NULL;
  }
  if(pid == 0) {
    close(p[0]);
    child_main(p[1], reader, ctx, o);
  }
  close(p[1]);

  /* The reply is bounded: a cell stream is a fraction of its document, so
   * anything far larger than the input is a runaway child. */
  size_t cap = input_len * 8 + (16u << 20);
  GByteArray *buf = g_byte_array_new();
  double deadline = now_s() + (o->wall_seconds ? o->wall_seconds : 120);
  bool timed_out = false, overflow = false;
  for(;;) {
    double left = deadline - now_s();
    if(left <= 0) {
      timed_out = true;
      break;
    }
    struct pollfd pfd = { p[0], POLLIN, 0 };
    int r = poll(&pfd, 1, (int)(left * 1000) + 1);
    if(r < 0 && errno == EINTR)
      continue;
    if(r <= 0)
      continue;
    guint8 chunk[65536];
    ssize_t n = read(p[0], chunk, sizeof(chunk));
    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0)
      break;
    if(buf->len + (size_t)n > cap) {
      overflow = true;
      break;
    }
    g_byte_array_append(buf, chunk, (guint)n);
  }
  close(p[0]);
  if(timed_out || overflow)
    kill(pid, SIGKILL);
  int ws = 0;
  while(waitpid(pid, &ws, 0) < 0 && errno == EINTR)
    ;

  struct gh_doc *doc = NULL;
  if(timed_out)
    *reason = g_strdup_printf("extractor timed out after %u s (killed)",
                              o->wall_seconds ? o->wall_seconds : 120);
  else if(overflow)
    *reason = g_strdup("extractor output exceeded its bound (killed)");
  else if(WIFSIGNALED(ws))
    *reason = gh_isolate_signal_reason(WTERMSIG(ws));
  else if(!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
    *reason = g_strdup_printf("extractor exited with status %d", WEXITSTATUS(ws));
  else
    doc = gh_isolate_parse_reply((const char *)buf->data, buf->len, status, reason);
  g_byte_array_free(buf, TRUE);
  return doc;
}

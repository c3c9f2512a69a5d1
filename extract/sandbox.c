/* The sandbox (sandbox.h): long-lived extraction workers.
 *
 * poppler, libxml2, libarchive and gumbo are good libraries, but a crafted
 * file can still crash them, make them loop, or make them allocate until
 * the machine swaps.  So every reader runs in a worker: a child process
 * under RLIMIT_AS, a per-document CPU budget, a wall deadline and a
 * seccomp filter (confine.c), fed documents over pipes (wire.h) while the
 * caller goes on.
 *
 * What runs in the worker is the caller's work function: the crawler reads
 * the document, parses its record and finds its links there, so only a
 * small record and a link list come back, never the cell stream; parse
 * and reparse get the record (gh_document_record) the same way.
 *
 * Workers are spawned (posix_spawn of this very program, a hidden
 * subcommand) rather than forked: a fork shares the caller's whole heap
 * copy-on-write, so every page the loop touched afterwards faulted and
 * was copied, and each retirement started that again.  A fresh program
 * also holds none of the crawler's memory (configuration, store pages,
 * queued URLs) for a reader that a crafted file took over to read.  (A
 * fork per document, the first design, cost a few milliseconds each and
 * was a second engine to keep equal to this one; it is gone.)
 *
 * A crash, a hang past the deadline or an oversized reply kills that
 * worker and fails that one document with the reason; the next document
 * gets a fresh worker.  A worker is replaced when its resident memory
 * passes GH_WORKER_RSS (a leak in a library, or a heap that a huge PDF left
 * grown and glibc keeps), checked every GH_WORKER_RSS_EVERY documents, and
 * after GH_WORKER_DOCS documents in any case.  Starting one costs ~40 ms of
 * CPU (loading poppler and its ~90 libraries), so not more often. */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_int.h"

#include "confine.h"
#include "convert.h"
#include "htmlwalk.h"
#include "wire.h"

/* Under valgrind (RUNNING_ON_VALGRIND, from confine.h), /proc/self/exe is
 * valgrind's own tool, not this program: the valgrind memcheck test spawns
 * the client's path instead. */

#define GH_WORKER_DOCS 10000
#define GH_WORKER_RSS ((guint64)256 << 20)
#define GH_WORKER_RSS_EVERY 16
#define USEC 1000000
/* A worker's reply buffer starts at 64 KiB (most replies arrive whole in
 * the first read) and is kept for its next job up to this size: allocating
 * and freeing 64 KiB per page made glibc consolidate its heap each time. */
#define REPLY_KEEP ((size_t)1 << 20)

extern char **environ;

struct job {
  GBytes *head; /* header, charset and arguments */
  GBytes *body; /* the caller's, shared: sent after head without a copy */
  size_t total; /* bytes of head and body */
  size_t input_len;
  unsigned wall;
  gh_sandbox_done_fn done;             /* a JSON work's, or */
  gh_sandbox_bytes_done_fn bytes_done; /* a bytes work's */
  void *ud;
  char *group; /* gh_sandbox_sched's */
  bool urgent;
};

struct worker {
  pid_t pid;
  int req, rep; /* our ends, non-blocking */
  unsigned served;
  struct job *job; /* NULL: idle */
  size_t sent; /* of head and body */
  guint64 reply_len;
  size_t got; /* of the reply, its 8-byte length included */
  char *reply; /* kept from job to job (reply_cap bytes): see service_one */
  size_t reply_cap;
  gint64 deadline; /* monotonic µs */
};

struct gh_sandbox {
  struct gh_extract_opts o; /* limits for every worker's life */
  char *work;               /* the work function's name, for the worker */
  unsigned n;
  struct worker *w;
  GQueue waiting; /* struct job * */
  GArray *retired; /* pids of retired workers not yet reaped */
};

/* ---- the parent ---- */

struct gh_sandbox *
gh_sandbox_new(unsigned workers, const struct gh_extract_opts *o, const char *work)
{
  struct gh_sandbox *p = g_new0(struct gh_sandbox, 1);
  p->work = g_strdup(work);
  p->o = *o;
  p->o.declared_charset = NULL;
  p->n = workers ? workers : 1;
  p->w = g_new0(struct worker, p->n);
  for(unsigned i = 0; i < p->n; i++)
    p->w[i].req = p->w[i].rep = -1;
  g_queue_init(&p->waiting);
  p->retired = g_array_new(FALSE, FALSE, sizeof(pid_t));
  return p;
}

static void
job_free(struct job *j)
{
  g_bytes_unref(j->head);
  g_bytes_unref(j->body);
  g_free(j->group);
  g_free(j);
}

/* Ends a worker: `kill_it` for a hung or misbehaving one, waiting for its
 * status (the reason of the failure); otherwise closing its request pipe
 * lets it exit by itself, and it is reaped later (retired): tearing down a
 * process with poppler mapped takes milliseconds the loop should not
 * wait. */
static int
reap(struct gh_sandbox *p, struct worker *w, bool kill_it)
{
  if(w->req >= 0)
    close(w->req);
  if(w->rep >= 0)
    close(w->rep);
  w->req = w->rep = -1;
  int status = 0;
  if(w->pid > 0 && kill_it) {
    kill(w->pid, SIGKILL);
    while(waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
      ;
  } else if(w->pid > 0) {
    g_array_append_val(p->retired, w->pid);
  }
  w->pid = 0;
  w->served = 0;
  g_clear_pointer(&w->reply, g_free);
  w->reply_cap = 0;
  return status;
}

/* A pipe end moved to a descriptor above the worker's fixed ones, so the
 * spawn's dup2s cannot overwrite one with the other. */
static int
lift(int fd)
{
  int high = fcntl(fd, F_DUPFD_CLOEXEC, REP_FD + 1);
  close(fd);
  return high;
}

static bool
spawn(struct gh_sandbox *p, struct worker *w, char **reason)
{
  int a[2], b[2];
  if(pipe2(a, O_CLOEXEC) != 0) {
    *reason = g_strdup_printf("pipe: %s", g_strerror(errno));
    return false;
  }
  if(pipe2(b, O_CLOEXEC) != 0) {
    *reason = g_strdup_printf("pipe: %s", g_strerror(errno));
    close(a[0]);
    close(a[1]);
    return false;
  }
  a[0] = lift(a[0]);
  b[1] = lift(b[1]);
  /* A worker that dies while we write must not kill us with SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  char max_bytes[24], memory[24], cpu[24], depth[24];
  g_snprintf(max_bytes, sizeof max_bytes, "%" G_GUINT64_FORMAT, (guint64)p->o.max_bytes);
  g_snprintf(memory, sizeof memory, "%" G_GUINT64_FORMAT, (guint64)p->o.memory_bytes);
  g_snprintf(cpu, sizeof cpu, "%u", p->o.cpu_seconds);
  g_snprintf(depth, sizeof depth, "%u", gh_html_max_depth());
  char *argv[] = { "govharvest", GH_POOL_WORKER_ARG, p->work, max_bytes, memory, cpu, depth, NULL };
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, a[0], REQ_FD);
  posix_spawn_file_actions_adddup2(&fa, b[1], REP_FD);
  posix_spawn_file_actions_addclosefrom_np(&fa, REP_FD + 1);
  /* Default dispositions and an empty mask: the daemon's blocked or
   * ignored signals are not the worker's. */
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  /* /proc/self/exe is this very program even after an upgrade replaced
   * its file, so a worker always speaks this crawler's protocol. */
  char *exe = RUNNING_ON_VALGRIND ? g_file_read_link("/proc/self/exe", NULL) : NULL;
  char **env = gh_confine_environ(); /* nothing of the caller's environment */
  pid_t pid;
  int rc = a[0] < 0 || b[1] < 0
             ? EMFILE
             : posix_spawn(&pid, exe ? exe : "/proc/self/exe", &fa, &at, argv, env);
  g_free(exe);
  g_strfreev(env);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(a[0]);
  close(b[1]);
  if(rc != 0) {
    *reason = g_strdup_printf("starting an extraction worker: %s", g_strerror(rc));
    close(a[1]);
    close(b[0]);
    return false;
  }
  w->pid = pid;
  w->req = a[1];
  w->rep = b[0];
  w->served = 0;
  fcntl(w->req, F_SETFL, O_NONBLOCK);
  fcntl(w->rep, F_SETFL, O_NONBLOCK);
  return true;
}

/* The job's callback, with the reply (NULL with `failure`): decoded here
 * for a JSON work, as bytes for a bytes work. */
static void
job_done(struct job *j, const guint8 *reply, size_t len, const char *failure,
         enum gh_sandbox_failure how)
{
  if(j->bytes_done) {
    j->bytes_done(j->ud, reply, len, failure, how);
    return;
  }
  json_t *jr = reply ? json_loadb((const char *)reply, len, 0, NULL) : NULL;
  j->done(j->ud, jr, reply && !jr ? "extractor sent a malformed reply" : failure);
  json_decref(jr);
}

/* Ends the worker's job; `reply` (NULL on failure) is w->reply's text. */
static void
complete(struct worker *w, const guint8 *reply, size_t len, char *failure,
         enum gh_sandbox_failure how)
{
  struct job *j = w->job;
  w->job = NULL;
  w->sent = w->got = 0;
  w->reply_len = 0;
  job_done(j, reply, len, failure, how);
  if(w->reply_cap > REPLY_KEEP) { /* a big reply's buffer is not kept */
    g_clear_pointer(&w->reply, g_free);
    w->reply_cap = 0;
  }
  g_free(failure);
  job_free(j);
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

static char *
signal_reason(int sig)
{
  return g_strdup_printf("extractor died of %s (%d)%s", signame(sig), sig,
                         sig == SIGXCPU ? ": CPU time limit"
                         : sig == SIGABRT ? ": aborted, often the memory limit"
                                          : "");
}

static void
fail(struct gh_sandbox *p, struct worker *w, bool timed_out, bool overflow)
{
  int ws = reap(p, w, true);
  char *reason;
  enum gh_sandbox_failure how = GH_POOL_FAILED;
  if(timed_out) {
    reason = g_strdup_printf("extractor timed out after %u s (killed)", w->job->wall);
    how = GH_POOL_TIMEOUT;
  } else if(overflow) {
    reason = g_strdup("extractor output exceeded its bound (killed)");
  } else if(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL) {
    /* Its pipe broke first, so the SIGKILL reap() sent found it dying or
     * dead: the kill was someone else's (a dying process keeps its own
     * status). */
    reason = g_strdup("extractor killed by SIGKILL from outside (the OOM killer?)");
    how = GH_POOL_KILLED;
  } else if(WIFSIGNALED(ws)) {
    reason = signal_reason(WTERMSIG(ws));
    how = WTERMSIG(ws) == SIGXCPU ? GH_POOL_CPU : GH_POOL_FAILED;
  } else if(WIFEXITED(ws) && WEXITSTATUS(ws) == GH_WORKER_EXIT_NOMEM) {
    reason = g_strdup("extractor ran out of memory ([limits] extract_memory)");
    how = GH_POOL_MEMORY;
  } else {
    reason = g_strdup("extractor exited unexpectedly");
  }
  complete(w, NULL, 0, reason, how);
}

static void service(struct gh_sandbox *p, const struct pollfd *fds, unsigned n, bool read_any);

static void
submit(struct gh_sandbox *p, GBytes *body, enum gh_format f, const struct gh_extract_opts *o,
       const void *args, size_t alen, struct job *j)
{
  const char *cs = o->declared_charset ? o->declared_charset : "";
  size_t len = g_bytes_get_size(body);
  struct gh_wire_request h = { GH_WIRE_MAGIC, (guint32)f, o->max_pdf_pages, (guint32)MIN(strlen(cs), GH_WIRE_MAX_CHARSET), alen,
                      o->max_xml_bytes, len };
  GByteArray *head = g_byte_array_sized_new((guint)(sizeof h + h.charset_len + alen));
  g_byte_array_append(head, (const guint8 *)&h, sizeof h);
  g_byte_array_append(head, (const guint8 *)cs, h.charset_len);
  if(alen)
    g_byte_array_append(head, args, (guint)alen);
  j->head = g_byte_array_free_to_bytes(head);
  j->body = g_bytes_ref(body);
  j->total = g_bytes_get_size(j->head) + len;
  j->input_len = len;
  j->wall = o->wall_seconds ? o->wall_seconds : 120;
  g_queue_push_tail(&p->waiting, j);
  service(p, NULL, 0, true); /* an idle worker starts on it now */
}

void
gh_sandbox_submit(struct gh_sandbox *p, GBytes *body, enum gh_format f, const struct gh_extract_opts *o,
               const json_t *args, gh_sandbox_done_fn done, void *ud)
{
  char *jargs = args ? json_dumps(args, JSON_COMPACT) : NULL;
  struct job *j = g_new0(struct job, 1);
  j->done = done;
  j->ud = ud;
  submit(p, body, f, o, jargs, jargs ? strlen(jargs) : 0, j);
  free(jargs);
}

void
gh_sandbox_submit_bytes(struct gh_sandbox *p, GBytes *body, enum gh_format f,
                     const struct gh_extract_opts *o, const GByteArray *args,
                     gh_sandbox_bytes_done_fn done, void *ud)
{
  gh_sandbox_submit_bytes_sched(p, body, f, o, args, NULL, done, ud);
}

void
gh_sandbox_submit_bytes_sched(struct gh_sandbox *p, GBytes *body, enum gh_format f,
                           const struct gh_extract_opts *o, const GByteArray *args,
                           const struct gh_sandbox_sched *sched, gh_sandbox_bytes_done_fn done,
                           void *ud)
{
  struct job *j = g_new0(struct job, 1);
  j->bytes_done = done;
  j->ud = ud;
  if(sched) {
    j->group = g_strdup(sched->group);
    j->urgent = sched->urgent;
  }
  submit(p, body, f, o, args ? args->data : NULL, args ? args->len : 0, j);
}

unsigned
gh_sandbox_pending(const struct gh_sandbox *p)
{
  unsigned n = p->waiting.length;
  for(unsigned i = 0; i < p->n; i++)
    n += p->w[i].job != NULL;
  return n;
}

unsigned
gh_sandbox_pollfds(const struct gh_sandbox *p, struct pollfd *fds, unsigned max)
{
  unsigned k = 0;
  for(unsigned i = 0; i < p->n && k < max; i++) {
    const struct worker *w = &p->w[i];
    if(!w->job)
      continue;
    bool sending = w->sent < w->job->total;
    fds[k].fd = sending ? w->req : w->rep;
    fds[k].events = sending ? POLLOUT : POLLIN;
    fds[k].revents = 0;
    k++;
  }
  return k;
}

/* Writes what is left of the request, head then body, without blocking:
 * gh_wire_pumpv()'s result. */
static int
send_request(struct worker *w)
{
  gsize hn, bn;
  const void *head = g_bytes_get_data(w->job->head, &hn);
  const void *body = g_bytes_get_data(w->job->body, &bn);
  /* Header and body from their own buffers in one writev: a small page's
   * whole request is one system call. */
  struct iovec iov[2] = { { (void *)head, hn }, { (void *)body, bn } };
  return gh_wire_pumpv(w->req, true, iov, 2, &w->sent);
}

/* Moves one worker's job as far as it goes without blocking: the request
 * out, then the reply (an 8-byte length, then the text), read in as few
 * calls as the pipe allows. */
static void
service_one(struct gh_sandbox *p, struct worker *w, bool may_read)
{
  bool writing = w->sent < w->job->total;
  int r = send_request(w);
  if(r != 1) {
    if(r == 0)
      fail(p, w, false, false);
    return;
  }
  /* Just handed over, or its pipe not readable by the caller's poll: the
   * reply cannot be there yet, and a read would only say EAGAIN (which
   * was two wasted system calls per page in a crawl). */
  if(writing || !may_read)
    return;
  const size_t head = sizeof w->reply_len;
  for(;;) {
    /* Until the length is known, one read into a 64 KiB start buffer: most
     * replies arrive whole in it (a loop reading to the buffer's end would
     * spend a second call to learn that nothing more is there). */
    bool have_len = w->got >= head;
    size_t want = have_len ? head + w->reply_len : 65536;
    if(w->reply_cap < want) {
      w->reply = g_realloc(w->reply, want);
      w->reply_cap = want;
    }
    if(have_len) {
      r = gh_wire_pump(w->rep, false, w->reply, want, &w->got);
      if(r == 1)
        break;
      if(r == 0) /* closed or failed before the whole reply */
        fail(p, w, false, false);
      return; /* or: would block, more later */
    }
    ssize_t k = read(w->rep, w->reply + w->got, want - w->got);
    if(k < 0 && errno == EINTR)
      continue;
    if(k < 0 && errno == EAGAIN)
      return;
    if(k <= 0) {
      fail(p, w, false, false);
      return;
    }
    w->got += (size_t)k;
    if(w->got < head)
      continue;
    memcpy(&w->reply_len, w->reply, head); /* the length just arrived */
    /* A worker answers once per request, so bytes past the reply are
     * nonsense. */
    bool runaway = w->reply_len > gh_wire_reply_cap(w->job->input_len);
    if(runaway || w->got > head + w->reply_len) {
      fail(p, w, false, runaway);
      return;
    }
    if(w->got == head + w->reply_len)
      break;
    /* read on up to the reply's end */
  }
  w->served++;
  complete(w, (const guint8 *)w->reply + head, (size_t)w->reply_len, NULL, GH_POOL_FAILED);
}

/* /proc/PID/NAME into buf (NUL-terminated); false when it cannot be read. */
static bool
read_proc(pid_t pid, const char *name, char *buf, size_t size)
{
  char path[64];
  g_snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read(fd, buf, size - 1) : -1;
  if(fd >= 0)
    close(fd);
  if(n <= 0)
    return false;
  buf[n] = '\0';
  return true;
}

/* The worker's resident set (0 when it cannot be read). */
static guint64
resident_bytes(pid_t pid)
{
  char text[128];
  guint64 pages = 0;
  if(read_proc(pid, "statm", text, sizeof text))
    sscanf(text, "%*u %" G_GUINT64_FORMAT, &pages);
  return pages * (guint64)sysconf(_SC_PAGESIZE);
}

/* CPU seconds a process has used (utime + stime of /proc/PID/stat). */
static guint64
cpu_used(pid_t pid)
{
  char text[1024];
  if(!read_proc(pid, "stat", text, sizeof text))
    return 0;
  const char *p = strrchr(text, ')'); /* the command name may hold spaces */
  unsigned long long ut = 0, stime = 0;
  if(!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &stime) != 2)
    return 0;
  return (guint64)((ut + stime) / (unsigned long long)sysconf(_SC_CLK_TCK));
}

static bool
worn_out(const struct gh_sandbox *p, const struct worker *w)
{
  if(w->served >= GH_WORKER_DOCS)
    return true;
  if(!w->served || w->served % GH_WORKER_RSS_EVERY)
    return false;
  return resident_bytes(w->pid) > GH_WORKER_RSS ||
         (p->o.cpu_seconds && cpu_used(w->pid) > p->o.cpu_seconds * GH_WORKER_CPU_LIFETIME / 2);
}

/* Workers busy with a job of `group` (a NULL group is never shared). */
static unsigned
running(const struct gh_sandbox *p, const char *group)
{
  unsigned n = 0;
  for(unsigned i = 0; group && i < p->n; i++)
    n += p->w[i].job && !g_strcmp0(p->w[i].job->group, group);
  return n;
}

/* The waiting job to start next (gh_sandbox_sched): the first urgent one,
 * else the first, whose group is under its share of the workers; when
 * every waiting job's group is at its share, the first urgent or first. */
static struct job *
next_job(struct gh_sandbox *p)
{
  if(p->waiting.length <= 1)
    return g_queue_pop_head(&p->waiting);
  GHashTable *groups = g_hash_table_new(g_str_hash, g_str_equal);
  unsigned solo = 0;
  for(unsigned i = 0; i < p->n; i++)
    if(p->w[i].job && p->w[i].job->group)
      g_hash_table_add(groups, p->w[i].job->group);
  for(GList *l = p->waiting.head; l; l = l->next) {
    const struct job *j = l->data;
    if(j->group)
      g_hash_table_add(groups, j->group);
    else
      solo++;
  }
  unsigned share = MAX(1u, p->n / MAX(1u, g_hash_table_size(groups) + solo));
  g_hash_table_destroy(groups);
  GList *pick = NULL, *first_urgent = NULL;
  for(int pass = 0; pass < 2 && !pick; pass++)
    for(GList *l = p->waiting.head; l && !pick; l = l->next) {
      const struct job *j = l->data;
      if(j->urgent != (pass == 0))
        continue;
      if(pass == 0 && !first_urgent)
        first_urgent = l;
      if(running(p, j->group) < share)
        pick = l;
    }
  if(!pick)
    pick = first_urgent ? first_urgent : p->waiting.head;
  struct job *j = pick->data;
  g_queue_delete_link(&p->waiting, pick);
  return j;
}

/* Gives an idle worker the next waiting job (spawning it if needed).
 * False when nothing could be started. */
static bool
take_job(struct gh_sandbox *p, struct worker *w)
{
  while(!w->job && p->waiting.length) {
    if(w->pid && worn_out(p, w))
      reap(p, w, false); /* retired: a fresh one below */
    char *reason = NULL;
    if(!w->pid && !spawn(p, w, &reason)) {
      struct job *j = next_job(p);
      job_done(j, NULL, 0, reason, GH_POOL_FAILED);
      g_free(reason);
      job_free(j);
      continue;
    }
    w->job = next_job(p);
    w->deadline = g_get_monotonic_time() + (gint64)w->job->wall * USEC;
  }
  return w->job != NULL;
}

/* Whether the caller's poll says the reply pipe `fd` may be read: yes
 * when it was not polled (the caller polls what gh_sandbox_pollfds gave,
 * which may be fewer, or older than the worker's job). */
static bool
may_read(const struct pollfd *fds, unsigned n, int fd)
{
  if(!fds)
    return true;
  for(unsigned i = 0; i < n; i++)
    if(fds[i].fd == fd)
      return fds[i].revents & (POLLIN | POLLHUP | POLLERR);
  return true;
}

/* Hands waiting jobs to idle workers and moves every job on; reads
 * replies only with `read_any`, and then those may_read allows. */
static void
service(struct gh_sandbox *p, const struct pollfd *fds, unsigned n, bool read_any)
{
  for(guint i = 0; i < p->retired->len;) /* reap the retired that have exited */
    if(waitpid(g_array_index(p->retired, pid_t, i), NULL, WNOHANG) != 0)
      g_array_remove_index_fast(p->retired, i);
    else
      i++;
  for(unsigned i = 0; i < p->n; i++) {
    struct worker *w = &p->w[i];
    /* A worker that finishes a job takes the next one at once. */
    while(take_job(p, w)) {
      service_one(p, w, read_any && may_read(fds, n, w->rep));
      if(w->job && g_get_monotonic_time() >= w->deadline)
        fail(p, w, true, false);
      if(w->job)
        break;
    }
  }
}

void
gh_sandbox_service(struct gh_sandbox *p, const struct pollfd *fds, unsigned n)
{
  service(p, fds, n, true);
}

gint64
gh_sandbox_deadline(const struct gh_sandbox *p)
{
  gint64 soonest = G_MAXINT64;
  for(unsigned i = 0; i < p->n; i++)
    if(p->w[i].job)
      soonest = MIN(soonest, p->w[i].deadline);
  return soonest;
}

void
gh_sandbox_free(struct gh_sandbox *p)
{
  if(!p)
    return;
  for(unsigned i = 0; i < p->n; i++) {
    if(p->w[i].job) { /* abandoned: its caller is going away */
      job_free(p->w[i].job);
      p->w[i].job = NULL;
      reap(p, &p->w[i], true);
    } else {
      reap(p, &p->w[i], false);
    }
  }
  struct job *j;
  while((j = g_queue_pop_head(&p->waiting)))
    job_free(j);
  g_free(p->w);
  for(guint i = 0; i < p->retired->len; i++)
    while(waitpid(g_array_index(p->retired, pid_t, i), NULL, 0) < 0 && errno == EINTR)
      ;
  g_array_free(p->retired, TRUE);
  g_free(p->work);
  g_free(p);
}


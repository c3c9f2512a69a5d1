/* An extraction worker's side of the pool (extract/sandbox.h): the
 * process the pool starts (this program again, gh_sandbox_worker_main),
 * confined, reading requests from its pipe and answering each with the
 * work's reply, until the pool closes the pipe.  The pool's side is
 * extract/sandbox.c. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "confine.h"
#include "convert.h"
#include "htmlwalk.h"
#include "sandbox.h"
#include "sandbox_int.h"
#include "wire.h"

/* ---- the child ---- */

/* libxml2's errors go here, never to the worker's stderr: the parsers read
 * them back with xmlGetLastError.  Running out of memory ends the worker
 * with GH_WORKER_EXIT_NOMEM, which the pool reports as such. */
#if LIBXML_VERSION >= 21200
static void
xml_error(void *ud, const xmlError *e)
#else
static void
xml_error(void *ud, xmlError *e)
#endif
{
  (void)ud;
  if(e && e->code == XML_ERR_NO_MEMORY)
    _exit(GH_WORKER_EXIT_NOMEM);
}

/* GLib's allocation failure (g_error "failed to allocate N bytes", fatal):
 * an exit that says so instead of an abort that looks like a crash. */
static void
glib_fatal(const char *domain, GLogLevelFlags level, const char *msg, void *ud)
{
  (void)domain, (void)level, (void)ud;
  if(msg && strstr(msg, "failed to allocate"))
    _exit(GH_WORKER_EXIT_NOMEM);
  g_log_default_handler(domain, level, msg, NULL);
}

static void
child_limits(const struct gh_extract_opts *o)
{
  struct rlimit core = { 0, 0 };
  setrlimit(RLIMIT_CORE, &core);
  if(o->cpu_seconds) {
    struct rlimit cpu = { o->cpu_seconds, o->cpu_seconds + 1 };
    setrlimit(RLIMIT_CPU, &cpu);
  }
#ifndef GH_UNDER_SANITIZER
  /* Address and thread sanitizers reserve terabytes of address space for
   * their shadow memory, so the cap is only applied in normal builds. */
  if(o->memory_bytes) {
    struct rlimit as = { o->memory_bytes, o->memory_bytes };
    setrlimit(RLIMIT_AS, &as);
  }
#endif
}

unsigned
gh_worker_cpu_budget(unsigned cap, guint64 len)
{
  /* Under valgrind everything runs tens of times slower, under the
   * sanitizers several times: the cap alone. */
#ifdef GH_UNDER_SANITIZER
  (void)len;
  return cap;
#else
  if(RUNNING_ON_VALGRIND)
    return cap;
#endif
  guint64 scaled = GH_WORKER_CPU_FLOOR + len / GH_WORKER_CPU_PER_SECOND;
  return (unsigned)MIN((guint64)cap, scaled);
}

G_GNUC_NORETURN static void
worker_loop(int req, int rep, const struct gh_extract_opts *o, const struct gh_sandbox_work *work)
{
  /* Memory and core limits for the worker's life; CPU per document below
   * (a hard limit could not be raised again). */
  struct gh_extract_opts life = *o;
  life.cpu_seconds = 0;
  child_limits(&life);
  for(;;) {
    struct gh_wire_request h;
    if(!gh_wire_pump_all(req, false, &h, sizeof h) || h.magic != GH_WIRE_MAGIC || h.charset_len > GH_WIRE_MAX_CHARSET ||
       h.args_len > GH_WIRE_MAX_ARGS || (o->max_bytes && h.len > o->max_bytes))
      _exit(0); /* the parent closed the pipe (retired us) or spoke nonsense */
    /* Charset, arguments and body follow the header back to back: one
     * read for all three (each system call costs here). */
    size_t rest_len = (size_t)(h.charset_len + h.args_len + h.len);
    char *rest = g_malloc(rest_len + 1);
    if(!gh_wire_pump_all(req, false, rest, rest_len))
      _exit(0);
    char charset[65] = { 0 };
    memcpy(charset, rest, h.charset_len);
    const char *args = rest + h.charset_len;
    char *body = rest + h.charset_len + h.args_len;
    body[h.len] = '\0';
    if(o->cpu_seconds) { /* the CPU budget moves with the usage, under the hard lifetime cap */
      struct rusage ru;
      getrusage(RUSAGE_SELF, &ru);
      rlim_t used = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec);
      struct rlimit cpu;
      getrlimit(RLIMIT_CPU, &cpu);
      cpu.rlim_cur = MIN(used + gh_worker_cpu_budget(o->cpu_seconds, h.len), cpu.rlim_max);
      setrlimit(RLIMIT_CPU, &cpu);
    }
    struct gh_extract_opts ro = *o;
    ro.max_pdf_pages = h.max_pdf_pages;
    ro.max_xml_bytes = h.max_xml_bytes;
    ro.declared_charset = h.charset_len ? charset : NULL;
    struct gh_sandbox_input in = { body, h.len, (enum gh_format)h.format, &ro, NULL,
                                (const guint8 *)args, h.args_len };
    char *text = NULL;
    guint64 n = 0;
    GByteArray *out = NULL;
    if(work->bytes) {
      out = work->bytes(&in);
      n = out ? out->len : 0;
    } else {
      json_t *jargs = h.args_len ? json_loadb(args, h.args_len, 0, NULL) : NULL;
      in.args = jargs;
      json_t *jout = work->fn(&in);
      text = jout ? json_dumps(jout, JSON_COMPACT) : NULL;
      n = text ? strlen(text) : 0;
      json_decref(jout);
      json_decref(jargs);
    }
    /* Length and reply in one writev: each system call costs here. */
    struct iovec iov[2] = { { &n, sizeof n }, { out ? (void *)out->data : text, n } };
    size_t off = 0;
    bool ok = (out || text) && gh_wire_pumpv(rep, true, iov, 2, &off) == 1;
    free(text);
    if(out)
      g_byte_array_unref(out);
    g_free(rest);
    if(!ok)
      _exit(3);
  }
}

static json_t *
work_doc(const struct gh_sandbox_input *in)
{
  enum gh_status status;
  char *reason = NULL;
  struct gh_doc *doc = gh_document_cells(in->bytes, in->len, in->format, in->o, NULL, &status,
                                         &reason);
  json_t *out = gh_doc_reply(doc, status, reason);
  gh_cells_free(&doc);
  g_free(reason);
  return out;
}

static const char *
arg(const json_t *args, const char *key)
{
  return json_string_value(json_object_get(args, key));
}

/* {"record": …}: the document's whole record. */
static json_t *
work_record(const struct gh_sandbox_input *in)
{
  struct gh_doc_hints hints = { arg(in->args, "link_text"), arg(in->args, "file_title") };
  struct gh_record rec;
  gh_record_init(&rec);
  gh_document_record(in->bytes, in->len, in->format, arg(in->args, "sha256"), in->o, &hints, NULL,
                     &rec);
  json_t *out = json_pack("{s o}", "record", gh_record_to_json(&rec));
  gh_record_clear(&rec);
  return out;
}

static const struct gh_sandbox_work builtin_works[] = {
  { GH_POOL_WORK_DOC, work_doc, NULL },
  { GH_POOL_WORK_RECORD, work_record, NULL },
  { NULL, NULL, NULL },
};

static bool
parse_u64(const char *s, guint64 *v)
{
  return s && g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, v, NULL);
}

int
gh_sandbox_worker_main(int argc, char **argv, const struct gh_sandbox_work *extra)
{
  /* argv: program, GH_POOL_WORKER_ARG, work, max_bytes, memory_bytes,
   * cpu_seconds, max_html_depth */
  guint64 max_bytes, memory, cpu, depth;
  const struct gh_sandbox_work *work = NULL;
  for(const struct gh_sandbox_work *w = builtin_works; argc == 7 && !work && w->name; w++)
    if(!strcmp(w->name, argv[2]))
      work = w;
  for(const struct gh_sandbox_work *w = extra; argc == 7 && !work && w && w->name; w++)
    if(!strcmp(w->name, argv[2]))
      work = w;
  struct stat a, b;
  if(!work || !parse_u64(argv[3], &max_bytes) || !parse_u64(argv[4], &memory) ||
     !parse_u64(argv[5], &cpu) || !parse_u64(argv[6], &depth) || fstat(REQ_FD, &a) || fstat(REP_FD, &b) || !S_ISFIFO(a.st_mode) ||
     !S_ISFIFO(b.st_mode)) {
    fprintf(stderr, "%s: an extraction worker is started by the crawler, not by hand\n",
            argv[0]);
    return 2;
  }
  /* Nothing but the two pipes: a reader that a crafted file took over
   * finds no store, socket or lock to write through.  (The spawn closed
   * them already; this also covers descriptors opened since by library
   * constructors.) */
  closefrom(REP_FD + 1);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "gh-extract"); /* in top and ps, not "exe" */
  /* Below the crawler's event loop: the loop's turn decides when the next
   * requests go out, a worker's only when a reply is ready.  Idle CPU is
   * still all the workers'. */
  setpriority(PRIO_PROCESS, 0, 10);
  gh_html_set_max_depth((unsigned)MIN(depth, G_MAXUINT));
  /* Before the filter, which forbids the fork (convert.h says why). */
  gh_convert_helper_start(memory, (unsigned)MIN(cpu, G_MAXUINT));
  xmlSetStructuredErrorFunc(NULL, xml_error);
  g_log_set_handler("GLib", G_LOG_LEVEL_ERROR | G_LOG_FLAG_FATAL, glib_fatal, NULL);
  GError *err = NULL;
  if(!gh_confine_worker((unsigned)MIN(cpu * GH_WORKER_CPU_LIFETIME, G_MAXUINT), &err)) {
    /* Never serve unconfined: the pool reports the worker's death. */
    fprintf(stderr, "govharvest: %s\n", err->message);
    _exit(4);
  }
  struct gh_extract_opts o;
  gh_extract_opts_init(&o);
  o.max_bytes = (size_t)max_bytes;
  o.memory_bytes = memory;
  o.cpu_seconds = (unsigned)cpu;
  worker_loop(REQ_FD, REP_FD, &o, work);
}


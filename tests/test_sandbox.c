/* The sandbox (extract/sandbox.c): a reader that crashes, aborts, hangs,
 * burns CPU, floods its reply or tries to escape must become one failed
 * document with the reason, and the calling process must carry on.  Real
 * readers are exercised by the golden tests (through this same sandbox);
 * here the faults are made on purpose so every path is certain to run.
 *
 * The workers are this test program started again: its main() dispatches
 * them, with the faulty work functions below beside the sandbox's own. */
#include <dirent.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "extract/confine.h"
#include "extract/sandbox.h"
#include "extract/wire.h"
#include "record/record.h"

#include "check.h"

/* ---- work functions, run in the spawned workers ---- */

/* A reader's cell stream: a text row and a table row with spans. */
static json_t *
work_cells(const struct gh_sandbox_input *in)
{
  (void)in;
  struct gh_doc *doc = gh_cells_new();
  gh_cells_add_text(doc, "三、收到和处理政府信息公开申请情况", strlen("三、收到和处理政府信息公开申请情况"));
  gh_cells_begin_row(doc);
  gh_cells_add_cell(doc, "", 0, 3, 1);
  gh_cells_add_cell(doc, "12", 2, 4, 2);
  json_t *out = gh_doc_reply(doc, GH_STATUS_PARSED, NULL);
  gh_cells_free(&doc);
  return out;
}

static json_t *
work_ocr(const struct gh_sandbox_input *in)
{
  (void)in;
  return gh_doc_reply(NULL, GH_STATUS_NEEDS_OCR, "no text layer");
}

static json_t *
work_spin(const struct gh_sandbox_input *in)
{
  (void)in;
  volatile unsigned long x = 0;
  for(;;)
    x++;
  return NULL; /* not reached */
}


static json_t *
work_echo(const struct gh_sandbox_input *in)
{
  return json_pack("{s O s I s s? s i}", "args", in->args, "len", (json_int_t)in->len,
                   "charset", in->o->declared_charset, "pid", (int)getpid());
}

static json_t *
work_abort(const struct gh_sandbox_input *in)
{
  (void)in;
  abort();
}

static json_t *
work_hang(const struct gh_sandbox_input *in)
{
  (void)in;
  for(;;)
    pause();
  return NULL; /* not reached */
}

/* What the worker holds open, and whether a signal the parent blocked
 * reaches it. */
static json_t *
work_env(const struct gh_sandbox_input *in)
{
  (void)in;
  json_t *fds = json_array();
  DIR *d = opendir("/proc/self/fd");
  for(struct dirent *e; d && (e = readdir(d));)
    if(e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d))
      json_array_append_new(fds, json_integer(atoi(e->d_name)));
  if(d)
    closedir(d);
  sigset_t mask;
  sigprocmask(SIG_SETMASK, NULL, &mask);
  json_t *out = json_pack("{s o s b}", "fds", fds, "term_blocked", sigismember(&mask, SIGTERM));
  /* How it is confined (extract/confine.c). */
  char *status = NULL;
  if(g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
    static const char *const keys[] = { "NoNewPrivs", "Seccomp", "CapEff", "CapPrm", "CapBnd",
                                        "CapAmb", NULL };
    char **lines = g_strsplit(status, "\n", -1);
    for(char **ll = lines; *ll; ll++)
      for(const char *const *k = keys; *k; k++)
        if(g_str_has_prefix(*ll, *k) && (*ll)[strlen(*k)] == ':')
          json_object_set_new(out, *k, json_string(g_strstrip(*ll + strlen(*k) + 1)));
    g_strfreev(lines);
    g_free(status);
  }
  struct rlimit cpu;
  getrlimit(RLIMIT_CPU, &cpu);
  json_object_set_new(out, "cpu_hard", json_integer(cpu.rlim_max == RLIM_INFINITY ? -1 : (json_int_t)cpu.rlim_max));
  char *cwd = g_get_current_dir();
  json_object_set_new(out, "cwd", json_string(cwd));
  g_free(cwd);
  json_object_set_new(out, "environ", json_integer((json_int_t)g_strv_length(environ)));
  json_object_set_new(out, "home", json_string(g_getenv("HOME") ? g_getenv("HOME") : ""));
  json_object_set_new(out, "euid", json_integer((json_int_t)geteuid()));
  char *oom = NULL;
  g_file_get_contents("/proc/self/oom_score_adj", &oom, NULL, NULL);
  json_object_set_new(out, "oom_score_adj", json_string(oom ? g_strstrip(oom) : ""));
  g_free(oom);
  return out;
}

/* A reader taken over: it tries to reach the network. */
static json_t *
work_escape(const struct gh_sandbox_input *in)
{
  (void)in;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  return json_pack("{s i}", "socket", fd);
}

/* ... or to write a file. */
static json_t *
work_write(const struct gh_sandbox_input *in)
{
  (void)in;
  int fd = open("/tmp/gh-confine-test", O_WRONLY | O_CREAT, 0600);
  return json_pack("{s i}", "open", fd);
}

static json_t *
work_flood(const struct gh_sandbox_input *in)
{
  (void)in;
  char *big = g_malloc(40u << 20);
  memset(big, 'x', (40u << 20) - 1);
  big[(40u << 20) - 1] = '\0';
  return json_pack("{s s%}", "flood", big, (size_t)((40u << 20) - 1));
}

/* A library that leaks: 300 MiB held from the first document on. */
static json_t *
work_bloat(const struct gh_sandbox_input *in)
{
  static char *held;
  if(!held) {
    held = g_malloc(300u << 20);
    memset(held, 1, 300u << 20);
  }
  return work_echo(in);
}

/* A bytes work: the arguments' fields read back and written again, with
 * the body's length; a job whose first number is 7 gets a reply that lies
 * about its string's length, as a worker taken over by a crafted file
 * could; 8 makes the work return nothing. */
static GByteArray *
work_fields(const struct gh_sandbox_input *in)
{
  struct gh_wire_reader r = { in->raw, in->raw + in->raw_len, false };
  guint32 n = gh_wire_get_u32(&r);
  const char *s = NULL;
  gh_wire_get_str(&r, &s);
  if(!gh_wire_done(&r) || n == 8)
    return NULL;
  GByteArray *out = g_byte_array_new();
  gh_wire_put_u32(out, n);
  if(n == 7) {
    gh_wire_put_u32(out, 1000);
    g_byte_array_append(out, (const guint8 *)"short", 6);
  } else {
    gh_wire_put_str(out, s);
  }
  gh_wire_put_u32(out, (guint32)in->len);
  return out;
}

static const struct gh_sandbox_work works[] = {
  { .name = "echo", .fn = work_echo }, { .name = "abort", .fn = work_abort },
  { .name = "hang", .fn = work_hang }, { .name = "env", .fn = work_env },
  { .name = "flood", .fn = work_flood }, { .name = "bloat", .fn = work_bloat },
  { .name = "escape", .fn = work_escape }, { .name = "write", .fn = work_write },
  { .name = "cells", .fn = work_cells }, { .name = "ocr", .fn = work_ocr },
  { .name = "spin", .fn = work_spin }, { .name = "fields", .bytes = work_fields },
  { .name = NULL },
};

struct outcome {
  json_t *reply;
  char *failure;
  bool done;
};

static void
pool_done(void *ud, json_t *reply, const char *failure)
{
  struct outcome *o = ud;
  o->reply = json_incref(reply);
  o->failure = g_strdup(failure);
  o->done = true;
}

static struct gh_sandbox *
pool(unsigned workers, const char *work)
{
  struct gh_extract_opts o;
  gh_extract_opts_init(&o);
  o.wall_seconds = 1;
  return gh_sandbox_new(workers, &o, work);
}

/* `wall`: 1 s for the hang; more where the sanitizers make writing or
 * touching hundreds of MiB slow. */
static void
submit(struct gh_sandbox *p, int n, const char *charset, unsigned wall, struct outcome *out)
{
  struct gh_extract_opts o;
  gh_extract_opts_init(&o);
  o.wall_seconds = wall;
  o.declared_charset = charset;
  json_t *args = json_pack("{s i}", "n", n);
  GBytes *body = g_bytes_new_static("body", 4);
  gh_sandbox_submit(p, body, GH_FMT_TEXT, &o, args, pool_done, out);
  g_bytes_unref(body);
  json_decref(args);
}

static void
clear(struct outcome *o, size_t n)
{
  for(size_t i = 0; i < n; i++) {
    json_decref(o[i].reply);
    g_free(o[i].failure);
  }
  memset(o, 0, n * sizeof *o);
}

static void
test_pool(void)
{
  /* Replies carry the job's arguments, body and charset back. */
  struct outcome out[40] = { 0 };
  struct gh_sandbox *p = pool(2, "echo");
  for(int i = 0; i < 6; i++)
    submit(p, i, i % 2 ? "gbk" : NULL, 1, &out[i]);
  gh_sandbox_drain(p);
  for(int i = 0; i < 6; i++) {
    json_t *r = out[i].reply;
    EXPECT(out[i].done && r && json_integer_value(json_object_get(json_object_get(r, "args"), "n")) == i &&
             json_integer_value(json_object_get(r, "len")) == 4 &&
             (i % 2 ? !g_strcmp0(json_string_value(json_object_get(r, "charset")), "gbk")
                    : json_is_null(json_object_get(r, "charset"))),
           "echo job %d: %s", i, out[i].failure ? out[i].failure : "");
  }
  clear(out, 6);
  gh_sandbox_free(p);
  /* A worker whose memory grew past its bound is replaced (checked every
   * 16 documents): 40 jobs on a leaking worker, three workers. */
  p = pool(1, "bloat");
  GHashTable *pids = g_hash_table_new(NULL, NULL);
  for(int i = 0; i < 40; i++)
    submit(p, i, NULL, 60, &out[i]);
  gh_sandbox_drain(p);
  int ok = 0;
  for(int i = 0; i < 40; i++) {
    ok += out[i].reply != NULL;
    g_hash_table_add(pids, GINT_TO_POINTER(json_integer_value(json_object_get(out[i].reply, "pid"))));
  }
  EXPECT(ok == 40, "%d of 40 jobs answered", ok);
  EXPECT(g_hash_table_size(pids) == 3, "a bloated worker is replaced: %u workers for 40 jobs",
         g_hash_table_size(pids));
  g_hash_table_destroy(pids);
  clear(out, 40);
  gh_sandbox_free(p);

  /* A crash or a hang fails that one job; the next job gets a worker. */
  p = pool(1, "abort");
  submit(p, 0, NULL, 1, &out[0]);
  gh_sandbox_drain(p);
  EXPECT(!out[0].reply && out[0].failure && strstr(out[0].failure, "SIGABRT"), "abort: %s",
         out[0].failure ? out[0].failure : "(null)");
  clear(out, 1);
  gh_sandbox_free(p);
  p = pool(1, "hang");
  submit(p, 0, NULL, 1, &out[0]);
  submit(p, 1, NULL, 1, &out[1]);
  gh_sandbox_drain(p);
  EXPECT(out[0].failure && strstr(out[0].failure, "timed out after 1 s") && out[1].failure,
         "hang: %s", out[0].failure ? out[0].failure : "(null)");
  clear(out, 2);
  gh_sandbox_free(p);
  /* An oversized reply is cut off, not buffered. */
  p = pool(1, "flood");
  submit(p, 0, NULL, 60, &out[0]);
  gh_sandbox_drain(p);
  EXPECT(!out[0].reply && out[0].failure && strstr(out[0].failure, "exceeded its bound"),
         "flood: %s", out[0].failure ? out[0].failure : "(null)");
  clear(out, 1);
  gh_sandbox_free(p);

  /* The worker holds its two pipes and stdio only, and does not inherit a
   * blocked signal. */
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_BLOCK, &term, &old);
  FILE *leak = tmpfile(); /* an open descriptor the worker must not get */
  p = pool(1, "env");
  submit(p, 0, NULL, 1, &out[0]);
  gh_sandbox_drain(p);
  json_t *fds = json_object_get(out[0].reply, "fds");
  char *text = fds ? json_dumps(fds, JSON_COMPACT) : NULL;
  /* 5 and 6: the pipes to the worker's LibreOffice converter, when
   * soffice is installed (extract/convert.h). */
  EXPECT(text && (!strcmp(text, "[0,1,2,3,4]") || !strcmp(text, "[0,1,2,3,4,5,6]")),
         "worker's descriptors: %s", text ? text : "(none)");
  EXPECT(json_is_false(json_object_get(out[0].reply, "term_blocked")),
         "the worker's signal mask is empty");
  free(text);
  /* Confined whoever runs it (as root in CI): no new privileges, no
   * capabilities, a seccomp filter, a hard CPU limit, a clean environment
   * and "/" as its directory. */
  json_t *r = out[0].reply;
  EXPECT(!g_strcmp0(json_string_value(json_object_get(r, "NoNewPrivs")), "1"), "NoNewPrivs 1");
  EXPECT(!g_strcmp0(json_string_value(json_object_get(r, "Seccomp")), "2"), "a seccomp filter");
  EXPECT(!g_strcmp0(json_string_value(json_object_get(r, "CapEff")), "0000000000000000") &&
           !g_strcmp0(json_string_value(json_object_get(r, "CapPrm")), "0000000000000000") &&
           !g_strcmp0(json_string_value(json_object_get(r, "CapBnd")), "0000000000000000"),
         "no capabilities: eff %s bnd %s", json_string_value(json_object_get(r, "CapEff")),
         json_string_value(json_object_get(r, "CapBnd")));
  EXPECT(json_integer_value(json_object_get(r, "cpu_hard")) > 0, "a hard CPU limit: %" JSON_INTEGER_FORMAT,
         json_integer_value(json_object_get(r, "cpu_hard")));
  EXPECT(!g_strcmp0(json_string_value(json_object_get(r, "cwd")), "/"), "in /");
  /* Root's 0600 files are out of reach; the OOM killer takes it first. */
  EXPECT(json_integer_value(json_object_get(r, "euid")) != 0 || geteuid() != 0,
         "a worker started by root is not root: euid %" JSON_INTEGER_FORMAT,
         json_integer_value(json_object_get(r, "euid")));
  EXPECT(!g_strcmp0(json_string_value(json_object_get(r, "oom_score_adj")), "1000"),
         "oom_score_adj 1000: %s", json_string_value(json_object_get(r, "oom_score_adj")));
  EXPECT(!strcmp(json_string_value(json_object_get(r, "home")), "") &&
           json_integer_value(json_object_get(r, "environ")) <= 6,
         "a clean environment (%" JSON_INTEGER_FORMAT " variables)",
         json_integer_value(json_object_get(r, "environ")));
  clear(out, 1);
  gh_sandbox_free(p);
  fclose(leak);
  /* What a takeover would do next kills the worker. */
  p = pool(1, "escape");
  submit(p, 0, NULL, 10, &out[0]);
  gh_sandbox_drain(p);
  EXPECT(!out[0].reply && out[0].failure && strstr(out[0].failure, "SIGSYS"),
         "socket() kills the worker: %s", out[0].failure ? out[0].failure : "(a reply)");
  clear(out, 1);
  gh_sandbox_free(p);
  p = pool(1, "write");
  submit(p, 0, NULL, 10, &out[0]);
  gh_sandbox_drain(p);
  EXPECT(!out[0].reply && out[0].failure && strstr(out[0].failure, "SIGSYS") &&
           !g_file_test("/tmp/gh-confine-test", G_FILE_TEST_EXISTS),
         "opening a file for writing kills the worker: %s", out[0].failure ? out[0].failure : "(a reply)");
  clear(out, 1);
  gh_sandbox_free(p);
  sigprocmask(SIG_SETMASK, &old, NULL);
}

/* One job on a one-worker pool running `work`, as the doc it replied. */
static struct gh_doc *
run_doc(const char *work, unsigned wall, unsigned cpu, enum gh_status *st, char **why)
{
  struct gh_extract_opts o;
  gh_extract_opts_init(&o);
  o.wall_seconds = wall;
  o.cpu_seconds = cpu;
  struct gh_sandbox *p = gh_sandbox_new(1, &o, work);
  struct outcome out = { 0 };
  GBytes *body = g_bytes_new_static("body", 4);
  gh_sandbox_submit(p, body, GH_FMT_TEXT, &o, NULL, pool_done, &out);
  g_bytes_unref(body);
  gh_sandbox_drain(p);
  gh_sandbox_free(p);
  struct gh_doc *doc = NULL;
  *st = GH_STATUS_EXTRACT_FAILED;
  if(out.reply)
    doc = gh_doc_from_reply(out.reply, st, why);
  else
    *why = g_strdup(out.failure);
  clear(&out, 1);
  return doc;
}

static void
test_readers(void)
{
  enum gh_status st;
  char *why = NULL;
  struct gh_doc *doc = run_doc("cells", 10, 10, &st, &why);
  EXPECT(doc && st == GH_STATUS_PARSED, "good reader: %s", why ? why : "");
  if(doc) {
    EXPECT(doc->rows->len == 2, "rows %u", doc->rows->len);
    const struct gh_row *r = &g_array_index(doc->rows, struct gh_row, 1);
    EXPECT(r->kind == GH_ROW_TABLE && r->n_cells == 2 && r->cells[1].col == 4 &&
             r->cells[1].colspan == 2 && !strcmp(r->cells[1].text, "12") &&
             !strcmp(r->cells[0].text, ""),
           "cells survive the pipe with their columns");
  }
  gh_cells_free(&doc);
  g_free(why);
  why = NULL;
  /* The wall limit far above the CPU cap: on a loaded machine 1 s of CPU
   * can take more than 10 s of wall time, and the wall limit would answer
   * first. */
  doc = run_doc("spin", 120, 1, &st, &why);
  EXPECT(!doc && why && (strstr(why, "SIGXCPU") || strstr(why, "SIGKILL")), "cpu: %s",
         why ? why : "(null)");
  g_free(why);
  why = NULL;
  /* A 4-byte document gets 5 CPU-seconds however high the cap: a minute
   * per crafted 8 KB PDF was the cheapest way to stall a crawl.  (5 s of
   * CPU; the wall limit, 120 s, is not what stops it.) */
#ifndef GH_UNDER_SANITIZER /* there the cap alone applies (extract/sandbox_worker.c) */
  doc = run_doc("spin", 120, 60, &st, &why);
  EXPECT(!doc && why && strstr(why, "SIGXCPU"), "the CPU cap scales with the size: %s",
         why ? why : "(null)");
  g_free(why);
  why = NULL;
#endif
  doc = run_doc("ocr", 10, 10, &st, &why);
  EXPECT(!doc && st == GH_STATUS_NEEDS_OCR && why && !strcmp(why, "no text layer"),
         "status crosses the pipe: %s", why ? why : "(null)");
  g_free(why);
}

static void
keep(void *ud, json_t *record)
{
  *(json_t **)ud = record;
}

/* Record jobs: the sandbox's own "record" work gives the record the
 * one document->record function makes; a worker that dies on the
 * document still gives a record, failed, with the reason and the hints. */
static void
test_records(void)
{
  struct gh_extract_opts o;
  gh_extract_opts_init(&o);
  o.wall_seconds = 20;
  const char *text = "武定县民政局2021年政府信息公开工作年度报告\n"
                     "三、收到和处理政府信息公开申请情况\n"
                     "本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n";
  struct gh_record direct;
  gh_record_init(&direct);
  gh_document_record(text, strlen(text), gh_sniff(text, strlen(text)), NULL, &o, NULL, NULL,
                     &direct);
  json_t *want = gh_record_to_json(&direct);
  gh_record_clear(&direct);
  json_t *got = gh_extract_record(text, strlen(text), &o, NULL);
  EXPECT(json_equal(want, got), "the sandbox's record is the in-process one");
  json_decref(got);
  json_decref(want);
  gh_extract_shutdown();

  struct gh_sandbox *p = gh_sandbox_new(1, &o, "abort");
  json_t *rec = NULL;
  struct gh_doc_hints hints = { .link_text = "某县2022年政府信息公开工作年度报告(图片版)" };
  GBytes *body = g_bytes_new_static("%PDF-1.7 crafted", 16);
  gh_sandbox_submit_record(p, body, &o, &hints, keep, &rec);
  g_bytes_unref(body);
  gh_sandbox_drain(p);
  gh_sandbox_free(p);
  const char *reason = json_string_value(json_object_get(rec, "reason"));
  EXPECT(rec && !g_strcmp0(json_string_value(json_object_get(rec, "status")), "needs_ocr") &&
           reason && strstr(reason, "SIGABRT") &&
           json_integer_value(json_object_get(rec, "year")) == 2022 &&
           !g_strcmp0(json_string_value(json_object_get(json_object_get(rec, "source"), "format")), "pdf"),
         "a worker's crash is the document's failure, hints applied: %s %s",
         json_string_value(json_object_get(rec, "status")), reason ? reason : "");
  json_decref(rec);

  /* Too large: refused unread, without a worker. */
  o.max_bytes = 8;
  p = gh_sandbox_new(1, &o, "abort");
  rec = NULL;
  body = g_bytes_new_static(text, strlen(text));
  gh_sandbox_submit_record(p, body, &o, NULL, keep, &rec);
  g_bytes_unref(body);
  EXPECT(rec &&
           !g_strcmp0(json_string_value(json_object_get(rec, "status")),
                      gh_status_name(GH_STATUS_TOO_LARGE)) &&
           gh_sandbox_pending(p) == 0,
         "an oversized document is refused at once");
  json_decref(rec);
  gh_sandbox_free(p);
}

/* The field reader takes a worker's reply apart without trusting it. */
static void
test_wire_fields(void)
{
  GByteArray *b = g_byte_array_new();
  gh_wire_put_u32(b, 42);
  gh_wire_put_str(b, "公开年报");
  gh_wire_put_str(b, NULL);
  gh_wire_put_str(b, "");
  struct gh_wire_reader r = { b->data, b->data + b->len, false };
  const char *s1, *s2, *s3;
  guint32 n = gh_wire_get_u32(&r);
  gh_wire_get_str(&r, &s1);
  gh_wire_get_str(&r, &s2);
  gh_wire_get_str(&r, &s3);
  EXPECT(n == 42 && !g_strcmp0(s1, "公开年报") && !s2 && s3 && !*s3 && gh_wire_done(&r),
         "fields read back as written (a NULL string stays NULL)");
  /* Every way a reply can lie: cut short anywhere, a string without its
   * NUL, a NUL inside, bytes that are not UTF-8, a length past the end,
   * bytes left over. */
  for(guint cut = 0; cut < b->len; cut++) {
    struct gh_wire_reader t = { b->data, b->data + cut, false };
    gh_wire_get_u32(&t);
    for(int i = 0; i < 3; i++)
      gh_wire_get_str(&t, &s1);
    EXPECT(!gh_wire_done(&t), "a reply cut at byte %u of %u is refused", cut, b->len);
  }
  static const struct {
    const char *what;
    guint32 len;
    const char *bytes;
    size_t n;
  } lies[] = {
    { "no NUL after the text", 3, "abcd", 4 },
    { "a NUL inside the text", 3, "a\0c\0", 4 },
    { "text that is not UTF-8", 2, "\xb9\xab\0", 3 },
    { "a length past the end", 1000, "short\0", 6 },
    { "a length that wraps", G_MAXUINT32 - 1, "x\0", 2 },
  };
  for(size_t i = 0; i < G_N_ELEMENTS(lies); i++) {
    GByteArray *l = g_byte_array_new();
    gh_wire_put_u32(l, lies[i].len);
    g_byte_array_append(l, (const guint8 *)lies[i].bytes, (guint)lies[i].n);
    struct gh_wire_reader t = { l->data, l->data + l->len, false };
    const char *s = "unset";
    bool got = gh_wire_get_str(&t, &s);
    EXPECT(!got && !s && t.bad && !gh_wire_get_u32(&t), "refused: %s", lies[i].what);
    g_byte_array_unref(l);
  }
  struct gh_wire_reader t = { b->data, b->data + b->len, false };
  gh_wire_get_u32(&t);
  EXPECT(!gh_wire_done(&t), "bytes left unread are not a whole reply");
  /* A writer mends text that is not UTF-8 rather than send a reply the
   * reader must refuse. */
  GByteArray *m = g_byte_array_new();
  gh_wire_put_str(m, "原因：\xb9\xab开");
  struct gh_wire_reader mr = { m->data, m->data + m->len, false };
  const char *ms = NULL;
  EXPECT(gh_wire_get_str(&mr, &ms) && gh_wire_done(&mr) && ms && g_str_has_prefix(ms, "原因：") &&
           strstr(ms, "\xef\xbf\xbd"),
         "text that is not UTF-8 is written mended: %s", ms ? ms : "(refused)");
  g_byte_array_unref(m);
  g_byte_array_unref(b);
}

/* A bytes work through the pool: its reply arrives as written; a work
 * that returns nothing fails its job and the next job gets a worker. */
struct bytes_outcome {
  GByteArray *reply;
  char *failure;
  enum gh_sandbox_failure how;
};

static void
bytes_done(void *ud, const guint8 *reply, size_t len, const char *failure,
           enum gh_sandbox_failure how)
{
  struct bytes_outcome *o = ud;
  o->how = how;
  if(reply)
    o->reply = g_byte_array_append(g_byte_array_new(), reply, (guint)len);
  o->failure = g_strdup(failure);
}

static void
test_pool_bytes(void)
{
  struct gh_sandbox *p = pool(1, "fields");
  struct bytes_outcome out[4] = { 0 };
  struct gh_extract_opts o;
  gh_extract_opts_init(&o);
  o.wall_seconds = 5;
  GBytes *body = g_bytes_new_static("页面正文", strlen("页面正文"));
  const guint32 ns[] = { 1, 7, 8, 2 };
  for(int i = 0; i < 4; i++) {
    GByteArray *args = g_byte_array_new();
    gh_wire_put_u32(args, ns[i]);
    gh_wire_put_str(args, "栏目");
    gh_sandbox_submit_bytes(p, body, GH_FMT_TEXT, &o, args, bytes_done, &out[i]);
    g_byte_array_unref(args);
  }
  g_bytes_unref(body);
  gh_sandbox_drain(p);
  for(int i = 0; i < 4; i++) {
    struct gh_wire_reader r = { NULL, NULL, false };
    if(out[i].reply)
      r = (struct gh_wire_reader){ out[i].reply->data, out[i].reply->data + out[i].reply->len, false };
    guint32 n = gh_wire_get_u32(&r);
    const char *s = NULL;
    gh_wire_get_str(&r, &s);
    guint32 len = gh_wire_get_u32(&r);
    bool whole = out[i].reply && gh_wire_done(&r);
    if(ns[i] == 8)
      EXPECT(!out[i].reply && out[i].failure && strstr(out[i].failure, "exited") &&
               !gh_sandbox_failure_transient(out[i].how),
             "a bytes work that returns nothing fails its job, for good: %s", out[i].failure);
    else if(ns[i] == 7)
      EXPECT(out[i].reply && !whole && n == 7 && !s, "a lying reply arrives and is refused field by field");
    else
      EXPECT(whole && n == ns[i] && !g_strcmp0(s, "栏目") && len == strlen("页面正文"),
             "bytes job %u: its fields come back (%s)", ns[i], out[i].failure ? out[i].failure : "ok");
    if(out[i].reply)
      g_byte_array_unref(out[i].reply);
    g_free(out[i].failure);
  }
  gh_sandbox_free(p);
}

static const struct gh_case cases[] = {
  GH_CASE(readers), GH_CASE(records), GH_CASE(pool), GH_CASE(wire_fields), GH_CASE(pool_bytes),
};

int
main(int argc, char **argv)
{
  if(argc > 1 && !strcmp(argv[1], GH_POOL_WORKER_ARG))
    return gh_sandbox_worker_main(argc, argv, works);
  return gh_cases_main("sandbox", cases, G_N_ELEMENTS(cases), argc, argv);
}

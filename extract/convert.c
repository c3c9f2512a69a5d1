/* The converter helper (convert.h): soffice, run apart from the confined
 * worker, one process group per document. */
#include "confine.h"
#include "convert.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#define REQ_MAGIC 0x6768636fu /* "ghco" */
#define REP_MAGIC 0x67686372u
/* What the helper accepts from the worker: a document the worker itself
 * accepted is under max_document_bytes, far below this. */
#define MAX_IN ((guint64)1 << 30)

struct req_head {
  guint32 magic;
  guint32 target;
  char ext[8];
  guint64 len;
};

struct rep_head {
  guint32 magic;
  guint32 code; /* 0, or a GFileError */
  guint64 len;  /* the file's bytes, or the message's */
};

static int to_helper = -1, from_helper = -1;
/* The helper's caps for each soffice. */
static guint64 cap_memory;
static unsigned cap_seconds;

const char *
gh_convert_package(enum gh_convert_target t)
{
  return t == GH_CONVERT_XLSX ? "libreoffice-calc-nogui" : "libreoffice-writer-nogui";
}

bool
gh_convert_available(void)
{
  return to_helper >= 0;
}

/* ---- the helper ---- */

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st, (void)flag, (void)ftw;
  remove(path);
  return 0;
}

/* socket() for anything but AF_UNIX fails with EACCES: LibreOffice talks
 * to itself over a Unix socket, and a document has no business reaching
 * the network (linked images, update-on-open fields, WebDAV templates). */
static void
deny_network(void)
{
  scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
  if(!f)
    _exit(126);
  struct scmp_arg_cmp c = { .arg = 0, .op = SCMP_CMP_NE, .datum_a = AF_UNIX, .datum_b = 0 };
  if(seccomp_rule_add(f, SCMP_ACT_ERRNO(EACCES), SCMP_SYS(socket), 1, c) ||
     seccomp_load(f)) /* no_new_privs with it (SCMP_FLTATR_CTL_NNP) */
    _exit(126);
  seccomp_release(f);
}

G_GNUC_NORETURN static void
exec_soffice(const char *soffice, const char *dir, const char *in, enum gh_convert_target t)
{
  setpgid(0, 0);
  /* Should the helper be killed mid-conversion (its worker's deadline),
   * soffice goes with it rather than running on to its CPU cap. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  int null = open("/dev/null", O_RDWR);
  if(null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
    _exit(126);
  closefrom(3);
  if(chdir(dir) != 0)
    _exit(126);
  struct rlimit as = { cap_memory, cap_memory }, cpu = { cap_seconds, cap_seconds + 1 },
                fsize = { GH_CONVERT_MAX_OUT, GH_CONVERT_MAX_OUT }, core = { 0, 0 };
  if(setrlimit(RLIMIT_AS, &as) || setrlimit(RLIMIT_CPU, &cpu) || setrlimit(RLIMIT_FSIZE, &fsize) ||
     setrlimit(RLIMIT_CORE, &core))
    _exit(126);
  deny_network();
  char *profile = g_strdup_printf("-env:UserInstallation=file://%s/profile", dir);
  char *outdir = g_strdup_printf("%s/out", dir);
  char *home = g_strdup_printf("HOME=%s", dir), *tmp = g_strdup_printf("TMPDIR=%s", dir);
  const char *target = t == GH_CONVERT_XLSX ? "xlsx:Calc Office Open XML" : "docx:MS Word 2007 XML";
  const char *argv[] = { soffice, profile, "--headless", "--invisible", "--norestore",
                         "--nologo", "--nodefault", "--nolockcheck", "--convert-to", target,
                         "--outdir", outdir, in, NULL };
  const char *envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", "SAL_USE_VCLPLUGIN=svp",
                         home, tmp, NULL };
  execve(soffice, (char *const *)argv, (char *const *)envp);
  _exit(127);
}

static gint64
now_us(void)
{
  return g_get_monotonic_time();
}

/* One conversion in a fresh directory that is removed afterwards. */
static GByteArray *
convert_here(const char *soffice, const char *bytes, size_t len, const char *ext,
             enum gh_convert_target t, GError **err)
{
  char *dir = g_dir_make_tmp("gh-convert-XXXXXX", err);
  if(!dir)
    return NULL;
  char *in = g_strdup_printf("%s/in.%s", dir, ext);
  char *out = g_strdup_printf("%s/out/in.%s", dir, t == GH_CONVERT_XLSX ? "xlsx" : "docx");
  GByteArray *res = NULL;
  if(!g_file_set_contents(in, bytes, (gssize)len, err))
    goto done;
  pid_t pid = fork();
  if(pid < 0) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "cannot start soffice: %s", g_strerror(errno));
    goto done;
  }
  if(pid == 0)
    exec_soffice(soffice, dir, in, t);
  setpgid(pid, pid); /* also here: whichever runs first */
  gint64 deadline = now_us() + (gint64)cap_seconds * G_USEC_PER_SEC;
  int status = 0;
  bool timed_out = false;
  pid_t r;
  while((r = waitpid(pid, &status, WNOHANG)) == 0 || (r < 0 && errno == EINTR)) {
    if(now_us() > deadline) {
      kill(-pid, SIGKILL);
      timed_out = true;
      while(waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
      break;
    }
    g_usleep(20000);
  }
  kill(-pid, SIGKILL); /* whatever soffice left behind in its group */
  struct stat st;
  if(timed_out)
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "LibreOffice did not finish converting it within %u s", cap_seconds);
  else if(stat(out, &st) == 0 && (size_t)st.st_size > GH_CONVERT_MAX_OUT)
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "LibreOffice's conversion is over %zu bytes",
                GH_CONVERT_MAX_OUT);
  else if(stat(out, &st) != 0 || st.st_size == 0) {
    if(WIFSIGNALED(status))
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "LibreOffice died of signal %d converting it (a memory, CPU or size cap, or a "
                  "crash)", WTERMSIG(status));
    else
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "LibreOffice could not convert it (exit status %d)", WEXITSTATUS(status));
  } else {
    char *data = NULL;
    gsize n = 0;
    if(g_file_get_contents(out, &data, &n, err))
      res = g_byte_array_new_take((guint8 *)data, n);
  }
done:
  nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  g_free(in);
  g_free(out);
  g_free(dir);
  return res;
}

G_GNUC_NORETURN static void
helper_loop(int in, int out, const char *soffice)
{
  for(;;) {
    struct req_head h;
    if(!gh_wire_pump_all(in, false, &h, sizeof h) || h.magic != REQ_MAGIC || h.len > MAX_IN ||
       h.target > GH_CONVERT_XLSX)
      _exit(0); /* the worker is gone, or spoke nonsense */
    h.ext[sizeof h.ext - 1] = '\0';
    bool ext_ok = h.ext[0] != '\0';
    for(const char *p = h.ext; *p; p++)
      ext_ok = ext_ok && g_ascii_islower(*p);
    char *body = g_malloc(h.len + 1);
    if(!ext_ok || !gh_wire_pump_all(in, false, body, h.len))
      _exit(0);
    GError *err = NULL;
    GByteArray *res = convert_here(soffice, body, h.len, h.ext,
                                   (enum gh_convert_target)h.target, &err);
    g_free(body);
    struct rep_head r = { REP_MAGIC, 0, 0 };
    const void *payload;
    if(res) {
      r.len = res->len;
      payload = res->data;
    } else {
      r.code = err && err->domain == G_FILE_ERROR ? (guint32)err->code : G_FILE_ERROR_INVAL;
      if(r.code == 0)
        r.code = G_FILE_ERROR_INVAL;
      payload = err ? err->message : "conversion failed";
      r.len = strlen(payload);
    }
    bool ok = gh_wire_pump_all(out, true, &r, sizeof r) &&
              gh_wire_pump_all(out, true, (void *)payload, (size_t)r.len);
    if(res)
      g_byte_array_free(res, TRUE);
    g_clear_error(&err);
    if(!ok)
      _exit(0);
  }
}

void
gh_convert_helper_start(uint64_t memory_bytes, unsigned seconds)
{
  cap_memory = memory_bytes ? memory_bytes : (guint64)1 << 30;
  cap_seconds = seconds ? seconds : GH_CONVERT_SECONDS;
  char *soffice = g_find_program_in_path("soffice");
  if(!soffice)
    return;
  int req[2], rep[2];
  if(pipe2(req, O_CLOEXEC) != 0) {
    g_free(soffice);
    return;
  }
  if(pipe2(rep, O_CLOEXEC) != 0) {
    close(req[0]);
    close(req[1]);
    g_free(soffice);
    return;
  }
  pid_t parent = getpid();
  pid_t pid = fork();
  if(pid == 0) {
    /* The helper keeps its two pipe ends as 3 and 4 and nothing else: the
     * worker's own pipes to the crawler are closed here. */
    if(dup2(req[0], 3) < 0 || dup2(rep[1], 4) < 0)
      _exit(0);
    closefrom(5);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if(getppid() != parent)
      _exit(0);
    prctl(PR_SET_NAME, "gh-convert");
    /* soffice reads hostile files: never as root (the worker, too, leaves
     * uid 0 when it confines itself). */
    if(!gh_confine_drop_root(NULL))
      _exit(0);
    signal(SIGPIPE, SIG_IGN);
    helper_loop(3, 4, soffice);
  }
  g_free(soffice);
  close(req[0]);
  close(rep[1]);
  if(pid < 0) {
    close(req[1]);
    close(rep[0]);
    return;
  }
  /* At fixed descriptors, 5 and 6, right after the worker's own: what a
   * worker holds stays exactly known (tests/test_sandbox.c). */
  to_helper = dup3(req[1], 5, O_CLOEXEC) == 5 ? 5 : req[1];
  if(to_helper != req[1])
    close(req[1]);
  from_helper = dup3(rep[0], 6, O_CLOEXEC) == 6 ? 6 : rep[0];
  if(from_helper != rep[0])
    close(rep[0]);
  /* A helper that died must fail one document, not kill the worker. */
  signal(SIGPIPE, SIG_IGN);
}

/* ---- the worker's side ---- */

static void
helper_lost(void)
{
  close(to_helper);
  close(from_helper);
  to_helper = from_helper = -1;
}

GByteArray *
gh_convert(const char *bytes, size_t len, const char *ext, enum gh_convert_target t,
           GError **err)
{
  if(to_helper < 0) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSYS, "no LibreOffice converter in this process");
    return NULL;
  }
  struct req_head h = { REQ_MAGIC, (guint32)t, { 0 }, len };
  g_strlcpy(h.ext, ext, sizeof h.ext);
  struct rep_head r;
  if(!gh_wire_pump_all(to_helper, true, &h, sizeof h) ||
     !gh_wire_pump_all(to_helper, true, (void *)bytes, len) ||
     !gh_wire_pump_all(from_helper, false, &r, sizeof r) || r.magic != REP_MAGIC ||
     r.len > GH_CONVERT_MAX_OUT) {
    helper_lost();
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the LibreOffice converter failed");
    return NULL;
  }
  GByteArray *res = g_byte_array_sized_new((guint)r.len + 1);
  g_byte_array_set_size(res, (guint)r.len);
  if(r.len && !gh_wire_pump_all(from_helper, false, res->data, (size_t)r.len)) {
    g_byte_array_free(res, TRUE);
    helper_lost();
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the LibreOffice converter failed");
    return NULL;
  }
  if(r.code) {
    char *msg = g_utf8_make_valid((const char *)res->data, (gssize)MIN(r.len, 500));
    g_set_error_literal(err, G_FILE_ERROR,
                        r.code == G_FILE_ERROR_NOSPC ? G_FILE_ERROR_NOSPC : G_FILE_ERROR_INVAL, msg);
    g_free(msg);
    g_byte_array_free(res, TRUE);
    return NULL;
  }
  return res;
}

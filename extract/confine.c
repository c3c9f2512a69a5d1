#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#define GH_CONFINE_ERROR (g_quark_from_static_string("gh-confine"))

static bool
fail(GError **err, const char *what, int e)
{
  g_set_error(err, GH_CONFINE_ERROR, e, "confining the extraction worker: %s: %s", what,
              g_strerror(e));
  return false;
}

/* Started as root (the daemon run by hand, `parse` under sudo): without
 * capabilities uid 0 still reads root's 0600 files, so the worker becomes
 * nobody, groups and all.  After the bounding set is emptied (that needs
 * CAP_SETPCAP, which the uid change clears) and before the capabilities
 * go (it needs CAP_SETUID). */
static bool
become_nobody(GError **err)
{
  if(geteuid() != 0 && getegid() != 0)
    return true;
  const struct passwd *pw = getpwnam("nobody");
  uid_t uid = pw ? pw->pw_uid : 65534;
  gid_t gid = pw ? pw->pw_gid : 65534;
  if(setgroups(0, NULL) != 0)
    return fail(err, "setgroups", errno);
  if(setresgid(gid, gid, gid) != 0)
    return fail(err, "setresgid nobody", errno);
  if(setresuid(uid, uid, uid) != 0)
    return fail(err, "setresuid nobody", errno);
  /* The uid change made it undumpable; it holds nothing but the document,
   * and the leak checker (which ptraces its own process) and a crashing
   * reader's core need it dumpable. */
  prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
  return true;
}

bool
gh_confine_drop_root(GError **err)
{
  return become_nobody(err);
}

static bool
drop_capabilities(GError **err)
{
  /* The bounding set needs CAP_SETPCAP to shrink, so it goes first;
   * without that capability there is nothing in it to fear. */
  for(int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  if(!become_nobody(err))
    return false;
  struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct d[2];
  memset(d, 0, sizeof d);
  if(syscall(SYS_capset, &h, d) != 0)
    return fail(err, "capset", errno);
  return true;
}

/* What the readers (gumbo, poppler, libxml2, libarchive, glib's iconv,
 * OpenCC) and the pipe protocol use after start-up, traced over the
 * golden, layout and crawl tests.  Files are opened read-only (data files
 * such as poppler's CMaps and OpenCC's dictionaries load lazily). */
static const char *const allowed[] = {
  "read", "readv", "pread64", "write", "writev", "close", "lseek", "fcntl",
  "mmap", "munmap", "mremap", "mprotect", "brk", "madvise",
  "fstat", "newfstatat", "stat", "lstat", "statx", "statfs", "fstatfs", "getdents64",
  "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd",
  "futex", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack", "restart_syscall",
  "getrusage", "prlimit64", "getrlimit", "setrlimit",
  "clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
  "getrandom", "sysinfo", "uname", "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid",
  "sched_yield", "sched_getaffinity", "pause", "set_robust_list", "rseq", "membarrier",
  "exit", "exit_group", "tgkill",
  NULL
};

#ifdef GH_UNDER_SANITIZER
/* The sanitizers' own runtime (reports, symbolizer, shadow memory). */
static const char *const sanitizer_extra[] = {
  "getppid", "pipe", "pipe2", "dup", "dup2", "dup3", "wait4", "kill", "mincore", "prctl",
  "sched_setaffinity", "clone", "clone3", "arch_prctl", NULL
};
#endif

static bool
add(scmp_filter_ctx f, const char *name, GError **err)
{
  int nr = seccomp_syscall_resolve_name(name);
  if(nr == __NR_SCMP_ERROR)
    return true; /* not on this architecture */
  int rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, nr, 0);
  return rc == 0 || rc == -EEXIST ? true : fail(err, name, -rc);
}

/* One argument comparison (libseccomp's SCMP_An macros leave a field to
 * implicit zero, which clang's -Wmissing-field-initializers rejects). */
static struct scmp_arg_cmp
cmp(unsigned arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
  struct scmp_arg_cmp c = { .arg = arg, .op = op, .datum_a = a, .datum_b = b };
  return c;
}

static bool
install_filter(GError **err)
{
#ifdef GH_UNDER_SANITIZER
  /* A sanitizer's runtime makes calls no reader makes: refused, not fatal,
   * so a report still gets out.  What a takeover would want still kills. */
  scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
#else
  scmp_filter_ctx f = seccomp_init(SCMP_ACT_KILL_PROCESS);
#endif
  if(!f)
    return fail(err, "seccomp_init", ENOMEM);
  bool ok = true;
  for(const char *const *n = allowed; ok && *n; n++)
    ok = add(f, *n, err);
#ifdef GH_UNDER_SANITIZER
  for(const char *const *n = sanitizer_extra; ok && *n; n++)
    ok = add(f, *n, err);
  static const char *const fatal[] = { "socket", "socketpair", "connect", "bind", "execve",
                                       "execveat", "ptrace", "fork", "vfork", NULL };
  for(const char *const *n = fatal; ok && *n; n++) {
    int nr = seccomp_syscall_resolve_name(*n);
    if(nr != __NR_SCMP_ERROR && seccomp_rule_add(f, SCMP_ACT_KILL_PROCESS, nr, 0) < 0)
      ok = fail(err, *n, EINVAL);
  }
#endif
  /* open/openat: read-only only (O_WRONLY, O_RDWR and O_CREAT killed). */
  int rc;
  if(ok && (rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
                                  cmp(2, SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY))))
    ok = fail(err, "openat rule", -rc);
  if(ok && seccomp_syscall_resolve_name("open") != __NR_SCMP_ERROR &&
     (rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
                            cmp(1, SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY))))
    ok = fail(err, "open rule", -rc);
#ifdef GH_UNDER_SANITIZER
  /* Explicitly fatal, so sanitizer builds (EPERM by default) kill on it
   * too: opening for writing, creating, truncating.  (Elsewhere the default
   * kills, and libseccomp refuses a rule that repeats the default.) */
  static const struct { int mask, value; } writes[] = {
    { O_ACCMODE, O_WRONLY }, { O_ACCMODE, O_RDWR }, { O_CREAT, O_CREAT }, { O_TRUNC, O_TRUNC },
  };
  for(size_t i = 0; ok && i < G_N_ELEMENTS(writes); i++) {
    if((rc = seccomp_rule_add(f, SCMP_ACT_KILL_PROCESS, SCMP_SYS(openat), 1,
                              cmp(2, SCMP_CMP_MASKED_EQ, writes[i].mask, writes[i].value))))
      ok = fail(err, "openat rule", -rc);
    if(ok && seccomp_syscall_resolve_name("open") != __NR_SCMP_ERROR &&
       (rc = seccomp_rule_add(f, SCMP_ACT_KILL_PROCESS, SCMP_SYS(open), 1,
                              cmp(1, SCMP_CMP_MASKED_EQ, writes[i].mask, writes[i].value))))
      ok = fail(err, "open rule", -rc);
  }
#endif
  /* isatty() on stdio: TCGETS only. */
  if(ok && (rc = seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
                                  cmp(1, SCMP_CMP_EQ, TCGETS, 0))))
    ok = fail(err, "ioctl rule", -rc);
  if(ok && (rc = seccomp_load(f))) /* sets no_new_privs itself (SCMP_FLTATR_CTL_NNP) */
    ok = fail(err, "seccomp_load", -rc);
  seccomp_release(f);
  return ok;
}

bool
gh_confine_worker(unsigned cpu_lifetime, GError **err)
{
  if(chdir("/") != 0)
    return fail(err, "chdir /", errno);
  /* The first the kernel's or a cgroup's OOM killer picks: a worker dies
   * and its document is retried, where the crawler or daemon dying loses
   * the whole run.  Raising one's own score needs no privilege. */
  int oom = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
  if(oom >= 0) {
    ssize_t w = write(oom, "1000", 4);
    (void)w; /* best effort: /proc may be absent in a container */
    close(oom);
  }
  if(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return fail(err, "no_new_privs", errno);
  if(cpu_lifetime) {
    /* Hard: a reader taken over cannot lift its per-document soft limit
     * past this.  The pool retires a worker at half of it. */
    struct rlimit cpu;
    getrlimit(RLIMIT_CPU, &cpu);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    rlim_t hard = (rlim_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + cpu_lifetime;
    if(cpu.rlim_max != RLIM_INFINITY && cpu.rlim_max < hard)
      hard = cpu.rlim_max;
    cpu.rlim_max = hard;
    cpu.rlim_cur = MIN(cpu.rlim_cur, hard);
    if(setrlimit(RLIMIT_CPU, &cpu) != 0)
      return fail(err, "RLIMIT_CPU", errno);
  }
  /* Under valgrind (tests/valgrind_crawl.py traces the workers) the filter
   * would apply to valgrind's own system calls; the rest still holds. */
  return drop_capabilities(err) && (RUNNING_ON_VALGRIND || install_filter(err));
}

char **
gh_confine_environ(void)
{
  GPtrArray *env = g_ptr_array_new();
  g_ptr_array_add(env, g_strdup("PATH=/usr/bin:/bin"));
  g_ptr_array_add(env, g_strdup("LC_ALL=C.UTF-8"));
  /* Tesseract's OpenMP would start threads, which the filter forbids (and
   * the pool's workers are the parallelism already). */
  g_ptr_array_add(env, g_strdup("OMP_THREAD_LIMIT=1"));
  /* GH_DEBUG_PDF: the PDF grid's trace (pdfgrid.c), which is only of use
   * when it reaches the worker that reads the PDF. */
  static const char *const keep[] = { "ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS",
                                       "LSAN_OPTIONS", "GH_DEBUG_PDF", NULL };
  for(const char *const *k = keep; *k; k++)
    if(g_getenv(*k))
      g_ptr_array_add(env, g_strdup_printf("%s=%s", *k, g_getenv(*k)));
  g_ptr_array_add(env, NULL);
  return (char **)g_ptr_array_free(env, FALSE);
}

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>

#include "store_int.h"

/* ---- faults inside the map ----
 *
 * LMDB trusts its pages: a damaged page header sends a reader to an offset
 * past the end of data.mdb (SIGBUS) or off the map (SIGSEGV).  A fault whose
 * address lies inside an open store's map is that store's damage, not a
 * bug of ours: it is reported as such and the process exits 2.  Any other
 * fault goes on to the handler that was there before (the default, or a
 * sanitizer's). */

#define MAX_GUARDED 8
static struct {
  _Atomic(uintptr_t) lo, hi;
  char msg[512];
} guarded[MAX_GUARDED];
static struct sigaction old_segv, old_bus;

/* LMDB's code, from /proc/self/maps: a fault whose instruction is in it
 * (a NULL page from a damaged branch, say) is the store's damage too. */
static uintptr_t lmdb_text_lo, lmdb_text_hi;

static uintptr_t
fault_pc(void *uc)
{
#if defined(__x86_64__)
  return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
  return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.pc;
#else
  (void)uc;
  return 0;
#endif
}

/* The return address of a leaf function that faulted: memcpy and memcmp
 * (called by LMDB on a damaged page) set up no frame, so it is the word at
 * the stack pointer (x86-64) or the link register (arm64). */
static uintptr_t
fault_caller(void *uc)
{
#if defined(__x86_64__)
  return *(const uintptr_t *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSP];
#elif defined(__aarch64__)
  return (uintptr_t)((ucontext_t *)uc)->uc_mcontext.regs[30];
#else
  (void)uc;
  return 0;
#endif
}

static void
on_fault(int sig, siginfo_t *si, void *uc)
{
  uintptr_t a = (uintptr_t)si->si_addr, pc = fault_pc(uc), caller = fault_caller(uc);
  bool in_lmdb = (pc && pc >= lmdb_text_lo && pc < lmdb_text_hi) ||
                 (caller && caller >= lmdb_text_lo && caller < lmdb_text_hi);
  for(int i = 0; i < MAX_GUARDED; i++)
    if(guarded[i].hi && ((a >= guarded[i].lo && a < guarded[i].hi) || in_lmdb)) {
      ssize_t n = write(2, guarded[i].msg, strlen(guarded[i].msg));
      (void)n;
      _exit(2);
    }
  sigaction(sig, sig == SIGBUS ? &old_bus : &old_segv, NULL);
}

static void
find_lmdb_text(void)
{
  char *maps = NULL;
  if(!g_file_get_contents("/proc/self/maps", &maps, NULL, NULL))
    return;
  for(char *line = maps; line && *line;) {
    char *nl = strchr(line, '\n');
    if(nl)
      *nl = '\0';
    unsigned long a, b;
    char perms[8];
    if(strstr(line, "/liblmdb.so") && sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3 &&
       strchr(perms, 'x')) {
      lmdb_text_lo = a;
      lmdb_text_hi = b;
    }
    line = nl ? nl + 1 : NULL;
  }
  g_free(maps);
}

static void
install_fault_handlers(void)
{
  find_lmdb_text();
  struct sigaction sa = { 0 };
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &old_segv);
  sigaction(SIGBUS, &sa, &old_bus);
}

/* Where LMDB mapped data.mdb: LMDB does not say (me_mapaddr is only set
 * for MDB_FIXEDMAP), and reading a value to find out could itself fault
 * on a damaged root page, so the mapping is found by its file in
 * /proc/self/maps (one not guarded yet: tests open a store twice). */
static bool
map_range(struct gh_store *st, uintptr_t *lo, uintptr_t *hi)
{
  char *data = g_build_filename(st->dir, "data.mdb", NULL);
  char *real = realpath(data, NULL);
  g_free(data);
  char *maps = NULL;
  if(!real || !g_file_get_contents("/proc/self/maps", &maps, NULL, NULL)) {
    free(real);
    return false;
  }
  bool found = false;
  for(char *line = maps; line && *line && !found;) {
    char *nl = strchr(line, '\n');
    if(nl)
      *nl = '\0';
    unsigned long a, b;
    const char *path = strchr(line, '/');
    if(path && !strcmp(path, real) && sscanf(line, "%lx-%lx", &a, &b) == 2) {
      found = true;
      for(int i = 0; i < MAX_GUARDED && found; i++)
        found = !(a >= guarded[i].lo && a < guarded[i].hi);
      *lo = a;
      *hi = b;
    }
    line = nl ? nl + 1 : NULL;
  }
  g_free(maps);
  free(real);
  return found;
}

void
gh_store_guard_map(struct gh_store *st, bool on)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, install_fault_handlers);
  uintptr_t lo = 0, hi = 0;
  if(on && !map_range(st, &lo, &hi))
    return;
  for(int i = 0; i < MAX_GUARDED; i++) {
    if(on && guarded[i].hi == 0) {
      g_snprintf(guarded[i].msg, sizeof guarded[i].msg,
                 "govharvest: store %s is damaged: LMDB faulted on a damaged page of "
                 "data.mdb; run 'govharvest check', restore from a backup\n",
                 st->dir);
      guarded[i].lo = lo;
      guarded[i].hi = hi;
      st->guard_slot = i + 1;
      return;
    }
    if(!on && st->guard_slot == i + 1) {
      guarded[i].hi = 0;
      guarded[i].lo = 0;
      st->guard_slot = 0;
      return;
    }
  }
}

bool
gh_store_val_ok(const struct gh_store *st, const MDB_val *v)
{
  if(!st->guard_slot)
    return true;
  /* The whole reservation: a pointer past the file's end but inside it
   * faults inside the map, which the fault guard reports as damage. */
  uintptr_t lo = guarded[st->guard_slot - 1].lo, end = guarded[st->guard_slot - 1].hi;
  uintptr_t p = (uintptr_t)v->mv_data;
  return v->mv_size == 0 || (p >= lo && p <= end && v->mv_size <= end - p);
}

void
gh_store_on_lmdb_assert(MDB_env *env, const char *msg)
{
  const char *dir = NULL;
  if(mdb_env_get_path(env, &dir) || !dir)
    dir = "(unknown)";
  char line[1024];
  int n = snprintf(line, sizeof line,
                   "govharvest: store %s is damaged: LMDB found a page that is not what it "
                   "should be (%s); run 'govharvest check', restore from a backup\n",
                   dir, msg ? msg : "assertion");
  if(n > 0) {
    ssize_t w = write(2, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    (void)w;
  }
  _exit(2);
}

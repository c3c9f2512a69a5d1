/* The committer thread: write-behind for the crawl, so its event loop
 * goes on while a batch is written and fsynced (store_int.h declares it;
 * frontier.c is its one user).
 *
 * Promises: one transaction at a time, handed over by
 * gh_store_committer_start and collected exactly once by
 * gh_store_committer_poll (DONE or FAILED, then IDLE); a transaction that
 * finds the map full or resized by another process is run again, whole,
 * after the map is adjusted on the polling thread, which holds no read
 * transaction then (LMDB allows mdb_env_set_mapsize only with none open).
 * The thread starts with every signal blocked, so SIGTERM and SIGINT
 * interrupt the caller's poll, never a commit.
 *
 * Ownership: the committer borrows the store, which outlives it; the
 * transaction's function and context are the caller's, and everything
 * the transaction reads stays unchanged until poll reports it done.  `wake`
 * runs on the committer's thread (curl_multi_wakeup: nothing more).
 *
 * Errors: a failed commit (a full disk, a damaged page) is FAILED with a
 * GError from gh_store_lmdb_fail, and the transaction wrote nothing; a
 * failure to grow the map is FAILED likewise.  gh_store_committer_free
 * waits for a running transaction and drops its result. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "store_int.h"

/* pthread's mutex and condition, not GMutex/GCond: glib's are futex-based
 * and invisible to ThreadSanitizer, which is how this handover is checked. */
struct gh_store_committer {
  struct gh_store *st;
  GThread *thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  gh_store_txn_fn fn;
  void *ctx;
  bool running;  /* handed over, result not yet collected */
  bool finished; /* the thread is done with this attempt; rc holds its result */
  bool quit;
  int rc;
  void (*wake)(void *);
  void *wake_ud;
};

static gpointer
committer_main(gpointer p)
{
  struct gh_store_committer *cm = p;
  pthread_mutex_lock(&cm->lock);
  for(;;) {
    while(!cm->quit && !(cm->running && !cm->finished))
      pthread_cond_wait(&cm->cond, &cm->lock);
    if(cm->quit)
      break;
    pthread_mutex_unlock(&cm->lock);
    int rc = gh_store_write_once(cm->st, cm->fn, cm->ctx);
    pthread_mutex_lock(&cm->lock);
    cm->rc = rc;
    cm->finished = true;
    pthread_cond_broadcast(&cm->cond);
    if(cm->wake)
      cm->wake(cm->wake_ud);
  }
  pthread_mutex_unlock(&cm->lock);
  return NULL;
}

struct gh_store_committer *
gh_store_committer_new(struct gh_store *st, void (*wake)(void *), void *wake_ud)
{
  struct gh_store_committer *cm = g_new0(struct gh_store_committer, 1);
  cm->st = st;
  cm->wake = wake;
  cm->wake_ud = wake_ud;
  pthread_mutex_init(&cm->lock, NULL);
  /* Timed waits count on the clock g_get_monotonic_time reads: a wall
   * clock step must not stretch or cut a caller's wait. */
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&cm->cond, &ca);
  pthread_condattr_destroy(&ca);
  /* Signals (SIGTERM, SIGINT) stay with the caller's thread, whose poll
   * they interrupt; the committer starts with all of them blocked. */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  cm->thread = g_thread_new("gh-commit", committer_main, cm);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return cm;
}

bool
gh_store_committer_start(struct gh_store_committer *cm, gh_store_txn_fn fn, void *ctx)
{
  pthread_mutex_lock(&cm->lock);
  bool idle = !cm->running;
  if(idle) {
    cm->fn = fn;
    cm->ctx = ctx;
    cm->running = true;
    cm->finished = false;
    pthread_cond_broadcast(&cm->cond);
  }
  pthread_mutex_unlock(&cm->lock);
  return idle;
}

enum gh_commit
gh_store_committer_poll(struct gh_store_committer *cm, gint64 wait_until, GError **err)
{
  struct timespec until = { (time_t)(wait_until / G_USEC_PER_SEC), (long)(wait_until % G_USEC_PER_SEC) * 1000 };
  pthread_mutex_lock(&cm->lock);
  for(;;) {
    if(!cm->running) {
      pthread_mutex_unlock(&cm->lock);
      return GH_COMMIT_IDLE;
    }
    while(!cm->finished && wait_until == G_MAXINT64)
      pthread_cond_wait(&cm->cond, &cm->lock);
    while(!cm->finished && wait_until > 0 && wait_until < G_MAXINT64 &&
          pthread_cond_timedwait(&cm->cond, &cm->lock, &until) != ETIMEDOUT)
      ;
    if(!cm->finished) {
      pthread_mutex_unlock(&cm->lock);
      return GH_COMMIT_RUNNING;
    }
    int rc = cm->rc;
    if(rc != MDB_MAP_FULL && rc != MDB_MAP_RESIZED) {
      cm->running = false;
      pthread_mutex_unlock(&cm->lock);
      if(!rc)
        return GH_COMMIT_DONE;
      gh_store_lmdb_fail(err, cm->st->dir, "write failed", rc);
      return GH_COMMIT_FAILED;
    }
    /* The thread waits while `finished` is set, so the map is adjusted
     * with no transaction open; then the same batch runs again. */
    pthread_mutex_unlock(&cm->lock);
    bool ok = gh_store_adjust_map(cm->st, rc, err);
    pthread_mutex_lock(&cm->lock);
    if(!ok) {
      cm->running = false;
      pthread_mutex_unlock(&cm->lock);
      return GH_COMMIT_FAILED;
    }
    cm->finished = false;
    pthread_cond_broadcast(&cm->cond);
  }
}

void
gh_store_committer_free(struct gh_store_committer *cm)
{
  if(!cm)
    return;
  gh_store_committer_poll(cm, G_MAXINT64, NULL);
  pthread_mutex_lock(&cm->lock);
  cm->quit = true;
  pthread_cond_broadcast(&cm->cond);
  pthread_mutex_unlock(&cm->lock);
  g_thread_join(cm->thread);
  pthread_mutex_destroy(&cm->lock);
  pthread_cond_destroy(&cm->cond);
  g_free(cm);
}

/* The daemon's spool (STORE/requests/, store/requests.h) as people use it:
 * made by the daemon at start with the rights that let an operator's
 * `sudo govharvest queue` reach it, and whether a daemon holds the store
 * at all (its writer lock). */
#ifndef GH_SPOOL_H
#define GH_SPOOL_H

#include <glib.h>
#include <stdbool.h>

/* Creates STORE/requests when missing and gives it mode 2770 (setgid: a
 * request written by another user keeps the directory's group) and the
 * group govharvest where that group exists and this process may give it.
 * false with *err only when the directory cannot be made. */
bool gh_spool_prepare(const char *store_dir, GError **err);
/* Whether a process holds the store's writer lock (a daemon or a crawl);
 * *pid gets its pid from writer.lock (0 when unknown). */
bool gh_store_writer_held(const char *store_dir, long *pid);
/* As root: hands `path` (and the spool, when root made it) to the owner
 * of the store directory, so the daemon running as that user can take and
 * delete it.  Nothing for other users. */
void gh_spool_hand_over(const char *store_dir, const char *path);

#endif

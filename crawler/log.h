/* Log lines of the crawler and the daemon.  Under systemd (stderr connected
 * to the journal, as $JOURNAL_STREAM says) they go to the journal with
 * structured fields URL, HOST, AGENCY, YEAR and STATUS, so `journalctl
 * STATUS=blocked` finds every blocked URL; elsewhere to stderr as
 * "govharvest: LEVEL: message". */
#ifndef GH_LOG_H
#define GH_LOG_H

#include <stdbool.h>

#include "../config/config.h"

struct gh_log_fields {
  const char *url;    /* the host is derived from it */
  const char *agency;
  int year;           /* 0: none */
  const char *status; /* record status or error kind */
};

/* `progress`: a status line is being redrawn on stderr; clear it first. */
void gh_log_setup(enum gh_log_level level, bool progress);
void gh_log(enum gh_log_level level, const struct gh_log_fields *f, const char *fmt, ...)
  G_GNUC_PRINTF(3, 4);

#endif

#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "url.h"

static enum gh_log_level threshold = GH_LOG_INFO;
static bool progress_line;
static int journal = -1; /* unknown */

void
gh_log_setup(enum gh_log_level level, bool progress)
{
  threshold = level;
  progress_line = progress;
}

static bool
log_to_journal(void)
{
  if(journal < 0) {
    /* systemd sets JOURNAL_STREAM=dev:inode of the stream it connected;
     * stderr redirected elsewhere by the user no longer matches. */
    const char *js = getenv("JOURNAL_STREAM");
    struct stat st;
    unsigned long dev = 0, ino = 0;
    journal = js && sscanf(js, "%lu:%lu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
              st.st_dev == dev && st.st_ino == ino;
  }
  return journal == 1;
}

void
gh_log(enum gh_log_level level, const struct gh_log_fields *f, const char *fmt, ...)
{
  if(level > threshold)
    return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  static const char *const names[] = { "error", "warning", "info", "debug" };
  static const int priorities[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
  if(log_to_journal()) {
    /* sd_journal_sendv: only the fields this line has. */
    GPtrArray *kv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(kv, g_strdup_printf("MESSAGE=%s", msg));
    g_ptr_array_add(kv, g_strdup_printf("PRIORITY=%d", priorities[level]));
    g_ptr_array_add(kv, g_strdup("SYSLOG_IDENTIFIER=govharvest"));
    if(f && f->url) {
      g_ptr_array_add(kv, g_strdup_printf("URL=%s", f->url));
      char *host = gh_url_host(f->url);
      if(host)
        g_ptr_array_add(kv, g_strdup_printf("HOST=%s", host));
      g_free(host);
    }
    if(f && f->agency)
      g_ptr_array_add(kv, g_strdup_printf("AGENCY=%s", f->agency));
    if(f && f->year > 0)
      g_ptr_array_add(kv, g_strdup_printf("YEAR=%d", f->year));
    if(f && f->status)
      g_ptr_array_add(kv, g_strdup_printf("STATUS=%s", f->status));
    struct iovec iov[8];
    for(guint i = 0; i < kv->len; i++) {
      iov[i].iov_base = kv->pdata[i];
      iov[i].iov_len = strlen(kv->pdata[i]);
    }
    sd_journal_sendv(iov, (int)kv->len);
    g_ptr_array_free(kv, TRUE);
  } else {
    fprintf(stderr, "%sgovharvest: %s: %s\n", progress_line ? "\r\033[K" : "", names[level], msg);
  }
  g_free(msg);
}

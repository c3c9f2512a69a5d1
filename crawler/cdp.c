#include "cdp.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* A message over this is not a browser's: a rendered DOM is capped by the
 * caller's script far below it. */
#define MSG_MAX ((size_t)64 << 20)
/* Commands waiting for the browser to read them (a fulfilled request's body
 * is at most [limits] max_document_bytes, base64). */
#define OUT_MAX ((size_t)256 << 20)

struct gh_cdp {
  pid_t pid;
  int to, from;        /* our ends: the browser's fd 3 and fd 4 */
  GString *in, *out;
  size_t out_off;      /* bytes of `out` already written */
  guint64 next_id;
  GHashTable *waiting; /* id -> struct waiting */
  gh_cdp_event_fn ev;
  gh_cdp_reply_fn reply;
  void *ud;
  char *profile;       /* the private --user-data-dir */
  char *gone;          /* why the browser is gone; NULL while alive */
};

struct waiting {
  guint64 tag;
  int step;
};

char *
gh_cdp_find_browser(const char *configured)
{
  if(!configured || !*configured)
    configured = "chromium";
  if(strchr(configured, '/'))
    return g_file_test(configured, G_FILE_TEST_IS_EXECUTABLE) &&
               !g_file_test(configured, G_FILE_TEST_IS_DIR)
             ? g_strdup(configured)
             : NULL;
  /* Debian's /usr/bin/chromium is a shell wrapper that reads
   * /etc/chromium.d and may add flags (extensions, a remote debugging
   * port): the binary itself takes only ours. */
  if(!strcmp(configured, "chromium") &&
     g_file_test("/usr/lib/chromium/chromium", G_FILE_TEST_IS_EXECUTABLE))
    return g_strdup("/usr/lib/chromium/chromium");
  return g_find_program_in_path(configured);
}

bool
gh_cdp_wx_denied(void)
{
  void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if(p == MAP_FAILED)
    return true;
  munmap(p, 4096);
  return false;
}

static void
gone(struct gh_cdp *b, const char *why)
{
  if(b->gone)
    return;
  b->gone = g_strdup(why);
  if(b->pid > 0)
    kill(-b->pid, SIGKILL);
}

struct gh_cdp *
gh_cdp_start(const struct gh_cdp_opts *o, gh_cdp_event_fn ev, gh_cdp_reply_fn reply, void *ud,
             GError **err)
{
  char *profile = g_dir_make_tmp("govharvest-browser-XXXXXX", err);
  if(!profile)
    return NULL;
  /* Socket pairs, not pipes: a write to a browser that died fails with
   * EPIPE (MSG_NOSIGNAL) instead of killing us with SIGPIPE. */
  int to[2], from[2];
  if(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, to) != 0) {
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "pipe: %s", g_strerror(errno));
    g_rmdir(profile);
    g_free(profile);
    return NULL;
  }
  if(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, from) != 0) {
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "pipe: %s", g_strerror(errno));
    close(to[0]);
    close(to[1]);
    g_rmdir(profile);
    g_free(profile);
    return NULL;
  }
  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup(o->browser));
  static const char *const fixed[] = {
    "--headless=new", "--remote-debugging-pipe", "--no-first-run", "--no-default-browser-check",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-gpu", "--disable-quic", "--disable-extensions", "--disable-default-apps",
    "--disable-domain-reliability", "--disable-breakpad", "--no-pings", "--mute-audio",
    "--disable-dev-shm-usage", "--metrics-recording-only", "--password-store=basic",
    /* Every request a page makes is paused by the Fetch domain and answered
     * by the crawler; whatever escapes it (a service worker, a browser
     * component) meets a proxy that is the discard port of loopback, and
     * loopback itself is not exempt from it. */
    "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
    /* Frames stay in the page's renderer, so the page's session pauses
     * their requests too (an out-of-process frame would be another
     * target). */
    "--disable-site-isolation-trials",
    "--disable-features=site-per-process,IsolateOrigins,Translate,MediaRouter,"
    "OptimizationHints,AutofillServerCommunication,InterestFeedContentSuggestions,"
    /* A portal of plain HTTP is asked as it is linked, not first by HTTPS. */
    "HttpsUpgrades,HttpsFirstBalancedModeAutoEnable,HttpsFirstModeV2ForEngagedSites",
    "--blink-settings=imagesEnabled=false",
  };
  for(size_t i = 0; i < G_N_ELEMENTS(fixed); i++)
    g_ptr_array_add(argv, g_strdup(fixed[i]));
  g_ptr_array_add(argv, g_strdup_printf("--user-data-dir=%s", profile));
  g_ptr_array_add(argv, g_strdup_printf("--js-flags=--max-old-space-size=%" G_GUINT64_FORMAT "%s",
                                        MAX(o->js_heap_bytes >> 20, (guint64)16),
                                        o->jitless ? " --jitless" : ""));
  if(o->no_sandbox)
    g_ptr_array_add(argv, g_strdup("--no-sandbox"));
  g_ptr_array_add(argv, g_strdup("about:blank"));
  g_ptr_array_add(argv, NULL);
  /* Its home, config and cache are the private profile too: in the
   * service, HOME is unwritable (ProtectHome=, ProtectSystem=strict). */
  char **envp = g_get_environ();
  envp = g_environ_setenv(envp, "HOME", profile, TRUE);
  envp = g_environ_setenv(envp, "XDG_CONFIG_HOME", profile, TRUE);
  envp = g_environ_setenv(envp, "XDG_CACHE_HOME", profile, TRUE);
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  pid_t pid = fork();
  if(pid == 0) {
    /* Only async-signal-safe calls from here to exec. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int r = dup(to[0]), w = dup(from[1]); /* above 4 whatever the pipes' numbers */
    if(r < 5 || w < 5) {
      int rr = fcntl(r, F_DUPFD, 5), ww = fcntl(w, F_DUPFD, 5);
      r = rr, w = ww;
    }
    if(r < 0 || w < 0 || dup2(r, 3) < 0 || dup2(w, 4) < 0)
      _exit(127);
    if(devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    if(close_range(5, ~0U, 0) != 0)
      for(int fd = 5; fd < 65536; fd++)
        close(fd);
    execve(argv->pdata[0], (char **)argv->pdata, envp);
    _exit(127);
  }
  int fork_errno = errno;
  if(devnull >= 0)
    close(devnull);
  close(to[0]);
  close(from[1]);
  g_ptr_array_free(argv, TRUE);
  g_strfreev(envp);
  if(pid < 0) {
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(fork_errno), "fork: %s",
                g_strerror(fork_errno));
    close(to[1]);
    close(from[0]);
    g_rmdir(profile);
    g_free(profile);
    return NULL;
  }
  /* The parent sets the group too: a kill right after the fork must not
   * miss it. */
  setpgid(pid, pid);
  struct gh_cdp *b = g_new0(struct gh_cdp, 1);
  b->pid = pid;
  b->to = to[1];
  b->from = from[0];
  fcntl(b->to, F_SETFL, fcntl(b->to, F_GETFL) | O_NONBLOCK);
  fcntl(b->from, F_SETFL, fcntl(b->from, F_GETFL) | O_NONBLOCK);
  b->in = g_string_sized_new(65536);
  b->out = g_string_sized_new(65536);
  b->next_id = 1;
  b->waiting = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  b->ev = ev;
  b->reply = reply;
  b->ud = ud;
  b->profile = profile;
  return b;
}

void
gh_cdp_free(struct gh_cdp *b)
{
  if(!b)
    return;
  if(b->pid > 0) {
    kill(-b->pid, SIGKILL);
    kill(b->pid, SIGKILL);
    while(waitpid(b->pid, NULL, 0) < 0 && errno == EINTR)
      ;
  }
  close(b->to);
  close(b->from);
  g_string_free(b->in, TRUE);
  g_string_free(b->out, TRUE);
  g_hash_table_destroy(b->waiting);
  if(b->profile) {
    /* The profile is the browser's cache and cookies of this crawl only. */
    char *argv[] = { "rm", "-rf", "--", b->profile, NULL };
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                                     G_SPAWN_STDERR_TO_DEV_NULL,
                 NULL, NULL, NULL, NULL, NULL, NULL);
    g_free(b->profile);
  }
  g_free(b->gone);
  g_free(b);
}

void
gh_cdp_send(struct gh_cdp *b, const char *session, const char *method, json_t *params,
            guint64 tag, int step)
{
  if(b->gone) {
    json_decref(params);
    return;
  }
  guint64 id = b->next_id++;
  json_t *m = json_pack("{s:I, s:s}", "id", (json_int_t)id, "method", method);
  json_object_set_new(m, "params", params ? params : json_object());
  if(session)
    json_object_set_new(m, "sessionId", json_string(session));
  char *text = json_dumps(m, JSON_COMPACT);
  json_decref(m);
  if(!text) {
    gone(b, "a command could not be encoded");
    return;
  }
  g_string_append_len(b->out, text, (gssize)strlen(text) + 1); /* with its NUL */
  free(text);
  if(b->out->len - b->out_off > OUT_MAX) {
    gone(b, "the browser stopped reading its commands");
    return;
  }
  struct waiting *w = g_new(struct waiting, 1);
  *w = (struct waiting){ tag, step };
  gint64 *k = g_new(gint64, 1);
  *k = (gint64)id;
  g_hash_table_insert(b->waiting, k, w);
}

unsigned
gh_cdp_pollfds(const struct gh_cdp *b, struct pollfd *fds)
{
  if(b->gone)
    return 0;
  unsigned n = 0;
  fds[n++] = (struct pollfd){ b->from, POLLIN, 0 };
  if(b->out->len > b->out_off)
    fds[n++] = (struct pollfd){ b->to, POLLOUT, 0 };
  return n;
}

static void
dispatch(struct gh_cdp *b, const char *text, size_t len)
{
  json_error_t je;
  json_t *m = json_loadb(text, len, 0, &je);
  if(!json_is_object(m)) {
    json_decref(m);
    gone(b, "the browser sent a message that is not JSON");
    return;
  }
  json_t *id = json_object_get(m, "id");
  if(json_is_integer(id)) {
    gint64 k = (gint64)json_integer_value(id);
    struct waiting *w = g_hash_table_lookup(b->waiting, &k);
    if(w) {
      struct waiting copy = *w;
      g_hash_table_remove(b->waiting, &k);
      json_t *res = json_object_get(m, "result"), *error = json_object_get(m, "error");
      b->reply(b->ud, copy.tag, copy.step, error ? NULL : res ? res : json_null(), error);
    }
  } else {
    const char *method = json_string_value(json_object_get(m, "method"));
    if(method)
      b->ev(b->ud, method, json_object_get(m, "params"),
            json_string_value(json_object_get(m, "sessionId")));
  }
  json_decref(m);
}

bool
gh_cdp_service(struct gh_cdp *b, const struct pollfd *fds, unsigned n)
{
  if(b->gone)
    return false;
  bool readable = false, writable = false;
  for(unsigned i = 0; i < n; i++) {
    if(fds[i].fd == b->from && fds[i].revents)
      readable = true;
    if(fds[i].fd == b->to && fds[i].revents)
      writable = true;
  }
  while(writable && b->out->len > b->out_off) {
    ssize_t w = send(b->to, b->out->str + b->out_off, b->out->len - b->out_off, MSG_NOSIGNAL);
    if(w > 0) {
      b->out_off += (size_t)w;
    } else {
      if(w < 0 && errno != EAGAIN && errno != EINTR)
        gone(b, "the browser closed its command pipe");
      break;
    }
  }
  if(b->out_off == b->out->len) {
    g_string_truncate(b->out, 0);
    b->out_off = 0;
  }
  while(readable && !b->gone) {
    char buf[65536];
    ssize_t r = read(b->from, buf, sizeof buf);
    if(r == 0) {
      gone(b, "the browser exited");
      break;
    }
    if(r < 0) {
      if(errno != EAGAIN && errno != EINTR)
        gone(b, "the browser's pipe failed");
      break;
    }
    g_string_append_len(b->in, buf, r);
    size_t start = 0;
    char *nul;
    while(!b->gone &&
          (nul = memchr(b->in->str + start, '\0', b->in->len - start)) != NULL) {
      size_t len = (size_t)(nul - (b->in->str + start));
      dispatch(b, b->in->str + start, len);
      start += len + 1;
    }
    g_string_erase(b->in, 0, (gssize)start);
    if(b->in->len > MSG_MAX)
      gone(b, "the browser sent a message over 64 MiB");
  }
  return !b->gone;
}

bool
gh_cdp_alive(const struct gh_cdp *b)
{
  return b && !b->gone;
}

pid_t
gh_cdp_pid(const struct gh_cdp *b)
{
  return b->pid;
}

const char *
gh_cdp_gone_why(const struct gh_cdp *b)
{
  return b->gone;
}

void
gh_cdp_kill(struct gh_cdp *b, const char *why)
{
  gone(b, why);
}

guint64
gh_cdp_rss(const struct gh_cdp *b)
{
  /* Anonymous memory only: the browser's processes share its 300 MB
   * binary and their IPC memory, which RSS would count once per process. */
  guint64 total = 0;
  DIR *d = opendir("/proc");
  if(!d)
    return 0;
  struct dirent *e;
  while((e = readdir(d))) {
    if(!g_ascii_isdigit(e->d_name[0]))
      continue;
    char path[300], buf[4096];
    snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
    FILE *f = fopen(path, "re");
    if(!f)
      continue;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* After the command name in parentheses (which may hold anything):
     * state, ppid, pgrp. */
    char *p = strrchr(buf, ')');
    char state;
    long ppid, pgrp;
    if(!p || sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3 || pgrp != b->pid)
      continue;
    snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
    if(!(f = fopen(path, "re")))
      continue;
    while(fgets(buf, sizeof buf, f))
      if(g_str_has_prefix(buf, "RssAnon:"))
        total += g_ascii_strtoull(buf + 8, NULL, 10) * 1024;
    fclose(f);
  }
  closedir(d);
  return total;
}

/* A crawl loop's context without the loop, for unit tests of its decisions
 * (crawler/answer.c, turns.c, job.c): a struct crawl set up as gh_crawl_new
 * sets it up, on a store in a temporary directory, and a fake web: one
 * loopback listener on a thread that answers each path with a canned
 * HTTP response, reached through [crawl] connect_to so the URLs keep their
 * real county host names (scope and site rules see www.wd.gov.cn, not
 * 127.0.0.1).
 *
 * A fake transfer is a real one: fake_fetch starts it with crawl_start, as
 * a turn would, runs libcurl until it ends and calls crawl_answer as the
 * loop does, then hands the transfer back for the test to read before
 * fake_xfer_done.  A test's main() is fake_crawl_main (the extraction
 * workers are the test program started again). */
#ifndef GH_TEST_FAKE_CRAWL_H
#define GH_TEST_FAKE_CRAWL_H

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crawler/crawl_int.h"
#include "crawler/url.h"
#include "store/frontier.h"

#include "check.h"

/* ---- the fake web ---- */

struct fake_web {
  int fd;
  guint16 port;
  GThread *thread;
  GMutex lock;
  GHashTable *answers;  /* "/path" -> the whole HTTP response */
  GPtrArray *requests;  /* the request lines received, in order */
  volatile gint stop;
};

static inline gpointer
fake_web_serve(gpointer ud)
{
  struct fake_web *w = ud;
  for(;;) {
    int s = accept(w->fd, NULL, NULL);
    if(s < 0 || g_atomic_int_get(&w->stop)) {
      if(s >= 0)
        close(s);
      return NULL;
    }
    /* One request per connection: every answer says Connection: close. */
    char req[8192];
    size_t n = 0;
    ssize_t r;
    while(n < sizeof req - 1 && (r = read(s, req + n, sizeof req - 1 - n)) > 0) {
      n += (size_t)r;
      req[n] = '\0';
      if(strstr(req, "\r\n\r\n"))
        break;
    }
    req[n] = '\0';
    char *eol = strstr(req, "\r\n");
    char *line = g_strndup(req, eol ? (size_t)(eol - req) : n);
    char **parts = g_strsplit(line, " ", 3);
    g_mutex_lock(&w->lock);
    g_ptr_array_add(w->requests, line);
    const char *a = parts[0] && parts[1] ? g_hash_table_lookup(w->answers, parts[1]) : NULL;
    char *answer = g_strdup(a ? a
                              : "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                                "Connection: close\r\n\r\n");
    g_mutex_unlock(&w->lock);
    g_strfreev(parts);
    for(size_t off = 0, len = strlen(answer); off < len;) {
      ssize_t wr = write(s, answer + off, len - off);
      if(wr <= 0)
        break;
      off += (size_t)wr;
    }
    g_free(answer);
    close(s);
  }
}

static inline void
fake_web_start(struct fake_web *w)
{
  memset(w, 0, sizeof *w);
  g_mutex_init(&w->lock);
  w->answers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  w->requests = g_ptr_array_new_with_free_func(g_free);
  w->fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t alen = sizeof a;
  g_assert(bind(w->fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(w->fd, 16) == 0);
  g_assert(getsockname(w->fd, (struct sockaddr *)&a, &alen) == 0);
  w->port = ntohs(a.sin_port);
  w->thread = g_thread_new("fake-web", fake_web_serve, w);
}

/* `path` answers with `status` (e.g. "429 Too Many Requests"), the extra
 * header lines `headers` (each ending in \r\n, or NULL) and `body`. */
static inline void
fake_web_answer(struct fake_web *w, const char *path, const char *status, const char *headers,
                const char *body)
{
  char *a = g_strdup_printf("HTTP/1.1 %s\r\n%sContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
                            status, headers ? headers : "", strlen(body), body);
  g_mutex_lock(&w->lock);
  g_hash_table_replace(w->answers, g_strdup(path), a);
  g_mutex_unlock(&w->lock);
}

static inline guint
fake_web_count(struct fake_web *w, const char *request_line_part)
{
  guint n = 0;
  g_mutex_lock(&w->lock);
  for(guint i = 0; i < w->requests->len; i++)
    n += strstr(w->requests->pdata[i], request_line_part) != NULL;
  g_mutex_unlock(&w->lock);
  return n;
}

static inline void
fake_web_stop(struct fake_web *w)
{
  g_atomic_int_set(&w->stop, 1);
  /* Wake the accept() with one last connection. */
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(w->port),
                           .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  if(connect(s, (struct sockaddr *)&a, sizeof a) == 0)
    g_thread_join(w->thread);
  close(s);
  close(w->fd);
  g_hash_table_destroy(w->answers);
  g_ptr_array_free(w->requests, TRUE);
  g_mutex_clear(&w->lock);
}

/* ---- the crawl's context ---- */

/* The county hosts the tests use; all reach the fake web. */
static const char *const fake_hosts[] = { "www.wd.gov.cn", "www.hzq.gov.cn", "www.example.com", NULL };

struct fake_crawl {
  struct crawl c;
  struct gh_config cfg;
  struct gh_crawl_opts o;
  struct gh_crawl_summary sum;
  struct fake_web web;
  volatile sig_atomic_t stop;
  GPtrArray *seeds;
  char *dir;
};

/* The configuration's defaults, with the changes a test makes to `cfg`
 * before fake_crawl_begin. */
static inline void
fake_crawl_init(struct fake_crawl *f)
{
  memset(f, 0, sizeof *f);
  GError *e = NULL;
  g_assert(gh_config_load(&f->cfg, "/nonexistent/govharvest.conf", false, &e));
  f->cfg.delay_seconds = 0; /* the tests move on without waiting; delays are host.c's */
}

static inline void
fake_crawl_begin(struct fake_crawl *f)
{
  gh_log_setup(GH_LOG_WARNING, false);
  fake_web_start(&f->web);
  GPtrArray *maps = g_ptr_array_new_with_free_func(g_free);
  for(const char *const *h = fake_hosts; *h; h++)
    g_ptr_array_add(maps, g_strdup_printf("%s:80:127.0.0.1:%u", *h, f->web.port));
  /* A host that refuses connections: a port that was just free. */
  int closed = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t alen = sizeof a;
  g_assert(bind(closed, (struct sockaddr *)&a, sizeof a) == 0 &&
           getsockname(closed, (struct sockaddr *)&a, &alen) == 0);
  close(closed);
  g_ptr_array_add(maps, g_strdup_printf("down.wd.gov.cn:80:127.0.0.1:%u", ntohs(a.sin_port)));
  g_ptr_array_add(maps, NULL);
  g_strfreev(f->cfg.connect_to);
  f->cfg.connect_to = (char **)g_ptr_array_free(maps, FALSE);
  f->dir = g_dir_make_tmp("gh-fake-crawl-XXXXXX", NULL);
  char *path = g_build_filename(f->dir, "store", NULL);
  GError *e = NULL;
  struct gh_store *st = NULL;
  g_assert(gh_store_open(path, GH_STORE_WRITE, 0, &st, &e));
  g_free(path);
  f->seeds = g_ptr_array_new();
  f->o.cfg = &f->cfg;
  f->o.seeds = f->seeds;
  f->o.stop = &f->stop;
  gh_extract_opts_init(&f->o.extract);
  gh_crawl_summary_init(&f->sum);
  struct crawl *c = &f->c;
  c->st = st;
  c->o = &f->o;
  c->cfg = &f->cfg;
  c->sum = &f->sum;
  c->host_rules = (struct gh_host_rules){ .delay = f->cfg.delay_seconds,
                                          .connections = (unsigned)f->cfg.connections_per_host,
                                          .max_pages = f->cfg.max_pages_per_host,
                                          .failures = f->cfg.host_failures,
                                          .retries = f->cfg.retries,
                                          .backoff = f->cfg.backoff_seconds };
  c->hosts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, gh_host_free);
  c->seed_hosts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  c->active = g_hash_table_new(NULL, NULL);
  c->timers = g_sequence_new(NULL);
  g_queue_init(&c->dirty);
  c->processing = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, crawl_job_free);
  c->run_seeds = g_hash_table_new(g_str_hash, g_str_equal);
  c->qcount = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  c->run_hosts = g_ptr_array_new_with_free_func(g_free);
  c->connect_to = gh_curl_slist(f->cfg.connect_to);
  c->started = g_get_monotonic_time();
  c->multi = curl_multi_init();
  c->workers = 1;
  c->pool = gh_sandbox_new(c->workers, &f->o.extract, GH_CRAWL_WORK);
  g_assert(gh_frontier_begin_cycle(st, &c->cycle, &e));
  struct gh_frontier_opts fo = { .cycle = c->cycle, .run_id = 1 };
  c->fr = gh_frontier_new(st, &fo);
}

/* The batch the loop would commit now, committed. */
static inline void
fake_commit(struct fake_crawl *f)
{
  gh_frontier_commit_start(f->c.fr);
  GError *e = NULL;
  enum gh_commit r = gh_frontier_commit_poll(f->c.fr, G_MAXINT64, NULL, NULL, &e);
  EXPECT(r == GH_COMMIT_DONE || r == GH_COMMIT_IDLE, "commit: %s", e ? e->message : "");
  g_clear_error(&e);
}

/* A URL queued as the crawl queues a link from `seed` (committed). */
static inline void
fake_queue(struct fake_crawl *f, const char *url, enum gh_link_kind kind, const char *seed)
{
  crawl_enqueue(&f->c, url, NULL, kind, 1, seed, "532329", "武定县2023年政府信息公开工作年度报告",
                seed);
  fake_commit(f);
}

/* The URL's state as stored (gh_urlstate_free), after a commit. */
static inline struct gh_urlstate *
fake_stored(struct fake_crawl *f, const char *url)
{
  fake_commit(f);
  return gh_frontier_url(f->c.st, url);
}

/* Runs libcurl until one started transfer ends; returns it, removed from
 * the multi handle and `active`, with its result in *rc. */
static inline struct xfer *
fake_run_one(struct fake_crawl *f, CURLcode *rc)
{
  struct crawl *c = &f->c;
  for(int turns = 0; turns < 1000; turns++) {
    int running = 0, left;
    curl_multi_perform(c->multi, &running);
    CURLMsg *m;
    while((m = curl_multi_info_read(c->multi, &left))) {
      if(m->msg != CURLMSG_DONE)
        continue;
      struct xfer *x = NULL;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
      *rc = m->data.result;
      curl_multi_remove_handle(c->multi, m->easy_handle);
      g_hash_table_remove(c->active, x);
      return x;
    }
    curl_multi_poll(c->multi, NULL, 0, 100, NULL);
  }
  g_assert_not_reached();
}

/* The loop's handling of one ended transfer, up to the point where it
 * would hand a 2xx body to a worker. */
static inline struct xfer *
fake_answer_one(struct fake_crawl *f)
{
  CURLcode rc;
  struct xfer *x = fake_run_one(f, &rc);
  crawl_answer(&f->c, x, rc);
  return x;
}

/* Fetches `url` as a turn would start it (its stored state taken), and
 * answers it. */
static inline struct xfer *
fake_fetch(struct fake_crawl *f, const char *url)
{
  char *name = gh_url_host(url);
  struct gh_host *h = crawl_host_get(&f->c, name);
  g_free(name);
  if(!h->robots)
    gh_host_set_robots(h, 404, "", 0); /* no robots.txt: everything allowed */
  fake_commit(f);
  struct gh_urlstate *s = gh_frontier_url(f->c.st, url);
  g_assert(s);
  crawl_start(&f->c, h, url, s, false);
  return fake_answer_one(f);
}

static inline void
fake_xfer_done(struct fake_crawl *f, struct xfer *x)
{
  if(x->fetched)
    g_hash_table_remove(x->host->busy, x->url);
  crawl_xfer_free(x);
  (void)f;
}

static inline void
fake_crawl_end(struct fake_crawl *f)
{
  struct crawl *c = &f->c;
  if(c->pool)
    gh_sandbox_free(c->pool);
  g_hash_table_remove_all(c->processing);
  gh_frontier_free(c->fr);
  gh_store_close(c->st);
  curl_multi_cleanup(c->multi);
  curl_slist_free_all(c->connect_to);
  g_hash_table_destroy(c->active);
  g_sequence_free(c->timers);
  g_queue_clear(&c->dirty);
  g_hash_table_destroy(c->processing);
  g_hash_table_destroy(c->run_seeds);
  g_hash_table_destroy(c->qcount);
  g_ptr_array_free(c->run_hosts, TRUE);
  g_hash_table_destroy(c->hosts);
  g_hash_table_destroy(c->seed_hosts);
  g_ptr_array_free(f->seeds, TRUE);
  gh_crawl_summary_clear(&f->sum);
  gh_config_clear(&f->cfg);
  fake_web_stop(&f->web);
  char *rm = g_strdup_printf("rm -rf '%s'", f->dir);
  EXPECT(system(rm) == 0, "removing %s", f->dir);
  g_free(rm);
  g_free(f->dir);
}

/* The workers are the test program started again: its main() calls this
 * first. */
static const struct gh_sandbox_work fake_works[] = {
  { GH_CRAWL_WORK, NULL, gh_crawl_work },
  { NULL, NULL, NULL },
};

static inline int
fake_crawl_main(const char *suite, const struct gh_case *cases, size_t n, int argc, char **argv)
{
  if(argc > 1 && !strcmp(argv[1], GH_POOL_WORKER_ARG))
    return gh_sandbox_worker_main(argc, argv, fake_works);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = gh_cases_main(suite, cases, n, argc, argv);
  curl_global_cleanup();
  return rc;
}

#endif

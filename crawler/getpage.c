/* gh_get_page and gh_polite_get: one page at a time (getpage.h), for
 * probe and seed discovery. */
#include <curl/curl.h>
#include <string.h>

#include "fetch.h"
#include "getpage.h"
#include "url.h"

void
gh_page_clear(struct gh_page *f)
{
  g_free(f->final_url);
  g_free(f->location);
  g_free(f->ctype);
  g_free(f->error);
  if(f->body)
    g_bytes_unref(f->body);
  memset(f, 0, sizeof *f);
}

void
gh_get_page(const struct gh_config *cfg, struct curl_slist *resolve, struct curl_slist *connect_to,
            const char *url, bool follow, struct gh_page *f)
{
  memset(f, 0, sizeof *f);
  CURL *e = curl_easy_init();
  struct gh_capped in = { g_string_sized_new(16384), cfg->max_document_bytes, false };
  char errbuf[CURL_ERROR_SIZE] = "";
  char *host = gh_url_host(url);
  struct curl_slist *headers = curl_slist_append(NULL, GH_ACCEPT_LANGUAGE);
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, gh_capped_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &in);
  struct gh_private_guard guard;
  gh_crawl_easy_setup(e, cfg, host ? host : "", resolve, connect_to, &guard);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(e);
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &f->status);
  char *eff = NULL, *ct = NULL;
  curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
  curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
  f->final_url = g_strdup(eff ? eff : url);
  char *loc = NULL;
  if(!follow && f->status >= 300 && f->status < 400 &&
     curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
    f->location = gh_url_resolve(url, loc);
  f->ctype = g_strdup(ct);
  if(in.too_large)
    f->error = g_strdup_printf("too_large: over the %zu-byte limit ([limits] max_document_bytes)",
                               in.cap);
  else if(rc == CURLE_COULDNT_CONNECT && guard.refused)
    f->error = g_strdup_printf("private_address: the host resolves to %s, a private address "
                               "([crawl] allow_private lists hosts allowed to)",
                               guard.addr);
  else if(rc != CURLE_OK)
    f->error = g_strdup_printf("%s", *errbuf ? errbuf : curl_easy_strerror(rc));
  f->body = g_string_free_to_bytes(in.body);
  curl_easy_cleanup(e);
  curl_slist_free_all(headers);
  g_free(host);
}

/* A host as gh_polite knows it: the crawler's rules, and what its
 * robots.txt answered. */
struct polite_host {
  struct gh_host *h;
  long robots_status;
  char *robots_error; /* robots.txt got no answer: why */
};

static void
polite_host_free(void *p)
{
  struct polite_host *ph = p;
  gh_host_free(ph->h);
  g_free(ph->robots_error);
  g_free(ph);
}

void
gh_polite_init(struct gh_polite *p, const struct gh_config *cfg, struct curl_slist *resolve,
               struct curl_slist *connect_to)
{
  *p = (struct gh_polite){
    .cfg = cfg, .resolve = resolve, .connect_to = connect_to,
    /* One request at a time per host; no page or failure budget (the
     * caller bounds its walk). */
    .rules = { .delay = cfg->delay_seconds, .connections = 1, .max_pages = G_MAXUINT64,
               .failures = G_MAXUINT64 },
    .hosts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, polite_host_free),
  };
}

void
gh_polite_clear(struct gh_polite *p)
{
  g_hash_table_destroy(p->hosts);
  p->hosts = NULL;
}

/* One request to `h`, after its delay; false when over the budget. */
static bool
polite_fetch(struct gh_polite *p, struct gh_host *h, const char *url, bool follow,
             struct gh_page *f)
{
  if(p->max_fetches && p->fetches >= p->max_fetches)
    return false;
  gint64 now = g_get_monotonic_time(), until;
  if(gh_host_next_job(h, now, &until) == GH_HOST_WAIT)
    g_usleep((gulong)(until - now));
  p->fetches++;
  gh_host_started(h, url, g_get_monotonic_time());
  gh_get_page(p->cfg, p->resolve, p->connect_to, url, follow, f);
  gh_host_answered(h, url, g_get_monotonic_time(), 0, G_MAXUINT64);
  return true;
}

enum gh_polite_result
gh_polite_get(struct gh_polite *p, const char *url, bool follow, struct gh_page *f,
              long *robots_status)
{
  memset(f, 0, sizeof *f);
  if(robots_status)
    *robots_status = 0;
  char *host = gh_url_host(url);
  if(!host)
    return GH_POLITE_BAD_URL;
  struct polite_host *ph = g_hash_table_lookup(p->hosts, host);
  if(!ph) {
    char *ru = gh_url_resolve(url, "/robots.txt");
    struct gh_page r;
    ph = g_new0(struct polite_host, 1);
    ph->h = gh_host_new(host, &p->rules);
    if(!ru || !polite_fetch(p, ph->h, ru, true, &r)) {
      g_free(ru);
      g_free(host);
      polite_host_free(ph);
      return GH_POLITE_OVER_BUDGET;
    }
    g_hash_table_insert(p->hosts, ph->h->name, ph);
    /* RFC 9309: a 4xx allows all, an unreachable or failing robots.txt
     * forbids all; no answer at all is said as such. */
    gsize n = 0;
    const char *b = r.body ? g_bytes_get_data(r.body, &n) : NULL;
    ph->robots_status = r.error ? 0 : r.status;
    if(r.error && !r.status)
      ph->robots_error = g_strdup_printf("robots.txt: %s", r.error);
    gh_host_set_robots(ph->h, ph->robots_status, b, n);
    gh_page_clear(&r);
    g_free(ru);
  }
  g_free(host);
  if(robots_status)
    *robots_status = ph->robots_status;
  if(ph->robots_error) {
    f->error = g_strdup(ph->robots_error);
    return GH_POLITE_NO_ROBOTS;
  }
  char *pq = gh_url_path_query(url);
  bool allowed = gh_host_judge(ph->h, pq) == GH_PICK_FETCH;
  g_free(pq);
  if(!allowed)
    return GH_POLITE_DISALLOWED;
  if(!polite_fetch(p, ph->h, url, follow, f)) {
    memset(f, 0, sizeof *f);
    return GH_POLITE_OVER_BUDGET;
  }
  return GH_POLITE_FETCHED;
}

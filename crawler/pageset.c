/* Image-page reports in the crawl loop.
 *
 * A report page whose body is a row of page scans (pageimg.c) queues each
 * scan as an attachment marked with its page ("page_of" in the state's
 * extra), so the scans are fetched as any document is: robots.txt, the
 * host's delay, the size cap, retries.  A fetched scan is kept, not read;
 * when the last of a page's scans leaves the queue (crawl_finish, fetched
 * or failed), the scans go to a worker as one document, a page bundle
 * (pages.h), which lands as the page's record.  After a restart the set is
 * rebuilt from the page's stored links and the scans' stored bytes. */
#include <string.h>

#include "../extract/pages.h"
#include "crawl_int.h"
#include "url.h"

struct page_set {
  char *page, *host;
  struct gh_urlstate *state; /* the bundle's: seed, region, title text, referer */
  GPtrArray *urls;           /* char *, in the page's order */
  GPtrArray *bodies;         /* GBytes * or NULL, per URL */
  GArray *settled;           /* gboolean, per URL */
  unsigned left, shown;
};

void
crawl_page_set_free(void *p)
{
  struct page_set *ps = p;
  g_free(ps->page);
  g_free(ps->host);
  gh_urlstate_free(ps->state);
  g_ptr_array_free(ps->urls, TRUE);
  g_ptr_array_free(ps->bodies, TRUE);
  g_array_free(ps->settled, TRUE);
  g_free(ps);
}

struct page_set *
crawl_page_set_new(const char *page, const char *host, const struct gh_urlstate *page_state,
             const char *text)
{
  struct page_set *ps = g_new0(struct page_set, 1);
  ps->page = g_strdup(page);
  ps->host = g_strdup(host);
  ps->state = gh_urlstate_new();
  gh_urlstate_set(&ps->state->kind, gh_link_kind_name(GH_LINK_ATTACHMENT));
  gh_urlstate_set(&ps->state->seed, page_state->seed);
  gh_urlstate_set(&ps->state->region, page_state->region);
  gh_urlstate_set(&ps->state->text, text);
  gh_urlstate_set(&ps->state->referer, page_state->referer);
  ps->urls = g_ptr_array_new_with_free_func(g_free);
  ps->bodies = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  ps->settled = g_array_new(FALSE, TRUE, sizeof(gboolean));
  return ps;
}

void
crawl_page_set_add(struct page_set *ps, const char *url, struct gh_urlstate *scan_state)
{
  for(guint i = 0; i < ps->urls->len; i++)
    if(!strcmp(ps->urls->pdata[i], url))
      return;
  if(!scan_state->extra)
    scan_state->extra = json_object();
  json_object_set_new(scan_state->extra, "page_of", json_string(ps->page));
  g_ptr_array_add(ps->urls, g_strdup(url));
  g_ptr_array_add(ps->bodies, NULL);
  gboolean no = FALSE;
  g_array_append_val(ps->settled, no);
  ps->left++;
}

/* A scan's bytes as stored by an earlier run, or NULL. */
static GBytes *
stored_scan(struct crawl *c, const char *sha256)
{
  return sha256 ? gh_frontier_doc(c->st, sha256) : NULL;
}

/* The set of `page` as an earlier run left it (a crawl stopped between its
 * scans): the page's stored links, each scan fetched, failed or still
 * queued; `current` is the scan being settled now. */
static struct page_set *
page_set_rebuild(struct crawl *c, const char *page, const char *current,
                 const struct gh_urlstate *current_state)
{
  struct gh_urlstate *ps_state = gh_frontier_url(c->st, page);
  if(!ps_state || !ps_state->out) {
    gh_urlstate_free(ps_state);
    return NULL;
  }
  char *host = gh_url_host(page);
  struct page_set *ps = crawl_page_set_new(page, host ? host : "", ps_state, current_state->text);
  g_free(host);
  for(guint i = 0; i < ps_state->out->len && ps->urls->len < GH_PAGES_MAX; i++) {
    const struct gh_url_link *l = &g_array_index(ps_state->out, struct gh_url_link, i);
    if(!l->kind || strcmp(l->kind, gh_link_kind_name(GH_LINK_ATTACHMENT)))
      continue;
    guint at = ps->urls->len;
    g_ptr_array_add(ps->urls, g_strdup(l->url));
    g_ptr_array_add(ps->bodies, NULL);
    gboolean no = FALSE;
    g_array_append_val(ps->settled, no);
    ps->left++;
    if(!strcmp(l->url, current))
      continue;
    struct gh_urlstate *ss = gh_frontier_url(c->st, l->url);
    enum gh_url_state st = ss ? gh_urlstate_state(ss) : GH_URL_QUEUED;
    if(st != GH_URL_QUEUED) {
      g_array_index(ps->settled, gboolean, at) = TRUE;
      ps->left--;
      if(st == GH_URL_DONE)
        ps->bodies->pdata[at] = stored_scan(c, ss->sha256);
    }
    gh_urlstate_free(ss);
  }
  ps->shown = ps->urls->len;
  gh_urlstate_free(ps_state);
  if(!c->page_sets)
    c->page_sets = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, crawl_page_set_free);
  g_hash_table_replace(c->page_sets, ps->page, ps);
  return ps;
}

static struct page_set *
page_set_of(struct crawl *c, const struct gh_urlstate *scan_state, const char *url)
{
  const char *page = json_string_value(json_object_get(scan_state->extra, "page_of"));
  if(!page)
    return NULL;
  struct page_set *ps = c->page_sets ? g_hash_table_lookup(c->page_sets, page) : NULL;
  return ps ? ps : page_set_rebuild(c, page, url, scan_state);
}

static gint
page_set_index(const struct page_set *ps, const char *url)
{
  for(guint i = 0; i < ps->urls->len; i++)
    if(!strcmp(ps->urls->pdata[i], url))
      return (gint)i;
  return -1;
}

void
crawl_page_set_listed(struct crawl *c, struct page_set *ps, unsigned shown)
{
  ps->shown = shown;
  if(!c->page_sets)
    c->page_sets = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, crawl_page_set_free);
  g_hash_table_replace(c->page_sets, ps->page, ps);
}

void
crawl_page_set_keep(struct crawl *c, const struct gh_urlstate *s, const char *url,
                    const char *sha, GBytes *body)
{
  gh_frontier_put_doc(c->fr, sha, body); /* for a restart before its set is read */
  struct page_set *ps = page_set_of(c, s, url);
  gint i = ps ? page_set_index(ps, url) : -1;
  if(i < 0 || ps->bodies->pdata[i])
    return;
  /* What the bundle cannot carry (it is under the workers' size limit) is
   * not held in memory either: a page of 20 scans of 32 MiB would be. */
  guint64 kept = g_bytes_get_size(body);
  for(guint k = 0; k < ps->bodies->len; k++)
    kept += ps->bodies->pdata[k] ? g_bytes_get_size(ps->bodies->pdata[k]) : 0;
  if(!c->o->extract.max_bytes || kept <= c->o->extract.max_bytes)
    ps->bodies->pdata[i] = g_bytes_ref(body);
}

bool
crawl_page_set_settle(struct crawl *c, const char *url, const struct gh_urlstate *s,
                      enum gh_url_state state, const char *reason, struct page_bundle *out)
{
  struct page_set *ps = page_set_of(c, s, url);
  gint i = ps ? page_set_index(ps, url) : -1;
  if(i < 0 || g_array_index(ps->settled, gboolean, i))
    return false;
  g_array_index(ps->settled, gboolean, i) = TRUE;
  ps->left--;
  /* Fetched in an earlier cycle and unchanged: its stored bytes. */
  if(state == GH_URL_DONE && !ps->bodies->pdata[i])
    ps->bodies->pdata[i] = stored_scan(c, s->sha256);
  if(!ps->bodies->pdata[i])
    gh_log(GH_LOG_INFO, &(struct gh_log_fields){ .url = url },
           "%s: page image %d of %s not fetched: %s", url, i + 1, ps->page,
           reason ? reason : gh_url_state_name(state));
  if(ps->left)
    return false;
  out->got = 0;
  for(guint k = 0; k < ps->bodies->len; k++)
    out->got += ps->bodies->pdata[k] != NULL;
  out->n = ps->urls->len;
  out->page = g_strdup(ps->page);
  out->host = g_strdup(ps->host);
  out->state = g_steal_pointer(&ps->state);
  out->images = json_array();
  for(guint k = 0; k < ps->urls->len; k++)
    json_array_append_new(out->images, json_string(ps->urls->pdata[k]));
  /* The bundle is a document under the workers' size limit like any
   * other: the scans that would take it past the limit are left out, and
   * the record says how many it read of the row. */
  guint fit = 0;
  guint64 size = 64;
  for(; fit < ps->bodies->len; fit++) {
    GBytes *b = ps->bodies->pdata[fit];
    size += 4 + (b ? g_bytes_get_size(b) : 0);
    if(c->o->extract.max_bytes && size > c->o->extract.max_bytes)
      break;
  }
  out->bundle = gh_pages_bundle((GBytes *const *)ps->bodies->pdata, fit, ps->shown);
  g_hash_table_remove(c->page_sets, ps->page);
  return true;
}

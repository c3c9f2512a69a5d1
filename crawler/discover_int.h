/* What discover.c and the CMS adapters (cms.c) share. */
#ifndef GH_DISCOVER_INT_H
#define GH_DISCOVER_INT_H

#include <curl/curl.h>
#include <glib.h>

#include "discover.h"

/* Upper bounds: a hostile page must not make us queue millions of URLs. */
#define MAX_LINKS_PER_PAGE 5000
#define MAX_GENERATED_PAGES 500
#define MAX_CDATA_BLOCKS 2000

struct collect {
  const char *page_url;
  /* What the page's links resolve against and are judged under: the page,
   * or for an API answer (Hanweb dataproxy.jsp, JPaaS build/unit) the page
   * its script inserts the answer into. */
  const char *link_base;
  enum gh_link_kind from;
  GPtrArray *out;
  GHashTable *seen; /* url -> struct gh_link * */
  unsigned count;
  unsigned anchors; /* every <a href> on the page, followed or not */
  /* For `probe`: every link's verdict and why (NULL: not asked). */
  GPtrArray *explain;
  GHashTable *explained; /* URLs given a verdict: one each */
  const char *why;  /* the reason classify gave, or the rule that forced a kind */
  const char *rule; /* the rule adding links now (pagination, redirect …) */
  /* The page URL parsed once, and what classify asks of it, computed on
   * first use: a column page has thousands of links. */
  CURLU *base;
  int page_column_token; /* -1: not yet known */
  char *page_dir;
};

/* Adds a link found on the page (classified unless forced_kind >= 0). */
void gh_discover_add_link(struct collect *c, const char *href, const char *norm_text,
                          int forced_kind);
/* A link that names a document file (by its path or its query). */
bool gh_discover_attachment_like(const char *norm, const char *url);
/* The <a>/<area>/<iframe> links of HTML (from `tree` when parsed). */
struct GumboInternalOutput;
void gh_discover_collect_html(struct collect *c, const struct GumboInternalOutput *tree,
                              const char *html, size_t len);
/* The compiled patterns the adapters share, by number (cms.c). */
GRegex *gh_discover_rx(int which);

/* The adapters (cms.c).  The bool ones say the page was an API answer
 * and nothing else is to be read from it. */
void gh_cms_trs_pages(struct collect *c, const char *text);
void gh_cms_var_pages(struct collect *c, const char *text);
void gh_cms_hanweb(struct collect *c, const char *text, size_t len);
void gh_cms_printed_urls(struct collect *c, const char *text, size_t len);
bool gh_cms_gkmlpt(struct collect *c, const char *text, size_t len);
void gh_cms_gkmlpt_shell(struct collect *c, const char *text, size_t len);
bool gh_cms_jpaas_json(struct collect *c, const char *text, size_t len);

#endif

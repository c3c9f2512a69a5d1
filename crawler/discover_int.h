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
  /* A seed page that reads as a report column (its title or heading, or
   * the report titles it lists): its links are read as a column's, and
   * its section links still followed. */
  bool seed_column;
  /* Links held until the page is read: a directory's (discover.c). */
  GPtrArray *deferred;
  unsigned agency_columns; /* sub-columns other rules took that name agencies */
  /* Form posts this page led to, and their bodies' bytes (forms.c). */
  unsigned posts;
  size_t post_bytes;
};

/* Adds a link found on the page (classified unless forced_kind >= 0). */
void gh_discover_add_link(struct collect *c, const char *href, const char *norm_text,
                          int forced_kind);
/* The same with a form post's body and id (NULL for a GET) and the link's
 * GH_LINK_F_* flags. */
void gh_discover_add_full(struct collect *c, const char *href, const char *norm_text,
                          int forced_kind, const char *body, const char *post_id, unsigned flags);
/* Whether a link is a trap (政府网站年度报表): never followed. */
bool gh_discover_trap(const char *norm, const char *url);
/* Department directories (directory.c): a link no rule took, held when it
 * names an agency or varies one parameter of the page (`verdict`: probe's,
 * may be NULL); and, once the page is read, those of a directory added as
 * sub-columns. */
struct gh_verdict;
bool gh_directory_defer(struct collect *c, const char *url, const char *norm, const char *body,
                        struct gh_verdict *verdict);
void gh_directory_links(struct collect *c);
/* Whether a link text names an agency (…局, …委员会, …镇, …街道, …中心). */
bool gh_directory_agency_like(const char *norm);
/* The same for a form post: `action` (resolved like an href) is posted
 * `body`; `post_id` names the post in the URL's "#gh-post=" fragment. */
void gh_discover_add_post(struct collect *c, const char *action, const char *norm_text,
                          int forced_kind, const char *body, const char *post_id);
/* The normalised text of an element (gh_discover_norm; scripts and styles
 * left out; the first 4 KiB). */
struct GumboInternalNode;
char *gh_discover_text_of(const struct GumboInternalNode *n);
/* A link text that reads as a pager's (下一页, 末页, », 3, [4]). */
bool gh_discover_pager_like(const char *norm);
/* Form pagers: ASP.NET WebForms __doPostBack links and list forms that post
 * a page number (forms.c), from the page's tree. */
struct GumboInternalOutput;
void gh_forms_discover(struct collect *c, const struct GumboInternalOutput *tree, const char *text,
                       size_t len);
/* A <select> whose change navigates to its option's value: each option a
 * link under its label (forms.c). */
void gh_forms_select(struct collect *c, const struct GumboInternalNode *select);
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

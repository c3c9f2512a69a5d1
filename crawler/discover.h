/* Discovery: what a fetched page links to, and which of those links lead to
 * annual reports.
 *
 * Everything here is general: link texts, title attributes, URL tokens and
 * the pagination idioms of the CMSs behind Chinese portals (TRS
 * createPageHTML, Hanweb datastore/dataproxy, index_N, pageNo, JS page-count
 * variables).  No site is named.  No JavaScript is run. */
#ifndef GH_DISCOVER_H
#define GH_DISCOVER_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* What a URL is to the crawler.  Stored in the URL state, so the values are
 * stable. */
enum gh_link_kind {
  GH_LINK_SEED = 0,     /* a portal or column page from the seed list */
  GH_LINK_SECTION,      /* 政府信息公开 / 政务公开 section: look for the column */
  GH_LINK_COLUMN,       /* the annual-report column, or a year/publisher sub-column */
  GH_LINK_LIST,         /* another page of the current list (pagination) */
  GH_LINK_REPORT,       /* a report page (HTML; may hold attachments) */
  GH_LINK_ATTACHMENT,   /* PDF/DOCX/DOC/WPS download of a report */
  GH_LINK_ROBOTS,       /* robots.txt (internal) */
  GH_LINK_N
};
const char *gh_link_kind_name(enum gh_link_kind k);
bool gh_link_kind_from_name(const char *name, enum gh_link_kind *out);

/* A link reached through a department directory (an agency's name, or the
 * column's path with another value of one query parameter): it may go
 * [crawl] max_depth + GH_DIRECTORY_LEVELS hops from its seed, where
 * directories nest (市直部门 → 某局 → its 科室 or 二级单位). */
#define GH_LINK_F_DIRECTORY 1u
/* A page scan in a report page's article body (pageimg.c): fetched and read
 * with the page's other scans as one document, never on its own. */
#define GH_LINK_F_PAGE_IMAGE 2u
#define GH_DIRECTORY_LEVELS 2

struct gh_link {
  char *url; /* resolved and normalised; a POST's ends in "#gh-post=HASH" */
  char *text; /* link text or title, normalised (gh_discover_norm), may be "" */
  enum gh_link_kind kind;
  /* A form-post page (ASP.NET __doPostBack pager, a list form that posts
   * pageIndex): the form-urlencoded body to POST to the URL without its
   * fragment; NULL for a GET.  The fragment names the post (see forms.c). */
  char *body;
  unsigned flags; /* GH_LINK_F_* */
};
void gh_link_free(void *link);

/* Links worth following from a page of kind `from` at `page_url`.  `utf8` is
 * the page already converted to UTF-8.  Traps (政府网站年度报表) and
 * off-topic links are left out.  Adds struct gh_link * to `out`
 * (free func gh_link_free); a URL appears once. */
void gh_discover(const char *utf8, size_t len, const char *page_url, enum gh_link_kind from,
                 GPtrArray *out);
/* Whether `url` asks an API whose answer a column page's script inserts
 * into the page (Hanweb dataproxy.jsp, JPaaS build/unit): its links are
 * the page's.  The crawler keeps that page along chains of answers. */
bool gh_is_api_answer(const char *url);
struct GumboInternalOutput;
/* gh_discover with the page's gumbo tree (gh_gumbo_parse of `utf8`) when
 * the caller has it, or NULL, and the page an API answer is shown in
 * (`embedding_url`, may be NULL): a Hanweb dataproxy.jsp or JPaaS answer is
 * inserted into its column page by the page's script, so its relative links
 * resolve against, and are judged under, that page. */
void gh_discover_tree(const struct GumboInternalOutput *tree, const char *utf8, size_t len,
                      const char *page_url, const char *embedding_url, enum gh_link_kind from,
                      GPtrArray *out);

/* What discovery made of one link, for `govharvest probe`: the kind it
 * was given, or -1 when it was dropped, and why (a static string). */
struct gh_verdict {
  char *url;
  char *text;
  int kind;
  const char *why;
};
void gh_verdict_free(void *verdict);
/* gh_discover, also recording every link's verdict in `verdicts` (free
 * func gh_verdict_free), in page order. */
void gh_discover_explain(const char *utf8, size_t len, const char *page_url,
                         enum gh_link_kind from, GPtrArray *out, GPtrArray *verdicts);

/* The one form every discovery rule reads a link's or a page's text in
 * (g_free): compatibility forms folded (NFKC: full-width brackets and
 * digits, the ideographic space), white space dropped (gh_norm),
 * traditional characters made simplified (OpenCC t2s).  A rule then names
 * one spelling of each word. */
char *gh_discover_norm(const char *s, size_t len);

/* A report page whose body is a row of page scans: the scans' URLs in
 * order (links of kind GH_LINK_ATTACHMENT, flag GH_LINK_F_PAGE_IMAGE, the
 * page's title as text), at most `max` (the count found is returned, so a
 * longer row is known to be cut).  Images outside the article body (logos,
 * banners, share buttons), small ones (icons) and placeholders are not
 * pages (pageimg.c). */
unsigned gh_discover_page_images(const struct GumboInternalOutput *tree, const char *page_url,
                                 unsigned max, GPtrArray *out);

/* The same for a report page that did not parse as a report, when it
 * links no document (`links`: its links, appended to): a row longer than
 * GH_PAGES_MAX is listed to GH_PAGES_LISTED_MAX, so the crawl can say how
 * long it was. */
void gh_discover_report_scans(const struct GumboInternalOutput *tree, const char *page_url,
                              GPtrArray *links);

#define GH_POST_FRAGMENT "#gh-post="
/* The URL a form post is sent to: `url` without its "#gh-post=" fragment
 * (g_free), or NULL when `url` names no post. */
char *gh_post_target(const char *url);

/* Anti-bot and WAF answers: a reason ("瑞数 anti-bot challenge (HTTP 412)")
 * when the response is one, else NULL.  Such answers are never content. */
const char *gh_detect_blocked(long http_status, const char *body, size_t len);



#endif

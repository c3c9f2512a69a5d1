/* Seed discovery: from provincial and city portals, down their site
 * navigation (政府网站 / 市县政府网站 / 网站群 / 友情链接 blocks, <select>
 * dropdowns, the pages such blocks link to) to the prefecture and county
 * portals, reading each portal's home page for its 网站标识码 (the six-digit
 * GB/T 2260 code of its place, then a serial), its title and its
 * 政府信息公开 link.  Polite like the crawler: robots.txt per host, the
 * configured delay per host, the request options and caps of every fetch;
 * only *.gov.cn hosts are read. */
#ifndef GH_SEEDDISC_H
#define GH_SEEDDISC_H

#include <curl/curl.h>
#include <glib.h>
#include <stdbool.h>

#include "../config/config.h"
#include "../record/places.h"

struct gh_portal {
  char *url;        /* the home page, after redirects */
  char *code;       /* 6 digits, or NULL (unknown, or a conflict: see note) */
  char *name;       /* 会昌县人民政府, 江西省教育厅 */
  char *kind;       /* "government" or "department" */
  char *identifier; /* 网站标识码, or NULL */
  char *xxgk;       /* its 政府信息公开 link, or NULL */
};
void gh_portal_free(void *p);

struct gh_seeddisc_opts {
  const struct gh_config *cfg;
  struct curl_slist *resolve, *connect_to;
  const struct gh_regions *regions;
  unsigned max_pages; /* fetches in all (robots.txt included) */
  unsigned max_depth; /* hops from a start page */
  bool verbose;       /* say each page on stderr */
};

/* Discovers from `starts`; a GPtrArray of struct gh_portal * (free func
 * set), the start portals included, in code order.  What went wrong or
 * needs a look (a conflict, a page without navigation, a start that is no
 * portal, the page bound reached) is a line in `notes`. */
GPtrArray *gh_seeds_discover(const struct gh_seeddisc_opts *o, char **starts, GPtrArray *notes);

/* The seeds TSV: header, then url, region_code, name, kind, identifier. */
GString *gh_portals_tsv(GPtrArray *portals);
/* Reads a seeds TSV of either shape (3 or 5 columns) as portals, through
 * the seed reader (gh_seeds_load_file): one reader, one set of checks. */
GPtrArray *gh_portals_load(const char *file, GError **err);
/* Merges `found` into `list` (both of struct gh_portal *; `found`'s
 * entries are moved or freed): a portal with the identifier of a listed
 * one at another URL updates that URL (moved), one whose URL or identifier
 * is not listed is added; nothing is removed.  Counts in *added, *moved. */
void gh_portals_merge(GPtrArray *list, GPtrArray *found, unsigned *added, unsigned *moved);

#endif

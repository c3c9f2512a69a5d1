/* Department directories: an openness platform's report column that lists
 * departments (or towns) instead of reports, each behind a link whose text
 * is the agency's name, or behind the column's own URL with another value
 * of one query parameter (list.jsp?deptid=12 → ?deptid=13).  No rule of
 * discover.c takes such a link by itself — one is a menu item — so they
 * are held until the page is read, and followed as sub-columns when the
 * page lists several: a directory.  tests/web/family_web.py generates
 * directories two and three levels deep. */
#include <string.h>

#include "../record/textnorm.h"
#include "discover_int.h"
#include "url.h"

/* A link text that names an agency or a place's government: what a
 * department directory lists (县教育体育局, 发展和改革委员会, 城关镇,
 * 东城街道, 县人民法院 …).  Read by its last word, the kind of body, so no
 * list of agencies is needed; one such link is a menu, a page of them is a
 * directory (see defer_directory). */
bool
gh_directory_agency_like(const char *norm)
{
  static const char *const suffixes[] = { "局", "委", "办", "办公室", "政府", "中心", "镇", "乡",
                                          "街道", "办事处", "院", "所", "会", "厅", "署", "站",
                                          "队", "馆", "社", "处", "管委会", "分局", "公司", NULL };
  size_t n = gh_utf8_len_upto(norm, 30);
  if(n < 2 || n > 30 || strpbrk(norm, "0123456789") || strstr(norm, "首页"))
    return false;
  for(const char *const *w = suffixes; *w; w++)
    if(g_str_has_suffix(norm, *w))
      return true;
  return false;
}

/* The one query parameter whose value `url` changes against the page's
 * own URL (same path, same parameter names): a directory's
 * list.jsp?deptid=12 → ?deptid=13 (g_free), else NULL.  Page numbers are
 * the pager's, not a directory's. */
static char *
sibling_param(struct collect *c, const char *url)
{
  static const char *const pagers[] = { "page", "pageno", "pageindex", "curpage", "pagenum",
                                        "currentpage", "p", "pn", "start", "offset", "cpage",
                                        "startrecord", "endrecord", "perpage", "pagesize", "cur_page",
                                        "currpage", "pagenumber", NULL };
  char *mine = gh_url_path_query(c->link_base), *theirs = gh_url_path_query(url);
  char *param = NULL;
  char *qm = mine ? strchr(mine, '?') : NULL, *qt = theirs ? strchr(theirs, '?') : NULL;
  if(!qm || !qt || qm - mine != qt - theirs || strncmp(mine, theirs, (size_t)(qm - mine)))
    goto out;
  char **a = g_strsplit(qm + 1, "&", 32), **b = g_strsplit(qt + 1, "&", 32);
  guint n = g_strv_length(a);
  int differ = 0;
  if(n == g_strv_length(b) && n < 32) {
    for(guint i = 0; i < n; i++) {
      const char *ea = strchr(a[i], '='), *eb = strchr(b[i], '=');
      size_t la = ea ? (size_t)(ea - a[i]) : strlen(a[i]), lb = eb ? (size_t)(eb - b[i]) : strlen(b[i]);
      if(la != lb || strncmp(a[i], b[i], la)) {
        differ = 2; /* another parameter: another kind of page */
        break;
      }
      if(strcmp(a[i], b[i]) && differ++ == 0) {
        param = g_ascii_strdown(a[i], (gssize)la);
      }
    }
  }
  if(differ != 1 || (param && !*param))
    g_clear_pointer(&param, g_free);
  for(const char *const *w = pagers; param && *w; w++)
    if(!strcmp(param, *w))
      g_clear_pointer(&param, g_free);
  g_strfreev(a);
  g_strfreev(b);
out:
  g_free(mine);
  g_free(theirs);
  return param;
}

/* Links held per page: a directory lists tens of departments, not
 * thousands (and the duplicate check below is linear). */
#define MAX_DEFERRED 1000

struct deferred {
  char *url, *text, *group, *body;
  struct gh_verdict *verdict; /* probe's, or NULL */
};

static void
deferred_free(void *p)
{
  struct deferred *d = p;
  g_free(d->url);
  g_free(d->text);
  g_free(d->group);
  g_free(d->body);
  g_free(d);
}

/* A link of a column or list page that no rule took but that names an
 * agency or repeats the page with another value of one parameter: held
 * until the whole page is read.  A page with several is a department
 * directory (gh_directory_links); one alone is a menu item. */
bool
gh_directory_defer(struct collect *c, const char *url, const char *norm, const char *body,
                struct gh_verdict *v)
{
  if(c->from != GH_LINK_COLUMN && c->from != GH_LINK_LIST)
    return false;
  if(!*norm || gh_discover_trap(norm, url) || gh_utf8_len_upto(norm, 30) > 30)
    return false;
  char *group = gh_directory_agency_like(norm) ? g_strdup("an agency's name") : NULL;
  if(!group) {
    char *param = body ? NULL : sibling_param(c, url);
    if(param)
      group = g_strdup_printf("the page with another %s=", param);
    g_free(param);
  }
  if(!group)
    return false;
  if(!c->deferred)
    c->deferred = g_ptr_array_new_with_free_func(deferred_free);
  /* A department listed twice (the list and a side menu) is one. */
  for(guint i = 0; i < c->deferred->len; i++)
    if(!strcmp(((struct deferred *)c->deferred->pdata[i])->url, url)) {
      g_free(group);
      return true;
    }
  if(c->deferred->len >= MAX_DEFERRED) {
    g_free(group);
    return false;
  }
  struct deferred *d = g_new0(struct deferred, 1);
  d->url = g_strdup(url);
  d->text = g_strdup(norm);
  d->group = group;
  d->body = g_strdup(body);
  d->verdict = v;
  if(v)
    v->why = "named an agency or varied one parameter, but too few such links for a directory";
  g_ptr_array_add(c->deferred, d);
  return true;
}

/* Agency links: three make a directory.  Parameter siblings: two. */
void
gh_directory_links(struct collect *c)
{
  if(!c->deferred)
    return;
  GHashTable *n = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i < c->deferred->len; i++) {
    struct deferred *d = c->deferred->pdata[i];
    g_hash_table_insert(n, d->group,
                        GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(n, d->group)) + 1));
  }
  c->rule = "a department directory: one of several links that name agencies or vary one "
            "parameter of the page";
  for(guint i = 0; i < c->deferred->len; i++) {
    struct deferred *d = c->deferred->pdata[i];
    /* The agencies other rules took already (short names under the
     * page's directory) count towards the directory too. */
    bool agency = g_str_has_prefix(d->group, "an agency");
    guint count = GPOINTER_TO_UINT(g_hash_table_lookup(n, d->group)) + (agency ? c->agency_columns : 0);
    if(count < (agency ? 3u : 2u))
      continue;
    if(d->verdict) {
      d->verdict->kind = GH_LINK_COLUMN;
      d->verdict->why = c->rule;
    }
    /* The post id is in d->url already (a form-post department link). */
    char *target = d->body ? gh_post_target(d->url) : NULL;
    const char *id = target ? d->url + strlen(target) + strlen(GH_POST_FRAGMENT) : NULL;
    gh_discover_add_full(c, target ? target : d->url, d->text, GH_LINK_COLUMN, d->body, id,
                  GH_LINK_F_DIRECTORY);
    g_free(target);
  }
  c->rule = NULL;
  g_hash_table_destroy(n);
}


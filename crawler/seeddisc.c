#include "seeddisc.h"

#include <gumbo.h>
#include <string.h>

#include "../extract/charset.h"
#include "../extract/htmlwalk.h"
#include "seeds.h"
#include "crawl.h"
#include "discover.h"
#include "getpage.h"
#include "robots.h"
#include "url.h"

void
gh_portal_free(void *p)
{
  struct gh_portal *x = p;
  if(!x)
    return;
  g_free(x->url);
  g_free(x->code);
  g_free(x->name);
  g_free(x->kind);
  g_free(x->identifier);
  g_free(x->xxgk);
  g_free(x);
}

/* ---- reading a page ---- */

/* Headings of the blocks that list other governments' sites. */
static const char *const nav_words[] = {
  "政府网站", "市县政府", "县区政府", "县（市、区）", "县(市、区)", "市州政府", "地市政府", "市州网站",
  "网站群", "友情链接", "网站导航", "地方政府", "市县网站", "县区网站", "部门网站", "各区政府",
  "区县政府", "相关链接", "政府门户", "县市区", "县（市）区", "区县", "市县区", "县（市、区", "市县",
  "县区", "所属县", "设区市", "各市", NULL
};

static bool
has_nav_word(const char *text)
{
  for(const char *const *w = nav_words; *w; w++)
    if(strstr(text, *w))
      return true;
  return false;
}

struct link {
  char *url, *text;
  bool nav;    /* inside a block headed by a nav word, or a <select> option */
};

struct page {
  const char *base;
  GString *title;
  GString *text;      /* all text, for the 网站标识码 in the footer */
  GPtrArray *links;   /* struct link * */
  char *identifier;   /* from a <meta> */
  char *site_name;    /* <meta name="SiteName"> */
  char *refresh;      /* <meta http-equiv=refresh> target */
  char *xxgk;
  int nav_depth;      /* >0: inside a nav block */
  GPtrArray *nav_nodes;
};

static void
link_free(void *p)
{
  struct link *l = p;
  g_free(l->url);
  g_free(l->text);
  g_free(l);
}

/* Text of a node's subtree, spaces squeezed out. */
static void
node_text(const GumboNode *n, GString *out)
{
  if(n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE || n->type == GUMBO_NODE_CDATA) {
    for(const char *p = n->v.text.text; *p; p = g_utf8_next_char(p)) {
      gunichar c = g_utf8_get_char(p);
      if(!g_unichar_isspace(c) && c != 0x3000 && c != 0xA0)
        g_string_append_unichar(out, c);
    }
    return;
  }
  const GumboVector *k = gh_gumbo_children(n);
  for(unsigned i = 0; k && i < k->length; i++)
    node_text(k->data[i], out);
}

/* Whether an element heads a nav block: its own text (not its links')
 * names one. */
static bool
heads_nav(const GumboNode *n)
{
  const GumboVector *k = gh_gumbo_children(n);
  GString *own = g_string_new(NULL);
  for(unsigned i = 0; k && i < k->length; i++) {
    const GumboNode *c = k->data[i];
    if(c->type == GUMBO_NODE_TEXT) {
      node_text(c, own);
    } else if(c->type == GUMBO_NODE_ELEMENT) {
      GumboTag t = c->v.element.tag;
      if(t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3 || t == GUMBO_TAG_H4 ||
         t == GUMBO_TAG_H5 || t == GUMBO_TAG_SPAN || t == GUMBO_TAG_STRONG || t == GUMBO_TAG_B ||
         t == GUMBO_TAG_DT || t == GUMBO_TAG_LABEL || t == GUMBO_TAG_P || t == GUMBO_TAG_EM ||
         t == GUMBO_TAG_LEGEND || t == GUMBO_TAG_CAPTION)
        node_text(c, own);
    }
    if(own->len > 600)
      break;
  }
  bool yes = own->len < 600 && has_nav_word(own->str);
  g_string_free(own, TRUE);
  return yes;
}

static const char *
attr(const GumboNode *n, const char *name)
{
  const GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? a->value : NULL;
}

static void
add_link(struct page *p, const char *href, const GumboNode *textnode, bool nav)
{
  if(!href || !*href || g_str_has_prefix(href, "javascript:") || g_str_has_prefix(href, "#"))
    return;
  char *url = gh_url_resolve(p->base, href);
  if(!url)
    return;
  struct link *l = g_new0(struct link, 1);
  l->url = url;
  GString *t = g_string_new(NULL);
  node_text(textnode, t);
  if(!t->len && textnode->type == GUMBO_NODE_ELEMENT && attr(textnode, "title"))
    g_string_append(t, attr(textnode, "title"));
  /* The form every discovery rule reads (full-width, traditional …). */
  l->text = gh_discover_norm(t->str, t->len);
  g_string_free(t, TRUE);
  l->nav = nav;
  g_ptr_array_add(p->links, l);
}

/* An onchange that opens the option's value, or an option whose value is
 * itself a URL: the dropdown of 市县政府网站. */
static bool
page_enter(const GumboNode *n, void *ud)
{
  struct page *p = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return true;
  GumboTag t = n->v.element.tag;
  if(t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE)
    return false;
  if(heads_nav(n)) {
    p->nav_depth++;
    g_ptr_array_add(p->nav_nodes, (gpointer)n);
  }
  if(t == GUMBO_TAG_TITLE && !p->title->len) {
    node_text(n, p->title);
  } else if(t == GUMBO_TAG_META) {
    const char *name = attr(n, "name"), *equiv = attr(n, "http-equiv"), *content = attr(n, "content");
    /* The 政府网站发展指引 (2017) has every page carry <meta
     * name="SiteIDCode" content="1304000009">, beside SiteName and
     * SiteDomain; a few CMSs name it otherwise. */
    if(name && content && !p->identifier &&
       (!g_ascii_strcasecmp(name, "SiteIDCode") || !g_ascii_strcasecmp(name, "SiteCode") ||
        !g_ascii_strcasecmp(name, "SiteIdentifier")))
      p->identifier = g_strstrip(g_strdup(content));
    if(name && content && !p->site_name && !g_ascii_strcasecmp(name, "SiteName"))
      p->site_name = g_strstrip(g_strdup(content));
    if(equiv && content && !g_ascii_strcasecmp(equiv, "refresh") && !p->refresh) {
      const char *u = strstr(content, "url=");
      if(!u)
        u = strstr(content, "URL=");
      if(u)
        p->refresh = gh_url_resolve(p->base, g_strstrip(g_strdelimit(g_strdup(u + 4), "'\"", ' ')));
    }
  } else if(t == GUMBO_TAG_A) {
    GString *text = g_string_new(NULL);
    node_text(n, text);
    char *norm = gh_discover_norm(text->str, text->len);
    if(!p->xxgk && strstr(norm, "政府信息公开") && attr(n, "href"))
      p->xxgk = gh_url_resolve(p->base, attr(n, "href"));
    g_free(norm);
    g_string_free(text, TRUE);
    add_link(p, attr(n, "href"), n, p->nav_depth > 0);
  } else if(t == GUMBO_TAG_OPTION) {
    add_link(p, attr(n, "value"), n, true);
  }
  return true;
}

static void
page_leave(const GumboNode *n, void *ud)
{
  struct page *p = ud;
  if(p->nav_nodes->len && p->nav_nodes->pdata[p->nav_nodes->len - 1] == n) {
    g_ptr_array_remove_index(p->nav_nodes, p->nav_nodes->len - 1);
    p->nav_depth--;
  }
}

/* 网站标识码：3601240001 in the page's text (the footer). */
static char *
identifier_in(const char *text)
{
  const char *k = strstr(text, "网站标识码");
  if(!k)
    return NULL;
  const char *p = k + strlen("网站标识码");
  while(*p && !g_ascii_isalnum(*p) && p - k < 24)
    p = g_utf8_next_char(p);
  /* Ten characters (the place's six digits, a four-digit serial); the
   * footer's next words may follow without a space once squeezed. */
  size_t n = 0;
  while(g_ascii_isalnum(p[n]) && n < 10)
    n++;
  return n == 10 && !g_ascii_isdigit(p[10]) ? g_strndup(p, 10) : NULL;
}

static bool
read_page(struct page *p, const struct gh_page *f)
{
  gsize len;
  const char *bytes = g_bytes_get_data(f->body, &len);
  char *cs = f->ctype ? gh_content_type_charset(f->ctype) : NULL;
  size_t ulen = 0;
  char *utf8 = gh_to_utf8(bytes, len, cs, true, &ulen, NULL, NULL);
  g_free(cs);
  if(!utf8)
    return false;
  struct gh_html_tree *tree = gh_gumbo_parse(utf8, ulen);
  if(tree) {
    gh_gumbo_walk(tree->out->root, page_enter, page_leave, p);
    node_text(tree->out->root, p->text);
    gh_gumbo_free(tree);
  }
  g_free(utf8);
  if(!p->identifier)
    p->identifier = identifier_in(p->text->str);
  return tree != NULL;
}

static void
page_init(struct page *p, const char *base)
{
  memset(p, 0, sizeof *p);
  p->base = base;
  p->title = g_string_new(NULL);
  p->text = g_string_new(NULL);
  p->links = g_ptr_array_new_with_free_func(link_free);
  p->nav_nodes = g_ptr_array_new();
}

static void
page_clear(struct page *p)
{
  g_string_free(p->title, TRUE);
  g_string_free(p->text, TRUE);
  g_ptr_array_free(p->links, TRUE);
  g_ptr_array_free(p->nav_nodes, TRUE);
  g_free(p->identifier);
  g_free(p->site_name);
  g_free(p->refresh);
  g_free(p->xxgk);
}

/* ---- fetching politely ---- */

struct disc {
  const struct gh_seeddisc_opts *o;
  struct gh_polite web;  /* robots.txt and delays per host, and the fetch budget */
  GHashTable *seen;      /* URLs fetched or queued */
  GHashTable *portals;   /* host -> struct gh_portal (identified) */
  GHashTable *by_id;     /* identifier -> struct gh_portal (borrowed) */
  GQueue *todo;          /* struct item */
  GPtrArray *notes;
  bool bound_noted;
};

struct item {
  char *url;
  unsigned depth;
  bool portal;       /* a portal's home page (else a nav page) */
  char *owner;       /* the code of the portal whose navigation led here */
};

static void
item_free(struct item *it)
{
  g_free(it->url);
  g_free(it->owner);
  g_free(it);
}

/* The page at `url`, after robots.txt and the host's delay; false (and
 * a note) when it may not or could not be read.  *f is always set. */
static bool
polite_get_one(struct disc *d, const char *url, struct gh_page *f)
{
  switch(gh_polite_get(&d->web, url, false, f, NULL)) {
  case GH_POLITE_BAD_URL:
    return false;
  case GH_POLITE_OVER_BUDGET:
    if(!d->bound_noted)
      g_ptr_array_add(d->notes, g_strdup_printf("stopped at %u fetches (--max-pages): the rest "
                                                "of the navigation was not read",
                                                d->o->max_pages));
    d->bound_noted = true;
    return false;
  case GH_POLITE_DISALLOWED:
    g_ptr_array_add(d->notes, g_strdup_printf("%s: robots.txt disallows it", url));
    return false;
  case GH_POLITE_NO_ROBOTS:
    g_ptr_array_add(d->notes, g_strdup_printf("%s: %s", url, f->error));
    return false;
  case GH_POLITE_FETCHED:
    break;
  }
  if(d->o->verbose)
    fprintf(stderr, "seeds discover: %s %ld%s%s\n", url, f->status, f->error ? " " : "",
            f->error ? f->error : "");
  bool ok = !f->error && f->status >= 200 && f->status < 300 && f->body;
  if(f->location)
    ok = true; /* the caller follows it, politely */
  else if(!ok && f->error)
    g_ptr_array_add(d->notes, g_strdup_printf("%s: %s", url, f->error));
  else if(!ok)
    g_ptr_array_add(d->notes, g_strdup_printf("%s: HTTP %ld", url, f->status));
  return ok;
}

/* The page at `url`, redirects followed one by one so that each target's
 * host gets its robots.txt and its delay, as the crawler does. */
static bool
polite_get(struct disc *d, const char *url, struct gh_page *f)
{
  char *at = g_strdup(url);
  bool ok = false;
  for(guint64 hop = 0;; hop++) {
    ok = polite_get_one(d, at, f);
    if(!ok || !f->location)
      break;
    char *next = g_strdup(f->location);
    if(hop >= d->o->cfg->max_redirects || !strcmp(next, at)) {
      g_ptr_array_add(d->notes, g_strdup_printf("%s: too many redirects", url));
      g_free(next);
      ok = false;
      break;
    }
    gh_page_clear(f);
    g_free(at);
    at = next;
  }
  if(ok) {
    g_free(f->final_url);
    f->final_url = g_strdup(at);
  }
  g_free(at);
  return ok;
}

/* ---- what a portal is ---- */

/* The title's part that names the site: 会昌县人民政府 out of
 * "首页 - 会昌县人民政府门户网站". */
static char *
site_name(const struct gh_regions *t, const char *title, const char *hint)
{
  char **parts = g_regex_split_simple("\\s*[-_|｜—–·:：]+\\s*|\\s{2,}", title, 0, 0);
  char *best = NULL;
  for(char **p = parts; *p && !best; p++)
    if(**p && (gh_region_named(t, *p, hint) || strstr(*p, "政府")))
      best = g_strdup(*p);
  if(!best)
    best = g_strdup(parts[0] ? parts[0] : "");
  g_strfreev(parts);
  static const char *const tails[] = { "门户网站", "政府网站", "官方网站", "网站", "门户", "首页",
                                       "官网", "欢迎您", NULL };
  for(bool again = true; again;) {
    again = false;
    for(const char *const *s = tails; *s; s++)
      if(g_str_has_suffix(best, *s) && strlen(best) > strlen(*s)) {
        best[strlen(best) - strlen(*s)] = '\0';
        again = true;
      }
  }
  if(g_str_has_suffix(best, "政府网"))
    best[strlen(best) - strlen("网")] = '\0';
  return g_strstrip(best);
}

static bool
valid_identifier(const struct gh_regions *t, const char *id)
{
  if(!id || strlen(id) != 10)
    return false;
  char code[7];
  memcpy(code, id, 6);
  code[6] = '\0';
  return strspn(code, "0123456789") == 6 && gh_region_name(t, code);
}

/* A home page's address as the seed list keeps it: the site's root when
 * the page is the root or its index page. */
static char *
home_url(const char *url)
{
  char *pq = gh_url_path_query(url);
  bool index = !pq || !strcmp(pq, "/") ||
               (!strchr(pq + 1, '/') && !strchr(pq, '?') && g_str_has_prefix(pq, "/index."));
  g_free(pq);
  return index ? gh_url_resolve(url, "/") : g_strdup(url);
}

static struct gh_portal *
identify(struct disc *d, const char *url, struct page *p, const char *owner)
{
  const struct gh_regions *t = d->o->regions;
  struct gh_portal *x = g_new0(struct gh_portal, 1);
  x->url = home_url(url);
  x->xxgk = g_strdup(p->xxgk);
  char *name = site_name(t, p->title->str, owner);
  /* A title that names no place nor government ("首页", "欢迎访问"): the
   * SiteName meta, when it does. */
  if(p->site_name && !gh_region_named(t, name, owner) && !strstr(name, "政府")) {
    char *alt = site_name(t, p->site_name, owner);
    if(gh_region_named(t, alt, owner) || strstr(alt, "政府")) {
      g_free(name);
      name = alt;
    } else {
      g_free(alt);
    }
  }
  char *id_code = NULL;
  if(valid_identifier(t, p->identifier)) {
    x->identifier = g_strdup(p->identifier);
    id_code = g_strndup(p->identifier, 6);
  } else if(p->identifier) {
    g_ptr_array_add(d->notes, g_strdup_printf("%s: 网站标识码 '%s' names no place in the table",
                                              url, p->identifier));
  }
  const char *title_code = gh_region_named(t, name, id_code ? id_code : owner);
  if(id_code && title_code && !gh_region_within(t, title_code, id_code) &&
     !gh_region_within(t, id_code, title_code)) {
    /* Reported, not guessed: one of the two is wrong. */
    g_ptr_array_add(d->notes, g_strdup_printf(
                      "%s: conflict: its 网站标识码 %s says %s (%s), its title '%s' says %s (%s); "
                      "region left empty",
                      url, x->identifier, id_code, gh_region_name(t, id_code), p->title->str,
                      title_code, gh_region_name(t, title_code)));
  } else {
    x->code = g_strdup(id_code ? id_code : title_code);
  }
  if(!x->code && !id_code && !title_code)
    g_ptr_array_add(d->notes, g_strdup_printf("%s: no 网站标识码 and no place in its title '%s'",
                                              url, p->title->str));
  /* A bureau's own site names an agency beyond the government. */
  const char *where = NULL;
  char *normal = gh_agency_identity(t, name, x->code, NULL, &where);
  bool government = !strcmp(normal, "人民政府") || !*name;
  x->kind = g_strdup(government ? "government" : "department");
  if(government && x->code)
    x->name = g_strconcat(gh_region_name(t, x->code), "人民政府", NULL);
  else
    x->name = g_strdup(*name ? name : url);
  g_free(normal);
  g_free(name);
  g_free(id_code);
  return x;
}

/* ---- the walk ---- */

static void
push(struct disc *d, const char *url, unsigned depth, bool portal, const char *owner)
{
  if(depth > d->o->max_depth || g_hash_table_contains(d->seen, url))
    return;
  g_hash_table_add(d->seen, g_strdup(url));
  struct item *it = g_new0(struct item, 1);
  it->url = g_strdup(url);
  it->depth = depth;
  it->portal = portal;
  it->owner = g_strdup(owner);
  g_queue_push_tail(d->todo, it);
}

/* Links of a page that lead to other governments' portals, and same-host
 * pages that list them. */
static unsigned
follow_navigation(struct disc *d, const struct item *it, struct page *p, const char *code)
{
  const struct gh_regions *t = d->o->regions;
  char *here = gh_url_host(it->url);
  unsigned n = 0;
  for(guint i = 0; i < p->links->len; i++) {
    const struct link *l = p->links->pdata[i];
    char *host = gh_url_host(l->url);
    if(!host) {
      continue;
    } else if(!strcmp(host, here ? here : "")) {
      /* A page of this site that lists the sites: 市县政府网站, 网站群. */
      if(has_nav_word(l->text) && g_utf8_strlen(l->text, -1) <= 12) {
        push(d, l->url, it->depth + 1, false, code);
        n++;
      }
    } else if(gh_url_host_is_gov(host) && strcmp(host, "www.gov.cn") &&
              !g_hash_table_contains(d->portals, host)) {
      /* Another government site: one this portal's navigation lists, or
       * whose link names a place of this portal's region. */
      const char *named = gh_region_named(t, l->text, code);
      /* Without the hint too: a neighbouring province's 湖南省人民政府 is
       * far from the hint, which is why the hinted lookup drops it. */
      const char *anywhere = gh_region_named(t, l->text, NULL);
      bool inside = !code || (named && gh_region_within(t, named, code));
      bool outside = code && !inside && ((named && !inside) ||
                                         (anywhere && !gh_region_within(t, anywhere, code)));
      if(!outside && (l->nav || (named && inside))) {
        /* A link to a page inside the site (a column, index.html) still
         * means the site: its home page is what identifies it. */
        char *root = gh_url_resolve(l->url, "/");
        if(root)
          push(d, root, it->depth + 1, true, code);
        g_free(root);
        n++;
      }
    }
    g_free(host);
  }
  g_free(here);
  return n;
}

static gint
portal_cmp(gconstpointer a, gconstpointer b)
{
  const struct gh_portal *x = *(struct gh_portal *const *)a, *y = *(struct gh_portal *const *)b;
  int c = g_strcmp0(x->code ? x->code : "~", y->code ? y->code : "~");
  if(!c)
    c = g_strcmp0(x->kind, y->kind) * -1; /* government first */
  return c ? c : strcmp(x->url, y->url);
}

GPtrArray *
gh_seeds_discover(const struct gh_seeddisc_opts *o, char **starts, GPtrArray *notes)
{
  struct disc d = {
    .o = o,
    .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .portals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
    .by_id = g_hash_table_new(g_str_hash, g_str_equal),
    .todo = g_queue_new(),
    .notes = notes,
  };
  gh_polite_init(&d.web, o->cfg, o->resolve, o->connect_to);
  d.web.max_fetches = o->max_pages;
  GPtrArray *out = g_ptr_array_new_with_free_func(gh_portal_free);
  for(char **s = starts; s && *s; s++) {
    char *u = gh_url_resolve(NULL, *s);
    if(u)
      push(&d, u, 0, true, NULL);
    else
      g_ptr_array_add(notes, g_strdup_printf("'%s' is not an http(s) URL", *s));
    g_free(u);
  }
  struct item *it;
  while((it = g_queue_pop_head(d.todo))) {
    struct gh_page f;
    if(!polite_get(&d, it->url, &f)) {
      gh_page_clear(&f);
      item_free(it);
      continue;
    }
    struct page p;
    const char *final = f.final_url ? f.final_url : it->url;
    page_init(&p, final);
    if(!read_page(&p, &f)) {
      g_ptr_array_add(notes, g_strdup_printf("%s: not a readable HTML page", it->url));
    } else if(p.refresh && !p.links->len && it->depth < o->max_depth) {
      /* A root that moves on by <meta refresh>: the portal is there. */
      g_hash_table_remove(d.seen, p.refresh);
      push(&d, p.refresh, it->depth, it->portal, it->owner);
    } else {
      char *fh = gh_url_host(final);
      const char *code = it->owner;
      struct gh_portal *x = NULL;
      if(it->portal && fh && !g_hash_table_contains(d.portals, fh)) {
        x = identify(&d, final, &p, it->owner);
        struct gh_portal *twin = x->identifier ? g_hash_table_lookup(d.by_id, x->identifier) : NULL;
        if(twin) {
          /* The same site under a second name (an old domain). */
          g_ptr_array_add(notes, g_strdup_printf("%s: the same site as %s (网站标识码 %s)", final,
                                                 twin->url, x->identifier));
          gh_portal_free(x);
          x = NULL;
        } else {
          g_hash_table_insert(d.portals, g_strdup(fh), x);
          char *ih = gh_url_host(it->url);
          if(ih && strcmp(ih, fh)) /* redirected: the old host is this portal too */
            g_hash_table_insert(d.portals, g_strdup(ih), x);
          g_free(ih);
          if(x->identifier)
            g_hash_table_insert(d.by_id, x->identifier, x);
          g_ptr_array_add(out, x);
          code = x->code;
        }
      }
      /* Down the navigation of provinces and prefectures (and of any start
       * page or list page); counties and departments are leaves. */
      bool descend = !it->portal || it->depth == 0 ||
                     (x && !strcmp(x->kind, "government") && x->code && g_str_has_suffix(x->code, "00"));
      unsigned n = descend ? follow_navigation(&d, it, &p, code) : 0;
      char *pq = gh_url_path_query(final);
      bool home = !pq || !strcmp(pq, "/") || strstr(pq, "/index.") == pq;
      if(it->depth == 0 && !home && !p.identifier)
        g_ptr_array_add(notes, g_strdup_printf("%s: not a portal's home page (no 网站标识码, a path "
                                               "of its own); give the portal's address",
                                               final));
      g_free(pq);
      if(it->depth == 0 && !n)
        g_ptr_array_add(notes, g_strdup_printf(
                          "%s: no site navigation (政府网站, 市县政府网站, 网站群, a dropdown of "
                          "sites) found%s",
                          final, x && x->identifier ? "" : ", and no 网站标识码: not a government portal?"));
      g_free(fh);
    }
    page_clear(&p);
    gh_page_clear(&f);
    item_free(it);
  }
  g_ptr_array_sort(out, portal_cmp);
  g_queue_free_full(d.todo, (GDestroyNotify)item_free);
  gh_polite_clear(&d.web);
  g_hash_table_destroy(d.seen);
  g_hash_table_destroy(d.portals);
  g_hash_table_destroy(d.by_id);
  return out;
}

/* ---- the seeds TSV ---- */

GString *
gh_portals_tsv(GPtrArray *portals)
{
  GString *s = g_string_new("url\tregion_code\tname\tkind\tidentifier\n");
  for(guint i = 0; i < portals->len; i++) {
    const struct gh_portal *x = portals->pdata[i];
    g_string_append_printf(s, "%s\t%s\t%s\t%s\t%s\n", x->url, x->code ? x->code : "",
                           x->name ? x->name : "", x->kind ? x->kind : "",
                           x->identifier ? x->identifier : "");
  }
  return s;
}

GPtrArray *
gh_portals_load(const char *file, GError **err)
{
  /* The seed reader's checks (http(s) URLs, six-digit codes) apply. */
  GPtrArray *seeds = gh_seeds_load_file(file, NULL, err);
  if(!seeds)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func(gh_portal_free);
  for(guint i = 0; i < seeds->len; i++) {
    struct gh_seed *sd = seeds->pdata[i];
    struct gh_portal *x = g_new0(struct gh_portal, 1);
    x->url = g_steal_pointer(&sd->url);
    x->code = g_steal_pointer(&sd->region_code);
    x->name = g_steal_pointer(&sd->name);
    x->kind = g_steal_pointer(&sd->kind);
    x->identifier = g_steal_pointer(&sd->identifier);
    g_ptr_array_add(out, x);
  }
  g_ptr_array_free(seeds, TRUE);
  return out;
}

void
gh_portals_merge(GPtrArray *list, GPtrArray *found, unsigned *added, unsigned *moved)
{
  *added = *moved = 0;
  for(guint i = 0; i < found->len; i++) {
    struct gh_portal *x = found->pdata[i];
    struct gh_portal *same = NULL;
    bool url_listed = false;
    for(guint k = 0; k < list->len; k++) {
      struct gh_portal *y = list->pdata[k];
      if(!strcmp(y->url, x->url))
        url_listed = true;
      if(x->identifier && y->identifier && !strcmp(x->identifier, y->identifier))
        same = y;
    }
    if(same && strcmp(same->url, x->url)) {
      /* Moved: the same site (identifier) at a new address. */
      g_free(same->url);
      same->url = g_strdup(x->url);
      (*moved)++;
    } else if(!same && !url_listed) {
      g_ptr_array_add(list, x);
      found->pdata[i] = NULL;
      (*added)++;
    }
  }
  g_ptr_array_set_free_func(found, gh_portal_free);
}

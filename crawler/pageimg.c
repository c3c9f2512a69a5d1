/* Report pages whose body is a row of page scans (discover.h's
 * gh_discover_page_images).
 *
 * Township portals often publish the annual report as JPEG pages in the
 * article: a TRS `<div class="TRS_Editor">`, a `<div id="zoom">`, a VSB
 * `<div class="v_news_content">`, each `<img>` in a `<p>`, sometimes in an
 * `<a>` to the full-size file, sometimes lazy-loaded (the real file in
 * `data-src`/`data-original`, `src` a placeholder), sometimes with a
 * caption.  The same page carries the site's chrome: a logo and banners in
 * the header, share and print icons, QR codes and the 党政机关 badge in the
 * footer.  A page image is an image inside the article container, not
 * inside chrome, not declared small, not a placeholder or icon by name. */
#include <gumbo.h>
#include <string.h>

#include "discover.h"
#include "../extract/pages.h"
#include "../extract/htmlwalk.h"
#include "url.h"

/* Class or id words of a CMS's article body. */
static const char *const content_words[] = {
  "trs_editor", "zoom", "custom_unionstyle", "v_news_content", "ucap-content", "article",
  "content", "detail", "newstext", "news_text", "wzy", "xl_con", "main-txt", "con_text",
  "bt_content", "view", NULL
};
/* …and of the chrome around it, which wins where both are named. */
static const char *const chrome_words[] = {
  "head", "foot", "nav", "logo", "banner", "menu", "share", "bdshare", "print", "qrcode",
  "ewm", "sidebar", "related", "jiucuo", NULL
};
/* File names of images that are never a page. */
static const char *const chrome_files[] = {
  "logo", "banner", "icon", "qrcode", "ewm", "share", "print", "loading", "blank", "spacer",
  "jiucuo", "dzjg", "wza", "close", "arrow", "btn", "bg", NULL
};
/* Where lazy loaders keep the real file, in the order they are trusted. */
static const char *const src_attrs[] = {
  "data-original", "data-src", "data-lazy-src", "lazy-src", "data-url", "_src", "oldsrc", "src",
  NULL
};
/* A page scan is read by OCR; one declared narrower or lower than this is
 * an icon, a bullet or a badge. */
#define MIN_SIDE 200

struct find {
  CURLU *base;
  const char *page_url;
  unsigned content, chrome; /* open elements of each kind around this one */
  GPtrArray *urls;          /* in page order, unique */
  GHashTable *seen;
  unsigned found, max;
};

/* words_in: the element's id or class holds one of `words`. */
static bool
words_in(const GumboNode *n, const char *const *words)
{
  return gh_html_names_any(&n->v.element, words);
}

static bool
is_content(const GumboNode *n)
{
  return n->type == GUMBO_NODE_ELEMENT && words_in(n, content_words) && !words_in(n, chrome_words);
}

static bool
is_chrome(const GumboNode *n)
{
  if(n->type != GUMBO_NODE_ELEMENT)
    return false;
  GumboTag t = n->v.element.tag;
  return t == GUMBO_TAG_HEADER || t == GUMBO_TAG_FOOTER || t == GUMBO_TAG_NAV ||
         words_in(n, chrome_words);
}

/* A width or height attribute, or one in the style, under MIN_SIDE px. */
static bool
declared_small(const GumboNode *n)
{
  const char *dims[] = { "width", "height" };
  for(size_t i = 0; i < G_N_ELEMENTS(dims); i++) {
    GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, dims[i]);
    if(a && g_ascii_isdigit(a->value[0]) && !strchr(a->value, '%') &&
       g_ascii_strtoull(a->value, NULL, 10) < MIN_SIDE)
      return true;
  }
  GumboAttribute *st = gumbo_get_attribute(&n->v.element.attributes, "style");
  if(st) {
    char *low = g_ascii_strdown(st->value, MIN(strlen(st->value), 512));
    bool small = false;
    for(size_t i = 0; i < G_N_ELEMENTS(dims) && !small; i++) {
      for(const char *p = strstr(low, dims[i]); p && !small; p = strstr(p + 1, dims[i])) {
        if(p > low && (p[-1] == '-' || g_ascii_isalpha(p[-1])))
          continue; /* max-width, line-height */
        const char *v = p + strlen(dims[i]);
        while(*v == ' ' || *v == ':')
          v++;
        char *unit = NULL;
        guint64 px = g_ascii_strtoull(v, &unit, 10);
        small = unit != v && g_str_has_prefix(unit, "px") && px < MIN_SIDE;
      }
    }
    g_free(low);
    if(small)
      return true;
  }
  return false;
}

/* The file an image shows: a lazy loader's attribute before `src`, never
 * a data: URI; and only a raster format OCR reads. */
static const char *
image_file(const GumboNode *n)
{
  for(const char *const *a = src_attrs; *a; a++) {
    GumboAttribute *v = gumbo_get_attribute(&n->v.element.attributes, *a);
    if(!v || !*v->value || g_str_has_prefix(v->value, "data:") ||
       g_ascii_strncasecmp(v->value, "javascript:", 11) == 0)
      continue;
    return v->value;
  }
  return NULL;
}

static bool
page_like_file(const char *url)
{
  const char *q = strpbrk(url, "?#");
  size_t n = q ? (size_t)(q - url) : strlen(url);
  const char *slash = g_strrstr_len(url, (gssize)n, "/");
  const char *name = slash ? slash + 1 : url;
  char *low = g_ascii_strdown(name, (gssize)(url + n - name));
  bool ok = g_str_has_suffix(low, ".jpg") || g_str_has_suffix(low, ".jpeg") ||
            g_str_has_suffix(low, ".png") || g_str_has_suffix(low, ".tif") ||
            g_str_has_suffix(low, ".tiff");
  for(const char *const *w = chrome_files; *w && ok; w++)
    ok = !strstr(low, *w);
  g_free(low);
  return ok;
}

static bool
enter(const GumboNode *n, void *ud)
{
  struct find *f = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return n->type == GUMBO_NODE_DOCUMENT;
  GumboTag t = n->v.element.tag;
  if(t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_NOSCRIPT)
    return false;
  f->content += is_content(n);
  f->chrome += is_chrome(n);
  if(t != GUMBO_TAG_IMG || !f->content || f->chrome || declared_small(n))
    return true;
  const char *src = image_file(n);
  char *url = src ? gh_url_resolve_from(f->base, src) : NULL;
  if(url && page_like_file(url) && strcmp(url, f->page_url) &&
     !g_hash_table_contains(f->seen, url)) {
    g_hash_table_add(f->seen, url); /* owns it */
    f->found++;
    if(f->urls->len < f->max)
      g_ptr_array_add(f->urls, url);
    return true;
  }
  g_free(url);
  return true;
}

static void
leave(const GumboNode *n, void *ud)
{
  struct find *f = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return;
  f->content -= is_content(n);
  f->chrome -= is_chrome(n);
}

/* The page's title for the scans' hints: its <title>, else nothing. */
static char *
page_title(const GumboNode *root)
{
  GPtrArray *stack = g_ptr_array_new();
  g_ptr_array_add(stack, (gpointer)root);
  char *title = NULL;
  for(unsigned seen = 0; stack->len && !title && seen < 2000; seen++) {
    const GumboNode *n = g_ptr_array_steal_index(stack, stack->len - 1);
    if(n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
      continue;
    if(n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_BODY)
      continue;
    if(n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_TITLE) {
      const GumboVector *k = &n->v.element.children;
      if(k->length && ((const GumboNode *)k->data[0])->type == GUMBO_NODE_TEXT) {
        const char *s = ((const GumboNode *)k->data[0])->v.text.text;
        title = gh_discover_norm(s, MIN(strlen(s), 1024));
      }
      continue;
    }
    const GumboVector *k = gh_gumbo_children(n);
    for(unsigned i = k ? k->length : 0; i > 0; i--)
      g_ptr_array_add(stack, k->data[i - 1]);
  }
  g_ptr_array_free(stack, TRUE);
  return title;
}

unsigned
gh_discover_page_images(const struct GumboInternalOutput *tree, const char *page_url,
                        unsigned max, GPtrArray *out)
{
  const GumboOutput *g = (const GumboOutput *)tree;
  if(!g)
    return 0;
  struct find f = { .page_url = page_url, .max = max, .urls = g_ptr_array_new(),
                    .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) };
  f.base = gh_url_base(page_url);
  if(f.base)
    gh_gumbo_walk(g->document, enter, leave, &f);
  char *title = f.urls->len ? page_title(g->document) : NULL;
  for(guint i = 0; i < f.urls->len; i++) {
    struct gh_link *l = g_new0(struct gh_link, 1);
    l->url = g_strdup(f.urls->pdata[i]);
    l->text = g_strdup(title ? title : "");
    l->kind = GH_LINK_ATTACHMENT;
    l->flags = GH_LINK_F_PAGE_IMAGE;
    g_ptr_array_add(out, l);
  }
  g_free(title);
  if(f.base)
    curl_url_cleanup(f.base);
  g_ptr_array_free(f.urls, TRUE);
  g_hash_table_destroy(f.seen);
  return f.found;
}

void
gh_discover_report_scans(const struct GumboInternalOutput *tree, const char *page_url,
                         GPtrArray *links)
{
  GPtrArray *scans = g_ptr_array_new_with_free_func(gh_link_free);
  gh_discover_page_images(tree, page_url, GH_PAGES_LISTED_MAX, scans);
  GHashTable *is_scan = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i < scans->len; i++)
    g_hash_table_add(is_scan, ((struct gh_link *)scans->pdata[i])->url);
  /* A scan wrapped in a link to its file is a page, not a document of its
   * own; any other attachment is the report. */
  bool document = false;
  for(guint i = 0; i < links->len && !document; i++) {
    const struct gh_link *l = links->pdata[i];
    document = l->kind == GH_LINK_ATTACHMENT && !g_hash_table_contains(is_scan, l->url);
  }
  if(!document && scans->len) {
    for(guint i = links->len; i > 0; i--)
      if(g_hash_table_contains(is_scan, ((struct gh_link *)links->pdata[i - 1])->url))
        g_ptr_array_remove_index(links, i - 1);
    for(guint i = 0; i < scans->len; i++)
      g_ptr_array_add(links, g_steal_pointer(&scans->pdata[i]));
  }
  g_hash_table_destroy(is_scan);
  g_ptr_array_free(scans, TRUE);
}

/* Form pagers and navigating selects, read without a browser.
 *
 * Two shapes put a list's next pages behind a form instead of a link:
 *
 *  - ASP.NET WebForms: one server form holds the page's state in hidden
 *    fields (__VIEWSTATE, __EVENTVALIDATION, __VIEWSTATEGENERATOR …), and a
 *    pager link is javascript:__doPostBack('ctl00$…$GridView1','Page$3')
 *    (or WebForm_DoPostBackWithOptions(new WebForm_PostBackOptions("…",
 *    "…"))).  The browser sets __EVENTTARGET and __EVENTARGUMENT and
 *    posts the whole form.
 *  - List forms that post a page number (pageIndex, pageNo, currentPage …)
 *    with the page count in a script variable, in "共 N 页", or in the
 *    goPage(n)-like calls of the pager.
 *
 * Each such page becomes a link whose URL is the form's action with a
 * "#gh-post=ID" fragment and whose body is the form, encoded as a browser
 * would (form-urlencoded).  ID is the first 16 hex digits of the SHA-256
 * of the action and the form's fields *without* the state blobs: those
 * change with every answer, so page 3 reached from page 2 and from page 4
 * is one page of the crawl, keyed apart from the GET of the same URL and
 * never served from its validators.  A post that is no pager's (a
 * department's LinkButton) opens a scope its list's pager posts are named
 * in (page_scope).  A relative step (Page$Next) is only followed where the
 * pager has no page numbers, and its ID also names the page it was taken
 * from.
 *
 * Values are sent as UTF-8: state fields are ASCII, and a list form's
 * other fields are numbers and ids. */
#include <gumbo.h>
#include <stdlib.h>
#include <string.h>

#include "../extract/htmlwalk.h"
#include "discover_int.h"
#include "url.h"

/* A hostile page must not make one page queue megabytes of bodies: the
 * state fields are copied into every post. */
#define MAX_POSTS_PER_PAGE 100
#define MAX_POST_BODY (512u << 10)
#define MAX_POST_BYTES_PER_PAGE (4u << 20)
#define MAX_FORMS 16
#define MAX_FIELDS 200

struct field {
  char *name, *value;
};

struct form {
  char *action;
  bool post;
  GArray *fields; /* struct field */
};

struct postback {
  char *target, *arg, *text;
  char *field, *value; /* an AutoPostBack <select>'s name and this option's value, or NULL */
};

struct scan {
  GPtrArray *forms;     /* struct form * in document order */
  GPtrArray *open;      /* the <form> elements we are inside (struct form *) */
  struct form *pointer; /* HTML's form element pointer: the last form opened */
  GPtrArray *postbacks; /* struct postback * */
  int max_page_seen;    /* the highest page number a pager link or goPage(n) shows */
};

static void
form_free(void *p)
{
  struct form *f = p;
  for(guint i = 0; i < f->fields->len; i++) {
    g_free(g_array_index(f->fields, struct field, i).name);
    g_free(g_array_index(f->fields, struct field, i).value);
  }
  g_array_free(f->fields, TRUE);
  g_free(f->action);
  g_free(f);
}

static void
postback_free(void *p)
{
  struct postback *b = p;
  g_free(b->target);
  g_free(b->arg);
  g_free(b->text);
  g_free(b->field);
  g_free(b->value);
  g_free(b);
}

static const char *
attr(const GumboNode *n, const char *name)
{
  GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? a->value : NULL;
}

static void
add_field(struct scan *s, const char *name, const char *value)
{
  struct form *f = s->open->len ? s->open->pdata[s->open->len - 1] : s->pointer;
  if(s->open->len && !f)
    return;
  if(!f || !name || !*name || f->fields->len >= MAX_FIELDS)
    return;
  struct field fl = { g_strdup(name), g_strdup(value ? value : "") };
  g_array_append_val(f->fields, fl);
}

/* The raw text of an element's subtree (a textarea's value, an option's
 * label). */
static char *
raw_text(const GumboNode *n)
{
  GString *s = g_string_new(NULL);
  const GumboVector *kids = gh_gumbo_children(n);
  for(guint i = 0; kids && i < kids->length && s->len < 4096; i++) {
    const GumboNode *k = kids->data[i];
    if(k->type == GUMBO_NODE_TEXT || k->type == GUMBO_NODE_WHITESPACE)
      g_string_append(s, k->v.text.text);
  }
  return g_string_free(s, FALSE);
}

struct select_pick {
  const GumboNode *first, *selected;
};

static bool
option_enter(const GumboNode *n, void *ud)
{
  struct select_pick *p = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return false;
  if(n->v.element.tag == GUMBO_TAG_OPTION) {
    if(!p->first)
      p->first = n;
    if(!p->selected && attr(n, "selected"))
      p->selected = n;
    return false;
  }
  return true;
}

static GRegex *postback_rx(void);

/* An option's value: its value attribute, else its label (g_free). */
static char *
option_value(const GumboNode *o)
{
  const char *v = attr(o, "value");
  return v ? g_strdup(v) : g_strstrip(raw_text(o));
}

struct select_options {
  struct scan *s;
  const char *name, *target, *current;
};

/* Each other option of an AutoPostBack <select> (a DropDownList of
 * departments, years or page numbers) is a postback of its own. */
static bool
autopostback_option(const GumboNode *n, void *ud)
{
  struct select_options *so = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return false;
  if(n->v.element.tag != GUMBO_TAG_OPTION)
    return true;
  char *v = option_value(n);
  if(*v && strcmp(v, so->current) && so->s->postbacks->len < MAX_POSTS_PER_PAGE * 4) {
    struct postback *b = g_new0(struct postback, 1);
    b->target = g_strdup(so->target);
    b->arg = g_strdup("");
    b->text = gh_discover_text_of(n);
    b->field = g_strdup(so->name);
    b->value = g_steal_pointer(&v);
    g_ptr_array_add(so->s->postbacks, b);
  }
  g_free(v);
  return false;
}

static void
select_field(struct scan *s, const GumboNode *n)
{
  struct select_pick p = { 0 };
  gh_gumbo_walk(n, option_enter, NULL, &p);
  const GumboNode *o = p.selected ? p.selected : p.first;
  if(!o)
    return;
  char *v = option_value(o);
  add_field(s, attr(n, "name"), v);
  const char *onchange = attr(n, "onchange");
  GMatchInfo *mi = NULL;
  if(onchange && attr(n, "name") && g_regex_match(postback_rx(), onchange, 0, &mi)) {
    char *target = g_match_info_fetch(mi, 1);
    struct select_options so = { s, attr(n, "name"), target, v };
    gh_gumbo_walk(n, autopostback_option, NULL, &so);
    g_free(target);
  }
  g_match_info_free(mi);
  g_free(v);
}

static void
input_field(struct scan *s, const GumboNode *n)
{
  const char *type = attr(n, "type");
  static const char *const never[] = { "submit", "button", "image", "reset", "file", NULL };
  for(const char *const *t = never; type && *t; t++)
    if(!g_ascii_strcasecmp(type, *t))
      return;
  if(type && (!g_ascii_strcasecmp(type, "checkbox") || !g_ascii_strcasecmp(type, "radio")) &&
     !attr(n, "checked"))
    return;
  if(attr(n, "disabled"))
    return;
  add_field(s, attr(n, "name"), attr(n, "value"));
}

/* __doPostBack('target','argument') or WebForm_PostBackOptions("target",
 * "argument", …): the pair a WebForms control posts. */
static GRegex *
postback_rx(void)
{
  static GRegex *rx;
  static gsize once;
  if(g_once_init_enter(&once)) {
    rx = g_regex_new("(?:__doPostBack|WebForm_PostBackOptions)\\s*\\(\\s*\\\\?['\"]([^'\"\\\\]{1,200})"
                     "\\\\?['\"]\\s*,\\s*\\\\?['\"]([^'\"\\\\]{0,200})\\\\?['\"]", 0, 0, NULL);
    g_once_init_leave(&once, 1);
  }
  return rx;
}

/* goPage(3), toPage('3'), jumpPage(3), turnPage(3), page(3): a pager's
 * handler called with a page number; and "共 N 页". */
static GRegex *
page_call_rx(int which)
{
  static GRegex *rx[2];
  static gsize once;
  if(g_once_init_enter(&once)) {
    rx[0] = g_regex_new("\\b[A-Za-z_$]*(?:[Pp]age|PAGE|[Gg]o|[Tt]urn|[Jj]ump)[A-Za-z_$]*\\s*\\(\\s*"
                        "['\"]?([0-9]{1,4})['\"]?\\s*[,)]", 0, 0, NULL);
    rx[1] = g_regex_new("共\\s*([0-9]{1,4})\\s*页", 0, 0, NULL);
    g_once_init_leave(&once, 1);
  }
  return rx[which];
}

static int
max_match(GRegex *rx, const char *text, gssize len)
{
  int best = 0;
  GMatchInfo *mi = NULL;
  g_regex_match_full(rx, text, len, 0, 0, &mi, NULL);
  for(int k = 0; g_match_info_matches(mi) && k < 1000; g_match_info_next(mi, NULL), k++) {
    char *d = g_match_info_fetch(mi, 1);
    int v = atoi(d);
    best = MAX(best, v);
    g_free(d);
  }
  g_match_info_free(mi);
  return best;
}

/* A script in a link (href="javascript:…" or onclick): a postback, or a
 * pager's call with a page number.  True for a postback. */
static bool
scripted_link(struct scan *s, const GumboNode *n, const char *js)
{
  GMatchInfo *mi = NULL;
  bool postback = g_regex_match(postback_rx(), js, 0, &mi);
  if(postback && s->postbacks->len < MAX_POSTS_PER_PAGE * 4) {
    struct postback *b = g_new0(struct postback, 1);
    b->target = g_match_info_fetch(mi, 1);
    b->arg = g_match_info_fetch(mi, 2);
    b->text = gh_discover_text_of(n);
    g_ptr_array_add(s->postbacks, b);
  } else if(!postback) {
    s->max_page_seen = MAX(s->max_page_seen, max_match(page_call_rx(0), js, -1));
  }
  g_match_info_free(mi);
  return postback;
}

static bool
scan_enter(const GumboNode *n, void *ud)
{
  struct scan *s = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return n->type == GUMBO_NODE_DOCUMENT;
  switch(n->v.element.tag) {
  case GUMBO_TAG_SCRIPT:
  case GUMBO_TAG_STYLE:
    return false;
  case GUMBO_TAG_FORM: {
    if(s->forms->len >= MAX_FORMS) {
      g_ptr_array_add(s->open, NULL); /* its fields go nowhere; scan_leave pops it */
      return true;
    }
    struct form *f = g_new0(struct form, 1);
    char *m = attr(n, "method") ? g_strstrip(g_strdup(attr(n, "method"))) : NULL;
    f->post = m && !g_ascii_strcasecmp(m, "post");
    g_free(m);
    f->action = g_strdup(attr(n, "action"));
    f->fields = g_array_new(FALSE, FALSE, sizeof(struct field));
    g_ptr_array_add(s->forms, f);
    g_ptr_array_add(s->open, f);
    s->pointer = f;
    return true;
  }
  case GUMBO_TAG_INPUT:
    input_field(s, n);
    return false;
  case GUMBO_TAG_SELECT:
    select_field(s, n);
    return false;
  case GUMBO_TAG_TEXTAREA: {
    char *t = raw_text(n);
    add_field(s, attr(n, "name"), t);
    g_free(t);
    return false;
  }
  default:
    break;
  }
  const char *href = n->v.element.tag == GUMBO_TAG_A ? attr(n, "href") : NULL;
  const char *onclick = attr(n, "onclick");
  bool postback = href && !g_ascii_strncasecmp(href, "javascript:", 11) && scripted_link(s, n, href);
  if(!postback && onclick)
    scripted_link(s, n, onclick);
  if(n->v.element.tag == GUMBO_TAG_A) {
    char *t = gh_discover_text_of(n);
    if(gh_discover_pager_like(t)) {
      const char *d = t + strcspn(t, "0123456789");
      if(*d)
        s->max_page_seen = MAX(s->max_page_seen, atoi(d));
    }
    g_free(t);
  }
  return true;
}

static void
scan_leave(const GumboNode *n, void *ud)
{
  struct scan *s = ud;
  if(n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_FORM && s->open->len)
    g_ptr_array_set_size(s->open, s->open->len - 1);
}

/* A field that carries the page's state or a token, new in every answer:
 * the named ones, and any long value (ids and page numbers are short). */
static bool
state_field(const char *name, const char *value)
{
  static const char *const blobs[] = { "__VIEWSTATE", "__EVENTVALIDATION", "__PREVIOUSPAGE",
                                       "__REQUESTDIGEST", "__RequestVerificationToken",
                                       "__CSRFTOKEN", NULL };
  for(const char *const *b = blobs; *b; b++)
    if(g_str_has_prefix(name, *b))
      return true;
  return strlen(value) > 64;
}

static const struct field *
find_field(const struct form *f, const char *name)
{
  for(guint i = 0; i < f->fields->len; i++) {
    const struct field *fl = &g_array_index(f->fields, struct field, i);
    if(!g_ascii_strcasecmp(fl->name, name))
      return fl;
  }
  return NULL;
}

/* The form encoded with `n` overrides (name, value pairs), and its ID
 * (see the top of the file; `salt` mixed in, may be NULL). */
static char *
encode(const struct form *f, const char *const *over, const char *action, const char *salt,
       char id[17])
{
  GString *body = g_string_new(NULL);
  GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
  g_checksum_update(h, (const guchar *)action, -1);
  if(salt) {
    g_checksum_update(h, (const guchar *)"\n", 1);
    g_checksum_update(h, (const guchar *)salt, -1);
  }
  GHashTable *done = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i <= f->fields->len; i++) {
    bool extra = i == f->fields->len; /* then the overrides the form lacks */
    for(const char *const *o = over; extra && *o; o += 2)
      if(!g_hash_table_contains(done, o[0])) {
        char *k = g_uri_escape_string(o[0], NULL, FALSE), *v = g_uri_escape_string(o[1], NULL, FALSE);
        g_string_append_printf(body, "%s%s=%s", body->len ? "&" : "", k, v);
        g_checksum_update(h, (const guchar *)"\n", 1);
        g_checksum_update(h, (const guchar *)o[0], -1);
        g_checksum_update(h, (const guchar *)"=", 1);
        g_checksum_update(h, (const guchar *)o[1], -1);
        g_free(k);
        g_free(v);
      }
    if(extra)
      break;
    const struct field *fl = &g_array_index(f->fields, struct field, i);
    const char *value = fl->value;
    for(const char *const *o = over; *o; o += 2)
      if(!strcmp(o[0], fl->name)) {
        value = o[1];
        g_hash_table_add(done, (gpointer)o[0]);
      }
    char *k = g_uri_escape_string(fl->name, NULL, FALSE), *v = g_uri_escape_string(value, NULL, FALSE);
    g_string_append_printf(body, "%s%s=%s", body->len ? "&" : "", k, v);
    g_free(k);
    g_free(v);
    if(!state_field(fl->name, value)) {
      g_checksum_update(h, (const guchar *)"\n", 1);
      g_checksum_update(h, (const guchar *)fl->name, -1);
      g_checksum_update(h, (const guchar *)"=", 1);
      g_checksum_update(h, (const guchar *)value, -1);
    }
  }
  g_hash_table_destroy(done);
  g_strlcpy(id, g_checksum_get_string(h), 17);
  g_checksum_free(h);
  return g_string_free(body, FALSE);
}

/* The scope a page's pager posts are named in: "" for a page reached by
 * GET; for a posted page, the id of the post that chose what it lists (a
 * department's LinkButton), kept along that list's pages.  A GridView's
 * Page$2 is then one page under each department, not one page in all. */
static char *
page_scope(const char *page_url)
{
  const char *frag = strstr(page_url, GH_POST_FRAGMENT);
  if(!frag)
    return g_strdup("");
  frag += strlen(GH_POST_FRAGMENT);
  const char *dot = strchr(frag, '.');
  return dot ? g_strndup(frag, (gsize)(dot - frag)) : g_strdup("");
}

/* Adds the post: its fragment is "ID" (a pager's post from a page reached
 * by GET), "SCOPE.ID" (a pager's post in a scope) or "ID.ID" (a post that
 * chooses what is listed: a scope of its own). */
static void
post(struct collect *c, const struct form *f, const char *action, const char *const *over,
     const char *text, int kind, const char *salt)
{
  if(c->posts >= MAX_POSTS_PER_PAGE)
    return;
  /* Named by where it goes, however the page wrote the action. */
  char *target = gh_url_resolve(c->link_base, action);
  if(!target)
    return;
  /* A choice (a department) is the same choice from every page that
   * offers it; a pager's page is its scope's. */
  char *scope = kind == GH_LINK_LIST ? page_scope(c->page_url) : g_strdup("");
  char *mixed = salt || *scope ? g_strconcat(scope, "\n", salt ? salt : "", NULL) : NULL;
  char id[17];
  char *body = encode(f, over, target, mixed, id);
  char *frag = kind == GH_LINK_LIST ? (*scope ? g_strconcat(scope, ".", id, NULL) : g_strdup(id))
                                    : g_strconcat(id, ".", id, NULL);
  size_t n = strlen(body);
  if(n <= MAX_POST_BODY && c->post_bytes + n <= MAX_POST_BYTES_PER_PAGE) {
    c->posts++;
    c->post_bytes += n;
    gh_discover_add_post(c, target, text, kind, body, frag);
  }
  g_free(frag);
  g_free(body);
  g_free(mixed);
  g_free(scope);
  g_free(target);
}

/* A postback's page number: Page$3, or a bare number the pager shows. */
static int
postback_page(const struct postback *b)
{
  const char *a = b->arg;
  const char *dollar = strrchr(a, '$');
  const char *d = dollar ? dollar + 1 : a;
  if(*d && strspn(d, "0123456789") == strlen(d) && strlen(d) <= 4)
    return atoi(d);
  const char *digits = b->text + strcspn(b->text, "0123456789");
  if(!*a && gh_discover_pager_like(b->text) && *digits)
    return atoi(digits);
  return 0;
}

static bool
forward_step(const struct postback *b)
{
  static const char *const words[] = { "下一页", "下页", "后页", ">", ">>", "»", "›", "next",
                                       "Next", NULL };
  if(g_str_has_suffix(b->arg, "Next") || g_str_has_suffix(b->target, "NextPage") ||
     g_str_has_suffix(b->target, "Next"))
    return true;
  for(const char *const *w = words; *w; w++)
    if(!strcmp(b->text, *w))
      return true;
  return false;
}

static bool
last_step(const struct postback *b)
{
  return g_str_has_suffix(b->arg, "Last") || !strcmp(b->text, "末页") ||
         !strcmp(b->text, "尾页") || !strcmp(b->text, "last") || !strcmp(b->text, "Last");
}

static void
webforms(struct collect *c, const struct scan *s, const struct form *f, const char *action)
{
  bool numbered = false;
  for(guint i = 0; i < s->postbacks->len; i++)
    numbered |= postback_page(s->postbacks->pdata[i]) > 1;
  c->rule = "a page of an ASP.NET WebForms pager (__doPostBack), posted";
  for(guint i = 0; i < s->postbacks->len; i++) {
    const struct postback *b = s->postbacks->pdata[i];
    const char *over[] = { "__EVENTTARGET", b->target, "__EVENTARGUMENT", b->arg, b->field, b->value,
                           NULL };
    int page = postback_page(b);
    if(page == 1)
      continue; /* the page the GET showed */
    if(page > 1 || last_step(b)) {
      post(c, f, action, over, b->text, GH_LINK_LIST, NULL);
    } else if(forward_step(b)) {
      /* Page$Next means another page from each page: named by where it
       * was taken, and only where no page numbers say it better. */
      if(!numbered)
        post(c, f, action, over, b->text, GH_LINK_LIST, c->page_url);
    } else if(!gh_discover_pager_like(b->text)) {
      /* A LinkButton that is no pager: a department, a year, a report,
       * read by its text as any link is. */
      const char *saved = c->rule;
      c->rule = NULL;
      post(c, f, action, over, b->text, -1, NULL);
      c->rule = saved;
    }
  }
  c->rule = NULL;
}

/* Names of the field a list form carries its page number in (compared
 * without case). */
static const char *const page_fields[] = { "pageIndex", "pageNo", "currentPage", "curPage",
                                           "pageNum", "pageNumber", "page", "cpage", "page_no",
                                           "currpage", "cur_page", "currentPageNum", "pageCurrent",
                                           NULL };

/* A page count a form keeps in a field of its own (sumPageNumber,
 * totalPage, pageCount …). */
static int
count_field(const struct form *f)
{
  int best = 0;
  for(guint i = 0; i < f->fields->len; i++) {
    const struct field *fl = &g_array_index(f->fields, struct field, i);
    char *n = g_ascii_strdown(fl->name, -1);
    bool count = strstr(n, "page") && (strstr(n, "sum") || strstr(n, "total") || strstr(n, "count"));
    g_free(n);
    if(count && *fl->value && strspn(fl->value, "0123456789") == strlen(fl->value) &&
       strlen(fl->value) <= 4)
      best = MAX(best, atoi(fl->value));
  }
  return best;
}

static void
page_form(struct collect *c, const struct form *f, const char *action, const struct field *pf,
          int pages, bool posted_page)
{
  /* Numbered from 1, or from 0 where the first page says 0. */
  int cur = *pf->value ? atoi(pf->value) : 1; /* empty: the first page */
  int first = 1, last = cur == 0 ? pages - 1 : pages;
  if(last > MAX_GENERATED_PAGES)
    last = MAX_GENERATED_PAGES;
  /* From the GET of the list every page but its own; from a posted page
   * only those after it (its earlier ones were asked from the first). */
  if(posted_page)
    first = cur + 1;
  c->rule = f->post ? "a page of a list form that posts its page number"
                    : "a page of a list form that asks its page number";
  for(int p = first; p <= last; p++) {
    if(p == cur)
      continue;
    char num[16];
    g_snprintf(num, sizeof num, "%d", p);
    const char *over[] = { pf->name, num, NULL };
    if(f->post) {
      post(c, f, action, over, "", GH_LINK_LIST, NULL);
      continue;
    }
    /* A GET form is a link: the action with the fields as its query. */
    char id[17];
    char *query = encode(f, over, action, NULL, id);
    char *base = g_strdup(action);
    char *q = strchr(base, '?');
    if(q)
      *q = '\0';
    char *url = g_strconcat(base, "?", query, NULL);
    gh_discover_add_link(c, url, "", GH_LINK_LIST);
    g_free(url);
    g_free(base);
    g_free(query);
  }
  c->rule = NULL;
}

void
gh_forms_discover(struct collect *c, const GumboOutput *tree, const char *text, size_t len)
{
  if(c->from != GH_LINK_COLUMN && c->from != GH_LINK_LIST)
    return;
  /* Most pages have no form pager: ask the cheap question first. */
  if(!g_strstr_len(text, (gssize)len, "<form") && !g_strstr_len(text, (gssize)len, "<FORM") &&
     !g_strstr_len(text, (gssize)len, "<Form"))
    return;
  struct scan s = { .forms = g_ptr_array_new_with_free_func(form_free),
                    .open = g_ptr_array_new(),
                    .postbacks = g_ptr_array_new_with_free_func(postback_free) };
  gh_gumbo_walk(tree->document, scan_enter, scan_leave, &s);
  char *page = gh_post_target(c->page_url);
  const char *self = page ? page : c->page_url;
  bool posted_page = page != NULL;
  int pages = s.max_page_seen;
  pages = MAX(pages, max_match(page_call_rx(1), text, (gssize)len));
  pages = MAX(pages, max_match(gh_discover_rx(1), text, (gssize)len));
  bool webforms_done = false;
  for(guint i = 0; i < s.forms->len; i++) {
    const struct form *f = s.forms->pdata[i];
    const char *action = f->action && *f->action ? f->action : self;
    if(!webforms_done && s.postbacks->len && find_field(f, "__VIEWSTATE") && f->post) {
      webforms(c, &s, f, action);
      webforms_done = true;
      continue;
    }
    const struct field *pf = NULL;
    for(const char *const *n = page_fields; *n && !pf; n++)
      pf = find_field(f, *n);
    int n = MAX(pages, count_field(f));
    if(pf && n > 1 && strspn(pf->value, "0123456789") == strlen(pf->value))
      page_form(c, f, action, pf, n, posted_page);
  }
  g_free(page);
  g_ptr_array_free(s.forms, TRUE);
  g_ptr_array_free(s.open, TRUE);
  g_ptr_array_free(s.postbacks, TRUE);
}

/* A <select> whose change goes to its option's value
 * (onchange="window.location=this.value", window.open(this.options[…].value)):
 * a menu of links, often a department directory or a year list.  Each
 * option is a link under its label. */
struct select_walk {
  struct collect *c;
  unsigned n;
};

static bool
nav_option_enter(const GumboNode *n, void *ud)
{
  struct select_walk *w = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return false;
  if(n->v.element.tag != GUMBO_TAG_OPTION)
    return true;
  GumboAttribute *v = gumbo_get_attribute(&n->v.element.attributes, "value");
  /* Placeholders (请选择, value "" or "0" or "#") go nowhere. */
  if(v && w->n < 500 && (strchr(v->value, '/') || strchr(v->value, '.')) && v->value[0] != '#') {
    char *text = gh_discover_text_of(n);
    gh_discover_add_link(w->c, v->value, text, -1);
    g_free(text);
    w->n++;
  }
  return false;
}

void
gh_forms_select(struct collect *c, const GumboNode *n)
{
  GumboAttribute *on = gumbo_get_attribute(&n->v.element.attributes, "onchange");
  if(!on || !(strstr(on->value, "location") || strstr(on->value, "open(") ||
              strstr(on->value, ".href")))
    return;
  struct select_walk w = { c, 0 };
  gh_gumbo_walk(n, nav_option_enter, NULL, &w);
}

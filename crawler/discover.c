#include "discover.h"

#include <gumbo.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../extract/htmlwalk.h"
#include "../record/textnorm.h"
#include "url.h"

static const char *const kind_names[GH_LINK_N] = {
  "seed", "section", "column", "list", "report", "attachment", "robots",
};

const char *
gh_link_kind_name(enum gh_link_kind k)
{
  return k < GH_LINK_N ? kind_names[k] : "unknown";
}

bool
gh_link_kind_from_name(const char *name, enum gh_link_kind *out)
{
  for(int i = 0; i < GH_LINK_N; i++)
    if(name && !strcmp(name, kind_names[i])) {
      *out = (enum gh_link_kind)i;
      return true;
    }
  return false;
}

void
gh_link_free(void *p)
{
  struct gh_link *l = p;
  if(!l)
    return;
  g_free(l->url);
  g_free(l->text);
  g_free(l);
}

/* Upper bounds: a hostile page must not make us queue millions of URLs. */
#define MAX_LINKS_PER_PAGE 5000
#define MAX_GENERATED_PAGES 500
#define MAX_CDATA_BLOCKS 2000

static bool
contains_any(const char *s, const char *const *words)
{
  for(; *words; words++)
    if(strstr(s, *words))
      return true;
  return false;
}

/* ---- classification ---- */

static bool
has_year(const char *norm)
{
  /* 19xx/20xx not inside a longer number, or a year in 汉字 before 年. */
  for(const char *p = norm; *p; p++) {
    if((p[0] == '1' && p[1] == '9') || (p[0] == '2' && p[1] == '0')) {
      if(p > norm && g_ascii_isdigit(p[-1]))
        continue;
      if(g_ascii_isdigit(p[2]) && g_ascii_isdigit(p[3]) && !g_ascii_isdigit(p[4]))
        return true;
    }
  }
  const char *nian = strstr(norm, "年");
  return nian && nian - norm >= 12 && gh_year_from_text(nian - 12, 12) > 0;
}

static bool
is_trap(const char *norm, const char *url)
{
  static const char *const texts[] = { "网站年度报表", "网站工作年度报表", "政府网站年度",
                                       "网站年报", NULL };
  static const char *const tokens[] = { "zfwzndbb", "wzndbb", "zfwznb", NULL };
  char *lower = g_ascii_strdown(url, -1);
  bool trap = contains_any(norm, texts) || contains_any(lower, tokens);
  g_free(lower);
  return trap;
}

static bool
report_like(const char *norm)
{
  static const char *const report_words[] = { "年度报告", "年报", "年度工作报告", NULL };
  static const char *const not_words[] = { "工作要点", "实施方案", "统计表", "决算", "预算",
                                           "政府工作报告", NULL };
  return has_year(norm) && contains_any(norm, report_words) && !contains_any(norm, not_words);
}

static bool
column_like(const char *norm)
{
  static const char *const words[] = { "信息公开年报", "信息公开年度报告", "公开工作年度报告",
                                       "年度报告", "年报", NULL };
  return !has_year(norm) && contains_any(norm, words);
}

static bool
section_like(const char *norm)
{
  static const char *const words[] = { "政府信息公开", "信息公开", "政务公开", "公开目录",
                                       "法定主动公开", "部门公开", NULL };
  static const char *const not_words[] = { "指南", "制度", "申请", "意见", "规定", NULL };
  return contains_any(norm, words) && !contains_any(norm, not_words) &&
         g_utf8_strlen(norm, -1) <= 20;
}

/* A sub-column of a city's report column named for a group of agencies:
 * 县（市、区）, 市直部门, 乡镇（街道）, 部门年报 … */
static bool
agency_group_like(const char *norm)
{
  static const char *const words[] = { "县(市、区)", "县(市,区)", "县市区", "县(区)", "区县",
                                       "市直", "区直", "县直", "部门", "单位", "乡镇", "街道",
                                       "镇(街道)", "各县", "各区", "开发区", "园区", NULL };
  return contains_any(norm, words) && g_utf8_strlen(norm, -1) <= 12 &&
         !strpbrk(norm, "0123456789");
}

static bool
year_only(const char *norm)
{
  /* "2023", "2023年", "2023年度", "2023年报" as a sub-column link. */
  if(!has_year(norm))
    return false;
  size_t n = strlen(norm);
  return n <= 4 + strlen("年度报告");
}

static bool
pager_like(const char *norm)
{
  static const char *const words[] = { "下一页", "下页", "尾页", "末页", "上一页", "首页",
                                       "后页", "前页", ">", ">>", "»", "›", "next", "Next",
                                       "last", "Last", NULL };
  for(const char *const *w = words; *w; w++)
    if(!strcmp(norm, *w))
      return true;
  const char *p = norm;
  if(*p == '[')
    p++;
  size_t d = strspn(p, "0123456789");
  return d >= 1 && d <= 4 && (p[d] == '\0' || (p[d] == ']' && p[d + 1] == '\0'));
}

static const char *
path_ext(const char *url)
{
  /* The extension of the path, ignoring query and fragment. */
  const char *q = strpbrk(url, "?#");
  size_t n = q ? (size_t)(q - url) : strlen(url);
  for(size_t i = n; i > 0; i--) {
    if(url[i - 1] == '/')
      return NULL;
    if(url[i - 1] == '.')
      return url + i;
  }
  return NULL;
}

static bool
ext_is(const char *ext, const char *want)
{
  size_t n = strlen(want);
  return ext && !g_ascii_strncasecmp(ext, want, n) &&
         (ext[n] == '\0' || ext[n] == '?' || ext[n] == '#');
}

static const char *const doc_exts[] = { "pdf", "docx", "doc", "wps", "xls", "xlsx", "et", NULL };

/* A query value that names a document: downfile.jsp?filename=….pdf,
 * ?file=/uploads/….docx. */
static bool
query_names_document(const char *url)
{
  const char *q = strchr(url, '?');
  if(!q)
    return false;
  char *lower = g_ascii_strdown(q, -1);
  bool yes = false;
  for(const char *const *e = doc_exts; *e && !yes; e++) {
    char *dot = g_strconcat(".", *e, NULL);
    size_t dl = strlen(dot);
    for(const char *p = strstr(lower, dot); p && !yes; p = strstr(p + 1, dot))
      yes = p[dl] == '\0' || p[dl] == '&' || p[dl] == '#';
    g_free(dot);
  }
  g_free(lower);
  return yes;
}

static bool
attachment_like(const char *norm, const char *url)
{
  const char *ext = path_ext(url);
  for(const char *const *e = doc_exts; *e; e++) {
    if(ext_is(ext, *e))
      return true;
    size_t n = strlen(norm), m = strlen(*e);
    if(n > m + 1 && norm[n - m - 1] == '.' && !g_ascii_strcasecmp(norm + n - m, *e))
      return true;
  }
  return query_names_document(url);
}

/* A CMS's download script, whatever it serves: Hanweb downfile.jsp, VSB
 * download.jsp?…wbfileid=, /attach/, /u/cms/ …  What it is is decided by
 * the answer's bytes, never by this name. */
static bool
download_script(const char *url)
{
  static const char *const tokens[] = { "downfile", "download.jsp", "/download/", "downloadattach",
                                        "/attach/", "/attachment/", "/u/cms/", "filedown",
                                        "getfile", "wbfileid=", NULL };
  char *lower = g_ascii_strdown(url, -1);
  bool yes = contains_any(lower, tokens);
  g_free(lower);
  return yes;
}

/* A link text that offers a download (下载, 附件, 点击下载) or is empty. */
static bool
download_text(const char *norm)
{
  static const char *const words[] = { "下载", "附件", "点击", "查看原文", "全文", NULL };
  return !*norm || (contains_any(norm, words) && g_utf8_strlen(norm, -1) <= 20);
}

static bool
path_has_column_token(const char *url)
{
  static const char *const tokens[] = { "zfxxgknb", "xxgknb", "gknb", "xxgkndbg", "zfxxgkndbg",
                                        "zfgknb", "zfxxgkndgzbg", "zfxxgklby_nb", "xxgk_nb",
                                        "/ndbg", "annualreport", NULL };
  char *path = gh_url_path_query(url);
  if(!path)
    return false;
  char *lower = g_ascii_strdown(path, -1);
  bool yes = contains_any(lower, tokens);
  g_free(lower);
  g_free(path);
  return yes;
}

/* The directory of a URL's path ("/a/b/" of "/a/b/c.html"). */
static char *
url_dir(const char *url)
{
  char *path = gh_url_path_query(url);
  if(!path)
    return g_strdup("/");
  char *q = strchr(path, '?');
  if(q)
    *q = '\0';
  char *slash = strrchr(path, '/');
  if(slash)
    slash[1] = '\0';
  return path;
}

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

/* -1: not worth following. */
static int
classify(struct collect *c, const char *norm, const char *url)
{
  enum gh_link_kind from = c->from;
  if(is_trap(norm, url))
    return c->why = "a trap (政府网站年度报表)", -1;
  bool from_list = from == GH_LINK_COLUMN || from == GH_LINK_LIST;
  if(attachment_like(norm, url)) {
    if(from == GH_LINK_REPORT || report_like(norm))
      return c->why = "a document file on a report page or under a report title", GH_LINK_ATTACHMENT;
    return c->why = "a document file without a report title, off a report page", -1;
  }
  /* A report page's 点击下载 through a download script: the answer's bytes
   * say what it is (an error page lands nothing). */
  if(from == GH_LINK_REPORT && download_script(url) && download_text(norm))
    return c->why = "a download script behind a 下载/附件 link on a report page", GH_LINK_ATTACHMENT;
  if(report_like(norm))
    return c->why = "a report title (a year and 年度报告/年报)", GH_LINK_REPORT;
  if(from_list && pager_like(norm))
    return c->why = "a page link of the list", GH_LINK_LIST;
  if(column_like(norm))
    return c->why = "a report column's name (年报, 年度报告, no year)", GH_LINK_COLUMN;
  if(from_list && (year_only(norm) || agency_group_like(norm)))
    return c->why = "a sub-column of the list: a year or a group of agencies", GH_LINK_COLUMN;
  if(from != GH_LINK_REPORT && path_has_column_token(url)) {
    if(c->page_column_token < 0)
      c->page_column_token = path_has_column_token(c->link_base);
    if(!c->page_column_token)
      return c->why = "a report column's URL token (zfxxgknb, ndbg …)", GH_LINK_COLUMN;
  }
  if(from_list) {
    /* A sub-column lives under its column: /zfxxgknb/bm/ under /zfxxgknb/.
     * Report pages there were caught by their titles above; what is left
     * under the column directory with a short non-numeric text is a
     * publisher or year sub-column. */
    if(!c->page_dir)
      c->page_dir = url_dir(c->link_base);
    const char *dir = c->page_dir;
    char *target = gh_url_path_query(url);
    bool under = target && strlen(target) > strlen(dir) && g_str_has_prefix(target, dir) &&
                 strchr(target + strlen(dir), '/') && !strchr(target, '?');
    g_free(target);
    if(under && g_utf8_strlen(norm, -1) <= 12 && *norm)
      return c->why = "a short link under the column's directory: a sub-column", GH_LINK_COLUMN;
  }
  if((from == GH_LINK_SEED || from == GH_LINK_SECTION) && section_like(norm))
    return c->why = "a 政府信息公开/政务公开 section", GH_LINK_SECTION;
  return c->why = from == GH_LINK_REPORT ? "not a document of the report"
                : from_list ? "not a report title, page link or sub-column"
                            : "not a section, column or report", -1;
}

/* ---- collecting ---- */

static void
add_link(struct collect *c, const char *href, const char *norm_text, int forced_kind)
{
  if(c->count >= MAX_LINKS_PER_PAGE)
    return;
  if(!c->base && !(c->base = gh_url_base(c->link_base)))
    return;
  char *url = gh_url_resolve_from(c->base, href);
  if(!url)
    return;
  if(!strcmp(url, c->page_url)) {
    g_free(url);
    return;
  }
  int kind;
  if(forced_kind >= 0) {
    kind = forced_kind;
    c->why = c->rule ? c->rule : "a link its kind was known for";
  }
  else
    kind = classify(c, norm_text, url);
  if(c->explain && !g_hash_table_contains(c->seen, url) &&
     g_hash_table_add(c->explained, g_strdup(url))) {
    struct gh_verdict *v = g_new0(struct gh_verdict, 1);
    v->url = g_strdup(url);
    v->text = g_strdup(norm_text);
    v->kind = kind;
    v->why = c->why;
    g_ptr_array_add(c->explain, v);
  }
  if(kind < 0) {
    g_free(url);
    return;
  }
  struct gh_link *old = g_hash_table_lookup(c->seen, url);
  if(old) {
    /* The same URL under a better name: a report title beats "下载". */
    if(kind == GH_LINK_REPORT && old->kind != GH_LINK_REPORT) {
      old->kind = GH_LINK_REPORT;
      g_free(old->text);
      old->text = g_strdup(norm_text);
    }
    g_free(url);
    return;
  }
  struct gh_link *l = g_new0(struct gh_link, 1);
  l->url = url;
  l->text = g_strdup(norm_text);
  l->kind = (enum gh_link_kind)kind;
  g_hash_table_insert(c->seen, l->url, l);
  g_ptr_array_add(c->out, l);
  c->count++;
}

struct text_acc {
  GString *s;
};

static bool
text_enter(const GumboNode *n, void *ud)
{
  struct text_acc *t = ud;
  if(n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE)
    g_string_append(t->s, n->v.text.text);
  else if(n->type == GUMBO_NODE_ELEMENT &&
          (n->v.element.tag == GUMBO_TAG_SCRIPT || n->v.element.tag == GUMBO_TAG_STYLE))
    return false;
  return t->s->len < 4096;
}

static char *
norm_text_of(const GumboNode *n)
{
  struct text_acc t = { g_string_new(NULL) };
  gh_gumbo_walk(n, text_enter, NULL, &t);
  char *norm = gh_norm(t.s->str, t.s->len);
  g_string_free(t.s, TRUE);
  return norm;
}

static bool
truncated_text(const char *norm)
{
  return g_str_has_suffix(norm, "...") || g_str_has_suffix(norm, "…") ||
         g_str_has_suffix(norm, "..");
}

static GRegex *rx(int which);

/* A root or section page that sends the browser on without HTTP: the
 * target is the same kind of page as this one (a seed's is a page to look
 * for the column on, not a seed of its own). */
static void
redirect_to(struct collect *c, const char *href)
{
  c->rule = "a redirect without HTTP (meta refresh or window.location)";
  add_link(c, href, "", c->from == GH_LINK_SEED ? GH_LINK_SECTION : (int)c->from);
  c->rule = NULL;
}

static void
refresh_meta(struct collect *c, const GumboNode *n)
{
  GumboAttribute *eq = gumbo_get_attribute(&n->v.element.attributes, "http-equiv");
  GumboAttribute *content = gumbo_get_attribute(&n->v.element.attributes, "content");
  if(!eq || !content || g_ascii_strcasecmp(eq->value, "refresh"))
    return;
  GMatchInfo *mi = NULL;
  if(g_regex_match(rx(5), content->value, 0, &mi)) {
    char *u = g_match_info_fetch(mi, 1);
    redirect_to(c, u);
    g_free(u);
  }
  g_match_info_free(mi);
}

/* window.location = "…" in a page that is little else (a portal root that
 * forwards to its home page): a page full of links has its own content,
 * and its scripts' locations are search boxes and menus. */
static void
script_redirects(struct collect *c, const char *text, size_t len, unsigned links_before)
{
  if(links_before > 3 || len > 64 * 1024)
    return;
  GMatchInfo *mi = NULL;
  g_regex_match_full(rx(4), text, (gssize)len, 0, 0, &mi, NULL);
  for(int n = 0; g_match_info_matches(mi) && n < 3; g_match_info_next(mi, NULL), n++) {
    char *u = g_match_info_fetch(mi, 1);
    if(!g_str_has_prefix(u, "javascript:") && u[0] != '#')
      redirect_to(c, u);
    g_free(u);
  }
  g_match_info_free(mi);
}

/* Hanweb JPaaS columns print no list: a script tag
 *   <script src="…/unitbuild.js" url="/api-gateway/…/build/unit"
 *           queryData="{'pageId':'…','tagId':'…'}">
 * declares the API that answers {"data":{"html":"<ul>…</ul>"}}.  The API
 * with those parameters is the column's list (jpaas_json reads it). */
static void
jpaas_unit(struct collect *c, const GumboNode *n)
{
  const GumboVector *attrs = &n->v.element.attributes;
  GumboAttribute *src = gumbo_get_attribute(attrs, "src");
  GumboAttribute *api = gumbo_get_attribute(attrs, "url");
  GumboAttribute *qd = gumbo_get_attribute(attrs, "querydata");
  if(!src || !api || !strstr(src->value, "unitbuild.js") || !*api->value)
    return;
  GString *u = g_string_new(api->value);
  if(qd) {
    /* The attribute is a JavaScript object literal in single quotes. */
    char *js = g_strdup(qd->value);
    for(char *p = js; *p; p++)
      if(*p == '\'')
        *p = '"';
    json_t *q = json_loads(js, 0, NULL);
    g_free(js);
    const char *k;
    json_t *v;
    char sep = strchr(u->str, '?') ? '&' : '?';
    json_object_foreach(q, k, v) {
      char *val = json_is_string(v) ? g_strdup(json_string_value(v))
                                    : json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
      char *ek = g_uri_escape_string(k, NULL, FALSE);
      char *ev = val ? g_uri_escape_string(val, NULL, FALSE) : g_strdup("");
      g_string_append_printf(u, "%c%s=%s", sep, ek, ev);
      sep = '&';
      g_free(ek);
      g_free(ev);
      free(val);
    }
    json_decref(q);
  }
  c->rule = "the list API of a Hanweb JPaaS column (unitbuild.js)";
  add_link(c, u->str, "", GH_LINK_LIST);
  c->rule = NULL;
  g_string_free(u, TRUE);
}

static bool
link_enter(const GumboNode *n, void *ud)
{
  struct collect *c = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return n->type == GUMBO_NODE_DOCUMENT;
  GumboTag tag = n->v.element.tag;
  const char *attr = NULL;
  if(tag == GUMBO_TAG_META && c->from != GH_LINK_REPORT) {
    refresh_meta(c, n);
    return false;
  }
  if(tag == GUMBO_TAG_SCRIPT) {
    if(c->from != GH_LINK_REPORT)
      jpaas_unit(c, n);
    return false;
  }
  if(tag == GUMBO_TAG_A || tag == GUMBO_TAG_AREA)
    attr = "href";
  else if(tag == GUMBO_TAG_IFRAME || tag == GUMBO_TAG_FRAME)
    attr = "src";
  if(!attr)
    return true;
  GumboAttribute *h = gumbo_get_attribute(&n->v.element.attributes, attr);
  if(!h)
    return tag != GUMBO_TAG_A;
  c->anchors += tag == GUMBO_TAG_A;
  if(tag == GUMBO_TAG_IFRAME || tag == GUMBO_TAG_FRAME) {
    /* A column page that frames its list: the frame is the list. */
    if(c->from == GH_LINK_COLUMN || c->from == GH_LINK_LIST) {
      c->rule = "a frame of a column page: its list";
      add_link(c, h->value, "", GH_LINK_LIST);
      c->rule = NULL;
    }
    return false;
  }
  char *text = norm_text_of(n);
  /* List pages cut long titles ("…年度…") and keep the whole in title=. */
  GumboAttribute *title = gumbo_get_attribute(&n->v.element.attributes, "title");
  if(title && (!*text || truncated_text(text) || (report_like(title->value) && !report_like(text)))) {
    char *t = gh_norm(title->value, strlen(title->value));
    if(*t) {
      g_free(text);
      text = t;
    } else {
      g_free(t);
    }
  }
  add_link(c, h->value, text, -1);
  g_free(text);
  return false;
}

/* The page's <a>/<area>/<iframe> links, from `tree` when the caller parsed
 * the page already. */
static void
collect_html(struct collect *c, const GumboOutput *tree, const char *html, size_t len)
{
  struct gh_html_tree *own = tree ? NULL : gh_gumbo_parse(html, len);
  const GumboOutput *out = tree ? tree : own ? own->out : NULL;
  if(out)
    gh_gumbo_walk(out->document, link_enter, NULL, c);
  gh_gumbo_free(own);
}

/* ---- script-written pagination ---- */

static GRegex *
rx(int which)
{
  static GRegex *r[7];
  static gsize once = 0;
  if(g_once_init_enter(&once)) {
    /* No G_REGEX_OPTIMIZE: PCRE2's JIT reads past buffers with SIMD loads, which
     * valgrind reports; these patterns run a few times per page. */
    GRegexCompileFlags f = 0;
    r[0] = g_regex_new("createPageHTML\\s*\\(([^()]{0,300})\\)", f, 0, NULL);
    r[1] = g_regex_new("\\b(?:countPage|totalPage|pageCount|pageTotal|totalpage|pagecount|"
                       "totalPages)\\s*[=:]\\s*['\"]?([0-9]{1,4})\\b",
                       f, 0, NULL);
    r[2] = g_regex_new("<totalrecord>\\s*([0-9]{1,7})\\s*</totalrecord>", f, 0, NULL);
    r[3] = g_regex_new("https?://[A-Za-z0-9.\\-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~\\-/%?=&+]*)?",
                       f, 0, NULL);
    /* window.location.href = "…", location = '…', location.replace("…") */
    r[4] = g_regex_new("\\b(?:window\\.|document\\.|top\\.|self\\.)?location"
                       "(?:\\.href)?\\s*(?:=\\s*|\\.(?:replace|assign)\\s*\\(\\s*)"
                       "['\"]([^'\"\\s<>]{1,500})['\"]", f, 0, NULL);
    /* <meta http-equiv="refresh" content="0; url=…"> */
    r[5] = g_regex_new("^\\s*[0-9.]*\\s*[;,]?\\s*url\\s*=\\s*['\"]?([^'\"\\s]{1,500})",
                       G_REGEX_CASELESS, 0, NULL);
    /* Hanweb jpage({… totalRecord: 45, …}) */
    r[6] = g_regex_new("\\btotalRecord['\"]?\\s*[:=]\\s*['\"]?([0-9]{1,7})\\b", G_REGEX_CASELESS,
                       0, NULL);
    g_once_init_leave(&once, 1);
  }
  return r[which];
}

static char *
unquote(char *s)
{
  s = g_strstrip(s);
  size_t n = strlen(s);
  if(n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
    s[n - 1] = '\0';
    s++;
  }
  return s;
}

static void
add_generated(struct collect *c, const char *rel)
{
  const char *saved = c->rule;
  if(!c->rule)
    c->rule = "a page of the list its CMS script announces";
  add_link(c, rel, "", GH_LINK_LIST);
  c->rule = saved;
}

/* TRS: createPageHTML(pages, current, prefix, suffix) is 0-based
 * (index.html, index_1.html…); the six-argument form (container, pages,
 * current, prefix, suffix, records) is 1-based (xlist.shtml, xlist_2…). */
static void
trs_pages(struct collect *c, const char *text)
{
  GMatchInfo *mi = NULL;
  g_regex_match(rx(0), text, 0, &mi);
  for(; g_match_info_matches(mi); g_match_info_next(mi, NULL)) {
    char *args = g_match_info_fetch(mi, 1);
    char **a = g_strsplit(args, ",", 8);
    guint n = g_strv_length(a);
    int pages = -1;
    const char *prefix = NULL, *suffix = NULL;
    bool one_based = false;
    if(n == 4) {
      pages = atoi(unquote(a[0]));
      prefix = unquote(a[2]);
      suffix = unquote(a[3]);
    } else if(n == 6) {
      pages = atoi(unquote(a[1]));
      prefix = unquote(a[3]);
      suffix = unquote(a[4]);
      one_based = true;
    }
    if(pages > 1 && prefix && suffix && *prefix && *suffix) {
      if(pages > MAX_GENERATED_PAGES)
        pages = MAX_GENERATED_PAGES;
      for(int p = 1; p < pages; p++) {
        char *rel = g_strdup_printf("%s_%d.%s", prefix, one_based ? p + 1 : p, suffix);
        add_generated(c, rel);
        g_free(rel);
      }
    }
    g_strfreev(a);
    g_free(args);
  }
  g_match_info_free(mi);
}

/* A page count in a script variable: the other pages follow the current
 * URL's own numbering (index_N, name-N, ?pageNo=N). */
static void
var_pages(struct collect *c, const char *text)
{
  GMatchInfo *mi = NULL;
  if(!g_regex_match(rx(1), text, 0, &mi)) {
    g_match_info_free(mi);
    return;
  }
  char *num = g_match_info_fetch(mi, 1);
  int pages = atoi(num);
  g_free(num);
  g_match_info_free(mi);
  if(pages <= 1)
    return;
  if(pages > MAX_GENERATED_PAGES)
    pages = MAX_GENERATED_PAGES;
  char *pq = gh_url_path_query(c->page_url);
  if(!pq)
    return;
  static const char *const qnames[] = { "pageNo=", "page=", "pageIndex=", "curPage=", "pageNum=",
                                        NULL };
  const char *q = strchr(pq, '?');
  for(const char *const *qn = qnames; q && *qn; qn++) {
    const char *at = strstr(q, *qn);
    if(!at || (at[-1] != '?' && at[-1] != '&'))
      continue;
    const char *v = at + strlen(*qn);
    size_t d = strspn(v, "0123456789");
    int base = d ? atoi(v) : 0;
    base = base > 0 ? 1 : 0;
    for(int p = base; p < pages + base; p++) {
      char *rel = g_strdup_printf("%.*s%d%s", (int)(v - pq), pq, p, v + d);
      add_generated(c, rel);
      g_free(rel);
    }
    g_free(pq);
    return;
  }
  char *query = strchr(pq, '?');
  if(query)
    *query = '\0';
  char *slash = strrchr(pq, '/');
  const char *file = slash ? slash + 1 : pq;
  GRegex *numbered = g_regex_new("^(.*[-_])([0-9]{1,4})(\\.[a-z]{3,5})$", 0, 0, NULL);
  GMatchInfo *m2 = NULL;
  if(!*file || g_str_has_prefix(file, "index.") || g_str_has_prefix(file, "index_")) {
    const char *dot = strrchr(file, '.');
    const char *ext = dot ? dot : ".html";
    for(int p = 1; p < pages; p++) {
      char *rel = g_strdup_printf("index_%d%s", p, ext);
      add_generated(c, rel);
      g_free(rel);
    }
  } else if(g_regex_match(numbered, file, 0, &m2)) {
    char *pre = g_match_info_fetch(m2, 1), *cur = g_match_info_fetch(m2, 2),
         *ext = g_match_info_fetch(m2, 3);
    int base = atoi(cur) > 0 ? 1 : 0;
    for(int p = base; p < pages + base; p++) {
      char *rel = g_strdup_printf("%s%d%s", pre, p, ext);
      add_generated(c, rel);
      g_free(rel);
    }
    g_free(pre);
    g_free(cur);
    g_free(ext);
  }
  g_match_info_free(m2);
  g_regex_unref(numbered);
  g_free(pq);
}

static char *
query_param(const char *url, const char *name)
{
  const char *q = strchr(url, '?');
  if(!q)
    return NULL;
  size_t n = strlen(name);
  for(const char *p = q + 1; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
    if(!strncmp(p, name, n) && p[n] == '=') {
      size_t len = strcspn(p + n + 1, "&#");
      return g_strndup(p + n + 1, len);
    }
  }
  return NULL;
}

/* Hanweb (大汉) jcms: list records sit in CDATA inside <script
 * type="text/xml"> (gumbo sees raw text, so unwrap them here), and later
 * pages come from dataproxy.jsp, which answers the same XML.  GET with the
 * form fields as query parameters works where POST is the browser's way. */
static void
hanweb(struct collect *c, const char *text, size_t len)
{
  const char *end = text + len;
  unsigned blocks = 0, records = 0;
  char *proxy = NULL;
  for(const char *p = text; p < end && blocks < MAX_CDATA_BLOCKS;) {
    const char *open = g_strstr_len(p, end - p, "<![CDATA[");
    if(!open)
      break;
    const char *body = open + 9;
    const char *close = g_strstr_len(body, end - body, "]]>");
    if(!close)
      break;
    blocks++;
    /* Is this block the <nextgroup> (the proxy link) or a <record>? */
    bool next = open - text >= 11 && g_strstr_len(open - 11, 11, "<nextgroup>");
    if(next) {
      GRegex *href = g_regex_new("href=['\"]([^'\"]*dataproxy[^'\"]*)['\"]", 0, 0, NULL);
      GMatchInfo *mi = NULL;
      char *frag = g_strndup(body, (size_t)(close - body));
      if(g_regex_match(href, frag, 0, &mi) && !proxy) {
        char *h = g_match_info_fetch(mi, 1);
        proxy = gh_url_resolve(c->page_url, h);
        g_free(h);
      }
      g_match_info_free(mi);
      g_regex_unref(href);
      g_free(frag);
    } else {
      records++;
      enum gh_link_kind saved = c->from;
      c->from = GH_LINK_LIST;
      collect_html(c, NULL, body, (size_t)(close - body));
      c->from = saved;
    }
    p = close + 3;
  }
  if(!proxy && strstr(c->page_url, "dataproxy.jsp"))
    proxy = g_strdup(c->page_url);
  /* The total: <totalrecord>N</totalrecord>, or a jpage({… totalRecord: N
   * …}) call.  Without one, the first group is asked for: the answer
   * carries the total, and its own discovery generates the rest. */
  long total = -1;
  for(int which = 2; which <= 6 && total < 0; which += 4) {
    GMatchInfo *mi = NULL;
    if(g_regex_match_full(rx(which), text, (gssize)len, 0, 0, &mi, NULL)) {
      char *t = g_match_info_fetch(mi, 1);
      total = atol(t);
      g_free(t);
    }
    g_match_info_free(mi);
  }
  bool unknown_total = total < 0 && proxy && !strstr(c->page_url, "dataproxy.jsp");
  if(unknown_total)
    total = (long)records + 1; /* one group past what the shell carried */
  if(proxy && total > 0) {
    char *perpage_s = query_param(proxy, "perpage");
    long perpage = perpage_s ? atol(perpage_s) : 15;
    g_free(perpage_s);
    if(perpage <= 0 || perpage > 100)
      perpage = 15;
    long chunk = perpage * 3; /* what the Hanweb script asks for */
    static const char *const keep[] = { "webid", "columnid", "unitid", "webname", NULL };
    GString *params = g_string_new("col=1&appid=1");
    for(const char *const *k = keep; *k; k++) {
      char *v = query_param(proxy, *k);
      if(v)
        g_string_append_printf(params, "&%s=%s", *k, v);
      g_free(v);
    }
    g_string_append(params, "&path=/&sourceContentType=1&permissiontype=0");
    char *q = strchr(proxy, '?');
    if(q)
      *q = '\0';
    bool shell = !strstr(c->page_url, "dataproxy.jsp");
    /* On an answer, the chunks up to its own were generated by the shell
     * (or by earlier answers) already. */
    char *cur_s = shell ? NULL : query_param(c->page_url, "startrecord");
    long current = cur_s ? atol(cur_s) : 0;
    g_free(cur_s);
    int generated = 0;
    for(long s = 1; s <= total && generated < MAX_GENERATED_PAGES; s += chunk, generated++) {
      long e = s + chunk - 1;
      if((shell && e <= (long)records) || (!shell && s <= current))
        continue; /* the shell already carried these */
      char *u = g_strdup_printf("%s?startrecord=%ld&endrecord=%ld&perpage=%ld&%s", proxy, s, e,
                                perpage, params->str);
      add_generated(c, u);
      g_free(u);
    }
    g_string_free(params, TRUE);
  }
  g_free(proxy);
}

/* Reports print their column's address ("可在…政府信息公开年报专栏查阅
 * http://…/zfxxgknb/"); those are worth a visit. */
static void
printed_urls(struct collect *c, const char *text, size_t len)
{
  GMatchInfo *mi = NULL;
  g_regex_match_full(rx(3), text, (gssize)len, 0, 0, &mi, NULL);
  for(int n = 0; g_match_info_matches(mi) && n < 50; g_match_info_next(mi, NULL), n++) {
    char *u = g_match_info_fetch(mi, 0);
    char *host = gh_url_host(u);
    if(host && gh_url_host_is_gov(host)) {
      c->rule = "an address printed in the report's text";
      add_link(c, u, "", attachment_like("", u) ? GH_LINK_ATTACHMENT : GH_LINK_COLUMN);
      c->rule = NULL;
    }
    g_free(host);
    g_free(u);
  }
  g_match_info_free(mi);
}

/* Guangdong gkmlpt: /gkmlpt/api/all/<column>?page=N&sid=<site> answers
 * {"articles":[{"url","title"}…],"total":N}; the other pages follow by
 * number. */
static bool
gkmlpt(struct collect *c, const char *text, size_t len)
{
  if(!strstr(c->page_url, "/gkmlpt/api/"))
    return false;
  json_t *j = json_loadb(text, len, 0, NULL);
  json_t *arts = json_object_get(j, "articles");
  if(!json_is_array(arts)) {
    json_decref(j);
    return false;
  }
  size_t i;
  json_t *a;
  json_array_foreach(arts, i, a) {
    const char *url = json_string_value(json_object_get(a, "url"));
    const char *title = json_string_value(json_object_get(a, "title"));
    if(!url)
      continue;
    char *norm = gh_norm(title ? title : "", title ? strlen(title) : 0);
    add_link(c, url, norm, -1);
    g_free(norm);
  }
  char *page = query_param(c->page_url, "page");
  json_int_t total = json_integer_value(json_object_get(j, "total"));
  size_t per = json_array_size(arts);
  if((!page || atoi(page) <= 1) && per > 0 && total > (json_int_t)per) {
    json_int_t pages = (total + (json_int_t)per - 1) / (json_int_t)per;
    if(pages > MAX_GENERATED_PAGES)
      pages = MAX_GENERATED_PAGES;
    char *base = g_strdup(c->page_url);
    char *q = strchr(base, '?');
    if(q)
      *q = '\0';
    char *sid = query_param(c->page_url, "sid");
    for(json_int_t p = 2; p <= pages; p++) {
      char *u = sid ? g_strdup_printf("%s?page=%d&sid=%s", base, (int)p, sid)
                    : g_strdup_printf("%s?page=%d", base, (int)p);
      add_generated(c, u);
      g_free(u);
    }
    g_free(sid);
    g_free(base);
  }
  g_free(page);
  json_decref(j);
  return true;
}

/* A Guangdong gkmlpt page (/gkmlpt/index, /gkmlpt/policy …) is an empty
 * shell whose script holds the site id (SID: '755031') and the column
 * tree ({"id":2839,"name":"政府信息公开年报",…}).  The annual-report
 * column's list is /gkmlpt/api/all/<id>?page=1&sid=<sid>; the answer's
 * own discovery (gkmlpt) pages through the rest. */
static void
gkmlpt_shell(struct collect *c, const char *text, size_t len)
{
  if(!strstr(c->page_url, "/gkmlpt/") || strstr(c->page_url, "/gkmlpt/api/") ||
     len > 4 * 1024 * 1024)
    return;
  GRegex *sid_rx = g_regex_new("\\bSID\\s*[:=]\\s*['\"]?([0-9]{1,12})", 0, 0, NULL);
  GRegex *id_rx = g_regex_new("['\"]?\\bid['\"]?\\s*:\\s*['\"]?([0-9]{1,9})", 0, 0, NULL);
  GMatchInfo *mi = NULL;
  char *sid = NULL;
  if(g_regex_match_full(sid_rx, text, (gssize)len, 0, 0, &mi, NULL))
    sid = g_match_info_fetch(mi, 1);
  g_match_info_free(mi);
  char *root = g_strdup(c->page_url);
  char *g = strstr(root, "/gkmlpt/");
  if(sid && g) {
    g[strlen("/gkmlpt/")] = '\0';
    int found = 0;
    static const char *const names[] = { "信息公开年报", "信息公开年度报告", "年度报告", NULL };
    for(const char *const *nm = names; *nm && !found; nm++) {
      for(const char *h = g_strstr_len(text, (gssize)len, *nm); h && found < 4;
          h = g_strstr_len(h + 1, (gssize)(len - (size_t)(h + 1 - text)), *nm)) {
        /* The id of the tree node that names it: the nearest "id": before
         * the name within the node (120 bytes). */
        const char *from = h - text > 120 ? h - 120 : text;
        char *win = g_strndup(from, (size_t)(h - from));
        char *id = NULL;
        g_regex_match(id_rx, win, 0, &mi);
        while(g_match_info_matches(mi)) {
          g_free(id);
          id = g_match_info_fetch(mi, 1);
          g_match_info_next(mi, NULL);
        }
        g_match_info_free(mi);
        g_free(win);
        if(id) {
          char *u = g_strdup_printf("%sapi/all/%s?page=1&sid=%s", root, id, sid);
          c->rule = "the 年报 node of a gkmlpt column tree";
          add_link(c, u, "", GH_LINK_COLUMN);
          c->rule = NULL;
          g_free(u);
          found++;
        }
        g_free(id);
      }
    }
  }
  g_free(root);
  g_free(sid);
  g_regex_unref(sid_rx);
  g_regex_unref(id_rx);
}

/* A JPaaS unit answer: {"data":{"html":"<ul>…</ul>"}}; its links are the
 * column's. */
static bool
jpaas_json(struct collect *c, const char *text, size_t len)
{
  if(!len || (*text != '{' && *text != ' ' && *text != '\n') || !strstr(c->page_url, "build/unit"))
    return false;
  json_t *j = json_loadb(text, len, 0, NULL);
  const char *html = json_string_value(json_object_get(json_object_get(j, "data"), "html"));
  if(!html) {
    json_decref(j);
    return false;
  }
  enum gh_link_kind saved = c->from;
  c->from = GH_LINK_LIST;
  collect_html(c, NULL, html, strlen(html));
  c->from = saved;
  json_decref(j);
  return true;
}

void
gh_discover(const char *utf8, size_t len, const char *page_url, enum gh_link_kind from,
            GPtrArray *out)
{
  gh_discover_tree(NULL, utf8, len, page_url, NULL, from, out);
}

static void discover_run(const GumboOutput *tree, const char *utf8, size_t len,
                         const char *page_url, const char *embedding_url, enum gh_link_kind from,
                         GPtrArray *out, GPtrArray *explain);

void
gh_discover_tree(const GumboOutput *tree, const char *utf8, size_t len, const char *page_url,
                 const char *embedding_url, enum gh_link_kind from, GPtrArray *out)
{
  discover_run(tree, utf8, len, page_url, embedding_url, from, out, NULL);
}

bool
gh_is_api_answer(const char *url)
{
  return strstr(url, "/dataproxy.jsp") || strstr(url, "/build/unit");
}

void
gh_verdict_free(void *p)
{
  struct gh_verdict *v = p;
  g_free(v->url);
  g_free(v->text);
  g_free(v);
}

void
gh_discover_explain(const char *utf8, size_t len, const char *page_url, enum gh_link_kind from,
                    GPtrArray *out, GPtrArray *verdicts)
{
  discover_run(NULL, utf8, len, page_url, NULL, from, out, verdicts);
}

static void
discover_run(const GumboOutput *tree, const char *utf8, size_t len, const char *page_url,
             const char *embedding_url, enum gh_link_kind from, GPtrArray *out, GPtrArray *explain)
{
  struct collect c = { .page_url = page_url,
                       .link_base = gh_is_api_answer(page_url) && embedding_url ? embedding_url : page_url,
                       .from = from, .out = out,
                       .seen = g_hash_table_new(g_str_hash, g_str_equal),
                       .page_column_token = -1, .explain = explain,
                       .explained = explain ? g_hash_table_new_full(g_str_hash, g_str_equal,
                                                                    g_free, NULL) : NULL };
  if(gkmlpt(&c, utf8, len) || jpaas_json(&c, utf8, len))
    goto out;
  collect_html(&c, tree, utf8, len);
  if(from == GH_LINK_SEED || from == GH_LINK_SECTION || from == GH_LINK_COLUMN) {
    script_redirects(&c, utf8, len, c.anchors);
    gkmlpt_shell(&c, utf8, len);
  }
  if(from == GH_LINK_COLUMN || from == GH_LINK_LIST || from == GH_LINK_SEED ||
     from == GH_LINK_SECTION) {
    hanweb(&c, utf8, len);
    trs_pages(&c, utf8);
    if(from == GH_LINK_COLUMN || from == GH_LINK_LIST)
      var_pages(&c, utf8);
  }
  if(from == GH_LINK_REPORT)
    printed_urls(&c, utf8, len);
out:
  g_hash_table_destroy(c.seen);
  if(c.explained)
    g_hash_table_destroy(c.explained);
  curl_url_cleanup(c.base);
  g_free(c.page_dir);
}

/* ---- anti-bot answers ---- */

const char *
gh_detect_blocked(long status, const char *body, size_t len)
{
  size_t n = len < 65536 ? len : 65536;
  char *head = g_strndup(body ? body : "", n);
  const char *why = NULL;
  if((status == 412 || status == 202) && strstr(head, "$_ts"))
    why = "瑞数 anti-bot challenge (script $_ts)";
  else if(status == 521 && (strstr(head, "document.cookie") || strstr(head, "__jsl")))
    why = "加速乐 anti-bot challenge (HTTP 521 cookie script)";
  else if(len < 65536 && (strstr(head, "请求已被") && strstr(head, "阻断")))
    why = "WAF block page (请求已被…阻断)";
  else if(len < 65536 && (strstr(head, "云防护") && strstr(head, "拦截")))
    why = "WAF block page (云防护拦截)";
  else if(len < 65536 && strstr(head, "网站防火墙"))
    why = "WAF block page (网站防火墙)";
  g_free(head);
  return why;
}

/* ---- Content-Disposition ---- */

static char *
percent_decode(const char *s, size_t n)
{
  GString *o = g_string_new(NULL);
  for(size_t i = 0; i < n; i++) {
    if(s[i] == '%' && i + 2 < n && g_ascii_isxdigit(s[i + 1]) && g_ascii_isxdigit(s[i + 2])) {
      g_string_append_c(o, (char)(g_ascii_xdigit_value(s[i + 1]) * 16 +
                                  g_ascii_xdigit_value(s[i + 2])));
      i += 2;
    } else {
      g_string_append_c(o, s[i]);
    }
  }
  return g_string_free(o, FALSE);
}

static char *
bytes_to_utf8(char *raw)
{
  if(g_utf8_validate(raw, -1, NULL))
    return raw;
  char *u = g_convert(raw, -1, "UTF-8", "GB18030", NULL, NULL, NULL);
  g_free(raw);
  return u;
}

char *
gh_disposition_filename(const char *v)
{
  if(!v)
    return NULL;
  const char *star = strstr(v, "filename*=");
  if(star) {
    const char *p = star + 10;
    const char *q1 = strchr(p, '\'');
    const char *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
    if(q2) {
      char *charset = g_strndup(p, (size_t)(q1 - p));
      size_t n = strcspn(q2 + 1, ";");
      char *raw = percent_decode(q2 + 1, n);
      char *out = NULL;
      if(!g_ascii_strcasecmp(charset, "utf-8"))
        out = bytes_to_utf8(raw);
      else {
        out = g_convert(raw, -1, "UTF-8", charset, NULL, NULL, NULL);
        g_free(raw);
      }
      g_free(charset);
      if(out)
        return out;
    }
  }
  const char *f = strstr(v, "filename=");
  if(!f)
    return NULL;
  f += 9;
  size_t n;
  if(*f == '"') {
    f++;
    n = strcspn(f, "\"");
  } else {
    n = strcspn(f, ";");
  }
  /* Servers send raw GBK or percent-encoded UTF-8 here in equal measure. */
  char *raw = percent_decode(f, n);
  return bytes_to_utf8(raw);
}



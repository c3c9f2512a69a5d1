#include "discover.h"

#include <gumbo.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../extract/hant.h"
#include "../extract/htmlwalk.h"
#include "../record/textnorm.h"
#include "discover_int.h"
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
  g_free(l->body);
  g_free(l);
}

char *
gh_discover_norm(const char *s, size_t len)
{
  char *valid = g_utf8_make_valid(s, (gssize)len);
  char *nfkc = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKC);
  g_free(valid);
  char *norm = gh_norm(nfkc ? nfkc : "", nfkc ? strlen(nfkc) : 0);
  g_free(nfkc);
  char *simple = gh_text_to_simplified(norm);
  g_free(norm);
  return simple;
}

char *
gh_post_target(const char *url)
{
  const char *frag = url ? strstr(url, GH_POST_FRAGMENT) : NULL;
  return frag ? g_strndup(url, (gsize)(frag - url)) : NULL;
}


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

bool
gh_discover_trap(const char *norm, const char *url)
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

/* A pager's word or page number, however it is decorated: 下一页,
 * [下一页], 下一页>, 《上一页, 【3】, 第3页, >>, ». */
static bool
pager_like(const char *norm)
{
  static const char *const words[] = { "下一页", "下页", "尾页", "末页", "上一页", "上页", "首页",
                                       "后页", "前页", "最后一页", "第一页", "next", "Next",
                                       "last", "Last", "NEXT", "LAST", NULL };
  static const char *const marks[] = { "[", "]", "【", "】", "(", ")", "<", ">", "«", "»",
                                       "‹", "›", "《", "》", "〈", "〉", "|", ".", "…", "→",
                                       "←", NULL };
  /* Strip the marks on both sides; marks alone (>, >>, ») are a pager too. */
  const char *b = norm, *e = norm + strlen(norm);
  for(bool more = true; more && b < e;) {
    more = false;
    for(const char *const *m = marks; *m; m++) {
      size_t n = strlen(*m);
      if((size_t)(e - b) >= n && !strncmp(b, *m, n)) {
        b += n;
        more = true;
      }
      if((size_t)(e - b) >= n && !strncmp(e - n, *m, n)) {
        e -= n;
        more = true;
      }
    }
  }
  if(b == e) /* >, >>, », ‹‹, … (a gap that links the next block) */
    return strlen(norm) <= 9 && (strpbrk(norm, "<>") || strstr(norm, "»") || strstr(norm, "«") ||
                                 strstr(norm, "›") || strstr(norm, "‹") || strstr(norm, "…"));
  size_t len = (size_t)(e - b);
  for(const char *const *w = words; *w; w++)
    if(strlen(*w) == len && !strncmp(b, *w, len))
      return true;
  /* 3, 第3页 */
  if(len > strlen("第页") && !strncmp(b, "第", strlen("第")) && !strncmp(e - strlen("页"), "页", strlen("页"))) {
    b += strlen("第");
    e -= strlen("页");
  }
  size_t d = strspn(b, "0123456789");
  return d >= 1 && d <= 4 && b + d == e;
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

bool
gh_discover_attachment_like(const char *norm, const char *url)
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


/* The site's home page (/, /index.html, /default.aspx …): what a 首页 in
 * a page's chrome goes to, never a page of a list. */
static bool
site_root(const char *url)
{
  char *path = gh_url_path_query(url);
  if(!path)
    return false;
  char *q = strchr(path, '?');
  if(q)
    *q = '\0';
  bool root = !strcmp(path, "/") || ((g_str_has_prefix(path, "/index.") || g_str_has_prefix(path, "/default.")) &&
                                     !strchr(path + 1, '/'));
  g_free(path);
  return root;
}

/* -1: not worth following. */
static int
classify(struct collect *c, const char *norm, const char *url)
{
  enum gh_link_kind from = c->from;
  if(gh_discover_trap(norm, url))
    return c->why = "a trap (政府网站年度报表)", -1;
  bool from_list = from == GH_LINK_COLUMN || from == GH_LINK_LIST;
  if(gh_discover_attachment_like(norm, url)) {
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
  if(from_list && pager_like(norm) && !site_root(url))
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
  if((from == GH_LINK_SEED || from == GH_LINK_SECTION || c->seed_column) && section_like(norm))
    return c->why = "a 政府信息公开/政务公开 section", GH_LINK_SECTION;
  return c->why = from == GH_LINK_REPORT ? "not a document of the report"
                : from_list ? "not a report title, page link or sub-column"
                            : "not a section, column or report", -1;
}

/* ---- collecting ---- */

void
gh_discover_add_full(struct collect *c, const char *href, const char *norm_text, int forced_kind,
                     const char *body, const char *post_id, unsigned flags)
{
  if(c->count >= MAX_LINKS_PER_PAGE)
    return;
  if(!c->base && !(c->base = gh_url_base(c->link_base)))
    return;
  char *url = gh_url_resolve_from(c->base, href);
  if(!url)
    return;
  if(post_id) {
    char *posted = g_strconcat(url, GH_POST_FRAGMENT, post_id, NULL);
    g_free(url);
    url = posted;
  }
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
  struct gh_verdict *v = NULL;
  if(c->explain && !g_hash_table_contains(c->seen, url) &&
     g_hash_table_add(c->explained, g_strdup(url))) {
    v = g_new0(struct gh_verdict, 1);
    v->url = g_strdup(url);
    v->text = g_strdup(norm_text);
    v->kind = kind;
    v->why = c->why;
    g_ptr_array_add(c->explain, v);
  }
  if(kind < 0) {
    if(forced_kind < 0 && !g_hash_table_contains(c->seen, url))
      gh_directory_defer(c, url, norm_text, body, v);
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
  /* A sub-column named for an agency is a directory's, whatever rule took it. */
  if(kind == GH_LINK_COLUMN && (c->from == GH_LINK_COLUMN || c->from == GH_LINK_LIST) &&
     gh_directory_agency_like(norm_text)) {
    flags |= GH_LINK_F_DIRECTORY;
    c->agency_columns++;
  }
  struct gh_link *l = g_new0(struct gh_link, 1);
  l->url = url;
  l->text = g_strdup(norm_text);
  l->kind = (enum gh_link_kind)kind;
  l->body = g_strdup(body);
  l->flags = flags;
  g_hash_table_insert(c->seen, l->url, l);
  g_ptr_array_add(c->out, l);
  c->count++;
}

void
gh_discover_add_link(struct collect *c, const char *href, const char *norm_text, int forced_kind)
{
  gh_discover_add_full(c, href, norm_text, forced_kind, NULL, NULL, 0);
}

void
gh_discover_add_post(struct collect *c, const char *action, const char *norm_text,
                     int forced_kind, const char *body, const char *post_id)
{
  gh_discover_add_full(c, action, norm_text, forced_kind, body, post_id, 0);
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

char *
gh_discover_text_of(const GumboNode *n)
{
  struct text_acc t = { g_string_new(NULL) };
  gh_gumbo_walk(n, text_enter, NULL, &t);
  char *norm = gh_discover_norm(t.s->str, t.s->len);
  g_string_free(t.s, TRUE);
  return norm;
}

static bool
truncated_text(const char *norm)
{
  return g_str_has_suffix(norm, "...") || g_str_has_suffix(norm, "…") ||
         g_str_has_suffix(norm, "..");
}


/* A root or section page that sends the browser on without HTTP: the
 * target is the same kind of page as this one (a seed's is a page to look
 * for the column on, not a seed of its own). */
static void
redirect_to(struct collect *c, const char *href)
{
  c->rule = "a redirect without HTTP (meta refresh or window.location)";
  gh_discover_add_link(c, href, "", c->from == GH_LINK_SEED ? GH_LINK_SECTION : (int)c->from);
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
  if(g_regex_match(gh_discover_rx(5), content->value, 0, &mi)) {
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
  g_regex_match_full(gh_discover_rx(4), text, (gssize)len, 0, 0, &mi, NULL);
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
  gh_discover_add_link(c, u->str, "", GH_LINK_LIST);
  c->rule = NULL;
  g_string_free(u, TRUE);
}

/* A link's text as discovery reads it.  List pages cut long titles
 * ("…年度…") and keep the whole in title=. */
static char *
link_text(const GumboNode *n)
{
  char *text = gh_discover_text_of(n);
  GumboAttribute *title = gumbo_get_attribute(&n->v.element.attributes, "title");
  char *t = title ? gh_discover_norm(title->value, MIN(strlen(title->value), 4096)) : NULL;
  if(t && *t && (!*text || truncated_text(text) || (report_like(t) && !report_like(text)))) {
    g_free(text);
    text = g_steal_pointer(&t);
  }
  g_free(t);
  return text;
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
  if(tag == GUMBO_TAG_SELECT) {
    if(c->from != GH_LINK_REPORT)
      gh_forms_select(c, n);
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
      gh_discover_add_link(c, h->value, "", GH_LINK_LIST);
      c->rule = NULL;
    }
    return false;
  }
  char *text = link_text(n);
  gh_discover_add_link(c, h->value, text, -1);
  g_free(text);
  return false;
}

/* The page's <a>/<area>/<iframe> links, from `tree` when the caller parsed
 * the page already. */
void
gh_discover_collect_html(struct collect *c, const GumboOutput *tree, const char *html, size_t len)
{
  struct gh_html_tree *own = tree ? NULL : gh_gumbo_parse(html, len);
  const GumboOutput *out = tree ? tree : own ? own->out : NULL;
  if(out)
    gh_gumbo_walk(out->document, link_enter, NULL, c);
  gh_gumbo_free(own);
}

void
gh_discover(const char *utf8, size_t len, const char *page_url, enum gh_link_kind from,
            GPtrArray *out)
{
  gh_discover_tree(NULL, utf8, len, page_url, NULL, from, out);
}

/* Whether a seed page is itself a report column: its <title> or <h1> reads
 * as one, or it lists two report titles or more (seed_reads_as_column). */
struct seed_read {
  bool column;
  unsigned reports;
};

static bool
seed_enter(const GumboNode *n, void *ud)
{
  struct seed_read *r = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return n->type == GUMBO_NODE_DOCUMENT;
  GumboTag tag = n->v.element.tag;
  if(tag == GUMBO_TAG_SCRIPT || tag == GUMBO_TAG_STYLE)
    return false;
  if(tag != GUMBO_TAG_TITLE && tag != GUMBO_TAG_H1 && tag != GUMBO_TAG_A)
    return !r->column && r->reports < 2;
  char *t = tag == GUMBO_TAG_A ? link_text(n) : gh_discover_text_of(n);
  if(tag == GUMBO_TAG_A)
    r->reports += report_like(t);
  else
    /* "年度报告 - 某县人民政府": the column's name before the site's. */
    r->column |= column_like(t);
  g_free(t);
  return false;
}

static bool
seed_reads_as_column(const GumboOutput *tree)
{
  struct seed_read r = { 0 };
  gh_gumbo_walk(tree->document, seed_enter, NULL, &r);
  return r.column || r.reports >= 2;
}

bool
gh_discover_pager_like(const char *norm)
{
  return pager_like(norm);
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
  struct gh_html_tree *own = NULL;
  if(gh_cms_gkmlpt(&c, utf8, len) || gh_cms_jpaas_json(&c, utf8, len))
    goto out;
  own = tree ? NULL : gh_gumbo_parse(utf8, len);
  tree = tree ? tree : own ? own->out : NULL;
  if(from == GH_LINK_SEED && tree && seed_reads_as_column(tree)) {
    c.from = GH_LINK_COLUMN;
    c.seed_column = true;
  }
  gh_discover_collect_html(&c, tree, utf8, len);
  if(from == GH_LINK_SEED || from == GH_LINK_SECTION || from == GH_LINK_COLUMN) {
    script_redirects(&c, utf8, len, c.anchors);
    gh_cms_gkmlpt_shell(&c, utf8, len);
  }
  if(from == GH_LINK_COLUMN || from == GH_LINK_LIST || from == GH_LINK_SEED ||
     from == GH_LINK_SECTION) {
    gh_cms_hanweb(&c, utf8, len);
    gh_cms_trs_pages(&c, utf8);
    if(c.from == GH_LINK_COLUMN || c.from == GH_LINK_LIST)
      gh_cms_var_pages(&c, utf8);
    if(tree)
      gh_forms_discover(&c, tree, utf8, len);
    gh_directory_links(&c);
  }
  if(from == GH_LINK_REPORT)
    gh_cms_printed_urls(&c, utf8, len);
out:
  gh_gumbo_free(own);
  if(c.deferred)
    g_ptr_array_free(c.deferred, TRUE);
  g_hash_table_destroy(c.seen);
  if(c.explained)
    g_hash_table_destroy(c.explained);
  curl_url_cleanup(c.base);
  g_free(c.page_dir);
}


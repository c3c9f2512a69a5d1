/* What a CMS's pages say without <a> links: pagination written by scripts
 * (TRS createPageHTML, page counts in script variables), Hanweb's jcms
 * datastore and dataproxy.jsp, Guangdong's gkmlpt API, Hanweb JPaaS unit
 * answers, and the column address a report prints.  Each adapter adds the
 * links it finds through gh_discover_add_link, under its own rule name
 * (shown by `probe`).  tests/web/cms_web.py generates the families. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../record/textnorm.h"
#include "discover_int.h"
#include "url.h"

/* ---- script-written pagination ---- */

GRegex *
gh_discover_rx(int which)
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
  gh_discover_add_link(c, rel, "", GH_LINK_LIST);
  c->rule = saved;
}

/* TRS: createPageHTML(pages, current, prefix, suffix) is 0-based
 * (index.html, index_1.html…); the six-argument form (container, pages,
 * current, prefix, suffix, records) is 1-based (xlist.shtml, xlist_2…). */
void
gh_cms_trs_pages(struct collect *c, const char *text)
{
  GMatchInfo *mi = NULL;
  g_regex_match(gh_discover_rx(0), text, 0, &mi);
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
void
gh_cms_var_pages(struct collect *c, const char *text)
{
  GMatchInfo *mi = NULL;
  if(!g_regex_match(gh_discover_rx(1), text, 0, &mi)) {
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
void
gh_cms_hanweb(struct collect *c, const char *text, size_t len)
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
      gh_discover_collect_html(c, NULL, body, (size_t)(close - body));
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
    if(g_regex_match_full(gh_discover_rx(which), text, (gssize)len, 0, 0, &mi, NULL)) {
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
void
gh_cms_printed_urls(struct collect *c, const char *text, size_t len)
{
  GMatchInfo *mi = NULL;
  g_regex_match_full(gh_discover_rx(3), text, (gssize)len, 0, 0, &mi, NULL);
  for(int n = 0; g_match_info_matches(mi) && n < 50; g_match_info_next(mi, NULL), n++) {
    char *u = g_match_info_fetch(mi, 0);
    char *host = gh_url_host(u);
    if(host && gh_url_host_is_gov(host)) {
      c->rule = "an address printed in the report's text";
      gh_discover_add_link(c, u, "", gh_discover_attachment_like("", u) ? GH_LINK_ATTACHMENT : GH_LINK_COLUMN);
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
bool
gh_cms_gkmlpt(struct collect *c, const char *text, size_t len)
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
    char *norm = gh_discover_norm(title ? title : "", title ? strlen(title) : 0);
    gh_discover_add_link(c, url, norm, -1);
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
void
gh_cms_gkmlpt_shell(struct collect *c, const char *text, size_t len)
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
          gh_discover_add_link(c, u, "", GH_LINK_COLUMN);
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
bool
gh_cms_jpaas_json(struct collect *c, const char *text, size_t len)
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
  gh_discover_collect_html(c, NULL, html, strlen(html));
  c->from = saved;
  json_decref(j);
  return true;
}


/* Link discovery (crawler/discover.c): report links, columns and
 * sections, script-written pagination; anti-bot pages; Content-Disposition
 * names (crawler/fetch.c). */
#include <glib.h>
#include <string.h>

#include "check.h"
#include "crawler/discover.h"
#include "crawler/fetch.h"
#include "extract/htmlwalk.h"

static struct gh_link *
find(GPtrArray *links, const char *url_part)
{
  for(guint i = 0; i < links->len; i++) {
    struct gh_link *l = links->pdata[i];
    if(strstr(l->url, url_part))
      return l;
  }
  return NULL;
}

static GPtrArray *
discover(const char *html, const char *url, enum gh_link_kind from)
{
  GPtrArray *links = g_ptr_array_new_with_free_func(gh_link_free);
  gh_discover(html, strlen(html), url, from, links);
  return links;
}

static const char *
blocked(long status, const char *body)
{
  return gh_detect_blocked(status, body, strlen(body));
}

static void
test_discover(void)
{
  GPtrArray *l = discover(
    "<div class=nav><a href='/zwgk/'>政务公开</a><a href='/news/'>新闻中心</a>"
    "<a href='/zwgk/zfxxgkzn/'>政府信息公开指南</a><a href='/zwgk/zfxxgknb/'>政府信息公开年报</a></div>",
    "http://www.wd.gov.cn/", GH_LINK_SEED);
  EXPECT(find(l, "/zwgk/") && find(l, "/zwgk/") ->kind == GH_LINK_SECTION, "section link");
  EXPECT(find(l, "zfxxgknb") && find(l, "zfxxgknb")->kind == GH_LINK_COLUMN, "column link");
  EXPECT(!find(l, "news") && !find(l, "zfxxgkzn"), "news and 指南 not followed");
  g_ptr_array_free(l, TRUE);

  const char *col = "http://www.wd.gov.cn/zwgk/zfxxgknb/index.html";
  l = discover("<li><a href='./2021/t1.html' title='武定县民政局2020年政府信息公开工作年度报告'>武定县民政局2020年政府信息公开...</a></li>"
               "<li><a href='../zfwzndbb/t2.html'>武定县人民政府2020年政府网站工作年度报表</a></li>"
               "<li><a href='/f/a.pdf'>附件.pdf</a></li>"
               "<li><a href='./2022n/'>2022年</a></li>"
               "<a href='index_3.html'>下一页</a>"
               "<script>createPageHTML(4, 0, \"index\", \"html\");</script>"
               "<script>createPageHTML('page_div', 3, 1, 'xlist', 'shtml', 45);</script>",
               col, GH_LINK_COLUMN);
  struct gh_link *rep = find(l, "t1.html");
  EXPECT(rep && rep->kind == GH_LINK_REPORT && strstr(rep->text, "年度报告"),
         "report from the title attribute of a cut link text");
  EXPECT(!find(l, "zfwzndbb"), "政府网站年度报表 is a trap");
  EXPECT(!find(l, "a.pdf"), "an attachment without a report title is not followed from a list");
  EXPECT(find(l, "2022n") && find(l, "2022n")->kind == GH_LINK_COLUMN, "year sub-column");
  EXPECT(find(l, "index_1.html") && find(l, "index_2.html") && find(l, "index_3.html") &&
           !find(l, "index_4.html"),
         "createPageHTML(4, 0, …): index_1..index_3");
  EXPECT(find(l, "xlist_2.shtml") && find(l, "xlist_3.shtml") && !find(l, "xlist_4.shtml") &&
           !find(l, "xlist_1.shtml"),
         "createPageHTML('page_div', 3, …): xlist_2, xlist_3");
  g_ptr_array_free(l, TRUE);

  l = discover("<ul><li><a href='t9.html'>报告</a></li></ul><script>var pageCount = 3;</script>",
               "http://www.x.gov.cn/nb/column-index-1.shtml", GH_LINK_COLUMN);
  EXPECT(find(l, "column-index-2.shtml") && find(l, "column-index-3.shtml") && !find(l, "column-index-4"),
         "JS page counter on a numbered page");
  g_ptr_array_free(l, TRUE);
  l = discover("<script>var totalPage=2;</script>", "http://www.x.gov.cn/list.jsp?cat=9&pageNo=0",
               GH_LINK_LIST);
  EXPECT(find(l, "pageNo=1") && !find(l, "pageNo=2"), "?pageNo= from 0");
  g_ptr_array_free(l, TRUE);

  l = discover("<script type=\"text/xml\"><datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/"
               "dataproxy.jsp?page=1&webid=3&path=/&columnid=77&unitid=9&webname=x&permissiontype=0\"></a>]]>"
               "</nextgroup><recordset><record><![CDATA[<li><a href=\"/art/2024/1/30/art_77_1.html\">"
               "龙游县2023年政府信息公开工作年度报告</a></li>]]></record></recordset></datastore></script>"
               "<totalrecord>100</totalrecord>",
               "http://www.longyou.gov.cn/col/col77/index.html", GH_LINK_COLUMN);
  rep = find(l, "art_77_1");
  EXPECT(rep && rep->kind == GH_LINK_REPORT, "Hanweb CDATA record is a report link");
  struct gh_link *p2 = find(l, "startrecord=46&endrecord=90&perpage=15");
  EXPECT(p2 && strstr(p2->url, "columnid=77") && strstr(p2->url, "unitid=9") && strstr(p2->url, "webid=3"),
         "dataproxy pages with the column's parameters");
  EXPECT(find(l, "startrecord=1&") != NULL, "the first chunk too (the shell carried one record)");
  EXPECT(find(l, "startrecord=91&endrecord=135") != NULL, "records 91..100");
  g_ptr_array_free(l, TRUE);

  l = discover("<p>本报告电子版可在本机关门户网站 http://www.sandu.gov.cn/zfxxgk/zfxxgknb/ 下载。"
               "<a href='/u/r.pdf'>附件1</a></p><p>另见 http://www.evil.com/x</p>",
               "http://www.sandu.gov.cn/zfxxgk/zfxxgknb/2022n/t1.html", GH_LINK_REPORT);
  EXPECT(find(l, "r.pdf") && find(l, "r.pdf")->kind == GH_LINK_ATTACHMENT, "attachment of a report page");
  EXPECT(find(l, "www.sandu.gov.cn/zfxxgk/zfxxgknb/") && !find(l, "evil"),
         "column URL printed in a report body; non-government URLs ignored");
  g_ptr_array_free(l, TRUE);

  const char *api = "{\"articles\":[{\"url\":\"http://www.panyu.gov.cn/gkmlpt/content/9/9881/post_9881288.html\","
                    "\"title\":\"广州市番禺区人民政府2023年政府信息公开工作年度报告\"},"
                    "{\"url\":\"http://www.panyu.gov.cn/gkmlpt/content/9/9881/post_1.html\",\"title\":\"区长调研\"}],"
                    "\"total\":5}";
  l = discover(api, "http://www.panyu.gov.cn/gkmlpt/api/all/2839?page=1&sid=757", GH_LINK_COLUMN);
  EXPECT(find(l, "post_9881288") && find(l, "post_9881288")->kind == GH_LINK_REPORT && !find(l, "post_1.html"),
         "gkmlpt JSON articles");
  EXPECT(find(l, "2839?page=2&sid=757") && find(l, "page=3&") && !find(l, "page=4&"), "gkmlpt pages 2..3");
  g_ptr_array_free(l, TRUE);

  /* Hanweb shells without <totalrecord>: jpage's totalRecord, or none. */
  const char *shell_head = "<script type=\"text/xml\"><datastore><nextgroup><![CDATA[<a href=\"/module/"
                           "web/jpage/dataproxy.jsp?page=1&webid=3&path=/&columnid=78&unitid=9&"
                           "perpage=10\"></a>]]></nextgroup><recordset><record><![CDATA[<li><a href="
                           "\"/art/2024/1/30/art_78_1.html\">龙游县2023年政府信息公开工作年度报告</a>"
                           "</li>]]></record></recordset></datastore></script>";
  char *page = g_strconcat(shell_head, "<script>$(function(){$('#78').jpage({dataStore: "
                           "dataStore, perPage: 10, totalRecord: 75, proxyUrl: "
                           "'/module/web/jpage/dataproxy.jsp'});});</script>", NULL);
  l = discover(page, "http://www.longyou.gov.cn/col/col78/index.html", GH_LINK_COLUMN);
  EXPECT(find(l, "startrecord=1&endrecord=30") && find(l, "startrecord=61&endrecord=90") &&
           !find(l, "startrecord=91"),
         "jpage totalRecord: 75 gives the groups up to 75");
  g_ptr_array_free(l, TRUE);
  g_free(page);
  l = discover(shell_head, "http://www.longyou.gov.cn/col/col78/index.html", GH_LINK_COLUMN);
  EXPECT(find(l, "startrecord=1&endrecord=30") && !find(l, "startrecord=31"),
         "no total at all: the first group is asked for (its answer carries the total)");
  g_ptr_array_free(l, TRUE);

  /* A gkmlpt shell: the site id and the column tree in its script. */
  l = discover("<div id=\"app\"></div><script>window._CONFIG = {SID: '757001', TREE: "
               "[{\"id\":2830,\"name\":\"机构职能\",\"children\":[]},{\"id\":2839,\"name\":"
               "\"政府信息公开年报\",\"children\":[]}]};</script>",
               "http://www.panyu.gov.cn/gkmlpt/index", GH_LINK_SECTION);
  struct gh_link *gk = find(l, "/gkmlpt/api/all/");
  EXPECT(gk && strstr(gk->url, "/gkmlpt/api/all/2839?page=1&sid=757001") && gk->kind == GH_LINK_COLUMN &&
           !find(l, "all/2830"),
         "gkmlpt shell: the 年报 node's API column: %s", gk ? gk->url : "none");
  g_ptr_array_free(l, TRUE);

  /* Hanweb JPaaS: the list comes from the API a unitbuild.js tag declares. */
  l = discover("<div id=\"list\"></div><script type=\"text/javascript\" "
               "src=\"/module/jpage/AuthorizedRead/unitbuild.js\" "
               "url=\"/api-gateway/jpaas-publish-server/front/page/build/unit\" "
               "queryData=\"{'webId':'3f5a','pageId':'1229701','tagId':'信息列表'}\"></script>",
               "http://www.x.gov.cn/col/col1229701/index.html", GH_LINK_COLUMN);
  struct gh_link *unit = find(l, "build/unit");
  EXPECT(unit && unit->kind == GH_LINK_LIST && strstr(unit->url, "pageId=1229701") &&
           strstr(unit->url, "webId=3f5a"),
         "unitbuild.js: its API with queryData is the list: %s", unit ? unit->url : "none");
  g_ptr_array_free(l, TRUE);
  l = discover("{\"data\":{\"html\":\"<ul><li><a href='/art/2024/2/1/art_1229701_5.html'>"
               "某县2023年政府信息公开工作年度报告</a></li></ul>\"},\"result\":true}",
               "http://www.x.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?pageId=1",
               GH_LINK_LIST);
  EXPECT(find(l, "art_1229701_5") && find(l, "art_1229701_5")->kind == GH_LINK_REPORT,
         "the API's data.html holds the report links");
  g_ptr_array_free(l, TRUE);

  /* Report pages that wrap their attachment in a download script. */
  l = discover("<div class=article><p>附件：<a href='/module/download/downfile.jsp?classid=0&amp;"
               "filename=2301201200.pdf'>点击下载</a></p>"
               "<p><a href='/system/_content/download.jsp?urltype=news.DownloadAttachUrl&amp;owner=14"
               "&amp;wbfileid=8812'>下载</a></p>"
               "<p><a href='/attach/0/abc.jsp?id=7'>附件</a></p>"
               "<p><a href='/system/_content/download.jsp?urltype=x&amp;wbfileid=1'>关于开展防汛演练的通知</a></p>"
               "<p><a href='/news/1.html'>上一篇：县长调研</a></p></div>",
               "http://www.x.gov.cn/art/2023/1/20/art_1_2.html", GH_LINK_REPORT);
  EXPECT(find(l, "filename=2301201200.pdf") &&
           find(l, "filename=2301201200.pdf")->kind == GH_LINK_ATTACHMENT,
         "Hanweb downfile.jsp?filename=….pdf is an attachment");
  EXPECT(find(l, "wbfileid=8812") && find(l, "wbfileid=8812")->kind == GH_LINK_ATTACHMENT,
         "VSB download.jsp behind 下载 is an attachment");
  EXPECT(find(l, "/attach/0/abc.jsp") != NULL, "/attach/ behind 附件");
  EXPECT(!find(l, "wbfileid=1") && !find(l, "/news/1.html"),
         "a download script under another title, and page chrome, are not");
  g_ptr_array_free(l, TRUE);
  l = discover("<li><a href='/zfxxgk/zfxxgknb/?filename=x.docx'>x</a></li>",
               "http://www.x.gov.cn/zfxxgk/zfxxgknb/", GH_LINK_COLUMN);
  EXPECT(!find(l, "x.docx"), "an attachment link on a list needs a report title");
  g_ptr_array_free(l, TRUE);

  /* Sub-columns named for a group of agencies, anywhere on the site. */
  l = discover("<ul><li><a href='/col/col3301/index.html'>市直部门</a></li>"
               "<li><a href='/col/col3302/index.html'>县（市、区）</a></li>"
               "<li><a href='/col/col3303/index.html'>乡镇（街道）</a></li>"
               "<li><a href='/col/col3304/index.html'>2023年度</a></li>"
               "<li><a href='/col/col12/index.html'>通知公告</a></li></ul>",
               "http://www.x.gov.cn/col/col3300/index.html", GH_LINK_COLUMN);
  EXPECT(find(l, "col3301") && find(l, "col3302") && find(l, "col3303") && find(l, "col3304") &&
           find(l, "col3301")->kind == GH_LINK_COLUMN,
         "市直部门, 县（市、区）, 乡镇（街道） and 2023年度 are sub-columns");
  EXPECT(!find(l, "col12/"), "通知公告 is not");
  g_ptr_array_free(l, TRUE);

  /* Roots that move on without HTTP. */
  l = discover("<html><head><meta http-equiv=\"Refresh\" content=\"0; URL='/zwgk/index.html'\">"
               "</head><body></body></html>", "http://www.x.gov.cn/", GH_LINK_SEED);
  EXPECT(find(l, "/zwgk/index.html") && find(l, "/zwgk/index.html")->kind == GH_LINK_SECTION,
         "meta refresh on a root");
  g_ptr_array_free(l, TRUE);
  l = discover("<html><body><script>window.location.href = \"/portal/index.html\";</script>"
               "</body></html>", "http://www.x.gov.cn/", GH_LINK_SEED);
  EXPECT(find(l, "/portal/index.html") != NULL, "window.location.href on a root");
  g_ptr_array_free(l, TRUE);
  l = discover("<script>location.replace('http://xxgk.x.gov.cn/');</script>",
               "http://www.x.gov.cn/zwgk/", GH_LINK_SECTION);
  EXPECT(find(l, "xxgk.x.gov.cn") && find(l, "xxgk.x.gov.cn")->kind == GH_LINK_SECTION,
         "location.replace on a section page");
  g_ptr_array_free(l, TRUE);
  l = discover("<a href='/a.html'>新闻</a><a href='/b.html'>公告</a><a href='/c.html'>政务公开</a>"
               "<a href='/d.html'>互动</a><script>function go(){location.href='/search/s.jsp';}</script>",
               "http://www.x.gov.cn/", GH_LINK_SEED);
  EXPECT(!find(l, "search"), "a page full of links: its scripts' locations are not redirects");
  g_ptr_array_free(l, TRUE);

  EXPECT(blocked(412, "<script>$_ts=window['$_ts'];</script>") != NULL, "瑞数 412");
  EXPECT(blocked(521, "<script>document.cookie=('__jsl_clearance=1')</script>") != NULL,
         "加速乐 521");
  EXPECT(blocked(200, "<h1>您的请求已被网站安全防护阻断</h1>") != NULL, "WAF page as 200");
  EXPECT(blocked(200, "<p>本年新收政府信息公开申请</p>") == NULL, "a report is not blocked");

  char *f = gh_disposition_filename("attachment; filename*=UTF-8''%E5%B9%B4%E6%8A%A5.pdf");
  EXPECT(f && !strcmp(f, "年报.pdf"), "RFC 5987 name: %s", f);
  g_free(f);
  f = gh_disposition_filename("attachment; filename=\"\xc4\xea\xb1\xa8.docx\""); /* GBK 年报 */
  EXPECT(f && !strcmp(f, "年报.docx"), "raw GBK name: %s", f);
  g_free(f);
}


/* Discovery that reads structure (issue 29): one text form, directories,
 * seed columns, form pagers. */
static void
test_structure(void)
{
  /* One form of the text, whatever the page wrote. */
  const char *same[] = { "县（市、区）", "县(市、区)", "縣（市、區）", "县\xE3\x80\x80(市、区)",
                         "县\xC2\xA0( 市、区 )", NULL };
  for(const char **t = same; *t; t++) {
    char *n = gh_discover_norm(*t, strlen(*t));
    EXPECT(!strcmp(n, "县(市、区)"), "%s reads as 县(市、区): %s", *t, n);
    g_free(n);
  }
  char *n = gh_discover_norm("２０２３年政府信息公開工作年度報告", strlen("２０２３年政府信息公開工作年度報告"));
  EXPECT(!strcmp(n, "2023年政府信息公开工作年度报告"), "full-width digits, traditional: %s", n);
  g_free(n);

  /* Sub-columns in any spelling; a 首页 to the site root is no pager. */
  const char *col = "http://www.x.gov.cn/zwgk/nb/index.html";
  GPtrArray *l = discover("<a href='/a/'>縣(市、區)</a><a href='/b/'>乡镇（街道）</a><a href='/'>首页</a>",
                          col, GH_LINK_COLUMN);
  EXPECT(find(l, "/a/") && find(l, "/a/")->kind == GH_LINK_COLUMN, "縣(市、區) is a sub-column");
  EXPECT(find(l, "/b/") && find(l, "/b/")->kind == GH_LINK_COLUMN, "乡镇（街道） is a sub-column");
  for(guint i = 0; i < l->len; i++)
    EXPECT(strcmp(((struct gh_link *)l->pdata[i])->url, "http://www.x.gov.cn/"), "首页 not followed");
  g_ptr_array_free(l, TRUE);

  /* A directory: three agency names are sub-columns at a directory's depth;
   * two are a menu. */
  l = discover("<ul><li><a href='/bm/1/'>县教育体育局</a></li><li><a href='/bm/2/'>县卫生健康委员会</a></li>"
               "<li><a href='/bm/3/'>城关镇</a></li></ul>", col, GH_LINK_COLUMN);
  EXPECT(l->len == 3, "three agencies followed: %u", l->len);
  for(guint i = 0; i < l->len; i++) {
    struct gh_link *k = l->pdata[i];
    EXPECT(k->kind == GH_LINK_COLUMN && (k->flags & GH_LINK_F_DIRECTORY), "%s: a directory's sub-column",
           k->url);
  }
  g_ptr_array_free(l, TRUE);
  l = discover("<a href='/bm/1/'>县教育体育局</a><a href='/xwzx/'>新闻中心</a>", col, GH_LINK_COLUMN);
  EXPECT(l->len == 0, "two agency names are a menu: %u links", l->len);
  g_ptr_array_free(l, TRUE);
  /* A <select> that navigates: its options are links (a directory here). */
  l = discover("<select onchange=\"window.location.href=this.value\"><option value=''>请选择</option>"
               "<option value='/bm/1/'>县教育体育局</option><option value='/bm/2/'>县民政局</option>"
               "<option value='/bm/3/'>县财政局</option></select>", col, GH_LINK_COLUMN);
  EXPECT(l->len == 3 && find(l, "/bm/2/") && find(l, "/bm/2/")->kind == GH_LINK_COLUMN,
         "a navigating select's options: %u links", l->len);
  g_ptr_array_free(l, TRUE);
  /* The page with another value of one parameter. */
  l = discover("<a href='list.jsp?node=7&deptid=13&page=1'>教体</a><a href='list.jsp?node=7&deptid=14&page=1'>卫健</a>"
               "<a href='list.jsp?node=7&deptid=12&page=2'>下一页</a>",
               "http://www.x.gov.cn/info/list.jsp?node=7&deptid=12&page=1", GH_LINK_COLUMN);
  EXPECT(find(l, "deptid=13") && find(l, "deptid=13")->kind == GH_LINK_COLUMN, "deptid sibling followed");
  EXPECT(find(l, "deptid=12&page=2") && find(l, "deptid=12&page=2")->kind == GH_LINK_LIST, "its pager");
  g_ptr_array_free(l, TRUE);

  /* Pagers however decorated; 更多>> is no pager. */
  l = discover("<a href='l_2.html'>下一页&gt;</a><a href='l_3.html'>【3】</a><a href='l_4.html'>第4页</a>"
               "<a href='l_9.html'>&raquo;</a><a href='/more/'>更多&gt;&gt;</a>", col, GH_LINK_COLUMN);
  EXPECT(l->len == 4, "four page links: %u", l->len);
  for(guint i = 0; i < l->len; i++)
    EXPECT(((struct gh_link *)l->pdata[i])->kind == GH_LINK_LIST, "%s: a page link",
           ((struct gh_link *)l->pdata[i])->url);
  g_ptr_array_free(l, TRUE);

  /* A seed that is the column: its pager is followed. */
  l = discover("<html><head><title>政府信息公开年报_某县人民政府</title></head><body>"
               "<a href='list.html?page=2'>下一页</a></body></html>",
               "http://www.x.gov.cn/xxgk/nb/list.html", GH_LINK_SEED);
  EXPECT(find(l, "page=2") && find(l, "page=2")->kind == GH_LINK_LIST, "a seed column's pager");
  g_ptr_array_free(l, TRUE);

  /* A WebForms pager: one post per page, named the same whatever state
   * the answer carried, the state posted as the page gave it. */
#define WEBFORM(vs)                                                                                \
  "<form method='post' action='./List.aspx?cid=3' id='form1'>"                                     \
  "<input type='hidden' name='__EVENTTARGET' value=''>"                                            \
  "<input type='hidden' name='__EVENTARGUMENT' value=''>"                                          \
  "<input type='hidden' name='__VIEWSTATE' value='" vs "'>"                                        \
  "<input type='submit' name='btn' value='搜索'>"                                                   \
  "<span>1</span><a href=\"javascript:__doPostBack('ctl00$gv','Page$2')\">2</a>"                   \
  "<a href='#' onclick=\"__doPostBack('ctl00$gv','Page$3')\">3</a></form>"
  const char *p1 = WEBFORM("AAAA"), *p2 = WEBFORM("BBBB");
#undef WEBFORM
  const char *page = "http://www.x.gov.cn/xxgk/List.aspx?cid=3";
  GPtrArray *a = discover(p1, page, GH_LINK_COLUMN), *b = discover(p2, page, GH_LINK_COLUMN);
  EXPECT(a->len == 2 && b->len == 2, "two posted pages: %u %u", a->len, b->len);
  for(guint i = 0; i < a->len && i < b->len; i++) {
    struct gh_link *x = a->pdata[i], *y = b->pdata[i];
    EXPECT(x->kind == GH_LINK_LIST && x->body && g_str_has_prefix(x->url, "http://www.x.gov.cn/xxgk/List.aspx?cid=3#gh-post="),
           "a post of the list: %s", x->url);
    EXPECT(!strcmp(x->url, y->url), "named the same under another view state: %s %s", x->url, y->url);
    EXPECT(x->body && strstr(x->body, "__VIEWSTATE=AAAA") && strstr(x->body, "__EVENTTARGET=ctl00%24gv") &&
           !strstr(x->body, "btn="), "the form as a browser posts it: %s", x->body);
    char *t = gh_post_target(x->url);
    EXPECT(t && !strcmp(t, "http://www.x.gov.cn/xxgk/List.aspx?cid=3"), "posted to the action: %s", t);
    g_free(t);
  }
  EXPECT(a->len == 2 && strcmp(((struct gh_link *)a->pdata[0])->url, ((struct gh_link *)a->pdata[1])->url),
         "pages 2 and 3 are two pages");
  g_ptr_array_free(a, TRUE);
  g_ptr_array_free(b, TRUE);

  /* An AutoPostBack DropDownList of departments, as ASP.NET writes it:
   * each other option is a post, read by its label (three agencies: a
   * directory). */
  l = discover("<form method='post' action='List.aspx'><input type='hidden' name='__VIEWSTATE' value='x'>"
               "<input type='hidden' name='__EVENTTARGET' value=''>"
               "<select name='ctl00$ddl' onchange=\"javascript:setTimeout('__doPostBack(\\'ctl00$ddl\\',\\'\\')', 0)\">"
               "<option value='-1' selected>全部</option><option value='3'>县教育体育局</option>"
               "<option value='4'>县民政局</option><option value='5'>县财政局</option></select></form>",
               "http://www.x.gov.cn/xxgk/List.aspx", GH_LINK_COLUMN);
  EXPECT(l->len == 3, "three departments posted: %u", l->len);
  EXPECT(l->len && ((struct gh_link *)l->pdata[0])->body &&
         strstr(((struct gh_link *)l->pdata[0])->body, "ctl00%24ddl=3") &&
         strstr(((struct gh_link *)l->pdata[0])->body, "__EVENTTARGET=ctl00%24ddl") &&
         ((struct gh_link *)l->pdata[0])->kind == GH_LINK_COLUMN, "the option's post: %s",
         l->len ? ((struct gh_link *)l->pdata[0])->body : "");
  g_ptr_array_free(l, TRUE);

  /* A list form that posts its page number, the count in 共 N 页. */
  l = discover("<form id='f' method='post' action='nbList.jsp?c=1'><input type='hidden' name='pageIndex' value='1'>"
               "<input type='hidden' name='c' value='1'></form><span>共 3 页</span>"
               "<a href='javascript:goPage(2)'>下一页</a>",
               "http://www.x.gov.cn/gkml/nbList.jsp?c=1", GH_LINK_COLUMN);
  EXPECT(l->len == 2, "pages 2 and 3 posted: %u", l->len);
  EXPECT(l->len && ((struct gh_link *)l->pdata[0])->body &&
         !strcmp(((struct gh_link *)l->pdata[0])->body, "pageIndex=2&c=1"), "page 2's form");
  g_ptr_array_free(l, TRUE);
}

/* A report page whose body is page scans: the scans in order, lazy
 * loaders' files before placeholders, a scan shown twice once; never the
 * logo, banner, icons, QR code, a data: URI or an image outside the
 * article; a row is listed to its cap and counted whole. */
static void
test_page_images(void)
{
  const char *html =
    "<html><head><title>某某镇2021年政府信息公开工作年度报告_某某县人民政府</title></head><body>"
    "<div class=\"header\"><img src=\"/img/top.jpg\" width=\"1000\" height=\"300\"></div>"
    "<div class=\"banner\"><img src=\"/img/b1.jpg\"></div>"
    "<div id=\"zoom\"><div class=\"TRS_Editor\">"
    "<p><img src=\"/images/loading.gif\" data-src=\"./W01.jpg\" style=\"width: 100%\"></p>"
    "<p><a href=\"./W02.jpg\"><img src=\"./W02.jpg\"></a></p><p>第2页</p>"
    "<p><img src=\"./W01.jpg\"></p>"
    "<p><img src=\"data:image/png;base64,iVBORw0KGgo=\"></p>"
    "<p><img src=\"/images/print.jpg\" width=\"600\"></p>"
    "<p><img src=\"./icon.jpg\" width=\"16\" height=\"16\"></p>"
    "<p><img src=\"./small.png\" style=\"width:120px\"></p>"
    "<p><img data-original=\"/up/W03.PNG?x=1\" src=\"blank.gif\"></p>"
    "<div class=\"bdshare\"><img src=\"/share/wx.jpg\"></div>"
    "</div></div>"
    "<div class=\"footer\"><img src=\"/img/ewm.jpg\"><img src=\"/img/badge.jpg\"></div>"
    "<img src=\"/outside.jpg\"></body></html>";
  const char *url = "http://www.x.gov.cn/art/2022/1/5/art_1_2.html";
  struct gh_html_tree *t = gh_gumbo_parse(html, strlen(html));
  GPtrArray *out = g_ptr_array_new_with_free_func(gh_link_free);
  unsigned found = gh_discover_page_images(t->out, url, 20, out);
  const char *want[] = { "http://www.x.gov.cn/art/2022/1/5/W01.jpg",
                         "http://www.x.gov.cn/art/2022/1/5/W02.jpg",
                         "http://www.x.gov.cn/up/W03.PNG?x=1" };
  EXPECT(found == 3 && out->len == 3, "three scans found: %u, listed %u", found, out->len);
  for(guint i = 0; i < out->len && i < G_N_ELEMENTS(want); i++) {
    const struct gh_link *l = out->pdata[i];
    EXPECT(!strcmp(l->url, want[i]) && l->kind == GH_LINK_ATTACHMENT &&
             (l->flags & GH_LINK_F_PAGE_IMAGE) && strstr(l->text, "2021年"),
           "scan %u: %s (%s)", i, l->url, l->text);
  }
  g_ptr_array_set_size(out, 0);
  /* The link around scan 2 was a document link; as a scan it is a page. */
  struct gh_link *doc = g_new0(struct gh_link, 1);
  doc->url = g_strdup(want[1]);
  doc->text = g_strdup("");
  doc->kind = GH_LINK_ATTACHMENT;
  g_ptr_array_add(out, doc);
  gh_discover_report_scans(t->out, url, out);
  EXPECT(out->len == 3 && ((struct gh_link *)out->pdata[1])->flags == GH_LINK_F_PAGE_IMAGE,
         "a scan's own link is replaced by the scan: %u links", out->len);
  /* Any other document: it is the report, no scan is listed. */
  g_ptr_array_set_size(out, 0);
  doc = g_new0(struct gh_link, 1);
  doc->url = g_strdup("http://www.x.gov.cn/attach/report.pdf");
  doc->text = g_strdup("");
  doc->kind = GH_LINK_ATTACHMENT;
  g_ptr_array_add(out, doc);
  gh_discover_report_scans(t->out, url, out);
  EXPECT(out->len == 1, "a page linking a PDF lists no scan: %u links", out->len);
  g_ptr_array_free(out, TRUE);
  gh_gumbo_free(t);

  /* A row of 300: listed to the cap, counted whole. */
  GString *row = g_string_new("<html><body><div class=\"content\">");
  for(int i = 0; i < 300; i++)
    g_string_append_printf(row, "<p><img src=\"/p/%03d.jpg\"></p>", i);
  g_string_append(row, "</div></body></html>");
  t = gh_gumbo_parse(row->str, row->len);
  out = g_ptr_array_new_with_free_func(gh_link_free);
  found = gh_discover_page_images(t->out, url, 20, out);
  EXPECT(found == 300 && out->len == 20 &&
           !strcmp(((struct gh_link *)out->pdata[19])->url, "http://www.x.gov.cn/p/019.jpg"),
         "a row of 300: %u found, %u listed", found, out->len);
  g_ptr_array_free(out, TRUE);
  gh_gumbo_free(t);
  g_string_free(row, TRUE);
}

static const struct gh_case cases[] = { GH_CASE(discover), GH_CASE(structure),
                                        GH_CASE(page_images) };

int
main(int argc, char **argv)
{
  return gh_cases_main("discover", cases, G_N_ELEMENTS(cases), argc, argv);
}

/* Crawler pieces: robots.txt (RFC 9309 cases), URL normalisation and scope,
 * discovery of report links and script-written pagination, anti-bot pages,
 * Content-Disposition names, region codes. */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"
#include "config/config.h"
#include "crawler/seeds.h"
#include "crawler/crawl.h"
#include "crawler/discover.h"
#include "crawler/robots.h"
#include "crawler/url.h"

static bool
allowed(const char *robots, const char *path)
{
  struct gh_robots *r = gh_robots_parse(robots, strlen(robots), "govharvest");
  bool a = gh_robots_allowed(r, path);
  gh_robots_free(r);
  return a;
}

static void
test_robots(void)
{
  const char *t = "User-agent: *\nDisallow: /\n\n"
                  "User-agent: GovHarvest/1.0\nUser-agent: other\n"
                  "Disallow: /private\nAllow: /private/ok\nDisallow: /*.pdf$\nCrawl-delay: 2.5\n";
  EXPECT(allowed(t, "/public"), "our group, not '*', applies");
  EXPECT(!allowed(t, "/private/x"), "disallow prefix");
  EXPECT(allowed(t, "/private/ok/y"), "longest match wins (allow)");
  EXPECT(!allowed(t, "/a/b.pdf"), "'*' and '$'");
  EXPECT(allowed(t, "/a/b.pdf?x=1"), "'$' anchors the end");
  EXPECT(allowed(t, "/robots.txt"), "robots.txt itself");
  struct gh_robots *r = gh_robots_parse(t, strlen(t), "govharvest");
  EXPECT(gh_robots_crawl_delay(r) == 2.5, "crawl-delay %g", gh_robots_crawl_delay(r));
  gh_robots_free(r);
  EXPECT(!allowed("User-agent: *\nDisallow: /\n", "/x"), "'*' group when ours is absent");
  EXPECT(allowed("User-agent: *\nDisallow: /\nAllow: /\n", "/x"), "allow wins a tie");
  EXPECT(allowed("User-agent: *\nDisallow:\n", "/x"), "empty disallow allows");
  EXPECT(allowed("", "/x"), "empty file allows");
  EXPECT(!allowed("User-agent: *\nDisallow: /%7Ea\n", "/~a/b"), "%%7E equals ~");
  EXPECT(!allowed("User-agent: *\nDisallow: /年报\n", "/%E5%B9%B4%E6%8A%A5/1"), "UTF-8 vs percent-encoded");
  EXPECT(!allowed("user-agent: *\ndisallow: /A # comment\n", "/A/x"), "case-insensitive keys, comments");
  EXPECT(allowed("user-agent: *\ndisallow: /A\n", "/a"), "paths are case-sensitive");
  EXPECT(!allowed("User-agent: a\nUser-agent: *\nSitemap: /s.xml\nDisallow: /x\n", "/x"),
         "sitemap lines do not break a group");
  EXPECT(!allowed("User-agent: *\nDisallow: /*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*/*b\n",
                  "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/b"),
         "many '*' stay fast and right");
  /* RFC 9309 §2.5: at least 500 KiB are parsed; what lies beyond is not. */
  GString *big = g_string_new("User-agent: *\nDisallow: /early\n");
  while(big->len < 520 * 1024)
    g_string_append(big, "# padding padding padding padding padding padding padding\n");
  g_string_append(big, "Disallow: /late\n");
  EXPECT(!allowed(big->str, "/early/x") && allowed(big->str, "/late/x"),
         "rules past 500 KiB are ignored");
  g_string_free(big, TRUE);
  struct gh_robots *none = gh_robots_disallow_all();
  EXPECT(!gh_robots_allowed(none, "/") && gh_robots_allowed(none, "/robots.txt"), "unreachable = disallow all");
  gh_robots_free(none);
}

static void
expect_url(const char *base, const char *href, const char *want)
{
  char *got = gh_url_resolve(base, href);
  EXPECT((!got && !want) || (got && want && !strcmp(got, want)), "resolve(%s, %s) = %s, want %s", base,
         href, got ? got : "NULL", want ? want : "NULL");
  g_free(got);
  /* Through a parsed base, as discovery resolves a page's links: the base
   * is not changed by resolving against it. */
  CURLU *b = base ? gh_url_base(base) : NULL;
  for(int i = 0; i < 2; i++) {
    got = gh_url_resolve_from(b, href);
    EXPECT((!got && !want) || (got && want && !strcmp(got, want)),
           "resolve_from(%s, %s) #%d = %s, want %s", base, href, i, got ? got : "NULL",
           want ? want : "NULL");
    g_free(got);
  }
  curl_url_cleanup(b);
}

static void
test_urls(void)
{
  const char *b = "http://www.wd.gov.cn/zwgk/zfxxgknb/index.html";
  expect_url(b, "./202103/t20210315_101.html", "http://www.wd.gov.cn/zwgk/zfxxgknb/202103/t20210315_101.html");
  expect_url(b, "../zfwzndbb/a.html", "http://www.wd.gov.cn/zwgk/zfwzndbb/a.html");
  expect_url(b, "index_1.html#top", "http://www.wd.gov.cn/zwgk/zfxxgknb/index_1.html");
  expect_url(b, " \n/a b.html\t", "http://www.wd.gov.cn/a%20b.html");
  expect_url(b, "HTTP://WWW.WD.GOV.CN:80/x", "http://www.wd.gov.cn/x");
  expect_url(b, "http://www.wd.gov.cn./x", "http://www.wd.gov.cn/x");
  expect_url("http://www.wd.gov.cn/a/b.html#frag", "c.html?p=2", "http://www.wd.gov.cn/a/c.html?p=2");
  expect_url("http://www.wd.gov.cn/a/b.html?x=1", "#only", NULL);
  expect_url("not a url", "a.html", NULL);
  expect_url(b, "javascript:void(0)", NULL);
  expect_url(b, "mailto:gk@wd.gov.cn", NULL);
  expect_url(b, "ftp://www.wd.gov.cn/x", NULL);
  expect_url(b, "#", NULL);
  expect_url(NULL, "http://122.137.242.24:8080/pub/ndbg/", "http://122.137.242.24:8080/pub/ndbg/");
  expect_url(NULL, "http://[::1]:8080/x", "http://[::1]:8080/x");
  /* IDN: the Unicode and punycode spellings are one host. */
  expect_url(NULL, "http://www.政府.中国/nb/", "http://www.xn--mxtq1m.xn--fiqs8s/nb/");
  expect_url(NULL, "http://WWW.XN--MXTQ1M.xn--fiqs8s/nb/", "http://www.xn--mxtq1m.xn--fiqs8s/nb/");
  /* A host longer than DNS allows is no host. */
  GString *longhost = g_string_new("http://");
  for(int i = 0; i < 30; i++)
    g_string_append(longhost, "abcdefghi.");
  g_string_append(longhost, "gov.cn/");
  expect_url(NULL, longhost->str, NULL);
  g_string_free(longhost, TRUE);
  char *h = gh_url_host("http://122.137.242.24:8080/pub/");
  EXPECT(h && !strcmp(h, "122.137.242.24:8080"), "host with port: %s", h);
  g_free(h);
  EXPECT(gh_url_host_is_gov("www.wd.gov.cn") && gh_url_host_is_gov("czj.cxz.gov.cn:8080") &&
           !gh_url_host_is_gov("www.aji87.cn") && !gh_url_host_is_gov("gov.cn.evil.com"),
         "gov.cn scope");
  char *s = gh_url_site("czj.cxz.gov.cn:8080");
  EXPECT(!strcmp(s, "cxz.gov.cn"), "site of a department host: %s", s);
  g_free(s);
}

static bool
private_addr(const char *text)
{
  struct sockaddr_storage ss = { 0 };
  if(strchr(text, ':')) {
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
    a->sin6_family = AF_INET6;
    inet_pton(AF_INET6, text, &a->sin6_addr);
  } else {
    struct sockaddr_in *a = (struct sockaddr_in *)&ss;
    a->sin_family = AF_INET;
    inet_pton(AF_INET, text, &a->sin_addr);
  }
  return gh_addr_is_private((struct sockaddr *)&ss);
}

static void
test_private_addresses(void)
{
  const char *priv[] = { "127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                         "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "::1", "::",
                         "fe80::1", "fd00::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", NULL };
  const char *pub[] = { "61.135.169.121", "8.8.8.8", "172.32.0.1", "61.135.169.121", "100.128.0.1", "2400:da00::6666",
                        "::ffff:61.135.169.121", NULL };
  for(const char **a = priv; *a; a++)
    EXPECT(private_addr(*a), "%s is private", *a);
  for(const char **a = pub; *a; a++)
    EXPECT(!private_addr(*a), "%s is public", *a);
}

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

static void
test_regions(const char *src)
{
  char *file = g_build_filename(src, "config", "regions.tsv", NULL);
  GError *e = NULL;
  struct gh_regions *r = gh_regions_load(file, &e);
  EXPECT(r != NULL, "regions: %s", e ? e->message : "");
  g_free(file);
  if(!r)
    return;
  const char *c = gh_region_for(r, "武定县工业信息化商务科学技术局", NULL);
  EXPECT(c && !strcmp(c, "532329"), "武定县 -> %s", c ? c : "NULL");
  c = gh_region_for(r, "福州市晋安区人民政府", NULL);
  EXPECT(c && !strcmp(c, "350111"), "福州市晋安区 -> %s", c ? c : "NULL");
  c = gh_region_for(r, "楚雄州民政局", NULL);
  EXPECT(c && !strcmp(c, "532300"), "楚雄州 (short form) -> %s", c ? c : "NULL");
  c = gh_region_for(r, "鼓楼区人民政府", "350100");
  EXPECT(c && !strcmp(c, "350102"), "鼓楼区 with the 福州 seed -> %s", c ? c : "NULL");
  c = gh_region_for(r, "鼓楼区人民政府", NULL);
  EXPECT(c == NULL, "鼓楼区 alone is ambiguous");
  c = gh_region_for(r, "县工业和信息化局", "532326");
  EXPECT(c && !strcmp(c, "532326"), "no place in the name: the seed's code");
  gh_regions_free(r);

  /* The shipped seed list and configuration load as they are. */
  char *seeds_file = g_build_filename(src, "config", "seeds.tsv", NULL);
  GPtrArray *seeds = gh_seeds_load(seeds_file, NULL, &e);
  EXPECT(seeds && seeds->len > 200, "shipped seeds: %s", e ? e->message : "");
  guint coded = 0;
  for(guint i = 0; seeds && i < seeds->len; i++)
    coded += ((struct gh_seed *)seeds->pdata[i])->region_code != NULL;
  EXPECT(seeds && coded + 5 >= seeds->len, "shipped seeds carry region codes (%u)", coded);
  if(seeds)
    g_ptr_array_free(seeds, TRUE);
  g_free(seeds_file);
  char *conf = g_build_filename(src, "config", "govharvest.conf", NULL);
  struct gh_config cfg;
  EXPECT(gh_config_load(&cfg, conf, true, &e), "shipped config: %s", e ? e->message : "");
  EXPECT(cfg.delay_seconds == 1 && cfg.connections_per_host == 1, "shipped politeness");
  gh_config_clear(&cfg);
  g_free(conf);
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

int
main(int argc, char **argv)
{
  (void)argc;
  test_robots();
  test_urls();
  test_private_addresses();
  test_discover();
  test_structure();
  test_regions(argc > 1 ? argv[1] : SRC_DIR);
  printf("crawler: %d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

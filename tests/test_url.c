/* URLs (crawler/url.c): resolution and normalisation as discovery does
 * it, IDN hosts, gov.cn scope and sites; and which peer addresses count as
 * private (crawler/fetch.c), the guard against a portal that resolves into
 * the crawler's own network. */
#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

#include "crawler/fetch.h"
#include "crawler/url.h"

#include "check.h"

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

static const struct gh_case cases[] = { GH_CASE(urls), GH_CASE(private_addresses) };

int
main(int argc, char **argv)
{
  return gh_cases_main("url", cases, G_N_ELEMENTS(cases), argc, argv);
}

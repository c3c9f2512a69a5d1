/* robots.txt (crawler/robots.c): the RFC 9309 cases, the 500 KiB bound,
 * and an unreachable robots.txt as a complete disallow. */
#include <glib.h>
#include <string.h>

#include "crawler/robots.h"

#include "check.h"

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

static const struct gh_case cases[] = { GH_CASE(robots) };

int
main(int argc, char **argv)
{
  return gh_cases_main("robots", cases, G_N_ELEMENTS(cases), argc, argv);
}

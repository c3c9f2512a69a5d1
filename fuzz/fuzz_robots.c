/* robots.txt: parsing and matching hostile patterns against paths. */
#include <stdint.h>
#include <string.h>

#include "crawler/robots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct gh_robots *r = gh_robots_parse((const char *)data, size, "govharvest");
  static const char *const paths[] = { "/", "/zfxxgk/zfxxgknb/index.html", "/a/b.pdf?x=1",
                                       "/%E5%B9%B4%E6%8A%A5/", "/robots.txt", "/*$" };
  for(size_t i = 0; i < sizeof paths / sizeof *paths; i++)
    gh_robots_allowed(r, paths[i]);
  gh_robots_crawl_delay(r);
  gh_robots_free(r);
  return 0;
}

/* URL resolution and normalisation: the input is "base\nhref". */
#include <stdint.h>
#include <string.h>

#include "crawler/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *in = g_strndup((const char *)data, size);
  char *nl = strchr(in, '\n');
  const char *base = "http://www.example.gov.cn/zwgk/index.html", *href = in;
  if(nl) {
    *nl = '\0';
    base = in;
    href = nl + 1;
  }
  char *u = gh_url_resolve(base, href);
  if(u) {
    char *h = gh_url_host(u), *pq = gh_url_path_query(u);
    if(h) {
      gh_url_host_is_gov(h);
      g_free(gh_url_site(h));
    }
    g_free(h);
    g_free(pq);
  }
  g_free(u);
  g_free(in);
  return 0;
}

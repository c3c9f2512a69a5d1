/* gh_get_page: one page at a time (fetch.h), for probe and seed discovery. */
#include <curl/curl.h>
#include <string.h>

#include "fetch.h"
#include "url.h"

void
gh_page_clear(struct gh_page *f)
{
  g_free(f->final_url);
  g_free(f->location);
  g_free(f->ctype);
  g_free(f->error);
  if(f->body)
    g_bytes_unref(f->body);
  memset(f, 0, sizeof *f);
}

void
gh_get_page(const struct gh_config *cfg, struct curl_slist *resolve, struct curl_slist *connect_to,
            const char *url, bool follow, struct gh_page *f)
{
  memset(f, 0, sizeof *f);
  CURL *e = curl_easy_init();
  struct gh_capped in = { g_string_sized_new(16384), cfg->max_document_bytes, false };
  char errbuf[CURL_ERROR_SIZE] = "";
  char *host = gh_url_host(url);
  struct curl_slist *headers = curl_slist_append(NULL, GH_ACCEPT_LANGUAGE);
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, gh_capped_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &in);
  struct gh_private_guard guard;
  gh_crawl_easy_setup(e, cfg, host ? host : "", resolve, connect_to, &guard);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode rc = curl_easy_perform(e);
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &f->status);
  char *eff = NULL, *ct = NULL;
  curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &eff);
  curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
  f->final_url = g_strdup(eff ? eff : url);
  char *loc = NULL;
  if(!follow && f->status >= 300 && f->status < 400 &&
     curl_easy_getinfo(e, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
    f->location = gh_url_resolve(url, loc);
  f->ctype = g_strdup(ct);
  if(in.too_large)
    f->error = g_strdup_printf("too_large: over the %zu-byte limit ([limits] max_document_bytes)",
                               in.cap);
  else if(rc == CURLE_COULDNT_CONNECT && guard.refused)
    f->error = g_strdup_printf("private_address: the host resolves to %s, a private address "
                               "([crawl] allow_private lists hosts allowed to)",
                               guard.addr);
  else if(rc != CURLE_OK)
    f->error = g_strdup_printf("%s", *errbuf ? errbuf : curl_easy_strerror(rc));
  f->body = g_string_free_to_bytes(in.body);
  curl_easy_cleanup(e);
  curl_slist_free_all(headers);
  g_free(host);
}

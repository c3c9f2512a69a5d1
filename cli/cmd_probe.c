/* govharvest probe URL...: what discovery sees on one page, and why.
 *
 * An operator adding a county whose crawl yields nothing needs to see what
 * the crawler made of its pages: the page's kind, the links it would
 * follow and the rule that chose each, and every link it would drop with
 * the reason.  probe fetches each URL once, as the crawler would (robots.txt
 * first, the configured delay, the user agent, the size and time caps, no
 * cookies), and stores nothing. */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../crawler/crawl.h"
#include "../crawler/discover.h"
#include "../crawler/robots.h"
#include "../crawler/url.h"
#include "../extract/charset.h"
#include "../extract/extract.h"
#include "../extract/textnorm.h"
#include "cli.h"

/* What a page is, from what its links are. */
static const char *
page_kind(const GPtrArray *out, bool report_text, enum gh_link_kind as)
{
  unsigned n[GH_LINK_N] = { 0 };
  for(guint i = 0; i < out->len; i++)
    n[((const struct gh_link *)out->pdata[i])->kind]++;
  if(report_text || as == GH_LINK_REPORT)
    return n[GH_LINK_ATTACHMENT] ? (report_text ? "report page (with attachments)"
                                                : "report page wrapping its attachment")
                                 : report_text ? "report page" : "report page without a report";
  if(n[GH_LINK_REPORT])
    return "report column";
  if(n[GH_LINK_LIST])
    return "report column (its reports on further pages)";
  if(n[GH_LINK_COLUMN])
    return "section (links to a report column)";
  if(n[GH_LINK_SECTION])
    return "portal (links to a 政府信息公开 section)";
  return "no way to reports from here";
}

static int
probe_one(const struct gh_config *cfg, struct curl_slist *resolve, struct curl_slist *connect_to,
          const char *url, enum gh_link_kind as, bool json_out)
{
  json_t *j = json_pack("{s:s}", "url", url);
  int rc = GH_EXIT_OK;
  char *robots_url = gh_url_resolve(url, "/robots.txt");
  /* robots.txt first, as the crawler does (RFC 9309: 4xx allows all,
   * an unreachable or failing robots.txt forbids all). */
  struct gh_page f;
  bool allowed = true;
  double delay = cfg->delay_seconds;
  if(robots_url) {
    gh_get_page(cfg, resolve, connect_to, robots_url, true, &f);
    gsize n = 0;
    const char *b = f.body ? g_bytes_get_data(f.body, &n) : NULL;
    if(f.error && !f.status) {
      /* No answer at all: the crawler would set the host aside with this
       * error (after its retries), not read its pages. */
      json_object_set_new(j, "kind", json_string("unreachable"));
      json_object_set_new(j, "error", json_sprintf("robots.txt: %s", f.error));
      rc = GH_EXIT_FAILED;
      gh_page_clear(&f);
      goto print;
    }
    struct gh_robots *r = gh_robots_for_answer(f.error ? 0 : f.status, b, n, GH_ROBOTS_TOKEN);
    char *pq = gh_url_path_query(url);
    allowed = gh_robots_allowed(r, pq ? pq : "/");
    delay = gh_robots_delay(r, delay);
    json_object_set_new(j, "robots", json_pack("{s:i, s:b}", "status", (int)f.status, "allowed",
                                               allowed));
    g_free(pq);
    gh_robots_free(r);
    gh_page_clear(&f);
  }
  if(!allowed) {
    json_object_set_new(j, "kind", json_string("blocked by robots.txt"));
    rc = GH_EXIT_FAILED;
    goto print;
  }
  if(delay > 0)
    g_usleep((gulong)(delay * G_USEC_PER_SEC));
  gh_get_page(cfg, resolve, connect_to, url, true, &f);
  json_object_set_new(j, "status", json_integer(f.status));
  if(strcmp(f.final_url, url))
    json_object_set_new(j, "redirected_to", json_string(f.final_url));
  if(f.error || f.status < 200 || f.status >= 300) {
    json_object_set_new(j, "kind", json_string("unreachable"));
    json_object_set_new(j, "error", f.error ? json_string(f.error)
                                            : json_sprintf("HTTP %ld", f.status));
    rc = GH_EXIT_FAILED;
    gh_page_clear(&f);
    goto print;
  }
  gsize len = 0;
  const char *bytes = g_bytes_get_data(f.body, &len);
  const char *blocked = gh_detect_blocked(f.status, bytes, len);
  enum gh_format fmt = gh_sniff(bytes, len);
  json_object_set_new(j, "format", json_string(gh_format_name(fmt)));
  if(blocked) {
    json_object_set_new(j, "kind", json_string("blocked"));
    json_object_set_new(j, "error", json_string(blocked));
    rc = GH_EXIT_FAILED;
  }
  else if(fmt != GH_FMT_HTML && fmt != GH_FMT_TEXT) {
    /* A document: what parse would make of it. */
    struct gh_extract_opts eo;
    gh_cli_extract_opts(&eo, cfg);
    struct gh_record rec;
    gh_record_init(&rec);
    gh_extract_record(bytes, len, &eo, NULL, &rec);
    json_object_set_new(j, "kind", json_string("attachment (a document)"));
    json_object_set_new(j, "record", json_pack("{s:s, s:s?, s:i}", "status",
                                               gh_status_name(rec.status), "agency", rec.agency,
                                               "year", rec.year));
    gh_record_clear(&rec);
  }
  else {
    char *declared = gh_content_type_charset(f.ctype);
    size_t ulen = 0;
    GError *err = NULL;
    char *utf8 = gh_to_utf8(bytes, len, declared, fmt == GH_FMT_HTML, &ulen, NULL, &err);
    g_free(declared);
    if(!utf8) {
      json_object_set_new(j, "kind", json_string("unreadable"));
      json_object_set_new(j, "error", json_string(err ? err->message : "charset"));
      g_clear_error(&err);
      rc = GH_EXIT_FAILED;
    }
    else {
      GPtrArray *out = g_ptr_array_new_with_free_func(gh_link_free);
      GPtrArray *verdicts = g_ptr_array_new_with_free_func(gh_verdict_free);
      gh_discover_explain(utf8, ulen, f.final_url, as, out, verdicts);
      bool report_text = strstr(utf8, "本年新收") != NULL;
      json_object_set_new(j, "kind", json_string(page_kind(out, report_text, as)));
      json_t *follow = json_array(), *drop = json_array();
      for(guint i = 0; i < verdicts->len; i++) {
        const struct gh_verdict *v = verdicts->pdata[i];
        json_t *e = json_pack("{s:s, s:s, s:s}", "url", v->url, "text", v->text ? v->text : "",
                              "why", v->why ? v->why : "");
        if(v->kind >= 0) {
          json_object_set_new(e, "kind", json_string(gh_link_kind_name((enum gh_link_kind)v->kind)));
          json_array_append_new(follow, e);
        }
        else
          json_array_append_new(drop, e);
      }
      json_object_set_new(j, "follow", follow);
      json_object_set_new(j, "dropped", drop);
      g_ptr_array_free(verdicts, TRUE);
      g_ptr_array_free(out, TRUE);
      g_free(utf8);
    }
  }
  gh_page_clear(&f);
print:
  if(json_out) {
    json_dumpf(j, stdout, JSON_COMPACT);
    fputc('\n', stdout);
  }
  else {
    printf("%s\n", url);
    json_t *r = json_object_get(j, "robots");
    if(r)
      printf("  robots.txt  HTTP %" JSON_INTEGER_FORMAT ", %s\n",
             json_integer_value(json_object_get(r, "status")),
             json_is_true(json_object_get(r, "allowed")) ? "allows this URL" : "forbids this URL");
    if(json_object_get(j, "status"))
      printf("  answer      HTTP %" JSON_INTEGER_FORMAT "%s%s, %s\n",
             json_integer_value(json_object_get(j, "status")),
             json_object_get(j, "redirected_to") ? " after redirects to " : "",
             json_object_get(j, "redirected_to")
               ? json_string_value(json_object_get(j, "redirected_to")) : "",
             json_object_get(j, "format") ? json_string_value(json_object_get(j, "format")) : "-");
    printf("  kind        %s\n", json_string_value(json_object_get(j, "kind")));
    if(json_object_get(j, "error"))
      printf("  error       %s\n", json_string_value(json_object_get(j, "error")));
    json_t *rec = json_object_get(j, "record");
    if(rec)
      printf("  record      %s, %s %" JSON_INTEGER_FORMAT "\n",
             json_string_value(json_object_get(rec, "status")),
             json_string_value(json_object_get(rec, "agency"))
               ? json_string_value(json_object_get(rec, "agency")) : "(no agency)",
             json_integer_value(json_object_get(rec, "year")));
    size_t i;
    json_t *e;
    json_t *fl = json_object_get(j, "follow"), *dl = json_object_get(j, "dropped");
    if(fl) {
      printf("  would follow %zu link(s):\n", json_array_size(fl));
      json_array_foreach(fl, i, e)
        printf("    %-10s %s  \"%s\"\n               %s\n",
               json_string_value(json_object_get(e, "kind")),
               json_string_value(json_object_get(e, "url")),
               json_string_value(json_object_get(e, "text")),
               json_string_value(json_object_get(e, "why")));
    }
    if(dl) {
      printf("  would drop %zu link(s):\n", json_array_size(dl));
      json_array_foreach(dl, i, e)
        printf("    %s  \"%s\": %s\n", json_string_value(json_object_get(e, "url")),
               json_string_value(json_object_get(e, "text")),
               json_string_value(json_object_get(e, "why")));
    }
  }
  json_decref(j);
  g_free(robots_url);
  return rc;
}

int
gh_cmd_probe(int argc, char **argv)
{
  gboolean json_out = FALSE;
  char *as = NULL;
  char **resolve = NULL, **connect_to = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json_out, "One JSON object per URL", NULL },
    { "as", 0, 0, G_OPTION_ARG_STRING, &as,
      "Read the page as this kind of page: seed (default), section, column, list or report",
      "KIND" },
    GH_CLI_HOSTMAP_ENTRIES(&resolve, &connect_to),
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  if(!gh_cli_parse("probe", "URL...",
                   "Fetch each URL once as the crawler would (robots.txt first, the configured\n"
                   "delay and user agent; nothing is stored) and print what discovery makes of\n"
                   "it: the page's kind, every link it would follow with the rule that chose it,\n"
                   "and every link it would drop with the reason.  A document is parsed and its\n"
                   "record's status, agency and year shown.  Exit 1 when a URL could not be read.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  enum gh_link_kind kind = GH_LINK_SEED;
  if(as && !gh_link_kind_from_name(as, &kind)) {
    fprintf(stderr, "govharvest probe: --as %s: not a page kind (seed, section, column, list, "
                    "report)\n", as);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(argc < 2) {
    fprintf(stderr, "govharvest probe: no URL given (see 'govharvest probe --help')\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(!gh_cli_add_hostmaps("probe", &common.cfg, resolve, connect_to, &rc))
    goto out;
  struct curl_slist *rl = gh_curl_slist(common.cfg.resolve), *cl = gh_curl_slist(common.cfg.connect_to);
  for(int i = 1; i < argc; i++) {
    char *norm = gh_url_resolve(NULL, argv[i]);
    if(!norm) {
      fprintf(stderr, "govharvest probe: %s: not an http(s) URL\n", argv[i]);
      rc = GH_EXIT_FAILED;
      continue;
    }
    if(probe_one(&common.cfg, rl, cl, norm, kind, json_out) != GH_EXIT_OK)
      rc = GH_EXIT_FAILED;
    g_free(norm);
  }
  curl_slist_free_all(rl);
  curl_slist_free_all(cl);
out:
  g_free(as);
  g_strfreev(resolve);
  g_strfreev(connect_to);
  gh_cli_common_clear(&common);
  return rc;
}

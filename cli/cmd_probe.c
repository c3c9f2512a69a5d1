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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../crawler/crawl.h"
#include "../crawler/discover.h"
#include "../crawler/getpage.h"
#include "../crawler/url.h"
#include "../extract/charset.h"
#include "../extract/sandbox.h"
#include "../record/textnorm.h"
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

/* What discovery makes of one page, as JSON (see print_probe); *rc gets
 * 1 when the page could not be read. */
static json_t *
probe_page(struct gh_polite *web, const char *url, enum gh_link_kind as, int *rc_out)
{
  const struct gh_config *cfg = web->cfg;
  json_t *j = json_pack("{s:s}", "url", url);
  int rc = GH_EXIT_OK;
  /* robots.txt first (once per host), the delay, as the crawler does
   * (RFC 9309: 4xx allows all, an unreachable or failing robots.txt
   * forbids all). */
  struct gh_page f;
  long robots_status;
  enum gh_polite_result got = gh_polite_get(web, url, true, &f, &robots_status);
  if(got == GH_POLITE_BAD_URL || got == GH_POLITE_NO_ROBOTS) {
    /* No answer at all: the crawler would set the host aside with this
     * error (after its retries), not read its pages. */
    json_object_set_new(j, "kind", json_string("unreachable"));
    json_object_set_new(j, "error", json_string(f.error ? f.error : "not an http(s) URL"));
    rc = GH_EXIT_FAILED;
    goto print;
  }
  json_object_set_new(j, "robots", json_pack("{s:i, s:b}", "status", (int)robots_status, "allowed",
                                             got != GH_POLITE_DISALLOWED));
  if(got != GH_POLITE_FETCHED) {
    json_object_set_new(j, "kind", json_string("blocked by robots.txt"));
    rc = GH_EXIT_FAILED;
    goto print;
  }
  json_object_set_new(j, "status", json_integer(f.status));
  if(strcmp(f.final_url, url))
    json_object_set_new(j, "redirected_to", json_string(f.final_url));
  if(f.error || f.status < 200 || f.status >= 300) {
    json_object_set_new(j, "kind", json_string("unreachable"));
    json_object_set_new(j, "error", f.error ? json_string(f.error)
                                            : json_sprintf("HTTP %ld", f.status));
    rc = GH_EXIT_FAILED;
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
    json_t *rec = gh_extract_record(bytes, len, &eo, NULL);
    json_object_set_new(j, "kind", json_string("attachment (a document)"));
    json_object_set_new(j, "record", json_pack("{s:O, s:O, s:O}", "status",
                                               json_object_get(rec, "status"), "agency",
                                               json_object_get(rec, "agency"), "year",
                                               json_object_get(rec, "year")));
    json_decref(rec);
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
print:
  gh_page_clear(&f);
  *rc_out = rc;
  return j;
}

static void
print_probe(json_t *j, bool json_out)
{
  const char *url = json_string_value(json_object_get(j, "url"));
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
}

static int
probe_one(struct gh_polite *web, const char *url, enum gh_link_kind as, bool json_out)
{
  int rc;
  json_t *j = probe_page(web, url, as, &rc);
  print_probe(j, json_out);
  json_decref(j);
  return rc;
}

static volatile sig_atomic_t render_stop;

/* probe --render: the page rendered as the crawl renders it (a crawl of
 * this one page into a throwaway store, every request through the
 * crawler, nothing followed), printed after its static reading: the
 * requests the page made and what became of each, what was clicked, and
 * the links the rendered page gives. */
static int
probe_render(struct gh_config *cfg, const char *url, bool json_out)
{
  if(cfg->render_enabled && !strcmp(cfg->render_enabled, "no")) {
    fprintf(stderr, "govharvest probe: --render: [render] enabled = no\n");
    return GH_EXIT_USAGE;
  }
  GError *err = NULL;
  char *dir = g_dir_make_tmp("govharvest-probe-XXXXXX", &err);
  if(!dir) {
    fprintf(stderr, "govharvest probe: %s\n", err->message);
    g_error_free(err);
    return GH_EXIT_FAILED;
  }
  char *keep_path = cfg->store_path, *keep_enabled = cfg->render_enabled;
  enum gh_log_level keep_level = cfg->log_level;
  cfg->store_path = dir;
  cfg->render_enabled = (char *)"yes";
  /* The crawl's info lines would repeat what is printed below. */
  if(cfg->log_level == GH_LOG_INFO)
    cfg->log_level = GH_LOG_WARNING;
  int rc = GH_EXIT_OK;
  struct gh_store *st = gh_cli_open_store(cfg, GH_STORE_WRITE, &rc);
  json_t *log = NULL;
  if(st) {
    struct gh_seed seed = { .url = (char *)url };
    GPtrArray *seeds = g_ptr_array_new();
    g_ptr_array_add(seeds, &seed);
    struct gh_crawl_opts o = { .cfg = cfg, .seeds = seeds, .render_probe = true,
                               .stop = &render_stop };
    gh_cli_extract_opts(&o.extract, cfg);
    struct gh_crawl_summary sum;
    gh_crawl_summary_init(&sum);
    if(!gh_crawl_run(st, &o, &sum, &err)) {
      fprintf(stderr, "govharvest probe: --render: %s\n", err->message);
      g_clear_error(&err);
      rc = GH_EXIT_FAILED;
    }
    log = json_incref(sum.render_log);
    gh_crawl_summary_clear(&sum);
    g_ptr_array_free(seeds, TRUE);
    gh_store_close(st);
  }
  cfg->store_path = keep_path;
  cfg->render_enabled = keep_enabled;
  cfg->log_level = keep_level;
  char *argv[] = { "rm", "-rf", "--", dir, NULL };
  g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  g_free(dir);
  if(!log)
    return rc;
  if(!json_array_size(log)) {
    printf("rendered: nothing (the page could not be read, or no browser: see the log)\n");
    rc = GH_EXIT_FAILED;
  }
  size_t i, k;
  json_t *pg, *e;
  json_array_foreach(log, i, pg) {
    if(json_out) {
      json_t *w = json_pack("{s:O}", "rendered", pg);
      char *t = json_dumps(w, JSON_COMPACT);
      puts(t);
      free(t);
      json_decref(w);
      continue;
    }
    printf("rendered %s\n  result      %s\n", json_string_value(json_object_get(pg, "url")),
           json_string_value(json_object_get(pg, "result")));
    json_t *reqs = json_object_get(pg, "requests");
    printf("  requests    %zu\n", json_array_size(reqs));
    json_array_foreach(reqs, k, e) {
      json_t *status = json_object_get(e, "status"), *error = json_object_get(e, "error");
      printf("    %-4s %-10s %s\n         %s", json_string_value(json_object_get(e, "method")),
             json_string_value(json_object_get(e, "type")), json_string_value(json_object_get(e, "url")),
             json_string_value(json_object_get(e, "what")));
      if(status)
        printf(": HTTP %" JSON_INTEGER_FORMAT, json_integer_value(status));
      if(error)
        printf(": %s", json_string_value(error));
      putchar('\n');
    }
    json_t *clicks = json_object_get(pg, "clicks");
    printf("  clicked     %zu\n", json_array_size(clicks));
    json_array_foreach(clicks, k, e)
      printf("    %s\n", json_string_value(e));
    json_t *links = json_object_get(pg, "links");
    printf("  links found %zu\n", json_array_size(links));
    json_array_foreach(links, k, e)
      printf("    %-10s %s  \"%s\"\n", json_string_value(json_object_get(e, "kind")),
             json_string_value(json_object_get(e, "url")), json_string_value(json_object_get(e, "text")));
  }
  json_decref(log);
  return rc;
}

/* probe --follow: from a seed, the pages discovery would walk to its
 * report column (sections, columns, their further pages), each read as the
 * crawler reads it, up to max_pages; then the path to every page with
 * report links and the reports the crawl would land.  Report pages and
 * attachments are listed, not fetched. */
static int
probe_follow(struct gh_polite *web, const char *seed, unsigned max_pages, bool json_out)
{
  json_t *pages = json_array(), *reports = json_array();
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GQueue todo = G_QUEUE_INIT;
  g_queue_push_tail(&todo, json_pack("{s:s, s:i, s:i}", "url", seed, "kind", GH_LINK_SEED, "parent", -1));
  g_hash_table_add(seen, g_strdup(seed));
  int rc = GH_EXIT_OK;
  bool capped = false;
  json_t *it;
  while((it = g_queue_pop_head(&todo))) {
    if(json_array_size(pages) >= max_pages) {
      capped = true;
      json_decref(it);
      continue;
    }
    const char *url = json_string_value(json_object_get(it, "url"));
    enum gh_link_kind kind = (enum gh_link_kind)json_integer_value(json_object_get(it, "kind"));
    int prc;
    json_t *j = probe_page(web, url, kind, &prc);
    if(prc && json_array_size(pages) == 0)
      rc = prc;
    json_int_t me = (json_int_t)json_array_size(pages);
    json_t *pg = json_pack("{s:s, s:s, s:s, s:O, s:I}", "url", url, "as", gh_link_kind_name(kind),
                           "kind", json_string_value(json_object_get(j, "kind")) ?
                                     json_string_value(json_object_get(j, "kind")) : "?",
                           "parent", json_object_get(it, "parent"), "reports", (json_int_t)0);
    if(json_object_get(j, "error"))
      json_object_set(pg, "error", json_object_get(j, "error"));
    size_t i;
    json_t *e;
    json_int_t nrep = 0;
    json_array_foreach(json_object_get(j, "follow"), i, e) {
      const char *k = json_string_value(json_object_get(e, "kind"));
      const char *to = json_string_value(json_object_get(e, "url"));
      enum gh_link_kind lk;
      if(!k || !to || !gh_link_kind_from_name(k, &lk))
        continue;
      if(lk == GH_LINK_REPORT || lk == GH_LINK_ATTACHMENT) {
        const char *text = json_string_value(json_object_get(e, "text"));
        GMatchInfo *mi = NULL;
        GRegex *yr = g_regex_new("(19|20)\\d\\d", 0, 0, NULL);
        char *year = text && g_regex_match(yr, text, 0, &mi) ? g_match_info_fetch(mi, 0) : NULL;
        g_match_info_free(mi);
        g_regex_unref(yr);
        json_array_append_new(reports, json_pack("{s:s, s:s, s:s, s:s?, s:I}", "url", to, "kind", k,
                                                 "text", text ? text : "", "year", year, "page", me));
        g_free(year);
        nrep++;
      } else if(g_hash_table_add(seen, g_strdup(to))) {
        g_queue_push_tail(&todo, json_pack("{s:s, s:i, s:I}", "url", to, "kind", lk, "parent", me));
      }
    }
    json_object_set_new(pg, "reports", json_integer(nrep));
    json_array_append_new(pages, pg);
    json_decref(j);
    json_decref(it);
  }
  g_hash_table_destroy(seen);
  if(json_out) {
    json_t *o = json_pack("{s:s, s:o, s:o, s:b}", "seed", seed, "pages", pages, "reports", reports,
                          "capped", capped);
    json_dumpf(o, stdout, JSON_COMPACT);
    fputc('\n', stdout);
    json_decref(o);
    return rc;
  }
  printf("%s: %zu page(s) read%s\n", seed, json_array_size(pages),
         capped ? " (stopped at --max-pages; more were linked)" : "");
  size_t i;
  json_t *pg;
  json_array_foreach(pages, i, pg) {
    /* The path from the seed: its ancestors, indented by depth. */
    int depth = 0;
    for(json_int_t p = json_integer_value(json_object_get(pg, "parent")); p >= 0;
        p = json_integer_value(json_object_get(json_array_get(pages, (size_t)p), "parent")))
      depth++;
    printf("  %*s%s %s: %s", depth * 2, "", json_string_value(json_object_get(pg, "as")),
           json_string_value(json_object_get(pg, "url")), json_string_value(json_object_get(pg, "kind")));
    if(json_integer_value(json_object_get(pg, "reports")))
      printf(", %" JSON_INTEGER_FORMAT " report link(s)", json_integer_value(json_object_get(pg, "reports")));
    if(json_object_get(pg, "error"))
      printf(" (%s)", json_string_value(json_object_get(pg, "error")));
    putchar('\n');
  }
  printf("reports it would land: %zu\n", json_array_size(reports));
  json_array_foreach(reports, i, pg)
    printf("  %-4s %s\n       %s\n", json_string_value(json_object_get(pg, "year")) ?
                                        json_string_value(json_object_get(pg, "year")) : "?",
           json_string_value(json_object_get(pg, "text")), json_string_value(json_object_get(pg, "url")));
  if(!json_array_size(reports))
    printf("  none: no report column was reached (the pages above say what each one is; "
           "govharvest probe URL shows every link kept or dropped)\n");
  json_decref(pages);
  json_decref(reports);
  return rc;
}

int
gh_cmd_probe(int argc, char **argv)
{
  gboolean json_out = FALSE, follow = FALSE, render = FALSE;
  int max_pages = 30;
  char *as = NULL;
  char **resolve = NULL, **connect_to = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json_out, "One JSON object per URL", NULL },
    { "follow", 0, 0, G_OPTION_ARG_NONE, &follow,
      "Walk from each URL (a seed) as the crawl would, to its report column: the path, and the "
      "reports it would land", NULL },
    { "max-pages", 0, 0, G_OPTION_ARG_INT, &max_pages,
      "With --follow: most pages read (default 30)", "N" },
    { "as", 0, 0, G_OPTION_ARG_STRING, &as,
      "Read the page as this kind of page: seed (default), section, column, list or report",
      "KIND" },
    { "render", 0, 0, G_OPTION_ARG_NONE, &render,
      "Also render each URL in headless Chromium as the crawl would ([render]): the requests "
      "the page made, what was clicked and the links found, after the static reading", NULL },
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
  struct gh_polite web;
  gh_polite_init(&web, &common.cfg, rl, cl);
  for(int i = 1; i < argc; i++) {
    char *norm = gh_url_resolve(NULL, argv[i]);
    if(!norm) {
      fprintf(stderr, "govharvest probe: %s: not an http(s) URL\n", argv[i]);
      rc = GH_EXIT_FAILED;
      continue;
    }
    if((follow ? probe_follow(&web, norm, (unsigned)MAX(1, max_pages), json_out)
               : probe_one(&web, norm, kind, json_out)) != GH_EXIT_OK)
      rc = GH_EXIT_FAILED;
    if(render && !follow) {
      int r = probe_render(&common.cfg, norm, json_out);
      if(r != GH_EXIT_OK)
        rc = r == GH_EXIT_USAGE ? r : GH_EXIT_FAILED;
    }
    g_free(norm);
  }
  gh_polite_clear(&web);
  curl_slist_free_all(rl);
  curl_slist_free_all(cl);
out:
  g_free(as);
  g_strfreev(resolve);
  g_strfreev(connect_to);
  gh_cli_common_clear(&common);
  return rc;
}

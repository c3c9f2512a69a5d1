/* govharvest seeds: the seed list against the country — which places have
 * a portal in it (coverage), and building it from the provincial and city
 * portals' site navigation (discover, crawler/seeddisc.c). */
#include <stdio.h>
#include <string.h>

#include "../crawler/seeds.h"
#include "../crawler/seeddisc.h"
#include "../record/places.h"
#include "../crawler/url.h"
#include "cli.h"

/* The seeds' region codes as a set (owned by the seeds). */
static GHashTable *
seed_codes(GPtrArray *seeds)
{
  GHashTable *codes = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint i = 0; i < seeds->len; i++) {
    const struct gh_seed *s = seeds->pdata[i];
    if(s->region_code)
      g_hash_table_add(codes, s->region_code);
  }
  return codes;
}

void
gh_cli_print_coverage(FILE *out, const struct gh_regions *regions, GPtrArray *seeds)
{
  GHashTable *codes = seed_codes(seeds);
  json_t *counts = gh_regions_coverage_counts(regions, codes);
  char *line = gh_coverage_text(counts);
  fprintf(out, "coverage       %s (govharvest seeds coverage lists the others)\n", line);
  g_free(line);
  json_decref(counts);
  g_hash_table_destroy(codes);
}

static int
coverage(int argc, char **argv)
{
  char *seeds_file = NULL, *level = NULL;
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "seeds", 0, 0, G_OPTION_ARG_FILENAME, &seeds_file,
      "Seed list (TSV); default [crawl] seeds", "FILE" },
    { "level", 0, 0, G_OPTION_ARG_STRING, &level,
      "county (default: every county-level division) or prefecture", "LEVEL" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, "One JSON object", NULL },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  GPtrArray *seeds = NULL;
  struct gh_regions *regions = NULL;
  GError *err = NULL;
  if(!gh_cli_parse("seeds coverage", NULL,
                   "Against the GB/T 2260 table, per province: the places whose code a seed\n"
                   "carries, of all places at the level, and the list of those without one.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(level && strcmp(level, "county") && strcmp(level, "prefecture")) {
    fprintf(stderr, "govharvest seeds coverage: --level is county or prefecture, not '%s'\n", level);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  seeds = gh_seeds_load(seeds_file ? seeds_file : common.cfg.seeds_file, notes, &err);
  for(guint i = 0; i < notes->len; i++)
    fprintf(stderr, "govharvest: warning: %s\n", (const char *)notes->pdata[i]);
  g_ptr_array_free(notes, TRUE);
  if(!seeds || !(regions = gh_regions_load(common.cfg.regions_file, &err))) {
    fprintf(stderr, "govharvest seeds coverage: %s\n", err->message);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  GHashTable *codes = seed_codes(seeds);
  json_t *cov = gh_regions_coverage(regions, codes, level ? level : "county");
  g_hash_table_destroy(codes);
  if(as_json) {
    json_dumpf(cov, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
  } else {
    const char *lv = json_string_value(json_object_get(cov, "level"));
    printf("%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " %s-level places have a seed\n",
           json_integer_value(json_object_get(cov, "covered")),
           json_integer_value(json_object_get(cov, "total")), lv);
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(cov, "provinces"), i, p) {
      json_int_t total = json_integer_value(json_object_get(p, "total"));
      if(!total)
        continue;
      printf("%s %s %" JSON_INTEGER_FORMAT "/%" JSON_INTEGER_FORMAT "\n",
             json_string_value(json_object_get(p, "code")), json_string_value(json_object_get(p, "name")),
             json_integer_value(json_object_get(p, "covered")), total);
      size_t k;
      json_t *m;
      json_array_foreach(json_object_get(p, "missing"), k, m)
        printf("  missing %s %s\n", json_string_value(json_object_get(m, "code")),
               json_string_value(json_object_get(m, "name")));
    }
  }
  json_decref(cov);
  if(fflush(stdout) != 0)
    rc = GH_EXIT_FAILED;
out:
  g_clear_error(&err);
  if(seeds)
    g_ptr_array_free(seeds, TRUE);
  gh_regions_free(regions);
  g_free(seeds_file);
  g_free(level);
  gh_cli_common_clear(&common);
  return rc;
}

/* seeds check: the list read as a crawl reads it, and nothing else,
 * like `nginx -t`: every bad row, every warning, then the verdict. */
static int
check(int argc, char **argv)
{
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  GError *err = NULL;
  if(!gh_cli_parse("seeds check", "[FILE]",
                   "Read a seed list as a crawl would and say what is wrong with it: every\n"
                   "bad row (a URL with spaces in it, where the columns should be separated\n"
                   "by tabs; not http(s); a region code not of 6 digits; a NUL byte) and the\n"
                   "warnings (a URL listed twice, a region code not in the region table).\n"
                   "Without FILE: the configured list and its seeds.d.  Exit 0 when it can be\n"
                   "crawled, 1 when not.",
                   NULL, &argc, &argv, &common, &rc))
    goto out;
  if(argc > 2) {
    fprintf(stderr, "govharvest seeds check: one FILE at a time\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  const char *file = argc > 1 ? argv[1] : common.cfg.seeds_file;
  GPtrArray *notes = g_ptr_array_new_with_free_func(g_free);
  GPtrArray *seeds = argc > 1 ? gh_seeds_load_file(file, notes, &err)
                              : gh_seeds_load(file, notes, &err);
  for(guint i = 0; i < notes->len; i++)
    fprintf(stderr, "govharvest: warning: %s\n", (const char *)notes->pdata[i]);
  if(!seeds) {
    char **lines = g_strsplit(err->message, "\n", -1);
    for(char **l = lines; *l; l++)
      fprintf(stderr, "govharvest: error: %s\n", *l);
    fprintf(stderr, "govharvest seeds check: %s: %u error%s: not crawlable\n", file,
            g_strv_length(lines), g_strv_length(lines) == 1 ? "" : "s");
    g_strfreev(lines);
    rc = GH_EXIT_FAILED;
  } else {
    printf("govharvest seeds check: %s: %u seed%s, %u warning%s: the list is ok\n", file,
           seeds->len, seeds->len == 1 ? "" : "s", notes->len, notes->len == 1 ? "" : "s");
    g_ptr_array_free(seeds, TRUE);
  }
  g_ptr_array_free(notes, TRUE);
out:
  g_clear_error(&err);
  gh_cli_common_clear(&common);
  return rc;
}

static int
discover(int argc, char **argv)
{
  char *output = NULL, *merge = NULL;
  char **resolve = NULL, **connect_to = NULL;
  int max_pages = 20000, max_depth = 4;
  double delay = -1;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "Write the seeds TSV to FILE (replaced whole); default standard output", "FILE" },
    { "merge", 0, 0, G_OPTION_ARG_FILENAME, &merge,
      "Merge with this seed list: new portals added, moved ones (same 网站标识码, new URL) "
      "updated, nothing removed", "FILE" },
    { "max-pages", 0, 0, G_OPTION_ARG_INT, &max_pages, "Most fetches in all (default 20000)", "N" },
    { "max-depth", 0, 0, G_OPTION_ARG_INT, &max_depth,
      "Most hops from a start page (default 4: province, its list page, a city, its list, "
      "a county)", "N" },
    { "delay", 0, 0, G_OPTION_ARG_DOUBLE, &delay,
      "Minimum seconds between two requests to one host ([crawl] delay)", "SECONDS" },
    GH_CLI_HOSTMAP_ENTRIES(&resolve, &connect_to),
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  struct gh_regions *regions = NULL;
  GPtrArray *found = NULL, *list = NULL, *notes = g_ptr_array_new_with_free_func(g_free);
  char **starts = NULL;
  GError *err = NULL;
  struct curl_slist *rl = NULL, *cl = NULL;
  if(!gh_cli_parse("seeds discover", "[URL...]",
                   "From the given portals (default: the 31 provincial portals), follow the\n"
                   "site navigation down to prefecture and county portals, read each one's\n"
                   "网站标识码, title and 政府信息公开 link, and write a seeds TSV (url,\n"
                   "region_code, name, kind, identifier).  Polite: robots.txt and the delay.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(max_pages <= 0 || max_depth < 0 || (delay < 0 && delay != -1)) {
    fprintf(stderr, "govharvest seeds discover: --max-pages, --max-depth and --delay take "
                    "positive numbers\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(delay >= 0)
    common.cfg.delay_seconds = delay;
  if(!gh_cli_add_hostmaps("seeds discover", &common.cfg, resolve, connect_to, &rc))
    goto out;
  if(!(regions = gh_regions_load(common.cfg.regions_file, &err))) {
    fprintf(stderr, "govharvest seeds discover: %s\n", err->message);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  if(merge && !(list = gh_portals_load(merge, &err))) {
    fprintf(stderr, "govharvest seeds discover: %s\n", err->message);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  starts = argc > 1 ? g_strdupv(argv + 1) : gh_province_portals();
  rl = gh_curl_slist(common.cfg.resolve);
  cl = gh_curl_slist(common.cfg.connect_to);
  struct gh_seeddisc_opts o = { .cfg = &common.cfg, .resolve = rl, .connect_to = cl,
                                .regions = regions, .max_pages = (unsigned)max_pages,
                                .max_depth = (unsigned)max_depth, .verbose = common.verbose };
  found = gh_seeds_discover(&o, starts, notes);
  for(guint i = 0; i < notes->len; i++)
    fprintf(stderr, "govharvest seeds discover: %s\n", (const char *)notes->pdata[i]);
  guint n_found = found->len;
  unsigned added = 0, moved = 0;
  if(list) {
    gh_portals_merge(list, found, &added, &moved);
  } else {
    list = found;
    found = NULL;
  }
  GString *tsv = gh_portals_tsv(list);
  if(output && strcmp(output, "-")) {
    if(!g_file_set_contents(output, tsv->str, (gssize)tsv->len, &err)) {
      fprintf(stderr, "govharvest seeds discover: %s\n", err->message);
      rc = GH_EXIT_FAILED;
    }
  } else if(fwrite(tsv->str, 1, tsv->len, stdout) != tsv->len || fflush(stdout) != 0) {
    rc = GH_EXIT_FAILED;
  }
  g_string_free(tsv, TRUE);
  guint gov = 0;
  for(guint i = 0; i < list->len; i++)
    gov += !g_strcmp0(((struct gh_portal *)list->pdata[i])->kind, "government");
  fprintf(stderr, "govharvest seeds discover: %u portals found", n_found);
  if(merge)
    fprintf(stderr, "; merged into %s: %u added, %u moved, %u rows", merge, added, moved, list->len);
  fprintf(stderr, " (%u of the list's rows are governments)\n", gov);
  if(!n_found)
    rc = GH_EXIT_FAILED;
out:
  g_clear_error(&err);
  curl_slist_free_all(rl);
  curl_slist_free_all(cl);
  if(found)
    g_ptr_array_free(found, TRUE);
  if(list)
    g_ptr_array_free(list, TRUE);
  g_ptr_array_free(notes, TRUE);
  g_strfreev(starts);
  gh_regions_free(regions);
  g_free(output);
  g_free(merge);
  g_strfreev(resolve);
  g_strfreev(connect_to);
  gh_cli_common_clear(&common);
  return rc;
}

int
gh_cmd_seeds(int argc, char **argv)
{
  if(argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    FILE *out = argc < 2 ? stderr : stdout;
    fprintf(out, "Usage: govharvest seeds <check|coverage|discover> [options]\n\n"
                 "  check      read a seed list and list every bad row and warning (like nginx -t)\n"
                 "  coverage   which places the seed list has a portal for, per province\n"
                 "  discover   find county and city portals from provincial and city portals\n\n"
                 "'govharvest seeds <subcommand> --help' lists the options.\n");
    return argc < 2 ? GH_EXIT_USAGE : GH_EXIT_OK;
  }
  if(!strcmp(argv[1], "coverage"))
    return coverage(argc - 1, argv + 1);
  if(!strcmp(argv[1], "check"))
    return check(argc - 1, argv + 1);
  if(!strcmp(argv[1], "discover"))
    return discover(argc - 1, argv + 1);
  fprintf(stderr, "govharvest seeds: unknown subcommand '%s' (check, coverage, discover)\n", argv[1]);
  return GH_EXIT_USAGE;
}

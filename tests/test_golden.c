/* Golden tests: every input under data/seeds and data/reports is parsed and
 *  1. compared with data/expected/<stem>.json, the values a person read off
 *     the document (every key present there must match; "notes" is prose);
 *  2. compared whole with data/golden/<stem>.json, the complete record
 *     (checks, warnings, derived, source), so any change in what an analyst
 *     would see shows up as a diff.
 * The inputs under data/identity are real pages stored only in part (the
 * beginning a search index kept): their record is compared with the agency,
 * year and region a person read off them, and the cells of section 二 where
 * the stored part holds it (data/identity/expected.json, one entry per
 * stem), after the identity a crawl gives it, and never written.
 * Each document goes through the sandbox the product ships (a worker
 * process running the one document->record function), so what is tested
 * is what a crawl, parse or reparse runs.
 * GH_UPDATE_GOLDEN=1 rewrites the whole-record files after a deliberate
 * parser change; review the diff before committing it. */
#include <glib.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract/sandbox.h"
#include "record/places.h"

static int failures;

static void
fail(const char *stem, const char *path, const char *what)
{
  fprintf(stderr, "FAIL %s: %s: %s\n", stem, path[0] ? path : "(root)", what);
  failures++;
}

static char *
dump(const json_t *j)
{
  return json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

/* Every key of `want` must be in `got` with an equal value. */
static void
subset(const char *stem, const char *path, const json_t *want, const json_t *got)
{
  if(json_is_object(want) && json_is_array(got)) {
    /* {"0": v, "6": w}: the cells of a row a person read in some columns
     * only (a flattened page's total and natural-person columns). */
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)want, k, v) {
      char *sub = g_strdup_printf("%s[%s]", path, k);
      char *end = NULL;
      long i = strtol(k, &end, 10);
      if(!*k || *end || i < 0 || (size_t)i >= json_array_size(got))
        fail(stem, sub, "no such cell");
      else
        subset(stem, sub, v, json_array_get(got, (size_t)i));
      g_free(sub);
    }
    return;
  }
  if(json_is_object(want)) {
    if(!json_is_object(got)) {
      fail(stem, path, "expected an object");
      return;
    }
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)want, k, v) {
      if(!strcmp(k, "notes"))
        continue;
      char *sub = g_strdup_printf("%s.%s", path, k);
      json_t *g = json_object_get(got, k);
      if(!g)
        fail(stem, sub, "missing");
      else
        subset(stem, sub, v, g);
      g_free(sub);
    }
    return;
  }
  if(json_is_array(want)) {
    if(!json_is_array(got) || json_array_size(got) != json_array_size(want)) {
      char *w = dump(want), *g = dump(got);
      char *msg = g_strdup_printf("expected %s, got %s", w, g);
      fail(stem, path, msg);
      g_free(msg);
      free(w);
      free(g);
      return;
    }
    for(size_t i = 0; i < json_array_size(want); i++) {
      char *sub = g_strdup_printf("%s[%zu]", path, i);
      subset(stem, sub, json_array_get(want, i), json_array_get(got, i));
      g_free(sub);
    }
    return;
  }
  bool eq;
  if(json_is_number(want) && json_is_number(got))
    eq = fabs(json_number_value(want) - json_number_value(got)) < 1e-9;
  else
    eq = json_equal((json_t *)want, (json_t *)got);
  if(!eq) {
    char *w = dump(want), *g = dump(got);
    char *msg = g_strdup_printf("expected %s, got %s", w, g);
    fail(stem, path, msg);
    g_free(msg);
    free(w);
    free(g);
  }
}

static void
run_case(const char *dir, const char *input)
{
  char *base = g_path_get_basename(input);
  char *dot = strrchr(base, '.');
  char *stem = dot ? g_strndup(base, (size_t)(dot - base)) : g_strdup(base);
  char *bytes = NULL;
  gsize len = 0;
  if(!g_file_get_contents(input, &bytes, &len, NULL)) {
    fail(stem, "", "cannot read input");
    goto out;
  }
  struct gh_extract_opts opts;
  gh_extract_opts_init(&opts);
  json_t *got = gh_extract_record(bytes, len, &opts, NULL);

  char *exp_path = g_strdup_printf("%s/expected/%s.json", dir, stem);
  char *gold_path = g_strdup_printf("%s/golden/%s.json", dir, stem);
  json_error_t jerr;
  bool checked = false;
  if(g_file_test(exp_path, G_FILE_TEST_EXISTS)) {
    json_t *want = json_load_file(exp_path, 0, &jerr);
    if(!want)
      fail(stem, exp_path, jerr.text);
    else
      subset(stem, "", want, got);
    json_decref(want);
    checked = true;
  }
  if(g_getenv("GH_UPDATE_GOLDEN")) {
    if(json_dump_file(got, gold_path, JSON_INDENT(1) | JSON_REAL_PRECISION(15)) != 0)
      fail(stem, gold_path, "cannot write");
  }
  else if(g_file_test(gold_path, G_FILE_TEST_EXISTS)) {
    json_t *want = json_load_file(gold_path, 0, &jerr);
    if(!want)
      fail(stem, gold_path, jerr.text);
    else
      subset(stem, "", want, got), checked = true;
    /* subset() in both directions is equality, with numeric tolerance. */
    if(want)
      subset(stem, "(extra keys)", got, want);
    json_decref(want);
  }
  if(!checked)
    fail(stem, "", "no expected or golden file for this input");
  else
    printf("ok %s\n", stem);
  json_decref(got);
  g_free(exp_path);
  g_free(gold_path);
out:
  g_free(bytes);
  g_free(stem);
  g_free(base);
}

/* One page of data/identity: its agency, year and region as a crawl would
 * store them (gh_record_identify with no seed to lean on). */
static void
run_identity_case(const char *input, const char *stem, const json_t *list)
{
  const json_t *want = json_object_get(list, stem);
  if(!want) {
    fail(stem, "", "no entry in identity/expected.json for this input");
    return;
  }
  char *bytes = NULL;
  gsize len = 0;
  if(!g_file_get_contents(input, &bytes, &len, NULL)) {
    fail(stem, "", "cannot read input");
    return;
  }
  struct gh_extract_opts opts;
  gh_extract_opts_init(&opts);
  json_t *got = gh_extract_record(bytes, len, &opts, NULL);
  gh_record_identify(got, gh_regions_builtin(), NULL, NULL);
  int before = failures;
  subset(stem, "", want, got);
  if(failures == before)
    printf("ok %s\n", stem);
  json_decref(got);
  g_free(bytes);
}

static gint
by_name(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The stem of an input file: its name without the extension, as the
 * expected and golden files are named. */
static char *
stem_of(const char *input)
{
  char *base = g_path_get_basename(input);
  char *dot = strrchr(base, '.');
  if(dot)
    *dot = '\0';
  return base;
}

/* test_golden DATA_DIR [STEM...]: every case, or the named ones (a stem is
 * the input's name without its extension); test_golden DATA_DIR --list
 * prints the stems. */
int
main(int argc, char **argv)
{
  if(argc > 1 && !strcmp(argv[1], GH_POOL_WORKER_ARG))
    return gh_sandbox_worker_main(argc, argv, NULL);
  if(argc < 2) {
    fprintf(stderr, "usage: test_golden DATA_DIR [--list | STEM...]\n");
    return 2;
  }
  bool list = argc == 3 && !strcmp(argv[2], "--list");
  GHashTable *wanted = g_hash_table_new(g_str_hash, g_str_equal);
  for(int a = 2; !list && a < argc; a++)
    g_hash_table_add(wanted, argv[a]);
  const char *subdirs[] = { "seeds", "reports", "identity" };
  int cases = 0;
  char *list_path = g_build_filename(argv[1], "identity", "expected.json", NULL);
  json_error_t jerr;
  json_t *identity = json_load_file(list_path, 0, &jerr);
  if(!identity && g_file_test(list_path, G_FILE_TEST_EXISTS)) {
    fprintf(stderr, "%s: %s\n", list_path, jerr.text);
    failures++;
  }
  g_free(list_path);
  for(size_t s = 0; s < G_N_ELEMENTS(subdirs); s++) {
    char *d = g_build_filename(argv[1], subdirs[s], NULL);
    GDir *dir = g_dir_open(d, 0, NULL);
    if(!dir) {
      g_free(d);
      continue;
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *n;
    bool id_dir = !strcmp(subdirs[s], "identity");
    while((n = g_dir_read_name(dir)))
      if(!id_dir || g_str_has_suffix(n, ".txt"))
        g_ptr_array_add(names, g_build_filename(d, n, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, by_name);
    for(guint i = 0; i < names->len; i++) {
      char *stem = stem_of(g_ptr_array_index(names, i));
      if(list)
        printf("%s\n", stem);
      else if(argc == 2 || g_hash_table_remove(wanted, stem)) {
        if(id_dir)
          run_identity_case(g_ptr_array_index(names, i), stem, identity);
        else
          run_case(argv[1], g_ptr_array_index(names, i));
        cases++;
      }
      g_free(stem);
    }
    g_ptr_array_free(names, TRUE);
    g_free(d);
  }
  json_decref(identity);
  if(list) {
    g_hash_table_destroy(wanted);
    return 0;
  }
  /* A misspelt stem must not pass as a short, green run. */
  bool unknown = g_hash_table_size(wanted) > 0;
  GHashTableIter it;
  gpointer k;
  g_hash_table_iter_init(&it, wanted);
  while(g_hash_table_iter_next(&it, &k, NULL))
    fprintf(stderr, "test_golden: no case named \"%s\" (--list prints the names)\n", (char *)k);
  g_hash_table_destroy(wanted);
  if(unknown)
    return 2;
  if(cases == 0) {
    fprintf(stderr, "no cases found under %s\n", argv[1]);
    return 1;
  }
  gh_extract_shutdown();
  printf("%d cases, %d failures\n", cases, failures);
  return failures ? 1 : 0;
}

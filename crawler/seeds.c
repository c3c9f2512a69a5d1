#include "seeds.h"

#include <string.h>

#include "url.h"
#include "../config/config.h"

static void
seed_free(void *p)
{
  struct gh_seed *s = p;
  g_free(s->url);
  g_free(s->region_code);
  g_free(s->name);
  g_free(s->kind);
  g_free(s->identifier);
  g_free(s);
}

static bool
is_code(const char *s)
{
  return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

static bool load_one(const char *file, GPtrArray *seeds, GHashTable *seen, GPtrArray *notes,
                     GError **err);

GPtrArray *
gh_seeds_load_file(const char *file, GPtrArray *notes, GError **err)
{
  GPtrArray *seeds = g_ptr_array_new_with_free_func(seed_free);
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  bool ok = load_one(file, seeds, seen, notes, err);
  g_hash_table_destroy(seen);
  if(!ok) {
    g_ptr_array_free(seeds, TRUE);
    return NULL;
  }
  return seeds;
}

GPtrArray *
gh_seeds_load(const char *file, GPtrArray *notes, GError **err)
{
  GPtrArray *seeds = g_ptr_array_new_with_free_func(seed_free);
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  bool ok = load_one(file, seeds, seen, notes, err);
  /* Local seed lists beside it, appended: the .tsv files of seeds.d keep an operator's
   * additions apart from the reference list an upgrade replaces. */
  char *dir = g_path_get_dirname(file), *dd = g_build_filename(dir, "seeds.d", NULL);
  GPtrArray *extra = gh_config_drop_ins(dd, ".tsv");
  for(guint i = 0; ok && i < extra->len; i++)
    ok = load_one(extra->pdata[i], seeds, seen, notes, err);
  g_ptr_array_free(extra, TRUE);
  g_free(dd);
  g_free(dir);
  g_hash_table_destroy(seen);
  if(!ok) {
    g_ptr_array_free(seeds, TRUE);
    return NULL;
  }
  return seeds;
}

/* Checked like `nginx -t`: every bad row is named in one run (the error
 * holds one "FILE:LINE: why" line each), and the traps a hand-edited or
 * spreadsheet-saved list falls into are said as such. */
static bool
load_one(const char *file, GPtrArray *seeds, GHashTable *seen, GPtrArray *notes, GError **err)
{
  char *text = NULL;
  gsize len = 0;
  GError *e = NULL;
  if(!g_file_get_contents(file, &text, &len, &e)) {
    g_set_error(err, G_FILE_ERROR, e->code, "%s: %s", file, e->message);
    g_error_free(e);
    return false;
  }
  const char *nul = memchr(text, '\0', len);
  if(nul) {
    int line = 1;
    for(const char *c = text; c < nul; c++)
      line += *c == '\n';
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s:%d: a NUL byte: not a text file (a seed list is UTF-8 text, tab-separated)",
                file, line);
    g_free(text);
    return false;
  }
  /* A byte-order mark (Excel's "UTF-8 CSV", Notepad) is not part of the
   * first URL. */
  const char *body = g_str_has_prefix(text, "\xEF\xBB\xBF") ? text + 3 : text;
  char **lines = g_strsplit(body, "\n", -1);
  g_free(text);
  GString *bad = g_string_new(NULL);
  const struct gh_regions *table = gh_regions_builtin();
  for(int i = 0; lines[i]; i++) {
    char *l = lines[i];
    l[strcspn(l, "\r")] = '\0';
    char *t = g_strstrip(g_strdup(l));
    bool skip = !*t || *t == '#' || (i == 0 && g_str_has_prefix(t, "url\t"));
    g_free(t);
    if(skip)
      continue;
    char **f = g_strsplit(l, "\t", 6);
    guint nf = g_strv_length(f);
    const char *url = g_strstrip(f[0]);
    const char *code = nf > 1 ? g_strstrip(f[1]) : "";
    const char *name = nf > 2 ? g_strstrip(f[2]) : "";
    const char *kind = nf > 3 ? g_strstrip(f[3]) : "";
    const char *ident = nf > 4 ? g_strstrip(f[4]) : "";
    /* A URL never holds white space: a row whose columns were separated
     * by spaces would otherwise be fetched as http://host/%20320800%20... */
    bool space = url[strcspn(url, " \t\v\f")] || strstr(url, "\xE3\x80\x80" /* U+3000 */);
    char *norm = space ? NULL : gh_url_resolve(NULL, url);
    if(space) {
      g_string_append_printf(bad, "%s%s:%d: '%s' holds white space: the columns (url, region_code, "
                                  "name) are separated by tabs, not spaces",
                             bad->len ? "\n" : "", file, i + 1, url);
    } else if(!norm) {
      g_string_append_printf(bad, "%s%s:%d: '%s' is not an http(s) URL", bad->len ? "\n" : "",
                             file, i + 1, url);
    } else if(*code && !is_code(code)) {
      g_string_append_printf(bad, "%s%s:%d: region code '%s' is not 6 digits (GB/T 2260)",
                             bad->len ? "\n" : "", file, i + 1, code);
    } else if(g_hash_table_contains(seen, norm)) {
      if(notes)
        g_ptr_array_add(notes, g_strdup_printf("%s:%d: %s is already listed at %s; kept once",
                                               file, i + 1, norm,
                                               (const char *)g_hash_table_lookup(seen, norm)));
    } else {
      if(*code && notes && !gh_region_name(table, code))
        g_ptr_array_add(notes, g_strdup_printf("%s:%d: region code %s is not in the region table "
                                               "(GB/T 2260): its records get no place names",
                                               file, i + 1, code));
      g_hash_table_insert(seen, g_strdup(norm), g_strdup_printf("%s:%d", file, i + 1));
      struct gh_seed *s = g_new0(struct gh_seed, 1);
      s->url = norm;
      norm = NULL;
      s->region_code = *code ? g_strdup(code) : NULL;
      s->name = g_strdup(name);
      s->kind = *kind ? g_strdup(kind) : NULL;
      s->identifier = *ident ? g_strdup(ident) : NULL;
      g_ptr_array_add(seeds, s);
    }
    g_free(norm);
    g_strfreev(f);
  }
  g_strfreev(lines);
  bool ok = bad->len == 0;
  if(!ok)
    g_set_error_literal(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, bad->str);
  g_string_free(bad, TRUE);
  return ok;
}

bool
gh_seeds_select(GPtrArray *all, char **urls, char **regions, GPtrArray **selected,
                GPtrArray **adhoc, GPtrArray *notes, GError **err)
{
  *selected = g_ptr_array_new();
  *adhoc = g_ptr_array_new_with_free_func(seed_free);
  GHashTable *taken = g_hash_table_new(g_str_hash, g_str_equal);
  bool ok = true;
  for(char **u = urls; ok && u && *u; u++) {
    char *norm = gh_url_resolve(NULL, *u);
    if(!norm) {
      g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "'%s' is not an http(s) URL", *u);
      ok = false;
      break;
    }
    struct gh_seed *found = NULL;
    for(guint i = 0; i < all->len && !found; i++)
      if(!strcmp(((struct gh_seed *)all->pdata[i])->url, norm))
        found = all->pdata[i];
    if(!found) {
      found = g_new0(struct gh_seed, 1);
      found->url = g_strdup(norm);
      found->name = g_strdup("");
      g_ptr_array_add(*adhoc, found);
      if(notes)
        g_ptr_array_add(notes, g_strdup_printf("%s is not in the seed list: crawled as a seed "
                                               "without a region", norm));
    }
    if(g_hash_table_add(taken, found->url))
      g_ptr_array_add(*selected, found);
    g_free(norm);
  }
  for(char **r = regions; ok && r && *r; r++)
    for(guint i = 0; i < all->len; i++) {
      struct gh_seed *sd = all->pdata[i];
      if(sd->region_code && g_str_has_prefix(sd->region_code, *r) && g_hash_table_add(taken, sd->url))
        g_ptr_array_add(*selected, sd);
    }
  g_hash_table_destroy(taken);
  if(ok && !(*selected)->len) {
    g_set_error(err, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                "no seed matches the regions asked for");
    ok = false;
  }
  if(!ok) {
    g_ptr_array_free(*selected, TRUE);
    g_ptr_array_free(*adhoc, TRUE);
    *selected = *adhoc = NULL;
  }
  return ok;
}

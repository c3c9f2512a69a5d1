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
  char **lines = g_strsplit(text, "\n", -1);
  g_free(text);
  bool ok = true;
  for(int i = 0; lines[i] && ok; i++) {
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
    char *norm = gh_url_resolve(NULL, url);
    if(!norm) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%d: '%s' is not an http(s) URL", file, i + 1, url);
      ok = false;
    } else if(*code && !is_code(code)) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%d: region code '%s' is not 6 digits (GB/T 2260)", file, i + 1, code);
      ok = false;
    } else if(g_hash_table_contains(seen, norm)) {
      if(notes)
        g_ptr_array_add(notes, g_strdup_printf("%s:%d: %s is already listed at %s; kept once",
                                               file, i + 1, norm,
                                               (const char *)g_hash_table_lookup(seen, norm)));
    } else {
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

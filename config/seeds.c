#include "seeds.h"

#include <string.h>

#include "../crawler/url.h"
#include "config.h"

static void
seed_free(void *p)
{
  struct gh_seed *s = p;
  g_free(s->url);
  g_free(s->region_code);
  g_free(s->name);
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
    char **f = g_strsplit(l, "\t", 4);
    const char *url = g_strstrip(f[0]);
    const char *code = f[1] ? g_strstrip(f[1]) : "";
    const char *name = f[1] && f[2] ? g_strstrip(f[2]) : "";
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
      g_ptr_array_add(seeds, s);
    }
    g_free(norm);
    g_strfreev(f);
  }
  g_strfreev(lines);
  return ok;
}

/* ---- regions ---- */

struct region {
  char *code, *name, *parent;
  int level; /* 0 province, 1 city, 2 county */
};

struct gh_regions {
  GPtrArray *all;      /* struct region * */
  GHashTable *by_code; /* code -> region */
  GHashTable *by_name; /* name or short form -> GPtrArray of region */
};

static void
region_free(void *p)
{
  struct region *r = p;
  g_free(r->code);
  g_free(r->name);
  g_free(r->parent);
  g_free(r);
}

static void
index_name(struct gh_regions *t, char *name, struct region *r)
{
  GPtrArray *list = g_hash_table_lookup(t->by_name, name);
  if(!list) {
    list = g_ptr_array_new();
    g_hash_table_insert(t->by_name, name, list);
  } else {
    g_free(name);
  }
  if(!list->len || list->pdata[list->len - 1] != r)
    g_ptr_array_add(list, r);
}

/* The forms agencies write: 楚雄彝族自治州 -> 楚雄州, 云南省 -> 云南. */
static void
index_forms(struct gh_regions *t, struct region *r)
{
  index_name(t, g_strdup(r->name), r);
  static const char *const autonomous[] = { "自治州", "自治县", "自治旗", NULL };
  for(const char *const *a = autonomous; *a; a++)
    if(g_str_has_suffix(r->name, *a) && g_utf8_strlen(r->name, -1) > 4) {
      char *two = g_utf8_substring(r->name, 0, 2);
      index_name(t, g_strconcat(two, g_utf8_offset_to_pointer(*a, 2), NULL), r);
      g_free(two);
    }
  if(r->level == 1 && g_str_has_suffix(r->name, "地区"))
    index_name(t, g_strndup(r->name, strlen(r->name) - strlen("地区")), r);
}

struct gh_regions *
gh_regions_load(const char *file, GError **err)
{
  char *text = NULL;
  GError *e = NULL;
  if(!g_file_get_contents(file, &text, NULL, &e)) {
    g_set_error(err, G_FILE_ERROR, e->code, "%s: %s", file, e->message);
    g_error_free(e);
    return NULL;
  }
  struct gh_regions *t = g_new0(struct gh_regions, 1);
  t->all = g_ptr_array_new_with_free_func(region_free);
  t->by_code = g_hash_table_new(g_str_hash, g_str_equal);
  t->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)g_ptr_array_unref);
  char **lines = g_strsplit(text, "\n", -1);
  g_free(text);
  bool ok = true;
  for(int i = 0; lines[i] && ok; i++) {
    if(!lines[i][0] || lines[i][0] == '#' || g_str_has_prefix(lines[i], "code\t"))
      continue;
    char **f = g_strsplit(lines[i], "\t", 5);
    if(g_strv_length(f) != 4 || !is_code(f[0])) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%d: not code<TAB>name<TAB>level<TAB>parent",
                  file, i + 1);
      ok = false;
    } else {
      struct region *r = g_new0(struct region, 1);
      r->code = g_strdup(f[0]);
      r->name = g_strdup(f[1]);
      r->level = !strcmp(f[2], "province") ? 0 : !strcmp(f[2], "city") ? 1 : 2;
      r->parent = *f[3] ? g_strdup(f[3]) : NULL;
      g_ptr_array_add(t->all, r);
      g_hash_table_insert(t->by_code, r->code, r);
      index_forms(t, r);
    }
    g_strfreev(f);
  }
  g_strfreev(lines);
  if(!ok) {
    gh_regions_free(t);
    return NULL;
  }
  return t;
}

void
gh_regions_free(struct gh_regions *t)
{
  if(!t)
    return;
  g_hash_table_destroy(t->by_name);
  g_hash_table_destroy(t->by_code);
  g_ptr_array_free(t->all, TRUE);
  g_free(t);
}

static bool
within(const struct gh_regions *t, const struct region *r, const char *ancestor)
{
  for(const struct region *p = r; p; p = p->parent ? g_hash_table_lookup(t->by_code, p->parent) : NULL)
    if(!strcmp(p->code, ancestor))
      return true;
  return false;
}

const char *
gh_region_for(const struct gh_regions *t, const char *agency, const char *hint)
{
  if(!agency)
    return hint;
  /* Every place name in the agency name, as candidates. */
  GPtrArray *found = g_ptr_array_new();
  for(const char *p = agency; *p; p = g_utf8_next_char(p)) {
    for(int chars = 2; chars <= 12; chars++) {
      const char *end = g_utf8_offset_to_pointer(p, chars);
      if((size_t)(end - agency) > strlen(agency))
        break;
      char *sub = g_strndup(p, (size_t)(end - p));
      GPtrArray *list = g_hash_table_lookup(t->by_name, sub);
      g_free(sub);
      for(guint i = 0; list && i < list->len; i++)
        g_ptr_array_add(found, list->pdata[i]);
      if(!*end)
        break;
    }
  }
  /* The deepest candidate that agrees with the hint and with the other
   * names found (福州市晋安区: 晋安区 within 福州市). */
  const struct region *best = NULL;
  int best_score = -1;
  bool tie = false;
  for(guint i = 0; i < found->len; i++) {
    const struct region *r = found->pdata[i];
    int score = r->level * 4;
    if(hint && (within(t, r, hint) || !strcmp(r->code, hint) ||
                !strncmp(r->code, hint, r->level == 2 ? 4 : 2)))
      score += 2;
    for(guint j = 0; j < found->len; j++)
      if(j != i && within(t, r, ((const struct region *)found->pdata[j])->code))
        score += 1;
    if(score > best_score) {
      best = r;
      best_score = score;
      tie = false;
    } else if(score == best_score && r != best) {
      tie = true;
    }
  }
  g_ptr_array_free(found, TRUE);
  if(!best || tie)
    return hint;
  /* A place far from the seed's region is more likely a name clash (a
   * 朝阳 agency on a Liaoning seed) than a cross-province report. */
  if(hint && best_score < best->level * 4 + 2 && best->level < 2)
    return hint;
  return best->code;
}

#include "places.h"

#include <gio/gio.h>
#include <string.h>

/* glib-compile-resources output (config/regions.gresource.xml). */
GResource *gh_places_get_resource(void);

/* Characters in the longest form looked for (河北唐山芦台经济开发区 has 11). */
enum { MAX_FORM = 20 };

struct region {
  char *code, *name, *parent;
  int level; /* 0 province, 1 city, 2 county */
};

struct gh_regions {
  GPtrArray *all;      /* struct region * */
  GHashTable *by_code; /* code -> region */
  /* Forms that find a place inside a name: the full name and the
   * unambiguous contractions (楚雄彝族自治州 -> 楚雄州). */
  GHashTable *by_name; /* form -> GPtrArray of region */
  /* Bare stems (淮安市 -> 淮安, 洪泽区 -> 洪泽): too common inside words
   * to find places by, used only to strip a place already known from the
   * front of a name. */
  GHashTable *by_stem;
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

static bool
is_code(const char *s)
{
  return strlen(s) == 6 && strspn(s, "0123456789") == 6;
}

static void
index_form(GHashTable *h, char *form, struct region *r)
{
  GPtrArray *list = g_hash_table_lookup(h, form);
  if(!list) {
    list = g_ptr_array_new();
    g_hash_table_insert(h, form, list);
  } else {
    g_free(form);
  }
  if(!list->len || list->pdata[list->len - 1] != r)
    g_ptr_array_add(list, r);
}

/* Peoples named in autonomous areas' names; what comes before the first of
 * them is the place's stem (黔西南布依族苗族自治州 -> 黔西南). */
static const char *const peoples[] = {
  "土家", "布依", "朝鲜", "哈尼", "傈僳", "景颇", "蒙古", "哈萨克", "柯尔克孜", "维吾尔",
  "达斡尔", "鄂温克", "鄂伦春", "仡佬", "纳西", "撒拉", "锡伯", "普米", "独龙", "拉祜",
  "仫佬", "毛南", "保安", "裕固", "塔吉克", "藏", "彝", "回", "白", "傣", "壮", "苗",
  "侗", "羌", "满", "畲", "瑶", "黎", "水", "土", "怒", "佤", "各", NULL
};

/* The stem of a name: without its level word, and for an autonomous area
 * without the peoples too.  NULL when the stem would be one character (沛县)
 * or the name has no stem of its own (滨海新区). */
static char *
stem_of(const char *name)
{
  static const char *const zones[] = { "新区", "开发区", "管理区", "试验区", "示范区",
                                       "工业园区", "产业园区", "创意园区", "化工园区", "林区",
                                       "矿区", NULL };
  for(const char *const *z = zones; *z; z++)
    if(g_str_has_suffix(name, *z))
      return NULL;
  char *stem = NULL;
  if(strstr(name, "自治")) {
    if(g_str_has_prefix(name, "内蒙古"))
      return g_strdup("内蒙古");
    const char *best = NULL;
    for(const char *p = g_utf8_offset_to_pointer(name, 2); *p && !best; p = g_utf8_next_char(p))
      for(const char *const *e = peoples; *e; e++)
        if(g_str_has_prefix(p, *e)) {
          best = p;
          break;
        }
    if(!best)
      best = strstr(name, "自治");
    stem = g_strndup(name, (gsize)(best - name));
  } else {
    static const char *const levels[] = { "特别行政区", "地区", "特区", "省", "市", "县", "区",
                                          "旗", "盟", "州", NULL };
    for(const char *const *l = levels; *l && !stem; l++)
      if(g_str_has_suffix(name, *l))
        stem = g_strndup(name, strlen(name) - strlen(*l));
  }
  if(stem && g_utf8_strlen(stem, -1) < 2) {
    g_free(stem);
    stem = NULL;
  }
  return stem;
}

static void
index_forms(struct gh_regions *t, struct region *r)
{
  index_form(t->by_name, g_strdup(r->name), r);
  char *stem = stem_of(r->name);
  if(!stem)
    return;
  /* 楚雄彝族自治州 is written 楚雄州, 峨山彝族自治县 峨山县, 阿里地区 阿里. */
  static const char *const autonomous[][2] = { { "自治州", "州" }, { "自治县", "县" },
                                               { "自治旗", "旗" } };
  for(size_t i = 0; i < G_N_ELEMENTS(autonomous); i++)
    if(g_str_has_suffix(r->name, autonomous[i][0]))
      index_form(t->by_name, g_strconcat(stem, autonomous[i][1], NULL), r);
  if(r->level == 1 && g_str_has_suffix(r->name, "地区"))
    index_form(t->by_name, g_strdup(stem), r);
  index_form(t->by_stem, stem, r);
}

static struct gh_regions *
parse_table(const char *text, const char *origin, GError **err)
{
  struct gh_regions *t = g_new0(struct gh_regions, 1);
  t->all = g_ptr_array_new_with_free_func(region_free);
  t->by_code = g_hash_table_new(g_str_hash, g_str_equal);
  t->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)g_ptr_array_unref);
  t->by_stem = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     (GDestroyNotify)g_ptr_array_unref);
  char **lines = g_strsplit(text, "\n", -1);
  bool ok = true;
  for(int i = 0; lines[i] && ok; i++) {
    char *l = lines[i];
    l[strcspn(l, "\r")] = '\0';
    if(!l[0] || l[0] == '#' || g_str_has_prefix(l, "code\t"))
      continue;
    char **f = g_strsplit(l, "\t", 5);
    if(g_strv_length(f) != 4 || !is_code(f[0]) || !*f[1] ||
       (strcmp(f[2], "province") && strcmp(f[2], "city") && strcmp(f[2], "county"))) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%d: not code<TAB>name<TAB>province|city|county<TAB>parent", origin, i + 1);
      ok = false;
    } else if(!g_hash_table_contains(t->by_code, f[0])) {
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

struct gh_regions *
gh_regions_load(const char *file, GError **err)
{
  if(!file || !*file || !strcmp(file, "builtin")) {
    GBytes *b = g_resource_lookup_data(gh_places_get_resource(), "/govharvest/regions.tsv",
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, err);
    if(!b)
      return NULL;
    /* Resource data is NUL-terminated. */
    struct gh_regions *t = parse_table(g_bytes_get_data(b, NULL), "built-in regions.tsv", err);
    g_bytes_unref(b);
    return t;
  }
  char *text = NULL;
  GError *e = NULL;
  if(!g_file_get_contents(file, &text, NULL, &e)) {
    g_set_error(err, G_FILE_ERROR, e->code, "%s: %s", file, e->message);
    g_error_free(e);
    return NULL;
  }
  struct gh_regions *t = parse_table(text, file, err);
  g_free(text);
  return t;
}

char **
gh_province_portals(void)
{
  GBytes *b = g_resource_lookup_data(gh_places_get_resource(), "/govharvest/provinces.tsv",
                                     G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  GPtrArray *out = g_ptr_array_new();
  char **lines = b ? g_strsplit(g_bytes_get_data(b, NULL), "\n", -1) : NULL;
  for(char **l = lines; l && *l; l++)
    if(g_str_has_prefix(*l, "http"))
      g_ptr_array_add(out, g_strndup(*l, strcspn(*l, "\t")));
  g_ptr_array_add(out, NULL);
  g_strfreev(lines);
  if(b)
    g_bytes_unref(b);
  return (char **)g_ptr_array_free(out, FALSE);
}

const struct gh_regions *
gh_regions_builtin(void)
{
  static gsize once;
  static struct gh_regions *table;
  if(g_once_init_enter(&once)) {
    table = gh_regions_load(NULL, NULL);
    /* The table is compiled in: failing to read it is a broken build. */
    if(!table)
      g_error("the built-in region table does not load");
    g_once_init_leave(&once, 1);
  }
  return table;
}

void
gh_regions_free(struct gh_regions *t)
{
  if(!t)
    return;
  g_hash_table_destroy(t->by_stem);
  g_hash_table_destroy(t->by_name);
  g_hash_table_destroy(t->by_code);
  g_ptr_array_free(t->all, TRUE);
  g_free(t);
}

bool
gh_regions_at(const struct gh_regions *t, guint i, const char **code, const char **name,
              const char **level, const char **parent)
{
  if(i >= t->all->len)
    return false;
  const struct region *r = t->all->pdata[i];
  static const char *const levels[] = { "province", "city", "county" };
  *code = r->code;
  *name = r->name;
  *level = levels[r->level];
  *parent = r->parent;
  return true;
}

static const struct region *
parent_of(const struct gh_regions *t, const struct region *r)
{
  return r->parent ? g_hash_table_lookup(t->by_code, r->parent) : NULL;
}

static bool
within(const struct gh_regions *t, const struct region *r, const char *ancestor)
{
  for(const struct region *p = r; p; p = parent_of(t, p))
    if(!strcmp(p->code, ancestor))
      return true;
  return false;
}

/* The deepest place named in `text` that agrees with `hint` and with the
 * other names found (福州市晋安区: 晋安区 within 福州市); NULL when the text
 * names none or two places tie. */
/* Whether r and the place `code` lie on one line of descent. */
static bool
related(const struct gh_regions *t, const struct region *r, const char *code)
{
  const struct region *c = g_hash_table_lookup(t->by_code, code);
  return within(t, r, code) || (c && within(t, c, r->code));
}

struct found {
  const struct region *r;
  size_t start, end; /* bytes of the text it was found in */
};

static const struct region *
find_place(const struct gh_regions *t, const char *text, const char *hint)
{
  GArray *found = g_array_new(FALSE, FALSE, sizeof(struct found));
  size_t len = strlen(text);
  for(const char *p = text; *p; p = g_utf8_next_char(p)) {
    for(int chars = 2; chars <= MAX_FORM; chars++) {
      const char *end = g_utf8_offset_to_pointer(p, chars);
      if((size_t)(end - text) > len)
        break;
      char *sub = g_strndup(p, (size_t)(end - p));
      GPtrArray *list = g_hash_table_lookup(t->by_name, sub);
      g_free(sub);
      for(guint i = 0; list && i < list->len; i++) {
        struct found f = { list->pdata[i], (size_t)(p - text), (size_t)(end - text) };
        g_array_append_val(found, f);
      }
      if(!*end)
        break;
    }
  }
  /* A name inside a longer one is not a place of its own (绛县 in 新绛县,
   * 宁县 in 正宁县); of places spelled alike (嘉峪关市, the city and its
   * district) the hint's is meant. */
  for(guint i = 0; i < found->len; i++) {
    struct found *a = &g_array_index(found, struct found, i);
    for(guint j = 0; j < found->len && a->r; j++) {
      const struct found *b = &g_array_index(found, struct found, j);
      if(i == j || !b->r)
        continue;
      /* ...unless only the shorter agrees with the seed: 信阳新县 is 信阳
       * + 新县, not 阳新县, on a 新县 seed. */
      bool inside = b->start <= a->start && a->end <= b->end &&
                    b->end - b->start > a->end - a->start &&
                    !(hint && related(t, a->r, hint) && !related(t, b->r, hint));
      bool twin = b->start == a->start && b->end == a->end && b->r != a->r && hint &&
                  !strcmp(b->r->code, hint) && strcmp(a->r->code, hint);
      if(inside || twin)
        a->r = NULL;
    }
  }
  const struct region *best = NULL;
  int best_score = -1;
  bool tie = false;
  for(guint i = 0; i < found->len; i++) {
    const struct region *r = g_array_index(found, struct found, i).r;
    if(!r)
      continue;
    int score = r->level * 4;
    if(hint && (within(t, r, hint) || !strcmp(r->code, hint) ||
                !strncmp(r->code, hint, r->level == 2 ? 4 : 2)))
      score += 2;
    for(guint j = 0; j < found->len; j++) {
      const struct region *o = g_array_index(found, struct found, j).r;
      if(j != i && o && within(t, r, o->code))
        score += 1;
    }
    if(score > best_score) {
      best = r;
      best_score = score;
      tie = false;
    } else if(score == best_score && r != best) {
      tie = true;
    }
  }
  g_array_free(found, TRUE);
  if(!best || tie)
    return NULL;
  /* A place far from the seed's region is more likely a name clash (a
   * 朝阳 agency on a Liaoning seed) than a cross-province report. */
  if(hint && best_score < best->level * 4 + 2 && best->level < 2)
    return NULL;
  return best;
}

const char *
gh_region_for(const struct gh_regions *t, const char *agency, const char *hint)
{
  const struct region *r = agency ? find_place(t, agency, hint) : NULL;
  return r ? r->code : hint;
}

const char *
gh_region_named(const struct gh_regions *t, const char *text, const char *hint)
{
  const struct region *r = text ? find_place(t, text, hint) : NULL;
  return r ? r->code : NULL;
}

bool
gh_region_within(const struct gh_regions *t, const char *code, const char *ancestor)
{
  const struct region *r = code ? g_hash_table_lookup(t->by_code, code) : NULL;
  return r && ancestor && within(t, r, ancestor);
}

const char *
gh_region_name(const struct gh_regions *t, const char *code)
{
  const struct region *r = code ? g_hash_table_lookup(t->by_code, code) : NULL;
  return r ? r->name : NULL;
}

bool
gh_region_place(const struct gh_regions *t, const char *code, struct gh_place *out)
{
  memset(out, 0, sizeof *out);
  const struct region *r = code ? g_hash_table_lookup(t->by_code, code) : NULL;
  if(!r)
    return false;
  for(const struct region *p = r; p; p = parent_of(t, p)) {
    if(p->level == 0 && !out->province_code) {
      out->province_code = p->code;
      out->province = p->name;
    } else if(p->level == 1 && !out->prefecture_code) {
      out->prefecture_code = p->code;
      out->prefecture = p->name;
    } else if(p->level == 2 && !out->county_code) {
      out->county_code = p->code;
      out->county = p->name;
    }
  }
  return true;
}

/* ---- agency identity ---- */

/* Whether `r` is the place `code` or one of its ancestors. */
static bool
in_chain(const struct gh_regions *t, const struct region *r, const char *code)
{
  const struct region *c = g_hash_table_lookup(t->by_code, code);
  return c && within(t, c, r->code);
}

/* Calls fn for the length of every form in `h` at the start of `p` that
 * names a place of code's chain. */
static void
chain_forms_at(const struct gh_regions *t, GHashTable *h, const char *p, const char *code,
               void (*fn)(size_t n, void *ud), void *ud)
{
  size_t len = strlen(p);
  for(int chars = 2; chars <= MAX_FORM; chars++) {
    const char *end = g_utf8_offset_to_pointer(p, chars);
    if((size_t)(end - p) > len)
      break;
    char *sub = g_strndup(p, (size_t)(end - p));
    GPtrArray *list = g_hash_table_lookup(h, sub);
    g_free(sub);
    for(guint i = 0; list && i < list->len; i++)
      if(in_chain(t, list->pdata[i], code)) {
        fn((size_t)(end - p), ud);
        break;
      }
    if(!*end)
      break;
  }
}

struct strip {
  const struct gh_regions *t;
  const char *code, *at;
  size_t best;
  int depth;
  bool stem;
};

static size_t chain_length(const struct gh_regions *t, const char *p, const char *code, int depth);

static void
try_form(size_t n, void *ud)
{
  struct strip *s = ud;
  const char *after = s->at + n;
  /* A bare stem counts only before another place of the chain or the
   * government itself (淮安洪泽区…, 洪泽人民政府), so 洪泽湖管理办公室 keeps
   * its 洪泽. */
  size_t more = chain_length(s->t, after, s->code, s->depth + 1);
  if(s->stem && !more && *after && !g_str_has_prefix(after, "人民政府") &&
     !g_str_has_prefix(after, "政府"))
    return;
  if(n + more > s->best)
    s->best = n + more;
}

/* Bytes of the longest run of the chain's place names at the front of p:
 * every split is tried, so 济南市中区 is 济南 + 市中区, not 济南市 + 中区. */
static size_t
chain_length(const struct gh_regions *t, const char *p, const char *code, int depth)
{
  if(!*p || depth > 6)
    return 0;
  struct strip s = { t, code, p, 0, depth, false };
  chain_forms_at(t, t->by_name, p, code, try_form, &s);
  s.stem = true;
  chain_forms_at(t, t->by_stem, p, code, try_form, &s);
  return s.best;
}

/* Where the name proper starts once the places of code's chain are
 * stripped from its front (江苏省淮安市洪泽区人民政府 -> 人民政府). */
static const char *
strip_chain(const struct gh_regions *t, const char *name, const char *code)
{
  return name + chain_length(t, name, code, 0);
}

/* A level word standing for the place (县工业和信息化局, 区政府), not the
 * start of a word (市场监督管理局, 市政管理处, 区域…, 县委…). */
static const char *
strip_level_word(const char *p)
{
  static const struct {
    const char *word, *const compounds[12];
  } words[] = {
    { "市", { "场", "容", "民", "级", "直", "属", "辖", "委", "长", "区", "县", NULL } },
    { "县", { "级", "直", "属", "域", "委", "辖", "长", "区", NULL } },
    { "区", { "级", "直", "属", "域", "委", "辖", "长", "县", NULL } },
    { "旗", { "级", "直", "属", "委", "长", NULL } },
    { "州", { "级", "直", "属", "委", "长", NULL } },
    { "盟", { "级", "直", "属", "委", "长", NULL } },
  };
  for(size_t w = 0; w < G_N_ELEMENTS(words); w++) {
    if(!g_str_has_prefix(p, words[w].word))
      continue;
    const char *rest = p + strlen(words[w].word);
    if(!*rest || (g_str_has_prefix(rest, "政") && !g_str_has_prefix(rest, "政府")))
      return p;
    for(const char *const *c = words[w].compounds; *c; c++)
      if(g_str_has_prefix(rest, *c))
        return p;
    return rest;
  }
  return p;
}

/* One spelling per agency: 政府 -> 人民政府, a town by its government
 * (中村乡 -> 中村乡人民政府), a street office by its office. */
static char *
normal_form(const char *p)
{
  GString *s = g_string_new(NULL);
  for(const char *q = p; *q; q = g_utf8_next_char(q)) {
    gunichar c = g_utf8_get_char(q);
    if(g_unichar_isspace(c) || c == 0x3000)
      continue;
    if(c == '(')
      c = 0xFF08; /* （ */
    else if(c == ')')
      c = 0xFF09; /* ） */
    g_string_append_unichar(s, c);
  }
  if(!s->len)
    g_string_assign(s, "人民政府");
  else if(g_str_has_prefix(s->str, "政府"))
    g_string_prepend(s, "人民");
  if(!strcmp(s->str, "人民政府办"))
    g_string_append(s, "公室");
  glong chars = g_utf8_strlen(s->str, -1);
  static const char *const towns[] = { "乡", "镇", NULL };
  for(const char *const *w = towns; *w && chars >= 2; w++) {
    char *gov = g_strconcat(*w, "政府", NULL);
    if(g_str_has_suffix(s->str, *w))
      g_string_append(s, "人民政府");
    else if(g_str_has_suffix(s->str, gov) && !g_str_has_suffix(s->str, "人民政府"))
      g_string_insert(s, (gssize)(s->len - strlen("政府")), "人民");
    g_free(gov);
  }
  if(chars >= 3) {
    if(g_str_has_suffix(s->str, "街道"))
      g_string_append(s, "办事处");
    else if(g_str_has_suffix(s->str, "街道办"))
      g_string_append(s, "事处");
  }
  return g_string_free(s, FALSE);
}

char *
gh_agency_identity(const struct gh_regions *t, const char *agency, const char *hint,
                   const char *const *context, const char **code)
{
  if(!agency)
    agency = "";
  const struct region *hr = hint ? g_hash_table_lookup(t->by_code, hint) : NULL;
  const struct region *r = find_place(t, agency, hint);
  /* A bare department name (卫生健康局) takes its place from what framed
   * it, if that names a place inside the seed's, else from the seed. */
  for(const char *const *c = context; !r && c && *c; c++) {
    const struct region *f = find_place(t, *c, hint);
    if(f && (!hint || within(t, f, hint)))
      r = f;
  }
  const char *where = r ? r->code : hr ? hr->code : hint;
  *code = where;
  const char *rest = where ? strip_chain(t, agency, where) : agency;
  return normal_form(strip_level_word(rest));
}

char *
gh_agency_key_join(const char *code, const char *name)
{
  /* LMDB keys stop at 511 bytes; an agency name read from a hostile
   * document may be longer.  The key keeps a prefix cut at a character
   * boundary (the record keeps the whole name). */
  enum { MAX_NAME = 300 };
  const char *a = name ? name : "";
  size_t n = strlen(a);
  if(n > MAX_NAME) {
    n = MAX_NAME;
    while(n > 0 && ((unsigned char)a[n] & 0xC0) == 0x80)
      n--;
  }
  return g_strdup_printf("%.12s|%.*s", code ? code : "", (int)n, a);
}

void
gh_record_identify(json_t *rec, const struct gh_regions *t, const char *hint,
                   const char *const *extra)
{
  const char *agency = json_string_value(json_object_get(rec, "agency"));
  if(!agency || !*agency)
    return;
  const char *own = json_string_value(json_object_get(rec, "region_code"));
  json_t *src = json_object_get(rec, "source");
  const char *context[8];
  size_t n = 0;
  const char *framing[] = { json_string_value(json_object_get(src, "link_text")),
                            json_string_value(json_object_get(src, "file_title")) };
  for(size_t i = 0; i < G_N_ELEMENTS(framing); i++)
    if(framing[i] && *framing[i])
      context[n++] = framing[i];
  for(const char *const *e = extra; e && *e && n + 1 < G_N_ELEMENTS(context); e++)
    if(**e)
      context[n++] = *e;
  context[n] = NULL;
  const char *code = NULL;
  char *name = gh_agency_identity(t, agency, own ? own : hint, context, &code);
  char *key = gh_agency_key_join(code, name);
  /* The place the identity settled on is the record's region (json_string
   * copies `code` before the old value it may point into is released). */
  if(code && (!own || strcmp(own, code)))
    json_object_set_new(rec, "region_code", json_string(code));
  json_object_set_new(rec, "agency_key", json_string(key));
  g_free(key);
  g_free(name);
}

json_t *
gh_regions_coverage(const struct gh_regions *t, GHashTable *codes, const char *level)
{
  int want = !strcmp(level, "county") ? 2 : !strcmp(level, "prefecture") ? 1 : -1;
  if(want < 0)
    return NULL;
  json_t *provinces = json_array();
  json_int_t covered = 0, total = 0;
  /* The table is in code order: a province, then its places. */
  json_t *cur = NULL;
  for(guint i = 0; i < t->all->len; i++) {
    const struct region *r = t->all->pdata[i];
    if(r->level == 0) {
      cur = json_pack("{s:s, s:s, s:i, s:i, s:[]}", "code", r->code, "name", r->name, "covered", 0,
                      "total", 0, "missing");
      json_array_append_new(provinces, cur);
      continue;
    }
    if(r->level != want || !cur)
      continue;
    bool has = codes && g_hash_table_contains(codes, r->code);
    json_object_set_new(cur, "total", json_integer(json_integer_value(json_object_get(cur, "total")) + 1));
    total++;
    if(has) {
      json_object_set_new(cur, "covered",
                          json_integer(json_integer_value(json_object_get(cur, "covered")) + 1));
      covered++;
    } else {
      json_array_append_new(json_object_get(cur, "missing"),
                            json_pack("{s:s, s:s}", "code", r->code, "name", r->name));
    }
  }
  return json_pack("{s:s, s:I, s:I, s:o}", "level", level, "covered", covered, "total", total,
                   "provinces", provinces);
}

json_t *
gh_regions_coverage_counts(const struct gh_regions *t, GHashTable *codes)
{
  json_t *c = gh_regions_coverage(t, codes, "county"), *p = gh_regions_coverage(t, codes, "prefecture");
  json_t *out = json_pack("{s:[O,O], s:[O,O]}", "counties", json_object_get(c, "covered"),
                          json_object_get(c, "total"), "prefectures", json_object_get(p, "covered"),
                          json_object_get(p, "total"));
  json_decref(c);
  json_decref(p);
  return out;
}

char *
gh_coverage_text(const json_t *counts)
{
  json_t *c = json_object_get(counts, "counties"), *p = json_object_get(counts, "prefectures");
  return g_strdup_printf("%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " counties, %" JSON_INTEGER_FORMAT
                         " of %" JSON_INTEGER_FORMAT " prefectures have a seed",
                         json_integer_value(json_array_get(c, 0)), json_integer_value(json_array_get(c, 1)),
                         json_integer_value(json_array_get(p, 0)), json_integer_value(json_array_get(p, 1)));
}

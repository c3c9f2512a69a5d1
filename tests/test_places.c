/* Agency identity over the whole region table: for every county, city and
 * province, the ways real reports print one agency's name (full place chain,
 * city and county, county alone, stems, 政府 for 人民政府, a bare department,
 * a level word standing for the place, towns and street offices in each of
 * their spellings) must give one key.  A generator of the family rather than
 * a list of cases: a rule that fits a few names and breaks others fails
 * here. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "record/places.h"

static int shown;

struct place {
  const char *code, *name, *level, *parent;
};

/* One name form, its hint and framing texts, and the key it must give. */
static void
expect_key(const struct gh_regions *t, const char *agency, const char *hint,
           const char *const *context, const char *want_code, const char *want_name)
{
  const char *code = NULL;
  char *name = gh_agency_identity(t, agency, hint, context, &code);
  checks++;
  if(!code || strcmp(code, want_code) || strcmp(name, want_name)) {
    failures++;
    /* One line per kind of failure, not one per county. */
    static GHashTable *kinds;
    if(!kinds)
      kinds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if(g_hash_table_add(kinds, g_strdup(want_code)) && shown++ < 60)
      fprintf(stderr, "FAIL %s (hint %s%s%s) -> %s|%s, want %s|%s\n", agency, hint ? hint : "-",
              context ? ", context " : "", context ? context[0] : "", code ? code : "", name,
              want_code, want_name);
  }
  g_free(name);
}

static const char *const departments[] = {
  "卫生健康局", "教育局", "财政局", "市场监督管理局", "自然资源和规划局",
  "人力资源和社会保障局", "住房和城乡建设局", "农业农村局", "民政局", "司法局",
  "生态环境分局", "退役军人事务局", "医疗保障局", "交通运输局", "应急管理局", NULL
};

/* A stem as the table's short forms would give it (洪泽区 -> 洪泽), or NULL. */
static char *
stem(const char *name)
{
  static const char *const zones[] = { "自治", "新区", "开发区", "管理区", "试验区", "示范区",
                                       "工业园区", "产业园区", "创意园区", "化工园区", "林区",
                                       "矿区", NULL };
  static const char *const ends[] = { "地区", "特区", "省", "市", "县", "区", "旗", NULL };
  for(const char *const *z = zones; *z; z++)
    if(strstr(name, *z))
      return NULL;
  for(const char *const *e = ends; *e; e++)
    if(g_str_has_suffix(name, *e)) {
      char *s = g_strndup(name, strlen(name) - strlen(*e));
      if(g_utf8_strlen(s, -1) >= 2)
        return s;
      g_free(s);
      return NULL;
    }
  return NULL;
}

static void
county_family(const struct gh_regions *t, const struct place *c, const struct place *up,
              const struct place *prov)
{
  /* up: the prefecture, or the province for a county directly under it. */
  /* A district spelled like its city (嘉峪关市) is the city on the city's
   * seed. */
  const char *hints[] = { c->code, strcmp(c->name, up->name) ? up->code : c->code };
  char *chain[] = { g_strdup(c->name), g_strconcat(up->name, c->name, NULL),
                    g_strconcat(prov->name, up == prov ? "" : up->name, c->name, NULL),
                    NULL, NULL };
  char *us = stem(up->name);
  if(us && up != prov)
    chain[3] = g_strconcat(us, c->name, NULL);
  for(int h = 0; h < 2; h++)
    for(int i = 0; chain[i] || i < 3; i++) {
      if(!chain[i])
        continue;
      char *a = g_strconcat(chain[i], "人民政府", NULL);
      expect_key(t, a, hints[h], NULL, c->code, "人民政府");
      g_free(a);
      a = g_strconcat(chain[i], "政府", NULL);
      expect_key(t, a, hints[h], NULL, c->code, "人民政府");
      g_free(a);
      a = g_strconcat(chain[i], "人民政府办公室", NULL);
      expect_key(t, a, hints[h], NULL, c->code, "人民政府办公室");
      g_free(a);
      for(const char *const *d = departments; *d; d++) {
        a = g_strconcat(chain[i], *d, NULL);
        expect_key(t, a, hints[h], NULL, c->code, *d);
        g_free(a);
      }
      /* Towns and street offices keep the county's code. */
      static const char *const towns[][2] = {
        { "中村乡人民政府", "中村乡人民政府" }, { "中村乡", "中村乡人民政府" },
        { "城关镇政府", "城关镇人民政府" },     { "新华街道办事处", "新华街道办事处" },
        { "新华街道", "新华街道办事处" },       { "新华街道办", "新华街道办事处" },
      };
      for(size_t k = 0; k < G_N_ELEMENTS(towns); k++) {
        a = g_strconcat(chain[i], towns[k][0], NULL);
        expect_key(t, a, hints[h], NULL, c->code, towns[k][1]);
        g_free(a);
      }
    }
  /* No place in the name: the county seed's, a level word standing for
   * the county, or the page that framed the report on a city's portal. */
  char *cs = stem(c->name);
  for(const char *const *d = departments; *d; d++) {
    expect_key(t, *d, c->code, NULL, c->code, *d);
    const char *level = g_str_has_suffix(c->name, "县") ? "县" : g_str_has_suffix(c->name, "区") ? "区"
                        : g_str_has_suffix(c->name, "旗") ? "旗" : NULL;
    if(level) {
      char *a = g_strconcat(level, *d, NULL);
      expect_key(t, a, c->code, NULL, c->code, *d);
      g_free(a);
    }
    char *link = g_strconcat(c->name, *d, "2023年政府信息公开工作年度报告", NULL);
    const char *ctx[] = { "政府信息公开年报", link, NULL };
    if(strcmp(c->name, up->name))
      expect_key(t, *d, up->code, ctx, c->code, *d);
    g_free(link);
  }
  static const char *const bare_towns[][2] = { { "中村乡", "中村乡人民政府" },
                                               { "中村乡人民政府", "中村乡人民政府" },
                                               { "新华街道", "新华街道办事处" } };
  for(size_t k = 0; k < G_N_ELEMENTS(bare_towns); k++)
    expect_key(t, bare_towns[k][0], c->code, NULL, c->code, bare_towns[k][1]);
  /* A stem that is itself another place's name (阿克苏 for 阿克苏地区 and
   * 阿克苏市) says nothing on its own. */
  if(cs && !gh_region_for(t, cs, NULL)) {
    char *a = g_strconcat(cs, "人民政府", NULL);
    expect_key(t, a, c->code, NULL, c->code, "人民政府");
    g_free(a);
  }
  g_free(cs);
  g_free(us);
  for(int i = 0; i < 4; i++)
    g_free(chain[i]);
}

static void
city_family(const struct gh_regions *t, const struct place *p, const struct place *prov)
{
  char *forms[] = { g_strconcat(p->name, "人民政府", NULL),
                    g_strconcat(prov->name, p->name, "人民政府", NULL),
                    g_strconcat(p->name, "政府", NULL), NULL };
  for(int i = 0; forms[i]; i++) {
    expect_key(t, forms[i], p->code, NULL, p->code, "人民政府");
    g_free(forms[i]);
  }
  for(const char *const *d = departments; *d; d++) {
    char *a = g_strconcat(p->name, *d, NULL);
    expect_key(t, a, p->code, NULL, p->code, *d);
    g_free(a);
    expect_key(t, *d, p->code, NULL, p->code, *d);
  }
}

static void
test_families(void)
{
  const struct gh_regions *t = gh_regions_builtin();
  GHashTable *by_code = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
  GPtrArray *all = g_ptr_array_new();
  struct place p;
  for(guint i = 0; gh_regions_at(t, i, &p.code, &p.name, &p.level, &p.parent); i++) {
    struct place *c = g_memdup2(&p, sizeof p);
    g_hash_table_insert(by_code, (char *)c->code, c);
    g_ptr_array_add(all, c);
  }
  EXPECT(all->len > 3300, "the built-in table holds every region (%u)", all->len);
  int counties = 0, cities = 0;
  for(guint i = 0; i < all->len; i++) {
    const struct place *c = all->pdata[i];
    const struct place *up = c->parent ? g_hash_table_lookup(by_code, c->parent) : NULL;
    if(!strcmp(c->level, "county") && up) {
      const struct place *prov = up->parent ? g_hash_table_lookup(by_code, up->parent) : up;
      county_family(t, c, up, prov);
      counties++;
    } else if(!strcmp(c->level, "city") && up) {
      city_family(t, c, up);
      cities++;
    }
  }
  EXPECT(counties > 2900 && cities > 300, "families for %d counties, %d cities", counties, cities);
  g_ptr_array_free(all, TRUE);
  g_hash_table_destroy(by_code);
}

/* The examples the issue names, and places of the record. */
static void
test_examples(void)
{
  const struct gh_regions *t = gh_regions_builtin();
  expect_key(t, "淮安市洪泽区人民政府", "320800", NULL, "320813", "人民政府");
  expect_key(t, "洪泽区人民政府", "320813", NULL, "320813", "人民政府");
  expect_key(t, "会昌县中村乡人民政府", "360733", NULL, "360733", "中村乡人民政府");
  expect_key(t, "中村乡", "360733", NULL, "360733", "中村乡人民政府");
  expect_key(t, "楚雄州武定县民政局", NULL, NULL, "532329", "民政局");
  expect_key(t, "楚雄彝族自治州人民政府", NULL, NULL, "532300", "人民政府");
  expect_key(t, "洪泽湖管理办公室", "320813", NULL, "320813", "洪泽湖管理办公室");
  expect_key(t, "市场监督管理局", "320813", NULL, "320813", "市场监督管理局");
  struct gh_place pl;
  EXPECT(gh_region_place(t, "320813", &pl) && !strcmp(pl.province, "江苏省") &&
           !strcmp(pl.prefecture, "淮安市") && !strcmp(pl.county, "洪泽区") &&
           !strcmp(pl.county_code, "320813") && !strcmp(pl.prefecture_code, "320800") &&
           !strcmp(pl.province_code, "320000"),
         "places of 320813");
  EXPECT(gh_region_place(t, "110101", &pl) && !strcmp(pl.province, "北京市") && !pl.prefecture &&
           !strcmp(pl.county, "东城区"),
         "a municipality's district has no prefecture");
  EXPECT(!gh_region_place(t, "999999", &pl) && !pl.province, "an unknown code has no places");
}

static const struct gh_case cases[] = { GH_CASE(families), GH_CASE(examples) };

int
main(int argc, char **argv)
{
  return gh_cases_main("places", cases, G_N_ELEMENTS(cases), argc, argv);
}

/* Region codes and the shipped files (record/places.c gh_regions_load,
 * crawler/seeds.c, config/config.c): names to region codes with and without
 * a seed's code; config/seeds.tsv and config/govharvest.conf load as they
 * are shipped (read from the source tree, SRC_DIR). */
#include <glib.h>
#include <string.h>

#include "config/config.h"
#include "crawler/seeds.h"
#include "record/places.h"

#include "check.h"

static void
test_regions(void)
{
  const char *src = SRC_DIR;
  char *file = g_build_filename(src, "config", "regions.tsv", NULL);
  GError *e = NULL;
  struct gh_regions *r = gh_regions_load(file, &e);
  EXPECT(r != NULL, "regions: %s", e ? e->message : "");
  g_free(file);
  if(!r)
    return;
  const char *c = gh_region_for(r, "武定县工业信息化商务科学技术局", NULL);
  EXPECT(c && !strcmp(c, "532329"), "武定县 -> %s", c ? c : "NULL");
  c = gh_region_for(r, "福州市晋安区人民政府", NULL);
  EXPECT(c && !strcmp(c, "350111"), "福州市晋安区 -> %s", c ? c : "NULL");
  c = gh_region_for(r, "楚雄州民政局", NULL);
  EXPECT(c && !strcmp(c, "532300"), "楚雄州 (short form) -> %s", c ? c : "NULL");
  c = gh_region_for(r, "鼓楼区人民政府", "350100");
  EXPECT(c && !strcmp(c, "350102"), "鼓楼区 with the 福州 seed -> %s", c ? c : "NULL");
  c = gh_region_for(r, "鼓楼区人民政府", NULL);
  EXPECT(c == NULL, "鼓楼区 alone is ambiguous");
  c = gh_region_for(r, "县工业和信息化局", "532326");
  EXPECT(c && !strcmp(c, "532326"), "no place in the name: the seed's code");
  gh_regions_free(r);

  /* The shipped seed list and configuration load as they are. */
  char *seeds_file = g_build_filename(src, "config", "seeds.tsv", NULL);
  GPtrArray *seeds = gh_seeds_load(seeds_file, NULL, &e);
  EXPECT(seeds && seeds->len > 200, "shipped seeds: %s", e ? e->message : "");
  guint coded = 0;
  for(guint i = 0; seeds && i < seeds->len; i++)
    coded += ((struct gh_seed *)seeds->pdata[i])->region_code != NULL;
  EXPECT(seeds && coded + 5 >= seeds->len, "shipped seeds carry region codes (%u)", coded);
  if(seeds)
    g_ptr_array_free(seeds, TRUE);
  g_free(seeds_file);
  char *conf = g_build_filename(src, "config", "govharvest.conf", NULL);
  struct gh_config cfg;
  EXPECT(gh_config_load(&cfg, conf, true, &e), "shipped config: %s", e ? e->message : "");
  EXPECT(cfg.delay_seconds == 1 && cfg.connections_per_host == 1, "shipped politeness");
  gh_config_clear(&cfg);
  g_free(conf);
}

static const struct gh_case cases[] = { GH_CASE(regions) };

int
main(int argc, char **argv)
{
  return gh_cases_main("regions", cases, G_N_ELEMENTS(cases), argc, argv);
}

/* Places and agency identity: the GB/T 2260 region table (province, city,
 * county; config/regions.tsv, built into the binary) and what it answers —
 * the place an agency name mentions, the names of a code's province,
 * prefecture and county, and the one key an agency keeps across the ways
 * its reports print its name. */
#ifndef GH_PLACES_H
#define GH_PLACES_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>

struct gh_regions;

/* The table in `file`, or the one built into the binary when file is NULL,
 * empty or "builtin".  NULL with *err ("FILE:LINE: why") when the file cannot be read
 * or a line is malformed. */
struct gh_regions *gh_regions_load(const char *file, GError **err);
void gh_regions_free(struct gh_regions *r);
/* The 31 provincial portals (config/provinces.tsv, compiled in) as
 * NULL-terminated URLs (g_strfreev). */
char **gh_province_portals(void);
/* The built-in table, loaded once per process and never freed. */
const struct gh_regions *gh_regions_builtin(void);
/* The i-th region in table order (codes ascending); false past the end.
 * level: "province", "city" or "county"; parent NULL for a province. */
bool gh_regions_at(const struct gh_regions *r, guint i, const char **code, const char **name,
                   const char **level, const char **parent);

/* The region code of an agency from the place names in its name
 * ("武定县工业信息化商务科学技术局" -> 532329).  `hint` (the seed's code,
 * may be NULL) settles names that several provinces share (鼓楼区) and is
 * the answer when the name holds no place at all ("县工信局").  NULL when
 * neither helps.  The string belongs to the table. */
const char *gh_region_for(const struct gh_regions *r, const char *agency, const char *hint);

/* The code of the place `text` names (the deepest, agreeing with `hint`),
 * or NULL when it names none or two tie: unlike gh_region_for, never the
 * hint itself. */
const char *gh_region_named(const struct gh_regions *r, const char *text, const char *hint);
/* Whether the place `code` is `ancestor` or lies within it. */
bool gh_region_within(const struct gh_regions *r, const char *code, const char *ancestor);

/* A code's place at each level; a field is NULL where the code does not
 * reach that level (a province's code has no county).  Strings belong to
 * the table.  false when the code is not in the table. */
struct gh_place {
  const char *province_code, *province;
  const char *prefecture_code, *prefecture;
  const char *county_code, *county;
};
bool gh_region_place(const struct gh_regions *r, const char *code, struct gh_place *out);
/* The region's name, or NULL. */
const char *gh_region_name(const struct gh_regions *r, const char *code);

/* An agency's identity: its place's code (the deepest the name, or else the
 * first of `context` that names a place within `hint`, or else `hint`
 * gives; towns and street offices keep their county's code) and its name
 * with the place prefix chain removed and put in one normal form:
 *   淮安市洪泽区人民政府, 洪泽区政府 (hint 320813)  -> 320813, 人民政府
 *   会昌县中村乡人民政府, 中村乡 (hint 360733)        -> 360733, 中村乡人民政府
 *   县卫生健康局, 卫生健康局 (hint 532329)           -> 532329, 卫生健康局
 * `context` (NULL-terminated, may be NULL) holds texts that framed the
 * report — the link text, the page title, the seed's name — consulted only
 * when the name itself names no place.  Returns the normal name (g_free);
 * *code gets the code (owned by the table) or NULL. */
char *gh_agency_identity(const struct gh_regions *r, const char *agency, const char *hint,
                         const char *const *context, const char **code);

/* "CODE|NAME" (CODE empty when unknown): the key a record is stored and
 * exported under, cut to fit an LMDB key (g_free). */
char *gh_agency_key_join(const char *code, const char *name);

/* Coverage of places by portals: for `level` "county" (every county-level
 * division) or "prefecture" (every prefecture-level city), per province
 * the places whose code is one of `codes` (a set of 6-digit codes: the
 * seeds' regions) and those that are not.  JSON:
 *   {"level", "covered", "total", "provinces": [{"code", "name", "covered",
 *    "total", "missing": [{"code", "name"}...]}...]}
 * NULL for an unknown level. */
json_t *gh_regions_coverage(const struct gh_regions *r, GHashTable *codes, const char *level);
/* Both levels' counts only, {"counties": [covered, total], "prefectures":
 * [covered, total]}, and the line that says them ("N of M counties, P of Q
 * prefectures have a seed", g_free): the crawl summary's and stats'. */
json_t *gh_regions_coverage_counts(const struct gh_regions *r, GHashTable *codes);
char *gh_coverage_text(const json_t *counts);

/* Gives the record JSON `rec` its identity: "agency_key" and
 * "region_code" (the place the key settled on, where one is known).  The hint is rec's region_code, else
 * `hint`; the framing texts are rec's source.link_text and
 * source.file_title, then `extra` (NULL-terminated, may be NULL: the seed's
 * name).  Nothing when rec has no agency. */
void gh_record_identify(json_t *rec, const struct gh_regions *r, const char *hint,
                        const char *const *extra);

#endif

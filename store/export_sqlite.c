#include "export_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "export.h"
#include "../record/places.h"
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#define GH_SQLITE_ERROR (g_quark_from_static_string("gh-sqlite"))

static const char schema[] =
  "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
  /* region_code, province_code, prefecture_code and county_code join
   * regions(code); agency_key is the agency across the years. */
  "CREATE TABLE regions(code TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL,"
  " parent TEXT REFERENCES regions(code));"
  "CREATE TABLE reports(id INTEGER PRIMARY KEY, agency TEXT NOT NULL, region_code TEXT,"
  " year INTEGER NOT NULL, template TEXT, status TEXT NOT NULL, published_on TEXT,"
  " warnings TEXT, derived TEXT, record TEXT NOT NULL, agency_key TEXT NOT NULL,"
  " quality TEXT NOT NULL, province_code TEXT, prefecture_code TEXT, county_code TEXT);"
  /* NUMERIC: counts stay INTEGER, amounts in 万元 REAL. */
  "CREATE TABLE cells(report_id INTEGER NOT NULL REFERENCES reports(id), section TEXT NOT NULL,"
  " row TEXT NOT NULL, col TEXT NOT NULL, value NUMERIC NOT NULL);"
  "CREATE TABLE checks(report_id INTEGER NOT NULL REFERENCES reports(id), rule TEXT NOT NULL,"
  " ok INTEGER, level TEXT, detail TEXT);"
  "CREATE TABLE sources(report_id INTEGER PRIMARY KEY REFERENCES reports(id), url TEXT,"
  " sha256 TEXT, format TEXT, fetched_at TEXT, parser_version TEXT, page_url TEXT);"
  "BEGIN;";

static const char indexes[] =
  "CREATE INDEX reports_agency_year ON reports(agency, year);"
  "CREATE INDEX reports_key_year ON reports(agency_key, year);"
  "CREATE INDEX reports_region ON reports(region_code);"
  "CREATE INDEX reports_year ON reports(year);"
  "CREATE INDEX cells_report ON cells(report_id);"
  "CREATE INDEX cells_cell ON cells(section, row, col);"
  "CREATE INDEX checks_rule ON checks(rule, ok);";

struct gh_sqlite_out {
  sqlite3 *db;
  char *path, *tmp;
  sqlite3_stmt *report, *cell, *check, *source;
  sqlite3_int64 next_id;
};

static bool
fail(struct gh_sqlite_out *o, GError **err, const char *what)
{
  g_set_error(err, GH_SQLITE_ERROR, 1, "%s: %s: %s", o->path, what,
              o->db ? sqlite3_errmsg(o->db) : "out of memory");
  return false;
}

struct gh_sqlite_out *
gh_sqlite_out_open(const char *path, GError **err)
{
  struct gh_sqlite_out *o = g_new0(struct gh_sqlite_out, 1);
  o->path = g_strdup(path);
  char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
  o->tmp = g_strdup_printf("%s/.%s.tmp", dir, base);
  g_free(dir);
  g_free(base);
  remove(o->tmp);
  if(sqlite3_open_v2(o->tmp, &o->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
     sqlite3_exec(o->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
     sqlite3_prepare_v2(o->db, "INSERT INTO reports VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &o->report, NULL) ||
     sqlite3_prepare_v2(o->db, "INSERT INTO cells VALUES(?,?,?,?,?)", -1, &o->cell, NULL) ||
     sqlite3_prepare_v2(o->db, "INSERT INTO checks VALUES(?,?,?,?,?)", -1, &o->check, NULL) ||
     sqlite3_prepare_v2(o->db, "INSERT INTO sources VALUES(?,?,?,?,?,?,?)", -1, &o->source, NULL)) {
    fail(o, err, "cannot create the database");
    gh_sqlite_out_close(o, false, NULL);
    return NULL;
  }
  /* The region table the codes refer to, whole. */
  sqlite3_stmt *reg = NULL;
  bool ok = sqlite3_prepare_v2(o->db, "INSERT INTO regions VALUES(?,?,?,?)", -1, &reg, NULL) == SQLITE_OK;
  const char *code, *name, *level, *parent;
  for(guint i = 0; ok && gh_regions_at(gh_regions_builtin(), i, &code, &name, &level, &parent); i++) {
    sqlite3_bind_text(reg, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(reg, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(reg, 3, level, -1, SQLITE_STATIC);
    if(parent)
      sqlite3_bind_text(reg, 4, parent, -1, SQLITE_STATIC);
    else
      sqlite3_bind_null(reg, 4);
    ok = sqlite3_step(reg) == SQLITE_DONE && sqlite3_reset(reg) == SQLITE_OK;
  }
  sqlite3_finalize(reg);
  if(!ok) {
    fail(o, err, "cannot write the regions table");
    gh_sqlite_out_close(o, false, NULL);
    return NULL;
  }
  o->next_id = 1;
  return o;
}

static void
bind_json(sqlite3_stmt *s, int i, json_t *v)
{
  if(json_is_string(v))
    sqlite3_bind_text(s, i, json_string_value(v), -1, SQLITE_TRANSIENT);
  else if(json_is_integer(v))
    sqlite3_bind_int64(s, i, json_integer_value(v));
  else if(json_is_real(v))
    sqlite3_bind_double(s, i, json_real_value(v));
  else if(json_is_boolean(v))
    sqlite3_bind_int(s, i, json_is_true(v));
  else
    sqlite3_bind_null(s, i);
}

static bool
step(struct gh_sqlite_out *o, sqlite3_stmt *s, GError **err)
{
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_DONE || fail(o, err, "insert failed");
}

static char *
dump(json_t *v)
{
  return json_dumps(v, JSON_COMPACT | JSON_REAL_PRECISION(15) | JSON_ENCODE_ANY);
}

static const char *const app_cols[] = { "natural_person", "commercial", "research", "social_org",
                                        "legal_service", "other_org", "total" };
static const char *const appeal_cols[] = { "upheld", "corrected", "other", "pending", "total" };

/* Cells of sections 三 and 四: every number, with its row path
 * ("denied.state_secret") and column name. */
static bool
cells(struct gh_sqlite_out *o, sqlite3_int64 id, const char *section, const char *row, json_t *v,
      GError **err)
{
  if(json_is_object(v)) {
    const char *k;
    json_t *c;
    json_object_foreach(v, k, c) {
      if(!json_is_object(c) && !json_is_array(c))
        continue; /* sections 三 and 四 hold only rows of cells */
      char *r = row && *row ? g_strdup_printf("%s.%s", row, k) : g_strdup(k);
      bool ok = cells(o, id, section, r, c, err);
      g_free(r);
      if(!ok)
        return false;
    }
    return true;
  }
  if(json_is_array(v)) {
    size_t n = json_array_size(v);
    const char *const *names = n == 7 ? app_cols : n == 5 ? appeal_cols : NULL;
    for(size_t i = 0; i < n; i++) {
      json_t *c = json_array_get(v, i);
      if(!json_is_number(c))
        continue;
      char idx[16];
      g_snprintf(idx, sizeof idx, "%zu", i);
      sqlite3_bind_int64(o->cell, 1, id);
      sqlite3_bind_text(o->cell, 2, section, -1, SQLITE_STATIC);
      sqlite3_bind_text(o->cell, 3, row, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(o->cell, 4, names ? names[i] : idx, -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(o->cell, 5, json_number_value(c));
      if(!step(o, o->cell, err))
        return false;
    }
    return true;
  }
  return true;
}

/* A proactive row's scalar fields come as a one-key object from above. */
static bool
scalar_cells(struct gh_sqlite_out *o, sqlite3_int64 id, json_t *pro, GError **err)
{
  const char *row;
  json_t *fields;
  json_object_foreach(pro, row, fields) {
    const char *col;
    json_t *v;
    json_object_foreach(fields, col, v) {
      if(!json_is_number(v))
        continue;
      sqlite3_bind_int64(o->cell, 1, id);
      sqlite3_bind_text(o->cell, 2, "proactive", -1, SQLITE_STATIC);
      sqlite3_bind_text(o->cell, 3, row, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(o->cell, 4, col, -1, SQLITE_TRANSIENT);
      sqlite3_bind_double(o->cell, 5, json_number_value(v));
      if(!step(o, o->cell, err))
        return false;
    }
  }
  return true;
}

static char *
joined(json_t *arr)
{
  GString *s = g_string_new(NULL);
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    if(s->len)
      g_string_append(s, " | ");
    g_string_append(s, json_string_value(v) ? json_string_value(v) : "");
  }
  return g_string_free(s, FALSE);
}

bool
gh_sqlite_out_add(struct gh_sqlite_out *o, json_t *rec, GError **err)
{
  sqlite3_int64 id = o->next_id++;
  sqlite3_bind_int64(o->report, 1, id);
  static const char *const top[] = { "agency", "region_code", "year", "template", "status",
                                     "published_on" };
  for(int i = 0; i < 6; i++)
    bind_json(o->report, i + 2, json_object_get(rec, top[i]));
  char *w = joined(json_object_get(rec, "warnings"));
  /* As section.row.col, the cells table's own names. */
  json_t *dn = json_array();
  size_t di;
  json_t *dv;
  json_array_foreach(json_object_get(rec, "derived"), di, dv) {
    char *name = gh_export_column_of_path(json_string_value(dv));
    if(name)
      json_array_append_new(dn, json_string(name));
    g_free(name);
  }
  char *d = joined(dn);
  json_decref(dn);
  char *all = dump(rec);
  sqlite3_bind_text(o->report, 8, w, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(o->report, 9, d, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(o->report, 10, all, -1, SQLITE_TRANSIENT);
  static const char *const more[] = { "agency_key", "quality", "province_code", "prefecture_code",
                                      "county_code" };
  for(int i = 0; i < 5; i++)
    bind_json(o->report, 11 + i, json_object_get(rec, more[i]));
  g_free(w);
  g_free(d);
  free(all);
  if(!step(o, o->report, err))
    return false;
  if(!scalar_cells(o, id, json_object_get(rec, "proactive"), err) ||
     !cells(o, id, "applications", "", json_object_get(rec, "applications"), err) ||
     !cells(o, id, "appeals", "", json_object_get(rec, "appeals"), err))
    return false;
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(rec, "checks"), i, c) {
    sqlite3_bind_int64(o->check, 1, id);
    bind_json(o->check, 2, json_object_get(c, "rule"));
    bind_json(o->check, 3, json_object_get(c, "ok"));
    bind_json(o->check, 4, json_object_get(c, "level"));
    bind_json(o->check, 5, json_object_get(c, "detail"));
    if(!step(o, o->check, err))
      return false;
  }
  json_t *src = json_object_get(rec, "source");
  sqlite3_bind_int64(o->source, 1, id);
  static const char *const sk[] = { "url", "sha256", "format", "fetched_at", "parser_version",
                                    "page_url" };
  for(int k = 0; k < 6; k++)
    bind_json(o->source, k + 2, json_object_get(src, sk[k]));
  return step(o, o->source, err);
}

bool
gh_sqlite_out_close(struct gh_sqlite_out *o, bool commit, GError **err)
{
  bool ok = commit;
  if(ok && (sqlite3_exec(o->db, indexes, NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_exec(o->db, "COMMIT;", NULL, NULL, NULL) != SQLITE_OK))
    ok = fail(o, err, "cannot finish the database");
  sqlite3_finalize(o->report);
  sqlite3_finalize(o->cell);
  sqlite3_finalize(o->check);
  sqlite3_finalize(o->source);
  if(sqlite3_close(o->db) != SQLITE_OK && ok)
    ok = fail(o, err, "cannot close the database");
  if(ok) { /* synchronous=OFF wrote without syncing: sync once, before the rename */
    int fd = open(o->tmp, O_RDONLY | O_CLOEXEC);
    ok = gh_export_sync(o->path, fd, err);
    if(fd >= 0)
      close(fd);
  }
  if(ok && rename(o->tmp, o->path) != 0) {
    g_set_error(err, GH_SQLITE_ERROR, 2, "%s: cannot rename %s into place: %s", o->path, o->tmp,
                g_strerror(errno));
    ok = false;
  }
  if(!ok)
    remove(o->tmp);
  g_free(o->path);
  g_free(o->tmp);
  g_free(o);
  return ok;
}

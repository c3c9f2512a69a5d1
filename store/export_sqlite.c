#include "export_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../record/places.h"
#include "columns.h"
#include "export.h"
#include "export_columns.h"

#define GH_SQLITE_ERROR (g_quark_from_static_string("gh-sqlite"))

/* A report's cells are one row of report_cells, a column per CSV column
 * (NUMERIC: counts stay INTEGER, and a blank or a 0 costs SQLite no bytes
 * beyond its header), so the database stays near the CSV's size; the
 * text keys (labels, rule names, places) are lookup tables.  Views read
 * as the long form with names (`cells`, `checks`) and as one wide row of
 * section 三 per report (`applications`). */
static const char schema[] =
  "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA page_size=4096;"
  "CREATE TABLE regions(code TEXT PRIMARY KEY, name TEXT NOT NULL, level TEXT NOT NULL,"
  " parent TEXT REFERENCES regions(code));"
  /* The data dictionary (docs/columns.csv); section/row/col split the
   * name of a table cell, NULL for the other columns. */
  "CREATE TABLE columns(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
  " label_zh TEXT NOT NULL, section TEXT, row TEXT, col TEXT, template TEXT, unit TEXT,"
  " meaning TEXT, datatype TEXT);"
  "CREATE TABLE reports(id INTEGER PRIMARY KEY, agency TEXT NOT NULL, agency_key TEXT NOT NULL,"
  " region_code TEXT REFERENCES regions(code), year INTEGER NOT NULL, template TEXT,"
  " status TEXT NOT NULL, quality TEXT NOT NULL, published_on TEXT,"
  " province_code TEXT REFERENCES regions(code), prefecture_code TEXT REFERENCES regions(code),"
  " county_code TEXT REFERENCES regions(code), warnings TEXT, derived TEXT, record TEXT);"
  "CREATE TABLE rules(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
  /* A passing check's detail says nothing a reader needs: kept for
   * failures only. */
  "CREATE TABLE check_results(report_id INTEGER NOT NULL REFERENCES reports(id),"
  " rule_id INTEGER NOT NULL REFERENCES rules(id), ok INTEGER, level TEXT, detail TEXT);"
  "CREATE VIEW checks AS SELECT k.report_id, r.name AS rule, k.ok, k.level, k.detail"
  " FROM check_results k JOIN rules r ON r.id = k.rule_id;"
  "CREATE TABLE sources(report_id INTEGER PRIMARY KEY REFERENCES reports(id), url TEXT,"
  " sha256 TEXT, format TEXT, fetched_at TEXT, parser_version TEXT, page_url TEXT);"
  "BEGIN;";

static const char indexes[] =
  "CREATE INDEX reports_key_year ON reports(agency_key, year);"
  "CREATE INDEX reports_agency ON reports(agency);"
  "CREATE INDEX reports_region ON reports(region_code);"
  "CREATE INDEX reports_year ON reports(year);"
  "CREATE INDEX check_results_rule ON check_results(rule_id, ok);";

struct gh_sqlite_out {
  sqlite3 *db;
  char *path, *tmp;
  bool with_json;
  sqlite3_stmt *report, *cell, *check, *source, *rule;
  sqlite3_int64 next_id;
  GPtrArray *cell_cols;  /* char *: the cell columns, in dictionary order */
  GArray *cell_ids;      /* their ids in `columns` */
  GHashTable *rules;     /* rule name -> id */
};

static bool
fail(struct gh_sqlite_out *o, GError **err, const char *what)
{
  g_set_error(err, GH_SQLITE_ERROR, 1, "%s: %s: %s", o->path, what,
              o->db ? sqlite3_errmsg(o->db) : "out of memory");
  return false;
}

static bool
step(struct gh_sqlite_out *o, sqlite3_stmt *s, GError **err)
{
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return rc == SQLITE_DONE || fail(o, err, "insert failed");
}

static void
bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
  if(v && *v)
    sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(s, i);
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
fill_regions(struct gh_sqlite_out *o, GError **err)
{
  sqlite3_stmt *reg = NULL;
  bool ok = sqlite3_prepare_v2(o->db, "INSERT INTO regions VALUES(?,?,?,?)", -1, &reg, NULL) == SQLITE_OK;
  const char *code, *name, *level, *parent;
  for(guint i = 0; ok && gh_regions_at(gh_regions_builtin(), i, &code, &name, &level, &parent); i++) {
    sqlite3_bind_text(reg, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(reg, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(reg, 3, level, -1, SQLITE_STATIC);
    bind_text_or_null(reg, 4, parent);
    ok = step(o, reg, err);
  }
  sqlite3_finalize(reg);
  return ok || fail(o, err, "cannot write the regions table");
}

/* The dictionary, and which of its columns are table cells. */
static bool
fill_columns(struct gh_sqlite_out *o, GError **err)
{
  sqlite3_stmt *ins = NULL;
  if(sqlite3_prepare_v2(o->db, "INSERT INTO columns VALUES(?,?,?,?,?,?,?,?,?,?)", -1, &ins, NULL))
    return fail(o, err, "cannot write the columns table");
  GPtrArray *cols = gh_columns();
  bool ok = true;
  for(guint i = 0; ok && i < cols->len; i++) {
    const struct gh_column_info *c = cols->pdata[i];
    bool cell = !strcmp(c->section, "proactive") || !strcmp(c->section, "applications") ||
                !strcmp(c->section, "appeals");
    const char *first = strchr(c->name, '.'), *last = strrchr(c->name, '.');
    char *row = cell && first && last > first ? g_strndup(first + 1, (size_t)(last - first - 1)) : NULL;
    sqlite3_bind_int64(ins, 1, (sqlite3_int64)i + 1);
    sqlite3_bind_text(ins, 2, c->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, c->label_zh, -1, SQLITE_STATIC);
    bind_text_or_null(ins, 4, c->section);
    bind_text_or_null(ins, 5, row);
    bind_text_or_null(ins, 6, cell && last ? last + 1 : NULL);
    bind_text_or_null(ins, 7, c->templates);
    bind_text_or_null(ins, 8, c->unit);
    bind_text_or_null(ins, 9, c->meaning);
    bind_text_or_null(ins, 10, c->datatype);
    ok = step(o, ins, err);
    g_free(row);
    if(cell && strcmp(c->datatype, "string")) {
      g_ptr_array_add(o->cell_cols, g_strdup(c->name));
      int id = (int)i + 1;
      g_array_append_val(o->cell_ids, id);
    }
  }
  g_ptr_array_unref(cols);
  sqlite3_finalize(ins);
  return ok;
}

static void
quoted(GString *sql, const char *name)
{
  g_string_append_c(sql, '"');
  for(const char *p = name; *p; p++) {
    if(*p == '"')
      g_string_append_c(sql, '"');
    g_string_append_c(sql, *p);
  }
  g_string_append_c(sql, '"');
}

static bool
exec(struct gh_sqlite_out *o, GString *sql, const char *what, GError **err)
{
  bool ok = sqlite3_exec(o->db, sql->str, NULL, NULL, NULL) == SQLITE_OK || fail(o, err, what);
  g_string_free(sql, TRUE);
  return ok;
}

/* report_cells, its insert, and the views over it. */
static bool
cell_tables(struct gh_sqlite_out *o, GError **err)
{
  GString *sql = g_string_new("CREATE TABLE report_cells(report_id INTEGER PRIMARY KEY"
                              " REFERENCES reports(id)");
  GString *ins = g_string_new("INSERT INTO report_cells VALUES(?");
  for(guint i = 0; i < o->cell_cols->len; i++) {
    g_string_append(sql, ", ");
    quoted(sql, o->cell_cols->pdata[i]);
    g_string_append(sql, " NUMERIC");
    g_string_append(ins, ",?");
  }
  g_string_append(sql, ");");
  g_string_append(ins, ")");
  bool ok = exec(o, sql, "cannot create report_cells", err) &&
            (sqlite3_prepare_v2(o->db, ins->str, -1, &o->cell, NULL) == SQLITE_OK ||
             fail(o, err, "cannot prepare the cells' insert"));
  g_string_free(ins, TRUE);
  if(!ok)
    return false;
  /* The long form: one row per cell that has a value. */
  sql = g_string_new("CREATE VIEW cells AS ");
  for(guint i = 0; i < o->cell_cols->len; i++) {
    const char *name = o->cell_cols->pdata[i];
    const char *first = strchr(name, '.'), *last = strrchr(name, '.');
    if(i)
      g_string_append(sql, " UNION ALL ");
    g_string_append_printf(sql, "SELECT report_id, '%.*s' AS section, '%.*s' AS row, '%s' AS col, ",
                           (int)(first - name), name, (int)(last - first - 1), first + 1, last + 1);
    quoted(sql, name);
    g_string_append_printf(sql, " AS value, %d AS column_id FROM report_cells WHERE ",
                           g_array_index(o->cell_ids, int, i));
    quoted(sql, name);
    g_string_append(sql, " IS NOT NULL");
  }
  g_string_append(sql, ";");
  if(!exec(o, sql, "cannot create the cells view", err))
    return false;
  /* Section 三 as one wide row per report, named as the CSV names it
   * without the section. */
  sql = g_string_new("CREATE VIEW applications AS SELECT r.id AS report_id, r.agency,"
                     " r.agency_key, r.region_code, r.year, r.template, r.quality");
  for(guint i = 0; i < o->cell_cols->len; i++) {
    const char *name = o->cell_cols->pdata[i];
    if(!g_str_has_prefix(name, "applications."))
      continue;
    g_string_append(sql, ", c.");
    quoted(sql, name);
    g_string_append(sql, " AS ");
    quoted(sql, name + strlen("applications."));
  }
  g_string_append(sql, " FROM reports r JOIN report_cells c ON c.report_id = r.id;");
  if(!exec(o, sql, "cannot create the applications view", err))
    return false;
  /* The indicators (docs/recipes.md), from the definitions the CSV uses. */
  char *view = gh_export_indicators_view_sql();
  GString *v = g_string_new(view);
  g_free(view);
  return exec(o, v, "cannot create the indicators view", err);
}

struct gh_sqlite_out *
gh_sqlite_out_open(const char *path, bool with_json, GError **err)
{
  struct gh_sqlite_out *o = g_new0(struct gh_sqlite_out, 1);
  o->path = g_strdup(path);
  o->with_json = with_json;
  o->cell_cols = g_ptr_array_new_with_free_func(g_free);
  o->cell_ids = g_array_new(FALSE, FALSE, sizeof(int));
  o->rules = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  char *dir = g_path_get_dirname(path), *base = g_path_get_basename(path);
  o->tmp = g_strdup_printf("%s/.%s.tmp", dir, base);
  struct stat sb;
  if(stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
    /* A database is replaced whole, by a rename: never over a device or a
     * FIFO (as `sed -i` refuses). */
    g_set_error(err, GH_SQLITE_ERROR, 2, "%s: not a regular file; a SQLite export replaces "
                "its target whole (give a file name)", path);
    g_free(dir);
    g_free(base);
    gh_sqlite_out_close(o, false, NULL);
    return NULL;
  }
  g_free(dir);
  g_free(base);
  remove(o->tmp);
  if(sqlite3_open_v2(o->tmp, &o->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK ||
     sqlite3_exec(o->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
     sqlite3_prepare_v2(o->db, "INSERT INTO reports VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1,
                        &o->report, NULL) ||
     sqlite3_prepare_v2(o->db, "INSERT INTO check_results VALUES(?,?,?,?,?)", -1, &o->check, NULL) ||
     sqlite3_prepare_v2(o->db, "INSERT INTO rules VALUES(?,?)", -1, &o->rule, NULL) ||
     sqlite3_prepare_v2(o->db, "INSERT INTO sources VALUES(?,?,?,?,?,?,?)", -1, &o->source, NULL)) {
    fail(o, err, "cannot create the database");
    gh_sqlite_out_close(o, false, NULL);
    return NULL;
  }
  if(!fill_regions(o, err) || !fill_columns(o, err) || !cell_tables(o, err)) {
    gh_sqlite_out_close(o, false, NULL);
    return NULL;
  }
  o->next_id = 1;
  return o;
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

static sqlite3_int64
rule_id(struct gh_sqlite_out *o, const char *name, GError **err)
{
  gpointer id = g_hash_table_lookup(o->rules, name);
  if(id)
    return GPOINTER_TO_INT(id);
  sqlite3_int64 n = g_hash_table_size(o->rules) + 1;
  sqlite3_bind_int64(o->rule, 1, n);
  sqlite3_bind_text(o->rule, 2, name, -1, SQLITE_TRANSIENT);
  if(!step(o, o->rule, err))
    return 0;
  g_hash_table_insert(o->rules, g_strdup(name), GINT_TO_POINTER((int)n));
  return n;
}

bool
gh_sqlite_out_add(struct gh_sqlite_out *o, json_t *rec, GError **err)
{
  sqlite3_int64 id = o->next_id++;
  sqlite3_bind_int64(o->report, 1, id);
  static const char *const top[] = { "agency", "agency_key", "region_code", "year", "template",
                                     "status", "quality", "published_on", "province_code",
                                     "prefecture_code", "county_code" };
  for(size_t i = 0; i < G_N_ELEMENTS(top); i++)
    bind_json(o->report, (int)i + 2, json_object_get(rec, top[i]));
  char *w = joined(json_object_get(rec, "warnings"));
  /* As the columns table names them. */
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
  bind_text_or_null(o->report, 13, w);
  bind_text_or_null(o->report, 14, d);
  char *all = o->with_json ? json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
  bind_text_or_null(o->report, 15, all);
  g_free(w);
  g_free(d);
  free(all);
  if(!step(o, o->report, err))
    return false;
  sqlite3_bind_int64(o->cell, 1, id);
  for(guint i = 0; i < o->cell_cols->len; i++) {
    json_t *v = gh_export_value(rec, o->cell_cols->pdata[i]);
    if(json_is_number(v))
      bind_json(o->cell, (int)i + 2, v);
  }
  if(!step(o, o->cell, err))
    return false;
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(rec, "checks"), i, c) {
    const char *rule = json_string_value(json_object_get(c, "rule"));
    sqlite3_int64 rid = rule ? rule_id(o, rule, err) : 0;
    if(rule && !rid)
      return false;
    sqlite3_bind_int64(o->check, 1, id);
    sqlite3_bind_int64(o->check, 2, rid);
    bind_json(o->check, 3, json_object_get(c, "ok"));
    bind_json(o->check, 4, json_object_get(c, "level"));
    if(json_is_false(json_object_get(c, "ok")))
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
            sqlite3_exec(o->db, "COMMIT; ANALYZE;", NULL, NULL, NULL) != SQLITE_OK))
    ok = fail(o, err, "cannot finish the database");
  sqlite3_finalize(o->report);
  sqlite3_finalize(o->cell);
  sqlite3_finalize(o->check);
  sqlite3_finalize(o->rule);
  sqlite3_finalize(o->source);
  if(sqlite3_close(o->db) != SQLITE_OK && ok)
    ok = fail(o, err, "cannot close the database");
  if(ok) { /* synchronous=OFF wrote without syncing: sync once, before the rename */
    int fd = open(o->tmp, O_RDONLY | O_CLOEXEC);
    ok = gh_export_sync(o->path, fd, err);
    if(fd >= 0)
      close(fd);
  }
  if(ok)
    chmod(o->tmp, 0640); /* the README's mode, whatever SQLite created it with */
  if(ok && rename(o->tmp, o->path) != 0) {
    g_set_error(err, GH_SQLITE_ERROR, 2, "%s: cannot rename %s into place: %s", o->path, o->tmp,
                g_strerror(errno));
    ok = false;
  }
  if(!ok)
    remove(o->tmp);
  g_ptr_array_unref(o->cell_cols);
  g_array_unref(o->cell_ids);
  g_hash_table_destroy(o->rules);
  g_free(o->path);
  g_free(o->tmp);
  g_free(o);
  return ok;
}

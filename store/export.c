#include "export.h"
#include "store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "../record/crossyear.h"
#include "../record/places.h"
#include "../record/record.h"
#include "columns.h"
#include "export_columns.h"
#include "export_sqlite.h"

#define GH_EXPORT_ERROR (g_quark_from_static_string("gh-export"))

static const char *const top_columns[] = { "agency", "region_code", "year", "template", "status",
                                           "published_on", "agency_key", "province_code", "province",
                                           "prefecture_code", "prefecture", "county_code", "county",
                                           "quality", NULL };
static const char *const tail_columns[] = {
  "checks_failed", "warnings", "derived", "source.url", "source.sha256", "source.format",
  "source.fetched_at", "source.parser_version", "source.page_url", NULL
};

static void
add_unique(GPtrArray *cols, GHashTable *seen, char *name)
{
  if(g_hash_table_contains(seen, name)) {
    g_free(name);
    return;
  }
  g_hash_table_add(seen, name);
  g_ptr_array_add(cols, name);
}

GPtrArray *
gh_export_csv_columns(void)
{
  GPtrArray *cols = g_ptr_array_new();
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for(const char *const *c = top_columns; *c; c++)
    add_unique(cols, seen, g_strdup(*c));
  /* Both formats' section 二 side by side: a 2019 report leaves the 2021
   * columns empty and the other way round. */
  enum gh_template tpls[] = { GH_TEMPLATE_2019, GH_TEMPLATE_2021 };
  for(size_t t = 0; t < G_N_ELEMENTS(tpls); t++)
    for(const struct gh_pro_desc *d = gh_pro_layout(tpls[t]); d->key; d++) {
      for(int i = 0; i < d->n_ints; i++)
        add_unique(cols, seen, g_strdup_printf("proactive.%s.%s", d->key, d->fields[i]));
      if(d->money) {
        add_unique(cols, seen, g_strdup_printf("proactive.%s.amount_wan", d->key));
        add_unique(cols, seen, g_strdup_printf("proactive.%s.amount_text", d->key));
      }
    }
  for(int r = 0; r < GH_APP_N; r++)
    for(int c = 0; c < GH_APP_COLS; c++)
      add_unique(cols, seen,
                 g_strdup_printf("applications.%s.%s", gh_app_rows[r].path, gh_app_cols[c]));
  for(int g = 0; g < GH_APPEAL_N; g++)
    for(int c = 0; c < GH_APPEAL_COLS; c++)
      add_unique(cols, seen, g_strdup_printf("appeals.%s.%s", gh_appeal_groups[g], gh_appeal_cols[c]));
  for(const char *const *c = tail_columns; *c; c++)
    add_unique(cols, seen, g_strdup(*c));
  /* The names now belong to `cols`. */
  g_hash_table_steal_all(seen);
  g_hash_table_destroy(seen);
  g_ptr_array_set_free_func(cols, g_free);
  return cols;
}

/* The value at a dotted path; a trailing component that names an
 * applicant or appeal column indexes the array before it. */
json_t *
gh_export_value(json_t *rec, const char *path)
{
  /* The same few hundred column paths for every record: split them once. */
  static GHashTable *split;
  if(!split)
    split = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
  char **parts = g_hash_table_lookup(split, path);
  if(!parts) {
    parts = g_strsplit(path, ".", -1);
    g_hash_table_insert(split, g_strdup(path), parts);
  }
  json_t *cur = rec;
  for(char **p = parts; *p && cur; p++) {
    if(json_is_array(cur)) {
      int idx = -1;
      for(int c = 0; c < GH_APP_COLS && json_array_size(cur) == GH_APP_COLS; c++)
        if(!strcmp(*p, gh_app_cols[c]))
          idx = c;
      for(int c = 0; c < GH_APPEAL_COLS && json_array_size(cur) == GH_APPEAL_COLS; c++)
        if(!strcmp(*p, gh_appeal_cols[c]))
          idx = c;
      cur = idx >= 0 ? json_array_get(cur, (size_t)idx) : NULL;
    } else {
      cur = json_object_get(cur, *p);
    }
  }
  return cur;
}

static char *
scalar_text(json_t *v)
{
  if(!v || json_is_null(v))
    return g_strdup("");
  if(json_is_string(v))
    return g_strdup(json_string_value(v));
  if(json_is_integer(v))
    return g_strdup_printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
  if(json_is_real(v)) {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.15g", json_real_value(v)));
  }
  if(json_is_boolean(v))
    return g_strdup(json_is_true(v) ? "true" : "false");
  return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static char *
joined(json_t *arr, const char *member, bool only_failed, const char *sep)
{
  GString *s = g_string_new(NULL);
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) {
    if(only_failed && !json_is_false(json_object_get(v, "ok")))
      continue;
    const char *t = member ? json_string_value(json_object_get(v, member)) : json_string_value(v);
    if(!t)
      continue;
    if(s->len)
      g_string_append(s, sep);
    g_string_append(s, t);
  }
  return g_string_free(s, FALSE);
}

static char *
csv_value(json_t *rec, const char *col)
{
  /* Lists in one cell: rule names and derived paths hold no ';', warning
   * sentences may, so those are joined with " | ". */
  if(!strcmp(col, "checks_failed"))
    return joined(json_object_get(rec, "checks"), "rule", true, ";");
  if(!strcmp(col, "warnings"))
    return joined(json_object_get(rec, "warnings"), NULL, false, " | ");
  if(!strcmp(col, "derived")) {
    /* Named as this file names its columns: applications.new_received[6]
     * is applications.new_received.total here. */
    GString *s = g_string_new(NULL);
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rec, "derived"), i, v) {
      char *name = gh_export_column_of_path(json_string_value(v));
      if(name) {
        if(s->len)
          g_string_append_c(s, ';');
        g_string_append(s, name);
        g_free(name);
      }
    }
    return g_string_free(s, FALSE);
  }
  char *computed = gh_export_derived_text(rec, col);
  return computed ? computed : scalar_text(gh_export_value(rec, col));
}

char *
gh_export_column_of_path(const char *path)
{
  if(!path)
    return NULL;
  const char *br = strchr(path, '[');
  if(!br)
    return g_strdup(path);
  int i = atoi(br + 1);
  const char *col = NULL;
  if(g_str_has_prefix(path, "applications.") && i >= 0 && i < GH_APP_COLS)
    col = gh_app_cols[i];
  else if(g_str_has_prefix(path, "appeals.") && i >= 0 && i < GH_APPEAL_COLS)
    col = gh_appeal_cols[i];
  return col ? g_strdup_printf("%.*s.%s", (int)(br - path), path, col) : g_strdup(path);
}

const char *
gh_export_quality(json_t *rec)
{
  const char *status = json_string_value(json_object_get(rec, "status"));
  if(!status || strcmp(status, "parsed"))
    return "error";
  /* A row left unplaced is a row unread: never ok, even if its warning
   * were lost. */
  bool warned = json_array_size(json_object_get(rec, "warnings")) > 0 ||
                json_array_size(json_object_get(rec, "unplaced")) > 0;
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(rec, "checks"), i, c) {
    if(!json_is_false(json_object_get(c, "ok")))
      continue;
    const char *level = json_string_value(json_object_get(c, "level"));
    if(!level || strcmp(level, "warning"))
      return "error";
    warned = true;
  }
  return warned ? "warning" : "ok";
}

static void
set_or_null(json_t *rec, const char *key, const char *v)
{
  json_object_set_new(rec, key, v ? json_string(v) : json_null());
}

void
gh_export_annotate(json_t *rec)
{
  /* Records of a store written before schema 3 have no key yet. */
  gh_store_record_agency_key(rec);
  struct gh_place pl;
  gh_region_place(gh_regions_builtin(), json_string_value(json_object_get(rec, "region_code")), &pl);
  set_or_null(rec, "province_code", pl.province_code);
  set_or_null(rec, "province", pl.province);
  set_or_null(rec, "prefecture_code", pl.prefecture_code);
  set_or_null(rec, "prefecture", pl.prefecture);
  set_or_null(rec, "county_code", pl.county_code);
  set_or_null(rec, "county", pl.county);
  json_object_set_new(rec, "quality", json_string(gh_export_quality(rec)));
}

/* RFC 4180: quote a field holding a comma, quote, CR or LF, doubling
 * quotes; leading '=', '+', '-', '@' are left alone (numbers are negative). */
void
gh_csv_field(GString *line, const char *v)
{
  if(!strpbrk(v, ",\"\r\n")) {
    g_string_append(line, v);
    return;
  }
  g_string_append_c(line, '"');
  for(const char *p = v; *p; p++) {
    if(*p == '"')
      g_string_append_c(line, '"');
    g_string_append_c(line, *p);
  }
  g_string_append_c(line, '"');
}

bool
gh_export_parse_years(const char *v, GArray *years)
{
  const char *dots = strstr(v, "..");
  char *a = dots ? g_strndup(v, (gsize)(dots - v)) : g_strdup(v);
  const char *b = dots ? dots + 2 : v;
  guint64 from = 0, to = 9999;
  bool ok = (!*a || g_ascii_string_to_unsigned(a, 10, 1, 9999, &from, NULL)) &&
            (!*b || g_ascii_string_to_unsigned(b, 10, 1, 9999, &to, NULL)) && (*a || *b) &&
            from <= to;
  g_free(a);
  if(ok) {
    int r[2] = { (int)from, (int)to };
    g_array_append_vals(years, r, 2);
  }
  return ok;
}

static bool
any_prefix(char **list, const char *v, bool substring)
{
  if(!list || !*list)
    return true;
  for(char **p = list; *p; p++)
    if(v && (substring ? strstr(v, *p) != NULL : g_str_has_prefix(v, *p)))
      return true;
  return false;
}

static bool
any_equal(char **list, const char *v)
{
  if(!list || !*list)
    return true;
  for(char **p = list; *p; p++)
    if(v && !strcmp(v, *p))
      return true;
  return false;
}

/* The conditions a stored record can be held to before the export adds
 * anything; quality waits for the annotations (matches_quality). */
static bool
matches(json_t *rec, const struct gh_export_filter *f)
{
  if(f->years && f->years->len) {
    int y = (int)json_integer_value(json_object_get(rec, "year"));
    bool in = false;
    for(guint i = 0; i + 1 < f->years->len; i += 2)
      in = in || (y >= g_array_index(f->years, int, i) && y <= g_array_index(f->years, int, i + 1));
    if(!in)
      return false;
  }
  if(!any_prefix(f->regions, json_string_value(json_object_get(rec, "region_code")), false))
    return false;
  if(f->agencies && *f->agencies &&
     !any_prefix(f->agencies, json_string_value(json_object_get(rec, "agency")), true) &&
     !any_equal(f->agencies, gh_store_record_agency_key(rec)))
    return false;
  if(!any_equal(f->statuses, json_string_value(json_object_get(rec, "status"))))
    return false;
  if(f->failed_checks) {
    bool failed = false;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(rec, "checks"), i, v) failed |= json_is_false(json_object_get(v, "ok"));
    if(!failed)
      return false;
  }
  return true;
}

/* Long (tidy) form: one row per cell. */
static void
long_rows(json_t *rec, const GPtrArray *cols, GString *buf, const char *eol)
{
  char *agency = scalar_text(json_object_get(rec, "agency"));
  char *region = scalar_text(json_object_get(rec, "region_code"));
  char *year = scalar_text(json_object_get(rec, "year"));
  for(guint i = 0; i < cols->len; i++) {
    const char *col = cols->pdata[i];
    const char *dot = strchr(col, '.');
    if(!dot || g_str_has_prefix(col, "source."))
      continue;
    json_t *v = gh_export_value(rec, col);
    if(!v || !(json_is_number(v)))
      continue;
    /* section = proactive/applications/appeals, row = the middle, column
     * = the last component. */
    const char *last = strrchr(col, '.');
    char *section = g_strndup(col, (size_t)(dot - col));
    char *row = g_strndup(dot + 1, (size_t)(last - dot - 1));
    char *value = scalar_text(v);
    const char *fields[] = { agency, region, year, section, row, last + 1, value,
                             json_string_value(json_object_get(rec, "agency_key")),
                             json_string_value(json_object_get(rec, "quality")) };
    for(size_t f = 0; f < G_N_ELEMENTS(fields); f++) {
      if(f)
        g_string_append_c(buf, ',');
      gh_csv_field(buf, fields[f] ? fields[f] : "");
    }
    g_string_append(buf, eol);
    g_free(section);
    g_free(row);
    g_free(value);
  }
  g_free(agency);
  g_free(region);
  g_free(year);
}

/* History entries of a record key: an earlier parsed version with other
 * bytes means the report changed after publication. */
static void
republished_check(struct gh_store *st, MDB_txn *txn, const char *key, size_t klen, json_t *rec)
{
  MDB_cursor *cur;
  if(mdb_cursor_open(txn, st->history, &cur))
    return;
  GString *prefix = g_string_new_len(key, (gssize)klen);
  g_string_append_c(prefix, '\0');
  MDB_val k = { prefix->len, prefix->str }, v;
  const char *sha = json_string_value(json_object_get(json_object_get(rec, "source"), "sha256"));
  GString *detail = g_string_new(NULL);
  for(int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); !rc;
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if(k.mv_size < prefix->len || memcmp(k.mv_data, prefix->str, prefix->len))
      break;
    json_t *old = json_loadb(v.mv_data, v.mv_size, 0, NULL);
    json_t *src = json_object_get(old, "source");
    const char *osha = json_string_value(json_object_get(src, "sha256"));
    const char *status = json_string_value(json_object_get(old, "status"));
    /* The same URL with other bytes; another document for the agency and
     * year is named by the record's own warning (gh_store_land_record). */
    const char *ourl = json_string_value(json_object_get(src, "url"));
    const char *url = json_string_value(json_object_get(json_object_get(rec, "source"), "url"));
    if(osha && sha && strcmp(osha, sha) && status && !strcmp(status, "parsed") &&
       !g_strcmp0(ourl, url))
      g_string_append_printf(detail, "%s%s (fetched %s) was replaced", detail->len ? "; " : "",
                             json_string_value(json_object_get(src, "url")) ? json_string_value(json_object_get(src, "url")) : "a version",
                             json_string_value(json_object_get(src, "fetched_at")) ? json_string_value(json_object_get(src, "fetched_at")) : "?");
    json_decref(old);
  }
  if(detail->len)
    json_array_append_new(json_object_get(rec, "checks"),
                          json_pack("{s:s, s:b, s:s, s:s}", "rule", "republished", "ok", 0, "level",
                                    "warning", "detail", detail->str));
  g_string_free(detail, TRUE);
  g_string_free(prefix, TRUE);
  mdb_cursor_close(cur);
}

/* One export's state while the records are walked. */
struct export_walk {
  struct gh_store *st;
  MDB_txn *txn;
  const struct gh_export_opts *o;
  FILE *out;
  struct gh_sqlite_out *db;
  GPtrArray *cols;
  GString *line;
  const char *eol;
  /* Years of one agency are adjacent in key order, so the previous record
   * is all the cross-year checks need: memory stays flat. */
  json_t *prev;
  GString *prev_agency;
  guint64 *written;
  bool write_failed; /* the walk stopped on the output, not the store */
};

static bool
export_record(const char *key, size_t klen, json_t *rec, void *ud, GError **err)
{
  struct export_walk *w = ud;
  size_t alen = strnlen(key, klen);
  bool same_agency =
    w->prev && alen == w->prev_agency->len && !memcmp(key, w->prev_agency->str, alen);
  gh_cross_year_checks(rec, same_agency ? w->prev : NULL);
  json_decref(w->prev);
  w->prev = json_deep_copy(rec);
  g_string_truncate(w->prev_agency, 0);
  g_string_append_len(w->prev_agency, key, (gssize)alen);
  if(!matches(rec, &w->o->filter))
    return true;
  republished_check(w->st, w->txn, key, klen, rec);
  gh_export_annotate(rec);
  if(!any_equal(w->o->filter.qualities, json_string_value(json_object_get(rec, "quality"))))
    return true;
  bool ok;
  if(w->o->format == GH_EXPORT_SQLITE) {
    ok = gh_sqlite_out_add(w->db, rec, err);
  } else {
    GString *line = w->line;
    g_string_truncate(line, 0);
    if(w->o->format == GH_EXPORT_JSONL) {
      char *text = json_dumps(rec, JSON_COMPACT | JSON_REAL_PRECISION(15));
      g_string_append(line, text);
      g_string_append_c(line, '\n');
      free(text);
    } else if(w->o->format == GH_EXPORT_CSV) {
      for(guint i = 0; i < w->cols->len; i++) {
        if(i)
          g_string_append_c(line, ',');
        char *val = csv_value(rec, w->cols->pdata[i]);
        gh_csv_field(line, val);
        g_free(val);
      }
      g_string_append(line, w->eol);
    } else {
      long_rows(rec, w->cols, line, w->eol);
    }
    ok = fwrite(line->str, 1, line->len, w->out) == line->len;
  }
  if(ok)
    (*w->written)++;
  w->write_failed = !ok;
  return ok;
}

bool
gh_export(struct gh_store *st, const struct gh_export_opts *o, FILE *out, guint64 *written,
          GError **err)
{
  *written = 0;
  MDB_txn *txn = gh_store_read_begin(st, err);
  if(!txn)
    return false;
  GPtrArray *cols = o->columns ? g_ptr_array_ref((GPtrArray *)o->columns) : gh_export_csv_columns();
  struct export_walk w = { .st = st, .txn = txn, .o = o, .out = out, .cols = cols,
                           .line = g_string_new(NULL), .eol = o->excel ? "\r\n" : "\n",
                           .prev_agency = g_string_new(NULL), .written = written };
  GString *line = w.line;
  if(o->excel && o->format != GH_EXPORT_JSONL)
    g_string_append(line, "\xEF\xBB\xBF");
  if(o->format == GH_EXPORT_CSV) {
    GPtrArray *labels = o->header_zh ? gh_columns() : NULL;
    GHashTable *zh = g_hash_table_new(g_str_hash, g_str_equal);
    for(guint i = 0; labels && i < labels->len; i++) {
      struct gh_column_info *c = labels->pdata[i];
      g_hash_table_insert(zh, c->name, c->label_zh);
    }
    for(guint i = 0; i < w.cols->len; i++) {
      const char *name = w.cols->pdata[i];
      const char *label = gh_export_is_derived(name) ? gh_export_derived_label(name)
                                                     : g_hash_table_lookup(zh, name);
      if(i)
        g_string_append_c(line, ',');
      gh_csv_field(line, labels && label ? label : name);
    }
    g_string_append(line, w.eol);
    g_hash_table_destroy(zh);
    if(labels)
      g_ptr_array_unref(labels);
  } else if(o->format == GH_EXPORT_LONG) {
    g_string_append_printf(line, "agency,region_code,year,section,row,column,value,agency_key,"
                                 "quality%s", w.eol);
  }
  bool ok, store_ok = true;
  if(o->format == GH_EXPORT_SQLITE)
    ok = (w.db = gh_sqlite_out_open(o->sqlite_path, o->sqlite_json, err)) != NULL;
  else
    ok = !(w.write_failed = fwrite(line->str, 1, line->len, out) != line->len);
  if(ok) {
    ok = gh_store_each_record(txn, st, NULL, 0, export_record, &w, err);
    store_ok = ok || w.write_failed;
  }
  mdb_txn_abort(txn);
  json_decref(w.prev);
  g_string_free(w.prev_agency, TRUE);
  if(!store_ok) {
    if(w.db)
      gh_sqlite_out_close(w.db, false, NULL);
  } else if(w.db) {
    if(!gh_sqlite_out_close(w.db, ok, ok ? err : NULL))
      ok = false;
  } else {
    if(ok && fflush(out) != 0) {
      ok = false;
      w.write_failed = true;
    }
    if(!ok && w.write_failed)
      g_set_error(err, GH_EXPORT_ERROR, errno, "writing the export failed: %s", g_strerror(errno));
  }
  g_string_free(line, TRUE);
  g_ptr_array_unref(w.cols);
  return ok;
}

/* ---- atomic output files ---- */

struct gh_export_file {
  char *path, *tmp; /* tmp NULL: written in place (a device, a FIFO) */
  FILE *f;          /* NULL once prepared */
};

bool
gh_export_path_ok(const char *path, const char *store_dir, GError **err)
{
  /* The file's directory: a path naming the store's data.mdb is inside. */
  char *dir = g_path_get_dirname(path);
  bool inside = store_dir && gh_store_path_inside(store_dir, dir);
  g_free(dir);
  if(inside)
    g_set_error(err, GH_EXPORT_ERROR, EINVAL,
                "%s is inside the store %s: an export there could overwrite the store; "
                "write it elsewhere",
                path, store_dir);
  return !inside;
}

bool
gh_export_sync(const char *path, int fd, GError **err)
{
  if(fd >= 0 && fsync(fd) < 0) {
    g_set_error(err, GH_EXPORT_ERROR, errno, "%s: cannot write to disk: %s", path,
                g_strerror(errno));
    return false;
  }
  char *dir = g_path_get_dirname(path);
  int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if(dfd >= 0) {
    fsync(dfd); /* the rename itself: best effort, some filesystems refuse */
    close(dfd);
  }
  g_free(dir);
  return true;
}

/* A temporary file of an export into `dir` for `base` (".BASE.XXXXXX"
 * from g_mkstemp) older than this was left by a killed export: removed
 * when the next export of the same file starts.  A running export touches
 * its own at every write. */
#define STALE_TMP_SECONDS (10 * 60)

static void
remove_stale_tmps(const char *dir, const char *base)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  if(!d)
    return;
  size_t bl = strlen(base);
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;
  const char *name;
  while((name = g_dir_read_name(d))) {
    size_t nl = strlen(name);
    if(nl != bl + 8 || name[0] != '.' || strncmp(name + 1, base, bl) || name[bl + 1] != '.')
      continue;
    char *p = g_build_filename(dir, name, NULL);
    struct stat sb;
    if(lstat(p, &sb) == 0 && S_ISREG(sb.st_mode) && now - (gint64)sb.st_mtime > STALE_TMP_SECONDS)
      unlink(p);
    g_free(p);
  }
  g_dir_close(d);
}

bool
gh_export_in_place(const char *path)
{
  struct stat sb;
  /* A device, a FIFO, a socket, or a name for one of this process's own
   * descriptors (/dev/stdout, /dev/fd/N, /proc/self/fd/N): written where
   * it is, never replaced (a rename over /dev/null would replace it for
   * the whole system; over /dev/stdout, the caller's redirect gets
   * nothing). */
  return (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) ||
         g_str_has_prefix(path, "/dev/std") || g_str_has_prefix(path, "/dev/fd/") ||
         (g_str_has_prefix(path, "/proc/") && strstr(path, "/fd/"));
}

FILE *
gh_export_file_open(const char *path, const char *store_dir, struct gh_export_file **out,
                    GError **err)
{
  *out = NULL;
  if(!gh_export_path_ok(path, store_dir, err))
    return NULL;
  if(gh_export_in_place(path)) {
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if(!fp) {
      g_set_error(err, GH_EXPORT_ERROR, errno, "%s: cannot open it for writing: %s", path,
                  g_strerror(errno));
      if(fd >= 0)
        close(fd);
      return NULL;
    }
    struct gh_export_file *f = g_new0(struct gh_export_file, 1);
    f->path = g_strdup(path);
    f->f = fp;
    *out = f;
    return fp;
  }
  /* Through a symlink the file it names is replaced, not the link. */
  char *real = realpath(path, NULL);
  struct stat sb;
  if(real && stat(real, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    g_set_error(err, GH_EXPORT_ERROR, EISDIR, "%s is a directory; give a file name", path);
    free(real);
    return NULL;
  }
  const char *target = real ? real : path;
  char *dir = g_path_get_dirname(target), *base = g_path_get_basename(target);
  remove_stale_tmps(dir, base);
  char *tmpl = g_strdup_printf("%s/.%s.XXXXXX", dir, base);
  g_free(dir);
  g_free(base);
  /* 0640 as the README promises (the umask may narrow it). */
  int fd = g_mkstemp_full(tmpl, O_WRONLY | O_CLOEXEC, 0640);
  if(fd < 0) {
    g_set_error(err, GH_EXPORT_ERROR, errno, "%s: cannot create a file beside it: %s", path,
                g_strerror(errno));
    g_free(tmpl);
    free(real);
    return NULL;
  }
  struct gh_export_file *f = g_new0(struct gh_export_file, 1);
  f->path = g_strdup(target);
  free(real);
  f->tmp = tmpl;
  f->f = fdopen(fd, "wb");
  if(!f->f) {
    close(fd);
    gh_export_file_abort(f);
    g_set_error(err, GH_EXPORT_ERROR, ENOMEM, "%s: out of memory", path);
    return NULL;
  }
  *out = f;
  return f->f;
}

void
gh_export_file_abort(struct gh_export_file *f)
{
  if(!f)
    return;
  if(f->f)
    fclose(f->f);
  if(f->tmp)
    unlink(f->tmp);
  g_free(f->path);
  g_free(f->tmp);
  g_free(f);
}

bool
gh_export_file_prepare(struct gh_export_file *f, GError **err)
{
  if(!f->f)
    return true; /* prepared already */
  bool ok = fflush(f->f) == 0;
  if(!ok)
    g_set_error(err, GH_EXPORT_ERROR, errno, "%s: %s", f->path, g_strerror(errno));
  /* A device or FIFO has nothing to sync, and refuses fsync. */
  ok = ok && (!f->tmp || gh_export_sync(f->path, fileno(f->f), err));
  int rc = fclose(f->f);
  f->f = NULL;
  if(ok && rc != 0) {
    g_set_error(err, GH_EXPORT_ERROR, errno, "%s: %s", f->path, g_strerror(errno));
    ok = false;
  }
  return ok;
}

bool
gh_export_file_commit(struct gh_export_file *f, GError **err)
{
  bool ok = gh_export_file_prepare(f, err);
  if(ok && f->tmp && rename(f->tmp, f->path) != 0) {
    g_set_error(err, GH_EXPORT_ERROR, errno, "%s: cannot rename %s into place: %s", f->path,
                f->tmp, g_strerror(errno));
    ok = false;
  }
  if(ok && f->tmp)
    gh_export_sync(f->path, -1, NULL);
  else if(f->tmp)
    unlink(f->tmp);
  g_free(f->path);
  g_free(f->tmp);
  g_free(f);
  return ok;
}

bool
gh_export_file_is_in_place(const struct gh_export_file *f)
{
  return f && !f->tmp;
}

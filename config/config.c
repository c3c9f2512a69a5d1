#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

enum kind { K_PATH, K_SIZE, K_COUNT, K_LOGLEVEL, K_STRING, K_SECONDS, K_LIST, K_HOSTMAP,
            K_DURATION, K_SEASON, K_COUNT0 };

struct setting {
  const char *group, *key;
  enum kind kind;
  const char *dflt;
  size_t offset;
};

#define OFF(f) offsetof(struct gh_config, f)
static const struct setting settings[] = {
  { "store", "path", K_PATH, "/var/lib/govharvest", OFF(store_path) },
  { "export", "dir", K_PATH, "/var/lib/govharvest/export", OFF(export_dir) },
  { "limits", "max_document_bytes", K_SIZE, "32M", OFF(max_document_bytes) },
  { "limits", "max_pdf_pages", K_COUNT, "300", OFF(max_pdf_pages) },
  { "limits", "extract_memory", K_SIZE, "1G", OFF(extract_memory_bytes) },
  { "limits", "extract_cpu_seconds", K_COUNT, "60", OFF(extract_cpu_seconds) },
  { "limits", "extract_timeout_seconds", K_COUNT, "120", OFF(extract_timeout_seconds) },
  { "limits", "extract_workers", K_COUNT0, "0", OFF(extract_workers) },
  { "limits", "max_html_depth", K_COUNT, "400", OFF(max_html_depth) },
  { "log", "level", K_LOGLEVEL, "info", OFF(log_level) },
  { "log", "heartbeat", K_DURATION, "60s", OFF(heartbeat_seconds) },
  { "crawl", "seeds", K_PATH, GH_DEFAULT_SEEDS, OFF(seeds_file) },
  { "crawl", "regions", K_PATH, "builtin", OFF(regions_file) },
  { "crawl", "user_agent", K_STRING, GH_DEFAULT_USER_AGENT, OFF(user_agent) },
  { "crawl", "delay", K_SECONDS, "1", OFF(delay_seconds) },
  { "crawl", "connections_per_host", K_COUNT, "1", OFF(connections_per_host) },
  { "crawl", "max_connections", K_COUNT, "256", OFF(max_connections) },
  { "crawl", "max_pages_per_host", K_COUNT, "3000", OFF(max_pages_per_host) },
  { "crawl", "max_depth", K_COUNT, "4", OFF(max_depth) },
  { "crawl", "max_redirects", K_COUNT, "5", OFF(max_redirects) },
  { "crawl", "connect_timeout", K_COUNT, "15", OFF(connect_timeout_seconds) },
  { "crawl", "timeout", K_COUNT, "120", OFF(timeout_seconds) },
  { "crawl", "retries", K_COUNT0, "3", OFF(retries) },
  { "crawl", "backoff", K_SECONDS, "5", OFF(backoff_seconds) },
  { "crawl", "max_retry_after", K_SECONDS, "3600", OFF(max_retry_after_seconds) },
  { "crawl", "host_failures", K_COUNT, "6", OFF(host_failures) },
  { "crawl", "cycle_time_limit", K_DURATION, "0", OFF(cycle_time_limit_seconds) },
  { "crawl", "host_failure_time", K_DURATION, "60s", OFF(host_failure_seconds) },
  { "crawl", "resolve", K_HOSTMAP, "", OFF(resolve) },
  { "crawl", "connect_to", K_HOSTMAP, "", OFF(connect_to) },
  { "crawl", "tls_insecure_hosts", K_LIST, "", OFF(tls_insecure_hosts) },
  { "crawl", "allow_private", K_LIST, "", OFF(allow_private) },
  { "render", "enabled", K_STRING, "auto", OFF(render_enabled) },
  { "render", "browser", K_STRING, "chromium", OFF(render_browser) },
  { "render", "max_renders_per_host", K_COUNT0, "20", OFF(render_max_per_host) },
  { "render", "seconds", K_SECONDS, "60", OFF(render_seconds) },
  { "render", "max_clicks", K_COUNT0, "20", OFF(render_max_clicks) },
  { "render", "max_requests", K_COUNT, "200", OFF(render_max_requests) },
  { "render", "memory", K_SIZE, "1G", OFF(render_memory_bytes) },
  { "render", "parallel", K_COUNT, "2", OFF(render_parallel) },
  { "daemon", "recrawl_interval", K_DURATION, "7d", OFF(recrawl_seconds) },
  { "daemon", "season_recrawl_interval", K_DURATION, "1d", OFF(season_recrawl_seconds) },
  { "daemon", "season", K_SEASON, "01-01..03-31", OFF(season_from) },
};

bool
gh_hostmap_item_ok(const char *item)
{
  /* Fields split at colons outside [IPv6] brackets. */
  const char *cut[8];
  int colons = 0, depth = 0;
  for(const char *c = item; *c; c++) {
    depth += (*c == '[') - (*c == ']');
    if(*c == ':' && depth == 0 && colons < 8)
      cut[colons++] = c;
  }
  if(colons < 2)
    return false;
  /* A port field is empty (connect_to's "any") or 1..65535. */
  const char *ports[2] = { cut[0] + 1, colons == 3 ? cut[2] + 1 : NULL };
  const char *ends[2] = { cut[1], colons == 3 ? item + strlen(item) : NULL };
  for(int i = 0; i < 2 && ports[i]; i++) {
    if(ports[i] == ends[i])
      continue;
    guint64 port = 0;
    char *digits = g_strndup(ports[i], (gsize)(ends[i] - ports[i]));
    bool ok = g_ascii_string_to_unsigned(digits, 10, 1, 65535, &port, NULL);
    g_free(digits);
    if(!ok)
      return false;
  }
  return true;
}

bool
gh_parse_log_level(const char *s, enum gh_log_level *out)
{
  static const char *const names[] = { "error", "warning", "info", "debug" };
  for(size_t i = 0; i < G_N_ELEMENTS(names); i++)
    if(s && !strcmp(s, names[i])) {
      *out = (enum gh_log_level)i;
      return true;
    }
  return false;
}

bool
gh_parse_size(const char *s, uint64_t *out)
{
  char *end;
  errno = 0;
  if(!g_ascii_isdigit(*s))
    return false;
  guint64 v = g_ascii_strtoull(s, &end, 10);
  if(errno)
    return false;
  guint64 mul = 1;
  switch(g_ascii_tolower(*end)) {
  case '\0': break;
  case 'k': mul = 1024; end++; break;
  case 'm': mul = 1024 * 1024; end++; break;
  case 'g': mul = 1024ull * 1024 * 1024; end++; break;
  default: return false;
  }
  if(*end == 'b' || *end == 'B')
    end++;
  if(*end || v > G_MAXUINT64 / mul)
    return false;
  *out = v * mul;
  return true;
}

/* GKeyFile does not report line numbers, so find them: the line of `key`
 * inside `[group]`, or of the group header when key is NULL. */
static int
line_of(const char *text, const char *group, const char *key)
{
  char **lines = g_strsplit(text, "\n", -1);
  int found = 0;
  bool in_group = false;
  for(int i = 0; lines[i] && !found; i++) {
    char *l = g_strstrip(lines[i]);
    if(*l == '[') {
      char *close = strchr(l, ']');
      in_group = close && (size_t)(close - l - 1) == strlen(group) &&
                 !strncmp(l + 1, group, strlen(group));
      if(in_group && !key)
        found = i + 1;
      continue;
    }
    if(!in_group || !key)
      continue;
    char *eq = strchr(l, '=');
    if(!eq)
      continue;
    *eq = '\0';
    if(!strcmp(g_strstrip(l), key))
      found = i + 1;
  }
  g_strfreev(lines);
  return found;
}

/* The first line GKeyFile would reject, for a syntax error message. */
static int
bad_syntax_line(const char *text)
{
  char **lines = g_strsplit(text, "\n", -1);
  int bad = 0;
  for(int i = 0; lines[i] && !bad; i++) {
    char *l = g_strstrip(lines[i]);
    if(!*l || *l == '#')
      continue;
    if(*l == '[') {
      if(l[strlen(l) - 1] != ']')
        bad = i + 1;
      continue;
    }
    if(!strchr(l, '='))
      bad = i + 1;
  }
  g_strfreev(lines);
  return bad;
}

/* A control character (GKeyFile turns "\\r\\n" into CR LF) in a string
 * that reaches a request header or a file name would inject a header or a
 * line: refused, named by file, line and key like any bad value. */
static bool
has_control(const char *value)
{
  for(const unsigned char *p = (const unsigned char *)value; *p; p++)
    if(*p < 0x20 || *p == 0x7f)
      return true;
  return false;
}

static bool
apply(struct gh_config *cfg, const struct setting *s, const char *value, GError **err)
{
  void *field = (char *)cfg + s->offset;
  if((s->kind == K_STRING || s->kind == K_PATH || s->kind == K_LIST || s->kind == K_HOSTMAP) &&
     has_control(value)) {
    g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                "holds a control character (CR, LF, tab, ...): refused");
    return false;
  }
  switch(s->kind) {
  case K_PATH:
    if(!*value) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "empty path");
      return false;
    }
    g_free(*(char **)field);
    *(char **)field = g_strdup(value);
    return true;
  case K_SIZE:
    if(!gh_parse_size(value, (uint64_t *)field) || *(uint64_t *)field == 0) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "'%s' is not a size (a positive number with an optional K, M or G)", value);
      return false;
    }
    return true;
  case K_COUNT:
  case K_COUNT0: {
    char *end = NULL;
    errno = 0;
    guint64 v = g_ascii_strtoull(value, &end, 10);
    if(!g_ascii_isdigit(*value) || errno || *end || (v == 0 && s->kind == K_COUNT) ||
       v > 1000000000) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "'%s' is not a %swhole number", value, s->kind == K_COUNT ? "positive " : "");
      return false;
    }
    /* Each worker is a process with its own memory cap: past 256 a typo
     * (extract_workers = 10000) would fork the machine to a halt. */
    if(s->offset == OFF(extract_workers) && v > 256) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "%" G_GUINT64_FORMAT " workers is more than 256", v);
      return false;
    }
    *(uint64_t *)field = v;
    return true;
  }
  case K_STRING:
    if(!*value) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE, "empty value");
      return false;
    }
    if(s->offset == OFF(render_enabled) && strcmp(value, "auto") && strcmp(value, "yes") &&
       strcmp(value, "no")) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "'%s' is not auto, yes or no", value);
      return false;
    }
    g_free(*(char **)field);
    *(char **)field = g_strdup(value);
    return true;
  case K_SECONDS: {
    char *end = NULL;
    double v = g_ascii_strtod(value, &end);
    if(end == value || *end || !(v >= 0) || v > 86400) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "'%s' is not a number of seconds (0 to 86400)", value);
      return false;
    }
    *(double *)field = v;
    return true;
  }
  case K_DURATION: {
    /* "90", "90s", "30m", "12h", "7d" */
    char *end = NULL;
    errno = 0;
    guint64 v = g_ascii_strtoull(value, &end, 10);
    guint64 mul = !*end ? 1 : !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60 : !strcmp(end, "h") ? 3600
                  : !strcmp(end, "d") ? 86400 : 0;
    /* 0: no limit, no heartbeat */
    bool zero_ok = s->offset == OFF(cycle_time_limit_seconds) || s->offset == OFF(heartbeat_seconds) ||
                   s->offset == OFF(host_failure_seconds);
    if(!g_ascii_isdigit(*value) || errno || !mul || (v == 0 && !zero_ok) ||
       v > 3650ull * 86400 / mul) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "'%s' is not a duration (a positive number with s, m, h or d)", value);
      return false;
    }
    *(uint64_t *)field = v * mul;
    return true;
  }
  case K_SEASON: {
    /* "MM-DD..MM-DD": the weeks when the year's reports appear. */
    int m1, d1, m2, d2;
    char tail;
    if(sscanf(value, "%d-%d..%d-%d%c", &m1, &d1, &m2, &d2, &tail) != 4 || m1 < 1 || m1 > 12 ||
       m2 < 1 || m2 > 12 || d1 < 1 || d1 > 31 || d2 < 1 || d2 > 31) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                  "'%s' is not MM-DD..MM-DD", value);
      return false;
    }
    cfg->season_from = m1 * 100 + d1;
    cfg->season_until = m2 * 100 + d2;
    return true;
  }
  case K_HOSTMAP:
    for(const char *item = value; *item;) {
      size_t n = strcspn(item, ";");
      char *one = g_strstrip(g_strndup(item, n));
      bool bad = *one && !gh_hostmap_item_ok(one);
      if(bad)
        g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                    "'%s' is not HOST:PORT:ADDRESS (curl's --resolve/--connect-to form)", one);
      g_free(one);
      if(bad)
        return false;
      item += n + (item[n] == ';');
    }
    G_GNUC_FALLTHROUGH;
  case K_LIST: {
    /* GKeyFile lists: items separated by ';'. */
    char **items = g_strsplit(value, ";", -1);
    GPtrArray *kept = g_ptr_array_new();
    for(char **i = items; *i; i++) {
      char *t = g_strstrip(*i);
      if(*t)
        g_ptr_array_add(kept, g_strdup(t));
    }
    g_ptr_array_add(kept, NULL);
    g_strfreev(items);
    g_strfreev(*(char ***)field);
    *(char ***)field = (char **)g_ptr_array_free(kept, FALSE);
    return true;
  }
  case K_LOGLEVEL:
    if(gh_parse_log_level(value, (enum gh_log_level *)field))
      return true;
    g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                "'%s' is not one of error, warning, info, debug", value);
    return false;
  }
  return false;
}

static const struct setting *
find_setting(const char *group, const char *key)
{
  for(size_t i = 0; i < G_N_ELEMENTS(settings); i++)
    if(!strcmp(settings[i].group, group) && (!key || !strcmp(settings[i].key, key)))
      return &settings[i];
  return NULL;
}

/* One file's settings on top of what cfg holds.  *found says whether it
 * existed (a missing file is an error only when must_exist). */
static bool
load_file(struct gh_config *cfg, const char *file, bool must_exist, bool *found, GError **err)
{
  *found = false;
  char *text = NULL;
  gsize len = 0;
  GError *e = NULL;
  if(!g_file_get_contents(file, &text, &len, &e)) {
    bool missing = g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    if(missing && !must_exist) {
      g_error_free(e);
      return true;
    }
    g_set_error(err, G_FILE_ERROR, e->code, "%s: %s", file, e->message);
    g_error_free(e);
    return false;
  }
  *found = true;

  GKeyFile *kf = g_key_file_new();
  bool ok = false;
  if(!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &e)) {
    g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE, "%s:%d: %s", file,
                bad_syntax_line(text), e->message);
    g_error_free(e);
    goto out;
  }
  gsize ngroups = 0;
  char **groups = g_key_file_get_groups(kf, &ngroups);
  for(gsize g = 0; g < ngroups; g++) {
    if(!find_setting(groups[g], NULL)) {
      g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                  "%s:%d: [%s]: unknown group", file, line_of(text, groups[g], NULL), groups[g]);
      g_strfreev(groups);
      goto out;
    }
    char **keys = g_key_file_get_keys(kf, groups[g], NULL, NULL);
    for(char **k = keys; k && *k; k++) {
      const struct setting *s = find_setting(groups[g], *k);
      int line = line_of(text, groups[g], *k);
      if(!s) {
        g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                    "%s:%d: [%s] %s: unknown key", file, line, groups[g], *k);
        g_strfreev(keys);
        g_strfreev(groups);
        goto out;
      }
      char *v = g_key_file_get_string(kf, groups[g], *k, &e);
      if(!v || !apply(cfg, s, g_strstrip(v), &e)) {
        g_set_error(err, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                    "%s:%d: [%s] %s: %s", file, line, groups[g], *k, e->message);
        g_clear_error(&e);
        g_free(v);
        g_strfreev(keys);
        g_strfreev(groups);
        goto out;
      }
      g_free(v);
    }
    g_strfreev(keys);
  }
  g_strfreev(groups);
  ok = true;
out:
  g_key_file_free(kf);
  g_free(text);
  return ok;
}

static gint
by_path(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *
gh_config_drop_ins(const char *dir, const char *suffix)
{
  GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
  GDir *d = g_dir_open(dir, 0, NULL);
  for(const char *n; d && (n = g_dir_read_name(d));)
    if(g_str_has_suffix(n, suffix) && n[0] != '.')
      g_ptr_array_add(files, g_build_filename(dir, n, NULL));
  if(d)
    g_dir_close(d);
  g_ptr_array_sort(files, by_path);
  return files;
}

bool
gh_config_load(struct gh_config *cfg, const char *file, bool must_exist, GError **err)
{
  memset(cfg, 0, sizeof(*cfg));
  for(size_t i = 0; i < G_N_ELEMENTS(settings); i++) {
    bool ok = apply(cfg, &settings[i], settings[i].dflt, NULL);
    g_assert(ok);
  }
  if(!file)
    return true;
  bool found = false;
  if(!load_file(cfg, file, must_exist, &found, err)) {
    gh_config_clear(cfg);
    return false;
  }
  if(found)
    cfg->file = g_strdup(file);
  /* Drop-ins beside the file: the .conf files of conf.d, in name order,
   * each over the ones before.  Local settings live there, so upgrades that replace the
   * reference file keep them. */
  char *dir = g_path_get_dirname(file), *dd = g_build_filename(dir, "conf.d", NULL);
  GPtrArray *extra = gh_config_drop_ins(dd, ".conf");
  bool ok = true;
  for(guint i = 0; ok && i < extra->len; i++)
    ok = load_file(cfg, extra->pdata[i], true, &found, err);
  g_ptr_array_free(extra, TRUE);
  g_free(dd);
  g_free(dir);
  if(!ok)
    gh_config_clear(cfg);
  return ok;
}

void
gh_config_clear(struct gh_config *cfg)
{
  g_free(cfg->file);
  g_free(cfg->store_path);
  g_free(cfg->export_dir);
  g_free(cfg->seeds_file);
  g_free(cfg->regions_file);
  g_free(cfg->user_agent);
  g_strfreev(cfg->resolve);
  g_strfreev(cfg->connect_to);
  g_strfreev(cfg->tls_insecure_hosts);
  g_strfreev(cfg->allow_private);
  g_free(cfg->render_enabled);
  g_free(cfg->render_browser);
  memset(cfg, 0, sizeof(*cfg));
}

unsigned
gh_config_extract_workers(const struct gh_config *cfg)
{
  return cfg->extract_workers ? (unsigned)cfg->extract_workers
                              : (unsigned)MAX(1, g_get_num_processors());
}

#include "requests.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A request is a few hundred bytes; anything much bigger is not one. */
enum { MAX_REQUEST = 1 << 20 };

static char *
spool_dir(const char *store_dir)
{
  return g_build_filename(store_dir, "requests", NULL);
}

static void
request_free(void *p)
{
  struct gh_request *r = p;
  g_free(r->path);
  g_strfreev(r->seeds);
  g_strfreev(r->regions);
  g_free(r->requested_at);
  g_free(r);
}

bool
gh_request_submit(const char *store_dir, char **seeds, char **regions, bool refetch, char **path,
                  GError **err)
{
  char *dir = spool_dir(store_dir);
  *path = NULL;
  if(g_mkdir_with_parents(dir, 0770) < 0) {
    g_set_error(err, G_FILE_ERROR, g_file_error_from_errno(errno), "cannot create %s: %s", dir,
                g_strerror(errno));
    g_free(dir);
    return false;
  }
  json_t *s = json_array(), *r = json_array();
  for(char **u = seeds; u && *u; u++)
    json_array_append_new(s, json_string(*u));
  for(char **g = regions; g && *g; g++)
    json_array_append_new(r, json_string(*g));
  GDateTime *now = g_date_time_new_now_utc();
  char *iso = g_date_time_format_iso8601(now);
  json_t *req = json_pack("{s:o, s:o, s:b, s:s, s:s}", "seeds", s, "regions", r, "refetch", refetch,
                          "requested_at", iso, "by", g_get_user_name());
  char *text = json_dumps(req, JSON_INDENT(1));
  char *name = g_strdup_printf("%016" G_GINT64_FORMAT "-%ld.json", g_get_real_time(), (long)getpid());
  char *final = g_build_filename(dir, name, NULL);
  /* g_file_set_contents writes a temporary file and renames it: the daemon
   * never reads half a request.  Its temporary names do not end in .json. */
  bool ok = g_file_set_contents(final, text, -1, err);
  if(ok)
    chmod(final, 0660);
  if(ok)
    *path = g_steal_pointer(&final);
  g_free(final);
  g_free(name);
  free(text);
  json_decref(req);
  g_free(iso);
  g_date_time_unref(now);
  g_free(dir);
  return ok;
}

/* g_ptr_array_sort hands pointers to the elements. */
static gint
by_name(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spool's request files, oldest first: waiting (*.json) and, with `taken`,
 * also those a daemon took and did not finish (*.taken). */
static GPtrArray *
list(const char *dir, bool taken)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *n;
  while(d && (n = g_dir_read_name(d)))
    if(n[0] != '.' && (g_str_has_suffix(n, ".json") ||
                       (taken && (g_str_has_suffix(n, ".taken") || g_str_has_suffix(n, ".retaken")))))
      g_ptr_array_add(names, g_strdup(n));
  if(d)
    g_dir_close(d);
  g_ptr_array_sort(names, by_name);
  return names;
}

bool
gh_requests_waiting(const char *store_dir)
{
  char *dir = spool_dir(store_dir);
  GPtrArray *names = list(dir, false);
  bool any = names->len > 0;
  g_ptr_array_free(names, TRUE);
  g_free(dir);
  return any;
}

static char **
strings(json_t *arr)
{
  GPtrArray *out = g_ptr_array_new();
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v)
    if(json_is_string(v) && *json_string_value(v))
      g_ptr_array_add(out, g_strdup(json_string_value(v)));
  g_ptr_array_add(out, NULL);
  return (char **)g_ptr_array_free(out, FALSE);
}

/* The request file's bytes, or NULL with *why: only a regular file of at
 * most MAX_REQUEST bytes is read.  Anyone allowed to queue can drop a FIFO
 * (an open that blocks the daemon and its watchdog pings) or a symlink to
 * /dev/zero (a read without end) under a *.json name: opened without
 * following links and without blocking, checked, then read with a bound. */
static char *
read_request(const char *path, size_t *len, const char **why)
{
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  struct stat sb;
  if(fd < 0) {
    *why = errno == ELOOP ? "a symbolic link, not a regular file" : g_strerror(errno);
    return NULL;
  }
  char *buf = NULL;
  if(fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
    *why = "not a regular file";
  } else if(sb.st_size > MAX_REQUEST) {
    *why = "over 1 MiB";
  } else {
    buf = g_malloc(MAX_REQUEST + 1);
    size_t got = 0;
    ssize_t k;
    while(got <= MAX_REQUEST && (k = read(fd, buf + got, MAX_REQUEST + 1 - got)) != 0) {
      if(k < 0 && errno == EINTR)
        continue;
      if(k < 0)
        break;
      got += (size_t)k;
    }
    if(got > MAX_REQUEST || k < 0) {
      *why = got > MAX_REQUEST ? "over 1 MiB" : "unreadable";
      g_clear_pointer(&buf, g_free);
    }
    *len = got;
  }
  close(fd);
  return buf;
}

/* Moves a spool entry that is not a request aside as *.bad, named in
 * `notes` with the reason. */
static void
set_bad(const char *path, const char *current, const char *why, GPtrArray *notes)
{
  char *bad = g_strconcat(path, ".bad", NULL);
  if(rename(current, bad) == 0 && notes)
    g_ptr_array_add(notes, g_strdup_printf("request %s is not a request (%s; kept as %s)", path,
                                           why, bad));
  else if(notes)
    g_ptr_array_add(notes, g_strdup_printf("request %s is not a request (%s) and cannot be moved "
                                           "aside: %s", path, why, g_strerror(errno)));
  g_free(bad);
}

GPtrArray *
gh_requests_take(const char *store_dir, GPtrArray *notes)
{
  char *dir = spool_dir(store_dir);
  GPtrArray *names = list(dir, true);
  GPtrArray *out = g_ptr_array_new_with_free_func(request_free);
  for(guint i = 0; i < names->len; i++) {
    const char *n = names->pdata[i];
    char *path = g_build_filename(dir, n, NULL);
    /* *.json is taken as *.taken; a *.taken that a daemon left (killed
     * before the crawl ended) is taken once more as *.retaken; a
     * *.retaken found again was taken twice by a daemon that died both
     * times: set aside, so it cannot make the service restart-loop. */
    if(g_str_has_suffix(n, ".retaken")) {
      set_bad(path, path, "taken twice by a daemon that did not finish it", notes);
      g_free(path);
      continue;
    }
    char *taken = g_str_has_suffix(n, ".taken")
                    ? g_strdup_printf("%.*sretaken", (int)(strlen(path) - strlen("taken")), path)
                    : g_strconcat(path, ".taken", NULL);
    if(rename(path, taken) < 0) {
      g_free(path);
      g_free(taken);
      continue; /* gone meanwhile */
    }
    size_t len = 0;
    const char *why = "not a JSON request";
    char *text = read_request(taken, &len, &why);
    json_t *j = text ? json_loadb(text, len, 0, NULL) : NULL;
    g_free(text);
    json_t *seeds = json_object_get(j, "seeds"), *regions = json_object_get(j, "regions");
    if(!json_is_object(j) || (seeds && !json_is_array(seeds)) || (regions && !json_is_array(regions))) {
      set_bad(path, taken, why, notes);
    } else {
      struct gh_request *r = g_new0(struct gh_request, 1);
      r->path = g_strdup(taken);
      r->seeds = strings(seeds);
      r->regions = strings(regions);
      r->refetch = json_is_true(json_object_get(j, "refetch"));
      r->requested_at = g_strdup(json_string_value(json_object_get(j, "requested_at")));
      g_ptr_array_add(out, r);
    }
    json_decref(j);
    g_free(path);
    g_free(taken);
  }
  g_ptr_array_free(names, TRUE);
  g_free(dir);
  return out;
}

GPtrArray *
gh_requests_peek(const char *store_dir)
{
  char *dir = spool_dir(store_dir);
  GPtrArray *names = list(dir, false);
  GPtrArray *out = g_ptr_array_new_with_free_func(request_free);
  for(guint i = 0; i < names->len; i++) {
    char *path = g_build_filename(dir, names->pdata[i], NULL);
    size_t len = 0;
    const char *why = NULL;
    char *text = read_request(path, &len, &why);
    json_t *j = text ? json_loadb(text, len, 0, NULL) : NULL;
    g_free(text);
    json_t *seeds = json_object_get(j, "seeds"), *regions = json_object_get(j, "regions");
    if(json_is_object(j) && (!seeds || json_is_array(seeds)) && (!regions || json_is_array(regions))) {
      struct gh_request *r = g_new0(struct gh_request, 1);
      r->path = g_steal_pointer(&path);
      r->seeds = strings(seeds);
      r->regions = strings(regions);
      r->refetch = json_is_true(json_object_get(j, "refetch"));
      r->requested_at = g_strdup(json_string_value(json_object_get(j, "requested_at")));
      g_ptr_array_add(out, r);
    }
    json_decref(j);
    g_free(path);
  }
  g_ptr_array_free(names, TRUE);
  g_free(dir);
  return out;
}

void
gh_request_done(const struct gh_request *r)
{
  unlink(r->path);
}

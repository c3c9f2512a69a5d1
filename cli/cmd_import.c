/* govharvest import FILE|DIR...: local documents into the store.
 *
 * Someone with a folder of downloaded reports wants what a crawl gives:
 * the records in the store, for export, stats and the data page.  Each
 * file goes through the same sandboxed worker as a fetched document
 * (GH_POOL_WORK_RECORD), gets the crawl's identity (gh_record_identify,
 * with --region standing for the seed's) and lands by the crawl's rules
 * (store/import.h).  Provenance is the file: source.path, its sha256 and
 * mtime.  A file whose bytes are stored already is skipped unread, so a
 * re-import is a no-op. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../extract/sandbox.h"
#include "../record/places.h"
#include "../record/textnorm.h"
#include "../store/import.h"
#include "cli.h"

/* Directories are walked this deep at most: a folder of reports is a few
 * levels, and a bound keeps a bind-mount loop finite. */
#define MAX_DEPTH 16
/* Per batch: documents read, parsed by the workers at once, then landed in
 * one commit (like reparse: memory flat, the result independent of the
 * number of workers). */
#define BATCH_PER_WORKER 8
#define BATCH_BYTES ((size_t)64 << 20)

/* What a directory walk takes: the formats parse reads, by name, so a
 * folder's thumbnails, spreadsheets and editor backups are not reported
 * as failed reports.  Named files are always read. */
static bool
readable_name(const char *name)
{
  static const char *const exts[] = { ".pdf", ".docx", ".doc", ".wps", ".html", ".htm",
                                      ".shtml", ".xhtml", ".txt", ".text", ".md", NULL };
  if(name[0] == '.')
    return false;
  char *lower = g_ascii_strdown(name, -1);
  bool ok = false;
  for(const char *const *e = exts; *e && !ok; e++)
    ok = g_str_has_suffix(lower, *e);
  g_free(lower);
  return ok;
}

static gint
by_name(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
walk(const char *dir, unsigned depth, GPtrArray *files, int *rc)
{
  GError *err = NULL;
  GDir *d = g_dir_open(dir, 0, &err);
  if(!d) {
    fprintf(stderr, "govharvest import: %s\n", err->message);
    g_error_free(err);
    *rc = GH_EXIT_FAILED;
    return;
  }
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  for(const char *n; (n = g_dir_read_name(d));)
    g_ptr_array_add(names, g_strdup(n));
  g_dir_close(d);
  /* Sorted: the same folder lands in the same order, so rivals for one
   * agency and year settle the same way every time. */
  g_ptr_array_sort(names, by_name);
  for(guint i = 0; i < names->len; i++) {
    const char *n = names->pdata[i];
    char *path = g_build_filename(dir, n, NULL);
    struct stat sb, lb;
    if(lstat(path, &lb) == 0 && stat(path, &sb) == 0) {
      /* A symbolic link to a directory is not followed: it can loop. */
      if(S_ISDIR(sb.st_mode) && !S_ISLNK(lb.st_mode) && n[0] != '.') {
        if(depth < MAX_DEPTH)
          walk(path, depth + 1, files, rc);
        else
          fprintf(stderr, "govharvest import: %s: deeper than %d levels, not read\n", path,
                  MAX_DEPTH);
      } else if(S_ISREG(sb.st_mode) && readable_name(n)) {
        g_ptr_array_add(files, g_steal_pointer(&path));
      }
    }
    g_free(path);
  }
  g_ptr_array_free(names, TRUE);
}

/* At most `cap` + 1 bytes of a regular file; *why says what went wrong. */
static GBytes *
read_file(const char *path, size_t cap, struct stat *sb, char **why)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if(fd < 0) {
    *why = g_strdup_printf("read_failed: %s", g_strerror(errno));
    return NULL;
  }
  if(fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
    *why = g_strdup(S_ISDIR(sb->st_mode) ? "read_failed: is a directory"
                                         : "read_failed: not a regular file");
    close(fd);
    return NULL;
  }
  if((guint64)sb->st_size > cap) {
    *why = g_strdup_printf("too_large: %lld bytes, over the %zu-byte limit ([limits] "
                           "max_document_bytes)", (long long)sb->st_size, cap);
    close(fd);
    return NULL;
  }
  GByteArray *buf = g_byte_array_sized_new((guint)sb->st_size);
  guint8 chunk[65536];
  for(;;) {
    ssize_t n = read(fd, chunk, sizeof chunk);
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0) {
      *why = g_strdup_printf("read_failed: %s", g_strerror(errno));
      break;
    }
    if(n == 0)
      break;
    g_byte_array_append(buf, chunk, (guint)n);
    if(buf->len > cap) { /* it grew while read */
      *why = g_strdup_printf("too_large: over the %zu-byte limit ([limits] "
                             "max_document_bytes)", cap);
      break;
    }
  }
  close(fd);
  if(*why) {
    g_byte_array_free(buf, TRUE);
    return NULL;
  }
  return g_byte_array_free_to_bytes(buf);
}

struct item {
  char *path;      /* absolute */
  char *title;     /* the file's name, normalised: the download name a crawl would know */
  char *sha;
  GBytes *bytes;
  gint64 mtime;
  char *failure;   /* not read, or no record to land */
  bool known;      /* its bytes are in the store already */
  json_t *record;
};

static void
item_clear(struct item *it)
{
  g_free(it->path);
  g_free(it->title);
  g_free(it->sha);
  if(it->bytes)
    g_bytes_unref(it->bytes);
  g_free(it->failure);
  json_decref(it->record);
  memset(it, 0, sizeof *it);
}

static void
parsed(void *ud, json_t *record)
{
  ((struct item *)ud)->record = record;
}

static char *
iso_utc(gint64 unix_seconds)
{
  GDateTime *d = g_date_time_new_from_unix_utc(unix_seconds);
  char *s = d ? g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("");
  if(d)
    g_date_time_unref(d);
  return s;
}

/* The file's provenance and the agency's identity, as add_provenance
 * (crawler/job.c) gives a fetched one; a record that cannot land says
 * why in it->failure. */
static void
prepare(struct item *it, const struct gh_regions *regions, const char *region,
        const char *region_name)
{
  json_t *rj = it->record;
  const char *status = json_string_value(json_object_get(rj, "status"));
  const char *reason = json_string_value(json_object_get(rj, "reason"));
  const char *agency = json_string_value(json_object_get(rj, "agency"));
  json_int_t year = json_integer_value(json_object_get(rj, "year"));
  if(!g_strcmp0(status, gh_status_name(GH_STATUS_NOT_A_REPORT)) ||
     !g_strcmp0(status, gh_status_name(GH_STATUS_EMPTY)) || !agency || !*agency || year <= 0) {
    it->failure = g_strdup_printf("%s%s%s%s", status ? status : "?", reason ? ": " : "",
                                  reason ? reason : "",
                                  (agency && *agency && year > 0) ||
                                  !g_strcmp0(status, gh_status_name(GH_STATUS_NOT_A_REPORT)) ||
                                  !g_strcmp0(status, gh_status_name(GH_STATUS_EMPTY)) ? ""
                                  : " (no agency and year: not stored; a file name such as "
                                    "XX县2021年政府信息公开工作年度报告.pdf gives them)");
    json_decref(g_steal_pointer(&it->record));
    return;
  }
  json_t *src = json_object_get(rj, "source");
  json_object_set_new(src, "path", json_string(it->path));
  char *mt = iso_utc(it->mtime), *now = iso_utc(g_get_real_time() / G_USEC_PER_SEC);
  json_object_set_new(src, "mtime", json_string(mt));
  json_object_set_new(src, "fetched_at", json_string(now));
  g_free(mt);
  g_free(now);
  json_object_set_new(src, "file_title", json_string(it->title));
  const char *extra[] = { region_name, NULL };
  gh_record_identify(rj, regions, region, extra);
  if(!json_object_get(rj, "region_code"))
    json_object_set_new(rj, "region_code", json_null());
}

/* --region as a code of the table or a place name (淮安市, 洪泽区). */
static const char *
region_arg(const struct gh_regions *r, const char *arg)
{
  if(gh_region_name(r, arg))
    return arg;
  return gh_region_named(r, arg, NULL);
}

int
gh_cmd_import(int argc, char **argv)
{
  char *region_opt = NULL;
  gint workers = -1;
  GOptionEntry entries[] = {
    { "region", 'r', 0, G_OPTION_ARG_STRING, &region_opt,
      "The place the files are from (a region code or name, like a seed's): settles agencies "
      "whose name holds no place", "CODE|NAME" },
    { "workers", 'j', 0, G_OPTION_ARG_INT, &workers,
      "Files parsed at once (default [limits] extract_workers: one per CPU)", "N" },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  struct gh_store *st = NULL;
  struct gh_regions *regions = NULL;
  GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
  GError *err = NULL;
  if(!gh_cli_parse("import", "FILE|DIR...",
                   "Land local report files in the store, as a crawl lands fetched ones:\n"
                   "directories are walked (PDF, DOCX, DOC, HTML, text files), every file is\n"
                   "parsed in the extraction sandbox, and its record gets the crawl's identity\n"
                   "and history, with source.path, sha256 and mtime.  Files whose bytes are\n"
                   "stored already are skipped, so importing again is a no-op.  Exit 1 when\n"
                   "some file could not be read or gave no record.",
                   entries, &argc, &argv, &common, &rc))
    goto out;
  if(argc < 2 || (workers != -1 && (workers < 1 || workers > 256))) {
    fprintf(stderr, argc < 2 ? "govharvest import: no FILE or DIR given (see 'govharvest import "
                               "--help')\n"
                             : "govharvest import: --workers must be 1 to 256\n");
    rc = GH_EXIT_USAGE;
    goto out;
  }
  const struct gh_config *cfg = &common.cfg;
  if(!(regions = gh_regions_load(cfg->regions_file, &err))) {
    fprintf(stderr, "govharvest: warning: %s; the built-in region table is used\n", err->message);
    g_clear_error(&err);
  }
  const struct gh_regions *table = regions ? regions : gh_regions_builtin();
  const char *region = NULL;
  if(region_opt && !(region = region_arg(table, region_opt))) {
    fprintf(stderr, "govharvest import: --region '%s' is neither a region code nor a place "
                    "name of the region table\n", region_opt);
    rc = GH_EXIT_USAGE;
    goto out;
  }
  for(int i = 1; i < argc; i++) {
    struct stat sb;
    char *abs = g_canonicalize_filename(argv[i], NULL);
    if(stat(abs, &sb) == 0 && S_ISDIR(sb.st_mode))
      walk(abs, 0, files, &rc);
    else
      g_ptr_array_add(files, g_strdup(abs)); /* read (or refused) in turn */
    g_free(abs);
  }
  if(!(st = gh_cli_open_store(cfg, GH_STORE_WRITE, &rc)))
    goto out;
  struct gh_extract_opts eo;
  gh_cli_extract_opts(&eo, cfg);
  unsigned n_workers = workers > 0 ? (unsigned)workers : gh_config_extract_workers(cfg);
  struct gh_sandbox *pool = gh_sandbox_new(MIN(n_workers, MAX(files->len, 1u)), &eo,
                                     GH_POOL_WORK_RECORD);
  const guint batch = BATCH_PER_WORKER * MAX(n_workers, 1u);
  struct item *items = g_new0(struct item, batch);
  guint64 counts[6] = { 0 }; /* new, replaced, same, kept, known, failed */
  GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for(guint next = 0; next < files->len && rc != GH_EXIT_USAGE;) {
    guint n = 0;
    size_t held = 0;
    for(; next < files->len && n < batch && held < BATCH_BYTES; next++, n++) {
      struct item *it = &items[n];
      it->path = g_strdup(files->pdata[next]);
      char *base = g_path_get_basename(it->path);
      it->title = gh_norm(base, strlen(base));
      g_free(base);
      struct stat sb;
      if(!(it->bytes = read_file(it->path, eo.max_bytes, &sb, &it->failure)))
        continue;
      gsize len;
      const char *b = g_bytes_get_data(it->bytes, &len);
      held += len;
      it->mtime = (gint64)sb.st_mtime;
      it->sha = gh_sha256_hex(b, len);
      /* The same bytes twice in one run land once, as across runs. */
      if((it->known = g_hash_table_contains(seen, it->sha) || gh_store_has_doc(st, it->sha, &err)))
        continue;
      if(err) {
        rc = gh_cli_store_failure("import", err);
        next++, n++;
        break;
      }
      g_hash_table_add(seen, g_strdup(it->sha));
      struct gh_doc_hints hints = { .file_title = it->title };
      gh_sandbox_submit_record(pool, it->bytes, &eo, &hints, parsed, it);
    }
    struct gh_import_doc *docs = g_new0(struct gh_import_doc, n);
    for(guint i = 0; i < n; i++) {
      struct item *it = &items[i];
      while(it->sha && !it->known && !it->record && !err)
        gh_sandbox_step(pool);
      if(it->record)
        prepare(it, table, region, region ? gh_region_name(table, region) : NULL);
      docs[i] = (struct gh_import_doc){ it->sha, it->bytes, it->record, NULL };
    }
    if(!err && !gh_store_import(st, docs, n, &err))
      rc = gh_cli_store_failure("import", err);
    for(guint i = 0; i < n && !err; i++) {
      struct item *it = &items[i];
      if(it->known) {
        printf("unchanged %s (its bytes are stored already)\n", it->path);
        counts[4]++;
      } else if(docs[i].what) {
        json_t *r = it->record;
        printf("%-9s %s: %s %" JSON_INTEGER_FORMAT " %s\n", docs[i].what, it->path,
               json_string_value(json_object_get(r, "agency")),
               json_integer_value(json_object_get(r, "year")),
               json_string_value(json_object_get(r, "status")));
        static const char *const whats[] = { "new", "replaced", "same", "kept" };
        for(int w = 0; w < 4; w++)
          counts[w] += !strcmp(docs[i].what, whats[w]);
      } else {
        fprintf(stderr, "govharvest import: %s: %s\n", it->path,
                it->failure ? it->failure : "no record");
        counts[5]++;
        rc = rc == GH_EXIT_OK ? GH_EXIT_FAILED : rc;
      }
    }
    g_free(docs);
    for(guint i = 0; i < n; i++)
      item_clear(&items[i]);
    if(err)
      break;
  }
  g_free(items);
  g_hash_table_destroy(seen);
  gh_sandbox_free(pool);
  printf("import: %u files: %" G_GUINT64_FORMAT " new, %" G_GUINT64_FORMAT " replaced, %"
         G_GUINT64_FORMAT " same document, %" G_GUINT64_FORMAT " kept in history, %"
         G_GUINT64_FORMAT " already stored, %" G_GUINT64_FORMAT " without a record\n",
         files->len, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
  if(fflush(stdout) != 0)
    rc = GH_EXIT_FAILED;
out:
  g_clear_error(&err);
  gh_store_close(st);
  gh_regions_free(regions);
  g_ptr_array_free(files, TRUE);
  g_free(region_opt);
  gh_cli_common_clear(&common);
  return rc;
}

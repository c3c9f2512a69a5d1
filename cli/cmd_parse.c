/* govharvest parse FILE...: one JSON record per file on stdout.
 *
 * The files are read here and parsed by the sandbox workers, several at
 * once; records are printed in argument order as soon as each file's turn
 * comes, so the output is the same whatever the number of workers. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../extract/sandbox.h"
#include "../record/parser.h"
#include "../record/places.h"
#include "../record/textnorm.h"
#include "../store/export.h"
#include "cli.h"

/* Read at most `cap` + 1 bytes: enough to know a file is too large without
 * holding a 2 GB upload in memory. */
static bool
read_bounded(const char *path, size_t cap, char **out, size_t *len, bool *too_large,
             char **why)
{
  int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
  *too_large = false;
  if(fd < 0) {
    *why = g_strdup(g_strerror(errno));
    return false;
  }
  struct stat st;
  if(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    close(fd);
    *why = g_strdup("is a directory");
    return false;
  }
  if(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > cap) {
    close(fd);
    *too_large = true;
    *len = (size_t)st.st_size;
    *out = NULL;
    return true;
  }
  GByteArray *buf = g_byte_array_new();
  guint8 chunk[65536];
  for(;;) {
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if(n < 0 && errno == EINTR)
      continue;
    if(n < 0) {
      *why = g_strdup(g_strerror(errno));
      close(fd);
      g_byte_array_free(buf, TRUE);
      return false;
    }
    if(n == 0)
      break;
    g_byte_array_append(buf, chunk, (guint)n);
    if(buf->len > cap) {
      *too_large = true;
      break;
    }
  }
  close(fd);
  *len = buf->len;
  /* NUL-terminate for the text paths; the length excludes it. */
  g_byte_array_append(buf, (const guint8 *)"", 1);
  *out = (char *)g_byte_array_free(buf, FALSE);
  return true;
}

/* One FILE argument on its way to output. */
struct slot {
  /* Done when either is set. */
  json_t *record; /* NULL: a read failure, said in `error` */
  char *error;
  size_t bytes;   /* held while in a worker */
};

static bool
slot_done(const struct slot *sl)
{
  return sl->record || sl->error;
}

/* What every record of the run is finished with: the crawl's identity
 * from the same hints a crawl would have had. */
struct identity {
  const struct gh_regions *regions;
  const char *region;      /* --region as a code, or NULL */
  const char *region_name; /* its name: the crawl's seed name stands there */
  const char *link_text, *file_title;
};

/* The record a crawl would land and export for these bytes: the hints go
 * into source as the crawl keeps them, then the crawl's identity
 * (gh_record_identify, as crawler/job.c calls it) and the export's
 * annotation and quality (gh_export_annotate).  A single document has no
 * other years, so no cross-year check can fail here: the export of a
 * store that holds the agency's previous year may add those. */
static void
finish_record(json_t *rec, const char *path, const struct identity *id)
{
  json_t *src = json_object_get(rec, "source");
  if(!json_is_object(src)) {
    src = json_object();
    json_object_set_new(rec, "source", src);
  }
  json_object_set_new(src, "path", json_string(path));
  if(id->link_text)
    json_object_set_new(src, "link_text", json_string(id->link_text));
  if(id->file_title)
    json_object_set_new(src, "file_title", json_string(id->file_title));
  const char *extra[] = { id->region_name, NULL };
  gh_record_identify(rec, id->regions, id->region, extra);
  if(!json_object_get(rec, "region_code"))
    json_object_set_new(rec, "region_code", json_null());
  gh_export_annotate(rec);
}

/* The line for a file that could not be read: it keeps its place in the
 * output, so line N is always argument N. */
static json_t *
error_record(const char *path, const char *status, const char *reason)
{
  return json_pack("{s{ss}sssssnsnsnss}", "source", "path", path, "status", status, "reason",
                   reason, "agency", "region_code", "year", "quality", "error");
}

struct parse_run {
  struct slot *slots;
  size_t held; /* bytes of documents in the workers */
  const struct identity *id;
  char **paths;
};

struct slot_ref {
  struct parse_run *run;
  struct slot *slot;
};

static void
parsed(void *ud, json_t *record)
{
  struct slot_ref *r = ud;
  finish_record(record, r->run->paths[r->slot - r->run->slots], r->run->id);
  r->slot->record = record;
  r->run->held -= r->slot->bytes;
  g_free(r);
}

/* Prints a slot: its record on stdout (an error record for a file that
 * could not be read), its failure on stderr too (and *rc says the run
 * failed). */
static void
print_slot(const char *path, struct slot *sl, size_t flags, int *rc)
{
  if(!sl->record) {
    fprintf(stderr, "govharvest: %s: %s\n", path, sl->error);
    *rc = GH_EXIT_FAILED;
    const char *colon = strchr(sl->error, ':');
    char *status = g_strndup(sl->error, colon ? (gsize)(colon - sl->error) : strlen(sl->error));
    sl->record = error_record(path, status, colon ? colon + 1 + (colon[1] == ' ') : "");
    g_free(status);
    if(json_dumpf(sl->record, stdout, flags) != 0 || fputc('\n', stdout) == EOF)
      fprintf(stderr, "govharvest: writing the record of %s failed\n", path);
    return;
  }
  /* Every document that was read yields its record, parsed or not: a
   * report whose tables could not be read still carries its agency, year
   * and whatever sections were read, and says why.  The reason goes to
   * stderr too, for people. */
  const char *status = json_string_value(json_object_get(sl->record, "status"));
  if(g_strcmp0(status, gh_status_name(GH_STATUS_PARSED))) {
    const char *reason = json_string_value(json_object_get(sl->record, "reason"));
    fprintf(stderr, "govharvest: %s: %s: %s\n", path, status ? status : "?", reason ? reason : "");
    *rc = GH_EXIT_FAILED;
  }
  if(json_dumpf(sl->record, stdout, flags) != 0 || fputc('\n', stdout) == EOF) {
    fprintf(stderr, "govharvest: writing the record of %s failed\n", path);
    *rc = GH_EXIT_FAILED;
  }
}

/* After a value cell: where the parser placed it, "{header
 * applications.granted[3]}" (a cell of running text may hold several). */
static void
note_placement(guint row, unsigned cell, FILE *out, void *ud)
{
  const GArray *placed = ud;
  for(guint k = 0; k < placed->len; k++) {
    const struct gh_cell_placement *p = &g_array_index(placed, struct gh_cell_placement, k);
    if(p->row == row && p->cell == cell)
      fprintf(out, " {%s %s}", gh_placement_name(p->how), p->path);
  }
}

/* Each file's cell stream, one after another (debugging), as the parser
 * reads it, each value followed by its placement.  The parser runs here,
 * outside the worker: it reads only the cell stream the worker sent back,
 * which the reply reader has bounded and validated. */
static void
print_cells(int argc, char **argv, const struct gh_extract_opts *opts, int *rc)
{
  for(int i = 1; i < argc; i++) {
    char *bytes = NULL, *why = NULL;
    size_t len = 0;
    bool too_large = false;
    if(!read_bounded(argv[i], opts->max_bytes, &bytes, &len, &too_large, &why) || too_large) {
      fprintf(stderr, "govharvest: %s: %s\n", argv[i], why ? why : "too_large");
      g_free(why);
      g_free(bytes);
      *rc = GH_EXIT_FAILED;
      continue;
    }
    enum gh_status st;
    char *fail_why = NULL;
    struct gh_doc *doc = gh_extract_doc(bytes, len, opts, &st, &fail_why);
    if(doc) {
      struct gh_record rec;
      gh_record_init(&rec);
      GArray *placed = gh_placements_new();
      struct gh_doc *read = gh_document_placements(doc, &rec, placed);
      gh_cells_dump_noted(read ? read : doc, stdout, note_placement, placed);
      g_array_free(placed, TRUE);
      gh_cells_free(&read);
      gh_record_clear(&rec);
    }
    else {
      fprintf(stderr, "govharvest: %s: %s: %s\n", argv[i], gh_status_name(st), fail_why);
      *rc = GH_EXIT_FAILED;
    }
    g_free(fail_why);
    gh_cells_free(&doc);
    g_free(bytes);
  }
}

/* --region as a code of the table, or a name it knows ("方正县", or a
 * longer text that names one place: "黑龙江省哈尔滨市方正县").  The name
 * stands where a crawl has its seed's name. */
static bool
resolve_region(const struct gh_regions *t, const char *v, const char **code, const char **name)
{
  *code = gh_region_name(t, v) ? v : gh_region_named(t, v, NULL);
  *name = *code ? gh_region_name(t, *code) : NULL;
  return *code != NULL;
}

/* Read-ahead: files in the workers or printed-pending at once, by count
 * per worker and by bytes, so a long argument list of large PDFs does not
 * sit in memory. */
#define AHEAD_PER_WORKER 4
#define AHEAD_BYTES ((size_t)256 << 20)

int
gh_cmd_parse(int argc, char **argv)
{
  gboolean pretty = FALSE, cells = FALSE;
  char *title = NULL, *file_title = NULL, *region = NULL;
  gint workers = -1;
  GOptionEntry entries[] = {
    { "pretty", 'p', 0, G_OPTION_ARG_NONE, &pretty, "Indent the JSON output", NULL },
    { "title", 't', 0, G_OPTION_ARG_STRING, &title,
      "The title of the link that led to the files, as a crawl would know it: gives the agency "
      "and year a document does not print, and marks a scan (图片版)", "TEXT" },
    { "file-title", 0, 0, G_OPTION_ARG_STRING, &file_title,
      "The files' download name (Content-Disposition), used like --title", "NAME" },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region,
      "The county (or city) the files came from, by code or name, as a crawl knows it from the "
      "seed: settles agency_key and region_code where the document names no place", "CODE|NAME" },
    { "cells", 0, 0, G_OPTION_ARG_NONE, &cells,
      "Print the extracted cell stream instead of records (debugging)", NULL },
    { "workers", 'j', 0, G_OPTION_ARG_INT, &workers,
      "Files parsed at once (default [limits] extract_workers: one per CPU)", "N" },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  if(!gh_cli_parse("parse", "FILE...",
                   "Parse annual-report files (text, markdown, HTML; '-' is stdin) and print\n"
                   "one JSON record per file (JSON lines), in argument order: line N is\n"
                   "argument N, source.path names it, and a file that cannot be read gets an\n"
                   "error record.  Records carry the crawl's agency_key, region_code and\n"
                   "quality.  Files are parsed several at once by the extraction workers.\n"
                   "Exit 0 when every file parsed, 1 when any failed (reason on stderr),\n"
                   "2 for usage errors.",
                   entries, &argc, &argv, &common, &rc)) {
    g_free(title);
    g_free(file_title);
    g_free(region);
    gh_cli_common_clear(&common);
    return rc;
  }
  if(argc < 2 || (workers != -1 && (workers < 1 || workers > 256))) {
    fprintf(stderr, argc < 2 ? "govharvest parse: no FILE given (see 'govharvest parse --help')\n"
                             : "govharvest parse: --workers must be 1 to 256\n");
    g_free(title);
    g_free(file_title);
    g_free(region);
    gh_cli_common_clear(&common);
    return GH_EXIT_USAGE;
  }
  /* The crawl's region table, so the identity is the crawl's. */
  GError *err = NULL;
  struct gh_regions *regions = gh_regions_load(common.cfg.regions_file, &err);
  if(!regions) {
    fprintf(stderr, "govharvest parse: regions: %s\n", err->message);
    g_error_free(err);
    g_free(title);
    g_free(file_title);
    g_free(region);
    gh_cli_common_clear(&common);
    return GH_EXIT_USAGE;
  }
  struct identity id = { .regions = regions };
  if(region && !resolve_region(regions, region, &id.region, &id.region_name)) {
    fprintf(stderr, "govharvest parse: --region %s: no such region code or name in the region "
                    "table\n", region);
    gh_regions_free(regions);
    g_free(title);
    g_free(file_title);
    g_free(region);
    gh_cli_common_clear(&common);
    return GH_EXIT_USAGE;
  }
  struct gh_extract_opts opts;
  gh_cli_extract_opts(&opts, &common.cfg);
  size_t flags = JSON_REAL_PRECISION(15) | (pretty ? JSON_INDENT(2) : JSON_COMPACT);
  /* The same hints a crawl passes, normalised the same way. */
  char *title_norm = title ? gh_norm(title, strlen(title)) : NULL;
  char *file_norm = file_title ? gh_norm(file_title, strlen(file_title)) : NULL;
  struct gh_doc_hints hints = { .link_text = title_norm, .file_title = file_norm };
  id.link_text = title_norm;
  id.file_title = file_norm;
  if(cells) {
    print_cells(argc, argv, &opts, &rc);
  } else {
    unsigned n_workers = workers > 0 ? (unsigned)workers : gh_config_extract_workers(&common.cfg);
    struct gh_sandbox *pool = gh_sandbox_new(MIN(n_workers, (unsigned)argc - 1), &opts,
                                       GH_POOL_WORK_RECORD);
    struct parse_run run = { g_new0(struct slot, (size_t)argc), 0, &id, argv };
    size_t ahead = (size_t)n_workers * AHEAD_PER_WORKER;
    int next_read = 1;
    for(int next_print = 1; next_print < argc;) {
      /* Read on while the window has room, then print what is done in
       * order, then wait for a worker. */
      while(next_read < argc && (size_t)(next_read - next_print) < ahead &&
            (run.held < AHEAD_BYTES || next_read == next_print)) {
        struct slot *sl = &run.slots[next_read];
        const char *path = argv[next_read++];
        char *bytes = NULL, *why = NULL;
        size_t len = 0;
        bool too_large = false;
        if(!read_bounded(path, opts.max_bytes, &bytes, &len, &too_large, &why)) {
          sl->error = g_strdup_printf("read_failed: %s", why);
        } else if(too_large) {
          sl->error = g_strdup_printf("too_large: over the %zu-byte limit "
                                      "([limits] max_document_bytes)", opts.max_bytes);
          g_free(bytes);
        } else {
          sl->bytes = len;
          run.held += len;
          struct slot_ref *ref = g_new(struct slot_ref, 1);
          *ref = (struct slot_ref){ &run, sl };
          GBytes *body = g_bytes_new_take(bytes, len);
          gh_sandbox_submit_record(pool, body, &opts, &hints, parsed, ref);
          g_bytes_unref(body);
        }
        g_free(why);
      }
      while(next_print < argc && slot_done(&run.slots[next_print])) {
        struct slot *sl = &run.slots[next_print];
        print_slot(argv[next_print++], sl, flags, &rc);
        json_decref(sl->record);
        g_free(sl->error);
        memset(sl, 0, sizeof *sl);
      }
      if(next_print < argc && !slot_done(&run.slots[next_print]))
        gh_sandbox_step(pool);
    }
    gh_sandbox_free(pool);
    g_free(run.slots);
  }
  if(fflush(stdout) != 0)
    rc = GH_EXIT_FAILED;
  g_free(title_norm);
  g_free(file_norm);
  g_free(title);
  g_free(file_title);
  g_free(region);
  gh_regions_free(regions);
  gh_cli_common_clear(&common);
  return rc;
}

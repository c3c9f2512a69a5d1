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
#include "../record/textnorm.h"
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

struct parse_run {
  struct slot *slots;
  size_t held; /* bytes of documents in the workers */
};

struct slot_ref {
  struct parse_run *run;
  struct slot *slot;
};

static void
parsed(void *ud, json_t *record)
{
  struct slot_ref *r = ud;
  r->slot->record = record;
  r->run->held -= r->slot->bytes;
  g_free(r);
}

/* Prints a slot: its record on stdout, its failure on stderr (and *rc
 * says the run failed). */
static void
print_slot(const char *path, struct slot *sl, size_t flags, int *rc)
{
  if(!sl->record) {
    fprintf(stderr, "govharvest: %s: %s\n", path, sl->error);
    *rc = GH_EXIT_FAILED;
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
      gh_doc_dump_noted(read ? read : doc, stdout, note_placement, placed);
      g_array_free(placed, TRUE);
      gh_doc_free(&read);
      gh_record_clear(&rec);
    }
    else {
      fprintf(stderr, "govharvest: %s: %s: %s\n", argv[i], gh_status_name(st), fail_why);
      *rc = GH_EXIT_FAILED;
    }
    g_free(fail_why);
    gh_doc_free(&doc);
    g_free(bytes);
  }
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
  char *title = NULL, *file_title = NULL;
  gint workers = -1;
  GOptionEntry entries[] = {
    { "pretty", 'p', 0, G_OPTION_ARG_NONE, &pretty, "Indent the JSON output", NULL },
    { "title", 't', 0, G_OPTION_ARG_STRING, &title,
      "The title of the link that led to the files, as a crawl would know it: gives the agency "
      "and year a document does not print, and marks a scan (图片版)", "TEXT" },
    { "file-title", 0, 0, G_OPTION_ARG_STRING, &file_title,
      "The files' download name (Content-Disposition), used like --title", "NAME" },
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
                   "one JSON record per file (JSON lines), in argument order.  Files are\n"
                   "parsed several at once by the extraction workers.  Exit 0 when every file\n"
                   "parsed, 1 when any failed (reason on stderr), 2 for usage errors.",
                   entries, &argc, &argv, &common, &rc)) {
    g_free(title);
    g_free(file_title);
    gh_cli_common_clear(&common);
    return rc;
  }
  if(argc < 2 || (workers != -1 && (workers < 1 || workers > 256))) {
    fprintf(stderr, argc < 2 ? "govharvest parse: no FILE given (see 'govharvest parse --help')\n"
                             : "govharvest parse: --workers must be 1 to 256\n");
    g_free(title);
    g_free(file_title);
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
  if(cells) {
    print_cells(argc, argv, &opts, &rc);
  } else {
    unsigned n_workers = workers > 0 ? (unsigned)workers : gh_config_extract_workers(&common.cfg);
    struct gh_pool *pool = gh_pool_new(MIN(n_workers, (unsigned)argc - 1), &opts,
                                       GH_POOL_WORK_RECORD);
    struct parse_run run = { g_new0(struct slot, (size_t)argc), 0 };
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
          gh_pool_submit_record(pool, body, &opts, &hints, parsed, ref);
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
        gh_pool_step(pool);
    }
    gh_pool_free(pool);
    g_free(run.slots);
  }
  if(fflush(stdout) != 0)
    rc = GH_EXIT_FAILED;
  g_free(title_norm);
  g_free(file_norm);
  g_free(title);
  g_free(file_title);
  gh_cli_common_clear(&common);
  return rc;
}

/* govharvest parse FILE...: one JSON record per file on stdout. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../extract/extract.h"
#include "../extract/textnorm.h"
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

int
gh_cmd_parse(int argc, char **argv)
{
  gboolean pretty = FALSE, cells = FALSE;
  char *title = NULL, *file_title = NULL;
  GOptionEntry entries[] = {
    { "pretty", 'p', 0, G_OPTION_ARG_NONE, &pretty, "Indent the JSON output", NULL },
    { "title", 't', 0, G_OPTION_ARG_STRING, &title,
      "The title of the link that led to the files, as a crawl would know it: gives the agency "
      "and year a document does not print, and marks a scan (图片版)", "TEXT" },
    { "file-title", 0, 0, G_OPTION_ARG_STRING, &file_title,
      "The files' download name (Content-Disposition), used like --title", "NAME" },
    { "cells", 0, 0, G_OPTION_ARG_NONE, &cells,
      "Print the extracted cell stream instead of records (debugging)", NULL },
    G_OPTION_ENTRY_NULL
  };
  struct gh_common common = { 0 };
  int rc = GH_EXIT_OK;
  if(!gh_cli_parse("parse", "FILE...",
                   "Parse annual-report files (text, markdown, HTML; '-' is stdin) and print\n"
                   "one JSON record per file (JSON lines).  Exit 0 when every file parsed,\n"
                   "1 when any failed (reason on stderr), 2 for usage errors.",
                   entries, &argc, &argv, &common, &rc)) {
    g_free(title);
    g_free(file_title);
    gh_cli_common_clear(&common);
    return rc;
  }
  if(argc < 2) {
    fprintf(stderr, "govharvest parse: no FILE given (see 'govharvest parse --help')\n");
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
  for(int i = 1; i < argc; i++) {
    const char *path = argv[i];
    char *bytes = NULL, *why = NULL;
    size_t len = 0;
    bool too_large = false;
    if(!read_bounded(path, opts.max_bytes, &bytes, &len, &too_large, &why)) {
      fprintf(stderr, "govharvest: %s: read_failed: %s\n", path, why);
      g_free(why);
      rc = GH_EXIT_FAILED;
      continue;
    }
    if(too_large) {
      fprintf(stderr, "govharvest: %s: too_large: over the %zu-byte limit "
              "([limits] max_document_bytes)\n", path, opts.max_bytes);
      g_free(bytes);
      rc = GH_EXIT_FAILED;
      continue;
    }
    if(cells) {
      enum gh_status st;
      char *fail_why = NULL;
      struct gh_doc *doc = gh_extract_doc(bytes, len, gh_sniff(bytes, len), &opts, &st,
                                          &fail_why);
      if(doc)
        gh_doc_dump(doc, stdout);
      else {
        fprintf(stderr, "govharvest: %s: %s: %s\n", path, gh_status_name(st), fail_why);
        rc = GH_EXIT_FAILED;
      }
      g_free(fail_why);
      gh_doc_free(&doc);
      g_free(bytes);
      continue;
    }
    struct gh_record rec;
    gh_record_init(&rec);
    gh_extract_record(bytes, len, &opts, &hints, &rec);
    g_free(bytes);
    /* Every document that was read yields its record, parsed or not: a
     * report whose tables could not be read still carries its agency, year
     * and whatever sections were read, and says why (issue: nothing thrown
     * away).  The reason goes to stderr too, for people. */
    if(rec.status != GH_STATUS_PARSED) {
      fprintf(stderr, "govharvest: %s: %s: %s\n", path, gh_status_name(rec.status),
              rec.reason ? rec.reason : "");
      rc = GH_EXIT_FAILED;
    }
    json_t *j = gh_record_to_json(&rec);
    if(json_dumpf(j, stdout, flags) != 0 || fputc('\n', stdout) == EOF) {
      fprintf(stderr, "govharvest: writing the record of %s failed\n", path);
      rc = GH_EXIT_FAILED;
    }
    json_decref(j);
    gh_record_clear(&rec);
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

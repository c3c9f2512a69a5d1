/* The extraction child: a reader that crashes, aborts, hangs or burns CPU
 * must become one failed document with the reason, and the calling process
 * must carry on.  Real readers are exercised by the golden tests; here the
 * faults are made on purpose so every path is certain to run. */
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "extract/extract.h"

#include "check.h"

static void
good(void *ctx, struct gh_doc *doc, enum gh_status *st, GError **err)
{
  (void)ctx;
  (void)st;
  (void)err;
  gh_doc_add_text(doc, "三、收到和处理政府信息公开申请情况", strlen("三、收到和处理政府信息公开申请情况"));
  gh_doc_begin_row(doc);
  gh_doc_add_cell(doc, "", 0, 3, 1);
  gh_doc_add_cell(doc, "12", 2, 4, 2);
}

static void
aborts(void *ctx, struct gh_doc *doc, enum gh_status *st, GError **err)
{
  (void)ctx, (void)doc, (void)st, (void)err;
  abort();
}

static void
hangs(void *ctx, struct gh_doc *doc, enum gh_status *st, GError **err)
{
  (void)ctx, (void)doc, (void)st, (void)err;
  for(;;)
    pause();
}

static void
spins(void *ctx, struct gh_doc *doc, enum gh_status *st, GError **err)
{
  (void)ctx, (void)doc, (void)st, (void)err;
  volatile unsigned long x = 0;
  for(;;)
    x++;
}

static void
reports_ocr(void *ctx, struct gh_doc *doc, enum gh_status *st, GError **err)
{
  (void)ctx, (void)doc;
  *st = GH_STATUS_NEEDS_OCR;
  g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "no text layer");
}

static struct gh_doc *
run(gh_reader_fn fn, unsigned wall, unsigned cpu, enum gh_status *st, char **why)
{
  struct gh_extract_opts o;
  gh_extract_opts_init(&o);
  o.wall_seconds = wall;
  o.cpu_seconds = cpu;
  return gh_isolate_run(fn, NULL, 1024, &o, st, why);
}

int
main(void)
{
  enum gh_status st;
  char *why = NULL;
  struct gh_doc *doc = run(good, 10, 10, &st, &why);
  EXPECT(doc && st == GH_STATUS_PARSED, "good reader: %s", why ? why : "");
  if(doc) {
    EXPECT(doc->rows->len == 2, "rows %u", doc->rows->len);
    const struct gh_row *r = &g_array_index(doc->rows, struct gh_row, 1);
    EXPECT(r->kind == GH_ROW_TABLE && r->n_cells == 2 && r->cells[1].col == 4 &&
             r->cells[1].colspan == 2 && !strcmp(r->cells[1].text, "12") &&
             !strcmp(r->cells[0].text, ""),
           "cells survive the pipe with their columns");
  }
  gh_doc_free(&doc);
  g_free(why);

  doc = run(aborts, 10, 10, &st, &why);
  EXPECT(!doc && st == GH_STATUS_EXTRACT_FAILED && why && strstr(why, "SIGABRT"),
         "abort: %s", why ? why : "(null)");
  g_free(why);

  doc = run(hangs, 1, 10, &st, &why);
  EXPECT(!doc && st == GH_STATUS_EXTRACT_FAILED && why && strstr(why, "timed out after 1 s"),
         "hang: %s", why ? why : "(null)");
  g_free(why);

  doc = run(spins, 10, 1, &st, &why);
  EXPECT(!doc && st == GH_STATUS_EXTRACT_FAILED && why &&
           (strstr(why, "SIGXCPU") || strstr(why, "SIGKILL")),
         "cpu: %s", why ? why : "(null)");
  g_free(why);

  doc = run(reports_ocr, 10, 10, &st, &why);
  EXPECT(!doc && st == GH_STATUS_NEEDS_OCR && why && !strcmp(why, "no text layer"),
         "status crosses the pipe: %s", why ? why : "(null)");
  g_free(why);

  printf("%d checks, %d failures\n", checks, failures);
  return failures ? 1 : 0;
}

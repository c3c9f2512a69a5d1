/* The DOCX reader's failures (extract/docx.c) as a user reads them: a
 * worker out of memory must say so, not call the document damaged
 * ("not well-formed"), or an operator raises no limit and the report stays
 * lost.  The worker's RLIMIT_AS is off under the sanitizers, so libxml2's
 * allocator is made to fail instead. */
#include <errno.h>
#include <glib.h>
#include <libxml/parser.h>
#include <libxml/xmlmemory.h>
#include <stdlib.h>
#include <string.h>

#include "extract/confine.h"
#include "extract/extract.h"
#ifdef GH_UNDER_SANITIZER
#include <sanitizer/lsan_interface.h>
#endif

#include "check.h"

static size_t room; /* bytes libxml2 may still allocate */

/* As malloc fails: NULL and ENOMEM. */
static void *
tight_malloc(size_t n)
{
  if(n > room) {
    errno = ENOMEM;
    return NULL;
  }
  room -= n;
  return malloc(n);
}

static void *
tight_realloc(void *p, size_t n)
{
  if(n > room) {
    errno = ENOMEM;
    return NULL;
  }
  room -= n;
  return realloc(p, n);
}

static char *
tight_strdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = tight_malloc(n);
  if(d)
    memcpy(d, s, n);
  return d;
}

static void
quiet(void *ctx, xmlError *e)
{
  (void)ctx, (void)e; /* as the worker's handler: nothing on stderr */
}

static void
test_nomem(void)
{
  gchar *bytes;
  gsize len;
  if(!g_file_get_contents(SRC_DIR "/tests/data/reports/docx_seed_001.docx", &bytes, &len, NULL)) {
    EXPECT(false, "tests/data/reports/docx_seed_001.docx is readable");
    return;
  }
  unsigned failed = 0;
  for(size_t budget = 256; budget <= 64 * 1024; budget *= 4) {
    struct gh_doc *doc = gh_cells_new();
    GError *err = NULL;
    room = budget;
    xmlSetStructuredErrorFunc(NULL, quiet);
    /* libxml2 drops a buffer or two on its out-of-memory paths (a
     * worker then exits anyway): not this test's leak. */
#ifdef GH_UNDER_SANITIZER
    __lsan_disable();
#endif
    xmlMemSetup(free, tight_malloc, tight_realloc, tight_strdup);
    bool ok = gh_docx_to_doc(bytes, len, 64u << 20, doc, &err);
    xmlMemSetup(free, malloc, realloc, (xmlStrdupFunc)strdup);
#ifdef GH_UNDER_SANITIZER
    __lsan_enable();
#endif
    xmlSetStructuredErrorFunc(NULL, NULL);
    if(!ok) {
      failed++;
      EXPECT(g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOMEM) &&
               strstr(err->message, "out of memory") && !strstr(err->message, "well-formed"),
             "libxml2 out of memory at %zu bytes is reported as such: %s", budget,
             err ? err->message : "no error");
    }
    g_clear_error(&err);
    gh_cells_free(&doc);
  }
  EXPECT(failed >= 2, "the smaller budgets fail the read: %u of 6", failed);
  struct gh_doc *doc = gh_cells_new();
  GError *err = NULL;
  EXPECT(gh_docx_to_doc(bytes, len, 64u << 20, doc, &err), "with memory the same file reads: %s",
         err ? err->message : "");
  g_clear_error(&err);
  gh_cells_free(&doc);
  g_free(bytes);
}

static const struct gh_case cases[] = { GH_CASE(nomem) };

int
main(int argc, char **argv)
{
  return gh_cases_main("docx", cases, G_N_ELEMENTS(cases), argc, argv);
}

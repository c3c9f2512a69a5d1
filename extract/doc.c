#include "doc.h"

#include <stdarg.h>
#include <string.h>

struct gh_doc *
gh_doc_new(void)
{
  struct gh_doc *doc = g_new0(struct gh_doc, 1);
  doc->rows = g_array_new(FALSE, TRUE, sizeof(struct gh_row));
  doc->warnings = g_ptr_array_new_with_free_func(g_free);
  return doc;
}

void
gh_doc_free(struct gh_doc **docp)
{
  struct gh_doc *doc = *docp;
  if(!doc)
    return;
  for(guint i = 0; i < doc->rows->len; i++) {
    struct gh_row *r = &g_array_index(doc->rows, struct gh_row, i);
    for(unsigned c = 0; c < r->n_cells; c++)
      g_free(r->cells[c].text);
    g_free(r->cells);
  }
  g_array_free(doc->rows, TRUE);
  g_ptr_array_free(doc->warnings, TRUE);
  g_free(doc->title_hint);
  g_free(doc->date_hint);
  g_free(doc);
  *docp = NULL;
}

static struct gh_row *
last_row(struct gh_doc *doc)
{
  g_assert(doc->rows->len > 0);
  return &g_array_index(doc->rows, struct gh_row, doc->rows->len - 1);
}

static void
row_push(struct gh_row *r, const char *text, size_t len, int col, int colspan)
{
  /* Rows are short (a report table has at most ~20 columns), so growing one
   * cell at a time costs nothing measurable and keeps the struct simple. */
  r->cells = g_renew(struct gh_cell, r->cells, r->n_cells + 1);
  struct gh_cell *c = &r->cells[r->n_cells++];
  c->text = g_strndup(text, len);
  c->col = col;
  c->colspan = colspan > 0 ? colspan : 1;
}

void
gh_doc_add_text(struct gh_doc *doc, const char *text, size_t len)
{
  struct gh_row r = { .kind = GH_ROW_TEXT };
  g_array_append_val(doc->rows, r);
  row_push(last_row(doc), text, len, -1, 1);
}

void
gh_doc_begin_row(struct gh_doc *doc)
{
  struct gh_row r = { .kind = GH_ROW_TABLE };
  g_array_append_val(doc->rows, r);
}

void
gh_doc_add_cell(struct gh_doc *doc, const char *text, size_t len, int col,
                int colspan)
{
  if(doc->rows->len == 0 || last_row(doc)->kind != GH_ROW_TABLE)
    gh_doc_begin_row(doc);
  row_push(last_row(doc), text, len, col, colspan);
}

void
gh_doc_warn(struct gh_doc *doc, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_ptr_array_add(doc->warnings, g_strdup_vprintf(fmt, ap));
  va_end(ap);
}

void
gh_doc_dump(const struct gh_doc *doc, FILE *out)
{
  for(guint i = 0; i < doc->rows->len; i++) {
    const struct gh_row *r = &g_array_index(doc->rows, struct gh_row, i);
    fputs(r->kind == GH_ROW_TABLE ? "T" : "-", out);
    for(unsigned c = 0; c < r->n_cells; c++) {
      if(r->cells[c].col >= 0)
        fprintf(out, " [%d]", r->cells[c].col);
      else
        fputs(" |", out);
      fprintf(out, "%s", r->cells[c].text);
    }
    fputc('\n', out);
  }
}

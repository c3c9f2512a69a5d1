#include "cells.h"

#include <stdarg.h>
#include <string.h>

struct gh_doc *
gh_cells_new(void)
{
  struct gh_doc *doc = g_new0(struct gh_doc, 1);
  doc->rows = g_array_new(FALSE, TRUE, sizeof(struct gh_row));
  doc->warnings = g_ptr_array_new_with_free_func(g_free);
  return doc;
}

void
gh_cells_free(struct gh_doc **docp)
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
  c->conf = -1;
}

void
gh_cells_clear_rows(struct gh_doc *doc)
{
  for(guint i = 0; i < doc->rows->len; i++) {
    struct gh_row *r = &g_array_index(doc->rows, struct gh_row, i);
    for(unsigned c = 0; c < r->n_cells; c++)
      g_free(r->cells[c].text);
    g_free(r->cells);
  }
  g_array_set_size(doc->rows, 0);
}

void
gh_cells_set_conf(struct gh_doc *doc, int conf)
{
  if(doc->rows->len && last_row(doc)->n_cells)
    last_row(doc)->cells[last_row(doc)->n_cells - 1].conf = CLAMP(conf, 0, 100);
}

void
gh_cells_add_text(struct gh_doc *doc, const char *text, size_t len)
{
  struct gh_row r = { .kind = GH_ROW_TEXT };
  g_array_append_val(doc->rows, r);
  row_push(last_row(doc), text, len, -1, 1);
}

void
gh_cells_begin_row(struct gh_doc *doc)
{
  struct gh_row r = { .kind = GH_ROW_TABLE };
  g_array_append_val(doc->rows, r);
}

void
gh_cells_add_cell(struct gh_doc *doc, const char *text, size_t len, int col,
                int colspan)
{
  if(doc->rows->len == 0 || last_row(doc)->kind != GH_ROW_TABLE)
    gh_cells_begin_row(doc);
  row_push(last_row(doc), text, len, col, colspan);
}

void
gh_cells_warn(struct gh_doc *doc, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_ptr_array_add(doc->warnings, g_strdup_vprintf(fmt, ap));
  va_end(ap);
}

void
gh_cells_dump(const struct gh_doc *doc, FILE *out)
{
  gh_cells_dump_noted(doc, out, NULL, NULL);
}

void
gh_cells_dump_noted(const struct gh_doc *doc, FILE *out, gh_cell_note_fn note, void *ud)
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
      if(r->cells[c].conf >= 0) /* what OCR thought of its own reading */
        fprintf(out, " (%d%%)", r->cells[c].conf);
      if(note)
        note(i, c, out, ud);
    }
    fputc('\n', out);
  }
}

json_t *
gh_cells_to_json(const struct gh_doc *doc)
{
  json_t *rows = json_array();
  for(guint i = 0; i < doc->rows->len; i++) {
    const struct gh_row *r = &g_array_index(doc->rows, struct gh_row, i);
    json_t *cells = json_array();
    for(unsigned c = 0; c < r->n_cells; c++) {
      json_t *cj = json_pack("[s i i]", r->cells[c].text, r->cells[c].col, r->cells[c].colspan);
      if(r->cells[c].conf >= 0)
        json_array_append_new(cj, json_integer(r->cells[c].conf));
      json_array_append_new(cells, cj);
    }
    json_array_append_new(rows, json_pack("[i o]", (int)r->kind, cells));
  }
  json_t *w = json_array();
  for(guint i = 0; i < doc->warnings->len; i++)
    json_array_append_new(w, json_string(g_ptr_array_index(doc->warnings, i)));
  json_t *out = json_pack("{s o s s? s s? s o}", "rows", rows, "title_hint", doc->title_hint,
                           "date_hint", doc->date_hint, "warnings", w);
  if(doc->ocr)
    json_object_set_new(out, "ocr", json_true());
  return out;
}

struct gh_doc *
gh_cells_from_json(const json_t *j)
{
  json_t *rows = json_object_get(j, "rows");
  if(!json_is_array(rows))
    return NULL;
  struct gh_doc *doc = gh_cells_new();
  size_t i;
  json_t *row;
  json_array_foreach(rows, i, row) {
    json_t *cells = json_array_get(row, 1);
    int kind = (int)json_integer_value(json_array_get(row, 0));
    if(!json_is_array(cells) || (kind != GH_ROW_TEXT && kind != GH_ROW_TABLE))
      goto bad;
    if(kind == GH_ROW_TABLE)
      gh_cells_begin_row(doc);
    size_t k;
    json_t *cell;
    json_array_foreach(cells, k, cell) {
      const char *text = json_string_value(json_array_get(cell, 0));
      if(!text || !g_utf8_validate(text, -1, NULL))
        goto bad;
      if(kind == GH_ROW_TEXT)
        gh_cells_add_text(doc, text, strlen(text));
      else
        gh_cells_add_cell(doc, text, strlen(text), (int)json_integer_value(json_array_get(cell, 1)),
                        (int)json_integer_value(json_array_get(cell, 2)));
      if(json_is_integer(json_array_get(cell, 3)))
        gh_cells_set_conf(doc, (int)json_integer_value(json_array_get(cell, 3)));
    }
  }
  const char *t = json_string_value(json_object_get(j, "title_hint"));
  const char *d = json_string_value(json_object_get(j, "date_hint"));
  doc->title_hint = t ? g_strdup(t) : NULL;
  doc->date_hint = d ? g_strdup(d) : NULL;
  doc->ocr = json_is_true(json_object_get(j, "ocr"));
  json_t *w;
  json_array_foreach(json_object_get(j, "warnings"), i, w)
    if(json_is_string(w))
      g_ptr_array_add(doc->warnings, g_strdup(json_string_value(w)));
  return doc;
bad:
  gh_cells_free(&doc);
  return NULL;
}

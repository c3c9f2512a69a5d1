/* The parser's token stream (parse_tokens.h): a section's rows become TEXT
 * and VALUE tokens, so a label broken over lines, one character per line
 * or across cells reads the same as a clean one. */
#include "parse_tokens.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "textnorm.h"

const char *
gh_placement_name(enum gh_placement p)
{
  switch(p) {
  case GH_PLACE_HEADER: return "header";
  case GH_PLACE_COUNT: return "count";
  case GH_PLACE_ARITHMETIC: return "arithmetic";
  default: return "unplaced";
  }
}

static void
placement_clear(void *p)
{
  g_free(((struct gh_cell_placement *)p)->path);
}

GArray *
gh_placements_new(void)
{
  GArray *a = g_array_new(FALSE, FALSE, sizeof(struct gh_cell_placement));
  g_array_set_clear_func(a, placement_clear);
  return a;
}

/* Names the row in `unplaced` (once) and says why in `warnings`. */
void
parse_unplaced_row(struct ctx *cx, const char *path, const char *why)
{
  bool have = false;
  for(guint i = 0; i < cx->rec->unplaced->len && !have; i++)
    have = !strcmp(g_ptr_array_index(cx->rec->unplaced, i), path);
  if(!have)
    g_ptr_array_add(cx->rec->unplaced, g_strdup(path));
  gh_record_warn(cx->rec, "%s: %s; its cells are left blank (unplaced)", path, why);
}

/* ---- tokenising ---- */

static void
tok_push(GArray *toks, enum tok_kind kind, char *norm, const struct gh_value *v,
         guint row, int col, bool table)
{
  struct tok t = { .kind = kind, .norm = norm, .row = row, .col = col, .span = 1,
                   .table = table };
  if(v)
    t.v = *v;
  g_array_append_val(toks, t);
}

static bool
is_unit_word(const char *norm)
{
  return !strcmp(norm, "万元") || !strcmp(norm, "元");
}

/* Split "规章 0 0 0" into the label and its trailing values.  Only trailing
 * pieces are values: "2020 年，我局…" stays text. */
static void
split_text_cell(GArray *toks, const char *text, guint row, int col, bool table)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func(g_free);
  GArray *starts = g_array_new(FALSE, FALSE, sizeof(size_t));
  const char *p = text;
  while(*p) {
    while(*p && gh_is_space_uc(g_utf8_get_char(p)))
      p = g_utf8_next_char(p);
    if(!*p)
      break;
    const char *s = p;
    while(*p && !gh_is_space_uc(g_utf8_get_char(p)))
      p = g_utf8_next_char(p);
    size_t off = (size_t)(s - text);
    g_array_append_val(starts, off);
    g_ptr_array_add(pieces, gh_norm(s, (size_t)(p - s)));
  }

  /* Walk back over value pieces; a unit word joins the number before it. */
  struct gh_value vals[64];
  char *vnorm[64];
  int nv = 0;
  int real = 0;
  gint i = (gint)pieces->len - 1;
  while(i >= 0 && nv < 64) {
    const char *pc = g_ptr_array_index(pieces, i);
    char *joined = NULL;
    if(is_unit_word(pc) && i > 0) {
      joined = g_strconcat(g_ptr_array_index(pieces, i - 1), pc, NULL);
      pc = joined;
    }
    struct gh_value v;
    if(!gh_value_parse(pc, &v)) {
      g_free(joined);
      break;
    }
    vnorm[nv] = joined ? joined : g_strdup(pc);
    vals[nv++] = v;
    if(v.kind != GH_VALUE_BLANK)
      real++;
    i -= joined ? 2 : 1;
  }
  if(real == 0) {
    /* "- 3 -" style decoration or dashes in prose: not a row of values. */
    for(int k = 0; k < nv; k++)
      g_free(vnorm[k]);
    nv = 0;
    i = (gint)pieces->len - 1;
  }
  if(i >= 0) {
    size_t end = (guint)(i + 1) < starts->len
                   ? g_array_index(starts, size_t, i + 1)
                   : strlen(text);
    char *label = gh_norm(text, end);
    if(*label)
      tok_push(toks, TOK_TEXT, label, NULL, row, col, table);
    else
      g_free(label);
  }
  for(int k = nv - 1; k >= 0; k--)
    tok_push(toks, TOK_VALUE, vnorm[k], &vals[k], row, col, table);
  g_array_free(starts, TRUE);
  g_ptr_array_free(pieces, TRUE);
}

static void tokenize_cell(GArray *toks, const struct gh_cell *cell, guint r, bool table);

GArray *
parse_tokenize(const struct ctx *cx, guint from, guint to)
{
  GArray *toks = g_array_new(FALSE, TRUE, sizeof(struct tok));
  for(guint r = from; r < to && r < cx->nrows; r++) {
    const struct gh_row *row = &g_array_index(cx->doc->rows, struct gh_row, r);
    bool table = row->kind == GH_ROW_TABLE;
    if(cx->skip_row && cx->skip_row[r])
      continue;
    for(unsigned c = 0; c < row->n_cells; c++) {
      const struct gh_cell *cell = &row->cells[c];
      guint first_tok = toks->len;
      tokenize_cell(toks, cell, r, table);
      for(guint k = first_tok; k < toks->len; k++) {
        g_array_index(toks, struct tok, k).span = cell->colspan > 0 ? cell->colspan : 1;
        g_array_index(toks, struct tok, k).cell = c;
      }
    }
  }
  return toks;
}

static void
tokenize_cell(GArray *toks, const struct gh_cell *cell, guint r, bool table)
{
  char *norm = gh_norm(cell->text, strlen(cell->text));
  struct gh_value v;
  if(!*norm) {
    if(table) {
      v = (struct gh_value){ .kind = GH_VALUE_BLANK };
      tok_push(toks, TOK_VALUE, norm, &v, r, cell->col, table);
    }
    else
      g_free(norm);
    return;
  }
  /* In a table cell, "1 234" is one number with a stray space; on a text
   * line, spaces separate cells ("0 0 0"). */
  if(table && gh_value_parse(norm, &v)) {
    tok_push(toks, TOK_VALUE, norm, &v, r, cell->col, table);
    return;
  }
  g_free(norm);
  split_text_cell(toks, cell->text, r, cell->col, table);
}

void
parse_note(struct ctx *cx, const void *tok, enum gh_placement how, const char *fmt, ...)
{
  const struct tok *t = tok;
  if(!cx->placed || !t || t->kind != TOK_VALUE || t->v.kind == GH_VALUE_BLANK)
    return;
  va_list ap;
  va_start(ap, fmt);
  struct gh_cell_placement p = { .row = t->row, .cell = t->cell, .how = how,
                                 .path = g_strdup_vprintf(fmt, ap) };
  va_end(ap);
  g_array_append_val(cx->placed, p);
}

void
parse_toks_free(GArray *toks)
{
  for(guint i = 0; i < toks->len; i++)
    g_free(g_array_index(toks, struct tok, i).norm);
  g_array_free(toks, TRUE);
}

/* A run is the values that follow one label: within the same row for a
 * table (the next row has its own label), across lines for plain text. */
guint
parse_run_end(GArray *toks, guint i)
{
  const struct tok *first = &g_array_index(toks, struct tok, i);
  guint j = i;
  while(j < toks->len) {
    const struct tok *t = &g_array_index(toks, struct tok, j);
    if(t->kind != TOK_VALUE || (first->table && t->row != first->row))
      break;
    j++;
  }
  return j;
}

int
parse_run_real_values(GArray *toks, guint i, guint j)
{
  int n = 0;
  for(guint k = i; k < j; k++)
    if(g_array_index(toks, struct tok, k).v.kind != GH_VALUE_BLANK)
      n++;
  return n;
}

/* Positioned text -> cell stream: the tables of a report found and placed
 * from the geometry of their text (pdfgrid.h says what it promises).
 *
 * Tables are found from their values and placed by their headers:
 *  - lines with three or more values start a block, and section 二's small
 *    tables start at their 信息内容 header row;
 *  - the header cells above a block are stacked by geometry (cells on
 *    nearby lines whose x-ranges overlap), so a header wrapped in a narrow
 *    cell reads whole, and the leaf headers give the block's columns, a
 *    column that is blank on every row included (pdfgrid_header.c);
 *  - each value goes to the nearest header column, so a blank cell stays
 *    blank in its column instead of shifting the values after it, and rows
 *    that print a value or two belong to the table too;
 *  - a table runs on across page breaks and long wrapped labels, keeping
 *    its header's columns;
 *  - group labels set down a narrow column (三、本年度办理结果, （三）不予
 *    公开) are taken out of the row labels they interleave with and emitted
 *    whole after the table (pdfgrid_labels.c).
 * The header cells are emitted as a table row with their columns, so the
 * parser anchors values under them as it does for HTML and DOCX.
 * GH_DEBUG_PDF=1 prints the blocks, header stacks and label columns. */
#include "pdfgrid_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../record/cells.h"
#include "../record/textnorm.h"


static void
emit_text(struct gh_doc *doc, const struct pline *l)
{
  GString *s = g_string_new(NULL);
  unsigned kept = 0;
  for(guint i = 0; i < l->cells->len; i++) {
    const struct pcell *c = l->cells->pdata[i];
    if(c->group)
      continue;
    if(kept++)
      g_string_append(s, "  ");
    g_string_append(s, c->text);
  }
  if(kept || !l->cells->len)
    gh_cells_add_text(doc, s->str, s->len);
  g_string_free(s, TRUE);
}


/* A table row from a line, its values placed in the block's columns: a
 * blank cell stays blank in its column instead of shifting the values
 * after it.  False when the line does not fit the columns (then it stays
 * text). */
static bool
emit_table_row(struct gh_doc *doc, const struct pline *l, const double *cols, unsigned k,
               double tol, double label_x1, const char *label_head, const char *label_rest)
{
  if(!k)
    return false;
  GString *label = g_string_new(NULL);
  const struct pcell **slot = g_new0(const struct pcell *, k);
  bool ok = true, seen_value = false;
  struct pcell peeled = { 0 };
  for(guint i = 0; i < l->cells->len && ok; i++) {
    const struct pcell *c = l->cells->pdata[i];
    if(c->group)
      continue;
    /* A number left of the values is part of a label ("2." of "2.其他"). */
    if(!c->numeric || (c->x1 < label_x1 && !seen_value)) {
      /* Labels come before the values; text after them is not a row. */
      ok = !seen_value;
      /* A label that fills its cell leaves less than a glyph's gap before
       * the first value: "…只计这一情形 12" arrives as one run.  The number
       * after its last space is the first value; its centre lies about a
       * quarter glyph per digit before the run's end. */
      const char *sp = c->numeric ? NULL : strrchr(c->text, ' ');
      char *norm = sp && i + 1 < l->cells->len && ((struct pcell *)l->cells->pdata[i + 1])->numeric
                     ? gh_norm(sp + 1, strlen(sp + 1)) : NULL;
      struct gh_value v;
      if(norm && *norm && strspn(norm, "0123456789") == strlen(norm) && gh_value_parse(norm, &v)) {
        g_string_append_len(label, c->text, sp - c->text);
        peeled.text = (char *)(sp + 1); /* read only; never freed */
        peeled.x1 = c->x1;
        peeled.x0 = c->x1 - 0.5 * l->h * (double)strlen(norm);
        peeled.numeric = true;
        c = &peeled;
      } else {
        g_string_append(label, c->text);
      }
      g_free(norm);
      if(c != &peeled)
        continue;
    }
    seen_value = true;
    double mid = (c->x0 + c->x1) / 2;
    unsigned best = 0;
    for(unsigned j = 1; j < k; j++)
      if(fabs(cols[j] - mid) < fabs(cols[best] - mid))
        best = j;
    ok = fabs(cols[best] - mid) <= tol && !slot[best];
    slot[best] = c;
  }
  if(ok) {
    if(label_head)
      g_string_prepend(label, label_head);
    if(label_rest)
      g_string_append(label, label_rest);
    gh_cells_begin_row(doc);
    if(label->len)
      gh_cells_add_cell(doc, label->str, label->len, 0, 1);
    for(unsigned j = 0; j < k; j++)
      gh_cells_add_cell(doc, slot[j] ? slot[j]->text : "", slot[j] ? strlen(slot[j]->text) : 0,
                      (int)j + 1, 1);
  }
  g_free(slot);
  g_string_free(label, TRUE);
  return ok;
}


/* The end (exclusive) of the table block that numeric line i starts:
 * numeric lines no more than 12 lines apart (labels wrapped in narrow
 * cells take a line per few characters) whose value counts stay comparable
 * (section 二's 3 columns, 三's 7 and 四's 15 are separate tables). */
static guint
block_end(GPtrArray *lines, guint i)
{
  guint end = i + 1, last = i;
  unsigned max_n = ((struct pline *)lines->pdata[i])->numeric;
  for(guint j = i + 1; j < lines->len && j - last <= 12; j++) {
    struct pline *m = lines->pdata[j];
    /* The next table's heading or header ends this one, whatever the
     * value counts (a section 四 row with two blank groups prints five;
     * section 四 printed as one table per group, each under its own
     * caption and header). */
    if(!m->numeric && (pg_line_has(m, "行政复议") || pg_line_has(m, "信息内容") ||
                       pg_line_has(m, "第二十条") || pg_line_has(m, "收到和处理") ||
                       pg_line_has(m, "行政诉讼") || pg_line_has(m, "直接起诉") ||
                       pg_line_has(m, "复议后起诉") || pg_line_has(m, "结果维持")))
      break;
    if(m->numeric < 3)
      continue;
    if(m->numeric * 2 > max_n * 3 || max_n * 2 > m->numeric * 3 + 2)
      break;
    max_n = MAX(max_n, m->numeric);
    last = j;
    end = j + 1;
  }
  return end;
}


/* The right edge of the 信息内容 cell on line j, or a negative number. */
static double
info_header_edge(const struct pline *l)
{
  for(guint c = 0; c < l->cells->len; c++) {
    const struct pcell *pc = l->cells->pdata[c];
    char *n = gh_norm(pc->text, strlen(pc->text));
    bool hit = strstr(n, "信息内容") != NULL;
    g_free(n);
    if(hit)
      return pc->x1;
  }
  return -1;
}


/* How many of the applicant columns' header names (their first two
 * characters: a header set in a narrow cell wraps after them) the lines
 * [from, to) print. */
static unsigned
header_names_above(GPtrArray *lines, guint from, guint to)
{
  static const char *const heads[] = { "自然", "商业", "科研", "社会", "法律", "总计", NULL };
  unsigned n = 0;
  for(const char *const *h = heads; *h; h++) {
    bool seen = false;
    for(guint j = from; j < to && !seen; j++)
      seen = pg_line_has(lines->pdata[j], *h);
    n += seen;
  }
  return n;
}


/* Section 二's small tables: a header row led by 信息内容 (its cells maybe
 * wrapped over the next lines), then a row or two of one to three values.
 * Their rows are too short for the value-cluster blocks, and a blank cell
 * would shift the values after it, so each value goes to the nearest
 * header column.  Marks the lines it emits in `claimed`; returns the line
 * after the table. */
static guint
emit_info_table(struct gh_doc *doc, GPtrArray *lines, guint j, double edge, bool *claimed)
{
  guint hdr_end = j + 1;
  while(hdr_end < lines->len && hdr_end < j + 4 &&
        ((struct pline *)lines->pdata[hdr_end])->numeric == 0)
    hdr_end++;
  GArray *none = g_array_new(FALSE, FALSE, sizeof(double));
  GPtrArray *names = NULL;
  double reach = 0;
  GArray *cols = pg_header_columns(lines, j, hdr_end, edge + 1, none, &reach, &names);
  g_array_free(none, TRUE);
  if(!cols || !cols->len) {
    if(cols)
      g_array_free(cols, TRUE);
    if(names)
      g_ptr_array_free(names, TRUE);
    return j;
  }
  /* The header lines as text (the parser reads the form from them), then
   * the header cells as a row with their columns. */
  for(guint k = j; k < hdr_end; k++) {
    emit_text(doc, lines->pdata[k]);
    claimed[k] = true;
  }
  gh_cells_begin_row(doc);
  for(guint h = 0; h < names->len; h++) {
    const char *n = names->pdata[h];
    gh_cells_add_cell(doc, n, strlen(n), (int)h + 1, 1);
  }
  g_ptr_array_free(names, TRUE);
  /* The rows: lines with values until a line of text after them (the
   * table's end) or the next table's header; text lines before the first
   * row are its wrapped labels. */
  guint k = hdr_end, rows = 0;
  for(; k < lines->len && k < hdr_end + 12; k++) {
    struct pline *m = lines->pdata[k];
    if(pg_line_has(m, "信息内容") || pg_line_has(m, "第二十条") || pg_line_has(m, "收到和处理") ||
       m->numeric > cols->len)
      break;
    if(!m->numeric) {
      if(rows)
        break;
      emit_text(doc, m);
      claimed[k] = true;
      continue;
    }
    rows++;
    if(!emit_table_row(doc, m, (const double *)(void *)cols->data, cols->len, G_MAXDOUBLE,
                       edge + 1, NULL, NULL))
      emit_text(doc, m);
    claimed[k] = true;
  }
  g_array_free(cols, TRUE);
  return k;
}

/* Whether a row label starts an item of the form: "一、", "（三）", "2.",
 * "（七）总计". */
static bool
starts_item(const char *text)
{
  char *n = gh_norm(text, strlen(text));
  const char *p = n;
  bool yes = false;
  if(*p == '(') {
    p++;
    size_t d = strspn(p, "0123456789");
    const char *q = d ? p + d : NULL;
    if(!q && g_utf8_strchr("一二三四五六七八九十", -1, g_utf8_get_char(p)))
      q = g_utf8_next_char(p);
    yes = q && *q == ')';
  } else if(g_ascii_isdigit(*p)) {
    p += strspn(p, "0123456789");
    yes = *p == '.' || g_str_has_prefix(p, "、");
  } else if(*p && g_utf8_strchr("一二三四五六七八九十", -1, g_utf8_get_char(p))) {
    yes = g_str_has_prefix(g_utf8_next_char(p), "、");
  }
  g_free(n);
  return yes;
}

/* The rest of a row's label band from line `from`: a row label that
 * starts an item of the form (`first`, in a row top-aligned in a tall
 * cell) wraps onto the lines below it, which hold nothing else, down to
 * the next item, a line with values or one with other text (a header
 * repeated after a page break).  Those lines are the row's label, not
 * text after the row the parser would take for the start of the next
 * row's label; the last row's band may reach past the block's last line
 * of values.  NULL when it has no rest; *after is the line after the
 * band. */
static char *
band_rest(GPtrArray *lines, const struct pcell *first, guint from, double label_x1, guint *after)
{
  GString *rest = g_string_new(NULL);
  guint k = from;
  for(; k < lines->len && k < from + 7; k++) {
    const struct pline *q = lines->pdata[k];
    if(q->numeric)
      break;
    const struct pcell *only = NULL;
    unsigned texts = 0;
    for(guint c = 0; c < q->cells->len; c++) {
      const struct pcell *pc = q->cells->pdata[c];
      if(!pc->group) {
        only = pc;
        texts++;
      }
    }
    /* A wrapped line that fills its cell may end a little past the
     * labels' edge (the edge is where the values start, less a margin). */
    if(texts != 1 || fabs(only->x0 - first->x0) > 2 || only->x1 >= label_x1 + q->h ||
       starts_item(only->text))
      break;
    g_string_append(rest, only->text);
  }
  *after = k;
  if(!rest->len) {
    g_string_free(rest, TRUE);
    return NULL;
  }
  return g_string_free(rest, FALSE);
}

/* The first label cell of line m (not a group label's piece, not a value,
 * left of the labels' edge), or NULL. */
static const struct pcell *
row_label(const struct pline *m, double label_x1)
{
  for(guint c = 0; c < m->cells->len; c++) {
    const struct pcell *pc = m->cells->pdata[c];
    if(!pc->group && !pc->numeric)
      return pc->x0 < label_x1 ? pc : NULL;
  }
  return NULL;
}

/* The rest of row j's label band, when its label starts an item. */
static char *
label_band_rest(GPtrArray *lines, guint j, double label_x1, guint *after)
{
  const struct pcell *first = row_label(lines->pdata[j], label_x1);
  if(!first || !starts_item(first->text))
    return NULL;
  return band_rest(lines, first, j + 1, label_x1, after);
}

/* A row whose values sit on a line of their own, centred between the
 * first two lines of its label: line j holds only the label's first line
 * (it starts an item), line j + 1 the values and no label.  The label is
 * line j's text and the lines below the values down to the next item. */
static const struct pcell *
label_above(GPtrArray *lines, guint j, double label_x1)
{
  const struct pline *m = lines->pdata[j];
  if(m->numeric || j + 1 >= lines->len)
    return NULL;
  const struct pcell *only = NULL;
  unsigned texts = 0;
  for(guint c = 0; c < m->cells->len; c++) {
    const struct pcell *pc = m->cells->pdata[c];
    if(!pc->group) {
      only = pc;
      texts++;
    }
  }
  if(texts != 1 || only->x0 >= label_x1 || only->x1 >= label_x1 + m->h ||
     !starts_item(only->text) || row_label(lines->pdata[j + 1], label_x1))
    return NULL;
  return only;
}

/* Whether line i or a line next to it holds text (a row label) beside its
 * values: a lone number between empty lines is a page number, not a row. */
static bool
has_label_near(GPtrArray *lines, guint i)
{
  for(guint j = i > 0 ? i - 1 : 0; j <= i + 1 && j < lines->len; j++) {
    const struct pline *m = lines->pdata[j];
    if(m->cells->len > m->numeric)
      return true;
  }
  return false;
}

/* Whether lines [from, to) hold the start of another table or section. */
static bool
table_break_between(GPtrArray *lines, guint from, guint to)
{
  for(guint j = from; j < to && j < lines->len; j++) {
    const struct pline *q = lines->pdata[j];
    if(pg_line_has(q, "行政复议") || pg_line_has(q, "信息内容") || pg_line_has(q, "第二十条") ||
       pg_line_has(q, "收到和处理") || pg_line_has(q, "存在的主要问题") || pg_line_has(q, "其他需要报告"))
      return true;
  }
  return false;
}

static void
emit_lines(struct gh_doc *doc, GPtrArray *lines)
{
  guint i = 0, prev_end = 0;
  bool *claimed = g_new0(bool, lines->len + 1);
  /* The header columns of the last table, for its continuation after a
   * page break or a long wrapped label, where no header is printed. */
  GArray *last_hcols = NULL;
  double last_tol = 0;
  while(i < lines->len) {
    struct pline *l = lines->pdata[i];
    if(claimed[i]) {
      i++;
      continue;
    }
    double edge = info_header_edge(l);
    if(edge > 0) {
      guint next = emit_info_table(doc, lines, i, edge, claimed);
      if(next > i) {
        i = prev_end = next;
        continue;
      }
    }
    /* A row of one or two values (the rest blank) just before a table's
     * first full row is the table's first row: the table starts there. */
    guint lead = i;
    bool sparse = false;
    if(l->numeric && l->numeric < 3 && has_label_near(lines, i)) {
      guint k = i + 1;
      while(k < lines->len && k < i + 60 && ((struct pline *)lines->pdata[k])->numeric < 3)
        k++;
      if(k < lines->len && k < i + 60 && !claimed[k] && !table_break_between(lines, i + 1, k + 1))
        i = k;
      else
        sparse = true; /* no full row near: a table of blanks, if a header says so */
    }
    l = lines->pdata[i];
    if(l->numeric < 3 && !sparse) {
      emit_text(doc, l);
      i++;
      continue;
    }
    guint end = block_end(lines, i);
    double tol;
    unsigned rows;
    GArray *cols = pg_block_columns(lines, i, end, &tol, &rows);
    unsigned full = 0;
    for(guint j = i; j < end; j++)
      full += ((struct pline *)lines->pdata[j])->numeric == cols->len;
    bool table = cols->len >= 3 && full * 2 >= rows;
    if(getenv("GH_DEBUG_PDF"))
      fprintf(stderr, "block lines %u..%u: %u columns, %u of %u rows full%s\n", i, end, cols->len,
              full, rows, table ? "" : ": not a table");
    bool by_header = false;
    double lx = pg_label_edge(lines, i, end);
    /* Columns from values need most rows full to be certain; columns from
     * the header are certain even when most rows leave a cell blank. */
    /* A table whose every row is sparse (two or three of seven cells
     * printed) has too few columns of values to count as one, but the
     * applicant header above it says it is one. */
    bool headed = cols->len < 3 && !sparse &&
                  header_names_above(lines, lead > prev_end + 80 ? lead - 80 : prev_end, lead) >= 3;
    if(cols->len >= 3 || sparse || headed) {
      /* The header above the block, back to the previous block (at most 80
       * lines: rows of blanks and long labels may come first). */
      guint from = lead > prev_end + 80 ? lead - 80 : prev_end;
      GPtrArray *names = NULL;
      double htol = tol;
      GArray *hcols = pg_header_columns(lines, from, lead, lx, cols, &htol, &names);
      if(!hcols && last_hcols && last_hcols->len >= cols->len &&
         !table_break_between(lines, prev_end, i)) {
        bool cover = true;
        for(guint v = 0; v < cols->len && cover; v++) {
          double x = g_array_index(cols, double, v), best = G_MAXDOUBLE;
          for(guint h = 0; h < last_hcols->len; h++)
            best = MIN(best, fabs(g_array_index(last_hcols, double, h) - x));
          cover = best <= last_tol;
        }
        if(cover) {
          hcols = g_array_copy(last_hcols);
          htol = last_tol;
          names = g_ptr_array_new(); /* the header row was emitted with the table's start */
        }
      }
      if(hcols && sparse && hcols->len < 3) {
        /* A table of blanks is taken from a real table header only. */
        g_array_free(hcols, TRUE);
        g_ptr_array_free(names, TRUE);
        hcols = NULL;
      }
      if(hcols) {
        g_array_free(cols, TRUE);
        cols = hcols;
        tol = htol;
        by_header = table = true;
        if(last_hcols)
          g_array_free(last_hcols, TRUE);
        last_hcols = g_array_copy(cols);
        last_tol = tol;
        /* The headers as a table row, so the parser anchors the values
         * under them exactly as it does for HTML and DOCX. */
        gh_cells_begin_row(doc);
        for(guint h = 0; h < names->len; h++) {
          const char *n = names->pdata[h];
          gh_cells_add_cell(doc, n, strlen(n), (int)h + 1, 1);
        }
        g_ptr_array_free(names, TRUE);
      }
      /* Rows after the last full one that print only a value or two (the
       * rest blank) still belong to the table. */
      while(table && by_header && end < lines->len) {
        guint k = end;
        bool stop = false;
        while(k < lines->len && k < end + 30 && ((struct pline *)lines->pdata[k])->numeric == 0 &&
              !stop) {
          struct pline *q = lines->pdata[k];
          stop = pg_line_has(q, "行政复议") || pg_line_has(q, "信息内容") || pg_line_has(q, "第二十条") ||
                 pg_line_has(q, "存在的主要问题") || pg_line_has(q, "其他需要报告") ||
                 pg_line_has(q, "行政诉讼") || pg_line_has(q, "直接起诉") ||
                 pg_line_has(q, "复议后起诉") || pg_line_has(q, "结果维持");
          if(!stop)
            k++;
        }
        if(stop || k >= lines->len || k >= end + 30)
          break;
        struct pline *m = lines->pdata[k];
        if(m->numeric > cols->len)
          break;
        bool fits = true;
        for(guint c = 0; c < m->cells->len && fits; c++) {
          struct pcell *pc = m->cells->pdata[c];
          if(!pc->numeric || pc->x1 < lx)
            continue;
          double mid = (pc->x0 + pc->x1) / 2, best = G_MAXDOUBLE;
          for(guint h = 0; h < cols->len; h++)
            best = MIN(best, fabs(g_array_index(cols, double, h) - mid));
          fits = best <= tol;
        }
        if(!fits)
          break;
        end = k + 1;
      }
    }
    /* The labels' edge again, over the whole table now that it is known. */
    if(table)
      lx = pg_label_edge(lines, lead, end);
    GPtrArray *groups = table && lx > -G_MAXDOUBLE ? pg_mark_group_labels(lines, lead, end, lx) : NULL;
    if(!by_header) {
      /* Without a header's columns, rows of a value or two stay text. */
      for(guint j = lead; j < i; j++)
        emit_text(doc, lines->pdata[j]);
      lead = i;
      if(sparse) {
        emit_text(doc, l);
        if(groups)
          g_ptr_array_free(groups, TRUE);
        g_array_free(cols, TRUE);
        i++;
        continue;
      }
    }
    for(guint j = lead; j < end; j++) {
      struct pline *m = lines->pdata[j];
      /* With header columns, a row that prints one or two values (the
       * rest blank) is a row too; without them, too few values cannot
       * say which columns they are in. */
      bool row_like = m->numeric >= 3 || (by_header && m->numeric >= 1);
      guint rest_end = j + 1;
      const struct pcell *above = table && !row_like && lx > -G_MAXDOUBLE && j + 1 < end
                                    ? label_above(lines, j, lx) : NULL;
      if(above) {
        struct pline *v = lines->pdata[j + 1];
        if(v->numeric >= 3 || (by_header && v->numeric >= 1)) {
          char *rest = band_rest(lines, above, j + 2, lx, &rest_end);
          if(rest_end < j + 2)
            rest_end = j + 2;
          bool done = emit_table_row(doc, v, (const double *)(void *)cols->data, cols->len, tol,
                                     lx, above->text, rest);
          g_free(rest);
          if(done) {
            j = rest_end - 1;
            end = MAX(end, rest_end);
            continue;
          }
        }
        rest_end = j + 1;
      }
      char *rest = table && row_like && lx > -G_MAXDOUBLE ? label_band_rest(lines, j, lx, &rest_end)
                                                          : NULL;
      if(!table || !row_like ||
         !emit_table_row(doc, m, (const double *)(void *)cols->data, cols->len, tol, lx, NULL, rest)) {
        emit_text(doc, m);
        rest_end = j + 1;
      }
      g_free(rest);
      j = rest_end - 1;
      end = MAX(end, rest_end);
    }
    for(guint g = 0; groups && g < groups->len; g++) {
      const char *t = groups->pdata[g];
      gh_cells_add_text(doc, t, strlen(t));
    }
    if(groups)
      g_ptr_array_free(groups, TRUE);
    g_array_free(cols, TRUE);
    i = prev_end = end;
  }
  if(last_hcols)
    g_array_free(last_hcols, TRUE);
  g_free(claimed);
}

size_t
gh_pdfgrid_to_doc(const struct gh_grid_box *boxes, size_t n, struct gh_doc *doc)
{
  /* All pages' lines first: a table continues across a page break, and
   * its columns are found over the whole of it. */
  GPtrArray *lines = g_ptr_array_new_with_free_func(pg_pline_free);
  size_t glyphs = 0;
  for(size_t i = 0; i < n;) {
    size_t j = i + 1;
    while(j < n && boxes[j].page == boxes[i].page)
      j++;
    glyphs += pg_page_lines(lines, boxes + i, j - i);
    i = j;
  }
  emit_lines(doc, lines);
  g_ptr_array_free(lines, TRUE);
  return glyphs;
}

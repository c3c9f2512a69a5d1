/* Group labels set down a narrow column of a table block (pdfgrid.h),
 * taken out of the row labels they interleave with. */
#include "pdfgrid_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- group labels set down a narrow column ----
 *
 * Section 三 prints its group labels (三、本年度办理结果, （三）不予公开 …)
 * in narrow merged cells left of the row labels, a character or two per
 * line.  Read line by line, those pieces land between the pieces of the
 * row labels beside them ("予以" + "、" + "公开") and break the phrases
 * the parser matches.  The label columns are where label cells start;
 * a piece that fits inside its label column, with a piece at the same
 * place on the line above or below, is part of a vertical group label:
 * it is taken out of the rows and the group label is emitted whole after
 * the table. */

static int
by_double_asc(const void *a, const void *b)
{
  double p = *(const double *)a, q = *(const double *)b;
  return (p > q) - (p < q);
}

/* Where label cells start in lines [i, end): clusters of their x0 held by
 * at least two cells, left to right. */
static GArray *
label_columns(GPtrArray *lines, guint i, guint end, double label_x1)
{
  GArray *xs = g_array_new(FALSE, FALSE, sizeof(double));
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      if(pc->x0 < label_x1 && !pc->numeric)
        g_array_append_val(xs, pc->x0);
    }
  }
  if(xs->len)
    qsort(xs->data, xs->len, sizeof(double), by_double_asc);
  GArray *cols = g_array_new(FALSE, FALSE, sizeof(double));
  guint run = 0;
  for(guint k = 0; k <= xs->len; k++) {
    if(k < xs->len && k > run && g_array_index(xs, double, k) - g_array_index(xs, double, k - 1) <= 2)
      continue;
    if(k > run && k - run >= 2)
      g_array_append_val(cols, g_array_index(xs, double, run));
    run = k;
  }
  g_array_free(xs, TRUE);
  return cols;
}

/* The label column a cell starts in, and the start of the next one. */
static int
label_col_of(const GArray *cols, double x0, double *next)
{
  int best = -1;
  for(guint k = 0; k < cols->len; k++)
    if(fabs(g_array_index(cols, double, k) - x0) <= 2)
      best = (int)k;
  *next = best >= 0 && (guint)best + 1 < cols->len ? g_array_index(cols, double, best + 1)
                                                   : G_MAXDOUBLE;
  return best;
}

static bool
fits_label_col(const GArray *cols, const struct pcell *pc, int *col)
{
  double next;
  *col = label_col_of(cols, pc->x0, &next);
  return *col >= 0 && next < G_MAXDOUBLE && pc->x1 < next - 1 && !pc->numeric;
}

/* Whether line m has a piece at x0 that fits label column `col`, of at
 * most `max_chars` characters (0: any). */
static bool
line_has_fitting(const struct pline *m, const GArray *cols, int col, double x0, long max_chars)
{
  for(guint c = 0; c < m->cells->len; c++) {
    const struct pcell *pc = m->cells->pdata[c];
    int k;
    if(fabs(pc->x0 - x0) <= 2 && fits_label_col(cols, pc, &k) && k == col &&
       (!max_chars || g_utf8_strlen(pc->text, -1) <= max_chars))
      return true;
  }
  return false;
}

/* Whether line m has a row label starting at or after x `from`. */
static bool
line_has_label_from(const struct pline *m, double from, double label_x1)
{
  for(guint d = 0; d < m->cells->len; d++) {
    const struct pcell *o = m->cells->pdata[d];
    if(!o->numeric && !o->group && o->x0 >= from - 2 && o->x0 < label_x1)
      return true;
  }
  return false;
}

/* A line whose label is spread over its cell (分散对齐): three or more
 * single characters left of the values at equal gaps.  A vertical group
 * label puts one piece on a line, two at most. */
static bool
spread_label(const struct pline *m, double label_x1)
{
  unsigned singles = 0;
  double gmin = G_MAXDOUBLE, gmax = 0, prev_x1 = 0;
  for(guint c = 0; c < m->cells->len; c++) {
    const struct pcell *pc = m->cells->pdata[c];
    if(pc->x0 >= label_x1 || !pg_single_cjk(pc))
      continue;
    if(singles) {
      gmin = MIN(gmin, pc->x0 - prev_x1);
      gmax = MAX(gmax, pc->x0 - prev_x1);
    }
    prev_x1 = pc->x1;
    singles++;
  }
  return singles >= 3 && gmax <= 1.3 * gmin + 0.5;
}

static bool
short_piece(const struct pcell *pc, double label_x1)
{
  return !pc->numeric && !pc->group && pc->x0 < label_x1 && g_utf8_strlen(pc->text, -1) <= 3;
}

/* Whether line m has a row label piece starting right of x. */
static bool
label_right_of(const struct pline *m, double x, double label_x1)
{
  for(guint d = 0; d < m->cells->len; d++) {
    const struct pcell *o = m->cells->pdata[d];
    if(!o->numeric && !o->group && o->x0 > x && o->x0 < label_x1)
      return true;
  }
  return false;
}

/* Group labels centred in their cells start wherever their text's width
 * puts them, so the label columns (where label cells start) miss them: a
 * piece of up to three characters with a row label right of it, on its
 * line or the next, and another such piece centred on the same x within
 * three lines, is a group label's too. */
static void
centred_group_labels(GPtrArray *lines, guint i, guint end, double label_x1, GPtrArray *groups)
{
  GString *acc = NULL;
  double acc_mid = 0;
  guint acc_line = 0;
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    if(spread_label(m, label_x1))
      continue;
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      if(!short_piece(pc, label_x1))
        continue;
      bool right = label_right_of(m, pc->x1 + 2, label_x1) ||
                   (j + 1 < end && label_right_of(lines->pdata[j + 1], pc->x1 + 2, label_x1)) ||
                   (j > i && label_right_of(lines->pdata[j - 1], pc->x1 + 2, label_x1));
      if(!right)
        continue;
      double mid = (pc->x0 + pc->x1) / 2;
      bool stacked = false;
      for(guint d = j > i + 3 ? j - 3 : i; d <= j + 3 && d < end && !stacked; d++) {
        if(d == j)
          continue;
        const struct pline *o = lines->pdata[d];
        for(guint e = 0; e < o->cells->len && !stacked; e++) {
          const struct pcell *q = o->cells->pdata[e];
          stacked = (short_piece(q, label_x1) || q->group) &&
                    fabs((q->x0 + q->x1) / 2 - mid) <= 2;
        }
      }
      if(!stacked)
        continue;
      pc->group = true;
      if(acc && (fabs(mid - acc_mid) > 2 || acc_line + 3 < j)) {
        g_ptr_array_add(groups, g_string_free(acc, FALSE));
        acc = NULL;
      }
      if(!acc)
        acc = g_string_new(NULL);
      g_string_append(acc, pc->text);
      acc_mid = mid;
      acc_line = j;
    }
  }
  if(acc)
    g_ptr_array_add(groups, g_string_free(acc, FALSE));
}

/* Mark the group-label pieces of block [i, end) and emit nothing; returns
 * the group labels, joined down their columns, for after the table. */
GPtrArray *
pg_mark_group_labels(GPtrArray *lines, guint i, guint end, double label_x1)
{
  GPtrArray *groups = g_ptr_array_new_with_free_func(g_free);
  GArray *cols = label_columns(lines, i, end, label_x1);
  if(getenv("GH_DEBUG_PDF")) {
    fprintf(stderr, "label columns of lines %u..%u (labels end at %.0f):", i, end, label_x1);
    for(guint k = 0; k < cols->len; k++)
      fprintf(stderr, " %.1f", g_array_index(cols, double, k));
    fprintf(stderr, "\n");
  }
  if(cols->len < 2) {
    g_array_free(cols, TRUE);
    centred_group_labels(lines, i, end, label_x1, groups);
    return groups;
  }
  GString **acc = g_new0(GString *, cols->len);
  guint *last = g_new0(guint, cols->len);
  for(guint j = i; j < end; j++) {
    struct pline *m = lines->pdata[j];
    if(spread_label(m, label_x1))
      continue; /* a spread row label's characters, not a group label's */
    for(guint c = 0; c < m->cells->len; c++) {
      struct pcell *pc = m->cells->pdata[c];
      int k;
      if(!fits_label_col(cols, pc, &k))
        continue;
      bool above = j > i && line_has_fitting(lines->pdata[j - 1], cols, k, pc->x0, 0);
      bool below = j + 1 < end && line_has_fitting(lines->pdata[j + 1], cols, k, pc->x0, 0);
      /* Beside it on the line, a label in a later column: the piece and
       * that label are two cells, not one label wrapped (a row label over
       * two columns, "（六）其他处理", wraps with nothing beside it). */
      double nx = g_array_index(cols, double, k + 1);
      bool beside = line_has_label_from(m, nx, label_x1);
      if(!beside) {
        /* Centred vertically, a group label's pieces sit between the row
         * labels' lines: a piece of up to three characters, another such
         * piece two lines up or down, row labels on the lines around. */
        bool near_piece = false, near_label = false;
        if(g_utf8_strlen(pc->text, -1) <= 3) {
          for(guint d = j > i + 2 ? j - 2 : i; d <= j + 2 && d < end; d++)
            if(d != j && line_has_fitting(lines->pdata[d], cols, k, pc->x0, 3))
              near_piece = true;
          for(guint d = j > i ? j - 1 : i; d <= j + 1 && d < end; d++)
            if(d != j && line_has_label_from(lines->pdata[d], nx, label_x1))
              near_label = true;
        }
        beside = near_piece && near_label;
        above = below = beside;
      }
      if((!above && !below) || !beside)
        continue;
      pc->group = true;
      if(acc[k] && last[k] + 1 < j) {
        g_ptr_array_add(groups, g_string_free(acc[k], FALSE));
        acc[k] = NULL;
      }
      if(!acc[k])
        acc[k] = g_string_new(NULL);
      g_string_append(acc[k], pc->text);
      last[k] = j;
    }
  }
  for(guint k = 0; k < cols->len; k++)
    if(acc[k])
      g_ptr_array_add(groups, g_string_free(acc[k], FALSE));
  g_free(acc);
  g_free(last);
  g_array_free(cols, TRUE);
  centred_group_labels(lines, i, end, label_x1, groups);
  return groups;
}

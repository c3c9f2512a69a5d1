/* Section 二's reader (parse_proactive.h). */
#include "parse_proactive.h"

#include <string.h>

#include "parse_labels.h"
#include "parse_order.h"
#include "parse_place.h"

static void
set_money(struct ctx *cx, const struct tok *t, enum gh_template tpl)
{
  struct gh_money *m = &cx->rec->amount;
  if(!t || t->v.kind == GH_VALUE_BLANK)
    return;
  m->set = true;
  g_free(m->text);
  m->text = g_strdup(t->norm);
  m->unit_printed = t->v.unit != GH_UNIT_NONE;
  switch(t->v.unit) {
  case GH_UNIT_YUAN: m->wan = t->v.d / 10000.0; break;
  default: m->wan = t->v.d; break; /* 万元, or as written (2021: header fixes 万元) */
  }
  (void)tpl;
}

/* Whether every row of the form is read by the label before it, once,
 * with the row's own number of cells: the reading in place needs no help. */
static bool
read_in_place(GArray *toks, const struct gh_pro_desc *layout)
{
  GString *label = g_string_new(NULL);
  bool after = false, clean = true, seen[GH_PRO_N] = { false };
  for(guint i = 0; i < toks->len && clean;) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind == TOK_TEXT) {
      if(after)
        g_string_truncate(label, 0);
      after = false;
      g_string_append(label, t->norm);
      i++;
      continue;
    }
    guint j = parse_run_end(toks, i);
    int row = label->len ? parse_match_key(parse_pro_keys, label->str) : -1;
    const struct gh_pro_desc *d = NULL;
    for(const struct gh_pro_desc *x = layout; x->key && row >= 0; x++)
      if((int)x->row == row)
        d = x;
    if(parse_run_real_values(toks, i, j) > 0) {
      clean = d && !seen[d->row] && j - i == (guint)(d->n_ints + d->money);
      after = true;
    }
    if(d)
      seen[d->row] = after = true;
    i = j;
  }
  for(const struct gh_pro_desc *x = layout; x->key && clean; x++)
    clean = seen[x->row];
  g_string_free(label, TRUE);
  return clean;
}

/* Text whose labels stand apart from their values, with every cell
 * printed: the rows by the form's order (parse_order.h). */
static bool
read_by_order(struct ctx *cx, GArray *toks, enum gh_template tpl)
{
  const struct gh_pro_desc *layout = gh_pro_layout(tpl);
  const struct tok *cells[GH_PRO_N * 4];
  if(read_in_place(toks, layout) || !parse_order_pro(toks, tpl, cells))
    return false;
  for(int k = 0; layout[k].key; k++) {
    const struct gh_pro_desc *d = &layout[k];
    for(int c = 0; c < d->n_ints; c++) {
      char *path = g_strdup_printf("proactive.%s.%s", d->key, d->fields[c]);
      parse_cell_to_count(cx, cells[k * 4 + c], &cx->rec->pro[d->row][c], path, 0);
      parse_note(cx, cells[k * 4 + c], GH_PLACE_COUNT, "%s", path);
      g_free(path);
    }
    if(d->money) {
      set_money(cx, cells[k * 4 + d->n_ints], tpl);
      parse_note(cx, cells[k * 4 + d->n_ints], GH_PLACE_COUNT, "proactive.%s.amount_wan", d->key);
    }
  }
  cx->rec->has_proactive = true;
  return true;
}

void
parse_proactive(struct ctx *cx, GArray *toks, enum gh_template tpl)
{
  if(read_by_order(cx, toks, tpl))
    return;
  const struct gh_pro_desc *layout = gh_pro_layout(tpl);
  GString *label = g_string_new(NULL);
  bool after_values = false;
  bool seen[GH_PRO_N] = { false };
  /* Each block prints its own header row (信息内容 | 本年制发件数 | …); its
   * cells after 信息内容 anchor the block's value columns. */
  struct anchors hdr = { 0 };
  guint hdr_row = G_MAXUINT;
  for(guint i = 0; i < toks->len;) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind == TOK_TEXT) {
      if(after_values) {
        g_string_truncate(label, 0);
        after_values = false;
      }
      if(t->table && t->col >= 0 && !strstr(t->norm, "信息内容") &&
         (strstr(t->norm, "数量") || strstr(t->norm, "件数") || strstr(t->norm, "金额") ||
          strstr(t->norm, "增/减") || strstr(t->norm, "增减"))) {
        if(t->row != hdr_row) {
          hdr.n = 0;
          hdr_row = t->row;
        }
        if(hdr.n < MAX_ANCHORS && (!hdr.n || t->col >= hdr.hi[hdr.n - 1])) {
          hdr.lo[hdr.n] = t->col;
          hdr.hi[hdr.n] = t->col + (t->span > 0 ? t->span : 1);
          hdr.n++;
        }
      }
      g_string_append(label, t->norm);
      i++;
      continue;
    }
    guint j = parse_run_end(toks, i);
    int real = parse_run_real_values(toks, i, j);
    int row = label->len ? parse_match_key(parse_pro_keys, label->str) : -1;
    const struct gh_pro_desc *d = NULL;
    for(const struct gh_pro_desc *x = layout; x->key && row >= 0; x++)
      if((int)x->row == row)
        d = x;
    if(real == 0) {
      if(d)
        after_values = true;
      i = j;
      continue;
    }
    if(!d) {
      char *s = parse_shorten(label->str);
      gh_record_warn(cx->rec, "proactive: row '%s' is not in the %s form; its values are ignored",
                     s, gh_template_name(tpl));
      g_free(s);
    }
    else if(seen[d->row]) {
      gh_record_warn(cx->rec, "proactive.%s printed twice; the first is kept", d->key);
    }
    else {
      int ncols = d->n_ints + (d->money ? 1 : 0);
      const struct tok *cells[MAX_ANCHORS];
      const char *guess = NULL;
      enum gh_placement how = GH_PLACE_HEADER;
      bool anchored = hdr.n == ncols && parse_place_anchored(toks, i, j, cells, &hdr);
      if(anchored && j - i == (guint)ncols) {
        /* The row's cells are the form's, in order: headers that put them
         * elsewhere sit on a grid this row does not share (a caption run
         * into the header row), as in section 三. */
        for(int c = 0; c < ncols && anchored; c++)
          anchored = cells[c] == &g_array_index(toks, struct tok, i + (guint)c);
        if(!anchored)
          gh_record_warn(cx->rec, "proactive.%s: its cells do not sit under the block's "
                         "headers; read in order", d->key);
      }
      if(!anchored)
        guess = parse_place_run(toks, i, j, cells, ncols, -1, ALIGN_LEFT, &how);
      if(how == GH_PLACE_UNPLACED) {
        /* Section 二's rows have no sums to place a missing cell by. */
        char *path = g_strdup_printf("proactive.%s", d->key);
        char *why = g_strdup_printf("%d of %d cells printed with no header above them", real,
                                    ncols);
        parse_unplaced_row(cx, path, why);
        for(guint x = i; x < j; x++)
          parse_note(cx, &g_array_index(toks, struct tok, x), how, "%s", path);
        g_free(why);
        g_free(path);
      }
      if(guess)
        gh_record_warn(cx->rec, "proactive.%s: %d of %d cells printed; %s", d->key, real,
                       ncols, guess);
      for(int c = 0; c < d->n_ints && how != GH_PLACE_UNPLACED; c++) {
        char *path = g_strdup_printf("proactive.%s.%s", d->key, d->fields[c]);
        parse_cell_to_count(cx, cells[c], &cx->rec->pro[d->row][c], path, 0);
        parse_note(cx, cells[c], how, "%s", path);
        g_free(path);
      }
      if(d->money && how != GH_PLACE_UNPLACED) {
        set_money(cx, cells[d->n_ints], tpl);
        parse_note(cx, cells[d->n_ints], how, "proactive.%s.amount_wan", d->key);
      }
      seen[d->row] = true;
      cx->rec->has_proactive = true;
    }
    after_values = true;
    i = j;
  }
  g_string_free(label, TRUE);
}

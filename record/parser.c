/* Report parser.  How it reads a table without trusting the layout:
 *
 * 1. Sections are found by their heading texts (parse_labels.c).
 * 2. Each section becomes a token stream of TEXT and VALUE tokens
 *    (parse_tokens.c).  Label text accumulates until values arrive, so a
 *    label broken over lines, one character per line or across cells
 *    reads the same as a clean one.
 * 3. The accumulated text is matched against distinctive key phrases of
 *    each row; the key that ends last wins (parse_labels.c), and where
 *    labels wrap around their values the rows are aligned with the form's
 *    order (parse_align.c).
 * 4. Values are placed under their column headers where the page prints
 *    them (grid columns from HTML/DOCX, glyph x-extents from PDF), by cell
 *    order when the row delimits every cell of the form (parse_place.c),
 *    and otherwise by the form's arithmetic only when it leaves exactly
 *    one placement (parse_apps.c, parse_appeals.c, arith.c).  A row that
 *    none of these places is never filled from the left: its cells stay
 *    blank and the record names it in `unplaced`.
 *
 * This file is the driver: sections, title, the three readers
 * (parse_proactive.c, parse_apps.c, parse_appeals.c), the template
 * verdict, then the record's derived cells and checks.  parse_tokens.h
 * lists the files and the one-way order in which they call each other. */
#include "parser.h"

#include <string.h>

#include "parse_appeals.h"
#include "parse_apps.h"
#include "parse_labels.h"
#include "parse_proactive.h"
#include "parse_tokens.h"
#include "textnorm.h"
#include "title.h"

static char *
row_text(const struct gh_row *row)
{
  GString *s = g_string_new(NULL);
  for(unsigned c = 0; c < row->n_cells; c++)
    g_string_append(s, row->cells[c].text);
  char *n = gh_norm(s->str, s->len);
  g_string_free(s, TRUE);
  return n;
}

void
gh_report_parse(const struct gh_doc *doc, struct gh_record *rec)
{
  gh_report_parse_placed(doc, rec, NULL);
}

void
gh_report_parse_placed(const struct gh_doc *doc, struct gh_record *rec, GArray *placed)
{
  struct ctx cx = { .doc = doc, .rec = rec, .nrows = doc->rows->len, .placed = placed };
  cx.rownorm = g_new0(char *, cx.nrows + 1);
  bool any_text = false;
  for(guint r = 0; r < cx.nrows; r++) {
    cx.rownorm[r] = row_text(&g_array_index(doc->rows, struct gh_row, r));
    any_text |= cx.rownorm[r][0] != '\0';
  }
  for(guint i = 0; i < doc->warnings->len; i++)
    gh_record_warn(rec, "%s", (const char *)g_ptr_array_index(doc->warnings, i));

  if(!any_text) {
    gh_record_fail(rec, GH_STATUS_EMPTY, "the document holds no text");
    goto out;
  }

  struct sections s;
  parse_find_sections(&cx, &s);
  guint head_end = cx.nrows;
  for(int k = 0; k < SEC_N; k++)
    if(s.start[k] >= 0 && (guint)s.start[k] < head_end)
      head_end = (guint)s.start[k];
  if(head_end > 60)
    head_end = 60;

  gh_report_title(cx.rownorm, cx.nrows, head_end, doc, rec);

  GArray *t2 = s.start[SEC_PROACTIVE] >= 0 ? parse_tokenize(&cx, s.from[SEC_PROACTIVE], s.to[SEC_PROACTIVE]) : NULL;
  if(s.start[SEC_APPLICATIONS] >= 0)
    parse_mark_repeated_header(&cx, s.from[SEC_APPLICATIONS], s.to[SEC_APPLICATIONS]);
  GArray *t3 = s.start[SEC_APPLICATIONS] >= 0 ? parse_tokenize(&cx, s.from[SEC_APPLICATIONS], s.to[SEC_APPLICATIONS]) : NULL;
  GArray *t4 = s.start[SEC_APPEALS] >= 0 ? parse_tokenize(&cx, s.from[SEC_APPEALS], s.to[SEC_APPEALS]) : NULL;

  struct app_state st = { 0 };
  if(t3)
    parse_applications(&cx, t3, &st);

  enum gh_template tpl2 = t2 ? parse_vote(t2) : GH_TEMPLATE_UNKNOWN;
  enum gh_template tpl3 = st.marker_2021 ? GH_TEMPLATE_2021
                          : st.marker_2019 ? GH_TEMPLATE_2019 : GH_TEMPLATE_UNKNOWN;
  rec->tpl = tpl2 != GH_TEMPLATE_UNKNOWN ? tpl2 : tpl3;
  if(tpl2 && tpl3 && tpl2 != tpl3)
    gh_record_warn(rec, "section 二 follows the %s form but section 三 the %s form",
                   gh_template_name(tpl2), gh_template_name(tpl3));

  if(t2 && rec->tpl != GH_TEMPLATE_UNKNOWN)
    parse_proactive(&cx, t2, rec->tpl);
  if(t4)
    parse_appeals(&cx, t4);

  for(int k = SEC_PROACTIVE; k <= SEC_APPEALS; k++)
    if(s.start[k] < 0)
      gh_record_warn(rec, "section %s not found", parse_sec_names[k]);
  if(t2 && !rec->has_proactive)
    gh_record_warn(rec, "section 二 has no table values");
  if(t4 && !rec->has_appeals)
    gh_record_warn(rec, "section 四 has no table values");
  if(rec->has_applications)
    for(int i = 0; i < GH_APP_N; i++) {
      if(gh_app_rows[i].only_2021 && rec->tpl != GH_TEMPLATE_2021)
        continue;
      if(i == GH_APP_OTHER && rec->tpl == GH_TEMPLATE_2021)
        continue; /* a group label in the 2021 form */
      if(!st.seen[i] && !st.printed_blank[i])
        gh_record_warn(rec, "applications.%s: row not found", gh_app_rows[i].path);
    }

  if(!rec->has_applications) {
    bool looks = rec->agency || s.start[SEC_APPLICATIONS] >= 0 || s.start[SEC_PROACTIVE] >= 0;
    if(looks)
      gh_record_warn(rec, "section 三 has no readable values: the record keeps its title, "
                     "year and what sections 二 and 四 gave (%s, %s)",
                     rec->has_proactive ? "二 read" : "二 not read",
                     rec->has_appeals ? "四 read" : "四 not read");
    if(looks)
      gh_record_fail(rec, GH_STATUS_TABLES_NOT_FOUND,
                     "found the report's %s but no values in the section 三 table "
                     "(收到和处理政府信息公开申请情况)",
                     s.start[SEC_APPLICATIONS] >= 0 ? "section 三 heading" : "title");
    else
      gh_record_fail(rec, GH_STATUS_NOT_A_REPORT,
                     "no 政府信息公开工作年度报告 title and no report sections found");
  }
  else {
    rec->status = GH_STATUS_PARSED;
    gh_record_derive(rec);
    gh_record_check(rec);
  }

  if(t2)
    parse_toks_free(t2);
  if(t3)
    parse_toks_free(t3);
  if(t4)
    parse_toks_free(t4);
out:
  g_free(cx.skip_row);
  g_strfreev(cx.rownorm);
}

/* Flattened pages: a report whose whole text is one line.
 *
 * Archivers and copy tools that take a portal page's text content run its
 * table cells together with no separator at all:
 *   …一、本年新收政府信息公开申请数量640020470二、上年结转…
 * where "640020470" is the seven cells 64|0|0|2|0|4|70.  Such a page is
 * rebuilt here into the rows the parser reads: the section headings on
 * lines of their own, and each table row a label and its cells.  A run of
 * digits is split into the row's number of cells only where the form's
 * own arithmetic leaves one reading: a number has no leading zero, a
 * section 三 row's total is the sum of its six applicant cells, the
 * columns balance (new + carried in = total + carried over) and the
 * outcome rows add up to the total, and each section 四 group's total is
 * the sum of its four results.  A run that still reads more than one way
 * is left out, with a warning that names it: never a guess. */
#include "flat.h"

#include <string.h>

#include "../record/parser.h"
#include "../record/textnorm.h"

static const char *const headings[] = {
  "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
  "六、其他需要报告的事项", NULL,
};

enum { SEC_PRO = 1, SEC_APP = 2, SEC_APPEAL = 3 };

#define MAX_PARTS 15
#define MAX_READINGS 64

/* The ways to cut `digits` into n numbers without leading zeros (a '-' or
 * '+' starts a signed number; a '.' stays inside one), each at most 9
 * characters; at most MAX_READINGS of them. */
struct readings {
  int n;
  int count;
  double v[MAX_READINGS][MAX_PARTS];
  char *text[MAX_READINGS][MAX_PARTS];
};

static void
readings_clear(struct readings *r)
{
  for(int i = 0; i < r->count; i++)
    for(int k = 0; k < r->n; k++)
      g_free(r->text[i][k]);
  r->count = 0;
}

/* The cutting below is bounded whatever the input: at most this many
 * steps per run, after which the run counts as unreadable. */
#define CUT_STEPS 200000

struct cut_state {
  const char *s;
  size_t len;
  int n;
  size_t starts[MAX_PARTS];
  struct readings *r;
  /* > 0: every `group` numbers, the last is the sum of the others (a
   * table row ending in its total; section 四's five-cell groups). */
  int group;
  int overflow;
  long steps;
};

/* The value of part i (its text from starts[i] up to `end`). */
static double
part_value(const struct cut_state *c, int i, size_t end)
{
  char *t = g_strndup(c->s + c->starts[i], end - c->starts[i]);
  double v = g_ascii_strtod(t, NULL);
  g_free(t);
  return v;
}

static void
cut(struct cut_state *c, size_t at, int k)
{
  const char *s = c->s;
  size_t len = c->len;
  int n = c->n;
  struct readings *r = c->r;
  if(++c->steps > CUT_STEPS) {
    c->overflow++;
    return;
  }
  /* Every part needs a character, and none has more than 15. */
  if(len - at < (size_t)(n - k) || len - at > (size_t)(n - k) * 15)
    return;
  if(c->group && k > 0 && k % c->group == 0) {
    /* A group just closed: its last number must be the sum of the rest. */
    double sum = 0;
    for(int i = k - c->group; i < k - 1; i++)
      sum += part_value(c, i, c->starts[i + 1]);
    if(sum != part_value(c, k - 1, k < n ? at : len))
      return;
  }
  if(k == n) {
    if(at != len)
      return;
    double v[MAX_PARTS];
    for(int i = 0; i < n; i++)
      v[i] = part_value(c, i, i + 1 < n ? c->starts[i + 1] : len);
    if(r->count == MAX_READINGS) {
      c->overflow++;
      return;
    }
    for(int i = 0; i < n; i++) {
      size_t e = i + 1 < n ? c->starts[i + 1] : len;
      r->v[r->count][i] = v[i];
      r->text[r->count][i] = g_strndup(s + c->starts[i], e - c->starts[i]);
    }
    r->count++;
    return;
  }
  if(at >= len)
    return;
  c->starts[k] = at;
  size_t p = at;
  if(s[p] == '-' || s[p] == '+')
    p++;
  bool zero = p < len && s[p] == '0';
  bool dot = false;
  for(size_t e = p + 1; e <= len && e - at <= 15; e++) {
    char ch = s[e - 1];
    if(ch == '.') {
      if(dot || e == p + 1)
        break;
      dot = true;
      continue; /* a number does not end on its point */
    }
    if(!g_ascii_isdigit(ch))
      break;
    /* "0" is a number; "05" is not, but "0.5" is. */
    if(zero && !dot && e > p + 1)
      break;
    cut(c, e, k + 1);
  }
}

/* The readings of `digits` as n numbers; `group` as in struct cut_state.
 * More than MAX_READINGS (or past the step bound) reads as many. */
static int
read_run(const char *digits, int n, int group, struct readings *r)
{
  struct cut_state c = { .s = digits, .len = strlen(digits), .n = n, .r = r, .group = group };
  r->n = n;
  r->count = 0;
  if(n > MAX_PARTS)
    return 0;
  cut(&c, 0, 0);
  return c.overflow ? MAX_READINGS + c.overflow : r->count;
}

/* ---- splitting the line into labels and runs of digits ---- */

struct piece {
  char *label; /* the text before the run */
  char *run;   /* the digits (NULL: text only) */
  const char *unit; /* "元" or "万元" printed after the run, or NULL */
};

/* Inside a run: digits, a decimal point, and a sign before a digit (a
 * signed 本年增/减 cell). */
static bool
in_run(const char *s, size_t i, size_t n)
{
  return g_ascii_isdigit(s[i]) || s[i] == '.' ||
         ((s[i] == '-' || s[i] == '+') && i + 1 < n && g_ascii_isdigit(s[i + 1]));
}

/* Labels may hold digits: an item number ("2.其他…", "3、"), a year in
 * brackets ("本年(2021)新收").  A run is digits not in those places. */
static void
split_pieces(const char *s, GPtrArray *out)
{
  GString *label = g_string_new(NULL);
  size_t n = strlen(s), i = 0;
  while(i < n) {
    if(!g_ascii_isdigit(s[i]) && !((s[i] == '-' || s[i] == '+') && i + 1 < n &&
                                     g_ascii_isdigit(s[i + 1]) && label->len)) {
      g_string_append_c(label, s[i]);
      i++;
      continue;
    }
    size_t j = i + 1;
    while(j < n && in_run(s, j, n))
      j++;
    /* A year in brackets belongs to the label. */
    bool bracket = label->len && (label->str[label->len - 1] == '(') && j < n && s[j] == ')';
    /* The next label's item number: "…0000000" + "2.其他" arrives as
     * "00000002.其他"; its last digit and the point go to the label. */
    size_t run_end = j;
    if(!bracket && j < n && s[j - 1] == '.' && j - 1 > i && g_ascii_isdigit(s[j - 2]))
      run_end = j - 2;
    else if(!bracket && j + 2 < n && !strncmp(s + j, "、", strlen("、")))
      run_end = j - 1;
    if(bracket || run_end <= i) {
      g_string_append_len(label, s + i, (gssize)(j - i));
      i = j;
      continue;
    }
    /* A unit after the number is part of its last cell (75394432.52元). */
    size_t unit_end = run_end;
    const char *unit = NULL;
    if(run_end == j && !strncmp(s + j, "万元", strlen("万元")))
      unit = "万元";
    else if(run_end == j && !strncmp(s + j, "元", strlen("元")))
      unit = "元";
    if(unit)
      unit_end = j + strlen(unit);
    struct piece *p = g_new0(struct piece, 1);
    p->label = g_string_free(label, FALSE);
    p->run = g_strndup(s + i, run_end - i);
    p->unit = unit;
    g_ptr_array_add(out, p);
    label = g_string_new(NULL);
    i = run_end == j ? unit_end : run_end;
  }
  if(label->len) {
    struct piece *p = g_new0(struct piece, 1);
    p->label = g_string_free(label, FALSE);
    g_ptr_array_add(out, p);
  }
  else
    g_string_free(label, TRUE);
}

static void
piece_free(void *p)
{
  struct piece *x = p;
  g_free(x->label);
  g_free(x->run);
  g_free(x);
}

/* ---- the sections ---- */

static void
emit_cells(struct gh_doc *doc, const char *label, char *const *cells, int n)
{
  gh_cells_begin_row(doc);
  gh_cells_add_cell(doc, label, strlen(label), -1, 1);
  for(int i = 0; i < n; i++)
    gh_cells_add_cell(doc, cells[i], strlen(cells[i]), -1, 1);
}

/* Cells of a section 二 row: by its label and the form. */
static int
pro_cells(const char *label, bool form2021)
{
  if(strstr(label, "规章") || strstr(label, "规范性文件"))
    return 3;
  if(strstr(label, "事业性收费"))
    return form2021 ? 1 : 2;
  if(strstr(label, "集中采购"))
    return 2;
  if(strstr(label, "行政许可") || strstr(label, "行政处罚") || strstr(label, "行政强制") ||
     strstr(label, "对外管理服务"))
    return form2021 ? 1 : 3;
  return 0;
}

static void
flat_proactive(struct gh_doc *doc, const char *seg, bool form2021)
{
  GPtrArray *ps = g_ptr_array_new_with_free_func(piece_free);
  split_pieces(seg, ps);
  for(guint i = 0; i < ps->len; i++) {
    struct piece *p = ps->pdata[i];
    int n = p->run ? pro_cells(p->label, form2021) : 0;
    if(!n) {
      gh_cells_add_text(doc, p->label, strlen(p->label));
      if(p->run)
        gh_cells_add_text(doc, p->run, strlen(p->run));
      continue;
    }
    /* The label before the row's own name is a caption or header text. */
    struct readings r;
    int count = read_run(p->run, n, 0, &r);
    if(count == 1) {
      if(p->unit) {
        char *last = g_strconcat(r.text[0][n - 1], p->unit, NULL);
        g_free(r.text[0][n - 1]);
        r.text[0][n - 1] = last;
      }
      emit_cells(doc, p->label, r.text[0], n);
    }
    else {
      gh_cells_add_text(doc, p->label, strlen(p->label));
      gh_cells_warn(doc, "proactive row '%s': its cells run together as '%s', which %s; left blank",
                  p->label, p->run, count ? "reads more than one way" : "does not read as the row's cells");
    }
    readings_clear(&r);
  }
  g_ptr_array_free(ps, TRUE);
}

/* Section 三: each row's readings under its total, then the columns. */
struct app_row {
  int row; /* gh_app_row, -1 unknown */
  const struct piece *p;
  struct readings r;
  int pick; /* the chosen reading, -1 none */
};

static bool
columns_hold(struct app_row *rows, guint n, bool form2021)
{
  for(int c = 0; c < 7; c++) {
    double v[GH_APP_N];
    bool have[GH_APP_N] = { false };
    for(guint i = 0; i < n; i++)
      if(rows[i].row >= 0 && rows[i].pick >= 0) {
        v[rows[i].row] = rows[i].r.v[rows[i].pick][c];
        have[rows[i].row] = true;
      }
    if(have[GH_APP_NEW_RECEIVED] && have[GH_APP_CARRIED_IN] && have[GH_APP_TOTAL] &&
       have[GH_APP_CARRIED_OVER] &&
       v[GH_APP_NEW_RECEIVED] + v[GH_APP_CARRIED_IN] != v[GH_APP_TOTAL] + v[GH_APP_CARRIED_OVER])
      return false;
    if(have[GH_APP_TOTAL]) {
      double s = 0;
      bool all = true;
      for(int k = GH_APP_GRANTED; k <= GH_APP_OTHER_OTHER; k++) {
        if(k == GH_APP_OTHER && form2021)
          continue;
        if(k >= GH_APP_OTHER_NO_CORRECTION && !form2021)
          continue;
        if(!have[k])
          all = false;
        else
          s += v[k];
      }
      if(all && s != v[GH_APP_TOTAL])
        return false;
    }
  }
  return true;
}

static void
flat_applications(struct gh_doc *doc, const char *seg, bool form2021)
{
  GPtrArray *ps = g_ptr_array_new_with_free_func(piece_free);
  split_pieces(seg, ps);
  struct app_row *rows = g_new0(struct app_row, ps->len + 1);
  guint n = 0;
  for(guint i = 0; i < ps->len; i++) {
    struct piece *p = ps->pdata[i];
    if(!p->run)
      continue;
    struct app_row *a = &rows[n++];
    a->p = p;
    a->row = gh_report_app_row(p->label);
    int count = read_run(p->run, 7, 7, &a->r);
    a->pick = count == 1 ? 0 : -1;
    if(count > MAX_READINGS)
      a->r.count = 0; /* too many to weigh */
  }
  /* Rows with several readings: the combinations the columns allow. */
  guint amb[8];
  unsigned namb = 0, combos = 1;
  for(guint i = 0; i < n && namb < 8; i++)
    if(rows[i].pick < 0 && rows[i].r.count > 1 && rows[i].row >= 0 && combos * rows[i].r.count <= 4096) {
      amb[namb++] = i;
      combos *= (unsigned)rows[i].r.count;
    }
  if(namb) {
    int first[8], found = 0;
    bool agree[8];
    for(unsigned k = 0; k < namb; k++)
      agree[k] = true;
    for(unsigned m = 0; m < combos; m++) {
      unsigned x = m;
      for(unsigned k = 0; k < namb; k++) {
        rows[amb[k]].pick = (int)(x % (unsigned)rows[amb[k]].r.count);
        x /= (unsigned)rows[amb[k]].r.count;
      }
      if(!columns_hold(rows, n, form2021))
        continue;
      for(unsigned k = 0; k < namb; k++) {
        if(!found)
          first[k] = rows[amb[k]].pick;
        else if(first[k] != rows[amb[k]].pick)
          agree[k] = false;
      }
      found++;
    }
    for(unsigned k = 0; k < namb; k++)
      rows[amb[k]].pick = found && agree[k] ? first[k] : -1;
  }
  guint r = 0;
  for(guint i = 0; i < ps->len; i++) {
    struct piece *p = ps->pdata[i];
    if(!p->run) {
      gh_cells_add_text(doc, p->label, strlen(p->label));
      continue;
    }
    struct app_row *a = &rows[r++];
    if(a->pick >= 0) {
      emit_cells(doc, p->label, a->r.text[a->pick], 7);
    }
    else {
      gh_cells_add_text(doc, p->label, strlen(p->label));
      gh_cells_warn(doc, "applications row '%s': its cells run together as '%s', which the "
                       "table's arithmetic does not read one way; left blank", p->label, p->run);
    }
  }
  for(guint i = 0; i < n; i++)
    readings_clear(&rows[i].r);
  g_free(rows);
  g_ptr_array_free(ps, TRUE);
}

static void
flat_appeals(struct gh_doc *doc, const char *seg)
{
  GPtrArray *ps = g_ptr_array_new_with_free_func(piece_free);
  split_pieces(seg, ps);
  for(guint i = 0; i < ps->len; i++) {
    struct piece *p = ps->pdata[i];
    gh_cells_add_text(doc, p->label, strlen(p->label));
    if(!p->run)
      continue;
    struct readings r;
    int count = read_run(p->run, 15, 5, &r);
    if(count == 1) {
      gh_cells_begin_row(doc);
      for(int k = 0; k < 15; k++)
        gh_cells_add_cell(doc, r.text[0][k], strlen(r.text[0][k]), -1, 1);
    }
    else
      gh_cells_warn(doc, "appeals: the cells run together as '%s', which %s; left blank", p->run,
                  count ? "the group totals do not read one way" : "does not read as 15 cells");
    readings_clear(&r);
  }
  g_ptr_array_free(ps, TRUE);
}

/* The offset of section heading k in `s` (its numeral included), or -1;
 * *hlen its length.  Section 四's heading is found by its words, since
 * pages misspell it ("行政法复议") and "四、结转下年度…" also opens with 四、. */
static gssize
heading_at(const char *s, int k, size_t *hlen)
{
  if(k != 3) {
    const char *h = strstr(s, headings[k]);
    *hlen = strlen(headings[k]);
    return h ? h - s : -1;
  }
  for(const char *h = strstr(s, "四、"); h; h = strstr(h + 1, "四、")) {
    const char *win = h + strlen("四、");
    char *head = g_utf8_substring(win, 0, 24);
    const char *fy = strstr(head, "复议");
    if(fy && strstr(head, "政府信息公开")) {
      const char *end = strstr(head, "情况");
      *hlen = strlen("四、") + (size_t)((end ? end + strlen("情况") : fy + strlen("复议")) - head);
      g_free(head);
      return h - s;
    }
    g_free(head);
  }
  return -1;
}

struct gh_doc *
gh_unflatten(const struct gh_doc *doc)
{
  /* One row holding the headings of sections 三 and 四 inside it. */
  guint at = G_MAXUINT;
  char *norm = NULL;
  for(guint r = 0; r < doc->rows->len && at == G_MAXUINT; r++) {
    const struct gh_row *row = &g_array_index(doc->rows, struct gh_row, r);
    if(row->kind != GH_ROW_TEXT || !row->n_cells)
      continue;
    const char *t = row->cells[0].text;
    if(!strstr(t, "收到和处理") || !strstr(t, "行政复议"))
      continue;
    char *n = gh_norm(t, strlen(t));
    size_t l1, l2;
    gssize a = heading_at(n, 2, &l1), b = heading_at(n, 3, &l2);
    if(a >= 0 && b > a && strpbrk(n + a, "0123456789")) {
      at = r;
      norm = n;
    }
    else
      g_free(n);
  }
  if(at == G_MAXUINT)
    return NULL;
  struct gh_doc *out = gh_cells_new();
  for(guint r = 0; r < at; r++) {
    const struct gh_row *row = &g_array_index(doc->rows, struct gh_row, r);
    if(row->kind == GH_ROW_TEXT)
      gh_cells_add_text(out, row->n_cells ? row->cells[0].text : "",
                      row->n_cells ? strlen(row->cells[0].text) : 0);
  }
  /* Cut the line at the headings, in order. */
  gssize pos[7];
  size_t hl[6];
  int found = 0;
  gssize from = 0;
  for(int k = 0; k < 6; k++) {
    gssize p = heading_at(norm + from, k, &hl[k]);
    pos[k] = p >= 0 ? from + p : -1;
    if(pos[k] >= 0) {
      from = pos[k];
      found++;
    }
  }
  pos[6] = (gssize)strlen(norm);
  bool form2021 = strstr(norm, "本年制发") || strstr(norm, "不补正") || strstr(norm, "收费通知");
  gssize first = pos[0] >= 0 ? pos[0] : pos[1] >= 0 ? pos[1] : pos[2];
  if(first > 0)
    gh_cells_add_text(out, norm, (size_t)first);
  for(int k = 0; k < 6; k++) {
    if(pos[k] < 0)
      continue;
    gssize end = pos[6];
    for(int m = k + 1; m < 6; m++)
      if(pos[m] >= 0) {
        end = pos[m];
        break;
      }
    size_t hlen = hl[k];
    gh_cells_add_text(out, norm + pos[k], hlen);
    char *seg = g_strndup(norm + pos[k] + hlen, (size_t)(end - pos[k]) - hlen);
    if(k == SEC_PRO)
      flat_proactive(out, seg, form2021);
    else if(k == SEC_APP)
      flat_applications(out, seg, form2021);
    else if(k == SEC_APPEAL)
      flat_appeals(out, seg);
    else if(*seg)
      gh_cells_add_text(out, seg, strlen(seg));
    g_free(seg);
  }
  for(guint r = at + 1; r < doc->rows->len; r++) {
    const struct gh_row *row = &g_array_index(doc->rows, struct gh_row, r);
    if(row->kind != GH_ROW_TEXT) {
      gh_cells_begin_row(out);
      for(unsigned c = 0; c < row->n_cells; c++)
        gh_cells_add_cell(out, row->cells[c].text, strlen(row->cells[c].text), row->cells[c].col,
                        row->cells[c].colspan);
      continue;
    }
    gh_cells_add_text(out, row->n_cells ? row->cells[0].text : "",
                    row->n_cells ? strlen(row->cells[0].text) : 0);
  }
  if(doc->title_hint)
    out->title_hint = g_strdup(doc->title_hint);
  if(doc->date_hint)
    out->date_hint = g_strdup(doc->date_hint);
  for(guint i = 0; i < doc->warnings->len; i++)
    gh_cells_warn(out, "%s", (const char *)g_ptr_array_index(doc->warnings, i));
  gh_cells_warn(out, "the page's text is one line with its table cells run together; %d "
                   "section(s) rebuilt, cells read by the form's arithmetic", found);
  g_free(norm);
  return out;
}

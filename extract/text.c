/* Plain text and markdown -> cell stream.
 *
 * Text exported from PDF or DOCX by other tools, or copied off a portal,
 * shows tables in several ways, all of which keep a blank cell as an empty
 * field:
 *   | a | b |      markdown rows (the rule line under the header is dropped)
 *   a | b | |      pipe rows without the leading pipe
 *   a |            one cell per line, each closed by a pipe; a bare "|" is
 *   0 |            a blank cell, and a blank line or a label after values
 *   |              ends the row
 *   a<TAB>b<TAB>   tab-separated rows
 * Pipe rows carry their cell positions as grid columns, so the parser can
 * anchor them under the table's headers.  Tab rows do not: the tools that
 * write them drop merged cells, so a tab position is not a column (seed 002
 * puts one column at tab 2 in one row and tab 3 in the next); their cells
 * are placed by count. */
#include "extract.h"

#include <string.h>

static bool
only_chars(const char *s, size_t n, const char *set)
{
  if(n == 0)
    return false;
  for(size_t i = 0; i < n; i++)
    if(!strchr(set, s[i]))
      return false;
  return true;
}

static void
trim(const char **s, size_t *n)
{
  while(*n && (**s == ' ' || **s == '\t' || **s == '\r'))
    (*s)++, (*n)--;
  while(*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
    (*n)--;
}

/* Split s[0..n) at `sep` into the cells of one table row; `cols` numbers
 * them as grid columns. */
static void
add_split_row(struct gh_doc *doc, const char *s, size_t n, char sep, bool cols)
{
  gh_cells_begin_row(doc);
  int col = 0;
  const char *p = s, *end = s + n;
  while(p <= end) {
    const char *q = memchr(p, sep, (size_t)(end - p));
    if(!q)
      q = end;
    const char *c = p;
    size_t cn = (size_t)(q - p);
    trim(&c, &cn);
    gh_cells_add_cell(doc, c, cn, cols ? col : -1, 1);
    col++;
    p = q + 1;
  }
}

static void
add_pipe_row(struct gh_doc *doc, const char *s, size_t n, bool markdown)
{
  /* "| a | b |" -> a, b.  The leading and trailing pipes delimit nothing.
   * In a document whose rows have no leading pipe, a leading pipe is an
   * empty first cell. */
  if(markdown && n && *s == '|')
    s++, n--;
  if(n && s[n - 1] == '|')
    n--;
  add_split_row(doc, s, n, '|', true);
}

static size_t
count_char(const char *s, size_t n, char c)
{
  size_t k = 0;
  for(size_t i = 0; i < n; i++)
    k += s[i] == c;
  return k;
}

static bool
is_number_text(const char *s, size_t n)
{
  /* Digits with a sign, a decimal point or a unit: enough to tell a value
   * cell from a label cell in a one-cell-per-line table. */
  bool digit = false;
  for(size_t i = 0; i < n; i++) {
    if(g_ascii_isdigit(s[i]))
      digit = true;
    else if(!strchr("+-., ", s[i]) && !((unsigned char)s[i] & 0x80))
      return false;
  }
  return digit && !((unsigned char)s[0] & 0x80);
}

/* The row being built from one-cell-per-line pipe cells ("规章 |"). */
struct cell_rows {
  bool open;
  bool had_value;
  int col;
};

static void
cell_rows_end(struct cell_rows *cr)
{
  cr->open = false;
  cr->had_value = false;
  cr->col = 0;
}

static void
cell_rows_add(struct gh_doc *doc, struct cell_rows *cr, const char *c, size_t cn)
{
  bool value = !cn || is_number_text(c, cn);
  if(cr->open && cr->had_value && !value)
    cell_rows_end(cr); /* a label after values starts the next row */
  if(!cr->open) {
    gh_cells_begin_row(doc);
    cr->open = true;
  }
  gh_cells_add_cell(doc, c, cn, cr->col++, 1);
  if(value && cn)
    cr->had_value = true;
}

/* Whether the document's pipe rows are markdown ("| a | b |"): it has a
 * markdown rule line ("|---|---|"), or every row opens with a pipe.
 * Otherwise they are "a | b |" rows, where an opening pipe is an empty
 * first cell (a covered label cell, a blank first group). */
/* The next line of [*p, end) as (*s, *n), without its \r\n; advances *p.
 * False at the end. */
static bool
next_line(const char **p, const char *end, const char **s, size_t *n)
{
  if(*p >= end)
    return false;
  const char *nl = memchr(*p, '\n', (size_t)(end - *p));
  if(!nl)
    nl = end;
  *s = *p;
  *n = (size_t)(nl - *p);
  *p = nl + 1;
  if(*n && (*s)[*n - 1] == '\r')
    (*n)--;
  return true;
}

static bool
pipes_are_markdown(const char *p, const char *end)
{
  unsigned bare = 0;
  bool rule = false;
  const char *t;
  size_t tn;
  while(next_line(&p, end, &t, &tn)) {
    trim(&t, &tn);
    if(count_char(t, tn, '|') < 2)
      continue;
    if(only_chars(t, tn, "|-:+ ") && memchr(t, '-', tn))
      rule = true;
    else if(*t != '|')
      bare++;
  }
  return rule || !bare;
}

/* ---- group labels set down a narrow column, in laid-out text ----
 *
 * `pdftotext -layout` prints section 三's group labels (三、本年度办理结果,
 * （四）无法提供, （六）其他处理) as they stand on the page: a character or
 * two at the start of each line, beside the row labels:
 *     （六  1.申请人无正   0   0 …
 *     ）其  当理由逾期不
 *     他处  补正、行政机
 *     理   关不再处理其
 * Read line by line they break the row labels' phrases ("无正）其当理由").
 * Lines whose first cell is such a piece (one to three characters, no
 * digit, two spaces before the rest) in the same column on three or more
 * lines, continuation lines of the labels between them, lose the pieces,
 * and the group labels are put whole at the end of the text, as the PDF
 * reader puts them after the table: in front of a row they would read as
 * its label (（六）其他处理 is a row of the 2019 form and a group of the
 * 2021 one). */
#define GROUP_PIECE_CHARS 3
#define GROUP_MIN_PIECES 3

struct piece_line {
  const char *s;
  size_t n;
  int col;          /* the piece's column, -1 when the line has none */
  size_t pb, pe;    /* its bytes in the line */
  int lead;         /* the line's first non-space column (-1: blank) */
};

static void
find_piece(struct piece_line *l)
{
  l->col = l->lead = -1;
  size_t i = 0;
  int col = 0;
  while(i < l->n && l->s[i] == ' ')
    i++, col++;
  if(i >= l->n)
    return;
  l->lead = col;
  size_t b = i;
  int chars = 0;
  bool digit = false;
  while(i < l->n && !(l->s[i] == ' ' && i + 1 < l->n && l->s[i + 1] == ' ') && l->s[i] != '|' &&
        l->s[i] != '\t') {
    digit |= g_ascii_isdigit(l->s[i]);
    i += MIN((size_t)g_utf8_skip[(unsigned char)l->s[i]], l->n - i);
    chars++;
  }
  size_t e = i;
  while(i < l->n && l->s[i] == ' ')
    i++;
  if(chars >= 1 && chars <= GROUP_PIECE_CHARS && !digit && i - e >= 2 && i < l->n &&
     (unsigned char)l->s[b] >= 0x80) {
    l->col = col;
    l->pb = b;
    l->pe = e;
  }
}

/* The text with its column group labels taken out of the row labels, or
 * NULL when it has none. */
static char *
lift_group_labels(const char *p, const char *end)
{
  GArray *lines = g_array_new(FALSE, FALSE, sizeof(struct piece_line));
  const char *s;
  size_t n;
  while(next_line(&p, end, &s, &n)) {
    struct piece_line l = { s, n, -1, 0, 0, -1 };
    find_piece(&l);
    g_array_append_val(lines, l);
  }
  GString *out = NULL, *groups = g_string_new(NULL);
  size_t copied = 0; /* lines already in out */
  for(guint i = 0; i < lines->len; i++) {
    struct piece_line *a = &g_array_index(lines, struct piece_line, i);
    if(a->col < 0)
      continue;
    /* The run of pieces in a's column, with label lines between them. */
    guint last = i, pieces = 1;
    for(guint j = i + 1; j < lines->len && j <= last + 3; j++) {
      struct piece_line *b = &g_array_index(lines, struct piece_line, j);
      if(b->col >= 0 && ABS(b->col - a->col) <= 1) {
        last = j;
        pieces++;
      } else if(b->lead < 0 || b->lead <= a->col + 1)
        break;
    }
    if(pieces < GROUP_MIN_PIECES)
      continue;
    if(!out)
      out = g_string_sized_new((gsize)(end - p) + 64);
    for(; copied < i; copied++) {
      struct piece_line *c = &g_array_index(lines, struct piece_line, copied);
      g_string_append_len(out, c->s, (gssize)c->n);
      g_string_append_c(out, '\n');
    }
    for(guint j = i; j <= last; j++) {
      struct piece_line *b = &g_array_index(lines, struct piece_line, j);
      if(b->col >= 0 && ABS(b->col - a->col) <= 1)
        g_string_append_len(groups, b->s + b->pb, (gssize)(b->pe - b->pb));
    }
    g_string_append_c(groups, '\n');
    for(guint j = i; j <= last; j++, copied++) {
      struct piece_line *b = &g_array_index(lines, struct piece_line, j);
      if(b->col >= 0 && ABS(b->col - a->col) <= 1) {
        g_string_append_len(out, b->s, (gssize)b->pb);
        for(size_t x = b->pb; x < b->pe; x++)
          g_string_append_c(out, ' ');
        g_string_append_len(out, b->s + b->pe, (gssize)(b->n - b->pe));
      } else {
        g_string_append_len(out, b->s, (gssize)b->n);
      }
      g_string_append_c(out, '\n');
    }
    i = last;
  }
  if(out) {
    for(; copied < lines->len; copied++) {
      struct piece_line *c = &g_array_index(lines, struct piece_line, copied);
      g_string_append_len(out, c->s, (gssize)c->n);
      g_string_append_c(out, '\n');
    }
    g_string_append_len(out, groups->str, (gssize)groups->len);
  }
  g_string_free(groups, TRUE);
  g_array_free(lines, TRUE);
  return out ? g_string_free(out, FALSE) : NULL;
}

static void text_to_doc(const char *utf8, size_t len, struct gh_doc *doc);

void
gh_text_to_doc(const char *utf8, size_t len, struct gh_doc *doc)
{
  /* Nested groups ("果" of 三、本年度办理结果 beside "（三" of （三）不予
   * 公开) come out one level per pass. */
  char *lifted = lift_group_labels(utf8, utf8 + len);
  for(int pass = 1; lifted && pass < 3; pass++) {
    char *again = lift_group_labels(lifted, lifted + strlen(lifted));
    if(!again)
      break;
    g_free(lifted);
    lifted = again;
  }
  if(lifted) {
    text_to_doc(lifted, strlen(lifted), doc);
    g_free(lifted);
  } else {
    text_to_doc(utf8, len, doc);
  }
}

static void
text_to_doc(const char *utf8, size_t len, struct gh_doc *doc)
{
  const char *p = utf8, *end = utf8 + len;
  struct cell_rows cr = { 0 };
  bool markdown = pipes_are_markdown(p, end);
  const char *s;
  size_t n;
  while(next_line(&p, end, &s, &n)) {
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    if(only_chars(t, tn, "|-:+ ") && memchr(t, '-', tn) && (tn >= 3 || *t == '|'))
      continue; /* markdown table rule or a "------" separator */
    size_t pipes = count_char(t, tn, '|');
    if(tn && t[tn - 1] == '|' && pipes == 1) {
      /* One cell per line: "规章 |", "0 |", or a bare "|" for a blank. */
      const char *c = t;
      size_t cn = tn - 1;
      trim(&c, &cn);
      cell_rows_add(doc, &cr, c, cn);
      continue;
    }
    cell_rows_end(&cr);
    if((tn && *t == '|' && pipes >= 2) || pipes >= 2) {
      add_pipe_row(doc, t, tn, markdown);
      continue;
    }
    if(memchr(t, '\t', tn)) {
      /* Leading and trailing tabs are empty cells: a row of section 四
       * whose first group is blank starts with tabs. */
      add_split_row(doc, s, n, '\t', false);
      continue;
    }
    gh_cells_add_text(doc, t, tn);
  }
}

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
  gh_doc_begin_row(doc);
  int col = 0;
  const char *p = s, *end = s + n;
  while(p <= end) {
    const char *q = memchr(p, sep, (size_t)(end - p));
    if(!q)
      q = end;
    const char *c = p;
    size_t cn = (size_t)(q - p);
    trim(&c, &cn);
    gh_doc_add_cell(doc, c, cn, cols ? col : -1, 1);
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
    gh_doc_begin_row(doc);
    cr->open = true;
  }
  gh_doc_add_cell(doc, c, cn, cr->col++, 1);
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

void
gh_text_to_doc(const char *utf8, size_t len, struct gh_doc *doc)
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
    gh_doc_add_text(doc, t, tn);
  }
}

/* Plain text and markdown -> cell stream.
 *
 * Text exported from PDF or DOCX by other tools shows tables three ways:
 * one cell per line, cells separated by tabs, or markdown pipe tables.
 * Tab-separated cells are emitted as separate lines because the tools that
 * write them drop merged cells, so tab positions are not columns (seed 002
 * puts the same column at tab 2 in one row and tab 3 in the next).  Pipe
 * tables keep their empty cells, so they become real table rows. */
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

static void
add_pipe_row(struct gh_doc *doc, const char *s, size_t n)
{
  /* "| a | b |" -> a, b.  The leading and trailing pipes delimit nothing. */
  if(n && *s == '|')
    s++, n--;
  if(n && s[n - 1] == '|')
    n--;
  gh_doc_begin_row(doc);
  int col = 0;
  const char *p = s, *end = s + n;
  while(p <= end) {
    const char *q = memchr(p, '|', (size_t)(end - p));
    if(!q)
      q = end;
    const char *c = p;
    size_t cn = (size_t)(q - p);
    trim(&c, &cn);
    gh_doc_add_cell(doc, c, cn, -1, 1);
    col++;
    p = q + 1;
  }
}

void
gh_text_to_doc(const char *utf8, size_t len, struct gh_doc *doc)
{
  const char *p = utf8, *end = utf8 + len;
  while(p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if(!nl)
      nl = end;
    const char *s = p;
    size_t n = (size_t)(nl - p);
    p = nl + 1;
    if(n && s[n - 1] == '\r')
      n--;
    const char *t = s;
    size_t tn = n;
    trim(&t, &tn);
    if(only_chars(t, tn, "|-:+ ") && memchr(t, '-', tn) && (tn >= 3 || *t == '|'))
      continue; /* markdown table rule or a "------" separator */
    if(tn && *t == '|' && memchr(t + 1, '|', tn - 1)) {
      add_pipe_row(doc, t, tn);
      continue;
    }
    if(memchr(s, '\t', n)) {
      const char *q = s, *e = s + n;
      while(q <= e) {
        const char *tab = memchr(q, '\t', (size_t)(e - q));
        if(!tab)
          tab = e;
        const char *c = q;
        size_t cn = (size_t)(tab - q);
        trim(&c, &cn);
        if(cn)
          gh_doc_add_text(doc, c, cn);
        q = tab + 1;
      }
      continue;
    }
    gh_doc_add_text(doc, t, tn);
  }
}

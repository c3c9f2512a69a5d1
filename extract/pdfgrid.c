#include "pdfgrid.h"

#include <glib.h>
#include <string.h>

const char *const gh_pdfgrid_leaf_headers[] = {
  "自然人", "商业企业", "科研机构", "社会公益组织", "社会组织", "法律服务机构", "其他", "总计",
  "结果维持", "结果纠正", "其他结果", "尚未审结", NULL,
};

static bool
is_gap(const struct gh_glyph_box *g, unsigned k, double h)
{
  return g[k].x0 - g[k - 1].x1 > 0.1 * h;
}

static unsigned
cut_by_columns(const struct gh_glyph_box *g, unsigned n, const double *vcols, unsigned nv,
               double h, bool *cut)
{
  unsigned cols = 0;
  for(unsigned v = 0; v < nv; v++)
    cols += vcols[v] > g[0].x0 - 0.3 * h && vcols[v] < g[n - 1].x1 + 0.3 * h;
  if(cols < 2 || cols > n)
    return 1;
  unsigned pieces = 1;
  for(unsigned c = 0; c + 1 < cols; c++) {
    unsigned at = 0;
    double widest = 0;
    for(unsigned k = 1; k < n; k++)
      if(!cut[k] && is_gap(g, k, h) && g[k].x0 - g[k - 1].x1 > widest) {
        widest = g[k].x0 - g[k - 1].x1;
        at = k;
      }
    if(!at)
      break;
    cut[at] = true;
    pieces++;
  }
  return pieces;
}

/* The longest start of `text` that is a leaf header or two characters or
 * more of one, in bytes; 0 when none. */
static size_t
leaf_prefix(const char *text)
{
  size_t best = 0;
  for(const char *const *w = gh_pdfgrid_leaf_headers; *w; w++)
    for(const char *from = *w; *from; from = g_utf8_next_char(from)) {
      size_t len = strlen(from);
      while(len > best && g_utf8_strlen(from, (gssize)len) >= 2) {
        if(!strncmp(text, from, len)) {
          best = len;
          break;
        }
        len = (size_t)(g_utf8_find_prev_char(from, from + len) - from);
      }
    }
  return best;
}

static unsigned
cut_by_names(const char *text, const struct gh_glyph_box *g, unsigned n, double h, bool *cut)
{
  const char *p = text;
  unsigned k = 0, pieces = 1;
  while(*p) {
    size_t len = leaf_prefix(p);
    if(!len)
      break;
    k += (unsigned)g_utf8_strlen(p, (gssize)len);
    p += len;
    if(*p) {
      if(k >= n || !is_gap(g, k, h))
        break;
      cut[k] = true;
      pieces++;
    }
  }
  if(*p || pieces < 2) {
    memset(cut, 0, n * sizeof *cut);
    return 1;
  }
  return pieces;
}

unsigned
gh_pdfgrid_cut_header(const char *text, const struct gh_glyph_box *g, unsigned n,
                      const double *vcols, unsigned nv, double h, bool *cut)
{
  memset(cut, 0, n * sizeof *cut);
  if(n < 2 || !g_utf8_validate(text, -1, NULL) || g_utf8_strlen(text, -1) != (glong)n)
    return 1;
  /* The form's names, where the whole run is made of them, say more than
   * the value columns: a column printed blank on every row has none. */
  unsigned pieces = n >= 4 ? cut_by_names(text, g, n, h, cut) : 1;
  bool *by_cols = g_new0(bool, n);
  unsigned col_pieces = cut_by_columns(g, n, vcols, nv, h, by_cols);
  if(col_pieces > pieces) {
    memcpy(cut, by_cols, n * sizeof *cut);
    pieces = col_pieces;
  }
  g_free(by_cols);
  return pieces;
}

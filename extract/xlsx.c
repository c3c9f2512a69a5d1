/* XLSX -> cell stream: the spreadsheet a legacy .xls becomes through
 * LibreOffice (convert.h), or an .xlsx a portal publishes.
 *
 * Each worksheet (xl/worksheets/sheet1.xml, sheet2.xml, … in order) gives
 * its rows as table rows.  A merged range (mergeCells) is one cell with the
 * range's width as its colspan, and the cells it covers emit nothing, as
 * for an HTML rowspan or a DOCX vMerge continuation.  A row whose one
 * non-empty cell spans the sheet's width, or is the row's only cell, is a
 * line of text: that is how a report's title and paragraphs sit in a
 * sheet.  Shared strings are read once (xl/sharedStrings.xml).
 *
 * Bounds as for DOCX: each part decompressed to at most max_xml bytes,
 * cells counted in the text before libxml2 builds a tree, no network, no
 * DTD, no entities. */
#include "extract.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#define S_NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define GH_XLSX_MAX_CELLS 50000
#define GH_XLSX_MAX_SHEETS 32
#define GH_XLSX_MAX_COLS 1024
/* Merged ranges per sheet, and cells emitted (blanks included) per
 * workbook: a sheet with one cell in A1 and one in AMJ50000 would
 * otherwise emit fifty million blanks. */
#define GH_XLSX_MAX_MERGES 2000
#define GH_XLSX_MAX_EMITTED 200000

static bool
is_s(const xmlNode *n, const char *name)
{
  return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         !strcmp((const char *)n->ns->href, S_NS) && !strcmp((const char *)n->name, name);
}

static const xmlNode *
child_s(const xmlNode *n, const char *name)
{
  for(const xmlNode *c = n ? n->children : NULL; c; c = c->next)
    if(is_s(c, name))
      return c;
  return NULL;
}

static char *
attr(const xmlNode *n, const char *name)
{
  xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
  char *s = v ? g_strdup((const char *)v) : NULL;
  xmlFree(v);
  return s;
}

/* The text of t elements under n, phonetic runs (rPh) left out. */
static void
text_of(const xmlNode *n, GString *s)
{
  for(const xmlNode *c = n->children; c; c = c->next) {
    if(c->type != XML_ELEMENT_NODE || is_s(c, "rPh"))
      continue;
    if(is_s(c, "t")) {
      xmlChar *t = xmlNodeGetContent(c);
      if(t)
        g_string_append(s, (const char *)t);
      xmlFree(t);
    } else
      text_of(c, s);
  }
}

static xmlDoc *
parse_part(const char *bytes, size_t len, const char *name, size_t max_xml, const char *count_tag,
           GError **err)
{
  GByteArray *xml = NULL;
  if(!gh_zip_part(bytes, len, name, max_xml, &xml, err))
    return NULL;
  size_t k = strlen(count_tag), n = 0;
  for(const guint8 *p = xml->len ? xml->data : NULL, *end = p ? p + xml->len : NULL;
      p && n <= GH_XLSX_MAX_CELLS && (p = memmem(p, (size_t)(end - p), count_tag, k)); p += k)
    if(p + k < end && (p[k] == '>' || p[k] == ' ' || p[k] == '/'))
      n++;
  if(n > GH_XLSX_MAX_CELLS) {
    g_byte_array_free(xml, TRUE);
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                "%s has over %d cells or strings (a report has a few hundred)", name,
                GH_XLSX_MAX_CELLS);
    return NULL;
  }
  xmlDoc *x = xmlReadMemory((const char *)xml->data, (int)MIN(xml->len, (guint)G_MAXINT), name,
                            NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  g_byte_array_free(xml, TRUE);
  if(!x)
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not well-formed", name);
  return x;
}

/* "BC12" -> column 54 (0-based) and row 11; false when it is not a cell
 * reference inside the bounds. */
static bool
cell_ref(const char *r, int *col, int *row)
{
  int c = 0, n = 0;
  const char *p = r;
  for(; p && g_ascii_isupper(*p) && c <= GH_XLSX_MAX_COLS; p++)
    c = c * 26 + (*p - 'A' + 1);
  if(!p || p == r || c > GH_XLSX_MAX_COLS)
    return false;
  for(; g_ascii_isdigit(*p) && n <= 1048576; p++)
    n = n * 10 + (*p - '0');
  if(*p || n < 1 || n > 1048576)
    return false;
  *col = c - 1;
  *row = n - 1;
  return true;
}

struct merge {
  int c0, r0, c1, r1;
};

/* A number as a person would type it: spreadsheets store 0.1+0.2 as
 * 0.30000000000000004, a report printed 0.3. */
static char *
number_text(const char *v)
{
  char *end = NULL;
  double d = g_ascii_strtod(v, &end);
  if(!end || end == v || *end)
    return g_strdup(v);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(buf, sizeof buf, "%.15g", d);
  return g_strdup(buf);
}

static char *
cell_text(const xmlNode *c, GPtrArray *shared)
{
  char *t = attr(c, "t");
  const xmlNode *v = child_s(c, "v");
  xmlChar *vs = v ? xmlNodeGetContent(v) : NULL;
  char *out = NULL;
  if(t && !strcmp(t, "s")) {
    guint64 i;
    if(vs && g_ascii_string_to_unsigned((const char *)vs, 10, 0, G_MAXUINT, &i, NULL) &&
       i < shared->len)
      out = g_strdup(g_ptr_array_index(shared, (guint)i));
  } else if(t && !strcmp(t, "inlineStr")) {
    const xmlNode *is = child_s(c, "is");
    if(is) {
      GString *s = g_string_new(NULL);
      text_of(is, s);
      out = g_string_free(s, FALSE);
    }
  } else if(vs)
    out = !t || !strcmp(t, "n") ? number_text((const char *)vs) : g_strdup((const char *)vs);
  xmlFree(vs);
  g_free(t);
  return out ? out : g_strdup("");
}

struct cell {
  int col, row;
  char *text;
};

static gint
by_position(gconstpointer a, gconstpointer b)
{
  const struct cell *x = a, *y = b;
  return x->row != y->row ? (x->row > y->row) - (x->row < y->row) : (x->col > y->col) - (x->col < y->col);
}

static bool
emit_sheet(struct gh_doc *doc, const xmlNode *ws, GPtrArray *shared, size_t *emitted, GError **err)
{
  GArray *merges = g_array_new(FALSE, FALSE, sizeof(struct merge));
  for(const xmlNode *m = child_s(child_s(ws, "mergeCells"), "mergeCell"); m; m = m->next) {
    if(!is_s(m, "mergeCell"))
      continue;
    if(merges->len >= GH_XLSX_MAX_MERGES) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC, "a worksheet has over %d merged ranges",
                  GH_XLSX_MAX_MERGES);
      g_array_free(merges, TRUE);
      return false;
    }
    char *ref = attr(m, "ref");
    char **ends = ref ? g_strsplit(ref, ":", 3) : NULL;
    struct merge g;
    if(ends && ends[0] && ends[1] && !ends[2] && cell_ref(ends[0], &g.c0, &g.r0) &&
       cell_ref(ends[1], &g.c1, &g.r1) && g.c0 <= g.c1 && g.r0 <= g.r1)
      g_array_append_val(merges, g);
    g_strfreev(ends);
    g_free(ref);
  }
  /* The cells with text, in row order, and the used columns. */
  GArray *cells = g_array_new(FALSE, FALSE, sizeof(struct cell));
  int min_col = G_MAXINT, max_col = -1;
  for(const xmlNode *row = child_s(child_s(ws, "sheetData"), "row"); row; row = row->next) {
    if(!is_s(row, "row"))
      continue;
    for(const xmlNode *c = row->children; c; c = c->next) {
      if(!is_s(c, "c"))
        continue;
      char *r = attr(c, "r");
      struct cell x;
      if(r && cell_ref(r, &x.col, &x.row)) {
        x.text = cell_text(c, shared);
        g_strstrip(x.text);
        /* Empty ones too: a row's bordered blanks say how far it reaches. */
        g_array_append_val(cells, x);
        if(*x.text) {
          min_col = MIN(min_col, x.col);
          max_col = MAX(max_col, x.col);
        }
      }
      g_free(r);
    }
  }
  g_array_sort(cells, by_position);
  for(guint i = 0; i < merges->len; i++) {
    const struct merge *g = &g_array_index(merges, struct merge, i);
    if(g->c0 <= max_col && g->c1 >= min_col)
      max_col = MAX(max_col, MIN(g->c1, GH_XLSX_MAX_COLS - 1));
  }
  bool ok = true;
  GArray *here = g_array_new(FALSE, FALSE, sizeof(struct merge)); /* the row's merges */
  guint i = 0;
  while(ok && i < cells->len) {
    int row = g_array_index(cells, struct cell, i).row;
    guint j = i;
    while(j < cells->len && g_array_index(cells, struct cell, j).row == row)
      j++;
    /* Row `row` holds cells i..j-1; it reaches as far as its last cell
     * or merged range (an irregular table's short row is not padded to
     * the sheet's width); the merged ranges decide spans. */
    const struct cell *first = NULL;
    unsigned filled = 0;
    int extent = min_col;
    for(guint k = i; k < j; k++) {
      const struct cell *x = &g_array_index(cells, struct cell, k);
      if(*x->text && !filled++)
        first = x;
      extent = MAX(extent, x->col);
    }
    int span0 = 1;
    g_array_set_size(here, 0);
    for(guint k = 0; first && k < merges->len; k++) {
      const struct merge *g = &g_array_index(merges, struct merge, k);
      if(row < g->r0 || row > g->r1)
        continue;
      g_array_append_val(here, *g);
      if(g->r0 == row && g->c0 <= extent)
        extent = MAX(extent, g->c1);
      if(g->r0 == row && g->c0 == first->col)
        span0 = g->c1 - g->c0 + 1;
    }
    extent = MIN(extent, max_col);
    if(!first) {
      i = j;
      continue;
    }
    *emitted += (size_t)(extent - min_col + 1);
    if(*emitted > GH_XLSX_MAX_EMITTED) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                  "the workbook's rows hold over %d cells (a report has a few hundred)",
                  GH_XLSX_MAX_EMITTED);
      ok = false;
      break;
    }
    if(filled == 1 && first->col + span0 - 1 >= extent) {
      gh_cells_add_text(doc, first->text, strlen(first->text));
    } else {
      gh_cells_begin_row(doc);
      guint k = i;
      for(int col = min_col; col <= extent;) {
        int span = 1;
        bool covered = false;
        for(guint m = 0; m < here->len; m++) {
          const struct merge *g = &g_array_index(here, struct merge, m);
          if(col < g->c0 || col > g->c1)
            continue;
          if(row == g->r0 && col == g->c0)
            span = g->c1 - g->c0 + 1;
          else
            covered = true;
        }
        while(k < j && g_array_index(cells, struct cell, k).col < col)
          k++;
        const char *text = k < j && g_array_index(cells, struct cell, k).col == col
                             ? g_array_index(cells, struct cell, k).text
                             : "";
        if(!covered)
          gh_cells_add_cell(doc, text, strlen(text), col - min_col, MIN(span, extent - col + 1));
        col += covered ? 1 : MAX(span, 1);
      }
    }
    i = j;
  }
  for(guint k = 0; k < cells->len; k++)
    g_free(g_array_index(cells, struct cell, k).text);
  g_array_free(cells, TRUE);
  g_array_free(here, TRUE);
  g_array_free(merges, TRUE);
  return ok;
}

bool
gh_xlsx_to_doc(const char *bytes, size_t len, size_t max_xml, struct gh_doc *doc, GError **err)
{
  GPtrArray *shared = g_ptr_array_new_with_free_func(g_free);
  GError *e = NULL;
  xmlDoc *sst = parse_part(bytes, len, "xl/sharedStrings.xml", max_xml, "<si", &e);
  if(sst) {
    const xmlNode *root = xmlDocGetRootElement(sst);
    for(const xmlNode *si = root ? root->children : NULL; si; si = si->next)
      if(is_s(si, "si")) {
        GString *s = g_string_new(NULL);
        text_of(si, s);
        g_ptr_array_add(shared, g_string_free(s, FALSE));
      }
    xmlFreeDoc(sst);
  } else if(!g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
    g_propagate_error(err, e); /* a workbook of numbers only has none */
    g_ptr_array_free(shared, TRUE);
    return false;
  }
  g_clear_error(&e);
  bool any = false, ok = true;
  size_t emitted = 0;
  for(int n = 1; ok && n <= GH_XLSX_MAX_SHEETS; n++) {
    char *name = g_strdup_printf("xl/worksheets/sheet%d.xml", n);
    xmlDoc *x = parse_part(bytes, len, name, max_xml, "<c", &e);
    g_free(name);
    if(!x) {
      if(g_error_matches(e, G_FILE_ERROR, G_FILE_ERROR_NOENT) && any)
        g_clear_error(&e); /* the last sheet was the one before */
      else {
        g_propagate_error(err, e);
        e = NULL;
        ok = false;
      }
      break;
    }
    const xmlNode *root = xmlDocGetRootElement(x);
    if(root && is_s(root, "worksheet"))
      ok = emit_sheet(doc, root, shared, &emitted, err);
    xmlFreeDoc(x);
    any = true;
  }
  g_ptr_array_free(shared, TRUE);
  return ok;
}

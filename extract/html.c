/* HTML report pages -> cell stream, with gumbo.
 *
 * A report published as a web page sits inside the portal's template: menus,
 * breadcrumbs ("首页 > 政府信息公开 > 年度报告"), "相关链接", footers.  We find the
 * article the way readability tools do, by where the non-link text is: start
 * at <body> and step into the child that holds most of the text.  The title
 * and the "发布日期" info bar usually sit just outside the article body, so
 * they are picked up separately.
 *
 * Every walk here is iterative: pages nested 100k levels deep exist in the
 * wild (broken CMS templates) and must not overflow the stack. */
#include "extract.h"

#include <gumbo.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "htmlwalk.h"
#include "../record/textnorm.h"

#define MAX_COLS 64
#define MAX_SPAN 500

static bool
is_skipped_tag(GumboTag t)
{
  switch(t) {
  case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT:
  case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_HEAD: case GUMBO_TAG_SELECT:
  case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED:
  case GUMBO_TAG_SVG: case GUMBO_TAG_NAV: case GUMBO_TAG_FOOTER:
  case GUMBO_TAG_ASIDE: case GUMBO_TAG_BUTTON: case GUMBO_TAG_TEXTAREA:
    return true;
  default:
    return false;
  }
}

/* Template chrome by its id/class: navigation, breadcrumbs, related links,
 * share bars, footers.  Substrings, because CMSs decorate the names
 * ("top_nav2", "xglj_list", "bread-crumb"). */
static bool
is_chrome(const GumboElement *e)
{
  static const char *const words[] = {
    "nav", "menu", "footer", "crumb", "sidebar", "related", "xglj", "share",
    "copyright", "dqwz", "location", "toolbar", NULL,
  };
  return gh_html_names_any(e, words);
}

static bool
skipped(const GumboNode *n)
{
  return n->type == GUMBO_NODE_ELEMENT &&
         (is_skipped_tag(n->v.element.tag) || is_chrome(&n->v.element));
}

static bool
is_block(GumboTag t)
{
  switch(t) {
  case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_H1: case GUMBO_TAG_H2:
  case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
  case GUMBO_TAG_LI: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_SECTION:
  case GUMBO_TAG_ARTICLE: case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
  case GUMBO_TAG_TABLE: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_PRE:
  case GUMBO_TAG_DD: case GUMBO_TAG_DT: case GUMBO_TAG_DL: case GUMBO_TAG_CENTER:
  case GUMBO_TAG_MAIN: case GUMBO_TAG_ADDRESS: case GUMBO_TAG_HR: case GUMBO_TAG_CAPTION:
  case GUMBO_TAG_FORM: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGURE:
  case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_HEADER: case GUMBO_TAG_BODY:
  case GUMBO_TAG_BR:
    return true;
  default:
    return false;
  }
}

/* ---- text gathering ---- */

struct gather {
  GString *s;
  bool pending_break;
};

static void
append_text(struct gather *g, const char *text)
{
  if(g->pending_break && g->s->len) {
    g_string_append_c(g->s, '\n');
  }
  g->pending_break = false;
  /* Collapse ASCII white space runs: source formatting, not content.  The
   * parser ignores white space in labels anyway; numbers stay apart. */
  for(const char *p = text; *p; p++) {
    if(*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '\f') {
      if(g->s->len && g->s->str[g->s->len - 1] != ' ' && g->s->str[g->s->len - 1] != '\n')
        g_string_append_c(g->s, ' ');
    }
    else
      g_string_append_c(g->s, *p);
  }
}

static bool
gather_enter(const GumboNode *n, void *ud)
{
  struct gather *g = ud;
  if(n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
     n->type == GUMBO_NODE_CDATA) {
    append_text(g, n->v.text.text);
    return false;
  }
  if(n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_DOCUMENT)
    return false;
  if(n->type == GUMBO_NODE_ELEMENT) {
    if(is_skipped_tag(n->v.element.tag))
      return false;
    if(is_block(n->v.element.tag))
      g->pending_break = true;
  }
  return true;
}

static void
gather_leave(const GumboNode *n, void *ud)
{
  struct gather *g = ud;
  if(n->type == GUMBO_NODE_ELEMENT && is_block(n->v.element.tag))
    g->pending_break = true;
}

static char *
inner_text(const GumboNode *n)
{
  struct gather g = { g_string_new(NULL), false };
  gh_gumbo_walk(n, gather_enter, gather_leave, &g);
  g_strstrip(g.s->str);
  return g_string_free(g.s, FALSE);
}

/* ---- article detection ---- */

struct scorer {
  GHashTable *score; /* node -> non-link text bytes + 1 */
  GArray *acc;       /* running totals per open element */
  int in_link;
};

static bool
score_enter(const GumboNode *n, void *ud)
{
  struct scorer *s = ud;
  if(n->type == GUMBO_NODE_TEXT) {
    if(!s->in_link && s->acc->len)
      g_array_index(s->acc, gsize, s->acc->len - 1) += strlen(n->v.text.text);
    return false;
  }
  if(n->type != GUMBO_NODE_ELEMENT || skipped(n))
    return false;
  if(n->v.element.tag == GUMBO_TAG_A)
    s->in_link++;
  gsize zero = 0;
  g_array_append_val(s->acc, zero);
  return true;
}

static void
score_leave(const GumboNode *n, void *ud)
{
  struct scorer *s = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return;
  if(n->v.element.tag == GUMBO_TAG_A)
    s->in_link--;
  gsize mine = g_array_index(s->acc, gsize, s->acc->len - 1);
  g_array_set_size(s->acc, s->acc->len - 1);
  if(s->acc->len)
    g_array_index(s->acc, gsize, s->acc->len - 1) += mine;
  g_hash_table_insert(s->score, (gpointer)n, GSIZE_TO_POINTER(mine + 1));
}

static gsize
score_of(GHashTable *h, const GumboNode *n)
{
  gpointer v = g_hash_table_lookup(h, n);
  return v ? GPOINTER_TO_SIZE(v) - 1 : 0;
}

static const GumboNode *
find_body(const GumboNode *root)
{
  const GumboVector *kids = gh_gumbo_children(root);
  for(unsigned i = 0; kids && i < kids->length; i++) {
    const GumboNode *c = kids->data[i];
    if(c->type == GUMBO_NODE_ELEMENT && c->v.element.tag == GUMBO_TAG_HTML) {
      const GumboVector *hk = &c->v.element.children;
      for(unsigned j = 0; j < hk->length; j++) {
        const GumboNode *b = hk->data[j];
        if(b->type == GUMBO_NODE_ELEMENT && b->v.element.tag == GUMBO_TAG_BODY)
          return b;
      }
      return c;
    }
  }
  return root;
}

static bool
contains_table(const GumboNode *table)
{
  /* Layout tables (a table of tables) are read as text blocks; only leaf
   * tables are data tables. */
  GArray *stack = g_array_new(FALSE, FALSE, sizeof(const GumboNode *));
  g_array_append_val(stack, table);
  bool found = false;
  while(stack->len && !found) {
    const GumboNode *n = g_array_index(stack, const GumboNode *, stack->len - 1);
    g_array_set_size(stack, stack->len - 1);
    const GumboVector *kids = gh_gumbo_children(n);
    for(unsigned i = 0; kids && i < kids->length; i++) {
      const GumboNode *c = kids->data[i];
      if(c->type != GUMBO_NODE_ELEMENT)
        continue;
      if(c->v.element.tag == GUMBO_TAG_TABLE) {
        found = true;
        break;
      }
      g_array_append_val(stack, c);
    }
  }
  g_array_free(stack, TRUE);
  return found;
}

static const GumboNode *
find_article(const GumboNode *body, GHashTable *score)
{
  const GumboNode *n = body;
  for(;;) {
    gsize total = score_of(score, n);
    const GumboVector *kids = gh_gumbo_children(n);
    const GumboNode *best = NULL;
    gsize best_score = 0;
    for(unsigned i = 0; kids && i < kids->length; i++) {
      const GumboNode *c = kids->data[i];
      if(c->type != GUMBO_NODE_ELEMENT)
        continue;
      gsize sc = score_of(score, c);
      if(sc > best_score) {
        best_score = sc;
        best = c;
      }
    }
    /* Step in only while one child clearly holds the article.  Never into
     * a paragraph or heading (the article is more than one of them), and
     * into table parts only for layout tables: a data table is read whole,
     * and the report's big section 三 table can hold most of its text. */
    if(!best || total == 0 || best_score * 10 < total * 6)
      return n;
    switch(best->v.element.tag) {
    case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY: case GUMBO_TAG_THEAD:
    case GUMBO_TAG_TR: case GUMBO_TAG_TD: case GUMBO_TAG_TH:
      if(!contains_table(best))
        return n;
      break;
    case GUMBO_TAG_P: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3:
    case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_SPAN:
    case GUMBO_TAG_A: case GUMBO_TAG_FONT: case GUMBO_TAG_STRONG: case GUMBO_TAG_B:
    case GUMBO_TAG_LI: case GUMBO_TAG_UL: case GUMBO_TAG_OL: case GUMBO_TAG_PRE:
      return n;
    default:
      break;
    }
    n = best;
  }
}

/* ---- emission ---- */

struct emitter {
  struct gh_doc *doc;
  GString *line;
};

static void
flush_line(struct emitter *em)
{
  char *s = g_strstrip(em->line->str);
  gh_cells_add_text(em->doc, s, strlen(s));
  g_string_truncate(em->line, 0);
}

static int
span_attr(const GumboNode *cell, const char *name, int cap)
{
  const GumboAttribute *a = gumbo_get_attribute(&cell->v.element.attributes, name);
  if(!a || !a->value)
    return 1;
  long v = strtol(a->value, NULL, 10);
  if(v < 1)
    return 1;
  return v > cap ? cap : (int)v;
}

static void
emit_tr(struct emitter *em, const GumboNode *tr, int *span_left)
{
  bool occupied[MAX_COLS];
  for(int k = 0; k < MAX_COLS; k++) {
    occupied[k] = span_left[k] > 0;
    if(occupied[k])
      span_left[k]--;
  }
  gh_cells_begin_row(em->doc);
  int col = 0;
  const GumboVector *cells = &tr->v.element.children;
  for(unsigned i = 0; i < cells->length; i++) {
    const GumboNode *c = cells->data[i];
    if(c->type != GUMBO_NODE_ELEMENT ||
       (c->v.element.tag != GUMBO_TAG_TD && c->v.element.tag != GUMBO_TAG_TH))
      continue;
    while(col < MAX_COLS && occupied[col])
      col++;
    int rs = span_attr(c, "rowspan", MAX_SPAN), cs = span_attr(c, "colspan", MAX_COLS);
    char *text = inner_text(c);
    gh_cells_add_cell(em->doc, text, strlen(text), col < MAX_COLS ? col : -1, cs);
    g_free(text);
    for(int k = col; k < col + cs && k < MAX_COLS; k++)
      span_left[k] = rs - 1;
    col += cs;
  }
}

static void
emit_table(struct emitter *em, const GumboNode *table)
{
  int span_left[MAX_COLS] = { 0 };
  const GumboVector *kids = &table->v.element.children;
  for(unsigned i = 0; i < kids->length; i++) {
    const GumboNode *c = kids->data[i];
    if(c->type != GUMBO_NODE_ELEMENT)
      continue;
    GumboTag t = c->v.element.tag;
    if(t == GUMBO_TAG_TR)
      emit_tr(em, c, span_left);
    else if(t == GUMBO_TAG_TBODY || t == GUMBO_TAG_THEAD || t == GUMBO_TAG_TFOOT) {
      const GumboVector *rows = &c->v.element.children;
      for(unsigned j = 0; j < rows->length; j++) {
        const GumboNode *r = rows->data[j];
        if(r->type == GUMBO_NODE_ELEMENT && r->v.element.tag == GUMBO_TAG_TR)
          emit_tr(em, r, span_left);
      }
    }
  }
}

static bool
emit_enter(const GumboNode *n, void *ud)
{
  struct emitter *em = ud;
  if(n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
     n->type == GUMBO_NODE_CDATA) {
    const char *t = n->v.text.text;
    for(const char *p = t; *p; p++) {
      bool ws = *p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == '\f';
      if(!ws)
        g_string_append_c(em->line, *p);
      else if(em->line->len && em->line->str[em->line->len - 1] != ' ')
        g_string_append_c(em->line, ' ');
    }
    return false;
  }
  if(n->type != GUMBO_NODE_ELEMENT || skipped(n))
    return false;
  GumboTag t = n->v.element.tag;
  if(is_block(t) && em->line->len)
    flush_line(em);
  if(t == GUMBO_TAG_TABLE && !contains_table(n)) {
    emit_table(em, n);
    return false;
  }
  return t != GUMBO_TAG_BR;
}

static void
emit_leave(const GumboNode *n, void *ud)
{
  struct emitter *em = ud;
  if(n->type == GUMBO_NODE_ELEMENT && is_block(n->v.element.tag) && em->line->len)
    flush_line(em);
}

/* ---- metadata outside the article ---- */

struct meta {
  const GumboNode *article;
  char *title;
  char *date;
  char *page_title;
};

static bool
title_like(const GumboNode *n)
{
  GumboTag t = n->v.element.tag;
  if(t == GUMBO_TAG_H1 || t == GUMBO_TAG_H2 || t == GUMBO_TAG_H3)
    return true;
  const GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, "class");
  if(!a)
    a = gumbo_get_attribute(&n->v.element.attributes, "id");
  if(!a || !a->value)
    return false;
  char *low = g_ascii_strdown(a->value, -1);
  bool hit = strstr(low, "title") || strstr(low, "bt");
  g_free(low);
  return hit;
}

static bool
meta_enter(const GumboNode *n, void *ud)
{
  struct meta *m = ud;
  if(n->type != GUMBO_NODE_ELEMENT)
    return false;
  if(n->v.element.tag == GUMBO_TAG_TITLE && !m->page_title) {
    m->page_title = inner_text(n);
    return false;
  }
  if(n->v.element.tag == GUMBO_TAG_HEAD)
    return true;
  if(n == m->article || skipped(n))
    return false;
  if(!m->title && title_like(n)) {
    char *t = inner_text(n);
    if(strstr(t, "报告") && gh_utf8_len_upto(t, 80) <= 80) {
      m->title = t;
      return false;
    }
    g_free(t);
  }
  if(!m->date && (n->v.element.tag == GUMBO_TAG_SPAN || n->v.element.tag == GUMBO_TAG_DIV ||
                  n->v.element.tag == GUMBO_TAG_P || n->v.element.tag == GUMBO_TAG_TD ||
                  n->v.element.tag == GUMBO_TAG_LI || n->v.element.tag == GUMBO_TAG_EM)) {
    /* Only small elements: the info bar, not the page that contains it. */
    const GumboVector *kids = &n->v.element.children;
    bool leafish = kids->length <= 12;
    if(leafish) {
      char *t = inner_text(n);
      if((strstr(t, "发布日期") || strstr(t, "发布时间") || strstr(t, "成文日期")) &&
         gh_utf8_len_upto(t, 200) <= 200) {
        m->date = t;
        return false;
      }
      g_free(t);
    }
  }
  return true;
}

/* Table cells (<td>, <th>) a page may hold before it is refused as too_large. */
#define GH_HTML_MAX_CELLS 100000

bool
gh_html_to_doc(const char *bytes, size_t len, const char *declared_charset,
               struct gh_doc *doc, GError **err)
{
  size_t ulen = 0;
  char *utf8 = gh_to_utf8(bytes, len, declared_charset, true, &ulen, NULL, err);
  if(!utf8)
    return false;
  /* A table of a million cells fits in the byte cap (4 bytes a cell) and
   * would cost gumbo's tree and the cell stream hundreds of MB: counted
   * first.  A report's tables have a few hundred cells. */
  size_t cells = 0;
  for(const char *p = utf8, *end = utf8 + ulen; cells <= GH_HTML_MAX_CELLS && p + 3 < end &&
                                                 (p = memchr(p, '<', (size_t)(end - p) - 3));
      p++)
    if((p[1] | 0x20) == 't' && ((p[2] | 0x20) == 'd' || (p[2] | 0x20) == 'h') &&
       (p[3] == '>' || g_ascii_isspace(p[3])))
      cells++;
  if(cells > GH_HTML_MAX_CELLS) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                "the page has over %d table cells (a report has a few hundred)", GH_HTML_MAX_CELLS);
    g_free(utf8);
    return false;
  }
  struct gh_html_tree *t = gh_gumbo_parse(utf8, ulen);
  if(!t) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "gumbo could not parse the page");
    g_free(utf8);
    return false;
  }
  gh_html_tree_to_doc(t->out, doc);
  if(t->flattened)
    gh_cells_warn(doc, "HTML nested past %u levels: %zu tags flattened before parsing",
                gh_html_max_depth(), t->flattened);
  gh_gumbo_free(t);
  g_free(utf8);
  return true;
}

void
gh_html_tree_to_doc(const GumboOutput *out, struct gh_doc *doc)
{
  const GumboNode *body = find_body(out->document);
  struct scorer sc = { g_hash_table_new(NULL, NULL), g_array_new(FALSE, FALSE, sizeof(gsize)), 0 };
  gh_gumbo_walk(body, score_enter, score_leave, &sc);
  const GumboNode *article = find_article(body, sc.score);
  g_hash_table_destroy(sc.score);
  g_array_free(sc.acc, TRUE);

  struct meta m = { .article = article };
  gh_gumbo_walk(out->document, meta_enter, NULL, &m);
  if(m.title)
    gh_cells_add_text(doc, m.title, strlen(m.title));
  doc->title_hint = m.page_title;
  doc->date_hint = m.date;
  if(m.date)
    gh_cells_add_text(doc, m.date, strlen(m.date));

  struct emitter em = { doc, g_string_new(NULL) };
  gh_gumbo_walk(article, emit_enter, emit_leave, &em);
  if(em.line->len)
    flush_line(&em);
  g_string_free(em.line, TRUE);
  g_free(m.title);
}

/* DOCX -> cell stream: libarchive reads word/document.xml out of the zip,
 * libxml2 parses it.  Paragraphs become text rows; tables become table rows
 * with grid columns from w:gridBefore/w:gridSpan, and a vertically merged
 * continuation cell (w:vMerge without val="restart") emits nothing, exactly
 * like a cell covered by an HTML rowspan.
 *
 * A zip bomb is stopped by counting decompressed bytes; the XML parser gets
 * no network, no DTD loading and no entity substitution. */
#include "extract.h"

#include <archive.h>
#include <errno.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

bool
gh_zip_part(const char *bytes, size_t len, const char *name, size_t cap, GByteArray **out,
            GError **err)
{
  struct archive *a = archive_read_new();
  archive_read_support_format_zip(a);
  bool ok = false;
  *out = NULL;
  if(archive_read_open_memory(a, bytes, len) != ARCHIVE_OK) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a readable zip: %s",
                archive_error_string(a));
    goto done;
  }
  struct archive_entry *e;
  int r;
  while((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
    const char *path = archive_entry_pathname(e);
    if(!path || strcmp(path, name)) {
      archive_read_data_skip(a);
      continue;
    }
    GByteArray *buf = g_byte_array_new();
    char chunk[65536];
    la_ssize_t n;
    while((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
      if(buf->len + (size_t)n > cap) {
        g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                    "%s expands past %zu bytes (a zip bomb?)", name, cap);
        g_byte_array_free(buf, TRUE);
        goto done;
      }
      g_byte_array_append(buf, (const guint8 *)chunk, (guint)n);
    }
    if(n < 0) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is damaged: %s", name,
                  archive_error_string(a));
      g_byte_array_free(buf, TRUE);
      goto done;
    }
    *out = buf;
    ok = true;
    goto done;
  }
  if(r == ARCHIVE_EOF)
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOENT, "no %s in the zip", name);
  else
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "damaged zip: %s", archive_error_string(a));
done:
  archive_read_free(a);
  return ok;
}

static bool
is_w(const xmlNode *n, const char *name)
{
  return n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
         !strcmp((const char *)n->ns->href, W_NS) && !strcmp((const char *)n->name, name);
}

static const xmlNode *
child_w(const xmlNode *n, const char *name)
{
  for(const xmlNode *c = n ? n->children : NULL; c; c = c->next)
    if(is_w(c, name))
      return c;
  return NULL;
}

static char *
w_val(const xmlNode *n)
{
  xmlChar *v = xmlGetNsProp(n, (const xmlChar *)"val", (const xmlChar *)W_NS);
  char *s = v ? g_strdup((const char *)v) : NULL;
  xmlFree(v);
  return s;
}

/* Text of a paragraph or cell, iteratively: runs (w:t), tabs, breaks;
 * paragraphs inside a cell are separated by newlines. */
static void
collect_text(const xmlNode *root, GString *s)
{
  GPtrArray *stack = g_ptr_array_new();
  g_ptr_array_add(stack, (gpointer)root);
  bool first_p = true;
  while(stack->len) {
    const xmlNode *n = g_ptr_array_steal_index(stack, stack->len - 1);
    if(n == NULL) {
      continue;
    }
    if(is_w(n, "t"))
      for(const xmlNode *t = n->children; t; t = t->next) {
        if(t->type == XML_TEXT_NODE && t->content)
          g_string_append(s, (const char *)t->content);
      }
    else if(is_w(n, "tab"))
      g_string_append_c(s, ' ');
    else if(is_w(n, "br") || is_w(n, "cr"))
      g_string_append_c(s, '\n');
    else {
      if(is_w(n, "p") && n != root) {
        if(!first_p)
          g_string_append_c(s, '\n');
        first_p = false;
      }
      /* Push children in reverse so they pop in document order. */
      const xmlNode *last = n->children;
      while(last && last->next)
        last = last->next;
      for(const xmlNode *c = last; c; c = c->prev)
        if(c->type == XML_ELEMENT_NODE)
          g_ptr_array_add(stack, (gpointer)c);
    }
  }
  g_ptr_array_free(stack, TRUE);
}

static int
int_val(const xmlNode *n, int dflt, int cap)
{
  char *v = n ? w_val(n) : NULL;
  int r = dflt;
  if(v) {
    long x = strtol(v, NULL, 10);
    r = x < 1 ? 1 : x > cap ? cap : (int)x;
  }
  g_free(v);
  return r;
}

static void
emit_table(struct gh_doc *doc, const xmlNode *tbl)
{
  for(const xmlNode *tr = tbl->children; tr; tr = tr->next) {
    if(!is_w(tr, "tr"))
      continue;
    gh_cells_begin_row(doc);
    const xmlNode *before = child_w(child_w(tr, "trPr"), "gridBefore");
    int col = before ? int_val(before, 0, 63) : 0;
    for(const xmlNode *tc = tr->children; tc; tc = tc->next) {
      if(!is_w(tc, "tc"))
        continue;
      const xmlNode *pr = child_w(tc, "tcPr");
      int span = int_val(child_w(pr, "gridSpan"), 1, 63);
      const xmlNode *vm = child_w(pr, "vMerge");
      bool continuation = false;
      if(vm) {
        char *v = w_val(vm);
        continuation = !v || strcmp(v, "restart");
        g_free(v);
      }
      if(!continuation) {
        GString *s = g_string_new(NULL);
        collect_text(tc, s);
        gh_cells_add_cell(doc, s->str, s->len, col, span);
        g_string_free(s, TRUE);
      }
      col += span;
    }
  }
}

static void
emit_body(struct gh_doc *doc, const xmlNode *body)
{
  /* Paragraphs and tables may sit inside w:sdt content controls; walk
   * those too, but read each table whole. */
  GPtrArray *stack = g_ptr_array_new();
  const xmlNode *last = body->children;
  while(last && last->next)
    last = last->next;
  for(const xmlNode *c = last; c; c = c->prev)
    g_ptr_array_add(stack, (gpointer)c);
  while(stack->len) {
    const xmlNode *n = g_ptr_array_steal_index(stack, stack->len - 1);
    if(is_w(n, "p")) {
      GString *s = g_string_new(NULL);
      collect_text(n, s);
      gh_cells_add_text(doc, s->str, s->len);
      g_string_free(s, TRUE);
    }
    else if(is_w(n, "tbl"))
      emit_table(doc, n);
    else if(n->type == XML_ELEMENT_NODE) {
      const xmlNode *l = n->children;
      while(l && l->next)
        l = l->next;
      for(const xmlNode *c = l; c; c = c->prev)
        g_ptr_array_add(stack, (gpointer)c);
    }
  }
  g_ptr_array_free(stack, TRUE);
}

/* The cells a DOCX may hold before it is refused as too_large. */
#define GH_DOCX_MAX_CELLS 50000

bool
gh_docx_to_doc(const char *bytes, size_t len, size_t max_xml, struct gh_doc *doc,
               GError **err)
{
  GByteArray *xml = NULL;
  if(!gh_zip_part(bytes, len, "word/document.xml", max_xml, &xml, err))
    return false;
  /* libxml2's tree costs a few hundred bytes a node: a 142 KB DOCX holding
   * a 1000 x 1000 table took a worker to 737 MB.  Table cells are counted
   * in the text before any tree is built (a national report has a few
   * hundred).  memchr, not memmem: sanitizers check memmem's whole
   * haystack on every call, which made this scan quadratic (over 60 s on
   * a 46 MB part under ASan); memchr's check ends where it stops. */
  size_t cells = 0;
  for(const guint8 *p = xml->len ? xml->data : NULL, *end = p ? p + xml->len : NULL;
      p && cells <= GH_DOCX_MAX_CELLS && (p = memchr(p, '<', (size_t)(end - p))); p++)
    if(end - p > 5 && !memcmp(p, "<w:tc", 5) && (p[5] == '>' || p[5] == ' ' || p[5] == '/'))
      cells++;
  if(cells > GH_DOCX_MAX_CELLS) {
    g_byte_array_free(xml, TRUE);
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSPC,
                "word/document.xml has over %d table cells (a report has a few hundred)",
                GH_DOCX_MAX_CELLS);
    return false;
  }
  /* XML_PARSE_HUGE is deliberately absent: libxml2's own depth and size
   * limits stay on. */
  errno = 0;
  xmlDoc *x = xmlReadMemory((const char *)xml->data, (int)MIN(xml->len, (guint)G_MAXINT),
                            "document.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  g_byte_array_free(xml, TRUE);
  if(!x) {
    /* libxml2 records XML_ERR_NO_MEMORY only when recording the error
     * itself finds memory; failed allocations leave ENOMEM in errno. */
    const xmlError *xe = xmlGetLastError();
    if((xe && xe->code == XML_ERR_NO_MEMORY) || errno == ENOMEM) {
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                  "word/document.xml: out of memory while parsing it ([limits] extract_memory)");
      return false;
    }
    char *msg = g_strdup(xe && xe->message ? xe->message : "");
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "word/document.xml is not well-formed%s%s",
                *msg ? ": " : "", g_strstrip(msg)); /* libxml2 ends it with \n */
    g_free(msg);
    return false;
  }
  const xmlNode *root = xmlDocGetRootElement(x);
  const xmlNode *body = child_w(root, "body");
  if(!body) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "word/document.xml has no w:body");
    xmlFreeDoc(x);
    return false;
  }
  emit_body(doc, body);
  xmlFreeDoc(x);
  return true;
}

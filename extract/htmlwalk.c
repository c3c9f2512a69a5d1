#include "htmlwalk.h"

#include <glib.h>
#include <string.h>

const GumboVector *
gh_gumbo_children(const GumboNode *n)
{
  if(n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE)
    return &n->v.element.children;
  if(n->type == GUMBO_NODE_DOCUMENT)
    return &n->v.document.children;
  return NULL;
}

struct frame {
  const GumboNode *node;
  unsigned next; /* next child to visit */
};

void
gh_gumbo_walk(const GumboNode *root, gh_enter_fn enter, gh_leave_fn leave, void *ud)
{
  GArray *stack = g_array_new(FALSE, FALSE, sizeof(struct frame));
  if(enter(root, ud)) {
    struct frame f = { root, 0 };
    g_array_append_val(stack, f);
  }
  while(stack->len) {
    struct frame *top = &g_array_index(stack, struct frame, stack->len - 1);
    const GumboVector *kids = gh_gumbo_children(top->node);
    if(kids && top->next < kids->length) {
      const GumboNode *c = kids->data[top->next++];
      if(enter(c, ud)) {
        struct frame f = { c, 0 };
        g_array_append_val(stack, f);
      }
      continue;
    }
    const GumboNode *done = top->node;
    g_array_set_size(stack, stack->len - 1);
    if(leave)
      leave(done, ud);
  }
  g_array_free(stack, TRUE);
}

/* gumbo makes a malloc for every node, attribute, token buffer and vector
 * and a free for each again: a fifth of a worker's time on a portal page
 * went to malloc and free, and gumbo_destroy_output walks the whole tree.
 * The tree lives in an arena (glibc's obstack) instead, thrown away in
 * one go.  Freed blocks are not reused before then, so a parse holds
 * everything it ever allocated: about ten times the page (30 MiB for a
 * 10 MiB page in one text node), inside the worker's memory cap. */
#define obstack_chunk_alloc g_malloc
#define obstack_chunk_free g_free

/* obstack_alloc's alignment step does its arithmetic from a null base
 * pointer, by design; UBSan's pointer-overflow check flags that idiom. */
__attribute__((no_sanitize("pointer-overflow"))) static void *
arena_alloc(void *arena, size_t size)
{
  return obstack_alloc((struct obstack *)arena, size);
}

static void
arena_free(void *arena, void *p)
{
  (void)arena;
  (void)p;
}

/* ---- bounded nesting ----
 *
 * gumbo's cost grows with the square of the nesting depth (each new element
 * scans the stack of open elements): 100,000 nested <div>s took 25 s,
 * 200,000 a worker's whole CPU budget.  Real portal pages nest a few dozen
 * levels, sloppy ones (unclosed <font>) a few hundred.  Before gumbo sees a
 * page, open tags past the limit are dropped together with the close tags
 * that match them, so the page's text stays and its excess structure goes.
 * Elements whose end tag is optional (p, li, td, tr …) and void elements
 * do not count: pages leave those open by the thousand. */

static unsigned html_max_depth = GH_HTML_MAX_DEPTH_DEFAULT;

void
gh_html_set_max_depth(unsigned depth)
{
  html_max_depth = depth ? depth : GH_HTML_MAX_DEPTH_DEFAULT;
}

unsigned
gh_html_max_depth(void)
{
  return html_max_depth;
}

static bool
name_in(const char *name, size_t n, const char *const *list)
{
  for(; *list; list++)
    if(strlen(*list) == n && !g_ascii_strncasecmp(name, *list, n))
      return true;
  return false;
}

static const char *const uncounted[] = {
  /* void */
  "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
  "track", "wbr", "keygen",
  /* optional end tags */
  "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
  "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head", "body", NULL
};
static const char *const raw_text[] = { "script", "style", "textarea", "title", "xmp",
                                        "iframe", "noembed", "noframes", "plaintext", NULL };

GString *
gh_html_bound_depth(const char *html, size_t len, unsigned max_depth, size_t *dropped)
{
  *dropped = 0;
  GString *out = NULL;
  GByteArray *kept = g_byte_array_new(); /* per open counted element: 1 kept, 0 dropped */
  size_t copied = 0; /* html[0, copied) is in out already (when out) */
  const char *p = html, *end = html + len;
  while(p < end && (p = memchr(p, '<', (size_t)(end - p)))) {
    const char *t = p + 1;
    if(t < end && *t == '!') { /* comment, doctype, CDATA */
      const char *close = t + 3 <= end && !memcmp(t, "!--", 3) ? g_strstr_len(t, end - t, "-->") : NULL;
      const char *gt = close ? close + 2 : memchr(t, '>', (size_t)(end - t));
      p = gt ? gt + 1 : end;
      continue;
    }
    bool closing = t < end && *t == '/';
    if(closing)
      t++;
    const char *name = t;
    while(t < end && (g_ascii_isalnum(*t) || *t == '-' || *t == ':'))
      t++;
    size_t n = (size_t)(t - name);
    if(!n || !g_ascii_isalpha(*name)) {
      p++;
      continue;
    }
    const char *gt = memchr(t, '>', (size_t)(end - t));
    const char *tag_end = gt ? gt + 1 : end;
    if(!closing && name_in(name, n, raw_text)) {
      /* Skip to the matching close tag: no markup inside. */
      const char *q = tag_end;
      for(; q && q < end; q++) {
        q = memchr(q, '<', (size_t)(end - q));
        if(!q || (q + 2 + n <= end && q[1] == '/' && !g_ascii_strncasecmp(q + 2, name, n)))
          break;
      }
      p = q ? q : end;
      continue;
    }
    bool self_closing = gt && gt > t && gt[-1] == '/';
    if(name_in(name, n, uncounted) || (self_closing && !closing)) {
      p = tag_end;
      continue;
    }
    bool drop = false;
    if(!closing) {
      drop = kept->len >= max_depth;
      guint8 k = !drop;
      g_byte_array_append(kept, &k, 1);
    } else if(kept->len) {
      drop = kept->data[kept->len - 1] == 0;
      g_byte_array_set_size(kept, kept->len - 1);
    }
    if(drop) {
      if(!out)
        out = g_string_sized_new(len);
      g_string_append_len(out, html + copied, p - (html + copied));
      copied = (size_t)(tag_end - html);
      (*dropped)++;
    }
    p = tag_end;
  }
  g_byte_array_free(kept, TRUE);
  if(out)
    g_string_append_len(out, html + copied, (gssize)(len - copied));
  return out;
}

struct gh_html_tree *
gh_gumbo_parse(const char *utf8, size_t len)
{
  size_t dropped = 0;
  GString *bounded = gh_html_bound_depth(utf8, len, html_max_depth, &dropped);
  if(bounded) {
    utf8 = bounded->str;
    len = bounded->len;
  }
  struct gh_html_tree *t = g_new(struct gh_html_tree, 1);
  obstack_begin(&t->arena, 64 * 1024);
  GumboOptions opts = kGumboDefaultOptions;
  opts.max_errors = 100;
  opts.allocator = arena_alloc;
  opts.deallocator = arena_free;
  opts.userdata = &t->arena;
  t->out = gumbo_parse_with_options(&opts, utf8, len);
  t->flattened = dropped;
  if(bounded) /* gumbo's tree points into its own buffers, not the input */
    g_string_free(bounded, TRUE);
  if(!t->out) {
    gh_gumbo_free(t);
    return NULL;
  }
  return t;
}

void
gh_gumbo_free(struct gh_html_tree *t)
{
  if(!t)
    return;
  obstack_free(&t->arena, NULL);
  g_free(t);
}

bool
gh_html_names_any(const GumboElement *e, const char *const *words)
{
  const char *attrs[] = { "id", "class" };
  for(size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
    const GumboAttribute *a = gumbo_get_attribute(&e->attributes, attrs[i]);
    if(!a || !a->value)
      continue;
    char *low = g_ascii_strdown(a->value, (gssize)MIN(strlen(a->value), 512));
    bool hit = false;
    for(const char *const *w = words; *w && !hit; w++)
      hit = strstr(low, *w) != NULL;
    g_free(low);
    if(hit)
      return true;
  }
  return false;
}

#include "htmlwalk.h"

#include <glib.h>

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

GumboOutput *
gh_gumbo_parse(const char *utf8, size_t len)
{
  GumboOptions opts = kGumboDefaultOptions;
  opts.max_errors = 100;
  return gumbo_parse_with_options(&opts, utf8, len);
}

void
gh_gumbo_free(GumboOutput *out)
{
  if(out)
    gumbo_destroy_output(&kGumboDefaultOptions, out);
}

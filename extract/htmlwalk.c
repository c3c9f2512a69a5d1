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

struct gh_html_tree *
gh_gumbo_parse(const char *utf8, size_t len)
{
  struct gh_html_tree *t = g_new(struct gh_html_tree, 1);
  obstack_begin(&t->arena, 64 * 1024);
  GumboOptions opts = kGumboDefaultOptions;
  opts.max_errors = 100;
  opts.allocator = arena_alloc;
  opts.deallocator = arena_free;
  opts.userdata = &t->arena;
  t->out = gumbo_parse_with_options(&opts, utf8, len);
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

/* Iterative traversal of a gumbo tree.  Hostile pages nest 100k levels
 * deep; recursion would overflow the stack, an explicit stack does not. */
#ifndef GH_HTMLWALK_H
#define GH_HTMLWALK_H

#include <gumbo.h>
#include <obstack.h>
#include <stdbool.h>
#include <stddef.h>

/* A parsed page and the arena its tree lives in. */
struct gh_html_tree {
  GumboOutput *out;
  size_t flattened; /* tags dropped past the nesting limit (0: none) */
  struct obstack arena;
};

/* A page (UTF-8) parsed the one way both the reader and link discovery
 * want it: the error list is for humans, so its memory is bounded.  NULL
 * when gumbo gives up.  gh_gumbo_free(NULL) is a no-op. */
struct gh_html_tree *gh_gumbo_parse(const char *utf8, size_t len);

/* Nesting past this many levels is flattened before gumbo parses a page
 * ([limits] max_html_depth; see htmlwalk.c for why).  Set once per
 * process, before parsing. */
#define GH_HTML_MAX_DEPTH_DEFAULT 400
void gh_html_set_max_depth(unsigned depth);
unsigned gh_html_max_depth(void);
/* The page with open tags past `max_depth` and their close tags removed,
 * or NULL when nothing is past it; *dropped counts the tags removed. */
#include <glib.h>
GString *gh_html_bound_depth(const char *html, size_t len, unsigned max_depth, size_t *dropped);
void gh_gumbo_free(struct gh_html_tree *t);

/* Children of an element or the document, else NULL. */
const GumboVector *gh_gumbo_children(const GumboNode *n);

/* Whether the element's id or class holds one of `words` (lower-case
 * ASCII) as a substring, case-insensitively: how CMS templates name their
 * chrome and their article body ("top_nav2", "xglj_list", "TRS_Editor"),
 * decorated, so not as whole words.  Only an attribute's first 512 bytes
 * are read. */
bool gh_html_names_any(const GumboElement *e, const char *const *words);

typedef bool (*gh_enter_fn)(const GumboNode *n, void *ud); /* false: skip subtree */
typedef void (*gh_leave_fn)(const GumboNode *n, void *ud);
void gh_gumbo_walk(const GumboNode *root, gh_enter_fn enter, gh_leave_fn leave, void *ud);

#endif

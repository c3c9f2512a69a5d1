/* Iterative traversal of a gumbo tree.  Hostile pages nest 100k levels
 * deep; recursion would overflow the stack, an explicit stack does not. */
#ifndef GH_HTMLWALK_H
#define GH_HTMLWALK_H

#include <gumbo.h>
#include <stdbool.h>

/* Children of an element or the document, else NULL. */
const GumboVector *gh_gumbo_children(const GumboNode *n);

typedef bool (*gh_enter_fn)(const GumboNode *n, void *ud); /* false: skip subtree */
typedef void (*gh_leave_fn)(const GumboNode *n, void *ud);
void gh_gumbo_walk(const GumboNode *root, gh_enter_fn enter, gh_leave_fn leave, void *ud);

#endif

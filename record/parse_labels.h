/* What the parser reads from text: the key phrases that name each row of
 * sections 二 and 三, the section headings, the template's markers, and a
 * section 三 header printed again after a page break.  Part of the parser
 * (see parse_tokens.h for the order of its files); calls only
 * parse_tokens.c.
 *
 * Every function here reads; only parse_mark_repeated_header writes, and
 * only cx->skip_row (which the driver frees).  A phrase that names no row
 * gives -1; a heading not found gives start -1. */
#ifndef GH_PARSE_LABELS_H
#define GH_PARSE_LABELS_H

#include "parse_tokens.h"

struct key {
  const char *k;
  int id;
  bool at_end; /* must end the buffer (a too-generic phrase otherwise) */
};

/* Section 三's rows' phrases (id: enum gh_app_row) and section 二's (id:
 * enum gh_pro_row), each ended by a NULL key. */
extern const struct key parse_app_keys[];
extern const struct key parse_pro_keys[];

/* The key whose last occurrence ends latest in `buf`; ties go to the longer
 * key.  Returns -1 when none occurs. */
int parse_match_key(const struct key *keys, const char *buf);

/* p has at most `cap` characters. */
bool parse_short_line(const char *p, size_t cap);

/* A copy of `s` cut to 24 characters for a warning (g_free it). */
char *parse_shorten(const char *s);

enum sec { SEC_OVERVIEW, SEC_PROACTIVE, SEC_APPLICATIONS, SEC_APPEALS,
           SEC_PROBLEMS, SEC_OTHER, SEC_N };

/* The headings' printed names, for warnings. */
extern const char *const parse_sec_names[SEC_N];

struct sections {
  int start[SEC_N]; /* row of the heading, -1 when absent */
  guint from[SEC_N], to[SEC_N];
};

/* Each section's heading row and its rows [from, to). */
void parse_find_sections(const struct ctx *cx, struct sections *s);

/* Marks in cx->skip_row the rows of section 三 [from, to) that repeat its
 * header after a page break. */
void parse_mark_repeated_header(struct ctx *cx, guint from, guint to);

/* The form (template-spec §1) section 二's text votes for, or
 * GH_TEMPLATE_UNKNOWN on a tie. */
enum gh_template parse_vote(GArray *toks);

#endif

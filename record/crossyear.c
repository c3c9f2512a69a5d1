#include "crossyear.h"

#include <glib.h>
#include <string.h>

#include "record.h"

struct tally {
  int compared, failed;
  GString *detail;
};

static void
compare(struct tally *t, const char *what, json_t *want, json_t *got)
{
  if(!json_is_number(want) || !json_is_number(got))
    return;
  t->compared++;
  double w = json_number_value(want), g = json_number_value(got);
  if(w != g) {
    t->failed++;
    if(t->detail->len < 400)
      g_string_append_printf(t->detail, "%s%s: expected %g, printed %g", t->detail->len ? "; " : "",
                             what, w, g);
  }
}

static void
add(json_t *cur, const char *rule, struct tally *t, const char *what)
{
  json_t *c = json_object();
  json_object_set_new(c, "rule", json_string(rule));
  json_object_set_new(c, "level", json_string("warning"));
  if(t->failed) {
    json_object_set_new(c, "ok", json_false());
    json_object_set_new(c, "detail", json_string(t->detail->str));
  } else if(t->compared) {
    json_object_set_new(c, "ok", json_true());
    char *d = g_strdup_printf("all %d %s hold against the previous year's report", t->compared, what);
    json_object_set_new(c, "detail", json_string(d));
    g_free(d);
  } else {
    json_object_set_new(c, "ok", json_null());
    json_object_set_new(c, "detail", json_string("not evaluated: blank cells in one of the years"));
  }
  json_array_append_new(json_object_get(cur, "checks"), c);
  g_string_truncate(t->detail, 0);
  t->compared = t->failed = 0;
}

static json_t *
at(json_t *rec, const char *a, const char *b, const char *c)
{
  json_t *v = json_object_get(json_object_get(rec, a), b);
  return c ? json_object_get(v, c) : v;
}

void
gh_cross_year_checks(json_t *cur, json_t *prev)
{
  if(!prev || !json_is_array(json_object_get(cur, "checks")))
    return;
  json_int_t y = json_integer_value(json_object_get(cur, "year"));
  if(json_integer_value(json_object_get(prev, "year")) != y - 1)
    return;
  const char *tc = json_string_value(json_object_get(cur, "template"));
  const char *tp = json_string_value(json_object_get(prev, "template"));
  struct tally t = { 0, 0, g_string_new(NULL) };

  json_t *in = at(cur, "applications", "carried_in", NULL);
  json_t *over = at(prev, "applications", "carried_over", NULL);
  if(json_is_array(in) && json_is_array(over)) {
    for(size_t i = 0; i < GH_APP_COLS; i++) {
      char *what = g_strdup_printf("carried_in.%s", gh_app_cols[i]);
      compare(&t, what, json_array_get(over, i), json_array_get(in, i));
      g_free(what);
    }
    add(cur, "cross_year_carry", &t, "columns");
  }
  if(tc && tp && !strcmp(tc, "2021") && !strcmp(tp, "2021")) {
    static const char *const rows[] = { "rules", "normative_documents" };
    for(size_t r = 0; r < G_N_ELEMENTS(rows); r++) {
      json_t *pf = at(prev, "proactive", rows[r], "in_force");
      json_t *is = at(cur, "proactive", rows[r], "issued");
      json_t *re = at(cur, "proactive", rows[r], "repealed");
      if(!json_is_number(pf) || !json_is_number(is) || !json_is_number(re))
        continue;
      json_t *want = json_real(json_number_value(pf) + json_number_value(is) - json_number_value(re));
      char *what = g_strdup_printf("%s.in_force", rows[r]);
      compare(&t, what, want, at(cur, "proactive", rows[r], "in_force"));
      g_free(what);
      json_decref(want);
    }
    add(cur, "cross_year_in_force", &t, "rows");
  }
  if(tc && tp && !strcmp(tc, "2019") && !strcmp(tp, "2019")) {
    static const char *const rows[] = { "licensing", "other_services", "penalty", "coercion", "fees" };
    for(size_t r = 0; r < G_N_ELEMENTS(rows); r++) {
      json_t *pc = at(prev, "proactive", rows[r], "prev_count");
      json_t *ch = at(prev, "proactive", rows[r], "change");
      if(!json_is_number(pc) || !json_is_number(ch))
        continue;
      json_t *want = json_real(json_number_value(pc) + json_number_value(ch));
      char *what = g_strdup_printf("%s.prev_count", rows[r]);
      compare(&t, what, want, at(cur, "proactive", rows[r], "prev_count"));
      g_free(what);
      json_decref(want);
    }
    add(cur, "cross_year_items", &t, "rows");
  }

  const char *fa = json_string_value(at(cur, "source", "text_fingerprint", NULL));
  const char *fb = json_string_value(at(prev, "source", "text_fingerprint", NULL));
  if(fa && fb) {
    guint64 a = g_ascii_strtoull(fa, NULL, 16), b = g_ascii_strtoull(fb, NULL, 16);
    int bits = __builtin_popcountll(a ^ b);
    json_t *c = json_object();
    json_object_set_new(c, "rule", json_string("same_text_as_previous_year"));
    json_object_set_new(c, "level", json_string("warning"));
    json_object_set_new(c, "ok", json_boolean(bits > 3));
    char *d = g_strdup_printf(bits > 3 ? "prose differs from %d's (%d of 64 fingerprint bits)"
                                       : "prose nearly identical to %d's report (%d of 64 fingerprint bits differ)",
                              (int)(y - 1), bits);
    json_object_set_new(c, "detail", json_string(d));
    g_free(d);
    json_array_append_new(json_object_get(cur, "checks"), c);
  }
  g_string_free(t.detail, TRUE);
}

char *
gh_text_fingerprint(const char *const *lines, unsigned n)
{
  /* SimHash over character 3-grams of the prose, digits and spaces
   * removed: the numbers change every year, the boilerplate does not. */
  int weights[64] = { 0 };
  GArray *cps = g_array_new(FALSE, FALSE, sizeof(gunichar));
  for(unsigned i = 0; i < n; i++)
    for(const char *p = lines[i]; p && *p; p = g_utf8_next_char(p)) {
      gunichar u = g_utf8_get_char(p);
      if(!g_unichar_isdigit(u) && !g_unichar_isspace(u))
        g_array_append_val(cps, u);
    }
  for(guint i = 0; i + 3 <= cps->len; i++) {
    guint64 h = 1469598103934665603ull; /* FNV-1a */
    for(int k = 0; k < 3; k++) {
      h ^= g_array_index(cps, gunichar, i + k);
      h *= 1099511628211ull;
    }
    for(int b = 0; b < 64; b++)
      weights[b] += (h >> b) & 1 ? 1 : -1;
  }
  guint64 f = 0;
  for(int b = 0; b < 64; b++)
    if(weights[b] > 0)
      f |= 1ull << b;
  g_array_free(cps, TRUE);
  return g_strdup_printf("%016" G_GINT64_MODIFIER "x", f);
}

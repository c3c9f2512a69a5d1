#include "robots.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

struct rule {
  bool allow;
  char *pattern; /* normalised */
  size_t len;    /* octets, for the longest match */
};

struct gh_robots {
  GPtrArray *rules; /* struct rule * */
  bool disallow_all;
  double crawl_delay;
};

static void
rule_free(void *p)
{
  struct rule *r = p;
  g_free(r->pattern);
  g_free(r);
}

static struct gh_robots *
robots_new(void)
{
  struct gh_robots *r = g_new0(struct gh_robots, 1);
  r->rules = g_ptr_array_new_with_free_func(rule_free);
  r->crawl_delay = -1;
  return r;
}

/* RFC 9309 §2.2.2: compare percent-encoded forms.  Unreserved characters
 * are decoded, other escapes upper-cased, and bytes outside printable ASCII
 * encoded, so "/%7Ea", "/~a" match and raw UTF-8 equals its %E4%B8… form. */
static char *
normalise(const char *s)
{
  static const char hex[] = "0123456789ABCDEF";
  GString *o = g_string_new(NULL);
  for(const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if(*p == '%' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
      int v = g_ascii_xdigit_value((char)p[1]) * 16 + g_ascii_xdigit_value((char)p[2]);
      if(g_ascii_isalnum(v) || strchr("-._~", v)) {
        g_string_append_c(o, (char)v);
      } else {
        g_string_append_c(o, '%');
        g_string_append_c(o, hex[v >> 4]);
        g_string_append_c(o, hex[v & 15]);
      }
      p += 2;
    } else if(*p <= 0x20 || *p >= 0x7f) {
      g_string_append_c(o, '%');
      g_string_append_c(o, hex[*p >> 4]);
      g_string_append_c(o, hex[*p & 15]);
    } else {
      g_string_append_c(o, (char)*p);
    }
  }
  return g_string_free(o, FALSE);
}

/* '*' matches any run, '$' at the end anchors; otherwise a prefix match.
 * Iterative with one backtrack point, so hostile patterns stay linear-ish
 * (O(n·m) at worst, both bounded by the 500 KiB cap). */
static bool
match(const char *pat, const char *s)
{
  const char *star = NULL, *star_s = NULL;
  for(;;) {
    if(*pat == '$' && pat[1] == '\0') {
      if(*s == '\0')
        return true;
    } else if(*pat == '\0') {
      return true; /* prefix matched */
    } else if(*pat == '*') {
      star = ++pat;
      star_s = s;
      continue;
    } else if(*s && *pat == *s) {
      pat++;
      s++;
      continue;
    }
    if(!star || !*star_s)
      return false;
    pat = star;
    s = ++star_s;
  }
}

static bool
agent_matches(const char *line_agent, const char *agent)
{
  /* The product token: letters, '-' and '_' up to the first other byte. */
  size_t n = 0;
  while(line_agent[n] && (g_ascii_isalpha(line_agent[n]) || line_agent[n] == '-' ||
                          line_agent[n] == '_'))
    n++;
  return n && n == strlen(agent) && !g_ascii_strncasecmp(line_agent, agent, n);
}

struct gh_robots *
gh_robots_parse(const char *body, size_t len, const char *agent)
{
  if(len > GH_ROBOTS_MAX_BYTES)
    len = GH_ROBOTS_MAX_BYTES;
  struct gh_robots *mine = robots_new(), *star = robots_new();
  bool have_mine = false, have_star = false;
  /* State of the group being read: which of ours it belongs to. */
  bool in_agents = false, for_mine = false, for_star = false;
  char *text = g_strndup(body, len);
  char *save = NULL;
  for(char *line = strtok_r(text, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
    char *hash = strchr(line, '#');
    if(hash)
      *hash = '\0';
    char *colon = strchr(line, ':');
    if(!colon)
      continue;
    *colon = '\0';
    char *key = g_strstrip(line), *value = g_strstrip(colon + 1);
    if(!g_ascii_strcasecmp(key, "user-agent")) {
      if(!in_agents) { /* a new group starts */
        in_agents = true;
        for_mine = for_star = false;
      }
      if(agent_matches(value, agent)) {
        for_mine = true;
        have_mine = true;
      } else if(!strcmp(value, "*")) {
        for_star = true;
        have_star = true;
      }
      continue;
    }
    bool allow = !g_ascii_strcasecmp(key, "allow");
    bool disallow = !g_ascii_strcasecmp(key, "disallow");
    bool delay = !g_ascii_strcasecmp(key, "crawl-delay");
    if(!allow && !disallow && !delay)
      continue; /* sitemap and unknown lines do not end a group */
    in_agents = false;
    if(!for_mine && !for_star)
      continue;
    struct gh_robots *targets[2] = { for_mine ? mine : NULL, for_star ? star : NULL };
    for(int i = 0; i < 2; i++) {
      struct gh_robots *t = targets[i];
      if(!t)
        continue;
      if(delay) {
        char *end;
        double d = g_ascii_strtod(value, &end);
        if(end != value && d >= 0)
          t->crawl_delay = d;
        continue;
      }
      if(!*value)
        continue; /* "Disallow:" with no path allows everything */
      struct rule *r = g_new0(struct rule, 1);
      r->allow = allow;
      r->pattern = normalise(value);
      r->len = strlen(r->pattern);
      g_ptr_array_add(t->rules, r);
    }
  }
  g_free(text);
  if(have_mine) {
    gh_robots_free(star);
    return mine;
  }
  gh_robots_free(mine);
  if(have_star)
    return star;
  gh_robots_free(star);
  return robots_new();
}

struct gh_robots *
gh_robots_disallow_all(void)
{
  struct gh_robots *r = robots_new();
  r->disallow_all = true;
  return r;
}

struct gh_robots *
gh_robots_for_answer(long status, const char *body, size_t len, const char *agent)
{
  if(status >= 200 && status < 300)
    return gh_robots_parse(body ? body : "", body ? len : 0, agent);
  if(status >= 400 && status < 500)
    return gh_robots_parse("", 0, agent);
  return gh_robots_disallow_all();
}

void
gh_robots_free(struct gh_robots *r)
{
  if(!r)
    return;
  g_ptr_array_free(r->rules, TRUE);
  g_free(r);
}

bool
gh_robots_allowed(const struct gh_robots *r, const char *path_query)
{
  if(!strcmp(path_query, "/robots.txt"))
    return true;
  if(r->disallow_all)
    return false;
  char *p = normalise(path_query);
  const struct rule *best = NULL;
  for(guint i = 0; i < r->rules->len; i++) {
    const struct rule *ru = r->rules->pdata[i];
    if(!match(ru->pattern, p))
      continue;
    if(!best || ru->len > best->len || (ru->len == best->len && ru->allow && !best->allow))
      best = ru;
  }
  g_free(p);
  return !best || best->allow;
}

double
gh_robots_crawl_delay(const struct gh_robots *r)
{
  return r->crawl_delay;
}

double
gh_robots_delay(const struct gh_robots *r, double configured)
{
  double cd = gh_robots_crawl_delay(r);
  return cd > configured ? MIN(cd, GH_ROBOTS_MAX_DELAY) : configured;
}

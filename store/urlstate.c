/* URL states: the struct, its stored form and its JSON form (urlstate.h).
 *
 * The stored form, after a 4-byte mark that no JSON text starts with:
 *   has, state                      guint32 each
 *   depth, cycle, qseq, forced_run,
 *   attempts, http_status           guint64 each, written whether set or not
 *   kind                            string          <- the head ends here
 *   seed … redirect_to              the other strings, in str_fields' order
 *   redirect_chain                  a count (GH_WIRE_NULL: none), strings
 *   out                             a count (GH_WIRE_NULL: none), then per
 *                                   link its url, kind, text and depth
 *   extra                           JSON text, or a NULL string
 * with wire.h's fields, so a damaged value is refused field by field. */
#include "urlstate.h"

#include <stddef.h>
#include <string.h>

#include "../extract/wire.h"

static const char mark[4] = { '\x01', 'G', 'U', 'S' };

static const char *const state_names[GH_URL_STATES] = {
  [GH_URL_QUEUED] = "queued",         [GH_URL_DONE] = "done",
  [GH_URL_FAILED] = "failed",         [GH_URL_REDIRECTED] = "redirected",
  [GH_URL_BLOCKED] = "blocked",       [GH_URL_ROBOTS] = "robots",
  [GH_URL_SKIPPED] = "skipped",
};

const char *
gh_url_state_name(enum gh_url_state s)
{
  return (unsigned)s < GH_URL_STATES ? state_names[s] : "queued";
}

bool
gh_url_state_parse(const char *name, enum gh_url_state *out)
{
  for(unsigned i = 0; name && i < GH_URL_STATES; i++)
    if(!strcmp(name, state_names[i])) {
      *out = (enum gh_url_state)i;
      return true;
    }
  return false;
}

/* The JSON keys of the fields, in stored order. */
static const struct {
  const char *name;
  size_t off;
  guint32 bit;
} num_fields[] = {
  { "depth", offsetof(struct gh_urlstate, depth), GH_US_DEPTH },
  { "cycle", offsetof(struct gh_urlstate, cycle), GH_US_CYCLE },
  { "qseq", offsetof(struct gh_urlstate, qseq), GH_US_QSEQ },
  { "forced_run", offsetof(struct gh_urlstate, forced_run), GH_US_FORCED_RUN },
  { "attempts", offsetof(struct gh_urlstate, attempts), GH_US_ATTEMPTS },
  { "http_status", offsetof(struct gh_urlstate, http_status), GH_US_HTTP_STATUS },
};

static const struct {
  const char *name;
  size_t off;
} str_fields[] = {
  { "kind", offsetof(struct gh_urlstate, kind) }, /* first: the head's */
  { "seed", offsetof(struct gh_urlstate, seed) },
  { "region", offsetof(struct gh_urlstate, region) },
  { "text", offsetof(struct gh_urlstate, text) },
  { "referer", offsetof(struct gh_urlstate, referer) },
  { "embed", offsetof(struct gh_urlstate, embed) },
  { "queued_at", offsetof(struct gh_urlstate, queued_at) },
  { "error", offsetof(struct gh_urlstate, error) },
  { "reason", offsetof(struct gh_urlstate, reason) },
  { "etag", offsetof(struct gh_urlstate, etag) },
  { "last_modified", offsetof(struct gh_urlstate, last_modified) },
  { "sha256", offsetof(struct gh_urlstate, sha256) },
  { "fetched_at", offsetof(struct gh_urlstate, fetched_at) },
  { "record_status", offsetof(struct gh_urlstate, record_status) },
  { "redirect_to", offsetof(struct gh_urlstate, redirect_to) },
};

/* The fields by table index (through void *: the offsets are of members,
 * so aligned). */
#define NUM(s, i) (*(gint64 *)(void *)((char *)(s) + num_fields[i].off))
#define CNUM(s, i) (*(const gint64 *)(const void *)((const char *)(s) + num_fields[i].off))
#define STR(s, i) (*(char **)(void *)((char *)(s) + str_fields[i].off))
#define CSTR(s, i) (*(char *const *)(const void *)((const char *)(s) + str_fields[i].off))

struct gh_urlstate *
gh_urlstate_new(void)
{
  return g_new0(struct gh_urlstate, 1);
}

static void
link_clear(gpointer p)
{
  struct gh_url_link *l = p;
  g_free(l->url);
  g_free(l->kind);
  g_free(l->text);
}

static GArray *
links_new(guint n)
{
  GArray *a = g_array_sized_new(FALSE, FALSE, sizeof(struct gh_url_link), n);
  g_array_set_clear_func(a, link_clear);
  return a;
}

void
gh_urlstate_free(struct gh_urlstate *s)
{
  if(!s)
    return;
  for(size_t i = 0; i < G_N_ELEMENTS(str_fields); i++)
    g_free(STR(s, i));
  if(s->redirect_chain)
    g_ptr_array_unref(s->redirect_chain);
  if(s->out)
    g_array_unref(s->out);
  json_decref(s->extra);
  g_free(s);
}

enum gh_url_state
gh_urlstate_state(const struct gh_urlstate *s)
{
  return s && (s->has & GH_US_STATE) ? s->state : GH_URL_QUEUED;
}

void
gh_urlstate_set_state(struct gh_urlstate *s, enum gh_url_state st)
{
  s->state = st;
  s->has |= GH_US_STATE;
}

void
gh_urlstate_set(char **field, const char *v)
{
  if(*field == v)
    return;
  g_free(*field);
  *field = g_strdup(v);
}

bool
gh_urlstate_is_leaf(const struct gh_urlstate *s)
{
  return s->kind && (!strcmp(s->kind, "report") || !strcmp(s->kind, "attachment"));
}

void
gh_urlstate_add_out(struct gh_urlstate *s, const char *url, const char *kind, gint64 depth,
                    const char *text)
{
  if(!s->out)
    s->out = links_new(8);
  struct gh_url_link l = { g_strdup(url), g_strdup(kind), g_strdup(text), depth };
  g_array_append_val(s->out, l);
}

void
gh_urlstate_clear_out(struct gh_urlstate *s)
{
  if(s->out)
    g_array_set_size(s->out, 0);
  else
    s->out = links_new(8);
}

/* ---- the stored form ---- */

void
gh_urlstate_encode(const struct gh_urlstate *s, GByteArray *b)
{
  g_byte_array_append(b, (const guint8 *)mark, sizeof mark);
  gh_wire_put_u32(b, s->has);
  gh_wire_put_u32(b, (guint32)s->state);
  for(size_t i = 0; i < G_N_ELEMENTS(num_fields); i++)
    gh_wire_put_u64(b, (guint64)CNUM(s, i));
  for(size_t i = 0; i < G_N_ELEMENTS(str_fields); i++)
    gh_wire_put_str(b, CSTR(s, i));
  gh_wire_put_u32(b, s->redirect_chain ? s->redirect_chain->len : GH_WIRE_NULL);
  for(guint i = 0; s->redirect_chain && i < s->redirect_chain->len; i++)
    gh_wire_put_str(b, s->redirect_chain->pdata[i]);
  gh_wire_put_u32(b, s->out ? s->out->len : GH_WIRE_NULL);
  for(guint i = 0; s->out && i < s->out->len; i++) {
    const struct gh_url_link *l = &g_array_index(s->out, struct gh_url_link, i);
    gh_wire_put_str(b, l->url);
    gh_wire_put_str(b, l->kind);
    gh_wire_put_str(b, l->text);
    gh_wire_put_u64(b, (guint64)l->depth);
  }
  char *extra = s->extra ? json_dumps(s->extra, JSON_COMPACT) : NULL;
  gh_wire_put_str(b, extra);
  free(extra);
}

bool
gh_urlstate_is_encoded(const void *p, size_t len)
{
  return len >= sizeof mark && !memcmp(p, mark, sizeof mark);
}

static char *
get_dup(struct gh_wire_reader *r)
{
  const char *t;
  gh_wire_get_str(r, &t);
  return g_strdup(t);
}

/* The head into `s` (zeroed by the caller); the reader stays after it. */
static bool
read_head(struct gh_wire_reader *r, struct gh_urlstate *s)
{
  if(!gh_urlstate_is_encoded(r->p, (size_t)(r->end - r->p)))
    return false;
  r->p += sizeof mark;
  s->has = gh_wire_get_u32(r);
  guint32 st = gh_wire_get_u32(r);
  for(size_t i = 0; i < G_N_ELEMENTS(num_fields); i++)
    NUM(s, i) = (gint64)gh_wire_get_u64(r);
  s->kind = get_dup(r);
  /* A state past the names is damage, not a state to act on. */
  if(st >= GH_URL_STATES)
    r->bad = true;
  s->state = (enum gh_url_state)st;
  return !r->bad;
}

bool
gh_urlstate_decode_head(const void *p, size_t len, struct gh_urlstate *s)
{
  memset(s, 0, sizeof *s);
  struct gh_wire_reader r = { p, (const guint8 *)p + len, false };
  if(read_head(&r, s))
    return true;
  g_clear_pointer(&s->kind, g_free);
  return false;
}

struct gh_urlstate *
gh_urlstate_decode(const void *p, size_t len)
{
  struct gh_urlstate *s = gh_urlstate_new();
  struct gh_wire_reader r = { p, (const guint8 *)p + len, false };
  if(!read_head(&r, s))
    goto bad;
  for(size_t i = 1; i < G_N_ELEMENTS(str_fields); i++)
    STR(s, i) = get_dup(&r);
  guint32 n = gh_wire_get_u32(&r);
  /* Counts are checked against what is left (a string takes 4 bytes at
   * least, a link 20), so a damaged count cannot make us allocate much. */
  if(n != GH_WIRE_NULL && !r.bad) {
    if(n > (size_t)(r.end - r.p) / 4)
      goto bad;
    s->redirect_chain = g_ptr_array_new_full(n, g_free);
    for(guint32 i = 0; i < n && !r.bad; i++)
      g_ptr_array_add(s->redirect_chain, get_dup(&r));
  }
  n = gh_wire_get_u32(&r);
  if(n != GH_WIRE_NULL && !r.bad) {
    if(n > (size_t)(r.end - r.p) / 20)
      goto bad;
    s->out = links_new(n);
    for(guint32 i = 0; i < n && !r.bad; i++) {
      struct gh_url_link l = { get_dup(&r), get_dup(&r), get_dup(&r), 0 };
      l.depth = (gint64)gh_wire_get_u64(&r);
      g_array_append_val(s->out, l);
    }
  }
  const char *extra;
  gh_wire_get_str(&r, &extra);
  if(extra && !(s->extra = json_loads(extra, 0, NULL)))
    goto bad;
  if(!gh_wire_done(&r))
    goto bad;
  return s;
bad:
  gh_urlstate_free(s);
  return NULL;
}

/* ---- the JSON form ---- */

json_t *
gh_urlstate_to_json(const struct gh_urlstate *s)
{
  json_t *j = s->extra ? json_deep_copy(s->extra) : json_object();
  if(s->has & GH_US_STATE)
    json_object_set_new(j, "state", json_string(gh_url_state_name(s->state)));
  for(size_t i = 0; i < G_N_ELEMENTS(num_fields); i++)
    if(s->has & num_fields[i].bit)
      json_object_set_new(j, num_fields[i].name, json_integer((json_int_t)CNUM(s, i)));
  for(size_t i = 0; i < G_N_ELEMENTS(str_fields); i++)
    if(CSTR(s, i))
      json_object_set_new(j, str_fields[i].name, json_string(CSTR(s, i)));
  if(s->redirect_chain) {
    json_t *a = json_array();
    for(guint i = 0; i < s->redirect_chain->len; i++)
      json_array_append_new(a, json_string(s->redirect_chain->pdata[i]));
    json_object_set_new(j, "redirect_chain", a);
  }
  if(s->out) {
    json_t *a = json_array();
    for(guint i = 0; i < s->out->len; i++) {
      const struct gh_url_link *l = &g_array_index(s->out, struct gh_url_link, i);
      json_array_append_new(a, json_pack("[s?,s?,I,s?]", l->url, l->kind, (json_int_t)l->depth,
                                         l->text));
    }
    json_object_set_new(j, "out", a);
  }
  return j;
}

/* A page's links as stored before schema 4: [[url, kind, depth, text], …]. */
static bool
out_from_json(struct gh_urlstate *s, const json_t *a)
{
  if(!json_is_array(a))
    return false;
  size_t i;
  json_t *l;
  json_array_foreach(a, i, l) {
    if(!json_is_array(l) || !json_is_string(json_array_get(l, 0)))
      return false;
  }
  gh_urlstate_clear_out(s);
  json_array_foreach(a, i, l) {
    gh_urlstate_add_out(s, json_string_value(json_array_get(l, 0)),
                        json_string_value(json_array_get(l, 1)),
                        json_integer_value(json_array_get(l, 2)),
                        json_string_value(json_array_get(l, 3)));
  }
  return true;
}

static bool
chain_from_json(struct gh_urlstate *s, const json_t *a)
{
  if(!json_is_array(a))
    return false;
  size_t i;
  json_t *v;
  json_array_foreach(a, i, v) {
    if(!json_is_string(v))
      return false;
  }
  s->redirect_chain = g_ptr_array_new_full((guint)json_array_size(a), g_free);
  json_array_foreach(a, i, v) g_ptr_array_add(s->redirect_chain, g_strdup(json_string_value(v)));
  return true;
}

/* One key into its field: false when the key is not a field or its value
 * is not of the field's type (the caller keeps it in `extra`). */
static bool
field_from_json(struct gh_urlstate *s, const char *key, const json_t *v)
{
  if(!strcmp(key, "state")) {
    enum gh_url_state st;
    if(!gh_url_state_parse(json_string_value(v), &st))
      return false;
    gh_urlstate_set_state(s, st);
    return true;
  }
  if(!strcmp(key, "redirect_chain"))
    return !s->redirect_chain && chain_from_json(s, v);
  if(!strcmp(key, "out"))
    return out_from_json(s, v);
  for(size_t i = 0; i < G_N_ELEMENTS(num_fields); i++)
    if(!strcmp(key, num_fields[i].name)) {
      if(!json_is_integer(v))
        return false;
      NUM(s, i) = (gint64)json_integer_value(v);
      s->has |= num_fields[i].bit;
      return true;
    }
  for(size_t i = 0; i < G_N_ELEMENTS(str_fields); i++)
    if(!strcmp(key, str_fields[i].name)) {
      if(!json_is_string(v))
        return false;
      gh_urlstate_set(&STR(s, i), json_string_value(v));
      return true;
    }
  return false;
}

struct gh_urlstate *
gh_urlstate_from_json(const json_t *j)
{
  if(!json_is_object(j))
    return NULL;
  struct gh_urlstate *s = gh_urlstate_new();
  const char *key;
  json_t *v;
  json_object_foreach((json_t *)j, key, v) {
    if(field_from_json(s, key, v))
      continue;
    if(!s->extra)
      s->extra = json_object();
    json_object_set(s->extra, key, v);
  }
  return s;
}

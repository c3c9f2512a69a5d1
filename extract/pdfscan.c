/* A bounded reading of a PDF's object graph (pdfscan.h): hostile input,
 * so every loop consumes input or counts down a budget, nesting is capped
 * and nothing recurses without a depth bound.
 *
 * Why one long file: the value parser, the object index and the walk
 * share the scan's budgets and nothing else in govharvest reads PDF
 * syntax (poppler does); split, each part would export the others'
 * internals for this file alone. */
#include "pdfscan.h"

#include <gio/gio.h>
#include <string.h>

#define MAX_NEST 32                  /* arrays and dictionaries in one value */
#define MAX_VALUES (1u << 18)        /* values parsed for one object */
#define MAX_PARSED (8u << 20)        /* values parsed over the whole scan */
#define MAX_DEFS (1u << 21)          /* object definitions indexed */
/* Definitions kept of one number: the first ones and the latest.  An
 * edited file redefines a few objects a few times; thousands of
 * definitions of one number would make every lookup a loop. */
#define MAX_REDEFS 16
#define MAX_OBJNUM 100000000u        /* poppler's xref is not larger */
#define MAX_OBJSTM_BYTES (64u << 20) /* object streams decoded, in all */
#define MAX_OBJSTM_N 100000u         /* objects one object stream declares */
#define MAX_SCANNED (16u << 20)      /* of one content stream, read for Do */
#define MAX_PARENTS 32               /* /Pages levels above a page */
#define MAX_CONTENTS 10000u          /* a page's /Contents array */
#define MAX_NAME 127                 /* a name's bytes (PDF's own limit) */

/* ---- values ---- */

enum vt { V_NULL, V_NUM, V_REF, V_NAME, V_OTHER, V_ARR, V_DICT };

struct val {
  enum vt t;
  gint64 num; /* V_NUM, V_REF (the object number) */
  char *name; /* V_NAME, #xx decoded */
  GPtrArray *kids; /* V_ARR: values; V_DICT: key, value, key, value … */
};

static void
val_free(gpointer p)
{
  struct val *v = p;
  g_free(v->name);
  if(v->kids)
    g_ptr_array_free(v->kids, TRUE);
  g_free(v);
}

struct lex {
  const guchar *p, *end;
  GPtrArray *pool; /* every value made, freed together */
  guint values;
  guint64 *parsed; /* the scan's running count */
};

static bool
is_ws(guchar c)
{
  return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static bool
is_delim(guchar c)
{
  return c == '(' || c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '{' ||
         c == '}' || c == '/' || c == '%';
}

static bool
is_regular(guchar c)
{
  return !is_ws(c) && !is_delim(c);
}

static void
skip_ws(const guchar **pp, const guchar *end)
{
  const guchar *p = *pp;
  while(p < end) {
    if(is_ws(*p)) {
      p++;
    } else if(*p == '%') {
      while(p < end && *p != '\n' && *p != '\r')
        p++;
    } else {
      break;
    }
  }
  *pp = p;
}

static int
hexval(guchar c)
{
  return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

/* A name after its '/': #xx decoded, at most MAX_NAME bytes kept. */
static char *
read_name(const guchar **pp, const guchar *end)
{
  const guchar *p = *pp;
  char buf[MAX_NAME + 1];
  size_t n = 0;
  while(p < end && is_regular(*p)) {
    guchar c = *p++;
    if(c == '#' && end - p >= 2 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
      c = (guchar)(hexval(p[0]) * 16 + hexval(p[1]));
      p += 2;
    }
    if(n < MAX_NAME)
      buf[n++] = (char)c;
  }
  buf[n] = 0;
  *pp = p;
  return g_strdup(buf);
}

/* A literal string after its '(': balanced parentheses, escapes. */
static void
skip_string(const guchar **pp, const guchar *end)
{
  const guchar *p = *pp;
  guint64 open = 1;
  while(p < end && open) {
    if(*p == '\\')
      p += end - p >= 2 ? 2 : 1;
    else if(*p == '(')
      open++, p++;
    else if(*p == ')')
      open--, p++;
    else
      p++;
  }
  *pp = p;
}

static struct val *
new_val(struct lex *lx, enum vt t)
{
  if(lx->values >= MAX_VALUES || *lx->parsed >= MAX_PARSED)
    return NULL;
  lx->values++;
  ++*lx->parsed;
  struct val *v = g_new0(struct val, 1);
  v->t = t;
  g_ptr_array_add(lx->pool, v);
  return v;
}

/* An unsigned integer at *pp, or -1 (with *pp unmoved). */
static gint64
read_uint(const guchar **pp, const guchar *end)
{
  const guchar *p = *pp;
  gint64 n = 0;
  int digits = 0;
  while(p < end && g_ascii_isdigit(*p) && digits < 12) {
    n = n * 10 + (*p++ - '0');
    digits++;
  }
  if(!digits || (p < end && is_regular(*p) && !g_ascii_isdigit(*p)))
    return -1;
  while(p < end && g_ascii_isdigit(*p))
    p++; /* more than 12 digits: no object number */
  *pp = p;
  return digits < 12 ? n : -1;
}

/* One value at lx->p; NULL past a budget, the nesting cap or the end.
 * Unterminated arrays and dictionaries end at the input's end, as poppler
 * reads damaged files leniently. */
static struct val *
parse_value(struct lex *lx, int depth)
{
  skip_ws(&lx->p, lx->end);
  if(lx->p >= lx->end || depth > MAX_NEST)
    return NULL;
  const guchar *p = lx->p, *end = lx->end;
  struct val *v;
  if(*p == '/') {
    lx->p++;
    if(!(v = new_val(lx, V_NAME)))
      return NULL;
    v->name = read_name(&lx->p, end);
    return v;
  }
  if((*p == '<' && end - p >= 2 && p[1] == '<') || *p == '[') {
    bool dict = *p == '<';
    lx->p += dict ? 2 : 1;
    if(!(v = new_val(lx, dict ? V_DICT : V_ARR)))
      return NULL;
    v->kids = g_ptr_array_new();
    for(;;) {
      skip_ws(&lx->p, end);
      if(lx->p >= end)
        return v;
      if(dict && *lx->p == '>' && end - lx->p >= 2 && lx->p[1] == '>') {
        lx->p += 2;
        return v;
      }
      if(!dict && *lx->p == ']') {
        lx->p++;
        return v;
      }
      struct val *k = parse_value(lx, depth + 1);
      if(!k)
        return NULL;
      if(dict) {
        /* A key that is no name: skipped with nothing stored, as poppler
         * skips it. */
        if(k->t != V_NAME)
          continue;
        struct val *x = parse_value(lx, depth + 1);
        if(!x)
          return NULL;
        g_ptr_array_add(v->kids, k);
        g_ptr_array_add(v->kids, x);
      } else {
        g_ptr_array_add(v->kids, k);
      }
    }
  }
  if(*p == '(') {
    lx->p++;
    skip_string(&lx->p, end);
    return new_val(lx, V_OTHER);
  }
  if(*p == '<') {
    const guchar *q = memchr(p, '>', (size_t)(end - p));
    lx->p = q ? q + 1 : end;
    return new_val(lx, V_OTHER);
  }
  if(g_ascii_isdigit(*p)) {
    /* "N G R" is a reference; anything else a number. */
    const guchar *q = p;
    gint64 n = read_uint(&q, end);
    if(n >= 0) {
      const guchar *r = q;
      skip_ws(&r, end);
      if(read_uint(&r, end) >= 0) {
        skip_ws(&r, end);
        if(r < end && *r == 'R' && (r + 1 == end || !is_regular(r[1]))) {
          lx->p = r + 1;
          if(!(v = new_val(lx, V_REF)))
            return NULL;
          v->num = n;
          return v;
        }
      }
      lx->p = q;
      if(lx->p < end && *lx->p == '.')
        lx->p++;
      while(lx->p < end && g_ascii_isdigit(*lx->p))
        lx->p++;
      if(!(v = new_val(lx, V_NUM)))
        return NULL;
      v->num = n;
      return v;
    }
  }
  /* A number with a sign or a point, a keyword, or a stray delimiter:
   * nothing this scan uses, one token consumed. */
  if(is_regular(*p)) {
    bool null = end - p >= 4 && !memcmp(p, "null", 4) && (end - p == 4 || !is_regular(p[4]));
    while(lx->p < end && is_regular(*lx->p))
      lx->p++;
    return new_val(lx, null ? V_NULL : V_OTHER);
  }
  lx->p++;
  return new_val(lx, V_OTHER);
}

static struct val *
dget(const struct val *d, const char *key)
{
  if(!d || d->t != V_DICT)
    return NULL;
  for(guint i = 0; i + 1 < d->kids->len; i += 2) {
    const struct val *k = d->kids->pdata[i];
    if(!strcmp(k->name, key))
      return d->kids->pdata[i + 1];
  }
  return NULL;
}

static bool
is_name(const struct val *v, const char *name)
{
  return v && v->t == V_NAME && !strcmp(v->name, name);
}

/* ---- the object index ---- */

enum def_kind { DK_OTHER, DK_PAGE, DK_FORM, DK_STREAM };

struct sinfo {
  guint64 len;     /* decoded bytes (encoded ones when it cannot decode) */
  GHashTable *dos; /* name -> number of `/name Do` in it */
};

struct def {
  guint num;
  const guchar *start, *end; /* after "obj"; the end of its buffer */
  const guchar *data, *dend; /* a stream's encoded data, or NULL */
  enum def_kind kind;
  bool in_objstm;
  struct sinfo *si;  /* read once, on first draw */
  GHashTable *forms; /* its own /XObject names (num), borrowed */
  bool forms_done;
  guint pages_using; /* pages whose contents it is, walked so far */
};

struct scan {
  const guchar *buf, *bend;
  GArray *defs;          /* struct def */
  GHashTable *bynum;     /* num -> GArray of guint indices into defs */
  GPtrArray *decoded;    /* GByteArray: object streams' contents, kept */
  GPtrArray *maps;       /* every /XObject map made (owned) */
  GHashTable *res_cache; /* num of a /Resources or /XObject object -> map */
  GHashTable *inherited; /* num of a /Pages node -> the map its pages inherit */
  GArray *pages;         /* guint def indices */
  GArray *endstreams;    /* const guchar *: every "endstream" of the file, in order */
  guint64 parsed, objstm_bytes, draws, work;
  guint64 max_work; /* the content cap for this file's size (pdfscan.h) */
  char *why;
};

static struct def *
def_at(struct scan *s, guint i)
{
  return &g_array_index(s->defs, struct def, i);
}

/* The latest definition of `num`, parsed into `pool`. */
static struct val *
parse_num(struct scan *s, gint64 num, GPtrArray *pool)
{
  if(num < 0 || num > MAX_OBJNUM)
    return NULL;
  GArray *at = g_hash_table_lookup(s->bynum, GUINT_TO_POINTER((guint)num));
  if(!at || !at->len)
    return NULL;
  struct def *d = def_at(s, g_array_index(at, guint, at->len - 1));
  struct lex lx = { d->start, d->end, pool, 0, &s->parsed };
  return parse_value(&lx, 0);
}

static void
add_def(struct scan *s, gint64 num, const guchar *start, const guchar *end, bool in_objstm)
{
  if(num < 0 || num > MAX_OBJNUM || s->defs->len >= MAX_DEFS)
    return;
  struct def d = { .num = (guint)num, .start = start, .end = end, .in_objstm = in_objstm };
  guint i = s->defs->len;
  g_array_append_val(s->defs, d);
  GArray *at = g_hash_table_lookup(s->bynum, GUINT_TO_POINTER(d.num));
  if(!at) {
    at = g_array_new(FALSE, FALSE, sizeof(guint));
    g_hash_table_insert(s->bynum, GUINT_TO_POINTER(d.num), at);
  }
  if(at->len < MAX_REDEFS)
    g_array_append_val(at, i);
  else
    g_array_index(at, guint, MAX_REDEFS - 1) = i;
}

/* The next `n` bytes `pat` in [p, end), or NULL.  Each call reads only up
 * to its match (memmem's sanitizer interceptor checks the whole rest of
 * the buffer each time: quadratic over a file of small objects). */
static const guchar *
find(const guchar *p, const guchar *end, const char *pat, size_t n)
{
  while(p < end && (p = memchr(p, pat[0], (size_t)(end - p)))) {
    if((size_t)(end - p) >= n && !memcmp(p, pat, n))
      return p;
    p++;
  }
  return NULL;
}

/* Every "N G obj" in the file, read backwards from each "obj", whatever
 * the xref says (poppler rebuilds a broken xref the same way). */
static void
index_file(struct scan *s)
{
  const guchar *b = s->buf, *end = s->bend;
  for(const guchar *q = b; q < end && (q = find(q, end, "obj", 3)); q += 3) {
    const guchar *after = q + 3;
    if(after < end && is_regular(*after))
      continue;
    const guchar *r = q;
    if(r == b || !is_ws(r[-1]))
      continue;
    while(r > b && is_ws(r[-1]))
      r--;
    const guchar *ge = r;
    while(r > b && g_ascii_isdigit(r[-1]) && ge - r < 6)
      r--;
    if(r == ge || r == b || !is_ws(r[-1]))
      continue;
    while(r > b && is_ws(r[-1]))
      r--;
    const guchar *ne = r;
    while(r > b && g_ascii_isdigit(r[-1]) && ne - r < 10)
      r--;
    if(r == ne || (r > b && is_regular(r[-1])))
      continue;
    const guchar *np = r;
    add_def(s, read_uint(&np, ne), after, end, false);
  }
  for(const guchar *q = b; q < end && (q = find(q, end, "endstream", 9)); q += 9)
    g_array_append_val(s->endstreams, q);
}

/* Inflates (zlib) `in` into `out` up to `keep` bytes; returns all the
 * bytes it decoded, at most `limit` (counted past `keep` without being
 * kept).  Damage ends it: what decoded so far counts, as poppler reads
 * up to the damage. */
static guint64
inflate(const guchar *in, size_t inlen, GByteArray *out, guint64 keep, guint64 limit)
{
  GConverter *z = G_CONVERTER(g_zlib_decompressor_new(G_ZLIB_COMPRESSOR_FORMAT_ZLIB));
  guchar chunk[65536];
  guint64 total = 0;
  size_t off = 0;
  while(total <= limit) {
    gsize r = 0, w = 0;
    GError *e = NULL;
    GConverterResult cr = g_converter_convert(z, in + off, inlen - off, chunk, sizeof chunk,
                                              G_CONVERTER_INPUT_AT_END, &r, &w, &e);
    g_clear_error(&e);
    off += r;
    if(out && total < keep)
      g_byte_array_append(out, chunk, (guint)MIN((guint64)w, keep - total));
    total += w;
    if(cr == G_CONVERTER_ERROR || cr == G_CONVERTER_FINISHED || (r == 0 && w == 0))
      break;
  }
  g_object_unref(z);
  return MIN(total, limit + 1);
}

/* Whether a stream dictionary's filters are ones this scan decodes: none,
 * or FlateDecode alone without a predictor.  *flate says which. */
static bool
readable_filters(const struct val *dict, bool *flate)
{
  const struct val *f = dget(dict, "Filter");
  if(f && f->t == V_ARR && f->kids->len == 1)
    f = f->kids->pdata[0];
  *flate = false;
  if(!f || f->t == V_NULL)
    return true;
  if(!is_name(f, "FlateDecode") && !is_name(f, "Fl"))
    return false;
  const struct val *parms = dget(dict, "DecodeParms");
  if(parms && parms->t == V_ARR && parms->kids->len == 1)
    parms = parms->kids->pdata[0];
  const struct val *pred = dget(parms, "Predictor");
  if(pred && pred->t == V_NUM && pred->num > 1)
    return false;
  *flate = true;
  return true;
}

/* An object stream's objects join the index; their text lives in a
 * decoded buffer the scan keeps. */
static void
expand_objstm(struct scan *s, const struct val *dict, const guchar *data, const guchar *dend)
{
  bool flate;
  const struct val *n = dget(dict, "N"), *first = dget(dict, "First");
  if(!n || n->t != V_NUM || !first || first->t != V_NUM || !readable_filters(dict, &flate) ||
     s->objstm_bytes >= MAX_OBJSTM_BYTES)
    return;
  GByteArray *b = g_byte_array_new();
  guint64 room = MAX_OBJSTM_BYTES - s->objstm_bytes;
  if(flate)
    inflate(data, (size_t)(dend - data), b, room, room);
  else
    g_byte_array_append(b, data, (guint)MIN((guint64)(dend - data), room));
  s->objstm_bytes += b->len;
  g_ptr_array_add(s->decoded, b);
  if(!b->len || (guint64)first->num > b->len) /* (an empty array's data is NULL) */
    return;
  const guchar *p = b->data, *end = b->data + b->len;
  const guchar *objs = b->data + first->num;
  for(gint64 i = 0; i < MIN(n->num, (gint64)MAX_OBJSTM_N) && p < objs; i++) {
    skip_ws(&p, objs);
    gint64 num = read_uint(&p, objs);
    skip_ws(&p, objs);
    gint64 off = read_uint(&p, objs);
    if(num < 0 || off < 0 || off >= end - objs)
      break;
    add_def(s, num, objs + off, end, true);
  }
}

/* Where a stream's data ends: its /Length when "endstream" follows it,
 * else the next "endstream". */
static const guchar *
stream_end(struct scan *s, const struct val *dict, const guchar *data, const guchar *end)
{
  const struct val *len = dget(dict, "Length");
  gint64 n = -1;
  if(len && len->t == V_NUM) {
    n = len->num;
  } else if(len && len->t == V_REF) {
    GPtrArray *pool = g_ptr_array_new_with_free_func(val_free);
    struct val *v = parse_num(s, len->num, pool);
    if(v && v->t == V_NUM)
      n = v->num;
    g_ptr_array_free(pool, TRUE);
  }
  if(n >= 0 && n <= end - data) {
    const guchar *q = data + n;
    skip_ws(&q, end);
    if(end - q >= 9 && !memcmp(q, "endstream", 9))
      return data + n;
  }
  /* The first "endstream" after the data, from the list made once (a
   * search per stream would be quadratic in a file of streams without
   * one). */
  guint lo = 0, hi = s->endstreams->len;
  while(lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if(g_array_index(s->endstreams, const guchar *, mid) < data)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < s->endstreams->len ? g_array_index(s->endstreams, const guchar *, lo) : end;
}

/* What each definition is: pages and forms noted, object streams
 * expanded (their objects join the index, and are classified in turn). */
static void
classify(struct scan *s)
{
  for(guint i = 0; i < s->defs->len; i++) {
    struct def *d = def_at(s, i);
    GPtrArray *pool = g_ptr_array_new_with_free_func(val_free);
    struct lex lx = { d->start, d->end, pool, 0, &s->parsed };
    struct val *v = parse_value(&lx, 0);
    if(v && v->t == V_DICT) {
      const guchar *p = lx.p;
      skip_ws(&p, d->end);
      if(!d->in_objstm && d->end - p >= 6 && !memcmp(p, "stream", 6)) {
        p += 6;
        if(p < d->end && *p == '\r')
          p++;
        if(p < d->end && *p == '\n')
          p++;
        d->data = p;
        d->dend = stream_end(s, v, p, d->end);
        d->kind = DK_STREAM;
      }
      const struct val *type = dget(v, "Type");
      if(d->data && is_name(dget(v, "Subtype"), "Form")) {
        d->kind = DK_FORM;
      } else if(d->data && is_name(type, "ObjStm")) {
        const guchar *data = d->data, *dend = d->dend;
        expand_objstm(s, v, data, dend); /* may move s->defs: d is stale after */
      } else if(is_name(type, "Page")) {
        d->kind = DK_PAGE;
        g_array_append_val(s->pages, i);
      }
    }
    g_ptr_array_free(pool, TRUE);
  }
}

/* ---- content ---- */

/* `/name Do` counted through a content stream; strings, comments,
 * dictionaries and inline images skipped whole. */
static void
count_dos(const guchar *p, const guchar *end, GHashTable *dos)
{
  char *last = NULL;
  while(p < end) {
    guchar c = *p;
    if(is_ws(c)) {
      p++;
      continue;
    }
    if(c == '/') {
      p++;
      g_free(last);
      last = read_name(&p, end);
      continue;
    }
    if(is_regular(c)) {
      const guchar *t = p;
      while(p < end && is_regular(*p))
        p++;
      if(last && p - t == 2 && !memcmp(t, "Do", 2)) {
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(dos, last));
        g_hash_table_replace(dos, g_steal_pointer(&last), GUINT_TO_POINTER(n + (n < G_MAXUINT)));
      } else if(p - t == 2 && !memcmp(t, "ID", 2)) {
        /* An inline image's data runs to "EI" between white space. */
        while(p < end && !(end - p >= 3 && is_ws(p[0]) && p[1] == 'E' && p[2] == 'I' &&
                           (end - p == 3 || !is_regular(p[3]))))
          p++;
      }
    } else if(c == '%') {
      while(p < end && *p != '\n' && *p != '\r')
        p++;
    } else if(c == '(') {
      p++;
      skip_string(&p, end);
    } else if(c == '<' && end - p >= 2 && p[1] == '<') {
      p += 2;
    } else if(c == '<') {
      const guchar *q = memchr(p, '>', (size_t)(end - p));
      p = q ? q + 1 : end;
    } else {
      p++;
    }
    g_clear_pointer(&last, g_free);
  }
  g_free(last);
}

/* A stream's decoded length and its Do counts, read once.  Decoding stops
 * past the content cap: a stream that long trips the cap on its own. */
static struct sinfo *
stream_info(struct scan *s, guint di)
{
  struct def *d = def_at(s, di);
  if(d->si)
    return d->si;
  struct sinfo *si = g_new0(struct sinfo, 1);
  si->dos = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  GPtrArray *pool = g_ptr_array_new_with_free_func(val_free);
  struct lex lx = { d->start, d->end, pool, 0, &s->parsed };
  struct val *v = parse_value(&lx, 0);
  bool flate;
  size_t enc = (size_t)(d->dend - d->data);
  if(v && readable_filters(v, &flate)) {
    GByteArray *b = g_byte_array_new();
    if(flate) {
      si->len = inflate(d->data, enc, b, MAX_SCANNED, s->max_work);
    } else {
      si->len = enc;
      g_byte_array_append(b, d->data, (guint)MIN(enc, (size_t)MAX_SCANNED));
    }
    if(b->len) /* an empty GByteArray's data is NULL, and NULL + 0 is undefined */
      count_dos(b->data, b->data + b->len, si->dos);
    g_byte_array_free(b, TRUE);
  } else {
    si->len = enc;
  }
  g_ptr_array_free(pool, TRUE);
  return def_at(s, di)->si = si;
}

/* ---- resources ---- */

/* A value, or the object a reference names (its last definition). */
static struct val *
deref(struct scan *s, struct val *v, GPtrArray *pool)
{
  return v && v->t == V_REF ? parse_num(s, v->num, pool) : v;
}


/* An /XObject dictionary as name -> object number. */
static GHashTable *
xobject_map(struct scan *s, struct val *xo)
{
  GHashTable *m = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  g_ptr_array_add(s->maps, m);
  if(xo && xo->t == V_DICT)
    for(guint i = 0; i + 1 < xo->kids->len; i += 2) {
      const struct val *k = xo->kids->pdata[i], *x = xo->kids->pdata[i + 1];
      if(x->t == V_REF && x->num >= 0 && x->num <= MAX_OBJNUM)
        g_hash_table_replace(m, g_strdup(k->name), GUINT_TO_POINTER((guint)x->num));
    }
  return m;
}

/* The /XObject names a /Resources value gives (a dictionary or a
 * reference: an object many pages share is read once). */
static GHashTable *
resources_map(struct scan *s, struct val *res, GPtrArray *pool)
{
  gpointer key = res && res->t == V_REF ? GUINT_TO_POINTER((guint)MIN(res->num, (gint64)MAX_OBJNUM))
                                        : NULL;
  GHashTable *m;
  if(key && (m = g_hash_table_lookup(s->res_cache, key)))
    return m;
  struct val *r = deref(s, res, pool);
  struct val *xo = dget(r, "XObject");
  gpointer xkey = xo && xo->t == V_REF ? GUINT_TO_POINTER((guint)MIN(xo->num, (gint64)MAX_OBJNUM))
                                       : NULL;
  if(!(xkey && (m = g_hash_table_lookup(s->res_cache, xkey)))) {
    m = xobject_map(s, deref(s, xo, pool));
    if(xkey)
      g_hash_table_insert(s->res_cache, xkey, m);
  }
  if(key)
    g_hash_table_insert(s->res_cache, key, m);
  return m;
}

/* The map a /Pages node's pages inherit (NULL: none), up at most
 * MAX_PARENTS levels; a cycle of parents ends at the node seen twice. */
static GHashTable *
inherited(struct scan *s, gint64 num, int level)
{
  if(level > MAX_PARENTS || num < 0 || num > MAX_OBJNUM)
    return NULL;
  gpointer key = GUINT_TO_POINTER((guint)num);
  gpointer found;
  if(g_hash_table_lookup_extended(s->inherited, key, NULL, &found))
    return found;
  g_hash_table_insert(s->inherited, key, NULL); /* a cycle reads none */
  GPtrArray *pool = g_ptr_array_new_with_free_func(val_free);
  struct val *v = parse_num(s, num, pool);
  GHashTable *m = NULL;
  struct val *res = dget(v, "Resources"), *parent = dget(v, "Parent");
  if(res)
    m = resources_map(s, res, pool);
  else if(parent && parent->t == V_REF)
    m = inherited(s, parent->num, level + 1);
  g_ptr_array_free(pool, TRUE);
  g_hash_table_insert(s->inherited, key, m);
  return m;
}

/* A form's own /XObject names, or NULL when it has no /Resources (it
 * then draws with its caller's, as poppler lets it). */
static GHashTable *
form_map(struct scan *s, guint di)
{
  struct def *d = def_at(s, di);
  if(d->forms_done)
    return d->forms;
  GPtrArray *pool = g_ptr_array_new_with_free_func(val_free);
  struct lex lx = { d->start, d->end, pool, 0, &s->parsed };
  struct val *res = dget(parse_value(&lx, 0), "Resources");
  GHashTable *m = res ? resources_map(s, res, pool) : NULL;
  g_ptr_array_free(pool, TRUE);
  d = def_at(s, di);
  d->forms = m;
  d->forms_done = true;
  return m;
}

/* ---- the walk ---- */

/* Draws stream `di` `mult` times at form depth `depth` with the names in
 * `map`, as poppler would: its bytes and its Do operators counted, every
 * definition of a drawn form's number followed.  Each call adds at least
 * one draw, so the draws cap bounds the calls; a form already being drawn
 * above is skipped, as poppler refuses a form inside itself. */
static void
walk(struct scan *s, guint di, GHashTable *map, unsigned depth, guint64 mult, guint *stack)
{
  struct sinfo *si = stream_info(s, di);
  s->work += si->len * mult;
  if(s->work > s->max_work) {
    const struct def *d = def_at(s, di);
    if(depth == 0)
      s->why = g_strdup_printf("its pages' content would be interpreted as more than %"
                               G_GUINT64_FORMAT " MiB (object %u, %" G_GUINT64_FORMAT
                               " bytes decoded, is the content of %u pages)",
                               s->max_work >> 20, d->num, si->len, d->pages_using);
    else
      s->why = g_strdup_printf("its pages' content would be interpreted as more than %"
                               G_GUINT64_FORMAT " MiB (form object %u, %" G_GUINT64_FORMAT
                               " bytes decoded, drawn %" G_GUINT64_FORMAT " times by one page)",
                               s->max_work >> 20, d->num, si->len, mult);
    return;
  }
  stack[depth] = di;
  GHashTableIter it;
  gpointer name, count;
  g_hash_table_iter_init(&it, si->dos);
  while(!s->why && g_hash_table_iter_next(&it, &name, &count)) {
    guint64 m = mult * GPOINTER_TO_UINT(count);
    s->draws += m;
    if(s->draws > GH_PDFSCAN_MAX_DRAWS) {
      s->why = g_strdup_printf("its XObjects would be drawn more than %u times (/%s in object %u "
                               "drawn %" G_GUINT64_FORMAT " times at form depth %u)",
                               GH_PDFSCAN_MAX_DRAWS, (const char *)name, def_at(s, di)->num, m,
                               depth + 1);
      return;
    }
    guint num = map ? GPOINTER_TO_UINT(g_hash_table_lookup(map, name)) : 0;
    GArray *at = num ? g_hash_table_lookup(s->bynum, GUINT_TO_POINTER(num)) : NULL;
    for(guint k = 0; at && k < at->len && !s->why; k++) {
      guint fi = g_array_index(at, guint, k);
      if(def_at(s, fi)->kind != DK_FORM)
        continue;
      bool drawing = false;
      for(unsigned j = 1; j <= depth && !drawing; j++)
        drawing = stack[j] == fi;
      if(drawing)
        continue;
      if(depth + 1 > GH_PDFSCAN_MAX_DEPTH) {
        s->why = g_strdup_printf("form XObjects nested more than %u deep (object %u inside "
                                 "object %u)",
                                 GH_PDFSCAN_MAX_DEPTH, num, def_at(s, di)->num);
        return;
      }
      GHashTable *own = form_map(s, fi);
      walk(s, fi, own ? own : map, depth + 1, m, stack);
    }
  }
}

/* One page: its resources (its own or inherited) and each content
 * stream. */
static void
walk_page(struct scan *s, guint pi)
{
  GPtrArray *pool = g_ptr_array_new_with_free_func(val_free);
  struct def *d = def_at(s, pi);
  struct lex lx = { d->start, d->end, pool, 0, &s->parsed };
  struct val *page = parse_value(&lx, 0);
  struct val *res = dget(page, "Resources"), *parent = dget(page, "Parent");
  GHashTable *map = NULL;
  if(res)
    map = resources_map(s, res, pool);
  else if(parent && parent->t == V_REF)
    map = inherited(s, parent->num, 1);
  struct val *contents = dget(page, "Contents");
  GPtrArray *refs = g_ptr_array_new();
  if(contents && contents->t == V_REF)
    g_ptr_array_add(refs, contents);
  else if(contents && contents->t == V_ARR)
    for(guint i = 0; i < MIN(contents->kids->len, MAX_CONTENTS); i++)
      if(((struct val *)contents->kids->pdata[i])->t == V_REF)
        g_ptr_array_add(refs, contents->kids->pdata[i]);
  guint stack[GH_PDFSCAN_MAX_DEPTH + 1];
  for(guint i = 0; i < refs->len && !s->why; i++) {
    gint64 num = ((struct val *)refs->pdata[i])->num;
    GArray *at = num >= 0 && num <= MAX_OBJNUM
                   ? g_hash_table_lookup(s->bynum, GUINT_TO_POINTER((guint)num)) : NULL;
    for(guint k = 0; at && k < at->len && !s->why; k++) {
      guint ci = g_array_index(at, guint, k);
      if(def_at(s, ci)->data) {
        def_at(s, ci)->pages_using++;
        walk(s, ci, map, 0, 1, stack);
      }
    }
  }
  g_ptr_array_free(refs, TRUE);
  g_ptr_array_free(pool, TRUE);
}

static void
bynum_free(gpointer p)
{
  g_array_free(p, TRUE);
}

static void
byte_array_free(gpointer p)
{
  g_byte_array_free(p, TRUE);
}

bool
gh_pdfscan_too_costly(const char *bytes, size_t len, char **why)
{
  *why = NULL;
  struct scan s = {
    .buf = (const guchar *)bytes,
    .bend = (const guchar *)bytes + len,
    .defs = g_array_new(FALSE, TRUE, sizeof(struct def)),
    .bynum = g_hash_table_new_full(NULL, NULL, NULL, bynum_free),
    .decoded = g_ptr_array_new_with_free_func(byte_array_free),
    .maps = g_ptr_array_new_with_free_func((GDestroyNotify)g_hash_table_unref),
    .res_cache = g_hash_table_new(NULL, NULL),
    .inherited = g_hash_table_new(NULL, NULL),
    .pages = g_array_new(FALSE, FALSE, sizeof(guint)),
    .endstreams = g_array_new(FALSE, FALSE, sizeof(const guchar *)),
    .max_work = MAX((guint64)GH_PDFSCAN_MIN_CONTENT, (guint64)len * GH_PDFSCAN_CONTENT_PER_BYTE),
  };
  index_file(&s);
  classify(&s);
  for(guint i = 0; i < s.pages->len && !s.why; i++)
    walk_page(&s, g_array_index(s.pages, guint, i));
  for(guint i = 0; i < s.defs->len; i++) {
    struct sinfo *si = def_at(&s, i)->si;
    if(si) {
      g_hash_table_unref(si->dos);
      g_free(si);
    }
  }
  g_array_free(s.defs, TRUE);
  g_hash_table_unref(s.bynum);
  g_ptr_array_free(s.decoded, TRUE);
  g_ptr_array_free(s.maps, TRUE);
  g_hash_table_unref(s.res_cache);
  g_hash_table_unref(s.inherited);
  g_array_free(s.pages, TRUE);
  g_array_free(s.endstreams, TRUE);
  *why = s.why;
  return s.why != NULL;
}

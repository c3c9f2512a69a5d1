#include "charset.h"

#include <string.h>

static const char *
canonical(const char *name)
{
  /* GBK and GB2312 labels are decoded as GB18030: same bytes for every
   * character they define, and portals mislabel GBK text as gb2312. */
  if(!g_ascii_strcasecmp(name, "gbk") || !g_ascii_strcasecmp(name, "gb2312") ||
     !g_ascii_strcasecmp(name, "gb_2312-80") || !g_ascii_strcasecmp(name, "x-gbk") ||
     !g_ascii_strcasecmp(name, "gb18030") || !g_ascii_strcasecmp(name, "cp936"))
    return "GB18030";
  if(!g_ascii_strcasecmp(name, "utf-8") || !g_ascii_strcasecmp(name, "utf8"))
    return "UTF-8";
  if(!g_ascii_strcasecmp(name, "big5"))
    return "BIG5";
  return NULL;
}

char *
gh_html_meta_charset(const char *bytes, size_t len)
{
  size_t n = len < 4096 ? len : 4096;
  char *head = g_ascii_strdown(bytes, (gssize)n);
  char *found = NULL;
  for(char *p = strstr(head, "charset"); p && !found; p = strstr(p + 1, "charset")) {
    char *q = p + strlen("charset");
    while(*q == ' ' || *q == '\t')
      q++;
    if(*q != '=')
      continue;
    q++;
    while(*q == ' ' || *q == '"' || *q == '\'')
      q++;
    size_t k = strspn(q, "abcdefghijklmnopqrstuvwxyz0123456789-_");
    if(k > 0 && k < 32)
      found = g_strndup(q, k);
  }
  g_free(head);
  return found;
}

static char *
convert(const char *bytes, size_t len, const char *from, size_t *out_len, GError **err)
{
  gsize r = 0, w = 0;
  char *out = g_convert(bytes, (gssize)len, "UTF-8", from, &r, &w, err);
  if(out)
    *out_len = w;
  return out;
}

/* Lenient GB18030: a truncated or damaged page still yields its good text,
 * with U+FFFD where bytes were bad, instead of nothing at all. */
static char *
convert_lenient(const char *bytes, size_t len, const char *from, size_t *out_len)
{
  gsize w = 0;
  char *out = g_convert_with_fallback(bytes, (gssize)len, "UTF-8", from, "\xEF\xBF\xBD",
                                      NULL, &w, NULL);
  if(out)
    *out_len = w;
  return out;
}

char *
gh_to_utf8(const char *bytes, size_t len, const char *declared, bool html,
           size_t *out_len, const char **used, GError **err)
{
  const char *dummy;
  if(!used)
    used = &dummy;
  if(len >= 3 && !memcmp(bytes, "\xEF\xBB\xBF", 3)) {
    bytes += 3;
    len -= 3;
    declared = "utf-8";
  }
  else if(len >= 2 && !memcmp(bytes, "\xFF\xFE", 2)) {
    *used = "UTF-16LE";
    return convert(bytes + 2, len - 2, "UTF-16LE", out_len, err);
  }
  else if(len >= 2 && !memcmp(bytes, "\xFE\xFF", 2)) {
    *used = "UTF-16BE";
    return convert(bytes + 2, len - 2, "UTF-16BE", out_len, err);
  }

  char *meta = NULL;
  if(!declared && html)
    declared = meta = gh_html_meta_charset(bytes, len);
  const char *cs = declared ? canonical(declared) : NULL;
  g_free(meta);

  const char *end = NULL;
  bool valid = g_utf8_validate(bytes, (gssize)len, &end);
  if(cs && strcmp(cs, "UTF-8")) {
    /* A page declared GBK that is valid UTF-8 with multibyte text is a
     * mislabelled UTF-8 page (common after CMS migrations). */
    bool has_multibyte = false;
    for(size_t i = 0; i < len && !has_multibyte; i++)
      has_multibyte = (unsigned char)bytes[i] >= 0x80;
    if(valid && has_multibyte) {
      *used = "UTF-8";
      *out_len = len;
      return g_strndup(bytes, len);
    }
    *used = cs;
    char *out = convert_lenient(bytes, len, cs, out_len);
    if(out)
      return out;
  }
  if(valid) {
    *used = "UTF-8";
    *out_len = len;
    return g_strndup(bytes, len);
  }
  /* Declared UTF-8 (or nothing) yet invalid.  A few bad bytes in text that
   * is otherwise UTF-8 is damage (a truncated character, a stray byte):
   * repair it.  Mostly invalid is a GBK page declared as UTF-8, the usual
   * cause: decode it as GB18030.  The bytes decide, not the label. */
  size_t good = 0, bad = 0;
  for(const char *p = bytes, *e = bytes + len; p < e;) {
    gunichar u = g_utf8_get_char_validated(p, e - p);
    if(u == (gunichar)-1 || u == (gunichar)-2) {
      bad++;
      p++;
    } else {
      good += (unsigned char)*p >= 0x80;
      p = g_utf8_next_char(p);
    }
  }
  if(bad * 20 < good) {
    *used = "UTF-8 (repaired)";
    char *fixed = g_utf8_make_valid(bytes, (gssize)len);
    *out_len = strlen(fixed);
    return fixed;
  }
  char *gb = convert(bytes, len, "GB18030", out_len, NULL);
  if(gb) {
    *used = "GB18030";
    return gb;
  }
  /* Neither: keep the valid UTF-8 and replace the rest. */
  *used = "UTF-8 (repaired)";
  char *fixed = g_utf8_make_valid(bytes, (gssize)len);
  *out_len = strlen(fixed);
  (void)err;
  return fixed;
}

char *
gh_content_type_charset(const char *content_type)
{
  const char *p = content_type ? strcasestr(content_type, "charset=") : NULL;
  return p ? g_strndup(p + 8, strcspn(p + 8, "; \"'")) : NULL;
}

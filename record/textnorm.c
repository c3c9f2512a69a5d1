#include "textnorm.h"

#include <errno.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

size_t
gh_utf8_len_upto(const char *s, size_t cap)
{
  size_t n = 0;
  for(const char *p = s; *p && n <= cap; p = g_utf8_next_char(p))
    n++;
  return n;
}

bool
gh_is_space_uc(uint32_t c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v' || c == 0x3000 || c == 0x00A0 || c == 0xFEFF ||
         (c >= 0x200B && c <= 0x200D) || (c >= 0x2000 && c <= 0x200A);
}

/* A vowel carrying a pinyin tone mark (ā á ǎ à …, ü and its tones). */
static bool
tone_vowel(gunichar c)
{
  static const char marked[] = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü";
  return c >= 0x80 && g_utf8_strchr(marked, -1, c) != NULL;
}

/* The end of a pinyin annotation at p, "(bào)" after 報, or NULL.  Some
 * mirror sites print one after many characters (報(bào)告), which splits
 * every phrase the parser looks for; a real report never writes pinyin in
 * parentheses after a character, and one syllable is at most six letters. */
static const char *
pinyin_ruby_end(const char *p, const char *end)
{
  bool marked = false;
  int letters = 0;
  for(; p < end && letters <= 6; letters++) {
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if(c == ')' || c == 0xFF09)
      return letters > 0 && marked ? g_utf8_next_char(p) : NULL;
    if(tone_vowel(c))
      marked = true;
    else if(c < 'a' || c > 'z')
      return NULL;
    p = g_utf8_next_char(p);
  }
  return NULL;
}

char *
gh_norm(const char *s, size_t len)
{
  GString *out = g_string_sized_new(len);
  const char *p = s, *end = s + len;
  gunichar last = 0;
  while(p < end) {
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if(c == (gunichar)-1 || c == (gunichar)-2) {
      /* Invalid bytes never reach here from our extractors (they validate),
       * but a stray byte must not stop the scan. */
      p++;
      continue;
    }
    p = g_utf8_next_char(p);
    if(gh_is_space_uc(c) || c == '*' || c == '#')
      continue;
    if((c == '(' || c == 0xFF08) && g_unichar_get_script(last) == G_UNICODE_SCRIPT_HAN) {
      const char *after = pinyin_ruby_end(p, end);
      if(after) {
        p = after;
        continue;
      }
    }
    last = c;
    if(c >= 0xFF01 && c <= 0xFF5E)
      c -= 0xFEE0;
    else if(c == 0x2014 || c == 0x2013 || c == 0x2212)
      c = '-'; /* em/en dash, minus sign */
    else if(c == 0xFE59)
      c = '(';
    else if(c == 0xFE5A)
      c = ')';
    g_string_append_unichar(out, c);
  }
  return g_string_free(out, FALSE);
}

static bool
is_blank_marker(const char *s)
{
  return !*s || !strcmp(s, "-") || !strcmp(s, "--") || !strcmp(s, "/") ||
         !strcmp(s, "\\") || !strcmp(s, "\xE2\x80\x94") /* — */ ||
         !strcmp(s, "\xE2\x80\x94\xE2\x80\x94");
}

static bool
strip_suffix(char *s, const char *suffix)
{
  size_t n = strlen(s), m = strlen(suffix);
  if(n > m && !memcmp(s + n - m, suffix, m)) {
    s[n - m] = '\0';
    return true;
  }
  return false;
}

bool
gh_value_parse(const char *norm, struct gh_value *out)
{
  memset(out, 0, sizeof(*out));
  if(is_blank_marker(norm)) {
    out->kind = GH_VALUE_BLANK;
    return true;
  }
  size_t n = strlen(norm);
  if(n > 40) /* no cell value is this long; keeps the copy below bounded */
    return false;
  char buf[48];
  memcpy(buf, norm, n + 1);

  if(strip_suffix(buf, "万元"))
    out->unit = GH_UNIT_WAN;
  else if(strip_suffix(buf, "元"))
    out->unit = GH_UNIT_YUAN;
  else {
    /* A count word after the number ("12件") is decoration. */
    (void)(strip_suffix(buf, "件") || strip_suffix(buf, "条") ||
           strip_suffix(buf, "项") || strip_suffix(buf, "个"));
  }

  /* Sign, digits with optional thousands commas, optional fraction. */
  char digits[48];
  size_t k = 0;
  const char *p = buf;
  bool neg = false;
  if(*p == '+' || *p == '-') {
    out->had_sign = true;
    neg = *p == '-';
    p++;
  }
  if(!g_ascii_isdigit(*p))
    return false;
  bool frac = false;
  for(; *p; p++) {
    if(g_ascii_isdigit(*p))
      digits[k++] = *p;
    else if(*p == ',' && !frac && g_ascii_isdigit(p[1]))
      continue;
    else if(*p == '.' && !frac && g_ascii_isdigit(p[1])) {
      frac = true;
      digits[k++] = '.';
    }
    else
      return false;
  }
  digits[k] = '\0';
  errno = 0;
  if(frac || out->unit != GH_UNIT_NONE) {
    char *e;
    double d = g_ascii_strtod(digits, &e);
    if(errno || *e || !isfinite(d))
      return false;
    out->kind = GH_VALUE_DECIMAL;
    out->d = neg ? -d : d;
    if(!frac && d <= 9e15) {
      out->i = (int64_t)out->d;
    }
    return true;
  }
  char *e;
  guint64 v = g_ascii_strtoull(digits, &e, 10);
  /* Counts beyond 10^15 are glyph soup (merged cells), not data. */
  if(errno || *e || v > 1000000000000000ULL)
    return false;
  out->kind = GH_VALUE_INT;
  out->i = neg ? -(int64_t)v : (int64_t)v;
  out->d = (double)out->i;
  return true;
}

static int
cn_digit(gunichar c)
{
  switch(c) {
  case 0x3007: /* 〇 */
  case 0x25CB: /* ○ */
  case 0x96F6: /* 零 */
  case 'O':
  case '0':
    return 0;
  case 0x4E00: return 1; /* 一 */
  case 0x4E8C: return 2; /* 二 */
  case 0x4E09: return 3; /* 三 */
  case 0x56DB: return 4; /* 四 */
  case 0x4E94: return 5; /* 五 */
  case 0x516D: return 6; /* 六 */
  case 0x4E03: return 7; /* 七 */
  case 0x516B: return 8; /* 八 */
  case 0x4E5D: return 9; /* 九 */
  default:
    if(c >= '1' && c <= '9')
      return (int)(c - '0');
    return -1;
  }
}

int
gh_year_from_text(const char *s, size_t len)
{
  int y = 0, n = 0;
  const char *p = s, *end = s + len;
  while(p < end) {
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if(c == (gunichar)-1 || c == (gunichar)-2)
      return -1;
    p = g_utf8_next_char(p);
    if(gh_is_space_uc(c))
      continue;
    int d = cn_digit(c);
    if(d < 0 || ++n > 4)
      return -1;
    y = y * 10 + d;
  }
  if(n != 4 || y < 1900 || y > 2099)
    return -1;
  return y;
}

int
gh_small_number(const char *s, size_t len)
{
  int total = 0, cur = -1, n = 0;
  bool ten = false;
  const char *p = s, *end = s + len;
  while(p < end) {
    gunichar c = g_utf8_get_char_validated(p, end - p);
    if(c == (gunichar)-1 || c == (gunichar)-2)
      return -1;
    p = g_utf8_next_char(p);
    if(gh_is_space_uc(c))
      continue;
    if(++n > 4)
      return -1;
    if(c == 0x5341) { /* 十 */
      total += (cur < 0 ? 1 : cur) * 10;
      cur = -1;
      ten = true;
      continue;
    }
    int d = cn_digit(c);
    if(d < 0 || c == 'O')
      return -1;
    if(g_ascii_isdigit(c)) {
      cur = (cur < 0 ? 0 : cur) * 10 + d;
      continue;
    }
    if(cur >= 0 && !ten)
      return -1; /* "二三" is not a number */
    cur = d;
  }
  if(n == 0)
    return -1;
  return total + (cur < 0 ? 0 : cur);
}

/* Skip a heading numeral: "二、", "3、", "四.", "(三)" is NOT a section numeral. */
const char *
gh_skip_numeral(const char *s, bool *numbered)
{
  const char *p = s;
  int n = 0;
  while(*p && n < 3) {
    gunichar c = g_utf8_get_char(p);
    if(!strchr("0123456789", (int)(c < 128 ? c : 'x')) &&
       !g_utf8_strchr("一二三四五六七八九十", -1, c))
      break;
    p = g_utf8_next_char(p);
    n++;
  }
  *numbered = false;
  if(n == 0)
    return s;
  if(g_str_has_prefix(p, "、"))
    p += strlen("、");
  else if(*p == '.' || *p == ',' || *p == ':')
    p++;
  else
    return s;
  *numbered = true;
  return p;
}

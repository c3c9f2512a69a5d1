/* Text normalisation and cell-value parsing shared by every extractor and the
 * report parser.  Reports print the same label with full-width or half-width
 * brackets, stray spaces (PDF justification), markdown emphasis and zero-width
 * characters; matching works on one canonical form instead of on variants. */
#ifndef GH_TEXTNORM_H
#define GH_TEXTNORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Canonical form for matching: whitespace of every kind removed, full-width
 * ASCII (U+FF01..U+FF5E) folded to ASCII, markdown '*' and '#' dropped, and
 * the pinyin some mirror sites add after characters ("報(bào)告") dropped.
 * Returns a newly allocated string (g_free). */
char *gh_norm(const char *s, size_t len);

/* True for the Unicode white space that Chinese documents use between glyphs
 * (ASCII space/tab/newline, U+3000, U+00A0, zero-width U+200B..U+200D, BOM). */
bool gh_is_space_uc(uint32_t c);

/* The length of UTF-8 text s in characters, counted no further than
 * cap + 1: enough to compare with cap, without walking a long paragraph
 * that every heading and label test would otherwise measure whole. */
size_t gh_utf8_len_upto(const char *s, size_t cap);

enum gh_unit { GH_UNIT_NONE = 0, GH_UNIT_YUAN, GH_UNIT_WAN };

enum gh_value_kind {
  GH_VALUE_BLANK,   /* "", "-", "—", "/": printed but empty; null, never 0 */
  GH_VALUE_INT,     /* integer, maybe signed ("+2", "-1") */
  GH_VALUE_DECIMAL, /* has a fraction or a money unit */
};

struct gh_value {
  enum gh_value_kind kind;
  int64_t i;      /* GH_VALUE_INT */
  double d;       /* numeric value for INT and DECIMAL alike */
  enum gh_unit unit;
  bool had_sign;
};

/* Parse one cell (already normalised by gh_norm) as a number.  Accepts signs,
 * thousands commas, trailing count words (件 条 项 个) and money units (元 万元).
 * Returns false when the text is not a value at all. */
bool gh_value_parse(const char *norm, struct gh_value *out);

/* Convert a year written with Arabic or Chinese digits (2020, 二〇二〇, 二○二○,
 * 二O二O) to an int; -1 when it is not exactly four digits of 19xx/20xx. */
int gh_year_from_text(const char *s, size_t len);

/* Small Chinese numerals (一..三十一) or Arabic digits to an int, -1 if not. */
int gh_small_number(const char *s, size_t len);

/* Skips a heading numeral ("二、", "3、", "四.", not "(三)"): the text after
 * it, and *numbered; `s` itself when there is none. */
const char *gh_skip_numeral(const char *s, bool *numbered);

#endif

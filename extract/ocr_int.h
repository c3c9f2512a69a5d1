/* Inside OCR (ocr.c): the page's geometry (ocr_grid.c) and the form's
 * words (ocr_words.c). */
#ifndef GH_OCR_INT_H
#define GH_OCR_INT_H

#include <glib.h>
#include <leptonica/allheaders.h>
#include <stdbool.h>

/* Rule positions along one axis: runs of lines whose count of rule pixels
 * reaches `min`, each run's middle; runs closer than `gap` are one. */
GArray *gh_ocr_rules(const int *count, int n, int min, int gap);

/* The share of a rule segment that is there, within ±3 pixels of its line. */
double gh_ocr_present(PIX *mask, bool horizontal, int at, int from, int to);

/* Horizontal and vertical rule masks of a binary page, pieces at least
 * hlen (vlen) pixels long. */
void gh_ocr_rule_masks(PIX *lbin, int hlen, int vlen, PIX **hl, PIX **vl);

/* A photographed page flattened by its largest table's outline; NULL when
 * it needs no correction or shows no table. */
PIX *gh_ocr_unwarp(PIX *gray);

/* Tesseract's text with the spaces it puts between CJK characters taken
 * out (one kept between two non-CJK ones); `keep_lines` keeps newlines. */
char *gh_ocr_tidy(const char *s, bool keep_lines);

/* Digits and what chi_sim mistakes them for; a decimal point it often
 * sees as a space. */
bool gh_ocr_numberish(const char *s);

/* The digit model's stray edge dots and dashes dropped, in place. */
void gh_ocr_tidy_number(char *d);

/* Characters of a number as read: digits, point and sign. */
int gh_ocr_number_chars(const char *s);

/* CJK characters in s: a label has several, a misread number one or two. */
unsigned gh_ocr_cjk_chars(const char *s);

/* The form's own words for a label or heading read a character or two
 * off; NULL when none is clearly the nearest (or it was read right). */
const char *gh_ocr_form_label(const char *text);

#endif

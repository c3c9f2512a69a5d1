/* Checks across one agency's years (template-spec §6, softer checks): they
 * need two records, so they run where records meet — the exporter streams
 * one agency's years consecutively — and are added as warnings. */
#ifndef GH_CROSSYEAR_H
#define GH_CROSSYEAR_H

#include <jansson.h>
#include <stdint.h>

/* Adds cross_year_carry, cross_year_in_force (2021), cross_year_items
 * (2019) and same_text_as_previous_year to cur["checks"], comparing with
 * `prev`, the same agency's record for cur.year − 1.  Nothing when prev is
 * NULL or not the year before. */
void gh_cross_year_checks(json_t *cur, json_t *prev);

/* A 64-bit SimHash of a report's prose with digits removed: reports that
 * copy last year's text with new numbers land within a few bits.  Returned
 * as 16 hex digits (g_free). */
char *gh_text_fingerprint(const char *const *lines, unsigned n);

#endif

/* A PDF's drawing cost, judged before poppler opens it.
 *
 * poppler draws a form XObject each time a content stream invokes it, so
 * a form that invokes the one below it twice, forty deep, is 2^40 draws
 * from an 8 KB file (a minute of CPU or more), and a thousand pages that
 * share one content stream decoding to a megabyte are a gigabyte of
 * operators.  This scan reads the file's objects without poppler, bounded
 * in every length, count and depth: every "N G obj" in the file and in its
 * Flate object streams (all definitions of a number, not only the one an
 * xref names, so no xref can hide a form), every /Type /Page, its contents
 * and its /XObject resources (inherited from /Pages), and the forms they
 * draw, counting each `/Name Do` of the decoded content.
 *
 * What it does not read: streams under filters other than FlateDecode
 * (or Flate with a predictor) count by their encoded length and invoke
 * nothing it can see; nor annotations' appearance streams, tiling
 * patterns or Type 3 glyphs.  Those are left to the worker's CPU cap and
 * the crawl's extraction breaker (docs/security.md). */
#ifndef GH_PDFSCAN_H
#define GH_PDFSCAN_H

#include <stdbool.h>
#include <stddef.h>

/* Forms inside forms: real reports nest three or four. */
#define GH_PDFSCAN_MAX_DEPTH 12
/* `Do` operators poppler would run over all pages, forms' included. */
#define GH_PDFSCAN_MAX_DRAWS 1000000u
/* Bytes of decoded content poppler would interpret over all pages, a
 * shared stream counted once per page (or form draw) that uses it: at
 * most this many times the file's size, and at least GH_PDFSCAN_MIN_CONTENT.
 * poppler's text extraction reads 12 to 18 MiB of operators a CPU-second;
 * content streams deflate 3 to 5 times, so only content drawn again and
 * again reaches 16 times the file. */
#define GH_PDFSCAN_CONTENT_PER_BYTE 16u
#define GH_PDFSCAN_MIN_CONTENT (64u << 20)

/* True when `len` bytes of PDF would cost poppler more than a cap above:
 * *why (g_free) says which and where.  False for anything else, a file it
 * cannot read included (poppler then judges it). */
bool gh_pdfscan_too_costly(const char *bytes, size_t len, char **why);

#endif

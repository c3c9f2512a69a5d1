/* Bytes from the web -> UTF-8.  Chinese portals still serve GBK/GB2312 (and
 * label it wrongly), so the order is: BOM, then the charset the caller learnt
 * from HTTP, then <meta charset>/http-equiv in the first 4 KiB, then "valid
 * UTF-8?", then GB18030 (a superset of GBK and GB2312). */
#ifndef GH_CHARSET_H
#define GH_CHARSET_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* The charset a Content-Type header names ("text/html; Charset=GBK" ->
 * "GBK"), newly allocated, or NULL. */
char *gh_content_type_charset(const char *content_type);

/* Returns newly allocated NUL-terminated UTF-8 (g_free) and its length, or
 * NULL with *err set.  `declared` may be NULL.  `html` enables the <meta>
 * sniff.  *used receives the charset applied (static string). */
char *gh_to_utf8(const char *bytes, size_t len, const char *declared, bool html,
                 size_t *out_len, const char **used, GError **err);

/* The charset named by <meta charset=…> or http-equiv content-type in the
 * first `limit` bytes, lower-cased (g_free), or NULL. */
char *gh_html_meta_charset(const char *bytes, size_t len);

#endif

#include "wire.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int
gh_wire_pumpv(int fd, bool out, const struct iovec *iov, int n, size_t *off)
{
  size_t total = 0;
  for(int i = 0; i < n; i++)
    total += iov[i].iov_len;
  while(*off < total) {
    struct iovec left[2];
    int k = 0;
    size_t skip = *off;
    for(int i = 0; i < n && k < 2; i++) {
      if(skip >= iov[i].iov_len) {
        skip -= iov[i].iov_len;
        continue;
      }
      left[k++] = (struct iovec){ (char *)iov[i].iov_base + skip, iov[i].iov_len - skip };
      skip = 0;
    }
    ssize_t r = out ? writev(fd, left, k) : readv(fd, left, k);
    if(r < 0 && errno == EINTR)
      continue;
    if(r < 0 && errno == EAGAIN)
      return -1;
    if(r <= 0)
      return 0;
    *off += (size_t)r;
  }
  return 1;
}

int
gh_wire_pump(int fd, bool out, char *buf, size_t n, size_t *off)
{
  struct iovec one = { buf, n };
  return gh_wire_pumpv(fd, out, &one, 1, off);
}

bool
gh_wire_pump_all(int fd, bool out, void *buf, size_t n)
{
  size_t off = 0;
  return gh_wire_pump(fd, out, buf, n, &off) == 1;
}

void
gh_wire_put_str(GByteArray *b, const char *s)
{
  if(!s) {
    gh_wire_put_u32(b, GH_WIRE_NULL);
    return;
  }
  /* The reader refuses text that is not UTF-8, and one bad string would
   * fail a whole reply (a page's links for a reason quoting a cut title):
   * such text is mended here, as U+FFFD.  Documents are bounded far below
   * 4 GiB; a longer string is cut. */
  size_t len = strlen(s);
  char *mended = g_utf8_validate_len(s, len, NULL) ? NULL : g_utf8_make_valid(s, (gssize)len);
  if(mended) {
    s = mended;
    len = strlen(s);
  }
  guint32 n = (guint32)MIN(len, GH_WIRE_NULL - 1);
  gh_wire_put_u32(b, n);
  g_byte_array_append(b, (const guint8 *)s, n);
  g_byte_array_append(b, (const guint8 *)"", 1);
  g_free(mended);
}

void
gh_wire_put_u32(GByteArray *b, guint32 v)
{
  g_byte_array_append(b, (const guint8 *)&v, sizeof v);
}

void
gh_wire_put_u64(GByteArray *b, guint64 v)
{
  g_byte_array_append(b, (const guint8 *)&v, sizeof v);
}

/* n bytes into out (zeros once bad). */
static void
take(struct gh_wire_reader *r, void *out, size_t n)
{
  if(r->bad || (size_t)(r->end - r->p) < n) {
    r->bad = true;
    memset(out, 0, n);
    return;
  }
  memcpy(out, r->p, n);
  r->p += n;
}

guint32
gh_wire_get_u32(struct gh_wire_reader *r)
{
  guint32 v;
  take(r, &v, sizeof v);
  return v;
}

guint64
gh_wire_get_u64(struct gh_wire_reader *r)
{
  guint64 v;
  take(r, &v, sizeof v);
  return v;
}

bool
gh_wire_get_str(struct gh_wire_reader *r, const char **s)
{
  *s = NULL;
  guint32 n = gh_wire_get_u32(r);
  if(r->bad || n == GH_WIRE_NULL)
    return !r->bad;
  const char *t = (const char *)r->p;
  /* n + 1 bytes must remain: the text and its NUL, and no NUL before. */
  if((size_t)(r->end - r->p) <= n || t[n] != '\0' || memchr(t, '\0', n) ||
     !g_utf8_validate_len(t, n, NULL)) {
    r->bad = true;
    return false;
  }
  r->p += (size_t)n + 1;
  *s = t;
  return true;
}

bool
gh_wire_done(const struct gh_wire_reader *r)
{
  return !r->bad && r->p == r->end;
}

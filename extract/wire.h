/* The sandbox's framing: how a job crosses the pipe to an extraction
 * worker and its reply comes back (sandbox.c runs both ends).
 *
 *   request:  struct gh_wire_request, then the declared charset
 *             (charset_len bytes), the caller's arguments (args_len bytes,
 *             may be 0) and the body (len bytes), back to back;
 *   reply:    a guint64 length, then that many bytes.
 *
 * What the arguments and the reply hold is the work's business: JSON text
 * for the tools' works (parse, reparse, probe, the tests), fields written
 * with gh_wire_put_* for the crawl's (one per fetched page, where encoding
 * and decoding JSON was a tenth of the CPU).
 *
 * Both ends are the same binary (the worker is this program started
 * again), so the header is sent in host byte order and layout; the magic
 * number catches a worker spoken to by anything else. */
#ifndef GH_WIRE_H
#define GH_WIRE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#define GH_WIRE_MAGIC 0x51524847u /* "GHRQ" */
#define GH_WIRE_MAX_CHARSET 64
#define GH_WIRE_MAX_ARGS (1u << 20)

struct gh_wire_request {
  guint32 magic, format, max_pdf_pages, charset_len;
  guint64 args_len, max_xml_bytes, len;
};

/* A reply may be at most this long for an input of `input_len` bytes: a
 * cell stream or a record is a fraction of its document, so anything far
 * larger is a runaway worker. */
static inline guint64
gh_wire_reply_cap(size_t input_len)
{
  return (guint64)input_len * 8 + (16u << 20);
}

/* Moves bytes between fd and the (at most two) buffers of iov, from byte
 * *off of their concatenation: 1 when all moved, -1 when a non-blocking
 * fd would block (call again later), 0 when the pipe failed or closed.
 * Two buffers let a request's head and body go out in one writev. */
int gh_wire_pumpv(int fd, bool out, const struct iovec *iov, int n, size_t *off);
int gh_wire_pump(int fd, bool out, char *buf, size_t n, size_t *off);
/* All n bytes on a blocking fd, or false. */
bool gh_wire_pump_all(int fd, bool out, void *buf, size_t n);


/* Fields: a guint32 in host order (both ends are one binary), or a string
 * as its guint32 length, its bytes and a NUL (so a reader hands out
 * pointers into the buffer, no copies); GH_WIRE_NULL as the length is a
 * NULL string. */
#define GH_WIRE_NULL G_MAXUINT32
void gh_wire_put_u32(GByteArray *b, guint32 v);
void gh_wire_put_u64(GByteArray *b, guint64 v);
void gh_wire_put_str(GByteArray *b, const char *s);

/* Reads fields back from a buffer a worker wrote, so nothing in it is
 * trusted: a read past the end, a length that does not fit, a missing NUL,
 * a NUL inside a string or a string that is not UTF-8 sets `bad`, and
 * every later read returns 0 / NULL. */
struct gh_wire_reader {
  const guint8 *p, *end;
  bool bad;
};
guint32 gh_wire_get_u32(struct gh_wire_reader *r);
guint64 gh_wire_get_u64(struct gh_wire_reader *r);
/* `*s` (borrowed from the buffer, may be NULL); false once `bad`. */
bool gh_wire_get_str(struct gh_wire_reader *r, const char **s);
/* True when every byte was read and nothing was bad. */
bool gh_wire_done(const struct gh_wire_reader *r);

#endif

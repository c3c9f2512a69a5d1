/* The sandbox's framing: how a job crosses the pipe to an extraction
 * worker and its reply comes back (sandbox.c runs both ends).
 *
 *   request:  struct gh_wire_request, then the declared charset
 *             (charset_len bytes), the caller's arguments (args_len bytes of
 *             JSON text, may be 0) and the body (len bytes), back to back;
 *   reply:    a guint64 length, then that many bytes of one JSON object.
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

#endif

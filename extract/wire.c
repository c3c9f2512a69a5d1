#include "wire.h"

#include <errno.h>
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

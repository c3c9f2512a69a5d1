/* A wall clock that runs ahead, for tests (LD_PRELOAD; never linked into
 * govharvest): CLOCK_REALTIME, gettimeofday() and time() read
 * GH_TEST_CLOCK_OFFSET seconds later than the machine's, as after an NTP
 * step the wrong way or a mis-set RTC; monotonic clocks are untouched, so
 * timeouts and delays run as usual.  tests/test_integrity.py (future_clock)
 * crawls under it.  libfaketime does this too, but is not installed. */
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static time_t
offset(void)
{
  static int read;
  static time_t off;
  if(!read) {
    const char *e = getenv("GH_TEST_CLOCK_OFFSET");
    off = e ? (time_t)strtoll(e, NULL, 10) : 0;
    read = 1;
  }
  return off;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
  int (*real)(clockid_t, struct timespec *) =
    (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
  int rc = real(id, ts);
  if(!rc && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
    ts->tv_sec += offset();
  return rc;
}

int
gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
  int (*real)(struct timeval *restrict, void *restrict) =
    (int (*)(struct timeval *restrict, void *restrict))dlsym(RTLD_NEXT, "gettimeofday");
  int rc = real(tv, tz);
  if(!rc)
    tv->tv_sec += offset();
  return rc;
}

time_t
time(time_t *t)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if(t)
    *t = ts.tv_sec;
  return ts.tv_sec;
}

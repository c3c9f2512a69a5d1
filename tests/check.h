/* The one assertion macro of the C tests: count, report file:line, go on. */
#ifndef GH_TEST_CHECK_H
#define GH_TEST_CHECK_H

#include <stdio.h>

static int failures, checks;

#define EXPECT(cond, ...)                                                      \
  do {                                                                         \
    checks++;                                                                  \
    if(!(cond)) {                                                              \
      failures++;                                                              \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                     \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while(0)

#endif

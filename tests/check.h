/* The C tests' two tools: one assertion macro (count, report file:line, go
 * on, so one run shows every failure) and a case table, so that each test
 * binary can run one named case while a change is being made:
 *
 *     static const struct gh_case cases[] = { GH_CASE(robots), GH_CASE(urls) };
 *     int main(int argc, char **argv) { return gh_cases_main("url", cases, G_N_ELEMENTS(cases), argc, argv); }
 *
 *     test_url            every case, in table order
 *     test_url urls       only `urls` (several names: each, in the order given)
 *     test_url --list     the names, one a line
 *
 * GH_CASE(x) names the function test_x "x".  The exit status is 0 when
 * every check passed, 1 when one failed, 2 for an unknown case name. */
#ifndef GH_TEST_CHECK_H
#define GH_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

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

struct gh_case {
  const char *name;
  void (*run)(void);
};

#define GH_CASE(x) { #x, test_##x }

static inline int
gh_cases_main(const char *suite, const struct gh_case *cases, size_t n, int argc, char **argv)
{
  if(argc == 2 && !strcmp(argv[1], "--list")) {
    for(size_t i = 0; i < n; i++)
      printf("%s\n", cases[i].name);
    return 0;
  }
  /* Every name is checked before anything runs: a typo must not pass as a
   * short, green run. */
  for(int a = 1; a < argc; a++) {
    size_t i = 0;
    while(i < n && strcmp(cases[i].name, argv[a]))
      i++;
    if(i == n) {
      fprintf(stderr, "%s: no case named \"%s\" (--list prints the names)\n", suite, argv[a]);
      return 2;
    }
  }
  if(argc < 2)
    for(size_t i = 0; i < n; i++)
      cases[i].run();
  for(int a = 1; a < argc; a++)
    for(size_t i = 0; i < n; i++)
      if(!strcmp(cases[i].name, argv[a]))
        cases[i].run();
  printf("%s: %d checks, %d failures\n", suite, checks, failures);
  return failures ? 1 : 0;
}

#endif

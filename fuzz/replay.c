/* Runs a fuzz target's entry point over files, without a fuzzing engine
 * (model: wget2's fuzz/main.c): ctest replays every target's seed corpus
 * in the normal and sanitizer builds, so an input that once crashed, or a
 * seed the fuzzer starts from, is a regression test everywhere, not only
 * where clang's libFuzzer is.
 *
 *   replay_TARGET FILE|DIR...     exit 0 when every input ran */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
  gchar *data = NULL;
  gsize len = 0;
  GError *err = NULL;
  if(!g_file_get_contents(path, &data, &len, &err)) {
    fprintf(stderr, "replay: %s\n", err->message);
    g_error_free(err);
    return 1;
  }
  LLVMFuzzerTestOneInput((const uint8_t *)data, len);
  g_free(data);
  return 0;
}

int
main(int argc, char **argv)
{
  int failed = 0, ran = 0;
  for(int i = 1; i < argc; i++) {
    if(!g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
      failed |= run_file(argv[i]);
      ran++;
      continue;
    }
    GDir *d = g_dir_open(argv[i], 0, NULL);
    for(const char *n; d && (n = g_dir_read_name(d));) {
      char *p = g_build_filename(argv[i], n, NULL);
      failed |= run_file(p);
      ran++;
      g_free(p);
    }
    if(d)
      g_dir_close(d);
  }
  printf("replay: %d inputs%s\n", ran, failed ? ", some unreadable" : "");
  return failed || !ran;
}

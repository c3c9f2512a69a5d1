/* The configuration reader: line numbers, unknown keys, every value kind. */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static char *path;
  if(!path) {
    int fd = g_file_open_tmp("gh-fuzz-XXXXXX.conf", &path, NULL);
    if(fd >= 0)
      close(fd);
  }
  if(!path || !g_file_set_contents(path, (const char *)data, (gssize)size, NULL))
    return 0;
  struct gh_config cfg;
  GError *err = NULL;
  if(gh_config_load(&cfg, path, true, &err))
    gh_config_clear(&cfg);
  g_clear_error(&err);
  return 0;
}

/* The configuration file (config/config.c): every error names the file,
 * the line and the key; a missing optional file gives the defaults; sizes
 * parse with their suffixes and refuse overflow. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

#include "check.h"

static void
config_case(const char *text, const char *want_substr)
{
  char *path = NULL;
  int fd = g_file_open_tmp("gh-config-XXXXXX.conf", &path, NULL);
  g_assert(fd >= 0);
  g_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
  close(fd);
  struct gh_config cfg;
  GError *err = NULL;
  bool ok = gh_config_load(&cfg, path, true, &err);
  if(want_substr) {
    EXPECT(!ok, "config should fail: %s", text);
    if(err) {
      char *want = g_strdup_printf("%s:%s", path, want_substr);
      EXPECT(strstr(err->message, want) != NULL, "config error '%s' lacks '%s'", err->message,
             want);
      g_free(want);
      g_error_free(err);
    }
  }
  else {
    EXPECT(ok, "config should load: %s (%s)", text, err ? err->message : "");
    g_clear_error(&err);
    gh_config_clear(&cfg);
  }
  g_unlink(path);
  g_free(path);
}

static void
test_config(void)
{
  config_case("[store]\npath = /tmp/x\n[limits]\nmax_document_bytes = 16M\n", NULL);
  config_case("# comment\n\n[limits]\nmax_document_bytes = lots\n", "4: [limits] max_document_bytes");
  config_case("[store]\npath = /tmp/x\npth = /tmp/y\n", "3: [store] pth: unknown key");
  config_case("[stroe]\npath = /tmp/x\n", "1: [stroe]: unknown group");
  config_case("[store]\nthis line is broken\n", "2:");
  config_case("[log]\nlevel = chatty\n", "2: [log] level");
  struct gh_config cfg;
  GError *err = NULL;
  EXPECT(!gh_config_load(&cfg, "/nonexistent/govharvest.conf", true, &err), "missing file");
  EXPECT(err && strstr(err->message, "/nonexistent/govharvest.conf"), "missing file named");
  g_clear_error(&err);
  EXPECT(gh_config_load(&cfg, "/nonexistent/govharvest.conf", false, &err), "optional default");
  EXPECT(cfg.max_document_bytes == 32u << 20, "default max_document_bytes");
  gh_config_clear(&cfg);
  uint64_t v;
  EXPECT(gh_parse_size("512k", &v) && v == 512 * 1024, "512k");
  EXPECT(gh_parse_size("1G", &v) && v == 1ull << 30, "1G");
  EXPECT(!gh_parse_size("-1", &v), "-1");
  EXPECT(!gh_parse_size("99999999999999999999G", &v), "overflow");
}

static const struct gh_case cases[] = { GH_CASE(config) };

int
main(int argc, char **argv)
{
  return gh_cases_main("config", cases, G_N_ELEMENTS(cases), argc, argv);
}

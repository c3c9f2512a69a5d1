/* Configuration: one GKeyFile, one table of known settings.
 *
 * The table (config.c) is the single list of settings: it validates the
 * file, supplies defaults, and is what config/govharvest.conf documents.
 * Unknown groups or keys are errors, so a typo never silently falls back to
 * a default.  Every error names the file, the line and the key. */
#ifndef GH_CONFIG_H
#define GH_CONFIG_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#define GH_DEFAULT_CONFIG "/etc/govharvest/govharvest.conf"

enum gh_log_level { GH_LOG_ERROR, GH_LOG_WARNING, GH_LOG_INFO, GH_LOG_DEBUG };

struct gh_config {
  char *file; /* where it was read from; NULL when only defaults apply */
  char *store_path;
  uint64_t max_document_bytes;
  uint64_t extract_memory_bytes;
  uint64_t extract_cpu_seconds;
  uint64_t extract_timeout_seconds;
  uint64_t max_pdf_pages;
  enum gh_log_level log_level;
};

/* Defaults, then `file` on top.  When `file` is the default path and does
 * not exist, defaults alone are fine; a file named on the command line must
 * exist.  False with a one-line *err ("FILE:LINE: [group] key: why"). */
bool gh_config_load(struct gh_config *cfg, const char *file, bool must_exist,
                    GError **err);
void gh_config_clear(struct gh_config *cfg);

/* "32M", "1G", "512k", "1048576" -> bytes. */
bool gh_parse_size(const char *s, uint64_t *out);

#endif

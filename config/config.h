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
#define GH_DEFAULT_SEEDS "/etc/govharvest/seeds.tsv"
#ifndef GH_DATADIR
#define GH_DATADIR "/usr/local/share/govharvest"
#endif
/* The product token robots.txt groups are matched against. */
#define GH_ROBOTS_TOKEN "govharvest"
#define GH_DEFAULT_USER_AGENT \
  "govharvest/0.1 (research harvester of government-information-disclosure annual reports)"

enum gh_log_level { GH_LOG_ERROR, GH_LOG_WARNING, GH_LOG_INFO, GH_LOG_DEBUG };

struct gh_config {
  char *file; /* where it was read from; NULL when only defaults apply */
  char *store_path;
  char *export_dir;               /* [export] dir: where export --all writes */
  uint64_t max_document_bytes;
  uint64_t extract_memory_bytes;
  uint64_t extract_cpu_seconds;
  uint64_t extract_timeout_seconds;
  uint64_t max_pdf_pages;
  uint64_t max_html_depth; /* nesting flattened past this before gumbo */
  uint64_t extract_workers;       /* crawler's extraction processes; 0 = one per CPU */
  enum gh_log_level log_level;
  uint64_t heartbeat_seconds;     /* [log] heartbeat: a progress line this often without a TTY; 0: none */

  /* [crawl] */
  char *seeds_file;
  char *regions_file;             /* GB/T 2260 table; "builtin": compiled in */
  char *user_agent;
  double delay_seconds;           /* per-host minimum gap between requests */
  uint64_t connections_per_host;
  uint64_t max_connections;       /* across all hosts */
  uint64_t max_pages_per_host;    /* per crawl cycle */
  uint64_t max_depth;             /* section/column hops from a seed */
  uint64_t max_redirects;
  uint64_t connect_timeout_seconds;
  uint64_t timeout_seconds;       /* whole transfer */
  uint64_t retries;               /* after 5xx, 429 and network errors */
  double backoff_seconds;         /* first retry delay; doubles each time */
  double max_retry_after_seconds; /* a longer Retry-After gives up for the cycle */
  uint64_t host_failures;         /* network failures per cycle before a host waits for the next cycle */
  uint64_t host_failure_seconds;  /* seconds in failed transfers per host and cycle (0: no limit) */
  uint64_t cycle_time_limit_seconds; /* 0: none; past it, what is queued waits for the next cycle */
  char **resolve;                 /* "host:port:addr", as curl --resolve */
  char **connect_to;              /* "host:port:connhost:connport", as curl --connect-to */
  char **tls_insecure_hosts;      /* certificate checks off for these hosts only */
  char **allow_private;           /* hosts allowed to resolve to private addresses */

  /* [render] (docs/render.md) */
  char *render_enabled;           /* auto | yes | no */
  char *render_browser;           /* "": chromium, found */
  uint64_t render_max_per_host;   /* renders per host per cycle */
  double render_seconds;          /* one render, clicks included */
  uint64_t render_max_clicks;     /* pager clicks per page */
  uint64_t render_max_requests;   /* requests one render may make */
  uint64_t render_memory_bytes;   /* the browser's processes together */
  uint64_t render_parallel;       /* hosts rendering at once */

  /* [daemon] */
  uint64_t recrawl_seconds;       /* each seed, outside the season */
  uint64_t season_recrawl_seconds;
  int season_from, season_until;  /* month*100+day: 101 .. 331 */
};

/* The files of drop-in directory `dir` whose names end in `suffix`, in
 * name order (hidden files left out); an absent directory gives none.
 * g_ptr_array_free(…, TRUE). */
GPtrArray *gh_config_drop_ins(const char *dir, const char *suffix);

/* Defaults, then `file` on top, then the .conf files of conf.d/ beside it
 * in name order, each over the ones before.  When `file` is the default path and does
 * not exist, defaults alone are fine; a file named on the command line must
 * exist.  False with a one-line *err ("FILE:LINE: [group] key: why"). */
bool gh_config_load(struct gh_config *cfg, const char *file, bool must_exist,
                    GError **err);
void gh_config_clear(struct gh_config *cfg);
/* [limits] extract_workers resolved: 0 means one per CPU. */
unsigned gh_config_extract_workers(const struct gh_config *cfg);

/* One item of [crawl] resolve/connect_to or --resolve/--connect-to:
 * curl's syntax needs at least HOST:PORT:ADDR (three fields). */
bool gh_hostmap_item_ok(const char *item);

/* "error", "warning", "info", "debug" -> the level; false for anything else. */
bool gh_parse_log_level(const char *s, enum gh_log_level *out);

/* "32M", "1G", "512k", "1048576" -> bytes. */
bool gh_parse_size(const char *s, uint64_t *out);

#endif

#include "host.h"

#include "../config/config.h" /* GH_ROBOTS_TOKEN */

#include <string.h>

#define USEC 1000000

struct gh_host *
gh_host_new(const char *name, const struct gh_host_rules *rules)
{
  struct gh_host *h = g_new0(struct gh_host, 1);
  h->name = g_strdup(name);
  h->rules = rules;
  h->delay = rules->delay;
  h->busy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  return h;
}

void
gh_host_free(void *p)
{
  struct gh_host *h = p;
  if(!h)
    return;
  gh_robots_free(h->robots);
  g_hash_table_destroy(h->busy);
  g_free(h->drain);
  g_free(h->unhealthy);
  g_free(h->name);
  g_free(h);
}

void
gh_host_set_robots(struct gh_host *h, long status, const char *body, size_t len)
{
  gh_robots_free(h->robots);
  h->robots = gh_robots_for_answer(status, body, len, GH_ROBOTS_TOKEN);
  double before = h->delay;
  h->delay = gh_robots_delay(h->robots, h->rules->delay);
  if(h->delay > before && h->next_ok != G_MAXINT64)
    h->next_ok += (gint64)((h->delay - before) * USEC);
}

void
gh_host_rules_changed(struct gh_host *h)
{
  double before = h->delay;
  h->delay = h->robots ? gh_robots_delay(h->robots, h->rules->delay) : h->rules->delay;
  /* The last request was spaced by the old delay: a longer one counts
   * from that request too, never from the reload. */
  if(h->delay > before && h->next_ok != G_MAXINT64)
    h->next_ok += (gint64)((h->delay - before) * USEC);
}

void
gh_host_load(struct gh_host *h, const json_t *stored, guint64 cycle, gint64 now_unix,
             gint64 max_age)
{
  if(!stored)
    return;
  if((guint64)json_integer_value(json_object_get(stored, "cycle")) == cycle)
    h->pages = (guint64)json_integer_value(json_object_get(stored, "pages"));
  gint64 at = json_integer_value(json_object_get(stored, "robots_at"));
  json_t *status = json_object_get(stored, "robots_status");
  /* A robots.txt "read" in the future was read under a clock that ran
   * ahead: it is not known to be fresh. */
  if(status && now_unix - at < max_age && at <= now_unix + 5 * 60) {
    const char *body = json_string_value(json_object_get(stored, "robots"));
    gh_host_set_robots(h, (long)json_integer_value(status), body ? body : "",
                       body ? strlen(body) : 0);
  }
}

json_t *
gh_host_state(const struct gh_host *h, guint64 cycle, long robots_status, const char *robots,
              gint64 now_unix)
{
  json_t *hs = json_object();
  json_object_set_new(hs, "cycle", json_integer((json_int_t)cycle));
  json_object_set_new(hs, "pages", json_integer((json_int_t)h->pages));
  if(robots_status) {
    json_object_set_new(hs, "robots_status", json_integer(robots_status));
    json_object_set_new(hs, "robots", json_string(robots ? robots : ""));
    json_object_set_new(hs, "robots_at", json_integer(now_unix));
  }
  return hs;
}

double
gh_host_robots_unavailable(struct gh_host *h, bool transient, double retry_after,
                           enum gh_fail kind, const char *reason)
{
  h->robots_loading = false;
  /* A certificate or a too-large robots.txt will not change by waiting. */
  if(transient && ++h->robots_attempts <= h->rules->retries) {
    double wait = h->rules->backoff * (double)(1u << MIN(h->robots_attempts - 1, 10u));
    return MAX(wait, retry_after);
  }
  g_free(h->drain);
  h->drain = g_strdup(reason);
  h->drain_kind = kind;
  gh_host_set_robots(h, 503, "", 0);
  return -1;
}

enum gh_host_turn
gh_host_next_job(const struct gh_host *h, gint64 now, gint64 *wait_until)
{
  if(h->unhealthy || h->idle)
    return GH_HOST_OFF;
  if(h->in_flight >= h->rules->connections)
    return GH_HOST_FULL;
  if(h->next_ok > now) {
    *wait_until = h->next_ok;
    return GH_HOST_WAIT;
  }
  if(h->robots_loading)
    return GH_HOST_LOADING;
  return GH_HOST_NOW;
}

enum gh_host_pick
gh_host_judge(const struct gh_host *h, const char *path_query)
{
  if(!h->robots && !h->drain)
    return GH_PICK_ROBOTS;
  if(h->drain)
    return GH_PICK_DRAIN;
  if(!gh_robots_allowed(h->robots, path_query ? path_query : "/"))
    return GH_PICK_DISALLOWED;
  if(h->pages >= h->rules->max_pages)
    return GH_PICK_OVER_BUDGET;
  return GH_PICK_FETCH;
}

void
gh_host_started(struct gh_host *h, const char *url, gint64 now)
{
  g_hash_table_add(h->busy, g_strdup(url));
  h->in_flight++;
  h->next_ok = now + (gint64)(h->delay * USEC);
}

void
gh_host_answered(struct gh_host *h, const char *url, gint64 now, double extra_wait,
                 guint64 requeued_seq)
{
  g_hash_table_remove(h->busy, url);
  if(requeued_seq != G_MAXUINT64)
    h->scan_from = MIN(h->scan_from, requeued_seq);
  h->in_flight--;
  /* Backoff and Retry-After count from the answer. */
  h->next_ok = MAX(h->next_ok, now + (gint64)(extra_wait * USEC));
  h->idle = false; /* a retry may have left work queued: look again */
}

double
gh_host_failed(struct gh_host *h, enum gh_fail kind, const char *reason, bool *set_aside)
{
  h->failures++;
  h->cycle_failures++;
  *set_aside = false;
  /* A failure budget per host and cycle, cumulative like Nutch's
   * fetcher.max.exceptions.per.queue: a success between failures does not
   * renew it. */
  if(!h->unhealthy && h->cycle_failures >= h->rules->failures) {
    h->unhealthy = g_strdup_printf("%u %s failures this cycle (last: %s)", h->cycle_failures,
                                   gh_fail_name(kind), reason ? reason : gh_fail_name(kind));
    *set_aside = true;
  }
  /* Capped at 8×: past that the failure budget decides, not ever longer
   * waits that keep a one-shot crawl running. */
  return h->rules->backoff * (double)(1u << MIN(h->failures - 1, 3u));
}

bool
gh_host_charge(struct gh_host *h, double seconds, enum gh_fail kind, const char *reason)
{
  h->failed_seconds += MAX(seconds, 0.0);
  if(h->unhealthy || h->rules->failure_time <= 0 || h->failed_seconds < h->rules->failure_time)
    return false;
  h->unhealthy = g_strdup_printf("%.0f s spent in failed transfers this cycle, over [crawl] "
                                 "host_failure_time %.0f s (last: %s: %s)",
                                 h->failed_seconds, h->rules->failure_time, gh_fail_name(kind),
                                 reason ? reason : gh_fail_name(kind));
  return true;
}

void
gh_host_succeeded(struct gh_host *h)
{
  h->failures = 0;
}

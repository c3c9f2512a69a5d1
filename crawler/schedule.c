#include "schedule.h"

#include "../store/frontier.h"
#include "log.h"
#include "seeds.h"

bool
gh_schedule_in_season(const struct gh_config *cfg, GDateTime *now)
{
  int md = g_date_time_get_month(now) * 100 + g_date_time_get_day_of_month(now);
  if(cfg->season_from <= cfg->season_until)
    return md >= cfg->season_from && md <= cfg->season_until;
  return md >= cfg->season_from || md <= cfg->season_until; /* across New Year */
}

GPtrArray *
gh_schedule_due(struct gh_store *st, const struct gh_config *cfg, GPtrArray *seeds,
                GDateTime *now, gint64 *next_due)
{
  GPtrArray *due = g_ptr_array_new();
  gint64 t = g_date_time_to_unix(now);
  guint64 interval = gh_schedule_in_season(cfg, now) ? cfg->season_recrawl_seconds
                                                     : cfg->recrawl_seconds;
  *next_due = G_MAXINT64;
  for(guint i = 0; i < seeds->len; i++) {
    struct gh_seed *s = seeds->pdata[i];
    struct gh_urlstate *state = gh_frontier_url(st, s->url);
    /* When it was last queued, fetched or not. */
    const char *at = state ? state->queued_at : NULL;
    if(!at && state)
      at = state->fetched_at;
    GDateTime *last = at ? g_date_time_new_from_iso8601(at, NULL) : NULL;
    if(last && g_date_time_to_unix(last) > t + GH_SCHEDULE_FUTURE_SLACK) {
      gh_log(GH_LOG_WARNING, &(struct gh_log_fields){ .url = s->url },
             "%s: last queued at %s, in the future (a clock that ran ahead?): not used; the "
             "seed is due now", s->url, at);
      g_clear_pointer(&last, g_date_time_unref);
    }
    gint64 due_at = last ? g_date_time_to_unix(last) + (gint64)interval : t;
    if(due_at <= t)
      g_ptr_array_add(due, s);
    else if(due_at < *next_due)
      *next_due = due_at;
    if(last)
      g_date_time_unref(last);
    gh_urlstate_free(state);
  }
  return due;
}

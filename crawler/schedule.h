/* When the daemon crawls: every seed once per [daemon] recrawl interval,
 * more often in the publishing season (reports appear by 31 January and
 * are corrected into spring), counted from when the seed was last queued,
 * so a seed whose site was down waits its turn like the others. */
#ifndef GH_SCHEDULE_H
#define GH_SCHEDULE_H

#include <glib.h>
#include <stdbool.h>

#include "../config/config.h"
#include "../store/frontier.h"
#include "../store/store.h"

/* True when `now` falls in [daemon] season_from..season_until (month*100 +
 * day; a season may run across New Year). */
bool gh_schedule_in_season(const struct gh_config *cfg, GDateTime *now);

/* A last-queued time further ahead than this is treated as absent, so a
 * clock that once ran ahead cannot freeze the schedule until that date. */
#define GH_SCHEDULE_FUTURE_SLACK GH_FRONTIER_FUTURE_SLACK

/* The seeds (struct gh_seed *, borrowed from `seeds`) due at `now`, and in
 * *next_due the unix time the next of the others falls due (G_MAXINT64:
 * none).  A last-queued time in the future (GH_SCHEDULE_FUTURE_SLACK) is
 * logged and the seed is due now. */
GPtrArray *gh_schedule_due(struct gh_store *st, const struct gh_config *cfg, GPtrArray *seeds,
                           GDateTime *now, gint64 *next_due);

#endif

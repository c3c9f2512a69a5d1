/* The summary a crawl prints at its end (gh_crawl_summary_print). */
#include <stdio.h>

#include "crawl.h"

void
gh_crawl_summary_init(struct gh_crawl_summary *s)
{
  memset(s, 0, sizeof *s);
  s->records = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  s->errors = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  s->unhealthy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  s->render_wanted = g_ptr_array_new_with_free_func(g_free);
  s->render_log = json_array();
}

void
gh_crawl_summary_clear(struct gh_crawl_summary *s)
{
  g_hash_table_destroy(s->records);
  g_hash_table_destroy(s->errors);
  g_hash_table_destroy(s->unhealthy);
  g_ptr_array_free(s->render_wanted, TRUE);
  json_decref(s->render_log);
  memset(s, 0, sizeof *s);
}

static void
print_counts(FILE *out, const char *title, GHashTable *h)
{
  GList *keys = g_list_sort(g_hash_table_get_keys(h), (GCompareFunc)strcmp);
  fprintf(out, "%-14s", title);
  if(!keys)
    fprintf(out, " none");
  for(GList *k = keys; k; k = k->next)
    fprintf(out, " %s=%u", (char *)k->data, GPOINTER_TO_UINT(g_hash_table_lookup(h, k->data)));
  fputc('\n', out);
  g_list_free(keys);
}

void
gh_crawl_summary_print(const struct gh_crawl_summary *s, FILE *out)
{
  fprintf(out, "cycle          %" G_GUINT64_FORMAT "%s\n", s->cycle,
          s->interrupted ? " (interrupted; run again to resume)"
          : s->time_limited && s->queued_left ? " (unfinished: cycle_time_limit reached; run again to resume)"
          : s->queued_left && g_hash_table_size(s->unhealthy)
            ? " (unfinished: unhealthy hosts wait for the next run)"
          : s->queued_left ? " (unfinished)"
                           : " (complete)");
  /* The progress line's words: links found, documents fetched, records
   * landed. */
  fprintf(out, "hosts          %u\n", s->hosts);
  fprintf(out, "links          %" G_GUINT64_FORMAT " report links found\n", s->reports_found);
  fprintf(out, "documents      %" G_GUINT64_FORMAT " fetched, %.1f MiB, %" G_GUINT64_FORMAT
               " not modified\n",
          s->fetched, (double)s->bytes / (1024.0 * 1024.0), s->not_modified);
  print_counts(out, "records", s->records);
  /* What discovery costs: every request (robots.txt, lists, redirects,
   * 304s) over what landed this run.  A rule that finds more by asking more shows
   * here first. */
  guint64 landed = 0, requests = s->fetched; /* every answer, 304s and robots.txt too */
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init(&it, s->records);
  while(g_hash_table_iter_next(&it, &k, &v))
    if(strcmp(k, "unlanded"))
      landed += GPOINTER_TO_UINT(v);
  if(landed)
    fprintf(out, "efficiency     %.2f requests per landed report (%" G_GUINT64_FORMAT
                 " requests, %" G_GUINT64_FORMAT " landed)\n",
            (double)requests / (double)landed, requests, landed);
  else
    fprintf(out, "efficiency     %" G_GUINT64_FORMAT " requests, no report landed\n", requests);
  print_counts(out, "errors", s->errors);
  fprintf(out, "robots denied  %" G_GUINT64_FORMAT "\n", s->robots_denied);
  fprintf(out, "queued         %" G_GUINT64_FORMAT "\n", s->queued_left);
  GList *hosts = g_list_sort(g_hash_table_get_keys(s->unhealthy), (GCompareFunc)strcmp);
  for(GList *l = hosts; l; l = l->next)
    fprintf(out, "unhealthy      %s: %s\n", (const char *)l->data,
            (const char *)g_hash_table_lookup(s->unhealthy, l->data));
  g_list_free(hosts);
  if(s->rendered || s->render_failed)
    fprintf(out, "rendered       %" G_GUINT64_FORMAT " pages, %" G_GUINT64_FORMAT " cut short\n",
            s->rendered, s->render_failed);
  /* Every page whose list a script may build and that no browser read:
   * what the crawl may have missed, by name. */
  for(guint i = 0; i < s->render_wanted->len && i < 20; i++)
    fprintf(out, "wants render   %s\n", (const char *)s->render_wanted->pdata[i]);
  if(s->render_wanted->len > 20)
    fprintf(out, "wants render   … and %u more (govharvest stats --urls: error wants_render)\n",
            s->render_wanted->len - 20);
  fprintf(out, "time           %.1f s\n", s->seconds);
  fprintf(out, "cpu            %.2f s crawler, %.2f s extraction workers\n", s->cpu_seconds,
          s->worker_cpu_seconds);
  if(s->commits)
    fprintf(out, "commits        %" G_GUINT64_FORMAT ", %.0f ms on average, %.0f ms the longest\n",
            s->commits, s->commit_seconds / (double)s->commits * 1000, s->commit_max_seconds * 1000);
}

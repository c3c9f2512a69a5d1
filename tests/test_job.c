/* A fetched body's disposition (crawler/answer.c crawl_answer_fetched and
 * crawler/job.c): a listing page's links queued within scope, a report's
 * record landed with its provenance, an unchanged document not parsed
 * again, a page that is not a report landing nothing.  The body goes
 * through a real extraction worker, as in a crawl; the fetch is a fake
 * transfer (tests/fake_crawl.h). */
#include <glib.h>
#include <string.h>

#include "store/export.h"

#include "fake_crawl.h"

#define SEED "http://www.wd.gov.cn/"
#define COLUMN "http://www.wd.gov.cn/zwgk/zfxxgknb/index.html"
#define REPORT "http://www.wd.gov.cn/zwgk/zfxxgknb/2022/mzj.txt"

static const char report_text[] = "武定县民政局2021年政府信息公开工作年度报告\n"
                                   "三、收到和处理政府信息公开申请情况\n"
                                   "本年新收政府信息公开申请数量\t3\t0\t0\t0\t0\t0\t3\n";

/* Fetches `url`, hands its body on as the loop does after a turn, and
 * waits for the worker's reply to be handled. */
static void
fetch_and_read(struct fake_crawl *f, const char *url)
{
  struct xfer *x = fake_fetch(f, url);
  EXPECT(x->fetched, "%s: a 2xx", url);
  if(x->fetched)
    crawl_answer_fetched(&f->c, x);
  fake_xfer_done(f, x);
  for(int i = 0; i < 120 && g_hash_table_size(f->c.processing); i++)
    gh_sandbox_step(f->c.pool);
  EXPECT(g_hash_table_size(f->c.processing) == 0 && f->c.pending_bytes == 0,
         "%s: the worker's reply was handled", url);
}

/* The store's current records, as JSON lines. */
static char *
exported(struct fake_crawl *f, guint64 *n)
{
  fake_commit(f);
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  struct gh_export_opts o = { .format = GH_EXPORT_JSONL };
  GError *e = NULL;
  EXPECT(gh_export(f->c.st, &o, mem, n, &e), "export: %s", e ? e->message : "");
  g_clear_error(&e);
  fclose(mem);
  return buf;
}

static void
test_links(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/zwgk/zfxxgknb/index.html", "200 OK",
                  "Content-Type: text/html; charset=utf-8\r\n",
                  "<html><body><ul class=list>"
                  "<li><a href='./2024/t1.html'>武定县民政局2023年政府信息公开工作年度报告</a></li>"
                  "<li><a href='http://www.example.com/nb/t2.html'>某公司2023年政府信息公开工作年度报告</a></li>"
                  "</ul></body></html>");
  fake_queue(&f, COLUMN, GH_LINK_COLUMN, SEED);
  fetch_and_read(&f, COLUMN);
  struct gh_urlstate *s = fake_stored(&f, COLUMN);
  EXPECT(s && gh_urlstate_state(s) == GH_URL_DONE && s->sha256 && s->http_status == 200,
         "the column is done, its hash and status kept");
  EXPECT(s && s->out && s->out->len == 1 &&
           !strcmp(g_array_index(s->out, struct gh_url_link, 0).url,
                   "http://www.wd.gov.cn/zwgk/zfxxgknb/2024/t1.html"),
         "it keeps what it linked in scope, for a later 304 (%u links)", s && s->out ? s->out->len : 0);
  gh_urlstate_free(s);
  s = gh_frontier_url(f.c.st, "http://www.wd.gov.cn/zwgk/zfxxgknb/2024/t1.html");
  EXPECT(s && gh_urlstate_state(s) == GH_URL_QUEUED && !g_strcmp0(s->kind, "report") &&
           !g_strcmp0(s->referer, COLUMN) && !g_strcmp0(s->seed, SEED) &&
           !g_strcmp0(s->region, "532329") && s->text && strstr(s->text, "武定县民政局"),
         "the report link is queued, with its page, seed, region and link text");
  gh_urlstate_free(s);
  s = gh_frontier_url(f.c.st, "http://www.example.com/nb/t2.html");
  EXPECT(!s, "a link off the seed's site is not queued");
  gh_urlstate_free(s);
  fake_crawl_end(&f);
}

static void
test_record(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/zwgk/zfxxgknb/2022/mzj.txt", "200 OK",
                  "Content-Type: text/plain; charset=utf-8\r\n", report_text);
  fake_queue(&f, REPORT, GH_LINK_ATTACHMENT, SEED);
  fetch_and_read(&f, REPORT);
  guint64 n = 0;
  char *out = exported(&f, &n);
  json_t *rec = out ? json_loads(out, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
  json_t *src = json_object_get(rec, "source");
  EXPECT(n == 1 && rec && !g_strcmp0(jstr(rec, "agency"), "武定县民政局") &&
           json_integer_value(json_object_get(rec, "year")) == 2021 &&
           !g_strcmp0(jstr(rec, "status"), "parsed") && !g_strcmp0(jstr(rec, "region_code"), "532329"),
         "the report's record lands, identified: %.300s", out ? out : "(nothing)");
  EXPECT(!g_strcmp0(jstr(src, "url"), REPORT) && !g_strcmp0(jstr(src, "page_url"), SEED) &&
           jstr(src, "link_text") && jstr(src, "fetched_at"),
         "with where it came from and how the crawl got there");
  json_decref(rec);
  free(out);
  struct gh_urlstate *s = fake_stored(&f, REPORT);
  EXPECT(s && gh_urlstate_state(s) == GH_URL_DONE && !g_strcmp0(s->record_status, "parsed"),
         "the URL is done, its record's status noted");
  gh_urlstate_free(s);
  /* The same bytes again (crawl --refetch, the state with their hash):
   * not handed to a worker. */
  struct xfer *x = fake_fetch(&f, REPORT);
  if(x->fetched)
    crawl_answer_fetched(&f.c, x);
  EXPECT(g_hash_table_size(f.c.processing) == 0, "an unchanged document is not parsed again");
  EXPECT(gh_urlstate_state(x->state) == GH_URL_DONE, "and is done at once");
  fake_xfer_done(&f, x);
  fake_crawl_end(&f);
}

static void
test_not_a_report(void)
{
  struct fake_crawl f;
  fake_crawl_init(&f);
  fake_crawl_begin(&f);
  fake_web_answer(&f.web, "/zwgk/news/t3.html", "200 OK", "Content-Type: text/html; charset=utf-8\r\n",
                  "<html><head><title>武定县召开2023年安全生产工作会议</title></head><body>"
                  "<h1>武定县召开2023年安全生产工作会议</h1><p>3月5日，县政府召开会议，部署全年工作。</p>"
                  "</body></html>");
  fake_queue(&f, "http://www.wd.gov.cn/zwgk/news/t3.html", GH_LINK_REPORT, SEED);
  fetch_and_read(&f, "http://www.wd.gov.cn/zwgk/news/t3.html");
  guint64 n = 0;
  char *out = exported(&f, &n);
  EXPECT(n == 0, "a news page behind a report link lands no record: %.200s", out ? out : "");
  free(out);
  struct gh_urlstate *s = fake_stored(&f, "http://www.wd.gov.cn/zwgk/news/t3.html");
  EXPECT(s && gh_urlstate_state(s) == GH_URL_DONE && s->record_status &&
           strcmp(s->record_status, "parsed"),
         "its URL is done, with the verdict noted: %s", s && s->record_status ? s->record_status : "(none)");
  gh_urlstate_free(s);
  fake_crawl_end(&f);
}

static const struct gh_case cases[] = { GH_CASE(links), GH_CASE(record), GH_CASE(not_a_report) };

int
main(int argc, char **argv)
{
  return fake_crawl_main("job", cases, G_N_ELEMENTS(cases), argc, argv);
}

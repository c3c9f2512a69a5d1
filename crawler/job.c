/* A fetched body's way through the sandbox: the loop hands it to a worker
 * (crawl_job_start), the worker finds its links and/or parses its record
 * (gh_crawl_work, in the worker process), and the reply comes back to the
 * loop (page_done), which queues the links and lands the record. */
#include <string.h>

#include "../extract/charset.h"
#include "../extract/htmlwalk.h"
#include "../extract/pages.h"
#include "../extract/wire.h"
#include "../record/parser.h"
#include "../record/places.h"
#include "../record/textnorm.h"
#include "crawl_int.h"
#include "render.h"
#include "url.h"

void
crawl_job_free(void *p)
{
  struct page_job *j = p;
  j->c->pending_bytes -= g_bytes_get_size(j->body);
  g_free(j->ctype);
  g_free(j->url);
  g_free(j->host);
  gh_urlstate_free(j->state);
  g_bytes_unref(j->body);
  g_free(j->sha);
  g_free(j->file_title);
  if(j->args)
    g_byte_array_unref(j->args);
  g_free(j->charset);
  json_decref(j->images);
  g_free(j);
}

/* The download name a Content-Disposition header gives, as normalised
 * title text (NULL without one).  Decoded here, in the loop: the raw
 * header may be GBK bytes, which cannot travel in the worker's JSON. */
static char *
disposition_title(const char *disposition)
{
  char *fname = disposition ? gh_disposition_filename(disposition) : NULL;
  char *n = fname ? gh_norm(fname, strlen(fname)) : NULL;
  g_free(fname);
  return n;
}

/* The job crosses to the worker and back in wire.h's fields, not JSON:
 * one request and one reply per fetched page, where encoding and decoding
 * JSON was a tenth of the crawl's CPU.
 *
 *   arguments: kind, flags (ARG_DISCOVER | ARG_RECORD), then the strings
 *              url, sha256, link text, file title, referer (each may be
 *              NULL);
 *   reply:     the number of links, then per link its kind, url, text,
 *              flags (GH_LINK_F_*) and a form post's body (NULL: a GET);
 *              then what became of the record: REPLY_NO_RECORD,
 *              REPLY_VERDICT with its status and reason (what the loop
 *              will not store: decoding a whole record would cost it more
 *              than the page cost to fetch), or REPLY_RECORD with the
 *              record's JSON text (the stored form). */
enum { ARG_DISCOVER = 1, ARG_RECORD = 2 };
enum { REPLY_NO_RECORD, REPLY_VERDICT, REPLY_RECORD };

struct job_args {
  guint32 kind, flags;
  const char *url, *sha256, *text, *file_title, *referer;
};

static GByteArray *
args_encode(const struct job_args *a)
{
  GByteArray *b = g_byte_array_sized_new(256);
  gh_wire_put_u32(b, a->kind);
  gh_wire_put_u32(b, a->flags);
  const char *strs[] = { a->url, a->sha256, a->text, a->file_title, a->referer };
  for(size_t i = 0; i < G_N_ELEMENTS(strs); i++)
    gh_wire_put_str(b, strs[i]);
  return b;
}

static bool
args_decode(const struct gh_sandbox_input *in, struct job_args *a)
{
  struct gh_wire_reader r = { in->raw, in->raw + in->raw_len, false };
  a->kind = gh_wire_get_u32(&r);
  a->flags = gh_wire_get_u32(&r);
  const char **strs[] = { &a->url, &a->sha256, &a->text, &a->file_title, &a->referer };
  for(size_t i = 0; i < G_N_ELEMENTS(strs); i++)
    gh_wire_get_str(&r, strs[i]);
  return gh_wire_done(&r) && a->url && a->kind < GH_LINK_N;
}

/* The page's links, from its tree when parsed. */
static GPtrArray *
find_links(const GumboOutput *tree, const char *utf8, size_t ulen, const struct job_args *a)
{
  GPtrArray *links = g_ptr_array_new_with_free_func(gh_link_free);
  if(utf8)
    gh_discover_tree(tree, utf8, ulen, a->url, a->referer, (enum gh_link_kind)a->kind, links);
  return links;
}

static void
put_links(GByteArray *out, GPtrArray *links)
{
  gh_wire_put_u32(out, links->len);
  for(guint i = 0; i < links->len; i++) {
    struct gh_link *l = links->pdata[i];
    gh_wire_put_u32(out, l->kind);
    gh_wire_put_str(out, l->url);
    gh_wire_put_str(out, l->text ? l->text : "");
    gh_wire_put_u32(out, l->flags);
    gh_wire_put_str(out, l->body);
  }
}

/* Runs in the worker, on the fetched bytes: the page's links and/or its
 * record, so the crawler's loop gets a small reply and never parses what a
 * portal sent.  An HTML report page is converted and parsed once for both. */
GByteArray *
gh_crawl_work(const struct gh_sandbox_input *in)
{
  struct job_args a;
  if(!args_decode(in, &a))
    return NULL; /* the loop sent nonsense: a bug, and this worker ends */
  bool discover = a.flags & ARG_DISCOVER, record = a.flags & ARG_RECORD;
  GByteArray *out = g_byte_array_sized_new(4096);
  size_t ulen = 0;
  char *utf8 = NULL;
  struct gh_html_tree *tree = NULL;
  if(discover || (record && in->format == GH_FMT_HTML))
    utf8 = gh_to_utf8(in->bytes, in->len, in->o->declared_charset, true, &ulen, NULL, NULL);
  if(utf8 && in->format == GH_FMT_HTML)
    tree = gh_gumbo_parse(utf8, ulen);
  GPtrArray *links = discover ? find_links(tree ? tree->out : NULL, utf8, ulen, &a)
                              : g_ptr_array_new_with_free_func(gh_link_free);
  GByteArray *verdict = g_byte_array_sized_new(1024);
  if(record) {
    struct gh_record rec;
    gh_record_init(&rec);
    struct gh_doc_hints hints = { .link_text = a.text, .file_title = a.file_title };
    gh_document_record(in->bytes, in->len, in->format, a.sha256, in->o, &hints,
                       tree ? tree->out : NULL, &rec);
    if(discover && a.kind == GH_LINK_REPORT && rec.status != GH_STATUS_PARSED)
      gh_discover_report_scans(tree ? tree->out : NULL, a.url, links);
    bool lands = rec.status != GH_STATUS_NOT_A_REPORT && rec.status != GH_STATUS_EMPTY &&
                 rec.agency && *rec.agency && rec.year > 0;
    if(lands) {
      json_t *rj = gh_record_to_json(&rec);
      char *text = json_dumps(rj, JSON_COMPACT | JSON_REAL_PRECISION(15));
      gh_wire_put_u32(verdict, REPLY_RECORD);
      gh_wire_put_str(verdict, text);
      free(text);
      json_decref(rj);
    } else {
      gh_wire_put_u32(verdict, REPLY_VERDICT);
      gh_wire_put_str(verdict, gh_status_name(rec.status));
      gh_wire_put_str(verdict, rec.reason);
    }
    gh_record_clear(&rec);
  } else {
    gh_wire_put_u32(verdict, REPLY_NO_RECORD);
  }
  put_links(out, links);
  g_byte_array_append(out, verdict->data, verdict->len);
  g_byte_array_free(verdict, TRUE);
  g_ptr_array_free(links, TRUE);
  gh_gumbo_free(tree);
  g_free(utf8);
  return out;
}

/* A link of the reply: borrowed from the reply's buffer. */
struct reply_link {
  enum gh_link_kind kind;
  const char *url, *text;
  guint32 flags;
  const char *body; /* a form post's, or NULL */
};

/* The worker's reply, checked field by field (a worker reads hostile
 * bytes, so its reply is not trusted either). */
struct reply {
  GArray *links; /* struct reply_link */
  guint32 form;
  const char *status, *reason, *record; /* borrowed */
};

static bool
reply_decode(const guint8 *buf, size_t len, struct reply *out)
{
  struct gh_wire_reader r = { buf, buf + len, false };
  guint32 n = gh_wire_get_u32(&r);
  /* Each link takes at least 20 bytes: a count past that is a lie. */
  if(r.bad || n > len / 20)
    return false;
  out->links = g_array_sized_new(FALSE, FALSE, sizeof(struct reply_link), n);
  for(guint32 i = 0; i < n && !r.bad; i++) {
    struct reply_link l = { .kind = gh_wire_get_u32(&r) };
    gh_wire_get_str(&r, &l.url);
    gh_wire_get_str(&r, &l.text);
    l.flags = gh_wire_get_u32(&r);
    gh_wire_get_str(&r, &l.body);
    if(l.kind >= GH_LINK_N || !l.url || (l.body && !strstr(l.url, GH_POST_FRAGMENT)))
      r.bad = true;
    g_array_append_val(out->links, l);
  }
  out->form = gh_wire_get_u32(&r);
  if(out->form == REPLY_VERDICT) {
    gh_wire_get_str(&r, &out->status);
    gh_wire_get_str(&r, &out->reason);
    r.bad |= !out->status;
  } else if(out->form == REPLY_RECORD) {
    gh_wire_get_str(&r, &out->record);
    r.bad |= !out->record;
  } else if(out->form != REPLY_NO_RECORD) {
    r.bad = true;
  }
  return gh_wire_done(&r);
}

/* Queues what the page links to, within scope and depth; returns how many
 * attachments it links. */
static unsigned
queue_links(struct crawl *c, struct page_job *j, const GArray *links)
{
  struct gh_urlstate *s = j->state;
  int depth = (int)s->depth;
  const char *seed = s->seed;
  unsigned attachments = 0;
  bool api = gh_is_api_answer(j->url);
  const char *embed = api ? (s->embed ? s->embed : s->referer) : j->url;
  /* What this page led to, kept so a later 304 can requeue it without the
   * body (a column whose portal page did not change still gets new
   * reports). */
  if(!j->part_done)
    gh_urlstate_clear_out(s);
  struct page_set *scans = NULL;
  unsigned shown = 0;
  for(guint i = 0; i < links->len; i++) {
    const struct reply_link *l = &g_array_index(links, struct reply_link, i);
    const char *url = l->url, *text = l->text;
    enum gh_link_kind k = l->kind;
    bool scan = (l->flags & GH_LINK_F_PAGE_IMAGE) && k == GH_LINK_ATTACHMENT &&
                j->kind == GH_LINK_REPORT && !j->part_done;
    /* The row is read to its cap: the scans past it are not fetched. */
    if(scan && ++shown > GH_PAGES_MAX)
      continue;
    if(scan && s->text && *s->text)
      text = s->text; /* the column's title for the report beats the page's <title> */
    int d = depth;
    if(k == GH_LINK_SECTION || k == GH_LINK_COLUMN)
      d = depth + 1;
    /* A hop deeper is bounded by max_depth, and one from or within a
     * department directory by a few levels more (discover.h); what a page
     * lists at its own depth was admitted with the page. */
    bool directory = (l->flags & GH_LINK_F_DIRECTORY) || depth > (int)c->cfg->max_depth;
    int limit = (int)c->cfg->max_depth + (directory ? GH_DIRECTORY_LEVELS : 0);
    char *host = NULL;
    if((d > depth && d > limit) || !crawl_in_scope(c, seed, url, k, &host))
      continue;
    struct gh_urlstate *ns = crawl_enqueue(c, url, host, k, d, seed, s->region, text, j->url);
    g_free(host);
    if(ns && scan) {
      if(!scans)
        scans = crawl_page_set_new(j->url, j->host, s, text);
      crawl_page_set_add(scans, url, ns);
    }
    /* A form post's body travels in its state, which keeps what it does
     * not know in `extra` (docs/store.md): the key stays the URL. */
    if(ns && l->body) {
      if(!ns->extra)
        ns->extra = json_object();
      json_object_set_new(ns->extra, "post_body", json_string(l->body));
    }
    /* What an API answer (dataproxy.jsp, JPaaS) links is shown in the
     * column page, also when one answer leads to the next: the column is
     * kept along the chain for the worker to resolve against. */
    if(api && embed && ns)
      gh_urlstate_set(&ns->embed, embed);
    attachments += k == GH_LINK_ATTACHMENT;
    /* A report page keeps only its attachments: a 304 on it then still
     * reaches the document (crawl --refetch). */
    if(j->kind != GH_LINK_REPORT || k == GH_LINK_ATTACHMENT)
      gh_urlstate_add_out(s, url, gh_link_kind_name(k), d, text ? text : "");
  }
  if(scans) {
    crawl_page_set_listed(c, scans, shown);
    crawl_log(c, GH_LOG_INFO, j->url, "%s: a report in %u page images; fetching up to %u",
              j->url, shown, GH_PAGES_MAX);
  }
  return attachments;
}

/* Provenance the crawl knows and the parser cannot: where the bytes came
 * from and how the crawler got there, and the agency's identity (its
 * place from the name, else from the link, the file name or the seed). */
static void
add_provenance(struct crawl *c, struct page_job *j, json_t *rj)
{
  const struct gh_urlstate *s = j->state;
  json_t *src = json_object_get(rj, "source");
  char *iso = crawl_now_iso();
  json_object_set_new(src, "url", json_string(j->url));
  json_object_set_new(src, "fetched_at", json_string(iso));
  g_free(iso);
  if(s->redirect_chain && s->redirect_chain->len)
    json_object_set_new(src, "redirected_from", json_string(s->redirect_chain->pdata[0]));
  if(s->referer)
    json_object_set_new(src, "page_url", json_string(s->referer));
  if(s->text)
    json_object_set_new(src, "link_text", json_string(s->text));
  if(j->file_title)
    json_object_set_new(src, "file_title", json_string(j->file_title));
  if(j->images)
    json_object_set(src, "images", j->images);
  const struct gh_seed *sd = s->seed ? g_hash_table_lookup(c->run_seeds, s->seed) : NULL;
  const char *extra[] = { sd ? sd->name : NULL, NULL };
  gh_record_identify(rj, c->o->regions ? c->o->regions : gh_regions_builtin(), s->region, extra);
  if(!json_object_get(rj, "region_code"))
    json_object_set_new(rj, "region_code", json_null());
}

/* The record is parsed: land it (`rj`, taken), or say why not (`rj` NULL:
 * the worker's verdict `status` and `reason` only).  A report page that
 * links its PDF/DOCX is a wrapper: the attachment is the report, and the
 * wrapper lands only if it parsed by itself. */
static void
land_document(struct crawl *c, struct page_job *j, const char *status, const char *reason,
              json_t *rj, bool only_if_parsed)
{
  if(rj) {
    status = jstr(rj, "status");
    reason = jstr(rj, "reason");
  }
  const char *agency = rj ? jstr(rj, "agency") : NULL;
  json_int_t year = rj ? json_integer_value(json_object_get(rj, "year")) : 0;
  gh_urlstate_set(&j->state->record_status, status ? status : "");
  /* The raw bytes, so `reparse` can rerun a newer parser without fetching. */
  gh_frontier_put_doc(c->fr, j->sha, j->body);
  bool parsed = status && !strcmp(status, gh_status_name(GH_STATUS_PARSED));
  if(only_if_parsed && !parsed) {
    crawl_log(c, GH_LOG_DEBUG, j->url, "%s: %s; its attachments carry the report", j->url,
            status);
  } else if(status && (!strcmp(status, gh_status_name(GH_STATUS_NOT_A_REPORT)) ||
                       !strcmp(status, gh_status_name(GH_STATUS_EMPTY)))) {
    /* An error page behind a report link is not that agency's report: a
     * record would hide the gap.  The URL state keeps what it was. */
    crawl_log(c, GH_LOG_INFO, j->url, "%s: %s: %s", j->url, status, reason ? reason : "");
  } else if(agency && *agency && year > 0) {
    add_provenance(c, j, rj);
    gh_frontier_land(c->fr, rj);
    rj = NULL;
  } else {
    crawl_count(c->sum->records, "unlanded");
    crawl_log(c, GH_LOG_INFO, j->url, "%s: %s%s%s (no agency and year: not stored as a record)",
            j->url, status, reason ? ": " : "", reason ? reason : "");
  }
  json_decref(rj);
}

/* The record of a page the worker could not give one for (it died, or
 * replied nonsense): extract_failed with the reason, and the hints. */
static json_t *
failed_record(struct page_job *j, const char *failure)
{
  struct gh_record rec;
  gh_record_init(&rec);
  struct gh_doc_hints hints = { .link_text = j->state->text, .file_title = j->file_title };
  gh_document_failed(j->sha, j->fmt, failure, &hints, &rec);
  json_t *rj = gh_record_to_json(&rec);
  gh_record_clear(&rec);
  return rj;
}

/* The length of `url` without a directory's index file name ("index",
 * "index.html", "default.aspx", …): /nb/ and /nb/index.html are one page. */
static size_t
without_index(const char *url)
{
  size_t n = strlen(url);
  const char *slash = strrchr(url, '/');
  if(!slash || strchr(slash, '?'))
    return n;
  const char *name = slash + 1;
  if(g_str_has_prefix(name, "index") || g_str_has_prefix(name, "default")) {
    const char *dot = strchr(name, '.');
    size_t stem = dot ? (size_t)(dot - name) : strlen(name);
    if(stem == 5 || stem == 7)
      return (size_t)(name - url);
  }
  return n;
}

/* Whether `url` was queued in this cycle (this run, when forced) before
 * this page: a sibling in a column's menu, not a sub-column this page
 * leads to.  The page that queued it was committed before this page could
 * be fetched, so the store knows. */
static bool
known_this_run(struct crawl *c, const char *url)
{
  struct gh_urlstate *s = gh_frontier_url(c->st, url);
  bool known = s && (s->has & GH_US_CYCLE) && (guint64)s->cycle == c->cycle &&
               (!crawl_seed_forced(c, s->seed) ||
                ((s->has & GH_US_FORCED_RUN) && s->forced_run == c->run_id));
  gh_urlstate_free(s);
  return known;
}

static bool
same_page(const char *a, const char *b)
{
  size_t na = without_index(a), nb = without_index(b);
  return na == nb && !strncmp(a, b, na);
}

static void page_done(void *ud, const guint8 *buf, size_t len, const char *failure,
                      enum gh_sandbox_failure how);

/* Per host, not first come first served: link discovery (which the
 * host's and every host's next requests wait for) goes first, and a host
 * gets at most its share of the workers while others' jobs wait. */
static void
job_submit(struct crawl *c, struct page_job *j)
{
  struct gh_extract_opts eo = c->o->extract;
  eo.declared_charset = j->charset;
  struct gh_sandbox_sched sched = { j->host, j->discover };
  gh_sandbox_submit_bytes_sched(c->pool, j->body, j->fmt, &eo, j->args, &sched, page_done, j);
}

/* The extraction breaker: after this many of a host's documents hit a
 * worker's CPU, wall or memory cap, its further documents fail at once as
 * too_costly and the host is set aside for the cycle.  A handful of
 * crafted 8 KB PDFs cost a minute of CPU each. */
#define COSTLY_PER_HOST 2

static bool
host_too_costly(struct crawl *c, const char *host)
{
  return GPOINTER_TO_UINT(g_hash_table_lookup(c->costly, host)) >= COSTLY_PER_HOST;
}

static void
note_costly(struct crawl *c, struct page_job *j, const char *failure)
{
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(c->costly, j->host)) + 1;
  g_hash_table_replace(c->costly, g_strdup(j->host), GUINT_TO_POINTER(n));
  struct gh_host *h = crawl_host_get(c, j->host);
  if(n != COSTLY_PER_HOST || !h || h->unhealthy)
    return;
  h->unhealthy = g_strdup_printf("extraction breaker: %u documents hit a worker's CPU, time or "
                                 "memory cap (last: %s: %s)", n, j->url, failure);
  crawl_host_set_aside(c, h);
}

/* A document of a host whose breaker tripped: failed without a worker. */
static void
fail_too_costly(struct crawl *c, struct page_job *j)
{
  char *why = g_strdup_printf("not extracted: %s's documents hit the workers' caps %u times "
                              "this cycle (extraction breaker)", j->host, COSTLY_PER_HOST);
  crawl_fail(c, j->url, j->host, j->state, GH_FAIL_TOO_COSTLY, why);
  g_free(why);
}

/* Retries exhausted on failures that were not the document's: the URL
 * stays queued for the next run, forgetting its validators and hash so
 * that run fetches it whole and extracts it (a 304 or an unchanged hash
 * would skip the extraction that never finished). */
static void
defer_job(struct crawl *c, struct page_job *j, const char *failure)
{
  struct gh_urlstate *s = j->state;
  g_clear_pointer(&s->etag, g_free);
  g_clear_pointer(&s->last_modified, g_free);
  g_clear_pointer(&s->sha256, g_free);
  s->has &= ~(guint32)GH_US_ATTEMPTS;
  s->attempts = 0;
  gh_urlstate_set(&s->error, gh_fail_name(GH_FAIL_EXTRACT_FAILED));
  gh_urlstate_set(&s->reason, failure);
  gh_frontier_set(c->fr, j->url, s); /* still queued */
  g_hash_table_add(c->deferred, g_strdup(j->url));
  crawl_count_fail(c, GH_FAIL_EXTRACT_DEFERRED);
  crawl_log(c, GH_LOG_WARNING, j->url,
            "%s: %s, %u times: left queued for the next run", j->url, failure, j->attempts);
}

static void
page_done(void *ud, const guint8 *buf, size_t len, const char *failure, enum gh_sandbox_failure how)
{
  struct page_job *j = ud;
  struct crawl *c = j->c;
  if(!buf && failure && gh_sandbox_failure_costly(how))
    note_costly(c, j, failure);
  if(!buf && failure && gh_sandbox_failure_transient(how) && !j->discover &&
     host_too_costly(c, j->host)) {
    fail_too_costly(c, j);
    g_hash_table_remove(c->processing, j->url); /* frees j */
    return;
  }
  if(!buf && failure && gh_sandbox_failure_transient(how)) {
    /* Killed from outside, out of time or memory on a busy machine: not
     * the document's verdict.  The body is still here; the pool tries
     * again, up to [crawl] retries. */
    if(++j->attempts <= c->cfg->retries) {
      crawl_log(c, GH_LOG_INFO, j->url, "%s: %s; extraction retry %u of %" G_GUINT64_FORMAT,
                j->url, failure, j->attempts, c->cfg->retries);
      job_submit(c, j);
      return;
    }
    defer_job(c, j, failure);
    g_hash_table_remove(c->processing, j->url); /* frees j */
    return;
  }
  struct reply r = { 0 };
  bool ok = buf && reply_decode(buf, len, &r);
  if(buf && !ok)
    failure = "extractor sent a malformed reply";
  if(j->discover && !ok) {
    /* The worker died on this page (a parser crash, a hang): nothing it
     * links can be trusted, and the failure is the page's. */
    crawl_fail(c, j->url, j->host, j->state, GH_FAIL_EXTRACT_FAILED,
               failure ? failure : "extraction failed");
  } else {
    /* probe --render shows the static links itself and follows none. */
    unsigned attachments = j->discover && !c->o->render_probe ? queue_links(c, j, r.links) : 0;
    const char *wants = NULL;
    bool rendering = false;
    if(j->discover && !j->extract) {
      /* Nothing to follow: a script may build the list (render.c).  Pager
       * links alone are not a list (a script may write the items of every
       * page); a sub-column is, unless it is this page, the page that led
       * here, the home page (a pager's 首页 reads as both) or one queued
       * before (a sibling in the column's menu). */
      bool found = false;
      for(guint i = 0; i < r.links->len && !found; i++) {
        const struct reply_link *l = &g_array_index(r.links, struct reply_link, i);
        if(l->kind == GH_LINK_REPORT || l->kind == GH_LINK_ATTACHMENT) {
          found = true;
        } else if(l->kind == GH_LINK_COLUMN ||
                  ((j->kind == GH_LINK_SEED || j->kind == GH_LINK_SECTION) &&
                   l->kind == GH_LINK_SECTION)) {
          char *pq = gh_url_path_query(l->url);
          found = !same_page(l->url, j->url) &&
                  (!j->state->referer || !same_page(l->url, j->state->referer)) &&
                  !(pq && !strcmp(pq, "/")) && !known_this_run(c, l->url);
          g_free(pq);
        }
      }
      if(c->o->render_probe && j->kind == GH_LINK_SEED)
        found = false;
      wants = crawl_render_offer(c, j, found, &rendering);
    }
    if(j->extract) {
      bool wrapper = j->kind == GH_LINK_REPORT && attachments > 0;
      json_t *rj = ok && r.form == REPLY_RECORD ? json_loads(r.record, 0, NULL) : NULL;
      if(ok && r.form == REPLY_VERDICT)
        land_document(c, j, r.status, r.reason, NULL, wrapper);
      else if(json_is_object(rj))
        land_document(c, j, NULL, NULL, g_steal_pointer(&rj), wrapper);
      else
        land_document(c, j, NULL, NULL,
                      failed_record(j, ok ? "extractor sent a malformed record" : failure),
                      wrapper);
      json_decref(rj); /* not an object, or NULL */
    }
    if(wants) {
      /* Named in the summary, the journal and `stats` (errors by kind). */
      g_ptr_array_add(c->sum->render_wanted, g_strdup(j->url));
      crawl_log(c, GH_LOG_WARNING, j->url, "%s: no report link and no next page: %s", j->url,
                wants);
      crawl_fail(c, j->url, j->host, j->state, GH_FAIL_WANTS_RENDER, wants);
    } else if(!rendering) {
      crawl_finish(c, j->url, j->host, j->state, GH_URL_DONE, NULL);
    }
  }
  if(r.links)
    g_array_free(r.links, TRUE);
  g_hash_table_remove(c->processing, j->url); /* frees j */
}

/* The bundle's record is back: landed as the page's, with the scans'
 * URLs; a worker lost to a transient cause is tried again as a page is. */
static void
pages_done(void *ud, const guint8 *buf, size_t len, const char *failure, enum gh_sandbox_failure how)
{
  struct page_job *j = ud;
  struct crawl *c = j->c;
  if(!buf && failure && gh_sandbox_failure_costly(how))
    note_costly(c, j, failure);
  if(!buf && failure && gh_sandbox_failure_transient(how) && ++j->attempts <= c->cfg->retries &&
     !host_too_costly(c, j->host)) {
    crawl_log(c, GH_LOG_INFO, j->url, "%s: %s; extraction retry %u of %" G_GUINT64_FORMAT,
              j->url, failure, j->attempts, c->cfg->retries);
    gh_sandbox_submit_bytes_sched(c->pool, j->body, j->fmt, &c->o->extract, j->args,
                               &(struct gh_sandbox_sched){ j->host, false }, pages_done, j);
    return;
  }
  struct reply r = { 0 };
  bool ok = buf && reply_decode(buf, len, &r);
  json_t *rj = ok && r.form == REPLY_RECORD ? json_loads(r.record, 0, NULL) : NULL;
  if(ok && r.form == REPLY_VERDICT)
    land_document(c, j, r.status, r.reason, NULL, false);
  else if(json_is_object(rj))
    land_document(c, j, NULL, NULL, g_steal_pointer(&rj), false);
  else
    land_document(c, j, NULL, NULL,
                  failed_record(j, ok ? "extractor sent a malformed record"
                                      : failure ? failure : "extraction failed"),
                  false);
  json_decref(rj);
  if(r.links)
    g_array_free(r.links, TRUE);
  g_hash_table_remove(c->processing, j->url); /* frees j */
}

/* An image-page report's scans are all settled: their bundle to a worker,
 * its record landed as the page's. */
void
crawl_pages_settled(struct crawl *c, const char *url, const struct gh_urlstate *s,
                    enum gh_url_state state, const char *reason)
{
  struct page_bundle b;
  if(!crawl_page_set_settle(c, url, s, state, reason, &b))
    return;
  if(!b.got || g_hash_table_contains(c->processing, b.page)) {
    crawl_log(c, GH_LOG_WARNING, b.page, "%s: %u of its %u page images fetched; not read",
              b.page, b.got, b.n);
    gh_urlstate_free(b.state);
    g_bytes_unref(b.bundle);
    json_decref(b.images);
    g_free(b.page);
    g_free(b.host);
    return;
  }
  struct page_job *j = g_new0(struct page_job, 1);
  j->c = c;
  j->url = b.page;
  j->host = b.host;
  j->state = b.state;
  j->body = b.bundle;
  c->pending_bytes += g_bytes_get_size(j->body);
  gsize blen = 0;
  const char *bytes = g_bytes_get_data(j->body, &blen);
  j->sha = gh_sha256_hex(bytes, blen);
  j->kind = GH_LINK_ATTACHMENT;
  j->extract = true;
  j->fmt = GH_FMT_PAGES;
  j->images = b.images;
  struct job_args a = { .kind = GH_LINK_ATTACHMENT, .flags = ARG_RECORD, .url = j->url,
                        .sha256 = j->sha, .text = j->state->text };
  j->args = args_encode(&a);
  g_hash_table_insert(c->processing, j->url, j);
  if(host_too_costly(c, j->host)) {
    land_document(c, j, NULL, NULL, failed_record(j, "not extracted: the host's extraction "
                                                     "breaker tripped this cycle"), false);
    g_hash_table_remove(c->processing, j->url); /* frees j */
    return;
  }
  gh_sandbox_submit_bytes_sched(c->pool, j->body, j->fmt, &c->o->extract, j->args,
                             &(struct gh_sandbox_sched){ j->host, false }, pages_done, j);
}

/* Hands a fetched body to the pool for links and/or a record. */
void
crawl_job_start(struct crawl *c, struct xfer *x, const char *sha, enum gh_format fmt,
               bool discover, bool extract)
{
  if(x->state && x->state->extra && json_object_get(x->state->extra, "page_of") && extract &&
     !discover) {
    /* A page scan: kept for its page's bundle, not read alone. */
    GBytes *body = g_string_free_to_bytes(x->in.body);
    x->in.body = NULL;
    crawl_page_set_keep(c, x->state, x->url, sha, body);
    g_bytes_unref(body);
    crawl_finish_xfer(c, x, GH_URL_DONE, NULL); /* settles it */
    return;
  }
  enum gh_link_kind kind = x->kind;
  const char *ctype = x->ctype;
  struct page_job *j = g_new0(struct page_job, 1);
  j->c = c;
  j->url = g_strdup(x->url);
  j->host = g_strdup(x->host->name);
  j->state = g_steal_pointer(&x->state);
  /* The body moves from the transfer to the job: the worker's request and
   * the stored document share it, no copy (a PDF can be 32 MiB). */
  j->body = g_string_free_to_bytes(x->in.body);
  x->in.body = NULL;
  c->pending_bytes += g_bytes_get_size(j->body);
  j->sha = g_strdup(sha);
  j->file_title = disposition_title(x->hd.disposition);
  j->kind = kind;
  j->discover = discover;
  j->extract = extract;
  j->fmt = fmt;
  j->charset = gh_content_type_charset(ctype);
  j->ctype = g_strdup(ctype);
  g_hash_table_insert(c->processing, j->url, j);
  /* No body is over the workers' limit: the transfer stopped at
   * [limits] max_document_bytes, the same limit (crawl_start). */
  if(discover || extract) {
    /* The page that led here: an API answer of HTML (Hanweb JPaaS) is
     * inserted into that page, so its relative links are that page's. */
    struct job_args a = {
      .kind = kind, .flags = (discover ? ARG_DISCOVER : 0) | (extract ? ARG_RECORD : 0),
      .url = j->url, .sha256 = sha, .text = j->state->text, .file_title = j->file_title,
      .referer = j->state->embed ? j->state->embed : j->state->referer,
    };
    j->args = args_encode(&a);
    if(!discover && host_too_costly(c, j->host)) {
      fail_too_costly(c, j);
      g_hash_table_remove(c->processing, j->url); /* frees j */
      return;
    }
    job_submit(c, j);
  } else {
    page_done(j, NULL, 0, NULL, GH_POOL_FAILED);
  }
}


/* A rendered page's part is read: its links queued under the page. */
static void
part_done(void *ud, const guint8 *buf, size_t len, const char *failure,
          enum gh_sandbox_failure how)
{
  (void)how; /* a part lost to a worker's death costs the render, not the page's URL */
  struct page_job *j = ud;
  struct reply r = { 0 };
  unsigned n = 0;
  json_t *found = NULL;
  if(buf && reply_decode(buf, len, &r)) {
    n = r.links->len;
    if(!j->c->o->render_probe) {
      queue_links(j->c, j, r.links);
    } else {
      found = json_array();
      for(guint i = 0; i < n; i++) {
        const struct reply_link *l = &g_array_index(r.links, struct reply_link, i);
        json_array_append_new(found, json_pack("{s:s, s:s, s:s}", "kind", gh_link_kind_name(l->kind),
                                               "url", l->url, "text", l->text ? l->text : ""));
      }
    }
  } else {
    crawl_log(j->c, GH_LOG_INFO, j->url, "a rendered part of %s: %s", j->url,
              failure ? failure : "extractor sent a malformed reply");
  }
  if(r.links)
    g_array_free(r.links, TRUE);
  j->state = NULL; /* the page's */
  j->part_done(j->part_ud, j, n, found);
  json_decref(found);
  crawl_job_free(j);
}

void *
crawl_job_discover(struct crawl *c, const char *url, const char *host, const char *embed,
                   enum gh_link_kind kind, GBytes *body, const char *ctype,
                   struct gh_urlstate *state,
                   void (*done)(void *ud, void *job, unsigned links, json_t *found), void *ud)
{
  struct page_job *j = g_new0(struct page_job, 1);
  j->c = c;
  j->url = g_strdup(url);
  j->host = g_strdup(host);
  j->state = state;
  j->body = g_bytes_ref(body);
  c->pending_bytes += g_bytes_get_size(body);
  j->kind = kind;
  j->discover = true;
  j->fmt = gh_sniff(g_bytes_get_data(body, NULL), g_bytes_get_size(body));
  j->ctype = g_strdup(ctype);
  j->part_done = done;
  j->part_ud = ud;
  struct gh_extract_opts eo = c->o->extract;
  char *cs = gh_content_type_charset(ctype);
  eo.declared_charset = cs;
  struct job_args a = { .kind = kind, .flags = ARG_DISCOVER, .url = url, .referer = embed };
  GByteArray *args = args_encode(&a);
  struct gh_sandbox_sched sched = { host, true }; /* discovery goes first */
  gh_sandbox_submit_bytes_sched(c->pool, j->body, j->fmt, &eo, args, &sched, part_done, j);
  g_byte_array_unref(args);
  g_free(cs);
  return j;
}

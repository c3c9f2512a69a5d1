/* A fetched body's way through the sandbox: the loop hands it to a worker
 * (crawl_job_start), the worker finds its links and/or parses its record
 * (gh_crawl_work, in the worker process), and the reply comes back to the
 * loop (page_done), which queues the links and lands the record. */
#include <string.h>

#include "../extract/charset.h"
#include "../extract/htmlwalk.h"
#include "../record/parser.h"
#include "../record/places.h"
#include "../record/textnorm.h"
#include "crawl_int.h"
#include "url.h"

void
crawl_job_free(void *p)
{
  struct page_job *j = p;
  j->c->pending_bytes -= g_bytes_get_size(j->body);
  g_free(j->url);
  g_free(j->host);
  json_decref(j->state);
  g_bytes_unref(j->body);
  g_free(j->sha);
  g_free(j->file_title);
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

/* The page's links as [[url, kind, text], …], from its tree when parsed. */
static json_t *
links_json(const GumboOutput *tree, const char *utf8, size_t ulen, const json_t *a)
{
  json_t *jl = json_array();
  if(!utf8)
    return jl;
  GPtrArray *links = g_ptr_array_new_with_free_func(gh_link_free);
  gh_discover_tree(tree, utf8, ulen, jstr(a, "url"), jstr(a, "referer"),
                   (enum gh_link_kind)json_integer_value(json_object_get(a, "kind")), links);
  for(guint i = 0; i < links->len; i++) {
    struct gh_link *l = links->pdata[i];
    json_array_append_new(jl, json_pack("[s,s,s]", l->url, gh_link_kind_name(l->kind),
                                        l->text ? l->text : ""));
  }
  g_ptr_array_free(links, TRUE);
  return jl;
}

/* Runs in the worker, on the fetched bytes: the page's links and/or its
 * record, so the crawler's loop gets a small reply and never parses what a
 * portal sent.  An HTML report page is converted and parsed once for both. */
json_t *
gh_crawl_work(const struct gh_pool_input *in)
{
  const json_t *a = in->args;
  bool discover = json_is_true(json_object_get(a, "discover"));
  bool record = json_is_true(json_object_get(a, "record"));
  json_t *out = json_object();
  size_t ulen = 0;
  char *utf8 = NULL;
  struct gh_html_tree *tree = NULL;
  if(discover || (record && in->format == GH_FMT_HTML))
    utf8 = gh_to_utf8(in->bytes, in->len, in->o->declared_charset, true, &ulen, NULL, NULL);
  if(utf8 && in->format == GH_FMT_HTML)
    tree = gh_gumbo_parse(utf8, ulen);
  if(discover)
    json_object_set_new(out, "links", links_json(tree ? tree->out : NULL, utf8, ulen, a));
  if(record) {
    struct gh_record rec;
    gh_record_init(&rec);
    struct gh_doc_hints hints = { .link_text = jstr(a, "text"), .file_title = jstr(a, "file_title") };
    gh_document_record(in->bytes, in->len, in->format, jstr(a, "sha256"), in->o, &hints,
                       tree ? tree->out : NULL, &rec);
    /* What the loop will not store (an error page, a page with no report
     * and no agency/year) comes back as its verdict only: the whole record
     * would cost the loop more to decode than the page cost to fetch. */
    bool lands = rec.status != GH_STATUS_NOT_A_REPORT && rec.status != GH_STATUS_EMPTY &&
                 rec.agency && *rec.agency && rec.year > 0;
    json_object_set_new(out, "record",
                        lands ? gh_record_to_json(&rec)
                              : json_pack("{s s s s?}", "status", gh_status_name(rec.status),
                                          "reason", rec.reason));
    gh_record_clear(&rec);
  }
  gh_gumbo_free(tree);
  g_free(utf8);
  return out;
}

/* Queues what the page links to, within scope and depth; returns how many
 * attachments it links. */
static unsigned
queue_links(struct crawl *c, struct page_job *j, json_t *links)
{
  json_t *s = j->state;
  int depth = (int)json_integer_value(json_object_get(s, "depth"));
  const char *seed = jstr(s, "seed");
  unsigned attachments = 0;
  bool api = gh_is_api_answer(j->url);
  const char *embed = api ? (jstr(s, "embed") ? jstr(s, "embed") : jstr(s, "referer")) : j->url;
  /* What this page led to, kept so a later 304 can requeue it without the
   * body (a column whose portal page did not change still gets new
   * reports). */
  json_t *out = json_array();
  size_t i;
  json_t *l;
  json_array_foreach(links, i, l) {
    const char *url = json_string_value(json_array_get(l, 0));
    const char *text = json_string_value(json_array_get(l, 2));
    enum gh_link_kind k;
    if(!url || !gh_link_kind_from_name(json_string_value(json_array_get(l, 1)), &k))
      continue;
    int d = depth;
    if(k == GH_LINK_SECTION || k == GH_LINK_COLUMN)
      d = depth + 1;
    char *host = NULL;
    if(d > (int)c->cfg->max_depth || !crawl_in_scope(c, seed, url, k, &host))
      continue;
    json_t *ns = crawl_enqueue(c, url, host, k, d, seed, jstr(s, "region"), text, j->url);
    g_free(host);
    /* What an API answer (dataproxy.jsp, JPaaS) links is shown in the
     * column page, also when one answer leads to the next: the column is
     * kept along the chain for the worker to resolve against. */
    if(api && embed && ns)
      json_object_set_new(ns, "embed", json_string(embed));
    attachments += k == GH_LINK_ATTACHMENT;
    /* A report page keeps only its attachments: a 304 on it then still
     * reaches the document (crawl --refetch). */
    if(j->kind != GH_LINK_REPORT || k == GH_LINK_ATTACHMENT)
      json_array_append_new(out, json_pack("[s,s,i,s]", url, gh_link_kind_name(k), d,
                                           text ? text : ""));
  }
  json_object_set_new(s, "out", out);
  return attachments;
}

/* Provenance the crawl knows and the parser cannot: where the bytes came
 * from and how the crawler got there, and the agency's identity (its
 * place from the name, else from the link, the file name or the seed). */
static void
add_provenance(struct crawl *c, struct page_job *j, json_t *rj)
{
  json_t *s = j->state;
  json_t *src = json_object_get(rj, "source");
  char *iso = crawl_now_iso();
  json_object_set_new(src, "url", json_string(j->url));
  json_object_set_new(src, "fetched_at", json_string(iso));
  g_free(iso);
  json_t *chain = json_object_get(s, "redirect_chain");
  if(json_array_size(chain))
    json_object_set(src, "redirected_from", json_array_get(chain, 0));
  if(jstr(s, "referer"))
    json_object_set_new(src, "page_url", json_string(jstr(s, "referer")));
  if(jstr(s, "text"))
    json_object_set_new(src, "link_text", json_string(jstr(s, "text")));
  if(j->file_title)
    json_object_set_new(src, "file_title", json_string(j->file_title));
  const struct gh_seed *sd = jstr(s, "seed") ? g_hash_table_lookup(c->run_seeds, jstr(s, "seed")) : NULL;
  const char *extra[] = { sd ? sd->name : NULL, NULL };
  gh_record_identify(rj, c->o->regions ? c->o->regions : gh_regions_builtin(), jstr(s, "region"),
                     extra);
  if(!json_object_get(rj, "region_code"))
    json_object_set_new(rj, "region_code", json_null());
}

/* The record is parsed (`rj`, taken): land it, or say why not.  A report
 * page that links its PDF/DOCX is a wrapper: the attachment is the report,
 * and the wrapper lands only if it parsed by itself. */
static void
land_document(struct crawl *c, struct page_job *j, json_t *rj, bool only_if_parsed)
{
  const char *status = jstr(rj, "status");
  const char *reason = jstr(rj, "reason");
  const char *agency = jstr(rj, "agency");
  json_int_t year = json_integer_value(json_object_get(rj, "year"));
  json_object_set_new(j->state, "record_status", json_string(status ? status : ""));
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

static void
page_done(void *ud, json_t *reply, const char *failure)
{
  struct page_job *j = ud;
  struct crawl *c = j->c;
  json_t *links = json_object_get(reply, "links");
  if(j->discover && !links) {
    /* The worker died on this page (a parser crash, a hang): nothing it
     * links can be trusted, and the failure is the page's. */
    crawl_finish(c, j->url, j->host, j->state, GH_URL_FAILED, "extract_failed",
                 failure ? failure : "extraction failed");
    g_hash_table_remove(c->processing, j->url);
    return;
  }
  unsigned attachments = j->discover ? queue_links(c, j, links) : 0;
  if(j->extract) {
    json_t *rj = json_incref(json_object_get(reply, "record"));
    if(!rj) { /* the worker died on it */
      struct gh_record rec;
      gh_record_init(&rec);
      struct gh_doc_hints hints = { .link_text = jstr(j->state, "text"), .file_title = j->file_title };
      gh_document_failed(j->sha, j->fmt, failure, &hints, &rec);
      rj = gh_record_to_json(&rec);
      gh_record_clear(&rec);
    }
    land_document(c, j, rj, j->kind == GH_LINK_REPORT && attachments > 0);
  }
  crawl_finish(c, j->url, j->host, j->state, GH_URL_DONE, NULL, NULL);
  g_hash_table_remove(c->processing, j->url); /* frees j */
}

/* Hands a fetched body to the pool for links and/or a record. */
void
crawl_job_start(struct crawl *c, struct xfer *x, const char *sha, enum gh_format fmt,
               bool discover, bool extract)
{
  enum gh_link_kind kind = x->kind;
  const char *ctype = x->ctype;
  struct page_job *j = g_new0(struct page_job, 1);
  j->c = c;
  j->url = g_strdup(x->url);
  j->host = g_strdup(x->host->name);
  j->state = json_incref(x->state);
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
  struct gh_extract_opts eo = c->o->extract;
  char *cs = gh_content_type_charset(ctype);
  eo.declared_charset = cs;
  g_hash_table_insert(c->processing, j->url, j);
  /* No body is over the workers' limit: the transfer stopped at
   * [limits] max_document_bytes, the same limit (crawl_start). */
  if(discover || extract) {
    /* The page that led here: an API answer of HTML (Hanweb JPaaS) is
     * inserted into that page, so its relative links are that page's. */
    json_t *args = json_pack("{s s s i s b s b s s s s? s s? s s?}", "url", j->url, "kind", (int)kind,
                             "discover", discover, "record", extract, "sha256", sha, "text",
                             jstr(x->state, "text"), "file_title", j->file_title, "referer",
                             jstr(x->state, "embed") ? jstr(x->state, "embed")
                                                     : jstr(x->state, "referer"));
    if(args)
      gh_pool_submit(c->pool, j->body, j->fmt, &eo, args, page_done, j);
    else /* every string above is UTF-8 by now; this is a bug, said so */
      page_done(j, NULL, "internal error: the job's arguments are not valid JSON");
    json_decref(args);
  } else {
    page_done(j, NULL, NULL);
  }
  g_free(cs);
}


/* The URL state's codec (store/urlstate.c): the stored binary form and the
 * JSON form give back what went in, damage is refused, and what the struct
 * does not know is kept. */
#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "check.h"
#include "store/frontier.h"

/* The URL state's two forms: the stored one gives back what went in, and
 * refuses damage; the JSON one keeps what the struct does not know. */
static void
test_urlstate(void)
{
  const char *full =
    "{\"state\":\"redirected\",\"kind\":\"report\",\"depth\":2,\"cycle\":7,\"qseq\":0,"
    "\"forced_run\":1767225600,\"attempts\":3,\"http_status\":302,\"seed\":\"http://www.a.gov.cn/\","
    "\"region\":\"532329\",\"text\":\"武定县2023年政府信息公开工作年度报告\",\"referer\":\"http://www.a.gov.cn/nb/\","
    "\"embed\":\"http://www.a.gov.cn/col/\",\"queued_at\":\"2026-12-01T00:00:00Z\",\"error\":\"http_5xx\","
    "\"reason\":\"HTTP 503\",\"etag\":\"\\\"5e1\\\"\",\"last_modified\":\"Mon, 01 Dec 2026 00:00:00 GMT\","
    "\"sha256\":\"ab\",\"fetched_at\":\"2026-12-01T00:00:01Z\",\"record_status\":\"\","
    "\"redirect_to\":\"http://www.a.gov.cn/r.pdf\",\"redirect_chain\":[\"http://www.a.gov.cn/x\"],"
    "\"out\":[[\"http://www.a.gov.cn/r/1.pdf\",\"attachment\",3,\"附件1\"]],"
    "\"future_key\":{\"a\":[1,2]},\"depth_note\":null}";
  json_t *in = json_loads(full, 0, NULL);
  struct gh_urlstate *s = gh_urlstate_from_json(in);
  EXPECT(s && (s->has & GH_US_QSEQ) && s->qseq == 0 && s->extra &&
           json_object_size(s->extra) == 2 && s->out && s->out->len == 1,
         "every field read, qseq 0 is set, two unknown keys kept aside");
  json_t *back = gh_urlstate_to_json(s);
  EXPECT(json_equal(in, back), "the JSON form gives back what went in");
  json_decref(back);
  GByteArray *b = g_byte_array_new();
  gh_urlstate_encode(s, b);
  struct gh_urlstate *d = gh_urlstate_decode(b->data, b->len);
  back = d ? gh_urlstate_to_json(d) : NULL;
  EXPECT(back && json_equal(in, back), "the stored form gives back what went in");
  json_decref(back);
  struct gh_urlstate head;
  EXPECT(gh_urlstate_decode_head(b->data, b->len, &head) && head.cycle == 7 &&
           head.state == GH_URL_REDIRECTED && !g_strcmp0(head.kind, "report") && !head.seed,
         "the head alone: numbers, state and kind");
  g_free(head.kind);
  /* Damage: every cut, a JSON text, a state past the names, a count that
   * lies. */
  int refused = 0;
  for(guint cut = 0; cut < b->len; cut++) {
    struct gh_urlstate *t = gh_urlstate_decode(b->data, cut);
    refused += t == NULL;
    gh_urlstate_free(t);
  }
  EXPECT(refused == (int)b->len, "a stored state cut short is refused (%d of %u)", refused, b->len);
  EXPECT(!gh_urlstate_decode(full, strlen(full)) && !gh_urlstate_is_encoded(full, strlen(full)),
         "JSON text is not the stored form");
  GByteArray *bad = g_byte_array_new();
  g_byte_array_append(bad, b->data, b->len);
  guint32 st = 99;
  memcpy(bad->data + 8, &st, 4);
  EXPECT(!gh_urlstate_decode(bad->data, bad->len), "a state past the names is refused");
  g_byte_array_unref(bad);
  gh_urlstate_free(s);
  gh_urlstate_free(d);
  g_byte_array_unref(b);
  json_decref(in);
  /* A field of the wrong type is kept as it was, not dropped. */
  in = json_loads("{\"kind\":5,\"depth\":\"1\",\"state\":\"damaged\",\"raw\":\"{x\"}", 0, NULL);
  s = gh_urlstate_from_json(in);
  back = gh_urlstate_to_json(s);
  EXPECT(!s->kind && !(s->has & (GH_US_DEPTH | GH_US_STATE)) && json_equal(in, back),
         "foreign values stay in extra, as they were");
  json_decref(back);
  gh_urlstate_free(s);
  json_decref(in);
}

static const struct gh_case cases[] = { GH_CASE(urlstate) };

int
main(int argc, char **argv)
{
  return gh_cases_main("urlstate", cases, G_N_ELEMENTS(cases), argc, argv);
}

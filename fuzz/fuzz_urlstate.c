/* A stored URL state: the bytes a damaged page or a foreign writer leaves
 * in url_state, in either form (binary, or an older store's JSON).  What
 * decodes must encode and decode back to the same state. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct gh_urlstate head;
  if(gh_urlstate_decode_head(data, size, &head))
    g_free(head.kind);
  struct gh_urlstate *s = gh_store_url_decode(data, size);
  if(!s)
    return 0;
  GByteArray *b = g_byte_array_new();
  gh_urlstate_encode(s, b);
  struct gh_urlstate *again = gh_urlstate_decode(b->data, b->len);
  json_t *x = gh_urlstate_to_json(s), *y = again ? gh_urlstate_to_json(again) : NULL;
  if(!y || !json_equal(x, y))
    abort(); /* a state that does not survive its own stored form */
  json_decref(x);
  json_decref(y);
  gh_urlstate_free(again);
  gh_urlstate_free(s);
  g_byte_array_unref(b);
  return 0;
}

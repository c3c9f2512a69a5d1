/* Answers that are not content: anti-bot challenges and WAF pages, which
 * portals serve with 200 as often as with 403/412. */
#include <string.h>

#include "discover.h"

const char *
gh_detect_blocked(long status, const char *body, size_t len)
{
  size_t n = len < 65536 ? len : 65536;
  char *head = g_strndup(body ? body : "", n);
  const char *why = NULL;
  if((status == 412 || status == 202) && strstr(head, "$_ts"))
    why = "瑞数 anti-bot challenge (script $_ts)";
  else if(status == 521 && (strstr(head, "document.cookie") || strstr(head, "__jsl")))
    why = "加速乐 anti-bot challenge (HTTP 521 cookie script)";
  else if(len < 65536 && (strstr(head, "请求已被") && strstr(head, "阻断")))
    why = "WAF block page (请求已被…阻断)";
  else if(len < 65536 && (strstr(head, "云防护") && strstr(head, "拦截")))
    why = "WAF block page (云防护拦截)";
  else if(len < 65536 && strstr(head, "网站防火墙"))
    why = "WAF block page (网站防火墙)";
  g_free(head);
  return why;
}


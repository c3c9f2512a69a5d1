/* Row labels, section headings and the template vote (parse_labels.h).
 *
 * Sections are found by their heading texts (template-spec §2), never by
 * the numerals 一、二、: section 三's own rows start with those numerals.
 * A label is matched by the key phrase that ends last, because the text
 * may still hold a group label or header text in front of the row's own
 * label. */
#include "parse_labels.h"

#include <string.h>

#include "textnorm.h"

/* Each row's distinctive phrases.  Labels wrap in narrow cells, so a row
 * has phrases from the head of its label (the numbered item's first
 * words) as well as its best-known words, each unique to its row. */
const struct key parse_app_keys[] = {
  { "本年新收", GH_APP_NEW_RECEIVED, false },
  { "上年结转", GH_APP_CARRIED_IN, false },
  /* "一、本年(2021)新收…", "二、上年(2020)结转…": a year inside the label */
  { "新收政府信息", GH_APP_NEW_RECEIVED, false },
  { "结转政府信息", GH_APP_CARRIED_IN, false },
  { "予以公开", GH_APP_GRANTED, false },
  { "部分公开", GH_APP_PARTIALLY_GRANTED, false },
  { "国家秘密", GH_APP_DENIED_STATE_SECRET, false },
  { "属于国家", GH_APP_DENIED_STATE_SECRET, false },
  { "禁止公开", GH_APP_DENIED_PROHIBITED_BY_LAW, false },
  { "其他法律", GH_APP_DENIED_PROHIBITED_BY_LAW, false },
  { "法律行政法规", GH_APP_DENIED_PROHIBITED_BY_LAW, false },
  { "三安全", GH_APP_DENIED_THREE_SAFETIES, false },
  { "危及", GH_APP_DENIED_THREE_SAFETIES, false },
  { "第三方", GH_APP_DENIED_THIRD_PARTY, false },
  { "保护第", GH_APP_DENIED_THIRD_PARTY, false },
  { "合法权益", GH_APP_DENIED_THIRD_PARTY, false },
  { "内部事务", GH_APP_DENIED_INTERNAL_AFFAIRS, false },
  { "属于三类", GH_APP_DENIED_INTERNAL_AFFAIRS, false },
  { "过程性", GH_APP_DENIED_PROCESS_INFO, false },
  { "属于四类", GH_APP_DENIED_PROCESS_INFO, false },
  { "执法案卷", GH_APP_DENIED_ENFORCEMENT_FILES, false },
  { "行政执法", GH_APP_DENIED_ENFORCEMENT_FILES, false },
  { "属于行政执", GH_APP_DENIED_ENFORCEMENT_FILES, false },
  { "行政查询", GH_APP_DENIED_ADMINISTRATIVE_QUERY, false },
  { "属于行政查", GH_APP_DENIED_ADMINISTRATIVE_QUERY, false },
  { "不掌握", GH_APP_UNABLE_NOT_HELD, false },
  { "本机关不", GH_APP_UNABLE_NOT_HELD, false },
  { "另行制作", GH_APP_UNABLE_NEEDS_CREATION, false },
  { "没有现成", GH_APP_UNABLE_NEEDS_CREATION, false },
  { "仍不明确", GH_APP_UNABLE_UNCLEAR, false },
  { "补正后", GH_APP_UNABLE_UNCLEAR, false },
  { "信访", GH_APP_NP_PETITION, false },
  { "举报投诉", GH_APP_NP_PETITION, false },
  { "重复申请", GH_APP_NP_DUPLICATE, false },
  { "2.重复", GH_APP_NP_DUPLICATE, false },
  { "出版物", GH_APP_NP_PUBLICATION, false },
  { "要求提供", GH_APP_NP_PUBLICATION, false },
  { "公开出版", GH_APP_NP_PUBLICATION, false },
  { "大量反复", GH_APP_NP_EXCESSIVE, false },
  { "由大量", GH_APP_NP_EXCESSIVE, false },
  { "重新出具", GH_APP_NP_CONFIRMATION, false },
  { "行政机关确认", GH_APP_NP_CONFIRMATION, false },
  { "要求行政机关", GH_APP_NP_CONFIRMATION, false },
  { "其他处理", GH_APP_OTHER, false },
  { "不补正", GH_APP_OTHER_NO_CORRECTION, false },
  { "逾期不补", GH_APP_OTHER_NO_CORRECTION, false },
  { "申请人无正当", GH_APP_OTHER_NO_CORRECTION, false },
  { "收费通知", GH_APP_OTHER_NO_FEE, false },
  { "缴纳费用", GH_APP_OTHER_NO_FEE, false },
  { "逾期未按", GH_APP_OTHER_NO_FEE, false },
  { "3.其他", GH_APP_OTHER_OTHER, true },
  { "3,其他", GH_APP_OTHER_OTHER, true },
  { "3、其他", GH_APP_OTHER_OTHER, true },
  { "总计", GH_APP_TOTAL, false },
  { "合计", GH_APP_TOTAL, false },
  { "结转下年", GH_APP_CARRIED_OVER, false },
  { "继续办理", GH_APP_CARRIED_OVER, false },
  { NULL, 0, false },
};

enum { PK_RULES, PK_NORMATIVE };
const struct key parse_pro_keys[] = {
  { "规章", GH_PRO_RULES, false },
  { "规范性文件", GH_PRO_NORMATIVE, false },
  { "行政许可", GH_PRO_LICENSING, false },
  { "对外管理服务", GH_PRO_OTHER_SERVICES, false },
  { "行政处罚", GH_PRO_PENALTY, false },
  { "行政强制", GH_PRO_COERCION, false },
  { "事业性收费", GH_PRO_FEES, false },
  { "集中采购", GH_PRO_PROCUREMENT, false },
  { NULL, 0, false },
};

/* The key whose last occurrence ends latest in `buf`; ties go to the longer
 * key.  Returns -1 when none occurs. */
int
parse_match_key(const struct key *keys, const char *buf)
{
  size_t blen = strlen(buf);
  int best = -1;
  size_t best_end = 0, best_len = 0;
  for(const struct key *k = keys; k->k; k++) {
    size_t klen = strlen(k->k);
    if(klen > blen)
      continue;
    const char *hit = NULL;
    if(k->at_end) {
      if(!memcmp(buf + blen - klen, k->k, klen))
        hit = buf + blen - klen;
    }
    else {
      for(const char *p = strstr(buf, k->k); p; p = strstr(p + 1, k->k))
        hit = p;
    }
    if(!hit)
      continue;
    size_t end = (size_t)(hit - buf) + klen;
    if(best < 0 || end > best_end || (end == best_end && klen > best_len)) {
      best = k->id;
      best_end = end;
      best_len = klen;
    }
  }
  return best;
}

int
gh_report_app_row(const char *norm)
{
  return parse_match_key(parse_app_keys, norm);
}

/* p has at most `cap` characters.  Tested last where a cheaper test can
 * fail first: is_heading runs for every row and every section of a page. */
bool
parse_short_line(const char *p, size_t cap)
{
  return gh_utf8_len_upto(p, cap) <= cap;
}

char *
parse_shorten(const char *s)
{
  /* Warnings quote label text; keep them readable. */
  if(parse_short_line(s, 24))
    return g_strdup(s);
  const char *cut = g_utf8_offset_to_pointer(s, 24);
  return g_strdup_printf("%.*s…", (int)(cut - s), s);
}

const char *const parse_sec_names[SEC_N] = {
  "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
  "六、其他需要报告的事项",
};

static bool
has_prefix(const char *s, const char *prefix)
{
  return !strncmp(s, prefix, strlen(prefix));
}

static bool
is_heading(const char *norm, enum sec which)
{
  bool numbered;
  const char *p = gh_skip_numeral(norm, &numbered);
  switch(which) {
  case SEC_OVERVIEW:
    return (has_prefix(p, "总体情况") || has_prefix(p, "政府信息公开总体情况") ||
            has_prefix(p, "概述")) && parse_short_line(p, 20);
  case SEC_PROACTIVE:
    return (has_prefix(p, "主动公开政府信息情况") || has_prefix(p, "政府信息主动公开情况") ||
            has_prefix(p, "主动公开政府信息")) && parse_short_line(p, 20);
  case SEC_APPLICATIONS:
    return has_prefix(p, "收到和处理政府信息") && parse_short_line(p, 30);
  case SEC_APPEALS:
    return strstr(p, "复议") && strstr(p, "诉讼") &&
           (numbered || has_prefix(p, "政府信息公开") || has_prefix(p, "因政府信息公开")) &&
           parse_short_line(p, 35);
  case SEC_PROBLEMS:
    return numbered &&
           (strstr(p, "存在的主要问题") || strstr(p, "存在的问题") || strstr(p, "存在问题") ||
            strstr(p, "主要问题及改进")) && parse_short_line(p, 30);
  case SEC_OTHER:
    return has_prefix(p, "其他需要报告的事项") && parse_short_line(p, 20);
  default:
    return false;
  }
}

void
parse_find_sections(const struct ctx *cx, struct sections *s)
{
  int after = -1;
  for(int k = 0; k < SEC_N; k++) {
    s->start[k] = -1;
    for(guint r = (guint)(after + 1); r < cx->nrows; r++)
      if(is_heading(cx->rownorm[r], (enum sec)k)) {
        s->start[k] = (int)r;
        after = (int)r;
        break;
      }
  }
  /* A report whose section 三 heading is lost (an image, a typo) still has
   * its first row label; start the section there. */
  if(s->start[SEC_APPLICATIONS] < 0) {
    int from = s->start[SEC_PROACTIVE] + 1;
    for(guint r = (guint)from; r < cx->nrows; r++)
      if(strstr(cx->rownorm[r], "本年新收")) {
        s->start[SEC_APPLICATIONS] = (int)r - 1;
        break;
      }
  }
  for(int k = 0; k < SEC_N; k++) {
    if(s->start[k] < 0) {
      s->from[k] = s->to[k] = 0;
      continue;
    }
    s->from[k] = (guint)s->start[k] + 1;
    s->to[k] = cx->nrows;
    for(int m = 0; m < SEC_N; m++)
      if(m != k && s->start[m] > s->start[k] && (guint)s->start[m] < s->to[k])
        s->to[k] = (guint)s->start[m];
  }
}

/* Section 三 split at a page break with its header printed again (Word's
 * repeated header rows, a PDF of it): the header's lines between two rows
 * would read as part of a row label ("…勾稽关系为：第一项加第二项之和" and
 * the applicant names set one character per line).  A run of two or more
 * text rows after the first row of values, each one a row of the header
 * above that first row, one of them four characters or more, is the
 * header again and is left out; the table is then read as one. */
void
parse_mark_repeated_header(struct ctx *cx, guint from, guint to)
{
  guint first = to;
  for(guint r = from; r < to && first == to; r++)
    if(strstr(cx->rownorm[r], "本年新收") || strstr(cx->rownorm[r], "新收政府信息"))
      first = r;
  if(first == to || first == from)
    return;
  GHashTable *head = g_hash_table_new(g_str_hash, g_str_equal);
  for(guint r = from; r < first; r++)
    if(cx->rownorm[r][0])
      g_hash_table_add(head, cx->rownorm[r]);
  for(guint r = first + 1; r < to;) {
    guint e = r;
    bool long_one = false;
    while(e < to && g_hash_table_contains(head, cx->rownorm[e]) &&
          g_array_index(cx->doc->rows, struct gh_row, e).kind == GH_ROW_TEXT) {
      long_one |= !parse_short_line(cx->rownorm[e], 3);
      e++;
    }
    if(e - r >= 2 && long_one) {
      if(!cx->skip_row)
        cx->skip_row = g_new0(bool, cx->nrows);
      for(guint k = r; k < e; k++)
        cx->skip_row[k] = true;
    }
    r = e > r ? e : r + 1;
  }
  g_hash_table_destroy(head);
}

/* ---- template detection (template-spec §1) ---- */

static const char *const markers_2019[] = {
  "本年新制作", "本年新公开", "对外公开总数", "上一年项目数", "本年增/减", "本年增减",
  "对外管理服务", "集中采购", "采购项目数", "采购总金额", NULL,
};
static const char *const markers_2021[] = {
  "本年制发", "本年废止", "现行有效", "本年处理决定", "本年收费金额", "行政规范性文件", NULL,
};

enum gh_template
parse_vote(GArray *toks)
{
  int a = 0, b = 0;
  for(guint i = 0; i < toks->len; i++) {
    const struct tok *t = &g_array_index(toks, struct tok, i);
    if(t->kind != TOK_TEXT)
      continue;
    for(const char *const *m = markers_2019; *m; m++)
      if(strstr(t->norm, *m))
        a++;
    for(const char *const *m = markers_2021; *m; m++)
      if(strstr(t->norm, *m))
        b++;
  }
  if(a > b)
    return GH_TEMPLATE_2019;
  if(b > a)
    return GH_TEMPLATE_2021;
  return GH_TEMPLATE_UNKNOWN;
}

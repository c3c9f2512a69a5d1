/* What OCR's text is made of (ocr_int.h, docs/ocr.md): its spacing, what
 * passes for a number, and the national forms' own words for labels read
 * a character or two off. */
#include "ocr_int.h"

#include <string.h>

#include "../record/record.h"
#include "../record/textnorm.h"

/* What the national forms print besides section 三's row labels
 * (gh_app_rows): headings, group labels, column headers, the 二 section's
 * tables of both forms (docs/template-spec.md). */
static const char *const form_words[] = {
  "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
  "六、其他需要报告的事项", "三、本年度办理结果", "（三）不予公开", "（四）无法提供",
  "（五）不予处理", "申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构",
  "社会公益组织", "法律服务机构", "行政复议", "行政诉讼", "结果维持", "结果纠正",
  "其他结果", "尚未审结", "未经复议直接起诉", "复议后起诉", "第二十条第（一）项",
  "第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项", "第二十条第（九）项",
  "信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "行政规范性文件",
  "规范性文件", "本年处理决定数量", "行政许可", "行政处罚", "行政强制",
  "本年收费金额（单位：万元）", "行政事业性收费", "本年新制作数量", "本年新公开数量",
  "对外公开总数量", "上一年项目数量", "本年增/减", "处理决定数量", "其他对外管理服务事项",
  "政府集中采购", "采购项目数量", "采购总金额",
};

/* The form's words as compared: gh_norm'ed, brackets OCR takes for others
 * (〈《 for （) folded, as UCS-4. */
static gunichar *
label_chars(const char *s, glong *n)
{
  char *norm = gh_norm(s, strlen(s));
  gunichar *u = g_utf8_to_ucs4_fast(norm, -1, n);
  g_free(norm);
  for(glong i = 0; i < *n; i++) {
    if(u[i] == 0x3008 || u[i] == 0x300A || u[i] == 0x3010)
      u[i] = '(';
    else if(u[i] == 0x3009 || u[i] == 0x300B || u[i] == 0x3011)
      u[i] = ')';
  }
  return u;
}

/* 2 x longest common subsequence / total length: 1 for the same text. */
static double
similarity(const gunichar *a, glong na, const gunichar *b, glong nb)
{
  if(!na || !nb || na > 80 || nb > 80)
    return 0;
  int row[81] = { 0 };
  for(glong i = 1; i <= na; i++) {
    int diag = 0;
    for(glong j = 1; j <= nb; j++) {
      int up = row[j];
      row[j] = a[i - 1] == b[j - 1] ? diag + 1 : MAX(row[j], row[j - 1]);
      diag = up;
    }
  }
  return 2.0 * row[nb] / (double)(na + nb);
}

/* A label read with a character or two wrong (审结 for 尚未审结, 不巴公开
 * for 不予公开) is the form's own label when that is clearly the nearest
 * of the form's words: the report parser finds rows and columns by their
 * labels, and one wrong character loses a whole row.  NULL when no word is
 * near enough, or two are about as near. */
const char *
gh_ocr_form_label(const char *text)
{
  glong n = 0;
  gunichar *t = label_chars(text, &n);
  const char *best = NULL;
  double top = 0, second = 0;
  size_t nw = G_N_ELEMENTS(form_words);
  for(size_t i = 0; i < nw + GH_APP_N; i++) {
    const char *w = i < nw ? form_words[i] : gh_app_rows[i - nw].label;
    glong m = 0;
    gunichar *u = label_chars(w, &m);
    double sim = similarity(t, n, u, m);
    g_free(u);
    if(sim >= 1.0) { /* read right */
      best = NULL;
      top = 1;
      break;
    }
    if(sim > top) {
      second = top;
      top = sim;
      best = w;
    } else if(sim > second)
      second = sim;
  }
  g_free(t);
  return n >= 2 && top >= 0.7 && top < 1 && top - second >= 0.1 ? best : NULL;
}

/* Tesseract puts spaces between CJK characters; a report never does. */
char *
gh_ocr_tidy(const char *s, bool keep_lines)
{
  GString *o = g_string_new(NULL);
  const char *p = s;
  while(*p) {
    gunichar c = g_utf8_get_char(p);
    const char *next = g_utf8_next_char(p);
    if(c == '\n' && keep_lines) {
      if(o->len && o->str[o->len - 1] != '\n')
        g_string_append_c(o, '\n');
      p = next;
      continue;
    }
    if(g_unichar_isspace(c)) {
      /* keep one space only between two non-CJK characters */
      const char *q = next;
      while(*q && g_unichar_isspace(g_utf8_get_char(q)))
        q = g_utf8_next_char(q);
      gunichar after = *q ? g_utf8_get_char(q) : 0;
      gunichar before = o->len ? g_utf8_get_char(g_utf8_prev_char(o->str + o->len)) : 0;
      if(before && after && before < 0x2E80 && after < 0x2E80)
        g_string_append_c(o, ' ');
      p = q;
      continue;
    }
    g_string_append_len(o, p, next - p);
    p = next;
  }
  return g_string_free(o, FALSE);
}

/* Digits and what Tesseract's chi_sim model mistakes them for (a
 * decimal point it often sees as a space). */
bool
gh_ocr_numberish(const char *s)
{
  if(!*s || strlen(s) > 24)
    return false;
  int digits = 0;
  for(const char *p = s; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if(g_unichar_isdigit(c))
      digits++;
    else if(!(c < 128 && strchr(".,oOlI|- ", (int)c)) && c != 0xFF0D &&
            !(c == 0x4E00 || c == 0x3002 || c == 0xFF0C || c == 0x4E28)) /* 一 。 ， 丨 */
      return false;
  }
  return digits > 0;
}

/* A number as printed: the digit model's stray edge dots and dashes
 * (a speck beside a figure) dropped, a lone "-" kept (a blank's dash). */
void
gh_ocr_tidy_number(char *d)
{
  size_t n = strlen(d);
  while(n > 1 && (d[n - 1] == '.' || d[n - 1] == '-'))
    d[--n] = '\0';
  size_t k = 0;
  while(k + 1 < n && d[k] == '.')
    k++;
  memmove(d, d + k, n - k + 1);
}

/* Characters of a number as read: digits, point and sign. */
int
gh_ocr_number_chars(const char *s)
{
  int n = 0;
  for(; *s; s++)
    n += (*s >= '0' && *s <= '9') || *s == '.' || *s == '-';
  return n;
}

/* CJK characters in s: a label has several, a misread number one or two. */
unsigned
gh_ocr_cjk_chars(const char *s)
{
  unsigned n = 0;
  for(const char *p = s; *p; p = g_utf8_next_char(p))
    n += g_utf8_get_char(p) >= 0x2E80;
  return n;
}

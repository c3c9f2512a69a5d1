/* The title, agency, year and dates of a report (template-spec §8).
 *
 * Real pages give the agency and year in many forms: a title line
 * ("XX局2020年政府信息公开工作年度报告", "关于XX局2022年度政府信息公开
 * 工作的报告", "XX街道办事处 2019 年政府信息公开年报", a year in Chinese
 * numerals), a title broken over lines or set inside a sentence, the
 * signature (落款) above the date at the end, the first sentence ("现将我镇
 * 2020年…"), or only the link that led to the document.  Each reader here
 * takes the agency from one of them; a candidate that holds page chrome
 * (navigation words, a mirror site's injected text) is refused. */
#include "title.h"

#include <stdlib.h>
#include <string.h>

#include "textnorm.h"

struct ctx {
  const struct gh_doc *doc;
  struct gh_record *rec;
  char *const *rownorm; /* normalised text of each row, cells joined */
  guint nrows;
};

/* p has at most `cap` characters. */
static bool
short_line(const char *p, size_t cap)
{
  return gh_utf8_len_upto(p, cap) <= cap;
}

static bool
has_prefix(const char *s, const char *prefix)
{
  return !strncmp(s, prefix, strlen(prefix));
}

#define YEAR_RE "((?<![0-9])(?:19|20)[0-9]{2}(?![0-9])|[〇○O零一二三四五六七八九]{4})"
#define MD_RE "([0-9]{1,2}|[〇一二三四五六七八九十]{1,3})"

struct regexes {
  GRegex *phrase, *year, *period, *date, *meta_date;
};

static const struct regexes *
regexes(void)
{
  static struct regexes rx;
  static gsize once = 0;
  if(g_once_init_enter(&once)) {
    /* No G_REGEX_OPTIMIZE: PCRE2's JIT reads past buffers with SIMD loads, which
     * valgrind reports; these patterns run a few times per page. */
    GRegexCompileFlags f = 0;
    rx.phrase = g_regex_new("(?:政府|政务)信息公开(?:工作)?的?" YEAR_RE "?年?度?(?:工作)?报告", f, 0, NULL);
    rx.year = g_regex_new(YEAR_RE "年度?", f, 0, NULL);
    rx.period = g_regex_new("统计(?:期限|时限|时间|区间|周期|范围)[^。;]{0,15}?" YEAR_RE "年", f, 0, NULL);
    rx.date = g_regex_new(YEAR_RE "年+" MD_RE "月" MD_RE "日", f, 0, NULL);
    rx.meta_date = g_regex_new("(?:发布日期|发布时间|成文日期|发文日期|日期):?((?:19|20)[0-9]{2})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})", f, 0, NULL);
    g_assert(rx.phrase && rx.year && rx.period && rx.date && rx.meta_date);
    g_once_init_leave(&once, 1);
  }
  return &rx;
}

static char *
clean_agency(const char *s)
{
  const char *p = s;
  /* Page chrome joined in front of a title: navigation bars and
   * breadcrumbs ("首页|政务动态|…", "您当前所在位置:首页>…>").  An agency
   * name holds none of their separators, so it starts after the last. */
  static const char *const seps[] = { ">", "|", "»", "›", "/", "\\", "位置:", "位置", NULL };
  for(const char *const *sep = seps; *sep; sep++) {
    const char *hit = NULL;
    for(const char *q = strstr(p, *sep); q; q = strstr(q + 1, *sep))
      hit = q;
    if(hit)
      p = hit + strlen(*sep);
  }
  /* Leading words no agency name starts with: a title's label, and the
   * last items of a navigation bar glued to the title
   * ("…|政府信息公开吴起县住房和城乡建设局"). */
  static const char *const lead[] = { "标题:", "标题", "关于", "《", "首页", "当前位置:",
                                      "您的位置:", "政府信息公开年报", "政府信息公开",
                                      "政务公开", "信息公开", "政务动态", "年度报告", "年报", NULL };
  bool again = true;
  while(again) {
    again = false;
    for(const char *const *l = lead; *l; l++)
      if(has_prefix(p, *l) && strlen(p) > strlen(*l)) {
        p += strlen(*l);
        again = true;
      }
  }
  char *a = g_strdup(p);
  static const char *const trail[] = { "关于", "的", "》", ":", NULL };
  again = true;
  while(again) {
    again = false;
    for(const char *const *t = trail; *t; t++) {
      size_t n = strlen(a), m = strlen(*t);
      if(n >= m && !strcmp(a + n - m, *t)) {
        a[n - m] = '\0';
        again = true;
      }
    }
  }
  if(!*a || !short_line(a, 40)) {
    g_free(a);
    return NULL;
  }
  return a;
}

/* Read agency and year out of a candidate title.  Returns false when the
 * text is not a title (no "…信息公开…报告" phrase). */
bool
gh_report_read_title(const char *cand, char **agency, int *year)
{
  const struct regexes *rx = regexes();
  GMatchInfo *mi = NULL;
  /* The phrase has this literal: most lines are rejected without PCRE,
   * which runs uncompiled here (see regexes()). */
  if(!strstr(cand, "信息公开"))
    return false;
  if(!g_regex_match(rx->phrase, cand, 0, &mi)) {
    g_match_info_free(mi);
    return false;
  }
  int ps, pe, ys, ye;
  g_match_info_fetch_pos(mi, 0, &ps, &pe);
  /* "…关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知": every
   * 2021-format preamble cites the format itself; that is not a title. */
  if(g_str_has_prefix(cand + pe, "格式")) {
    g_match_info_free(mi);
    return false;
  }
  int year_after = -1;
  if(g_match_info_fetch_pos(mi, 1, &ys, &ye) && ys >= 0)
    year_after = gh_year_from_text(cand + ys, (size_t)(ye - ys));
  g_match_info_free(mi);

  char *pre = g_strndup(cand, (size_t)ps);
  *agency = NULL;
  *year = year_after;
  GMatchInfo *ym = NULL;
  int last_s = -1, last_e = -1, ys2 = -1, ye2 = -1;
  g_regex_match(rx->year, pre, 0, &ym);
  while(g_match_info_matches(ym)) {
    g_match_info_fetch_pos(ym, 0, &last_s, &last_e);
    g_match_info_fetch_pos(ym, 1, &ys2, &ye2);
    g_match_info_next(ym, NULL);
  }
  g_match_info_free(ym);
  if(last_s >= 0) {
    if(*year < 0)
      *year = gh_year_from_text(pre + ys2, (size_t)(ye2 - ys2));
    char *before = g_strndup(pre, (size_t)last_s);
    char *cleaned_before = clean_agency(before);
    if(cleaned_before)
      *agency = cleaned_before;
    else /* "2022年度螅镇政府信息公开…": the year comes first */
      *agency = clean_agency(pre + last_e);
    g_free(before);
  }
  else
    *agency = clean_agency(pre);
  g_free(pre);
  return true;
}

static bool
row_is_blank(const struct ctx *cx, guint r)
{
  return !cx->rownorm[r][0];
}

static gint
next_nonblank(const struct ctx *cx, gint r, gint step, gint limit)
{
  for(r += step; r >= 0 && r < limit; r += step)
    if(!row_is_blank(cx, (guint)r))
      return r;
  return -1;
}

static void
find_title(struct ctx *cx, guint head_end)
{
  struct gh_record *rec = cx->rec;
  for(guint r = 0; r < head_end; r++) {
    const char *t = cx->rownorm[r];
    /* A title is a short line without sentence punctuation; prose such as
     * "各部门要按时发布政府信息公开工作年度报告，" is not one. */
    if(row_is_blank(cx, r) || !short_line(t, 80) || strstr(t, "。") ||
       strchr(t, ',') || strchr(t, ';'))
      continue;
    char *agency = NULL;
    int year = -1;
    char *cand = g_strdup(t);
    bool ok = gh_report_read_title(cand, &agency, &year);
    gint nx = next_nonblank(cx, (gint)r, 1, (gint)head_end);
    char *na = NULL;
    int ny = -1;
    if(!ok && nx >= 0 && gh_report_read_title(cx->rownorm[nx], &na, &ny) && na) {
      /* The next line is a whole title with its agency: this line is
       * something above it (a breadcrumb, a banner), not its first half. */
      g_free(na);
      g_free(cand);
      continue;
    }
    g_free(na);
    if(!ok && nx >= 0 && short_line(cx->rownorm[nx], 30)) {
      /* "…2020年政府信息" / "公开工作年度报告": a title broken over lines */
      char *joined = g_strconcat(t, cx->rownorm[nx], NULL);
      ok = gh_report_read_title(joined, &agency, &year);
      g_free(cand);
      cand = joined;
    }
    if(!ok) {
      g_free(cand);
      continue;
    }
    gint pv = next_nonblank(cx, (gint)r, -1, (gint)head_end);
    if(!agency && pv >= 0 && short_line(cx->rownorm[pv], 40) &&
       !strstr(cx->rownorm[pv], "。")) {
      /* Agency on its own line above "2020年政府信息公开工作年度报告". */
      char *joined = g_strconcat(cx->rownorm[pv], cand, NULL);
      g_free(agency);
      int y2 = -1;
      if(gh_report_read_title(joined, &agency, &y2) && year < 0)
        year = y2;
      g_free(joined);
    }
    g_free(cand);
    rec->agency = agency;
    if(year > 0 && !rec->year)
      rec->year = year;
    return;
  }
  /* The title inside a sentence: "根据…规定，现公布区统计局2023年政府信息
   * 公开工作年度报告。"  The agency starts after the verb. */
  static const char *const verbs[] = { "现公布", "现予公布", "特公布", "现发布", "公布", "发布",
                                       NULL };
  for(guint r = 0; r < head_end; r++) {
    const char *t = cx->rownorm[r];
    if(!strstr(t, "信息公开"))
      continue;
    for(const char *const *v = verbs; *v; v++) {
      const char *at = strstr(t, *v);
      if(!at)
        continue;
      const char *from = at + strlen(*v);
      const char *stop = strpbrk(from, ",;");
      const char *full = strstr(from, "。");
      size_t n = strlen(from);
      if(stop && (size_t)(stop - from) < n)
        n = (size_t)(stop - from);
      if(full && (size_t)(full - from) < n)
        n = (size_t)(full - from);
      char *cand = g_strndup(from, n);
      char *agency = NULL;
      int year = -1;
      bool ok = gh_report_read_title(cand, &agency, &year) && agency;
      g_free(cand);
      if(ok) {
        rec->agency = agency;
        if(year > 0 && !rec->year)
          rec->year = year;
        return;
      }
      g_free(agency);
    }
  }
  if(cx->doc->title_hint) {
    char *n = gh_norm(cx->doc->title_hint, strlen(cx->doc->title_hint));
    char *agency = NULL;
    int year = -1;
    if(gh_report_read_title(n, &agency, &year)) {
      rec->agency = agency;
      if(year > 0 && !rec->year)
        rec->year = year;
    }
    g_free(n);
  }
}

static int
period_year(const struct ctx *cx)
{
  const struct regexes *rx = regexes();
  for(guint r = 0; r < cx->nrows; r++) {
    if(!strstr(cx->rownorm[r], "统计"))
      continue;
    GMatchInfo *mi = NULL;
    int y = -1;
    if(g_regex_match(rx->period, cx->rownorm[r], 0, &mi)) {
      int s, e;
      g_match_info_fetch_pos(mi, 1, &s, &e);
      y = gh_year_from_text(cx->rownorm[r] + s, (size_t)(e - s));
    }
    g_match_info_free(mi);
    if(y > 0)
      return y;
  }
  return -1;
}

static char *
make_date(int y, int m, int d)
{
  if(y < 1990 || y > 2099 || !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
    return NULL;
  return g_strdup_printf("%04d-%02d-%02d", y, m, d);
}

static char *
date_in(const char *s, bool last)
{
  const struct regexes *rx = regexes();
  GMatchInfo *mi = NULL;
  char *found = NULL;
  if(!strstr(s, "月") || !strstr(s, "日")) /* literals of the pattern */
    return NULL;
  g_regex_match(rx->date, s, 0, &mi);
  while(g_match_info_matches(mi)) {
    int ys, ye, ms, me, ds, de;
    g_match_info_fetch_pos(mi, 1, &ys, &ye);
    g_match_info_fetch_pos(mi, 2, &ms, &me);
    g_match_info_fetch_pos(mi, 3, &ds, &de);
    char *d = make_date(gh_year_from_text(s + ys, (size_t)(ye - ys)),
                        gh_small_number(s + ms, (size_t)(me - ms)),
                        gh_small_number(s + ds, (size_t)(de - ds)));
    if(d) {
      g_free(found);
      found = d;
      if(!last)
        break;
    }
    g_match_info_next(mi, NULL);
  }
  g_match_info_free(mi);
  return found;
}

static char *
meta_date_in(const char *s)
{
  const struct regexes *rx = regexes();
  GMatchInfo *mi = NULL;
  char *found = NULL;
  if(!strstr(s, "日期") && !strstr(s, "时间")) /* literals of the pattern */
    return NULL;
  if(g_regex_match(rx->meta_date, s, 0, &mi)) {
    char *y = g_match_info_fetch(mi, 1), *m = g_match_info_fetch(mi, 2),
         *d = g_match_info_fetch(mi, 3);
    found = make_date(atoi(y), atoi(m), atoi(d));
    g_free(y);
    g_free(m);
    g_free(d);
  }
  g_match_info_free(mi);
  return found;
}

static void
find_dates(struct ctx *cx, guint head_end)
{
  struct gh_record *rec = cx->rec;
  /* The signature: a short line with a full date among the last lines. */
  gint r = (gint)cx->nrows;
  for(int seen = 0; seen < 8 && (r = next_nonblank(cx, r, -1, (gint)cx->nrows)) >= 0; seen++) {
    const char *t = cx->rownorm[r];
    if(!short_line(t, 40))
      continue;
    char *d = date_in(t, true);
    if(d) {
      rec->published_on = d;
      if(!rec->agency) {
        gint pv = next_nonblank(cx, r, -1, (gint)cx->nrows);
        bool numbered = false;
        if(pv >= 0)
          gh_skip_numeral(cx->rownorm[pv], &numbered);
        /* The signature's name, never a section heading above the date. */
        if(pv >= 0 && !numbered && short_line(cx->rownorm[pv], 30) &&
           !g_regex_match_simple("[0-9。，,]", cx->rownorm[pv], 0, 0))
          rec->agency = g_strdup(cx->rownorm[pv]);
      }
      return;
    }
  }
  for(guint h = 0; h < head_end && h < cx->nrows; h++)
    if((rec->published_on = meta_date_in(cx->rownorm[h])))
      return;
  if(cx->doc->date_hint) {
    char *n = gh_norm(cx->doc->date_hint, strlen(cx->doc->date_hint));
    rec->published_on = meta_date_in(n);
    if(!rec->published_on)
      rec->published_on = date_in(n, false);
    g_free(n);
  }
}


void
gh_report_title(char *const *rownorm, guint nrows, guint head_end, const struct gh_doc *doc,
                struct gh_record *rec)
{
  struct ctx cx = { .doc = doc, .rec = rec, .rownorm = rownorm, .nrows = nrows };
  find_title(&cx, head_end);
  int py = period_year(&cx);
  if(py > 0) {
    if(rec->year && rec->year != py)
      gh_record_warn(rec, "the title says %d but the statistics period says %d; "
                     "the period is used", rec->year, py);
    rec->year = py;
  }
  find_dates(&cx, head_end);
  if(!rec->year && rec->published_on)
    rec->year = atoi(rec->published_on) - 1;
}

void
gh_record_fill_from_title(struct gh_record *rec, const char *norm_text)
{
  if(!norm_text || !*norm_text)
    return;
  char *agency = NULL;
  int year = -1;
  if(gh_report_read_title(norm_text, &agency, &year)) {
    if(!rec->agency && agency) {
      rec->agency = agency;
      agency = NULL;
    }
    if(rec->year <= 0 && year > 0)
      rec->year = year;
  }
  g_free(agency);
}

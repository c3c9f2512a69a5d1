/* The title, agency, year and dates of a report (template-spec §8).
 *
 * Real pages give the agency and year in many forms: a title line
 * ("XX局2020年政府信息公开工作年度报告", "关于XX局2022年度政府信息公开
 * 工作的报告", "XX街道办事处 2019 年政府信息公开年报", a year in Chinese
 * numerals), a title broken over lines or set inside a sentence, the
 * signature (落款) above the date at the end, the first sentence ("现将我镇
 * 2020年…"), or only the link that led to the document.  Each reader here
 * takes the agency from one of them; a candidate that holds page chrome
 * (navigation words, a mirror site's injected text) is refused.
 *
 * Why one long file: the readers are one order of preference (title line,
 * sentence, link, signature, first sentence, compiler, 总体情况's opening)
 * over one context (the rows, the refusal of chrome, the patterns); split
 * over files, that order and the refusal would be read in several places. */
#include "title.h"

#include <stdlib.h>
#include <string.h>

#include "places.h"
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

static bool
is_han(gunichar c)
{
  return g_unichar_get_script(c) == G_UNICODE_SCRIPT_HAN;
}

#define YEAR_RE "((?<![0-9])(?:19|20)[0-9]{2}(?![0-9])|[〇○O零一二三四五六七八九]{4})"
#define MD_RE "([0-9]{1,2}|[〇一二三四五六七八九十]{1,3})"

struct regexes {
  GRegex *phrase, *bare_phrase, *year, *period, *date, *meta_date, *jiehe, *compiled, *opening;
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
    /* 报告, 情况报告 or 年报: "…政府信息公开工作的报告", "…政府信息公开工作
     * 情况报告", "…政府信息公开年报". */
    rx.phrase = g_regex_new("(?:政府|政务)信息公开(?:工作)?的?" YEAR_RE "?年?度?(?:工作)?(?:情况)?"
                            "(?:报告|年报)", f, 0, NULL);
    /* "2022年湖口县卫生健康委员会信息公开年报": a bureau's title may drop
     * 政府; then only 年报 or 年度报告 after a body's name or a year make it
     * a title ("螺洋街道2021年度信息公开年度报告", not a column's "部门信息
     * 公开年度报告"). */
    rx.bare_phrase = g_regex_new("(?<=委员会|局|委|政府|办公室|办事处|中心|乡|镇|街道|年|年度)"
                                 "信息公开(?:工作)?的?(?:" YEAR_RE "年度?)?"
                                 "(?:年报|年度(?:工作)?报告)", f, 0, NULL);
    rx.year = g_regex_new(YEAR_RE "年度?", f, 0, NULL);
    rx.period = g_regex_new("统计(?:期限|时限|时间|区间|周期|范围)[^。;]{0,15}?" YEAR_RE "年", f, 0, NULL);
    rx.date = g_regex_new(YEAR_RE "年+" MD_RE "月" MD_RE "日", f, 0, NULL);
    rx.meta_date = g_regex_new("(?:发布日期|发布时间|成文日期|发文日期|日期):?((?:19|20)[0-9]{2})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})", f, 0, NULL);
    /* "结合2022年威海市人民政府办公室政府信息公开工作实际,编制发布本报告":
     * the opening Shandong's report pages print instead of a title. */
    rx.jiehe = g_regex_new("结合" YEAR_RE "年度?(.{2,40}?)(?:政府|政务)信息公开工作(?:的)?实际", f, 0,
                           NULL);
    /* "由两城镇人民政府党政办公室编制": who compiled the report. */
    rx.compiled = g_regex_new("由([^,。;由]{2,40}?)(?:负责|组织|牵头)?编制", f, 0, NULL);
    /* "2019年,新华街道办事处高度重视…": how 总体情况 usually opens. */
    rx.opening = g_regex_new("^" YEAR_RE "年度?(?:以来)?,?", f, 0, NULL);
    g_assert(rx.phrase && rx.bare_phrase && rx.year && rx.period && rx.date && rx.meta_date && rx.jiehe &&
             rx.compiled && rx.opening);
    g_once_init_leave(&once, 1);
  }
  return &rx;
}

/* Words no agency's name holds: page chrome (a navigation bar, a
 * breadcrumb, page tools) and what mirror sites inject into copied pages
 * (betting and lottery ads, app and URL bait).  A candidate holding one is
 * refused rather than kept, so the next reader (the signature, the first
 * sentence, the link) gets its turn. */
static const char *const chrome_words[] = {
  "首页", "当前位置", "您的位置", "现在的位置", "所在位置", "网站地图", "无障碍", "登录", "注册",
  "搜索", "打印本页", "关闭窗口", "分享到", "字号", "浏览次数", "访问量", "责任编辑", "来源:",
  "发布时间", "发布日期", "信息索引", "索引号", "主题分类", "政务公开", "信息公开目录",
  "政府信息公开指南", "年度报告", "年报", "栏目", "返回", "下一篇", "上一篇",
  "澳门", "博彩", "彩票", "娱乐", "赌", "棋牌", "百家乐", "老虎机", "真人", "体育投注", "开户",
  "官网", "网址", "注册送", "下载", "APP", "app", "www", "http", ".com", ".cn", "威尼斯", "葡京", NULL
};

/* An agency name: short, no page chrome, and a name (not a sentence). */
static bool
plausible_agency(const char *a)
{
  if(!*a || !short_line(a, 40) || short_line(a, 1) || strstr(a, "。") || strpbrk(a, ",:") ||
     has_prefix(a, "的"))
    return false;
  for(const char *const *w = chrome_words; *w; w++)
    if(strstr(a, *w))
      return false;
  /* Only the level word of a place ("政府", "人民政府") names nobody. */
  static const char *const bare[] = { "政府", "人民政府", "本机关", "本单位", "我单位", NULL };
  for(const char *const *b = bare; *b; b++)
    if(!strcmp(a, *b))
      return false;
  /* "我镇", "我局…", "本局", "该局": the text's own way of saying "we"
   * (本溪市 and 全椒县 are places, so only short 本/该 forms are refused). */
  if(has_prefix(a, "我") || ((has_prefix(a, "本") || has_prefix(a, "该")) &&
                             (short_line(a, 2) || g_str_has_suffix(a, "街道"))))
    return false;
  return true;
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
  /* "Page 8 - …" over each page of a flip book, list numbers, stray
   * punctuation: an agency name starts with a character. */
  while(*p && !is_han(g_utf8_get_char(p)))
    p = g_utf8_next_char(p);
  /* Leading words no agency name starts with: a title's label, and the
   * last items of a navigation bar glued to the title
   * ("…|政府信息公开吴起县住房和城乡建设局"). */
  static const char *const lead[] = { "标题:", "标题", "名称:", "名称", "关于", "《", "首页", "当前位置:",
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
  /* "清新区人民政府办公室(以下简称区政府办公室)2022年…": the short name
   * it goes by is not part of its name. */
  GString *g = g_string_new(NULL);
  for(const char *q = p; *q;) {
    const char *close = NULL;
    if(*q == '(' && (has_prefix(q + 1, "以下简称") || has_prefix(q + 1, "简称") ||
                     has_prefix(q + 1, "下称")))
      close = strchr(q, ')');
    if(close) {
      q = close + 1;
      continue;
    }
    g_string_append_c(g, *q++);
  }
  char *a = g_string_free(g, FALSE);
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
  if(!plausible_agency(a)) {
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
    mi = NULL;
    if(!g_regex_match(rx->bare_phrase, cand, 0, &mi)) {
      g_match_info_free(mi);
      return false;
    }
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
  /* The year of a title that names no agency ("2022年政府信息公开工作年度
   * 报告" over the agency's line, a breadcrumb ending in 年报): the search
   * goes on for one that does. */
  int bare_title_year = -1;
  for(guint r = 0; r < head_end; r++) {
    const char *t = cx->rownorm[r];
    if(row_is_blank(cx, r))
      continue;
    /* A title is a short line without sentence punctuation; prose such as
     * "各部门要按时发布政府信息公开工作年度报告，" is not one, but a line may
     * open with the title itself ("遂宁市…2019年政府信息公开工作年度报告
     * (以下简称年报)是根据…", "临潭县卫生健康局2022年度政府信息公开工作的
     * 报告根据《…》"): the title is the line's start up to the phrase. */
    if(!short_line(t, 80) || strstr(t, "。") || strchr(t, ',') || strchr(t, ';')) {
      /* …unless the line goes on from the one above, a line of prose cut
       * mid-word ("…现公布嘉县住房和城乡建" / "设局2019年…报告。"): one that
       * ends in a character and is long or holds a sentence's punctuation
       * (a breadcrumb or a title above holds none). */
      gint pv = next_nonblank(cx, (gint)r, -1, (gint)head_end);
      if(pv >= 0) {
        const char *prev = cx->rownorm[pv];
        const char *last = g_utf8_find_prev_char(prev, prev + strlen(prev));
        if(last && is_han(g_utf8_get_char(last)) &&
           (!short_line(prev, 40) || strpbrk(prev, ",;") || strstr(prev, "《") ||
            strstr(prev, "。")))
          continue;
      }
      GMatchInfo *mi = NULL;
      int ps = -1, pe = -1;
      if(strstr(t, "信息公开") && g_regex_match(regexes()->phrase, t, 0, &mi))
        g_match_info_fetch_pos(mi, 0, &ps, &pe);
      g_match_info_free(mi);
      char *clause = pe > 0 ? g_strndup(t, (gsize)pe) : NULL;
      char *agency = NULL;
      int year = -1;
      bool ok = clause && short_line(clause, 60) && !strpbrk(clause, ",;:") &&
                !strstr(clause, "。") && !strstr(clause, "《") &&
                gh_report_read_title(clause, &agency, &year) && agency;
      g_free(clause);
      if(ok) {
        rec->agency = agency;
        if(year > 0 && !rec->year)
          rec->year = year;
        return;
      }
      g_free(agency);
      continue;
    }
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
    if(!agency) {
      if(bare_title_year < 0)
        bare_title_year = year;
      continue;
    }
    rec->agency = agency;
    if(year > 0 && !rec->year)
      rec->year = year;
    return;
  }
  if(bare_title_year > 0 && !rec->year)
    rec->year = bare_title_year;
  /* The title inside a sentence: "根据…规定，现公布区统计局2023年政府信息
   * 公开工作年度报告。", "现将2021年迎宾路街道办事处政府信息公开情况报告
   * 如下", "并形成2020年度马冈镇政府信息公开年度报告".  The agency starts
   * after the verb.  A page that opens with "一、总体情况" has no head: its
   * first lines are read too. */
  static const char *const verbs[] = { "现公布", "现予公布", "特公布", "现发布", "公布", "发布",
                                       "现将", "形成", "编制了", "编制", "撰写了", "撰写", NULL };
  /* "浦江县卫生健康局撰写了2022年度政府信息公开工作年度报告": after these
   * verbs a title without agency has its agency in front, back to the
   * clause's start. */
  static const char *const made[] = { "形成", "编制了", "编制", "撰写了", "撰写", NULL };
  guint sentence_rows = MIN(cx->nrows, head_end + 3);
  for(guint r = 0; r < sentence_rows; r++) {
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
      bool title = gh_report_read_title(cand, &agency, &year);
      g_free(cand);
      bool maker = false;
      for(const char *const *m = made; *m && !maker; m++)
        maker = !strcmp(*m, *v);
      if(title && !agency && maker && at > t) {
        const char *start = t;
        for(const char *q = t; q < at; q = g_utf8_next_char(q))
          if(*q == ',' || *q == ';' || *q == ':' || has_prefix(q, "。"))
            start = g_utf8_next_char(q);
        char *before = g_strndup(start, (gsize)(at - start));
        agency = clean_agency(before);
        g_free(before);
      }
      bool ok = title && agency;
      if(ok) {
        rec->agency = agency;
        if(year > 0 && !rec->year)
          rec->year = year;
        return;
      }
      g_free(agency);
    }
  }
  const struct regexes *rx = regexes();
  for(guint r = 0; r < sentence_rows; r++) {
    const char *t = cx->rownorm[r];
    GMatchInfo *mi = NULL;
    if(!strstr(t, "结合") || !g_regex_match(rx->jiehe, t, 0, &mi)) {
      g_match_info_free(mi);
      continue;
    }
    char *y = g_match_info_fetch(mi, 1), *name = g_match_info_fetch(mi, 2);
    g_match_info_free(mi);
    char *agency = clean_agency(name);
    int year = gh_year_from_text(y, strlen(y));
    g_free(y);
    g_free(name);
    if(agency) {
      rec->agency = agency;
      if(year > 0 && !rec->year)
        rec->year = year;
      return;
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

/* The signature's name (落款): the line above the date, or the text in
 * front of the date on its own line ("XX局 2021年1月15日"), without a
 * label ("落款:", "发布机关:").  Never a section heading or a sentence. */
static char *
signature_agency(const struct ctx *cx, gint date_row, const char *date_line)
{
  GMatchInfo *mi = NULL;
  int ds = -1, de = -1;
  if(g_regex_match(regexes()->date, date_line, 0, &mi))
    g_match_info_fetch_pos(mi, 0, &ds, &de);
  g_match_info_free(mi);
  char *cand = NULL;
  if(ds >= 6) /* at least two characters before the date */
    cand = g_strndup(date_line, (gsize)ds);
  else {
    gint pv = next_nonblank(cx, date_row, -1, (gint)cx->nrows);
    bool numbered = false;
    if(pv < 0)
      return NULL;
    gh_skip_numeral(cx->rownorm[pv], &numbered);
    if(numbered)
      return NULL;
    cand = g_strdup(cx->rownorm[pv]);
  }
  static const char *const labels[] = { "落款:", "落款", "发布机关:", "发文机关:", "发布单位:",
                                        "单位:", "署名:", NULL };
  const char *p = cand;
  for(const char *const *l = labels; *l; l++)
    if(has_prefix(p, *l)) {
      p += strlen(*l);
      break;
    }
  char *a = NULL;
  if(short_line(p, 30) && !g_regex_match_simple("[0-9。，,:]", p, 0, 0) && plausible_agency(p))
    a = g_strdup(p);
  g_free(cand);
  return a;
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
      if(!rec->agency)
        rec->agency = signature_agency(cx, r, t);
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


/* ---- the agency from the first sentence ---- */

/* The level words a report calls its own agency by ("现将我镇…",
 * "本局…"), and the suffix its full name takes where the text prints one. */
static const struct {
  const char *level, *suffix;
} self_levels[] = {
  { "街道", "办事处" }, { "镇", "人民政府" }, { "乡", "人民政府" }, { "县", "人民政府" },
  { "区", "人民政府" },  { "局", NULL },       { "委", NULL },       { "办", NULL },
};

/* Words ending in a level word that name no particular place or body. */
static const char *const generic_names[] = {
  "乡镇", "城镇", "村镇", "集镇", "市镇", "小镇", "市县", "区县", "郡县", "城区", "辖区", "社区",
  "园区", "景区", "片区", "小区", "地区", "山区", "市区", "新区", "误区", "盲区", "专区", "街区",
  "分局", "总局", "当局", "格局", "布局", "大局", "结局", "党委", "纪委", "村委", "居委", "两委",
  "承办", "督办", "主办", "交办", "转办", "协办", "代办", "街道", NULL
};

/* The name of the place or body the text calls "我<level>": the string
 * ending in `level` that recurs most often (two times at least) in the
 * whole text, the longest of those as often: "狮山镇" over "山镇", and
 * "武定县狮山镇" where every mention carries the county.  NULL when no
 * name recurs. */
#define RECUR_MAX_MENTIONS 4096

static char *
recurring_name(const struct ctx *cx, const char *level)
{
  GHashTable *count = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  size_t ll = strlen(level);
  /* A name recurs within its first few thousand mentions; a hostile text
   * of nothing but 镇 costs no more than that. */
  unsigned mentions = 0;
  for(guint r = 0; r < cx->nrows && mentions < RECUR_MAX_MENTIONS; r++) {
    const char *row = cx->rownorm[r];
    for(const char *hit = strstr(row, level); hit && mentions++ < RECUR_MAX_MENTIONS;
        hit = strstr(hit + ll, level)) {
      const char *start = hit;
      for(int k = 1; k <= 10 && start > row; k++) {
        const char *prev = g_utf8_find_prev_char(row, start);
        if(!prev || !is_han(g_utf8_get_char(prev)))
          break;
        start = prev;
        /* Names start at neither a pronoun nor a quantifier: "我镇", "全县". */
        if(g_utf8_strchr("我本全该各此每其", -1, g_utf8_get_char(start)))
          break;
        char *cand = g_strndup(start, (gsize)(hit + ll - start));
        gpointer n = g_hash_table_lookup(count, cand);
        g_hash_table_replace(count, cand, GINT_TO_POINTER(GPOINTER_TO_INT(n) + 1));
      }
    }
  }
  char *best = NULL;
  int best_n = 1;
  GHashTableIter it;
  gpointer key, val;
  g_hash_table_iter_init(&it, count);
  while(g_hash_table_iter_next(&it, &key, &val)) {
    const char *cand = key;
    int n = GPOINTER_TO_INT(val);
    bool generic = false;
    for(const char *const *g = generic_names; *g && !generic; g++)
      generic = g_str_has_suffix(cand, *g) && strlen(cand) == strlen(*g);
    if(generic || g_utf8_strchr("我本全该各此每其", -1, g_utf8_get_char(cand)) ||
       !plausible_agency(cand))
      continue;
    if(n > best_n || (n == best_n && best && strlen(cand) > strlen(best)) ||
       (n == best_n && best && strlen(cand) == strlen(best) && strcmp(cand, best) < 0)) {
      best = (char *)cand;
      best_n = n;
    }
  }
  char *out = best ? g_strdup(best) : NULL;
  g_hash_table_destroy(count);
  return out;
}

/* `name` (taken) with the place the text prints in front of it somewhere
 * ("武定县狮山镇人民政府" for 狮山镇人民政府), so the identity finds its
 * county; `name` itself when no mention carries a place. */
static char *
with_place(const struct ctx *cx, char *name)
{
  const struct gh_regions *t = gh_regions_builtin();
  unsigned mentions = 0;
  for(guint r = 0; r < cx->nrows && mentions < RECUR_MAX_MENTIONS; r++) {
    const char *row = cx->rownorm[r];
    for(const char *hit = strstr(row, name); hit && mentions++ < RECUR_MAX_MENTIONS;
        hit = strstr(hit + 1, name)) {
      const char *start = hit;
      for(int k = 0; k < 12 && start > row; k++) {
        const char *prev = g_utf8_find_prev_char(row, start);
        if(!prev || !is_han(g_utf8_get_char(prev)))
          break;
        start = prev;
      }
      if(start == hit)
        continue;
      char *before = g_strndup(start, (gsize)(hit - start));
      const char *code = gh_region_named(t, before, NULL);
      const char *place = code ? gh_region_name(t, code) : NULL;
      bool adjacent = place && g_str_has_suffix(before, place);
      g_free(before);
      if(adjacent) {
        char *full = g_strconcat(place, name, NULL);
        g_free(name);
        return full;
      }
    }
  }
  return name;
}

/* "现将我镇2020年政府信息公开工作情况报告如下": a report whose title and
 * signature name nobody calls its agency "我镇" (or 本局…) in its opening
 * sentence; the name comes from the rest of the text. */
static char *
first_sentence_agency(const struct ctx *cx, guint head_end)
{
  guint until = MIN(cx->nrows, head_end + 12);
  bool tried[G_N_ELEMENTS(self_levels)] = { false };
  for(guint r = 0; r < until; r++) {
    const char *t = cx->rownorm[r];
    if(!strstr(t, "信息公开") && !strstr(t, "报告"))
      continue;
    for(size_t i = 0; i < G_N_ELEMENTS(self_levels); i++) {
      const char *level = self_levels[i].level;
      char *mine = g_strconcat("我", level, NULL), *own = g_strconcat("本", level, NULL);
      bool says = strstr(t, mine) || strstr(t, own);
      g_free(mine);
      g_free(own);
      if(!says || tried[i])
        continue;
      tried[i] = true; /* the whole text answers the same each time */
      char *name = recurring_name(cx, level);
      if(name && self_levels[i].suffix) {
        char *full = g_strconcat(name, self_levels[i].suffix, NULL);
        bool printed = false;
        for(guint q = 0; q < cx->nrows && !printed; q++)
          printed = strstr(cx->rownorm[q], full) != NULL;
        if(printed) {
          g_free(name);
          name = full;
        } else
          g_free(full);
      }
      if(name)
        return with_place(cx, name);
    }
  }
  return NULL;
}

/* "由两城镇人民政府党政办公室编制": the agency that compiled the report, its
 * office taken off ("…党政办公室" of 两城镇人民政府).  Only a name whose
 * place the text settles is taken ("微山县两城镇人民政府驻地"): a bare
 * "教育局办公室" on a mirror page says too little. */
static char *
compiled_by_agency(const struct ctx *cx, guint head_end)
{
  static const char *const offices[] = { "党政综合办公室", "党政办公室", "综合办公室", "党政办",
                                         "办公室", NULL };
  static const char *const bodies[] = { "人民政府", "政府", "局", "委员会", "委", "办事处", NULL };
  const struct regexes *rx = regexes();
  guint until = MIN(cx->nrows, head_end + 12);
  for(guint r = 0; r < until; r++) {
    const char *t = cx->rownorm[r];
    GMatchInfo *mi = NULL;
    if(!strstr(t, "编制") || !g_regex_match(rx->compiled, t, 0, &mi)) {
      g_match_info_free(mi);
      continue;
    }
    char *name = g_match_info_fetch(mi, 1);
    g_match_info_free(mi);
    for(const char *const *o = offices; *o; o++) {
      size_t n = strlen(name), m = strlen(*o);
      if(n <= m || strcmp(name + n - m, *o))
        continue;
      name[n - m] = '\0';
      bool body = false;
      for(const char *const *b = bodies; *b && !body; b++)
        body = g_str_has_suffix(name, *b) && strlen(name) > strlen(*b);
      if(!body) /* the office is the agency itself: put its first byte back */
        name[n - m] = **o;
      break;
    }
    char *agency = clean_agency(name);
    g_free(name);
    if(!agency)
      continue;
    agency = with_place(cx, agency);
    if(gh_region_named(gh_regions_builtin(), agency, NULL))
      return agency;
    g_free(agency);
  }
  return NULL;
}

/* Occurrences of `name` in the text, counting to `enough`. */
static unsigned
mentions_of(const struct ctx *cx, const char *name, unsigned enough)
{
  unsigned n = 0;
  for(guint r = 0; r < cx->nrows && n < enough; r++)
    for(const char *hit = strstr(cx->rownorm[r], name); hit && n < enough;
        hit = strstr(hit + 1, name))
      n++;
  return n;
}

/* 总体情况 opens with the year and the agency: "2019年,新华街道办事处高度
 * 重视…", "2023年,咸宁市生态环境局紧紧围绕…".  The year, and the name up to
 * the first body word that ends an agency's name, if the text names it
 * again.  *year is -1 when no row opens so. */
static char *
opening_agency(const struct ctx *cx, guint head_end, int *year)
{
  static const char *const ends[] = { "街道办事处", "办事处", "人民政府", "管理委员会", "委员会",
                                      "办公室", "办公厅", "局", "中心", NULL };
  const struct regexes *rx = regexes();
  *year = -1;
  guint until = MIN(cx->nrows, head_end + 6);
  for(guint r = head_end; r < until; r++) {
    const char *t = cx->rownorm[r];
    GMatchInfo *mi = NULL;
    if(!g_regex_match(rx->opening, t, 0, &mi)) {
      g_match_info_free(mi);
      continue;
    }
    int s0, e0, ys, ye;
    g_match_info_fetch_pos(mi, 0, &s0, &e0);
    g_match_info_fetch_pos(mi, 1, &ys, &ye);
    g_match_info_free(mi);
    *year = gh_year_from_text(t + ys, (size_t)(ye - ys));
    const char *rest = t + e0;
    /* The earliest end within 30 characters; "街道办事处" before "办事处"
     * where both end at one place. */
    const char *best = NULL;
    size_t span = 0;
    for(const char *q = rest; *q && q - rest < 90; q = g_utf8_next_char(q)) {
      for(const char *const *e = ends; *e && !best; e++)
        if(has_prefix(q, *e))
          best = q, span = strlen(*e);
      if(best || !is_han(g_utf8_get_char(q)))
        break;
    }
    if(!best)
      return NULL;
    char *name = g_strndup(rest, (gsize)(best + span - rest));
    if(g_utf8_strchr("在按根据我本全各该为对自今", -1, g_utf8_get_char(name)) ||
       !plausible_agency(name) || short_line(name, 2) || mentions_of(cx, name, 2) < 2) {
      g_free(name);
      return NULL;
    }
    return with_place(cx, name);
  }
  return NULL;
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
  if(!rec->agency)
    rec->agency = first_sentence_agency(&cx, head_end);
  if(!rec->agency)
    rec->agency = compiled_by_agency(&cx, head_end);
  if(!rec->agency || !rec->year) {
    int oy = -1;
    char *oa = opening_agency(&cx, head_end, &oy);
    if(!rec->agency)
      rec->agency = oa;
    else
      g_free(oa);
    if(!rec->year && oy > 0)
      rec->year = oy;
  }
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

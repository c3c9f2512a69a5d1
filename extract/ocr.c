/* Scanned reports -> cell stream: Tesseract reads the cells of the ruled
 * tables one by one, leptonica finds the tables (ocr.h).
 *
 * A table read as lines of text loses its columns, and a blank cell its
 * place.  So the grid is found from the rules themselves: the page is
 * binarised (background normalised first: photocopies are grey and
 * uneven), deskewed, and opened with long horizontal and vertical
 * structuring elements, which keep the rules and drop the glyphs.  Each
 * connected group of rules is one table; its rule positions come from the
 * projections, its elementary cells from their crossings, and two
 * neighbouring cells are one merged cell where the rule between them is
 * missing for most of its length.  Cells then go into the stream exactly
 * as an HTML table's would (column, colspan, nothing for a cell covered by
 * a rowspan), and the report parser reads them as any other table.
 *
 * Each cell is read on its own: chi_sim for what it holds, then again with
 * a digit whitelist as one line when that looks like a number.  The text
 * outside the tables (title, agency, year, prose, signature) is read with
 * chi_sim as blocks.  Each read keeps its confidence; a cell below
 * GH_OCR_MIN_CONF is named in the document's warnings. */
#include "ocr.h"

#include <leptonica/allheaders.h>

#include <math.h>
#include <string.h>
#include <time.h>
#include <tesseract/capi.h>

#include "../record/record.h"
#include "../record/textnorm.h"

/* Tesseract and its language data, once per worker: loading chi_sim
 * costs ~0.3 s. */
static TessBaseAPI *chi, *dig;
static bool tess_failed;

static bool
tess_init(GError **err)
{
  if(chi && dig)
    return true;
  if(tess_failed) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSYS, "Tesseract could not start");
    return false;
  }
  setMsgSeverity(L_SEVERITY_NONE);
  chi = TessBaseAPICreate();
  dig = TessBaseAPICreate();
  if(TessBaseAPIInit3(chi, NULL, "chi_sim") != 0 || TessBaseAPIInit3(dig, NULL, "eng") != 0) {
    TessBaseAPIDelete(chi);
    TessBaseAPIDelete(dig);
    chi = dig = NULL;
    tess_failed = true;
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_NOSYS,
                "Tesseract's chi_sim or eng data is missing (packages tesseract-ocr-chi-sim, "
                "tesseract-ocr-eng)");
    return false;
  }
  TessBaseAPISetVariable(dig, "tessedit_char_whitelist", "0123456789.-");
  /* debug_file stays stderr: opening a file for writing is fatal here. */
  return true;
}

/* Tesseract puts spaces between CJK characters; a report never does. */
static char *
tidy(const char *s, bool keep_lines)
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

/* The caps count this process's CPU time, not the clock: what a page
 * costs, so a loaded machine reads the same cells as an idle one. */
gint64
gh_ocr_cpu_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

struct budget {
  gint64 deadline; /* gh_ocr_cpu_us: the page's cap */
};

/* Tesseract's own deadline is on the clock: the CPU left, with room for
 * a busy machine (the extraction deadline still bounds the wall time). */
static int
left_ms(const struct budget *b)
{
  gint64 ms = 4 * (b->deadline - gh_ocr_cpu_us()) / 1000;
  return ms < 1 ? 1 : ms > G_MAXINT ? G_MAXINT : (int)ms;
}

/* One image through one engine; *conf 0..100.  NULL when out of time. */
static char *
read_pix(TessBaseAPI *api, PIX *pix, TessPageSegMode psm, bool lines, const struct budget *b,
         int *conf)
{
  TessBaseAPISetPageSegMode(api, psm);
  TessBaseAPISetImage2(api, pix);
  TessBaseAPISetSourceResolution(api, 300);
  ETEXT_DESC *mon = TessMonitorCreate();
  TessMonitorSetDeadlineMSecs(mon, left_ms(b));
  int rc = TessBaseAPIRecognize(api, mon);
  TessMonitorDelete(mon);
  char *out = NULL;
  if(rc == 0) {
    char *t = TessBaseAPIGetUTF8Text(api);
    out = g_strstrip(tidy(t ? t : "", lines));
    TessDeleteText(t);
    *conf = TessBaseAPIMeanTextConf(api);
  }
  TessBaseAPIClear(api);
  return out;
}

/* Digits and what Tesseract's chi_sim model mistakes them for. */
static bool
numberish(const char *s)
{
  if(!*s || strlen(s) > 24)
    return false;
  int digits = 0;
  for(const char *p = s; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if(g_unichar_isdigit(c))
      digits++;
    else if(!(c < 128 && strchr(".,oOlI|-", (int)c)) && c != 0xFF0D &&
            !(c == 0x4E00 || c == 0x3002 || c == 0xFF0C || c == 0x4E28)) /* 一 。 ， 丨 */
      return false;
  }
  return digits > 0;
}

struct cellread {
  char *text;
  int conf;
  bool ink; /* something was there to read */
};

/* The cell's ink, inset from its rules; "" when it holds none. */
/* A number as printed: the digit model's stray edge dots and dashes
 * (a speck beside a figure) dropped, a lone "-" kept (a blank's dash). */
static void
tidy_number(char *d)
{
  size_t n = strlen(d);
  while(n > 1 && (d[n - 1] == '.' || d[n - 1] == '-'))
    d[--n] = '\0';
  size_t k = 0;
  while(k + 1 < n && d[k] == '.')
    k++;
  memmove(d, d + k, n - k + 1);
}

/* The page as grey levels, specks and rules painted out: a second
 * reading for the cells the binarised page leaves doubtful. */
static PIX *alt_gray;

/* Glyphs side by side in a cell's ink: runs of pixel columns holding ink
 * (a speck's few pixels are no glyph).  A number has one per digit unless
 * blur joins two, so a reading with fewer characters than runs lost one
 * (11 read as 1). */
static int
glyph_runs(PIX *bin, BOX *box)
{
  int x0, y0, w, h, runs = 0, ink = 0;
  boxGetGeometry(box, &x0, &y0, &w, &h);
  for(int x = x0; x <= x0 + w; x++) {
    int col = 0;
    for(int y = y0; x < x0 + w && y < y0 + h; y++) {
      l_uint32 v = 0;
      if(pixGetPixel(bin, x, y, &v) == 0 && v)
        col++;
    }
    if(col)
      ink += col;
    else if(ink) {
      runs += ink >= 6;
      ink = 0;
    }
  }
  return runs;
}

/* Characters of a number as read: digits, point and sign. */
static int
number_chars(const char *s)
{
  int n = 0;
  for(; *s; s++)
    n += (*s >= '0' && *s <= '9') || *s == '.' || *s == '-';
  return n;
}

/* One cell's ink (`tight`, its size fw x fh, `runs` glyphs side by side)
 * read from `src`: chi_sim, then the digit model when it is one short
 * line. */
static char *
read_crop(PIX *src, BOX *tight, int fw, int fh, int runs, bool force, const struct budget *b,
          int *confp)
{
  PIX *crop = pixClipRectangle(src, tight, NULL);
  if(!crop)
    return NULL;
  PIX *pad = pixAddBorder(crop, 16, 0xff);
  pixDestroy(&crop);
  int conf = 0;
  char *t = read_pix(chi, pad, PSM_SINGLE_BLOCK, false, b, &conf);
  if(t && fh < 90 && fw < 400) {
    int dconf = 0;
    /* One glyph alone (a 0 or a 1) is read as a character: as a line the
     * model often gives nothing.  Several are a line (as a character,
     * 11 is 1). */
    char *d = read_pix(dig, pad, runs <= 1 ? PSM_SINGLE_CHAR : PSM_SINGLE_LINE, false, b, &dconf);
    if(d && !*d && runs > 1) {
      g_free(d);
      d = read_pix(dig, pad, PSM_SINGLE_WORD, false, b, &dconf);
    }
    if(d)
      tidy_number(d);
    /* A minus sign is a short dash the digit model often drops; chi_sim
     * sees it (as - or 一) in front of the figures. */
    if(d && *d && *d != '-' && numberish(t) &&
       (t[0] == '-' || g_str_has_prefix(t, "一") || g_str_has_prefix(t, "－"))) {
      char *m = g_strconcat("-", d, NULL);
      g_free(d);
      d = m;
    }
    if(d && *d && (force || numberish(t) || dconf > conf)) {
      g_free(t);
      t = d;
      conf = dconf;
      /* Fewer characters than glyphs on the page: one was lost, whatever
       * the model's confidence says. */
      if(number_chars(t) < runs)
        conf = MIN(conf, GH_OCR_MIN_CONF / 2);
    } else
      g_free(d);
  }
  pixDestroy(&pad);
  *confp = conf;
  return t;
}

/* `force`: the cell's column holds numbers, so the digit model decides
 * whatever chi_sim saw. */
static struct cellread
read_cell(PIX *gray, PIX *bin, int x0, int y0, int x1, int y1, bool force, const struct budget *b)
{
  struct cellread r = { NULL, 100, false };
  int inset = 5;
  int w = x1 - x0 - 2 * inset, h = y1 - y0 - 2 * inset;
  if(w < 6 || h < 6) {
    r.text = g_strdup("");
    return r;
  }
  BOX *box = boxCreate(x0 + inset, y0 + inset, w, h);
  int ink = 0;
  pixCountPixelsInRect(bin, box, &ink, NULL);
  if(ink < 12) { /* speckle, not a character */
    boxDestroy(&box);
    r.text = g_strdup("");
    return r;
  }
  /* Cut to the ink: Tesseract reads a glyph best with a margin of plain
   * background round it, and the ink's size says whether it can be a
   * number (one short line). */
  r.ink = true;
  PIX *bcrop = pixClipRectangle(bin, box, NULL);
  BOX *fg = NULL;
  int fx = 0, fy = 0, fw = w, fh = h;
  if(bcrop && pixClipToForeground(bcrop, NULL, &fg) == 0 && fg)
    boxGetGeometry(fg, &fx, &fy, &fw, &fh);
  boxDestroy(&fg);
  pixDestroy(&bcrop);
  BOX *inkbox = boxCreate(x0 + inset + fx, y0 + inset + fy, fw, fh);
  int runs = glyph_runs(bin, inkbox);
  boxDestroy(&inkbox);
  BOX *tight = boxCreate(x0 + inset + MAX(fx - 3, 0), y0 + inset + MAX(fy - 3, 0), fw + 6, fh + 6);
  boxDestroy(&box);
  int conf = 0;
  char *t = read_crop(gray, tight, fw, fh, runs, force, b, &conf);
  if(alt_gray && t && conf < GH_OCR_MIN_CONF) {
    /* Doubtful on the binarised page: the grey one may be clearer (a
     * blurred stroke one threshold broke). */
    int aconf = 0;
    char *a = read_crop(alt_gray, tight, fw, fh, runs, force, b, &aconf);
    if(a && aconf > conf && (*a || !*t)) {
      g_free(t);
      t = a;
      conf = aconf;
    } else
      g_free(a);
  }
  boxDestroy(&tight);
  r.text = t ? t : g_strdup("");
  r.conf = t ? conf : 0;
  return r;
}

/* Rule positions along one axis: runs of lines whose count of rule pixels
 * reaches `min`, each run's middle. */
static GArray *
rules(const int *count, int n, int min, int gap)
{
  GArray *pos = g_array_new(FALSE, FALSE, sizeof(int));
  int start = -1;
  for(int i = 0; i <= n; i++) {
    bool on = i < n && count[i] >= min;
    if(on && start < 0)
      start = i;
    if(!on && start >= 0) {
      int mid = (start + i - 1) / 2;
      if(pos->len && mid - g_array_index(pos, int, pos->len - 1) < gap)
        g_array_index(pos, int, pos->len - 1) = (g_array_index(pos, int, pos->len - 1) + mid) / 2;
      else
        g_array_append_val(pos, mid);
      start = -1;
    }
  }
  return pos;
}

/* The share of a rule segment that is there, within ±3 pixels of its line. */
static double
present(PIX *mask, bool horizontal, int at, int from, int to)
{
  int w, h, hit = 0, n = 0;
  pixGetDimensions(mask, &w, &h, NULL);
  for(int t = from; t < to; t++, n++) {
    for(int d = -3; d <= 3; d++) {
      int x = horizontal ? t : at + d, y = horizontal ? at + d : t;
      l_uint32 v = 0;
      if(x >= 0 && y >= 0 && x < w && y < h && pixGetPixel(mask, x, y, &v) == 0 && v) {
        hit++;
        break;
      }
    }
  }
  return n ? (double)hit / n : 0;
}

static int
find(int *parent, int i)
{
  while(parent[i] != i)
    i = parent[i] = parent[parent[i]];
  return i;
}

struct item { /* a text line or a table row, placed by its top */
  int y;
  bool table;
  GArray *cells; /* struct ocell, for a table row */
  char *text;    /* for a text line */
};

struct ocell {
  char *text;
  int col, span, conf;
  bool ink;
  int x0, y0, x1, y1;
};

static gint
by_y(gconstpointer a, gconstpointer b)
{
  const struct item *x = a, *y = b;
  return (x->y > y->y) - (x->y < y->y);
}

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
static const char *
form_label(const char *text)
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
  return n >= 3 && top >= 0.7 && top < 1 && top - second >= 0.1 ? best : NULL;
}

/* CJK characters in s: a label has several, a misread number one or two. */
static unsigned
cjk_chars(const char *s)
{
  unsigned n = 0;
  for(const char *p = s; *p; p = g_utf8_next_char(p))
    n += g_utf8_get_char(p) >= 0x2E80;
  return n;
}

/* A doubtful cell read again by the digit model, kept if that gives a
 * number. */
static void
reread_number(PIX *gray, PIX *bin, struct ocell *c, const struct budget *b)
{
  struct cellread r = read_cell(gray, bin, c->x0, c->y0, c->x1, c->y1, true, b);
  if(numberish(r.text)) {
    g_free(c->text);
    c->text = r.text;
    c->conf = r.conf;
  } else
    g_free(r.text);
}

/* A column of numbers (most of its cells read as one) has its other
 * doubtful cells read again by the digit model: chi_sim takes a lone 1
 * for 工 or 丨, a 0 for 口. */
static void
reread_numbers(PIX *gray, PIX *bin, GArray *items, guint first, int nc, const struct budget *b)
{
  for(int j = 0; j < nc; j++) {
    unsigned num = 0, other = 0;
    for(guint i = first; i < items->len; i++) {
      GArray *cells = g_array_index(items, struct item, i).cells;
      for(guint k = 0; k < cells->len; k++) {
        const struct ocell *c = &g_array_index(cells, struct ocell, k);
        if(c->col == j && c->span == 1 && *c->text)
          numberish(c->text) ? num++ : other++;
      }
    }
    if(num < 3 || num < 2 * other)
      continue;
    for(guint i = first; i < items->len && gh_ocr_cpu_us() < b->deadline; i++) {
      GArray *cells = g_array_index(items, struct item, i).cells;
      for(guint k = 0; k < cells->len; k++) {
        struct ocell *c = &g_array_index(cells, struct ocell, k);
        if(c->col == j && c->span == 1 && *c->text && !numberish(c->text) &&
           c->conf < GH_OCR_MIN_CONF)
          reread_number(gray, bin, c, b);
      }
    }
  }
  /* A row's values stand right of its labels: a doubtful cell among a
   * row's numbers (33二 beside 3 and 2) is a number too, though its
   * column holds labels in other rows (the 2019 form's third column). */
  for(guint i = first; i < items->len && gh_ocr_cpu_us() < b->deadline; i++) {
    GArray *cells = g_array_index(items, struct item, i).cells;
    unsigned num = 0;
    for(guint k = 0; k < cells->len; k++)
      num += numberish(g_array_index(cells, struct ocell, k).text);
    if(num < 2)
      continue;
    for(guint k = cells->len; k-- > 0;) {
      struct ocell *c = &g_array_index(cells, struct ocell, k);
      if(!*c->text || numberish(c->text))
        continue;
      if(c->conf >= GH_OCR_MIN_CONF || cjk_chars(c->text) >= 3)
        break; /* the row's label */
      reread_number(gray, bin, c, b);
    }
  }
}

/* One table inside `tb`: its rows as items.  False when out of time. */
static bool
read_table(PIX *gray, PIX *bin, PIX *hl, PIX *vl, PIX *hs, PIX *vs, BOX *tb, GArray *items,
           struct gh_ocr_stats *st, const struct budget *b)
{
  int bx, by, bw, bh;
  boxGetGeometry(tb, &bx, &by, &bw, &bh);
  int *hc = g_new0(int, bh), *vc = g_new0(int, bw);
  for(int y = 0; y < bh; y++)
    for(int x = 0; x < bw; x++) {
      l_uint32 v;
      if(pixGetPixel(hl, bx + x, by + y, &v) == 0 && v)
        hc[y]++;
      if(pixGetPixel(vl, bx + x, by + y, &v) == 0 && v)
        vc[x]++;
    }
  GArray *ys = rules(hc, bh, MAX(bw / 12, 20), 10), *xs = rules(vc, bw, MAX(bh / 40, 12), 10);
  g_free(hc);
  g_free(vc);
  int nr = (int)ys->len - 1, nc = (int)xs->len - 1;
  bool ok = true;
  guint first = items->len;
  if(nr >= 1 && nc >= 1 && nr * nc <= 4000) {
    int *parent = g_new(int, nr * nc);
    for(int i = 0; i < nr * nc; i++)
      parent[i] = i;
#define Y(i) (by + g_array_index(ys, int, i))
#define X(j) (bx + g_array_index(xs, int, j))
    for(int i = 0; i < nr; i++)
      for(int j = 0; j < nc; j++) {
        /* A merged cell has no rule at all between its parts; a faint
         * one's pieces still cover a good part of it. */
        if(j + 1 < nc && present(vs, false, X(j + 1), Y(i) + 4, Y(i + 1) - 4) < 0.3)
          parent[find(parent, i * nc + j)] = find(parent, i * nc + j + 1);
        if(i + 1 < nr && present(hs, true, Y(i + 1), X(j) + 4, X(j + 1) - 4) < 0.3)
          parent[find(parent, i * nc + j)] = find(parent, (i + 1) * nc + j);
      }
    /* Each merged group's bounds. */
    int *r0 = g_new(int, nr * nc), *r1 = g_new(int, nr * nc), *c0 = g_new(int, nr * nc),
        *c1 = g_new(int, nr * nc);
    for(int k = 0; k < nr * nc; k++)
      r0[k] = c0[k] = G_MAXINT, r1[k] = c1[k] = -1;
    for(int i = 0; i < nr; i++)
      for(int j = 0; j < nc; j++) {
        int g = find(parent, i * nc + j);
        r0[g] = MIN(r0[g], i), r1[g] = MAX(r1[g], i), c0[g] = MIN(c0[g], j), c1[g] = MAX(c1[g], j);
      }
    for(int i = 0; ok && i < nr; i++) {
      struct item it = { Y(i), true, g_array_new(FALSE, FALSE, sizeof(struct ocell)), NULL };
      for(int j = 0; j < nc; j++) {
        int g = find(parent, i * nc + j);
        if(r0[g] != i || c0[g] != j)
          continue; /* covered by a cell above or to the left */
        struct cellread cr = read_cell(gray, bin, X(c0[g]), Y(r0[g]), X(c1[g] + 1), Y(r1[g] + 1), false, b);
        const char *label = cjk_chars(cr.text) ? form_label(cr.text) : NULL;
        if(label) {
          g_free(cr.text);
          cr.text = g_strdup(label);
        }
        struct ocell oc = { cr.text, j, c1[g] - c0[g] + 1, cr.ink && !*cr.text ? 0 : cr.conf,
                            cr.ink, X(c0[g]), Y(r0[g]), X(c1[g] + 1), Y(r1[g] + 1) };
        g_array_append_val(it.cells, oc);
        st->cells++;
        if(gh_ocr_cpu_us() > b->deadline)
          ok = false;
      }
      g_array_append_val(items, it);
    }
#undef X
#undef Y
    if(ok)
      reread_numbers(gray, bin, items, first, nc, b);
    g_free(parent);
    g_free(r0);
    g_free(r1);
    g_free(c0);
    g_free(c1);
  }
  g_array_free(ys, TRUE);
  g_array_free(xs, TRUE);
  return ok;
}

/* The text outside the tables: the bands of the page above, between and
 * below them, each read as a block, its lines placed in order within the
 * band. */
static void
read_text(PIX *gray, PIX *bin, BOXA *tables, GArray *items, const struct budget *b)
{
  int w, h, n = boxaGetCount(tables);
  pixGetDimensions(gray, &w, &h, NULL);
  int *edges = g_new(int, 2 * (size_t)n + 2);
  int k = 0;
  edges[k++] = 0;
  for(int i = 0; i < n; i++) {
    int x, y, bw, bh;
    boxaGetBoxGeometry(tables, i, &x, &y, &bw, &bh);
    edges[k++] = y;
    edges[k++] = y + bh;
  }
  edges[k++] = h;
  for(int i = 0; i + 1 < k && gh_ocr_cpu_us() < b->deadline; i += 2) {
    int y0 = MAX(edges[i], 0), y1 = MIN(edges[i + 1], h);
    if(y1 - y0 < 24)
      continue;
    BOX *band = boxCreate(0, y0, w, y1 - y0);
    int ink = 0;
    pixCountPixelsInRect(bin, band, &ink, NULL);
    if(ink < 50) {
      boxDestroy(&band);
      continue;
    }
    PIX *crop = pixClipRectangle(gray, band, NULL);
    boxDestroy(&band);
    int conf = 0;
    char *t = read_pix(chi, crop, PSM_SINGLE_BLOCK, true, b, &conf);
    pixDestroy(&crop);
    char **lines = g_strsplit(t ? t : "", "\n", -1);
    guint nl = g_strv_length(lines);
    for(guint l = 0; l < nl; l++) {
      /* No line starts with a stop or a comma: a speck read as one (。二、
       * 主动公开… is no heading to the parser). */
      char *line = g_strstrip(lines[l]);
      while(*line && strchr("., ", *line))
        line++;
      while(g_str_has_prefix(line, "。") || g_str_has_prefix(line, "，") ||
            g_str_has_prefix(line, "、"))
        line += strlen("。");
      if(!*line)
        continue;
      const char *heading = g_utf8_strlen(line, -1) <= 30 ? form_label(line) : NULL;
      struct item it = { y0 + (int)((long)(y1 - y0) * l / MAX(nl, 1)), false, NULL,
                         g_strdup(heading ? heading : line) };
      g_array_append_val(items, it);
    }
    g_strfreev(lines);
    g_free(t);
  }
  g_free(edges);
}

/* Rule masks of a binary page: closed first over a pixel or two (JPEG
 * and speckle break rules; wider would join a line of glyphs' strokes
 * into a rule), then opened with elements longer than any glyph. */
static void
rule_masks(PIX *lbin, int hlen, int vlen, PIX **hl, PIX **vl)
{
  PIX *hc = pixCloseBrick(NULL, lbin, 3, 1), *vc = pixCloseBrick(NULL, lbin, 1, 3);
  *hl = hc ? pixOpenBrick(NULL, hc, hlen, 1) : NULL;
  *vl = vc ? pixOpenBrick(NULL, vc, 1, vlen) : NULL;
  pixDestroy(&hc);
  pixDestroy(&vc);
}

/* One outer rule of a table as a line: `horizontal` y = a + b x (else
 * x = a + b y), from the first rule pixel met scanning in from the box's
 * side (`from_end`: from its far side) at points along it.  The points
 * round the commonest offset are fitted twice, the second time without
 * those more than 2 pixels off, so a gap in the rule (where the scan meets
 * the next rule in) does not bend it.  False without enough points. */
static bool
edge_line(PIX *mask, int bx, int by, int bw, int bh, bool horizontal, bool from_end, double *a,
          double *b)
{
  int along = horizontal ? bw : bh, across = horizontal ? bh : bw;
  int n = 0, cap = along / 4 + 1;
  double *t = g_new(double, cap), *v = g_new(double, cap);
  for(int i = along / 20; i < along - along / 20 && n < cap; i += 4) {
    for(int k = 0; k < across / 3; k++) {
      int o = from_end ? across - 1 - k : k;
      int x = horizontal ? bx + i : bx + o, y = horizontal ? by + o : by + i;
      l_uint32 px = 0;
      if(pixGetPixel(mask, x, y, &px) == 0 && px) {
        t[n] = horizontal ? x : y;
        v[n++] = horizontal ? y : x;
        break;
      }
    }
  }
  /* The commonest offset, to 8 pixels. */
  int best = 0, mode = 0;
  for(int i = 0; i < n; i++) {
    int c = 0;
    for(int j = 0; j < n; j++)
      c += fabs(v[j] - v[i]) <= 8;
    if(c > best)
      best = c, mode = i;
  }
  bool ok = n >= 20 && best >= n / 3;
  double aa = n ? v[mode] : 0, bb = 0, tol = 8;
  for(int pass = 0; ok && pass < 2; pass++, tol = 2) {
    double st = 0, sv = 0, stt = 0, stv = 0;
    int m = 0;
    for(int i = 0; i < n; i++)
      if(fabs(v[i] - (aa + bb * t[i])) <= tol) {
        st += t[i], sv += v[i], stt += t[i] * t[i], stv += t[i] * v[i];
        m++;
      }
    double den = m * stt - st * st;
    if(m < 20 || fabs(den) < 1e-9) {
      ok = false;
      break;
    }
    bb = (m * stv - st * sv) / den;
    aa = (sv - bb * st) / m;
  }
  g_free(t);
  g_free(v);
  *a = aa;
  *b = bb;
  return ok && fabs(bb) < 0.1;
}

/* A photographed page: the camera was not square to it, so its rules
 * converge and no rotation makes them all straight.  The largest table's
 * outer rules give the quadrilateral the camera saw of a rectangle, and
 * the projective map that takes it back to one flattens the whole page
 * (one plane).  NULL when the page needs no correction or shows no
 * table. */
static PIX *
unwarp(PIX *gray)
{
  int w, h;
  pixGetDimensions(gray, &w, &h, NULL);
  PIX *lbin = pixThresholdToBinary(gray, 175);
  if(!lbin)
    return NULL;
  PIX *hl = NULL, *vl = NULL;
  rule_masks(lbin, MAX(w / 30, 40), MAX(h / 55, 40), &hl, &vl);
  pixDestroy(&lbin);
  PIX *grid = hl && vl ? pixOr(NULL, hl, vl) : NULL;
  PIX *gridd = grid ? pixDilateBrick(NULL, grid, 7, 7) : NULL;
  BOXA *all = gridd ? pixConnCompBB(gridd, 8) : NULL;
  int bx = 0, by = 0, bw = 0, bh = 0;
  for(int i = 0; all && i < boxaGetCount(all); i++) {
    int x, y, cw, ch;
    boxaGetBoxGeometry(all, i, &x, &y, &cw, &ch);
    if(cw > w / 4 && ch > h / 8 && (double)cw * ch > (double)bw * bh)
      bx = x, by = y, bw = cw, bh = ch;
  }
  boxaDestroy(&all);
  pixDestroy(&gridd);
  pixDestroy(&grid);
  PIX *out = NULL;
  double ta, tb, ba, bb, la, lb, ra, rb;
  if(bw > 0 && edge_line(hl, bx, by, bw, bh, true, false, &ta, &tb) &&
     edge_line(hl, bx, by, bw, bh, true, true, &ba, &bb) &&
     edge_line(vl, bx, by, bw, bh, false, false, &la, &lb) &&
     edge_line(vl, bx, by, bw, bh, false, true, &ra, &rb)) {
    /* Corners: where each horizontal line meets each vertical one. */
    double cx[4], cy[4];
    const double ha[4] = { ta, ta, ba, ba }, hb[4] = { tb, tb, bb, bb };
    const double va[4] = { la, ra, la, ra }, vb[4] = { lb, rb, lb, rb };
    for(int k = 0; k < 4; k++) {
      cx[k] = (va[k] + vb[k] * ha[k]) / (1 - vb[k] * hb[k]);
      cy[k] = ha[k] + hb[k] * cx[k];
    }
    /* The rectangle: each side where the quadrilateral's side is on
     * average. */
    double x0 = (cx[0] + cx[2]) / 2, x1 = (cx[1] + cx[3]) / 2, y0 = (cy[0] + cy[1]) / 2,
           y1 = (cy[2] + cy[3]) / 2;
    const double rx[4] = { x0, x1, x0, x1 }, ry[4] = { y0, y0, y1, y1 };
    double off = 0;
    for(int k = 0; k < 4; k++)
      off = MAX(off, MAX(fabs(rx[k] - cx[k]), fabs(ry[k] - cy[k])));
    /* Under 3 pixels the rules are straight enough for the grid's
     * tolerance; a shift of a fifth of the table is no table's outline. */
    if(off >= 3 && off < MIN(x1 - x0, y1 - y0) / 5) {
      PTA *src = ptaCreate(4), *dst = ptaCreate(4);
      for(int k = 0; k < 4; k++) {
        ptaAddPt(src, (l_float32)cx[k], (l_float32)cy[k]);
        ptaAddPt(dst, (l_float32)rx[k], (l_float32)ry[k]);
      }
      out = pixProjectivePta(gray, dst, src, L_BRING_IN_WHITE);
      ptaDestroy(&src);
      ptaDestroy(&dst);
    }
  }
  pixDestroy(&hl);
  pixDestroy(&vl);
  return out;
}

static PIX *
to_gray(PIX *pix)
{
  int d;
  pixGetDimensions(pix, NULL, NULL, &d);
  return d == 32 ? pixConvertRGBToLuminance(pix) : pixConvertTo8(pix, 0);
}

bool
gh_ocr_page(PIX *page, struct gh_doc *doc, struct gh_ocr_stats *st, unsigned seconds,
            GError **err)
{
  if(!tess_init(err))
    return false;
  struct budget b = { gh_ocr_cpu_us() + (gint64)(seconds ? seconds : 60) * G_USEC_PER_SEC };
  int w, h;
  pixGetDimensions(page, &w, &h, NULL);
  PIX *g0 = to_gray(page);
  if(!g0) {
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "an image leptonica cannot convert");
    return false;
  }
  /* Tesseract reads best near 300 dpi: an A4 page ~2480 pixels wide. */
  float scale = w < 2000 ? 2480.0f / (float)w : 1.0f;
  PIX *g1 = scale != 1.0f ? pixScale(g0, scale, scale) : pixClone(g0);
  pixDestroy(&g0);
  PIX *norm = pixBackgroundNormSimple(g1, NULL, NULL);
  PIX *gray = norm ? norm : pixClone(g1);
  if(norm)
    pixDestroy(&g1);
  else
    pixDestroy(&g1);
  PIX *bin = pixThresholdToBinary(gray, 120);
  l_float32 angle = 0, conf = 0;
  if(bin && pixFindSkew(bin, &angle, &conf) == 0 && conf > 2.5 && fabsf(angle) > 0.05f &&
     fabsf(angle) < 5.0f) {
    PIX *rot = pixRotate(gray, angle * (l_float32)(M_PI / 180.0), L_ROTATE_AREA_MAP,
                         L_BRING_IN_WHITE, 0, 0);
    if(rot) {
      pixDestroy(&gray);
      gray = rot;
      pixDestroy(&bin);
      bin = pixThresholdToBinary(gray, 120);
    }
  }
  if(!bin) {
    pixDestroy(&gray);
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the page could not be binarised");
    return false;
  }
  PIX *flat = unwarp(gray);
  if(flat) {
    pixDestroy(&gray);
    gray = flat;
    pixDestroy(&bin);
    bin = pixThresholdToBinary(gray, 120);
    if(!bin) {
      pixDestroy(&gray);
      g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the page could not be binarised");
      return false;
    }
  }
  /* Rules are found on a lighter threshold than the text's: a blurred
   * one-pixel rule is grey, not black. */
  PIX *lbin = pixThresholdToBinary(gray, 175);
  /* A photocopy's speckle: dots smaller than any stroke go before
   * anything is read (a median filter would take one-pixel rules too).
   * Tesseract reads the cleaned binary image. */
  PIX *clean = pixSelectBySize(bin, 5, 5, 8, L_SELECT_IF_EITHER, L_SELECT_IF_GTE, NULL);
  if(clean) {
    /* Tesseract reads the grey page (it binarises a blurred stroke
     * better than one threshold does), with the specks painted out. */
    PIX *specks = pixSubtract(NULL, bin, clean);
    if(specks)
      pixSetMasked(gray, specks, 255);
    pixDestroy(&specks);
    pixDestroy(&bin);
    bin = clean;
  }
  pixGetDimensions(gray, &w, &h, NULL);
  /* Long rules find the tables and the rules' positions; shorter pieces
   * (longer than a glyph) say where a rule is there at all: a faint
   * photocopy's rule comes in pieces, and a gap must not merge cells nor
   * its pieces be read as 一 or 1. */
  PIX *hl = NULL, *vl = NULL, *hs = NULL, *vs = NULL;
  rule_masks(lbin ? lbin : bin, MAX(w / 30, 40), MAX(h / 55, 40), &hl, &vl);
  rule_masks(lbin ? lbin : bin, MAX(w / 50, 30), MAX(w / 50, 30), &hs, &vs);
  pixDestroy(&lbin);
  PIX *gridl = pixOr(NULL, hl, vl);
  PIX *gridd = pixDilateBrick(NULL, gridl, 7, 7);
  pixDestroy(&gridl);
  PIX *grid = pixOr(NULL, hs, vs);
  BOXA *all = pixConnCompBB(gridd, 8);
  BOXA *tables = boxaCreate(0);
  for(int i = 0; i < boxaGetCount(all); i++) {
    BOX *bx = boxaGetBox(all, i, L_CLONE);
    int x, y, bw, bh;
    boxGetGeometry(bx, &x, &y, &bw, &bh);
    if(bw > w / 4 && bh > 40)
      boxaAddBox(tables, bx, L_COPY);
    boxDestroy(&bx);
  }
  /* What is read: the page without its rules (a rule's stub inside a
   * cell reads as 1, | or 一). */
  PIX *ink = pixSubtract(NULL, bin, grid);
  PIX *wide = pixDilateBrick(NULL, grid, 5, 5);
  PIX *text = ink ? pixConvert1To8(NULL, ink, 255, 0) : NULL;
  if(text && wide) {
    pixSetMasked(gray, wide, 255);
    alt_gray = gray;
    gray = text;
    pixDestroy(&bin);
    bin = ink;
  } else {
    pixDestroy(&text);
    pixDestroy(&ink);
  }
  pixDestroy(&wide);
  GArray *items = g_array_new(FALSE, FALSE, sizeof(struct item));
  bool in_time = true;
  for(int i = 0; in_time && i < boxaGetCount(tables); i++) {
    BOX *tb = boxaGetBox(tables, i, L_CLONE);
    in_time = read_table(gray, bin, hl, vl, hs, vs, tb, items, st, &b);
    boxDestroy(&tb);
  }
  if(in_time)
    read_text(gray, bin, tables, items, &b);
  if(gh_ocr_cpu_us() > b.deadline)
    in_time = false;
  g_array_sort(items, by_y);
  for(guint i = 0; i < items->len; i++) {
    struct item *it = &g_array_index(items, struct item, i);
    if(!it->table) {
      gh_doc_add_text(doc, it->text, strlen(it->text));
      g_free(it->text);
      continue;
    }
    gh_doc_begin_row(doc);
    for(guint k = 0; k < it->cells->len; k++) {
      struct ocell *c = &g_array_index(it->cells, struct ocell, k);
      gh_doc_add_cell(doc, c->text, strlen(c->text), c->col, c->span);
      gh_doc_set_conf(doc, c->conf);
      if(c->ink && c->conf < GH_OCR_MIN_CONF) {
        st->low++;
        if(*c->text)
          gh_doc_warn(doc, "OCR: cell \"%s\" read with low confidence (%d%%)", c->text, c->conf);
        else
          gh_doc_warn(doc, "OCR: a cell with ink in it read as blank");
      }
      g_free(c->text);
    }
    g_array_free(it->cells, TRUE);
  }
  g_array_free(items, TRUE);
  if(!in_time) {
    st->timed_out = true;
    gh_doc_warn(doc, "OCR: the page's %u-second cap ran out; the rest of it is unread",
                seconds ? seconds : 60);
  }
  boxaDestroy(&all);
  boxaDestroy(&tables);
  pixDestroy(&gridd);
  pixDestroy(&grid);
  pixDestroy(&hl);
  pixDestroy(&vl);
  pixDestroy(&hs);
  pixDestroy(&vs);
  pixDestroy(&bin);
  pixDestroy(&gray);
  pixDestroy(&alt_gray);
  st->pages++;
  return true;
}

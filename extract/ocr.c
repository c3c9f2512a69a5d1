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

#include "ocr_int.h"

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
 * a busy machine, where a process may get a twentieth of a core (a
 * shared machine at a load of 30); a read cut short gives what it has,
 * a cell blank.  The extraction deadline still bounds the wall time. */
static int
left_ms(const struct budget *b)
{
  gint64 ms = 30 * (b->deadline - gh_ocr_cpu_us()) / 1000;
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
    out = g_strstrip(gh_ocr_tidy(t ? t : "", lines));
    TessDeleteText(t);
    *conf = TessBaseAPIMeanTextConf(api);
  }
  TessBaseAPIClear(api);
  return out;
}

struct cellread {
  char *text;
  int conf;
  bool ink; /* something was there to read */
};

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
      gh_ocr_tidy_number(d);
    /* A minus sign is a short dash the digit model often drops; chi_sim
     * sees it (as - or 一) in front of the figures. */
    if(d && *d && *d != '-' && gh_ocr_numberish(t) &&
       (t[0] == '-' || g_str_has_prefix(t, "一") || g_str_has_prefix(t, "－"))) {
      char *m = g_strconcat("-", d, NULL);
      g_free(d);
      d = m;
    }
    if(d && *d && (force || gh_ocr_numberish(t) || dconf > conf)) {
      g_free(t);
      t = d;
      conf = dconf;
      /* Fewer characters than glyphs on the page: one was lost, whatever
       * the model's confidence says. */
      if(gh_ocr_number_chars(t) < runs)
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

/* A doubtful cell read again by the digit model, kept if that gives a
 * number. */
static void
reread_number(PIX *gray, PIX *bin, struct ocell *c, const struct budget *b)
{
  struct cellread r = read_cell(gray, bin, c->x0, c->y0, c->x1, c->y1, true, b);
  if(gh_ocr_numberish(r.text)) {
    g_free(c->text);
    c->text = r.text;
    c->conf = r.conf;
  } else
    g_free(r.text);
}

/* A column of numbers (most of its cells read as one) has its other
 * doubtful (or one-character) cells read again by the digit model: chi_sim takes a lone 1
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
          gh_ocr_numberish(c->text) ? num++ : other++;
      }
    }
    if(num < 3 || num < 2 * other)
      continue;
    for(guint i = first; i < items->len && gh_ocr_cpu_us() < b->deadline; i++) {
      GArray *cells = g_array_index(items, struct item, i).cells;
      for(guint k = 0; k < cells->len; k++) {
        struct ocell *c = &g_array_index(cells, struct ocell, k);
        if(c->col == j && c->span == 1 && *c->text && !gh_ocr_numberish(c->text) &&
           (c->conf < GH_OCR_MIN_CONF || g_utf8_strlen(c->text, -1) == 1))
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
      num += gh_ocr_numberish(g_array_index(cells, struct ocell, k).text);
    if(num < 2)
      continue;
    for(guint k = cells->len; k-- > 0;) {
      struct ocell *c = &g_array_index(cells, struct ocell, k);
      if(!*c->text || gh_ocr_numberish(c->text))
        continue;
      /* One character among numbers is a digit chi_sim took for a
       * glyph (了 for 7, 工 for 1), however sure it was. */
      if((c->conf >= GH_OCR_MIN_CONF && g_utf8_strlen(c->text, -1) > 1) ||
         gh_ocr_cjk_chars(c->text) >= 3)
        break; /* the row's label */
      reread_number(gray, bin, c, b);
    }
  }
}

/* One table inside `tb`: rule positions from its long rules hl and vl,
 * whether a rule is there from their pieces hs and vs.  Its rows as items;
 * false when out of time. */
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
  GArray *ys = gh_ocr_rules(hc, bh, MAX(bw / 12, 20), 10), *xs = gh_ocr_rules(vc, bw, MAX(bh / 40, 12), 10);
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
        if(j + 1 < nc && gh_ocr_present(vs, false, X(j + 1), Y(i) + 4, Y(i + 1) - 4) < 0.12)
          parent[find(parent, i * nc + j)] = find(parent, i * nc + j + 1);
        if(i + 1 < nr && gh_ocr_present(hs, true, Y(i + 1), X(j) + 4, X(j + 1) - 4) < 0.12)
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
        const char *label = gh_ocr_cjk_chars(cr.text) ? gh_ocr_form_label(cr.text) : NULL;
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

/* A band read line by line: its lines from the rows holding ink, each read
 * as one line of text.  Tesseract's own layout analysis can fail on a
 * short band among specks and rule ends, where one line at a time reads.
 * *conf is the lines' mean, weighted by their length. */
static char *
read_lines(PIX *src, PIX *bin, BOX *band, const struct budget *b, int *conf)
{
  int bx, by, bw, bh;
  boxGetGeometry(band, &bx, &by, &bw, &bh);
  PIX *bb = pixClipRectangle(bin, band, NULL);
  NUMA *rows = bb ? pixCountPixelsByRow(bb, NULL) : NULL;
  pixDestroy(&bb);
  if(!rows)
    return NULL;
  GString *out = g_string_new(NULL);
  long sum = 0, weight = 0;
  int start = -1, gap = 0;
  for(int y = 0; y <= bh && gh_ocr_cpu_us() < b->deadline; y++) {
    l_int32 v = 0;
    bool on = y < bh && numaGetIValue(rows, y, &v) == 0 && v >= 3;
    if(on) {
      if(start < 0)
        start = y;
      gap = 0;
      continue;
    }
    if(start < 0 || (++gap < 4 && y < bh))
      continue;
    int y0 = MAX(start - 4, 0), y1 = MIN(y - gap + 4, bh);
    start = -1;
    if(y1 - y0 < 18)
      continue;
    BOX *lb = boxCreate(bx, by + y0, bw, y1 - y0);
    PIX *crop = pixClipRectangle(src, lb, NULL);
    boxDestroy(&lb);
    int c = 0;
    char *t = crop ? read_pix(chi, crop, PSM_SINGLE_LINE, false, b, &c) : NULL;
    pixDestroy(&crop);
    if(t && *t) {
      long n = (long)strlen(t);
      sum += (long)c * n;
      weight += n;
      g_string_append_printf(out, "%s%s", out->len ? "\n" : "", t);
    }
    g_free(t);
  }
  numaDestroy(&rows);
  *conf = weight ? (int)(sum / weight) : 0;
  return g_string_free(out, FALSE);
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
    int conf = 0;
    char *t = read_pix(chi, crop, PSM_SINGLE_BLOCK, true, b, &conf);
    pixDestroy(&crop);
    if(alt_gray && conf < GH_OCR_MIN_CONF) {
      /* As for a cell: the grey page may read where the binarised one
       * broke the strokes (a heading lost is a section not found). */
      PIX *acrop = pixClipRectangle(alt_gray, band, NULL);
      int aconf = 0;
      char *a = acrop ? read_pix(chi, acrop, PSM_SINGLE_BLOCK, true, b, &aconf) : NULL;
      pixDestroy(&acrop);
      if(a && aconf > conf) {
        g_free(t);
        t = a;
        conf = aconf;
      } else
        g_free(a);
    }
    if(conf < GH_OCR_MIN_CONF) {
      int lconf = 0;
      char *l = read_lines(alt_gray ? alt_gray : gray, bin, band, b, &lconf);
      if(l && lconf > conf) {
        g_free(t);
        t = l;
        conf = lconf;
      } else
        g_free(l);
    }
    boxDestroy(&band);
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
      const char *heading = g_utf8_strlen(line, -1) <= 30 ? gh_ocr_form_label(line) : NULL;
      struct item it = { y0 + (int)((long)(y1 - y0) * l / MAX(nl, 1)), false, NULL,
                         g_strdup(heading ? heading : line) };
      g_array_append_val(items, it);
    }
    g_strfreev(lines);
    g_free(t);
  }
  g_free(edges);
}

static PIX *
to_gray(PIX *pix)
{
  int d;
  pixGetDimensions(pix, NULL, NULL, &d);
  return d == 32 ? pixConvertRGBToLuminance(pix) : pixConvertTo8(pix, 0);
}

/* The page straightened (`next`: rotated or unwarped) replaces the grey
 * page, and is binarised again; *bin is NULL when that fails. */
static void
page_replace(PIX **gray, PIX **bin, PIX *next)
{
  pixDestroy(gray);
  *gray = next;
  pixDestroy(bin);
  *bin = pixThresholdToBinary(*gray, 120);
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
    if(rot)
      page_replace(&gray, &bin, rot);
  }
  PIX *flat = bin ? gh_ocr_unwarp(gray) : NULL;
  if(flat)
    page_replace(&gray, &bin, flat);
  if(!bin) {
    pixDestroy(&gray);
    g_set_error(err, G_FILE_ERROR, G_FILE_ERROR_INVAL, "the page could not be binarised");
    return false;
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
  gh_ocr_rule_masks(lbin ? lbin : bin, MAX(w / 30, 40), MAX(h / 55, 40), &hl, &vl);
  gh_ocr_rule_masks(lbin ? lbin : bin, MAX(w / 50, 30), MAX(w / 50, 30), &hs, &vs);
  pixDestroy(&lbin);
  PIX *grid = pixOr(NULL, hl, vl);
  PIX *gridd = pixDilateBrick(NULL, grid, 7, 7);
  BOXA *all = pixConnCompBB(gridd, 8);
  BOXA *tables = boxaCreate(0);
  /* The rules' pieces count inside the tables only: outside them, a
   * title's large glyphs have strokes as long (taken out, 财 reads 对). */
  PIX *pieces = pixOr(NULL, hs, vs), *inside = pixCreate(w, h, 1);
  for(int i = 0; i < boxaGetCount(all); i++) {
    BOX *bx = boxaGetBox(all, i, L_CLONE);
    int x, y, bw, bh;
    boxGetGeometry(bx, &x, &y, &bw, &bh);
    if(bw > w / 4 && bh > 40) {
      boxaAddBox(tables, bx, L_COPY);
      if(inside)
        pixRasterop(inside, x, y, bw, bh, PIX_SET, NULL, 0, 0);
    }
    boxDestroy(&bx);
  }
  if(pieces && inside) {
    pixAnd(pieces, pieces, inside);
    pixOr(grid, grid, pieces);
  }
  pixDestroy(&pieces);
  pixDestroy(&inside);
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
      gh_cells_add_text(doc, it->text, strlen(it->text));
      g_free(it->text);
      continue;
    }
    gh_cells_begin_row(doc);
    for(guint k = 0; k < it->cells->len; k++) {
      struct ocell *c = &g_array_index(it->cells, struct ocell, k);
      gh_cells_add_cell(doc, c->text, strlen(c->text), c->col, c->span);
      gh_cells_set_conf(doc, c->conf);
      if(c->ink && c->conf < GH_OCR_MIN_CONF) {
        st->low++;
        if(*c->text)
          gh_cells_warn(doc, "OCR: cell \"%s\" read with low confidence (%d%%)", c->text, c->conf);
        else
          gh_cells_warn(doc, "OCR: a cell with ink in it read as blank");
      }
      g_free(c->text);
    }
    g_array_free(it->cells, TRUE);
  }
  g_array_free(items, TRUE);
  if(!in_time) {
    st->timed_out = true;
    gh_cells_warn(doc, "OCR: the page's %u-second cap ran out; the rest of it is unread",
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

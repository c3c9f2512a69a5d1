#include "hant.h"

#include <opencc.h>
#include <stdlib.h>
#include <string.h>

/* Traditional forms of characters every report prints (開 of 公開, 報 of
 * 報告, 請 of 申請 …) whose simplified forms differ.  A simplified report
 * holds none of them; one quoting a traditional name holds one or two. */
static const char *const marks[] = {
  "開", "資", "訊", "報", "請", "處", "務", "權", "數", "結", "總", "計", "議", "訴",
  "機", "關", "於", "為", "與", "國", "縣", "區", "網", "廳", "設", "規", "範", "責",
  "況", "項", "導", "單", "當", "辦", "證", "據", "類", "內", "題", "應", "經", "進",
  "實", "現", "對", "發", "業", "說", "將", "歷", "會", "復", "護", "險", "屬", "無",
  NULL,
};

static int
cmp_unichar(const void *a, const void *b)
{
  gunichar x = *(const gunichar *)a, y = *(const gunichar *)b;
  return (x > y) - (x < y);
}

/* The marks as sorted code points, so a cell is read once, not once per
 * mark (56 strstr calls per cell were a tenth of a worker's time on an
 * ordinary page). */
static const gunichar *
mark_points(void)
{
  static gunichar points[G_N_ELEMENTS(marks) - 1];
  static gsize once = 0;
  if(g_once_init_enter(&once)) {
    for(size_t m = 0; marks[m]; m++)
      points[m] = g_utf8_get_char(marks[m]);
    qsort(points, G_N_ELEMENTS(points), sizeof *points, cmp_unichar);
    g_once_init_leave(&once, 1);
  }
  return points;
}

bool
gh_doc_is_traditional(const struct gh_doc *doc)
{
  enum { N = G_N_ELEMENTS(marks) - 1, ENOUGH = 6 };
  const gunichar *points = mark_points();
  unsigned seen = 0;
  bool hit[N] = { false };
  for(guint r = 0; r < doc->rows->len && seen < ENOUGH; r++) {
    const struct gh_row *row = &g_array_index(doc->rows, struct gh_row, r);
    for(unsigned c = 0; c < row->n_cells && seen < ENOUGH; c++) {
      /* Every mark is a three-byte character (U+4E00..U+9FFF), so only
       * such sequences are decoded; cell text is valid UTF-8. */
      const unsigned char *p = (const unsigned char *)row->cells[c].text;
      for(; *p && seen < ENOUGH; p++) {
        if(p[0] < 0xE4 || p[0] > 0xE9 || !p[1] || !p[2])
          continue;
        gunichar u = ((gunichar)(p[0] & 0x0F) << 12) | ((gunichar)(p[1] & 0x3F) << 6) | (p[2] & 0x3F);
        const gunichar *at = bsearch(&u, points, N, sizeof *points, cmp_unichar);
        if(at && !hit[at - points]) {
          hit[at - points] = true;
          seen++;
        }
        p += 2;
      }
    }
  }
  return seen >= ENOUGH;
}

/* One converter per process: opening it reads OpenCC's dictionaries.
 * (opencc_t)-1 is OpenCC's own failure value. */
static opencc_t
converter(void)
{
  static opencc_t cc = (opencc_t)-1;
  static gsize once = 0;
  if(g_once_init_enter(&once)) {
    cc = opencc_open(OPENCC_DEFAULT_CONFIG_TRAD_TO_SIMP);
    g_once_init_leave(&once, 1);
  }
  return cc;
}

static char *
convert(opencc_t cc, const char *text)
{
  if(!*text)
    return g_strdup("");
  char *out = opencc_convert_utf8(cc, text, strlen(text));
  if(!out)
    return g_strdup(text);
  char *copy = g_strdup(out);
  opencc_convert_utf8_free(out);
  return copy;
}

char *
gh_text_to_simplified(const char *text)
{
  /* OpenCC only where there is a CJK character to convert: most link
   * texts of a page are short, and many are ASCII (pagers, dates). */
  bool cjk = false;
  for(const char *p = text; *p && !cjk; p = g_utf8_next_char(p))
    cjk = (guchar)*p >= 0xE3 && g_utf8_get_char(p) >= 0x3400;
  opencc_t cc = cjk ? converter() : (opencc_t)-1;
  return cc == (opencc_t)-1 ? g_strdup(text) : convert(cc, text);
}

struct gh_doc *
gh_doc_to_simplified(const struct gh_doc *doc)
{
  opencc_t cc = converter();
  if(cc == (opencc_t)-1)
    return NULL;
  struct gh_doc *out = gh_cells_new();
  for(guint r = 0; r < doc->rows->len; r++) {
    const struct gh_row *row = &g_array_index(doc->rows, struct gh_row, r);
    if(row->kind == GH_ROW_TEXT) {
      char *t = convert(cc, row->n_cells ? row->cells[0].text : "");
      gh_cells_add_text(out, t, strlen(t));
      g_free(t);
      continue;
    }
    gh_cells_begin_row(out);
    for(unsigned c = 0; c < row->n_cells; c++) {
      char *t = convert(cc, row->cells[c].text);
      gh_cells_add_cell(out, t, strlen(t), row->cells[c].col, row->cells[c].colspan);
      g_free(t);
    }
  }
  if(doc->title_hint)
    out->title_hint = convert(cc, doc->title_hint);
  if(doc->date_hint)
    out->date_hint = convert(cc, doc->date_hint);
  for(guint i = 0; i < doc->warnings->len; i++)
    gh_cells_warn(out, "%s", (const char *)g_ptr_array_index(doc->warnings, i));
  gh_cells_warn(out, "written in traditional characters; read after conversion to simplified "
                   "(OpenCC t2s)");
  return out;
}

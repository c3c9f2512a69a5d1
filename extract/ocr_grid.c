/* The page's geometry for OCR (ocr_int.h): where the rules are, whether a
 * rule is there between two cells, and a photographed page flattened.
 * docs/ocr.md says how. */
#include "ocr_int.h"

#include <math.h>

/* Rule positions along one axis: runs of lines whose count of rule pixels
 * reaches `min`, each run's middle. */
GArray *
gh_ocr_rules(const int *count, int n, int min, int gap)
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
double
gh_ocr_present(PIX *mask, bool horizontal, int at, int from, int to)
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

/* Rule masks of a binary page: closed first over a pixel or two (JPEG
 * and speckle break rules; wider would join a line of glyphs' strokes
 * into a rule), then opened with elements longer than any glyph. */
void
gh_ocr_rule_masks(PIX *lbin, int hlen, int vlen, PIX **hl, PIX **vl)
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
PIX *
gh_ocr_unwarp(PIX *gray)
{
  int w, h;
  pixGetDimensions(gray, &w, &h, NULL);
  PIX *lbin = pixThresholdToBinary(gray, 175);
  if(!lbin)
    return NULL;
  PIX *hl = NULL, *vl = NULL;
  gh_ocr_rule_masks(lbin, MAX(w / 30, 40), MAX(h / 55, 40), &hl, &vl);
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


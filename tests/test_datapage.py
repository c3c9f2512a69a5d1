#!/usr/bin/env python3
"""stats --html, the data page, in headless Chromium at 30 and at 30,000
records (stores filled by bench/make_store: real county codes, varied
figures).

    test_datapage.py GOVHARVEST MAKE_STORE [N...]

For each size: the page is self-contained (no fetched resource, only
inline script); Chromium renders it (--dump-dom) and what it shows equals
the store, recomputed here from `export` by docs/recipes.md's definitions:
the headline figures of every year in range (zero or not), the coverage
tiles (counties with a parsed report over the region table's counties),
the two top-ten tables, the province x year matrix, one records row per
record, Chinese labels; a screenshot comes out at the window's size; the
print to PDF holds every agency (pdftotext; up to 3,000 records unless
GH_DATAPAGE_PRINT_ALL=1).  The load time Chromium reports is printed, not
asserted.
"""
import collections
import csv
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from html.parser import HTMLParser

GH, MAKE_STORE = sys.argv[1], sys.argv[2]
SIZES = [int(x) for x in sys.argv[3:]] or [30, 30000]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "web"))
from harness import DATA, SRC, check, finish  # noqa: E402

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
SAMPLE = os.path.join(DATA, "seeds", "002_36229eadd8369f27.txt")
PRINT_MAX = 3000


def chromium(prof, *args, timeout=900):
    return subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
                           f"--user-data-dir={prof}", *args], capture_output=True, text=True,
                          timeout=timeout)


class Dom(HTMLParser):
    """Tables by id (rows of cell texts, with each cell's data-v), the
    coverage tiles, and the records rows."""

    def __init__(self):
        super().__init__()
        self.tables, self.cur, self.cell, self.in_cell, self.tiles = {}, None, None, False, {}
        self.in_records, self.records_rows, self.div_depth = False, 0, 0
        self.headline_attrs = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div":
            if a.get("id") == "records":
                self.in_records, self.div_depth = True, 0
            elif self.in_records:
                self.div_depth += 1
        if tag == "table":
            self.cur = self.tables.setdefault(a.get("id", f"t{len(self.tables)}"), [])
        elif tag == "tr":
            if self.in_records:
                self.records_rows += 1
            if self.cur is not None:
                self.cur.append([])
        elif tag in ("td", "th"):
            self.cell, self.in_cell, self.data_v = "", True, a.get("data-v")
        elif tag == "g" and a.get("class") == "tile":
            self.tiles[a["data-province"]] = (int(a["data-covered"]), int(a["data-total"]))

    def handle_endtag(self, tag):
        if tag == "div" and self.in_records:
            if self.div_depth == 0:
                self.in_records = False
            else:
                self.div_depth -= 1
        if tag in ("td", "th") and self.cur is not None and self.cur:
            self.cur[-1].append((self.cell.strip(), self.data_v))
            self.in_cell = False

    def handle_data(self, d):
        if self.in_cell:
            self.cell += d


def expected(recs):
    """The page's figures from the records, by docs/recipes.md."""
    def tot(row, i=6):
        return row[i] if row and len(row) > i else None

    years = collections.defaultdict(lambda: collections.Counter())
    agencies = {}
    for r in recs:
        if r["status"] != "parsed":
            continue
        a, ap = r.get("applications") or {}, r.get("appeals") or {}
        y = years[r["year"]]
        y["reports"] += 1
        y["received"] += tot(a.get("new_received")) or 0
        decided, granted = tot(a.get("total")), tot(a.get("granted"))
        if granted is not None and decided:
            y["gn"] += granted
            y["gd"] += decided
        rev = ap.get("reconsideration") or [None] * 5
        y["review"] += rev[4] or 0
        rd = [x for x in rev[:3] if x is not None]
        if rev[1] is not None and rd and sum(rd) > 0:
            y["rn"] += rev[1]
            y["rd"] += sum(rd)
        lits = [ap.get("litigation_direct") or [None] * 5, ap.get("litigation_after_review") or [None] * 5]
        law = sum(g[4] or 0 for g in lits)
        y["law"] += law
        dec = [x for g in lits for x in g[:3] if x is not None]
        lost = [g[1] for g in lits if g[1] is not None]
        if lost and dec and sum(dec) > 0:
            y["ln"] += sum(lost)
            y["ld"] += sum(dec)
        ag = agencies.setdefault(r["agency_key"], [0, 0])
        ag[0] += tot(a.get("new_received")) or 0
        ag[1] += law
    return years, agencies


def coverage(recs):
    total, have = collections.Counter(), collections.Counter()
    covered = {r["county_code"] for r in recs if r["status"] == "parsed" and r.get("county_code")}
    names = {}
    with open(os.path.join(SRC, "config", "regions.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["level"] == "province":
                names[row["code"][:2]] = row["name"]
    with open(os.path.join(SRC, "config", "regions.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["level"] == "county":
                p = names[row["code"][:2]]
                total[p] += 1
                have[p] += row["code"] in covered
    return {p: (have[p], total[p]) for p in total}


def run_size(tmp, n):
    store = os.path.join(tmp, f"store{n}")
    r = subprocess.run([MAKE_STORE, store, str(n), SAMPLE], capture_output=True, text=True, timeout=600)
    check(r.returncode == 0, f"make_store {n}: {r.stderr[-300:]}")
    recs = [json.loads(l) for l in subprocess.run([GH, "export", "--store", store], capture_output=True,
                                                   text=True, timeout=600).stdout.splitlines()]
    check(len(recs) == n, f"{n} records in the store ({len(recs)})")
    page = os.path.join(tmp, f"page{n}.html")
    r = subprocess.run([GH, "stats", "--store", store, "--html", page], capture_output=True, text=True,
                       timeout=600)
    check(r.returncode == 0, f"stats --html on {n} records: {r.stderr[-300:]}")
    raw = open(page, encoding="utf-8").read()
    check(not re.search(r'<(link|img|iframe|object|embed)\b|\bsrc=|@import|url\(', raw),
          f"{n}: nothing fetched: no link, image, frame, src, @import or url()")
    check(len(re.findall(r"<script", raw)) == 1 and "<script>" in raw, f"{n}: one inline script")
    print(f"datapage: {n} records: page {len(raw.encode()) / 1e6:.1f} MB", file=sys.stderr)
    if not BROWSER:
        print("note: chromium not installed: the page is not opened", file=sys.stderr)
        return
    # Rendered, with the time to the load event (printed, not asserted).
    timed = page.replace(".html", "-timed.html")
    with open(timed, "w", encoding="utf-8") as f:
        f.write(raw.replace("</body>", "<script>addEventListener('load',function(){document.documentElement"
                            ".setAttribute('data-load-ms',Math.round(performance.now()))})</script></body>"))
    with tempfile.TemporaryDirectory() as prof:
        r = chromium(prof, "--dump-dom", "file://" + timed)
    dom = r.stdout
    check(r.returncode == 0 and 'id="headline"' in dom, f"{n}: chromium renders the page: {r.stderr[-300:]}")
    m = re.search(r'data-load-ms="(\d+)"', dom)
    print(f"datapage: {n} records: loaded in {m.group(1) if m else '?'} ms in headless chromium",
          file=sys.stderr)
    d = Dom()
    d.feed(dom)

    years, agencies = expected(recs)
    all_years = [r["year"] for r in recs]
    span = list(range(min(all_years), max(all_years) + 1))
    head = d.tables.get("headline", [])
    got_years = [int(row[0][0]) for row in head[1:]]
    check(got_years == span, f"{n}: every year in range is a row: {got_years} vs {span}")
    for row in head[1:]:
        y = years[int(row[0][0])]
        vals = [c for c, _ in row]
        check(int(vals[1]) == y["reports"] and int(vals[2]) == y["received"] and
              int(vals[4]) == y["review"] and int(vals[6]) == y["law"],
              f"{n}: {vals[0]}: reports, received, reviews, lawsuits {vals} vs {dict(y)}")
        for (num, den), (_, v) in ((("gn", "gd"), row[3]), (("rn", "rd"), row[5]), (("ln", "ld"), row[7])):
            want = y[num] / y[den] if y[den] else None
            got = float(v) if v else None
            check((want is None and got is None) or (want is not None and got is not None and
                                                     abs(want - got) < 1e-6),
                  f"{n}: {vals[0]} {num}/{den}: {got} vs {want}")
    # Coverage tiles.
    cov = coverage(recs)
    check(d.tiles and all(d.tiles.get(p) == v for p, v in cov.items()) and len(d.tiles) == len(cov),
          f"{n}: the coverage tiles: {sorted(set(d.tiles.items()) ^ set(cov.items()))[:6]}")
    # Top tens.
    for tid, i in (("top-applications", 0), ("top-lawsuits", 1)):
        want = [k for k, v in sorted(agencies.items(), key=lambda kv: (-kv[1][i], kv[0])) if v[i] > 0][:10]
        got = re.findall(r'<tr data-key="([^"]*)"', dom.split(f'id="{tid}"')[1].split("</table>")[0])
        got = [g.replace("&amp;", "&") for g in got]
        check(got == want, f"{n}: {tid}: {got} vs {want}")
    # Matrix: every year a column.
    matrix = d.tables.get("matrix", [])
    check(matrix and [int(c) for c, _ in matrix[0][1:]] == span, f"{n}: the matrix has every year")
    check(d.records_rows == n, f"{n}: one records row per record ({d.records_rows})")
    statuses = {row[1][0]: row[0][0] for row in d.tables.get("statuses", [])[1:]}
    check(statuses.get("parsed") == "已解析", f"{n}: statuses in Chinese: {statuses}")
    rules = d.tables.get("checks", [])[1:]
    check(all(re.search(r"[\u4e00-\u9fff]", row[0][0]) for row in rules),
          f"{n}: failing checks named in Chinese: {[r[0][0] for r in rules]}")

    # A screenshot at the window's size.
    png = os.path.join(tmp, f"page{n}.png")
    with tempfile.TemporaryDirectory() as prof:
        r = chromium(prof, f"--screenshot={png}", "--window-size=1280,2000", "file://" + page)
    if os.path.exists(png):
        w, h = struct.unpack(">II", open(png, "rb").read()[16:24])
        check((w, h) == (1280, 2000) and os.path.getsize(png) > 50000,
              f"{n}: screenshot {w}x{h}, {os.path.getsize(png)} bytes")
    else:
        check(False, f"{n}: chromium writes a screenshot: {r.stderr[-300:]}")
    # Printed: every agency is in the PDF.  Chromium takes minutes and
    # gigabytes to print 30,000 records (~600 pages), so past PRINT_MAX the
    # print is checked only when asked (GH_DATAPAGE_PRINT_ALL=1).
    if n > PRINT_MAX and os.environ.get("GH_DATAPAGE_PRINT_ALL") != "1":
        print(f"note: {n} records: the print to PDF is skipped (GH_DATAPAGE_PRINT_ALL=1 checks it)",
              file=sys.stderr)
        return
    pdf = os.path.join(tmp, f"page{n}.pdf")
    with tempfile.TemporaryDirectory() as prof:
        r = chromium(prof, f"--print-to-pdf={pdf}", "--no-pdf-header-footer", "file://" + page)
    check(os.path.exists(pdf), f"{n}: chromium prints the page: {r.stderr[-300:]}")
    if os.path.exists(pdf):
        text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, timeout=600).stdout
        flat = re.sub(r"\s+", "", text)
        missing = [r["agency"] for r in recs if r["agency"] not in flat]
        check(not missing, f"{n}: the print holds every agency ({len(missing)} missing: {missing[:5]})")
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
        pages = re.search(r"Pages:\s+(\d+)", info)
        print(f"datapage: {n} records: printed {pages.group(1) if pages else '?'} pages", file=sys.stderr)


with tempfile.TemporaryDirectory() as tmp:
    for n in SIZES:
        run_size(tmp, n)
finish("datapage")

#!/usr/bin/env python3
"""Image-page reports: a report page whose body is a row of page scans
(crawler/pageimg.c finds them, crawler/pageset.c gathers them,
extract/ocr_pages.c reads them by OCR as one document).

    test_imagepages.py GOVHARVEST

The layout generator's report printed to PDF and scanned to JPEG pages
(tests/layouts/genscans.py) is served by tests/web/legacy_web.py as a
township's GBK report page: each scan lazy-loaded in a TRS_Editor div,
one wrapped in a link, captions, and the site's logo, a print icon and a
QR code around them.  A crawl must:
  - land the report as one record, read by OCR from every scan in order,
    with the agency and year, the page's URL as its source and the scans'
    URLs in source.images, in the JSON lines and the CSV export; at least
    80% of its cells exact (the OCR floor of layouts_scans) and no wrong
    cell in a record whose quality is ok;
  - never fetch the logo, the icon, the QR code or the lazy loader's
    placeholder;
  - read a page showing 1000 images to its cap: exactly 20 scans fetched;
  - end a page whose scan claims 60000 x 60000 pixels as too_large with
    the pixel cap's reason, and go on.
Needs soffice, pdftoppm and convert (scripts/install-deps); skipped
without them."""
import csv
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

GH = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "layouts"))
sys.path.insert(0, os.path.join(HERE, "web"))
sys.path.insert(0, HERE)
import genlayouts  # noqa: E402
import genscans  # noqa: E402
from harness import check, crawl_legacy_web, finish  # noqa: E402
from test_layouts import cells, compare, lookup  # noqa: E402

AGENCY = "寻乌县留车镇人民政府"
TITLE = "寻乌县留车镇2023年政府信息公开工作年度报告"
MANY = "寻乌县龙廷乡2023年政府信息公开工作年度报告"
HUGE = "寻乌县罗珊乡2023年政府信息公开工作年度报告"


def write_pages(files, n, title, scans, count=None):
    d = os.path.join(files, f"pages-{n}")
    os.makedirs(d)
    with open(os.path.join(d, "title"), "w", encoding="utf-8") as f:
        f.write(title)
    for i, data in enumerate(scans, 1):
        with open(os.path.join(d, f"{i}.bin"), "wb") as f:
            f.write(data)
    if count:
        with open(os.path.join(d, "count"), "w") as f:
            f.write(str(count))


def make(tmp):
    """The fixture's files and the scanned report's expected record."""
    rng = random.Random(11)
    rec = genlayouts.random_record(rng, "2021")
    rec["agency"], rec["year"] = AGENCY, 2023
    o = {"title": "one", "period": True}
    src = os.path.join(tmp, "src")
    os.makedirs(src)
    with open(os.path.join(src, "report.docx"), "wb") as f:
        f.write(genlayouts.render_docx(genlayouts.document(rec, o, rng), o, rng))
    genlayouts.to_pdf([os.path.join(src, "report.docx")], src)
    subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", os.path.join(src, "report.pdf"),
                    os.path.join(src, "p")], check=True, capture_output=True, timeout=300)
    pngs = sorted(x for x in os.listdir(src) if x.startswith("p-") and x.endswith(".png"))
    scans = []
    for png in pngs:
        jpg = os.path.join(src, png[:-4] + ".jpg")
        genscans._page(os.path.join(src, png), jpg,
                       {"tilt": 0.6, "blur": 0, "noise": 0.03, "quality": 75,
                        "background": "white", "photo": False, "seed": 5})
        with open(jpg, "rb") as f:
            scans.append(f.read())
    files = os.path.join(tmp, "files")
    os.makedirs(files)
    write_pages(files, 1, TITLE, scans)
    blank = os.path.join(src, "blank.jpg")
    subprocess.run(["convert", "-size", "64x64", "xc:white", "-quality", "50", blank], check=True)
    with open(blank, "rb") as f:
        write_pages(files, 2, MANY, [f.read()], count=1000)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    huge = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    write_pages(files, 3, HUGE, [huge])
    return files, genlayouts.expected(rec, "scan", None), len(scans)


def requested(tmp):
    with open(os.path.join(tmp, "requests.jsonl"), encoding="utf-8") as f:
        return [json.loads(l)["path"] for l in f]


def main():
    if not all(shutil.which(p) for p in ("soffice", "pdftoppm", "convert")):
        print("imagepages: soffice, pdftoppm or convert not found; skipped")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        files, want, npages = make(tmp)
        store = crawl_legacy_web(GH, tmp, files, 900)
        out = subprocess.run([GH, "export", "--store", store], capture_output=True, text=True,
                             timeout=60).stdout
        recs = [json.loads(l) for l in out.splitlines()]
        got = [x for x in recs if x["agency"] == AGENCY and x["year"] == 2023]
        check(len(got) == 1, f"the image-page report lands as one record: "
                             f"{[(x['agency'], x['year'], x['status']) for x in recs]}")
        if got:
            rec = got[0]
            src = rec["source"]
            right, total, diffs = compare(want, rec)
            print(f"imagepages: {npages} scans, {right}/{total} cells exact, "
                  f"quality {rec.get('quality')}, warnings {rec.get('warnings')}")
            check(rec["status"] == "parsed" and src.get("ocr") is True and src["format"] == "images",
                  f"read by OCR from its scans: {rec['status']} {rec.get('reason')} {src}")
            check(src["url"].endswith("/art/2024/1/26/art_2941_201.html"),
                  f"its source is the report page: {src['url']}")
            imgs = src.get("images") or []
            check(len(imgs) == npages and all(f"/W02024012601{k:04d}.jpg" in u
                                              for k, u in zip(range(1, npages + 1), imgs)),
                  f"the scans' URLs in the page's order: {imgs}")
            check(right >= 0.8 * total, f"at least 80% of the cells exact: {right}/{total}: {diffs[:6]}")
            check(not (diffs and rec.get("quality") == "ok"),
                  f"no wrong cell in a record of quality ok: {diffs[:6]}")
            c = subprocess.run([GH, "export", "--store", store, "--format", "csv"],
                               capture_output=True, text=True, timeout=60).stdout
            rows = [r for r in csv.DictReader(io.StringIO(c)) if r.get("agency") == AGENCY]
            row = rows[0] if len(rows) == 1 else {}
            shared = [p for p, _ in cells(want) if p in row]

            def same(text, v):
                if v is None or text == "":
                    return v is None and text == ""
                try:
                    return abs(float(text) - float(v)) < 1e-6
                except (TypeError, ValueError):
                    return text == str(v)
            wrong = [(p, row[p], lookup(rec, p)) for p in shared if not same(row[p], lookup(rec, p))]
            check(len(rows) == 1 and row["source.format"] == "images" and row["source.url"] == src["url"]
                  and row["status"] == rec["status"] and len(shared) >= 10 and not wrong,
                  f"the record in the CSV export, {len(shared)} cells as in the JSON: {wrong[:5]}")
        paths = requested(tmp)
        chrome = [p for p in paths if p.startswith("/images/")]
        check(not chrome, f"no logo, icon, QR code or placeholder fetched: {chrome}")
        many = [p for p in paths if "/W02024012602" in p]
        check(len(many) == 20, f"a row of 1000 images: 20 fetched: {len(many)}")
        huge = [x for x in recs if x["year"] == 2023 and "罗珊乡" in (x["agency"] or "")]
        check(len(huge) == 1 and huge[0]["status"] == "too_large"
              and "pixel cap" in (huge[0].get("reason") or ""),
              f"a 3.6-gigapixel scan is too_large by its cap: "
              f"{[(x['agency'], x['status'], x.get('reason')) for x in huge]}")
    finish("imagepages")


if __name__ == "__main__":
    sys.exit(main())

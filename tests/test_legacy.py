#!/usr/bin/env python3
"""Legacy Office files read through LibreOffice (extract/convert.c).

    test_legacy.py GOVHARVEST

Three reports of the layout generator saved by LibreOffice as Word 97-2003
(.doc), RTF and Excel 97-2003 (.xls):
  - `parse` reads each to its whole record, every cell (source.format ole
    or rtf, sniffed from the bytes, not a file name);
  - a conversion over its caps fails that one document with the reason and
    leaves nothing behind: a CPU/time budget of 1 s ([limits]
    extract_cpu_seconds), an address space of 150 MiB (extract_memory);
  - a damaged RTF is extract_failed with LibreOffice's failure, not a crash;
  - a crawl of a portal serving them (tests/web/legacy_web.py: a .doc
    behind a download script, an .rtf, an .xls) lands all three in the
    store, and they are exported.
Needs soffice (scripts/install-deps); without it the test is skipped.
Takes ~25 s here (each conversion starts LibreOffice once, ~1.3 s)."""
import csv
import glob
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

GH = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "layouts"))
sys.path.insert(0, os.path.join(HERE, "web"))
sys.path.insert(0, HERE)
import genlayouts  # noqa: E402
from harness import SRC, check, crawl_legacy_web, finish  # noqa: E402
from test_layouts import compare  # noqa: E402

REPORTS = [("doc", "寻乌县财政局"), ("rtf", "寻乌县澄江镇人民政府"), ("xls", "寻乌县水利局")]


def make(tmp):
    """doc.bin, rtf.bin, xls.bin and their expected records."""
    want, srcs = {}, {"doc": [], "rtf": [], "xls": []}
    for i, (fmt, agency) in enumerate(REPORTS):
        rng = random.Random(31 + i)
        rec = genlayouts.random_record(rng, "2021")
        rec["agency"], rec["year"] = agency, 2023
        o = {"title": "one", "period": True}
        blocks = genlayouts.document(rec, o, rng)
        if fmt == "xls":
            data, ext = genlayouts.render_html(blocks, {}), "html"
        else:
            data, ext = genlayouts.render_docx(blocks, o, rng), "docx"
        src = os.path.join(tmp, "src", f"{fmt}.{ext}")
        os.makedirs(os.path.dirname(src), exist_ok=True)
        with open(src, "wb") as f:
            f.write(data)
        srcs[fmt].append(src)
        want[fmt] = genlayouts.expected(rec, fmt, None)
    out = os.path.join(tmp, "files")
    genlayouts.to_pdf(srcs["doc"], out, "doc:MS Word 97")
    genlayouts.to_pdf(srcs["rtf"], out, "rtf")
    genlayouts.to_pdf(srcs["xls"], out, "xls:MS Excel 97", "HTML (StarCalc)")
    for fmt in srcs:
        os.rename(os.path.join(out, f"{fmt}.{fmt}"), os.path.join(out, f"{fmt}.bin"))
    return out, want


def parse(conf, *paths):
    r = subprocess.run([GH, "parse", "--config", conf, *paths], capture_output=True, text=True,
                       timeout=600)
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def leftovers():
    """Conversion directories and soffice processes of this machine's
    converters (the helper makes /tmp/gh-convert-*)."""
    dirs = set(glob.glob("/tmp/gh-convert-*"))
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    procs = {l for l in ps.splitlines() if "gh-convert-" in l and "soffice" in l}
    return dirs, procs


def test_parse(tmp, files, want):
    conf = os.path.join(tmp, "empty.conf")
    open(conf, "w").close()
    got = parse(conf, *(os.path.join(files, f"{fmt}.bin") for fmt, _ in REPORTS))
    check(len(got) == 3, f"three records: {len(got)}")
    for (fmt, agency), rec in zip(REPORTS, got):
        right, total, diffs = compare(want[fmt], rec)
        check(rec["status"] == "parsed" and not diffs,
              f"{fmt}: every cell, agency and year read ({rec['status']}, {rec.get('reason')}, "
              f"{right}/{total}: {diffs[:4]})")
        check(rec["source"]["format"] == ("rtf" if fmt == "rtf" else "ole"),
              f"{fmt}: sniffed from the bytes: {rec['source']['format']}")


def test_caps(tmp, files):
    before = leftovers()
    doc = os.path.join(files, "doc.bin")
    for name, text, why in (("cpu", "extract_cpu_seconds = 1", "did not finish converting it within 1 s"),
                            ("mem", "extract_memory = 150M", "LibreOffice")):
        conf = os.path.join(tmp, name + ".conf")
        with open(conf, "w") as f:
            f.write(f"[limits]\n{text}\n")
        rec = parse(conf, doc)
        check(len(rec) == 1 and rec[0]["status"] == "extract_failed" and why in (rec[0]["reason"] or ""),
              f"{name} cap: the conversion fails with its reason: {rec[:1] and (rec[0]['status'], rec[0]['reason'])}")
    bad = os.path.join(tmp, "damaged.rtf")
    with open(bad, "wb") as f:
        f.write(b"{\\rtf1\\ansi{\\fonttbl{\\f0 \\'cb\\'ce\\'cc\\'e5;}}{\\b ")
    rec = parse(os.path.join(tmp, "empty.conf"), bad)
    check(len(rec) == 1 and rec[0]["status"] == "extract_failed" and "LibreOffice" in rec[0]["reason"],
          f"a damaged RTF is extract_failed by LibreOffice: {rec[:1] and rec[0]['reason']}")
    dirs, procs = leftovers()
    check(dirs <= before[0], f"no conversion directory left behind: {sorted(dirs - before[0])}")
    check(procs <= before[1], f"no soffice left running: {sorted(procs - before[1])}")


def test_crawl(tmp, files):
    store = crawl_legacy_web(GH, tmp, files, 300)
    out = subprocess.run([GH, "export", "--store", store], capture_output=True, text=True,
                         timeout=60).stdout
    recs = {(x["agency"], x["year"]): x for x in map(json.loads, out.splitlines())}
    for fmt, agency in REPORTS:
        x = recs.get((agency, 2023))
        check(x is not None and x["status"] == "parsed" and x["region_code"] == "360734"
              and x["source"]["format"] == ("rtf" if fmt == "rtf" else "ole"),
              f"crawl: the {fmt} report lands parsed: {x and (x['status'], x.get('reason'))}")
    c = subprocess.run([GH, "export", "--store", store, "--format", "csv"], capture_output=True,
                       text=True, timeout=60).stdout
    rows = list(csv.DictReader(io.StringIO(c)))
    check({r.get("agency") for r in rows} >= {a for _, a in REPORTS},
          f"crawl: all three in the CSV export: {[r.get('agency') for r in rows]}")


def main():
    if not shutil.which("soffice"):
        print("legacy: soffice not found; skipped (scripts/install-deps installs LibreOffice)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        files, want = make(tmp)
        test_parse(tmp, files, want)
        test_caps(tmp, files)
        test_crawl(tmp, files)
    finish("legacy")


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Every generated layout of a record must parse back to that record.

    test_layouts.py GOVHARVEST [--count N] [--seed S] [--formats html,docx,pdf,text]
                    [--keep DIR] [--measure FAMILY,...]

Renders N records (tests/layouts/genlayouts.py), runs `govharvest parse` on
all of them, and compares every printed cell, the agency, the year and the
template.  A family named in --measure (plain pdftotext, pdftext-raw) is
measured, not gated: only a wrong cell in a record of quality ok fails.
A derived cell (the record's `derived` list) counts as not
printed: the generator's blanks stay blank.  Prints the accuracy per
layout family and each wrong cell; exits 1 on any difference.  PDF variants
need LibreOffice (soffice); without it they are skipped with a note.

CTest runs a few hundred variants (tests/CMakeLists.txt); for a long run:

    python3 tests/test_layouts.py build/govharvest --count 3000 --seed 7
"""
import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "layouts"))
import genlayouts  # noqa: E402


def cells(rec):
    """(path, value) for every cell of the record's three tables."""
    out = []

    def walk(prefix, x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k == "amount_text":
                    continue
                walk(prefix + "." + k if prefix else k, v)
        elif isinstance(x, list):
            for i, v in enumerate(x):
                out.append(("%s[%d]" % (prefix, i), v))
        else:
            out.append((prefix, x))

    for sec in ("proactive", "applications", "appeals"):
        walk(sec, rec.get(sec) or {})
    return out


def lookup(rec, path):
    cur = rec
    for part in path.replace("[", ".[").split("."):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(cur, list) or i >= len(cur):
                return "missing"
            cur = cur[i]
        else:
            if not isinstance(cur, dict) or part not in cur:
                return "missing"
            cur = cur[part]
    return cur


def compare(want, got, flat=False):
    """Returns (cells right, cells compared, list of differences).  On a
    flattened page a cell may be left blank where the record warns that
    its cells ran together ambiguously; it is counted, not failed."""
    diffs = []
    warned = " ".join(got.get("warnings") or [])
    for k in ("agency", "year", "template"):
        if got.get(k) != want[k]:
            diffs.append("%s: want %r, got %r" % (k, want[k], got.get(k)))
    derived = set(got.get("derived") or [])
    right = total = 0
    for path, w in cells(want):
        g = lookup(got, path)
        if path in derived:
            g = None
        total += 1
        same = (g == w) or (isinstance(g, (int, float)) and isinstance(w, (int, float))
                            and abs(g - w) < 1e-6)
        if same:
            right += 1
        elif flat and g is None and "run together" in warned:
            pass  # unread, and said so
        else:
            diffs.append("%s: want %r, got %r" % (path, w, g))
    return right, total, diffs


def quality(rec):
    """The record's quality as export computes it (store/export.c)."""
    if "quality" in rec:
        return rec["quality"]
    if rec.get("status") != "parsed":
        return "error"
    q = "warning" if rec.get("warnings") or rec.get("unplaced") else "ok"
    for c in rec.get("checks") or []:
        if c.get("ok") is False:
            if c.get("level") != "warning":
                return "error"
            q = "warning"
    return q


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("govharvest")
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--formats")
    ap.add_argument("--keep")
    ap.add_argument("--show", type=int, default=8, help="wrong cells shown per document")
    ap.add_argument("--spread", action="store_true",
                    help="also draw text spread over its cells' width (分散对齐), a family "
                         "the PDF reader does not read whole yet")
    ap.add_argument("--measure", default="",
                    help="comma list of families measured, not gated: their accuracy is "
                         "printed, and only a wrong cell in a record of quality ok fails")
    ap.add_argument("--ocr-min", type=float, default=97.0,
                    help="scans (read by OCR) pass on accuracy: at least this percentage of "
                         "their cells exact over the set, and no silent error (a record with a "
                         "wrong cell, or a wrong agency or year, must not be quality ok)")
    a = ap.parse_args()
    genlayouts.SPREAD = a.spread
    formats = a.formats.split(",") if a.formats else None
    if not shutil.which("soffice"):
        formats = [f for f in (formats or ["html", "docx", "text"])
                   if f not in ("pdf", "lodocx", "pdftext", "pdfjs", "pdftext_raw", "doc", "rtf",
                                "xls")]
        print("note: soffice not found; PDF and LibreOffice DOCX variants skipped")
    if formats and "pdftext_raw" in formats and not (shutil.which("chromium") or
                                                     shutil.which("chromium-browser")):
        formats = [f for f in formats if f != "pdftext_raw"]
        print("note: chromium not found; the pdftext_raw family skipped")
    measured = set(a.measure.split(",")) - {""}
    tmp = a.keep or tempfile.mkdtemp(prefix="gh-layouts-")
    made = genlayouts.write_variants(tmp, a.count, a.seed, formats)
    env = dict(os.environ)
    conf = os.path.join(tmp, "empty.conf")
    with open(conf, "w") as f:
        if any(n.split("_")[1] == "scan" for n, _ in made):
            # OCR is bounded by its CPU caps; on a loaded machine the
            # clock runs several times faster than the CPU it is given,
            # and the default 120 s would kill a sound read.
            f.write("[limits]\nextract_timeout_seconds = 1800\n")
    p = subprocess.run([a.govharvest, "parse", "--config", conf] + [m[1] for m in made],
                       capture_output=True, text=True, env=env, timeout=1800)
    lines = [l for l in p.stdout.splitlines() if l.strip()]
    if len(lines) != len(made):
        print("FAIL: %d records for %d documents\n%s" % (len(lines), len(made), p.stderr[-3000:]))
        return 1
    fam = collections.defaultdict(lambda: [0, 0, 0, 0])  # docs, docs exact, cells right, cells
    failed = 0
    silent = []
    scan_titles = [0, 0]  # scans, scans with agency and year right
    for (name, path), line in zip(made, lines):
        got = json.loads(line)
        exp = json.load(open(os.path.join(tmp, name + ".expected.json"), encoding="utf-8"))
        right, total, diffs = compare(exp["record"], got, exp["options"].get("style") == "flat")
        family = name.split("_")[1]
        f = fam[family]
        f[0] += 1
        f[1] += not diffs
        f[2] += right
        f[3] += total
        if family == "scan":
            scan_titles[0] += 1
            scan_titles[1] += got.get("agency") == exp["record"]["agency"] and \
                got.get("year") == exp["record"]["year"]
            warned = got.get("quality") != "ok"
            if not (got.get("source") or {}).get("ocr"):
                silent.append("%s: not read by OCR (source.ocr missing)" % name)
            if diffs and not warned:
                silent.append("%s: %d wrong cell(s) and quality ok: %s" % (name, len(diffs), diffs[:3]))
            if diffs:
                print("ocr  %s: %d/%d cells, quality %s, %d warnings (%s)" % (
                    name, right, total, got.get("quality"), len(got.get("warnings") or []),
                    json.dumps(exp["options"].get("scan"))))
                for d in diffs[:a.show]:
                    print("    " + d)
            continue
        if family in measured:
            if diffs and quality(got) == "ok":
                silent.append("%s: %d wrong cell(s) and quality ok: %s" % (name, len(diffs), diffs[:3]))
            continue
        if diffs:
            failed += 1
            print("FAIL %s (%s; %s)" % (os.path.basename(path), got.get("status"),
                                        json.dumps(exp["options"], ensure_ascii=False)))
            for d in diffs[:a.show]:
                print("    " + d)
            if len(diffs) > a.show:
                print("    … %d more" % (len(diffs) - a.show))
    print("\n%-16s %6s %6s %9s" % ("family", "docs", "exact", "cells"))
    all_right = all_total = 0
    for k in sorted(fam):
        d, e, r, t = fam[k]
        all_right += r
        all_total += t
        print("%-16s %6d %6d %8.3f%%" % (k, d, e, 100.0 * r / max(1, t)))
    print("%-16s %6d %6d %8.3f%%" % ("all", len(made), len(made) - failed,
                                     100.0 * all_right / max(1, all_total)))
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    for x in silent:
        print("FAIL silent: " + x)
    failed += bool(silent)
    if "scan" in fam:
        d, e, r, t = fam["scan"]
        pct = 100.0 * r / max(1, t)
        print("scans: %.2f%% of cells exact, agency and year right on %d of %d" % (
            pct, scan_titles[1], scan_titles[0]))
        if pct < a.ocr_min:
            print("FAIL scans: %.2f%% of cells exact, under %.2f%%" % (pct, a.ocr_min))
        failed += pct < a.ocr_min
    print("%d passed, %d failed" % (len(made) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

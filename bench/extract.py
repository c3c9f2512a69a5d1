#!/usr/bin/env python3
"""PDF extraction benchmark: govharvest parse (poppler-glib in a sandboxed
extraction worker, plus parsing) beside pdftotext (poppler-utils, same library) on the
same files in the same run.  Prints pages/s, MB/s and peak RSS of each.

    python3 bench/extract.py [BUILD_DIR] [ROUNDS]

Needs a non-sanitizer build (scripts/quickstart makes build/) and
pdftotext/pdfinfo (Debian package poppler-utils).  Figures, never asserts."""
import glob
import os
import resource
import shutil
import subprocess
import sys
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
gh = os.path.join(build, "govharvest")
pdfs = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "tests", "data", "reports", "*.pdf")))
if not os.access(gh, os.X_OK) or not shutil.which("pdftotext"):
    sys.exit("need %s and pdftotext (apt-get install poppler-utils)" % gh)


def pages(p):
    out = subprocess.run(["pdfinfo", p], capture_output=True, text=True).stdout
    return int(next(l.split()[1] for l in out.splitlines() if l.startswith("Pages:")))


PROBE = ("import resource, subprocess, sys\n"
         "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def run(cmd):
    """Wall seconds of one command run directly, and its peak RSS (KiB,
    descendants included) from a separate run inside a fresh probe process,
    so neither the probe's start-up nor earlier runs distort the figures."""
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t
    out = subprocess.run([sys.executable, "-c", PROBE] + cmd, capture_output=True, text=True)
    return wall, int(out.stdout.strip() or 0)


total_pages = sum(pages(p) for p in pdfs)
total_mb = sum(os.path.getsize(p) for p in pdfs) / 1e6
rows = []
for name, cmd in (("govharvest parse", [gh, "parse"] + pdfs),
                  ("pdftotext -layout", None), ("pdftotext (raw)", None)):
    wall = 0.0
    rss = 0
    for _ in range(rounds):
        if cmd:
            w, r = run(cmd)
        else:
            w = 0.0
            for p in pdfs:
                args = ["pdftotext"] + (["-layout"] if "layout" in name else []) + [p, "-"]
                dw, r = run(args)
                w += dw
        wall += w
        rss = max(rss, r)
    rows.append((name, total_pages * rounds / wall, total_mb * rounds / wall, rss / 1024))
print("PDF extraction: %d files, %d pages, %.2f MB, %d rounds" % (len(pdfs), total_pages, total_mb, rounds))
print("%-20s %10s %8s %14s" % ("tool", "pages/s", "MB/s", "peak RSS MiB"))
for r in rows:
    print("%-20s %10.1f %8.2f %14.1f" % r)
print("ratio govharvest/pdftotext -layout (pages/s): %.2f" % (rows[0][1] / rows[1][1]))

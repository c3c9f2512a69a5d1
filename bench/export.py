#!/usr/bin/env python3
"""Export benchmark: records/s and peak RSS of `govharvest export` in every
format over a store of N synthetic records, beside `mdb_dump` of the same
records database (the floor: LMDB read with no JSON or CSV work) in the
same run.  Memory should not grow with N: run with two sizes to see it.

    python3 bench/export.py [BUILD_DIR] [N ...]      (default: build 10000 100000)

Needs a non-sanitizer build (scripts/quickstart makes build/) and mdb_dump
(Debian lmdb-utils).  Prints figures, asserts nothing."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "web"))
from harness import anon_kib  # noqa: E402

build = sys.argv[1] if len(sys.argv) > 1 else "build"
sizes = [int(x) for x in sys.argv[2:]] or [10000, 100000]
gh = os.path.join(build, "govharvest")
maker = os.path.join(build, "bench", "make_store")
sample = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "seeds",
                      "002_36229eadd8369f27.txt")


def run(cmd):
    """Wall seconds, peak heap (MiB: anonymous RSS sampled every 5 ms) and
    exit status.  The store is memory-mapped: its pages count in RSS but
    are the page cache, shared and dropped under pressure; the heap is what
    the export holds."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_anon = 0
    while p.poll() is None:
        peak_anon = max(peak_anon, anon_kib(p.pid))
        time.sleep(0.005)
    return time.perf_counter() - t, peak_anon / 1024, p.returncode


print(f"{'records':>8} {'format':<22} {'records/s':>10} {'MB/s':>7} {'size MB':>8} {'x CSV':>6} "
      f"{'peak heap (anon RSS) MiB':>25}")
for n in sizes:
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "store")
        subprocess.run([maker, store, str(n), sample], check=True)
        cases = [(f, [gh, "export", "--store", store, "--format", f, "-o", os.path.join(tmp, "out." + f)])
                 for f in ("csv", "jsonl", "long", "sqlite")]
        cases.append(("sqlite --with-json", [gh, "export", "--store", store, "--format", "sqlite",
                                             "--with-json", "-o", os.path.join(tmp, "out.json.sqlite")]))
        csv_mb = None
        if shutil.which("mdb_dump"):
            cases.append(("mdb_dump (baseline)", ["mdb_dump", "-s", "records", "-p", store]))
        for name, cmd in cases:
            wall, rss, status = run(cmd)
            out = cmd[-1] if "-o" in cmd else None
            mb = os.path.getsize(out) / 1e6 if out and os.path.exists(out) else 0
            csv_mb = csv_mb or (mb if name == "csv" else None)
            ratio = f"{mb / csv_mb:>6.2f}" if mb and csv_mb else f"{'':>6}"
            print(f"{n:>8} {name:<22} {n / wall:>10.0f} {mb / wall if mb else 0:>7.1f} {mb:>8.1f} {ratio} "
                  f"{rss:>25.1f}" + ("" if status == 0 else "  (failed)"))

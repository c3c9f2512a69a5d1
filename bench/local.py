#!/usr/bin/env python3
"""Local work on every core: `parse` and `reparse` with one extraction
worker, then with one per core, on the same inputs in the same run.

    python3 bench/local.py [BUILD_DIR] [ROUNDS] [STORE_DOCS]

parse: the real reports and seed texts under tests/data (PDF, DOCX, HTML,
text), each ROUNDS times (default 10), in one command line.
reparse: a store of STORE_DOCS (default 10,000) distinct report documents
made by bench/make_store --documents, a third of whose records an "older
parser" got wrong; copied fresh for each run.

Prints documents/s and the speed-up; peak RSS is the largest single process
(the command or one worker).  Figures, never asserts."""
import glob
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
build = sys.argv[1] if len(sys.argv) > 1 else "build"
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
store_docs = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
gh = os.path.join(build, "govharvest")
make_store = os.path.join(build, "bench", "make_store")
data = os.path.join(HERE, "..", "tests", "data")
cores = os.cpu_count() or 1

PROBE = ("import resource, subprocess, sys, time\n"
         "t = time.perf_counter()\n"
         "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
         "w = time.perf_counter() - t\n"
         "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
         "print(w, ru.ru_maxrss, ru.ru_utime + ru.ru_stime, p.returncode)\n")


def run(cmd):
    out = subprocess.run([sys.executable, "-c", PROBE] + cmd, capture_output=True, text=True)
    wall, rss, cpu, rc = out.stdout.split()
    return float(wall), int(rss), float(cpu), int(rc)


def row(name, n, wall, rss, cpu, base=None):
    speed = "" if base is None else "%.2f×" % (base / wall)
    print("| %s | %d | %.2f | %.1f | %.2f | %.1f | %s |" % (name, n, wall, n / wall, cpu, rss / 1024, speed))


files = sorted(glob.glob(os.path.join(data, "reports", "*")) + glob.glob(os.path.join(data, "seeds", "*.txt")))
args = files * rounds
kinds = {}
for f in files:
    kinds[os.path.splitext(f)[1]] = kinds.get(os.path.splitext(f)[1], 0) + 1
print("parse: %d files (%s) × %d rounds = %d documents, %d cores" %
      (len(files), ", ".join("%d %s" % (v, k) for k, v in sorted(kinds.items())), rounds, len(args), cores))
print()
print("| run | documents | wall s | documents/s | CPU s | peak RSS MiB | speed-up |")
print("|---|---|---|---|---|---|---|")
base = None
for w in sorted({1, cores}):
    wall, rss, cpu, _ = run([gh, "parse", "--workers", str(w)] + args)
    row("parse --workers %d" % w, len(args), wall, rss, cpu, base)
    base = base or wall

with tempfile.TemporaryDirectory() as tmp:
    tmpl = os.path.join(data, "reports", "real_pingtan_2023.txt")
    master = os.path.join(tmp, "master")
    t = time.perf_counter()
    subprocess.run([make_store, master, str(store_docs), "--documents", tmpl], check=True)
    made = time.perf_counter() - t
    size = os.path.getsize(os.path.join(master, "data.mdb")) / 1e6
    print()
    print("reparse: %d documents (%s under %d titles), store %.0f MB, made in %.1f s" %
          (store_docs, os.path.basename(tmpl), store_docs, size, made))
    print()
    print("| run | documents | wall s | documents/s | CPU s | peak RSS MiB | speed-up |")
    print("|---|---|---|---|---|---|---|")
    base = None
    for w in sorted({1, cores}):
        s = os.path.join(tmp, "run%d" % w)
        shutil.copytree(master, s)
        wall, rss, cpu, rc = run([gh, "reparse", "--store", s, "--workers", str(w)])
        row("reparse --workers %d" % w, store_docs, wall, rss, cpu, base)
        base = base or wall
        shutil.rmtree(s)

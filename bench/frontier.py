#!/usr/bin/env python3
"""Memory against the size of the frontier: the queue lives in LMDB, so the
crawler's heap should not grow with the number of queued URLs.

For each N (default 10k, 100k, 1M) it fills a store with N queued URLs over
100 hosts (bench/make_store --frontier, as an interrupted crawl leaves
them), resumes the crawl against the benchmark web for a few seconds
(every URL answers 404 quickly), stops it with SIGINT, and prints the peak
heap (anonymous RSS) and how many responses it got through.

    python3 bench/frontier.py [BUILD_DIR] [N ...]

Needs a non-sanitizer build.  Prints figures, asserts nothing."""
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "web"))
from harness import anon_kib  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.dirname(here)
build = sys.argv[1] if len(sys.argv) > 1 else "build"
sizes = [int(x) for x in sys.argv[2:]] or [10_000, 100_000, 1_000_000]
gh = os.path.join(build, "govharvest")
maker = os.path.join(build, "bench", "make_store")
SECONDS = 5


with tempfile.TemporaryDirectory() as tmp:
    web = subprocess.Popen([sys.executable, os.path.join(src, "tests", "web", "fixture_web.py"),
                            os.path.join(src, "tests", "data"), os.path.join(tmp, "log"),
                            "--bench-hosts", "100", "--bench-pages", "2"], stdout=subprocess.PIPE, text=True)
    port = int(web.stdout.readline().split()[0])
    conf = os.path.join(tmp, "c.conf")
    with open(conf, "w") as f:
        f.write("[crawl]\nuser_agent = govharvest-bench (+file:///)\nretries = 0\n[log]\nlevel = error\n")
    # One seed (a seed list must name one); the queued URLs are the work.
    empty = os.path.join(tmp, "seeds.tsv")
    with open(empty, "w") as f:
        f.write("http://www.bench0000.gov.cn/nb/\t110101\tbench\n")
    print(f"{'queued URLs':>12} {'make store s':>12} {'peak heap MiB':>14} {'responses in ' + str(SECONDS) + ' s':>18}")
    try:
        for n in sizes:
            store = os.path.join(tmp, f"s{n}")
            t = time.perf_counter()
            subprocess.run([maker, store, str(n), "--frontier"], check=True)
            made = time.perf_counter() - t
            p = subprocess.Popen([gh, "crawl", "--config", conf, "--store", store, "--seeds", empty, "-q",
                                  "--connect-to", f"::127.0.0.1:{port}", "--delay", "0"],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            peak, end = 0, time.time() + SECONDS
            while time.time() < end and p.poll() is None:
                peak = max(peak, anon_kib(p.pid))
                time.sleep(0.02)
            p.send_signal(signal.SIGINT)
            out = p.communicate(timeout=60)[0]
            fetched = next((l.split()[1] for l in out.splitlines() if l.startswith("documents")), "?")
            print(f"{n:>12} {made:>12.1f} {peak / 1024:>14.1f} {fetched:>18}")
    finally:
        web.terminate()

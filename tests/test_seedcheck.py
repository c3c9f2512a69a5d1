#!/usr/bin/env python3
"""Seed lists checked like `nginx -t` (govharvest seeds check, and the
crawl's own reading of the list), one test per trap.

    test_seedcheck.py GOVHARVEST

A row whose columns are separated by spaces is an error naming the row and
saying the columns are tab-separated (and the crawl refuses the list before
fetching anything); a byte-order mark is stripped; a NUL byte is refused;
every bad row is listed in one run; an unknown region code is a warning,
in `seeds check`, in `seeds coverage` and in the crawl.  No web: nothing is
fetched.
"""
import os
import subprocess
import sys
import tempfile

GH = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "web"))
from harness import check, finish  # noqa: E402


def gh(*args):
    return subprocess.run([GH, *args], capture_output=True, text=True, timeout=60)


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


with tempfile.TemporaryDirectory() as tmp:
    conf = write(tmp, "t.conf", "[crawl]\nuser_agent = t/1 (+http://127.0.0.1/)\nretries = 0\n"
                 "[log]\nlevel = warning\n")
    # Spaces where tabs belong: the crawl fetched http://www.huaian.gov.cn/%20320800%20... before.
    spaced = write(tmp, "spaced.tsv", "url\tregion_code\tname\n"
                   "http://www.wd.gov.cn/\t532329\t武定县人民政府\n"
                   "http://www.huaian.gov.cn/ 320800 淮安市人民政府\n")
    r = gh("seeds", "check", "--config", conf, spaced)
    check(r.returncode == 1 and "spaced.tsv:3:" in r.stderr and "separated by tabs" in r.stderr,
          f"spaces in a row: an error naming the row and the tabs: {r.stderr}")
    r = gh("crawl", "--config", conf, "--store", os.path.join(tmp, "st"), "--seeds", spaced,
           "--connect-to", "::127.0.0.1:1", "-q")
    check(r.returncode == 2 and "spaced.tsv:3:" in r.stderr and "tabs" in r.stderr,
          f"the crawl refuses the list before fetching: {r.returncode} {r.stderr}")
    check(not os.path.exists(os.path.join(tmp, "st")), "nothing was crawled (no store made)")
    # A byte-order mark (a spreadsheet's "UTF-8 CSV") before the header or the first URL.
    for name, body in (("bom-header.tsv", "url\tregion_code\tname\nhttp://www.wd.gov.cn/\t532329\tx\n"),
                       ("bom-url.tsv", "http://www.wd.gov.cn/\t532329\tx\n")):
        path = write(tmp, name, b"\xef\xbb\xbf" + body.encode())
        r = gh("seeds", "check", "--config", conf, path)
        check(r.returncode == 0 and "1 seed, 0 warnings" in r.stdout,
              f"{name}: the byte-order mark is stripped: {r.stdout} {r.stderr}")
    # A NUL byte: not a text file.
    path = write(tmp, "nul.tsv", b"http://www.wd.gov.cn/\t532329\tx\nhttp://www.x.gov.cn/\0\t\t\n")
    r = gh("seeds", "check", "--config", conf, path)
    check(r.returncode == 1 and "nul.tsv:2: a NUL byte" in r.stderr, f"a NUL byte is refused: {r.stderr}")
    # Every bad row in one run.
    path = write(tmp, "many.tsv", "http://www.a.gov.cn/ 320800\n"
                 "ftp://www.b.gov.cn/\t320800\tb\n"
                 "http://www.c.gov.cn/\t3208\tc\n"
                 "http://www.ok.gov.cn/\t320800\tok\n"
                 "www.d.gov.cn\t320800\td\n")
    r = gh("seeds", "check", "--config", conf, path)
    errors = [l for l in r.stderr.splitlines() if l.startswith("govharvest: error: ")]
    check(r.returncode == 1 and [e.split(":")[3] for e in errors] == ["1", "2", "3", "5"] and
          "4 errors" in r.stderr, f"every bad row is listed in one run: {r.stderr}")
    # An unknown region code: a warning, not an error.
    path = write(tmp, "unknown.tsv", "http://www.wd.gov.cn/\t532329\tx\nhttp://www.y.gov.cn/\t999901\ty\n")
    r = gh("seeds", "check", "--config", conf, path)
    check(r.returncode == 0 and "unknown.tsv:2: region code 999901 is not in the region table" in r.stderr
          and "1 warning" in r.stdout, f"an unknown region code is a warning: {r.stdout} {r.stderr}")
    r = gh("seeds", "coverage", "--config", conf, "--seeds", path)
    check(r.returncode == 0 and "999901 is not in the region table" in r.stderr,
          f"seeds coverage warns of it too: {r.stderr}")
    r = gh("crawl", "--config", conf, "--store", os.path.join(tmp, "st2"), "--seeds", path,
           "--connect-to", "::127.0.0.1:1", "--delay", "0.01", "-q")
    check("999901 is not in the region table" in r.stderr, f"and the crawl: {r.stderr[-400:]}")
    # The configured list when no FILE is given.
    cfg2 = write(tmp, "t2.conf", f"[crawl]\nseeds = {path}\n")
    r = gh("seeds", "check", "--config", cfg2)
    check(r.returncode == 0 and "unknown.tsv: 2 seeds" in r.stdout, f"no FILE: the configured list: {r.stdout}")
finish("seedcheck")

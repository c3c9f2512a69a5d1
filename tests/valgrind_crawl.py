#!/usr/bin/env python3
"""A full crawl of the fixture web under valgrind memcheck: no memory error
and no leak (definite or indirect) in the crawler process, and no memory
error in its extraction workers (programs it spawns, traced too), which
must still parse the reports.

    valgrind_crawl.py GOVHARVEST      (a build without sanitizers)
"""
import glob
import json
import os
import re
import subprocess
import sys

GH = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "web"))
from harness import SEEDS, SRC, check, finish, with_web  # noqa: E402


def run(tmp, web):
    seeds = os.path.join(tmp, "seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(SEEDS + "https://www.shanghai.gov.cn/nw12344/\t310000\t上海市人民政府\n")
    conf = os.path.join(tmp, "c.conf")
    with open(conf, "w") as f:
        f.write(f"[crawl]\nregions = {SRC}/config/regions.tsv\nuser_agent = t (+http://127.0.0.1/)\n"
                "timeout = 30\n[limits]\nextract_timeout_seconds = 600\n[log]\nlevel = error\n")
    log = os.path.join(tmp, "vg.log")
    r = subprocess.run(["valgrind", "--leak-check=full", "--show-leak-kinds=definite,indirect",
                        "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=9",
                        "--trace-children=yes", f"--log-file={log}.%p",
                        GH, "crawl", "--config", conf, "--store", os.path.join(tmp, "store"),
                        "--seeds", seeds, "-q", "--delay", "0.1",
                        "--connect-to", f"www.shanghai.gov.cn:443:127.0.0.1:{web.tls_port}",
                        "--connect-to", f"::127.0.0.1:{web.port}"],
                       capture_output=True, text=True, timeout=600)
    text, workers = "", ""  # one log per process: the crawler's and each worker's
    for path in glob.glob(log + ".*"):
        part = open(path).read()
        if "__extract-worker" in part:
            workers += part
        else:
            text += part
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", text)
    check(r.returncode == 0 and "(complete)" in r.stdout,
          f"the crawl completes under valgrind: {r.returncode} {r.stdout[:120]!r}")
    check(summary == ["0"], f"no memory errors: {summary}\n{text[-3000:]}")
    wsum = re.findall(r"ERROR SUMMARY: (\d+) errors", workers)
    check(wsum and set(wsum) == {"0"}, f"no memory errors in the {len(wsum)} workers: {wsum}\n{workers[-3000:]}")
    out = subprocess.run([GH, "export", "--store", os.path.join(tmp, "store"), "--format", "jsonl"],
                         capture_output=True, text=True)
    parsed = [x for x in map(json.loads, out.stdout.splitlines()) if x["status"] == "parsed"]
    check(len(parsed) >= 10, f"the workers parsed the reports: {len(parsed)} parsed records")
    check("definitely lost: 0 bytes" in text or "All heap blocks were freed" in text,
          "no definite leak")
    check("indirectly lost: 0 bytes" in text or "All heap blocks were freed" in text,
          "no indirect leak")


with_web(run)
finish("valgrind")

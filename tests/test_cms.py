#!/usr/bin/env python3
"""Every report on county portals of the CMS families, whatever their
variations (tests/web/cms_web.py): for several seeds, a crawl of the four
portals lands exactly the expected (agency, year) set — nothing missed,
nothing extra — and asks robots.txt first on every host.

    test_cms.py GOVHARVEST
"""
import os
import subprocess
import sys
import tempfile

GH = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "web"))
sys.path.insert(0, os.path.join(HERE, "layouts"))
from harness import Web, check, finish, records, crawl_config  # noqa: E402
from cms_web import cms_web  # noqa: E402

SEEDS = [int(x) for x in os.environ.get("GH_CMS_SEEDS", "1 2 3 4 5 6").split()]


def one(tmp, seed):
    web = Web(tmp, ["--cms-seed", str(seed)])
    web.clear()
    try:
        _, seeds_tsv, expected = cms_web(seed)
        seeds = os.path.join(tmp, f"seeds{seed}.tsv")
        with open(seeds, "w", encoding="utf-8") as f:
            f.write(seeds_tsv)
        conf = crawl_config(tmp, "cms.conf", "timeout = 10\nretries = 1")
        store = os.path.join(tmp, f"store{seed}")
        r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                            "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.01", "-q"],
                           capture_output=True, text=True, timeout=600)
        check(r.returncode == 0, f"seed {seed}: crawl exits 0: {r.stderr[-300:]}")
        got = {(x["agency"], x["year"]) for x in records(GH, store)}
        check(got == expected, f"seed {seed}: exactly the reports:\n  missed {sorted(expected - got)[:8]} "
                               f"({len(expected - got)})\n  extra {sorted(got - expected)[:8]}")
        proxy = [q for q in web.requests() if "dataproxy.jsp" in q["path"]]
        check(all(q["method"] == "POST" and "columnid=" in (q["form"] or "") and "columnid" not in q["path"]
                  for q in proxy),
              f"seed {seed}: dataproxy.jsp asked by POST with the column's form, the range in the URL: {proxy[:1]}")
        first = {}
        for q in web.requests():
            first.setdefault(q["host"], q["path"])
        check(all(p == "/robots.txt" for p in first.values()), f"seed {seed}: robots.txt first")
    finally:
        web.stop()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            one(tmp, seed)
    finish("cms")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Portals a crawler reaches only by reading structure (tests/web/family_web.py):
ASP.NET WebForms and pageIndex form pagers, department directories two and
three levels deep, half-width/full-width/traditional/spaced text, seeds
that are columns, GBK pages, broken links.  For each seed, one crawl must
land exactly the generated report set, post every form page with the state
the page gave (no refused post), post each page once, and say what it cost.

usage: test_families.py GOVHARVEST  (GH_FAMILY_SEEDS="8 10 11" by default)"""
import base64
import collections
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
GH = os.path.abspath(sys.argv[1])
sys.path.insert(0, os.path.join(HERE, "web"))
sys.path.insert(0, os.path.join(HERE, "layouts"))
from harness import Web, check, finish, records, crawl_config  # noqa: E402
from family_web import family_web  # noqa: E402

SEEDS = [int(x) for x in os.environ.get("GH_FAMILY_SEEDS", "8 10 11").split()]
STATE = ("__VIEWSTATE", "__EVENTVALIDATION", "__CSRFTOKEN")


def one(tmp, seed):
    web = Web(tmp, ["--family-seed", str(seed)])
    web.clear()
    try:
        _, seeds_tsv, expected, shapes = family_web(seed)
        print(f"seed {seed}:", "; ".join(shapes))
        seeds = os.path.join(tmp, f"seeds{seed}.tsv")
        with open(seeds, "w", encoding="utf-8") as f:
            f.write(seeds_tsv)
        conf = crawl_config(tmp, "families.conf", "timeout = 10\nretries = 1")
        store = os.path.join(tmp, f"store{seed}")
        r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                            "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.01", "-q"],
                           capture_output=True, text=True, timeout=600)
        check(r.returncode == 0, f"seed {seed}: crawl exits 0: {r.stderr[-300:]}")
        eff = [l for l in r.stdout.splitlines() if l.startswith("efficiency")]
        check(len(eff) == 1 and "requests per landed report" in eff[0],
              f"seed {seed}: the summary says the requests per landed report: {r.stdout[-400:]!r}")
        print(f"seed {seed}: {eff[0] if eff else '(no efficiency line)'}")
        got = {(x["agency"], x["year"]) for x in records(GH, store)}
        missed, extra = expected - got, got - expected
        check(not missed and not extra,
              f"seed {seed}: exactly the reports: missed {sorted(missed)[:6]} ({len(missed)}), "
              f"extra {sorted(extra)[:6]} ({len(extra)})")
        reqs = web.requests()
        posts = [q for q in reqs if q["method"] == "POST"]
        forms = {h for h, paths in family_web(seed)[0].items()
                 for p, v in paths.items() if isinstance(v, dict)}
        unposted = sorted(h for h in forms if not any(q["host"] == h for q in posts))
        check(not unposted, f"seed {seed}: every form-paged list was posted; not: {unposted}")
        check(all(q["status"] == 200 for q in posts),
              f"seed {seed}: every post carried the state its page gave: "
              f"{[(q['host'], q['path'], q['status']) for q in posts if q['status'] != 200][:3]}")
        # A post is one page of the crawl: the same form, less its state, once
        # in the list it pages (a department's, in the view state); a relative
        # step (NextPage) once from each page it was taken on.
        seen = collections.Counter()
        for q in posts:
            f = urllib.parse.parse_qsl(q["form"] or "", keep_blank_values=True)
            ident = tuple(kv for kv in f if kv[0] not in STATE)
            if "__VIEWSTATE" in dict(f):
                vs = json.loads(base64.b64decode(dict(f)["__VIEWSTATE"]))
                target = dict(f).get("__EVENTTARGET", "")
                ident += (vs["d"] if not target.endswith("$lbDept") else None,
                          vs["p"] if target.endswith(("NextPage", "PrevPage")) else None)
            seen[(q["host"], q["path"], ident)] += 1
        twice = [k for k, n in seen.items() if n > 1]
        check(not twice, f"seed {seed}: each form page posted once: {twice[:2]}")
        first = {}
        for q in reqs:
            first.setdefault(q["host"], q["path"])
        check(all(p == "/robots.txt" for p in first.values()), f"seed {seed}: robots.txt first")
        # The next cycle asks again: a post is never answered from a GET's validators.
        r2 = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                             "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.01", "-q",
                             *[a for line in seeds_tsv.splitlines()[1:] for a in ("--seed", line.split("\t")[0])]],
                            capture_output=True, text=True, timeout=600)
        check(r2.returncode == 0, f"seed {seed}: a second crawl exits 0: {r2.stderr[-300:]}")
        again = [q for q in web.requests()[len(reqs):] if q["method"] == "POST"]
        check(len(again) >= len(forms) and all(q["status"] == 200 for q in again),
              f"seed {seed}: the forced crawl posts the form pages again, with fresh state")
        got2 = {(x["agency"], x["year"]) for x in records(GH, store)}
        check(got2 == expected, f"seed {seed}: the second crawl keeps exactly the reports")
    finally:
        web.stop()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            one(tmp, seed)
    finish("families")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Seeds for every county: `seeds discover` and `seeds coverage`.

For several seeds of tests/web/portal_web.py (a province portal whose
navigation reaches its cities by dropdown, headed list or a page of its
own; cities listing their counties; identifiers in the footer, in a meta
or missing; a bureau's site; a portal moved to a new domain; a county whose
identifier and title disagree; off-site, non-government and neighbouring
links; GBK pages), `seeds discover` must write exactly the expected rows,
report the conflict, read robots.txt first and never fetch a host that is
not *.gov.cn.  --merge adds new rows, updates a moved portal and removes
nothing.  `seeds coverage` names exactly the places without a portal.

    test_seeds.py GOVHARVEST
"""
import csv
import io
import json
import os
import subprocess
import sys
import tempfile

GH = sys.argv[1]
SEEDS = [int(x) for x in os.environ.get("GH_SEEDS_SEEDS", "1 2 3 4").split()]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "web"))
from harness import Web, check, finish, crawl_config  # noqa: E402
from portal_web import portal_web  # noqa: E402


def gh(*args, timeout=300):
    return subprocess.run([GH, *args], capture_output=True, text=True, timeout=timeout)


def config(tmp):
    return crawl_config(tmp, "seeds.conf", "timeout = 5")


def rows_of(tsv):
    r = list(csv.reader(io.StringIO(tsv), delimiter="\t"))
    check(r and r[0] == ["url", "region_code", "name", "kind", "identifier"], f"the TSV header: {r[:1]}")
    return [tuple(x) for x in r[1:]]


def discover(tmp, seed):
    web = Web(tmp, ["--portal-seed", str(seed)])
    web.clear()
    try:
        _, start, want = portal_web(seed)
        r = gh("seeds", "discover", "--config", config(tmp), "--connect-to", f"::127.0.0.1:{web.port}",
               "--delay", "0.05", start)
        got = rows_of(r.stdout)
        check(r.returncode == 0 and sorted(got) == sorted(want),
              f"seed {seed}: exactly the expected rows:\n  missing {sorted(set(want) - set(got))}\n"
              f"  extra {sorted(set(got) - set(want))}\n  {r.stderr[-600:]}")
        check("conflict" in r.stderr and "www.ruijin.gov.cn" in r.stderr,
              f"seed {seed}: the identifier/title conflict is reported: {r.stderr[-400:]}")
        reqs = web.requests()
        hosts = {q["host"] for q in reqs}
        from portal_web import CLOSED, CLOSED_PATH
        check(CLOSED[1] not in hosts and not any(q["path"] == CLOSED_PATH for q in reqs),
              f"seed {seed}: a page robots.txt closes to govharvest by name is not read, nor what it lists")
        check(all(h.endswith(".gov.cn") for h in hosts) and "www.gov.cn" not in hosts and
              "www.hunan.gov.cn" not in hosts,
              f"seed {seed}: only this province's *.gov.cn hosts are read: {sorted(hosts)}")
        first = {}
        for q in reqs:
            first.setdefault(q["host"], q["path"])
        check(all(p == "/robots.txt" for p in first.values()),
              f"seed {seed}: robots.txt first on every host: {[(h, p) for h, p in first.items() if p != '/robots.txt']}")
        per_host = {}
        for q in reqs:
            per_host[q["host"]] = per_host.get(q["host"], 0) + 1
        check(max(per_host.values()) <= 6, f"seed {seed}: a bounded walk: {per_host}")
        return want, web
    except Exception:
        web.stop()
        raise


def merge(tmp, want, web):
    """An existing list: the moved city at its old address, a hand-added row
    discovery cannot see, and part of the rest."""
    old = os.path.join(tmp, "old.tsv")
    moved = [r for r in want if r[0] == "http://www.pxs.gov.cn/"][0]
    keep = [r for r in want if r[0] != moved[0]][:4]
    hand = ("http://www.example.gov.cn/xxgk/", "360000", "手工添加的栏目", "", "")
    with open(old, "w") as f:
        f.write("url\tregion_code\tname\tkind\tidentifier\n")
        for r in keep + [("http://www.pingxiang.gov.cn/",) + moved[1:], hand]:
            f.write("\t".join(r) + "\n")
    out = os.path.join(tmp, "merged.tsv")
    r = gh("seeds", "discover", "--config", config(tmp), "--connect-to", f"::127.0.0.1:{web.port}",
           "--delay", "0.05", "--merge", old, "-o", out, "http://www.jiangxi.gov.cn/")
    got = rows_of(open(out, encoding="utf-8").read()) if os.path.exists(out) else []
    check(r.returncode == 0 and hand in got, f"merge keeps what it did not find: {r.stderr[-300:]}")
    check(moved in got and not any(g[0] == "http://www.pingxiang.gov.cn/" for g in got),
          "a moved portal (same identifier) gets its new URL")
    check(sorted(set(got) - {hand}) == sorted(want), f"and the rest are added: {sorted(set(want) - set(got))}")
    check("1 moved" in r.stderr and f"{len(want) - len(keep) - 1} added" in r.stderr,
          f"merge says what it did: {r.stderr[-200:]}")
    # The result is a seed list the crawler reads (extra columns ignored).
    r = gh("seeds", "coverage", "--seeds", out, "--json")
    cov = json.loads(r.stdout or "{}")
    jx = [p for p in cov.get("provinces", []) if p["code"] == "360000"]
    covered = {x[1] for x in got if x[1] and x[3] == "government"}
    check(r.returncode == 0 and jx and jx[0]["covered"] == len([c for c in covered if not c.endswith("00")]),
          f"coverage counts the discovered counties: {jx[:1] and jx[0]['covered']} vs {covered}")
    missing = {m["code"] for m in jx[0]["missing"]} if jx else set()
    check("360733" not in missing and "360781" in missing and "360734" in missing,
          "coverage names exactly the places without a portal (瑞金's conflict left it without one)")


def coverage(tmp):
    seeds = os.path.join(tmp, "cov.tsv")
    with open(seeds, "w") as f:
        f.write("url\tregion_code\tname\nhttp://a.gov.cn/\t110101\t东城区\nhttp://b.gov.cn/\t110102\t西城区\n"
                "http://c.gov.cn/\t320800\t淮安市\nhttp://d.gov.cn/\t\tno code\n")
    r = gh("seeds", "coverage", "--seeds", seeds)
    check(r.returncode == 0 and "110000 北京市 2/16" in r.stdout and "missing 110105 朝阳区" in r.stdout
          and "missing 110101" not in r.stdout, f"coverage per province, the missing named: {r.stdout[:300]}")
    r = gh("seeds", "coverage", "--seeds", seeds, "--level", "prefecture", "--json")
    cov = json.loads(r.stdout)
    js = [p for p in cov["provinces"] if p["code"] == "320000"][0]
    check(cov["covered"] == 1 and js["covered"] == 1 and "320800" not in {m["code"] for m in js["missing"]},
          "prefecture level")
    r = gh("seeds", "coverage", "--seeds", seeds, "--level", "town")
    check(r.returncode == 2 and "--level" in r.stderr, "a bad level is refused")
    r = gh("seeds", "frobnicate")
    check(r.returncode == 2 and "unknown subcommand" in r.stderr, "an unknown subcommand is refused")


def bad_input(tmp):
    web = Web(tmp)
    try:
        conf = config(tmp)
        # A page that is no portal: no navigation, no identifier.
        r = gh("seeds", "discover", "--config", conf, "--connect-to", f"::127.0.0.1:{web.port}",
               "--delay", "0.05", "http://www.wd.gov.cn/zwgk/zfxxgknb/202103/t20210315_101.html")
        check("not a portal's home page" in r.stderr, f"a non-portal URL is said to be one: {r.stderr[-300:]}")
        r = gh("seeds", "discover", "--config", conf, "not a url")
        check(r.returncode == 1 and "not an http(s) URL" in r.stderr, f"a bad URL: {r.stderr[-200:]}")
        bad = os.path.join(tmp, "bad.tsv")
        with open(bad, "w") as f:
            f.write("url\tregion_code\tname\tkind\tidentifier\nhttp://www.a.gov.cn/\t36073\t某县\tgovernment\t\n")
        r = gh("seeds", "discover", "--config", conf, "--merge", bad, "http://www.x.gov.cn/")
        check(r.returncode == 2 and "bad.tsv:2" in r.stderr and "not 6 digits" in r.stderr,
              f"a list to merge is checked like a seed list, naming file and line: {r.stderr[-200:]}")
        r = gh("seeds", "discover", "--config", conf, "--max-pages", "0", "http://www.x.gov.cn/")
        check(r.returncode == 2, "--max-pages 0 is refused")
    finally:
        web.stop()


def main():
    with tempfile.TemporaryDirectory() as tmp:
        coverage(tmp)
        for seed in SEEDS:
            want, web = discover(tmp, seed)
            if seed == 1:
                merge(tmp, want, web)
            web.stop()
        bad_input(tmp)
    finish("seeds")


if __name__ == "__main__":
    main()

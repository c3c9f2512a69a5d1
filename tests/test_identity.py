#!/usr/bin/env python3
"""One agency, one key, across the ways its reports print its name.

For several seeds of tests/web/identity_web.py (county portals whose
agencies print their names a different way every year, and a city portal
that relists one bureau's report under its bare name): a crawl lands every
agency under one agency_key with an unbroken series of years, `stats` lists
no gap for any of them, and the city's later copy of a report is current
with the county's kept in history, as its warnings say.

Then the migration: the previous release's store of such a crawl (schema 2,
tests/data/stores/schema2, keyed by the name as printed, so one agency is
several) is re-keyed by the first write open of this release: a backup
first, every record kept (current or in history), the series joined.

    test_identity.py GOVHARVEST
"""
import collections
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

GH = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "web"))
sys.path.insert(0, os.path.join(HERE, "layouts"))
from harness import DATA, Web, check, finish, records, crawl_config  # noqa: E402
from identity_web import identity_web  # noqa: E402

SEEDS_RUN = [1, 2, 3]
SCHEMA2 = os.path.join(DATA, "stores", "schema2")
SCHEMA2_SEED = 7  # the identity web the schema-2 store was crawled from


def gh(*args):
    return subprocess.run([GH, *args], capture_output=True, text=True, timeout=300)


def config(tmp):
    return crawl_config(tmp, "identity.conf", "timeout = 5\nretries = 1")


def crawl(tmp, web, seed, store):
    _, seeds_tsv, expected, relisted = identity_web(seed)
    seeds = os.path.join(tmp, f"seeds{seed}.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(seeds_tsv)
    r = gh("crawl", "--config", config(tmp), "--store", store, "--seeds", seeds,
           "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.01", "-q")
    check(r.returncode == 0, f"seed {seed}: crawl exits 0: {r.stderr[-400:]}")
    return expected, relisted


def series(recs):
    by_key = collections.defaultdict(list)
    for r in recs:
        by_key[r["agency_key"]].append(r["year"])
    return {k: sorted(v) for k, v in by_key.items()}


def one_web(tmp, seed):
    web = Web(tmp, ["--identity-seed", str(seed)])
    try:
        store = os.path.join(tmp, f"store{seed}")
        expected, (rkey, ryear, rurl) = crawl(tmp, web, seed, store)
    finally:
        web.stop()
    recs = records(GH, store)
    got = series(recs)
    for key, years in expected.items():
        check(got.get(key) == years, f"seed {seed}: {key} has one unbroken series: {got.get(key)}")
    names = collections.defaultdict(set)
    for r in recs:
        names[r["agency_key"]].add(r["agency"])
    check(sum(len(v) > 1 for v in names.values()) >= 4,
          f"seed {seed}: agencies printed several ways share a key: {dict(names)}")
    stray = set(got) - set(expected)
    check(not stray, f"seed {seed}: no agency under a second key: {stray}")
    st = json.loads(gh("stats", "--store", store, "--json").stdout)
    gaps = {g["agency_key"]: g["missing_years"] for g in st["gaps"]}
    check(not gaps, f"seed {seed}: no gap (false gaps came from split names): {gaps}")
    cur = [r for r in recs if r["agency_key"] == rkey and r["year"] == ryear]
    check(len(cur) == 1 and cur[0]["source"]["url"] == rurl,
          f"seed {seed}: the later publication of {rkey} {ryear} is current: "
          f"{[c['source']['url'] for c in cur]}")
    check(cur and any("another document for this agency and year" in w and "published later" in w
                      for w in cur[0]["warnings"]),
          f"seed {seed}: and says another document is kept: {cur and cur[0]['warnings']}")
    r = gh("check", "--store", store)
    check(r.returncode == 0 and " 1 in history" in r.stdout + r.stderr,
          f"seed {seed}: the other document is in history: {r.stdout[-300:]} {r.stderr[-300:]}")


def migration(tmp):
    s = os.path.join(tmp, "s2")
    os.makedirs(s)
    with gzip.open(os.path.join(SCHEMA2, "data.mdb.gz")) as f, open(os.path.join(s, "data.mdb"), "wb") as o:
        shutil.copyfileobj(f, o)
    old = [json.loads(l) for l in open(os.path.join(SCHEMA2, "export.jsonl"), encoding="utf-8")]
    _, _, expected, _ = identity_web(SCHEMA2_SEED)
    old_agencies = {(r["agency"], r["region_code"]) for r in old}
    check(len(old_agencies) > len(expected) + 4,
          f"the previous release split agencies by name: {len(old_agencies)} names for {len(expected)}")
    # Readers read it as it is.
    r = gh("export", "--store", s)
    check(r.returncode == 0 and len(r.stdout.splitlines()) == len(old),
          f"a schema-2 store reads as it is: {r.returncode} {r.stderr[:200]}")
    r = gh("reparse", "--store", s)
    check(r.returncode == 0 and "migrated from schema 2" in r.stderr and "schema-2-backup" in r.stderr,
          f"the first write open migrates, and says so: {r.returncode} {r.stderr[:300]}")
    check(os.path.exists(os.path.join(s, "schema-2-backup", "data.mdb")), "after a backup")
    new = records(GH, s)
    got = series(new)
    for key, years in expected.items():
        check(got.get(key) == years, f"migrated: {key} has one unbroken series: {got.get(key)}")
    kept = {(r["source"]["url"], r["year"]) for r in new}
    c = gh("check", "--store", s)
    hist = int(c.stdout.split(" in history")[0].split()[-1]) if " in history" in c.stdout else -1
    check(c.returncode == 0, f"the migrated store checks clean: {c.stdout[-300:]}")
    check(len(kept) + hist == len(old) and all((r["source"]["url"], r["year"]) in kept or hist > 0
                                              for r in old),
          f"every record is kept, current or in history: {len(kept)} + {hist} of {len(old)}")
    st = json.loads(gh("stats", "--store", s, "--json").stdout)
    check(not st["gaps"], f"no false gaps after the migration: {st['gaps']}")
    r = gh("reparse", "--store", s)
    check(r.returncode == 0 and "migrated" not in r.stderr, "migration happens once")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS_RUN:
            one_web(tmp, seed)
        if os.path.exists(SCHEMA2):
            migration(tmp)
        else:
            check(False, f"{SCHEMA2} is missing")
    finish("identity")


if __name__ == "__main__":
    main()

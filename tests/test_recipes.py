#!/usr/bin/env python3
"""docs/recipes.md runs and says what it prints; the export presets and
--columns give what docs/exports.md says.

    test_recipes.py GOVHARVEST

On a stored crawl of the fixture web (tests/data/stores/schema1): every
```python block of docs/recipes.md runs under pandas and every ```r block
under Rscript on the `indicators` preset, every ```sql block on the SQLite
export, and each prints the table
the page documents.  Per report, the CSV's computed columns equal the
SQLite view's and a recomputation here from the JSON records (the form's
cells, by the page's definitions).  The presets and --columns write the
named columns with matching CSVW metadata; bad names are refused.
"""
import csv
import gzip
import io
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

try:
    import pandas  # noqa: F401
    PANDAS = sys.executable
except ImportError:
    PANDAS = "/usr/bin/python3" if subprocess.run(["/usr/bin/python3", "-c", "import pandas"],
                                                  capture_output=True).returncode == 0 else None

GH = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "web"))
from harness import DATA, SRC, check, finish  # noqa: E402

REQUIRED = os.environ.get("GH_REQUIRE_READERS") == "1"


def gh(*args, rc=0):
    r = subprocess.run([GH, *args], capture_output=True, text=True, timeout=120)
    check(r.returncode == rc, f"govharvest {' '.join(args)} exits {rc}: {r.stderr[-300:]}")
    return r


def md_table(md, marker):
    """The rows of the markdown table between <!-- marker --> and its end."""
    body = md.split(f"<!-- {marker} -->")[1].split(f"<!-- /{marker} -->")[0]
    lines = [l.strip() for l in body.strip().splitlines() if l.strip().startswith("|")]
    head = [c.strip() for c in lines[0].strip("|").split("|")]
    return head, [[c.strip() for c in l.strip("|").split("|")] for l in lines[2:]]


def num(v):
    return None if v in ("", None) or (isinstance(v, float) and math.isnan(v)) else float(v)


def same_table(what, want, got_head, got_rows):
    head, rows = want
    check(got_head == head, f"{what}: columns {got_head} == {head}")
    check(len(got_rows) == len(rows), f"{what}: {len(got_rows)} rows == {len(rows)}")
    for w, g in zip(rows, got_rows):
        for col, a, b in zip(head, w, g):
            a, b = num(a), num(b)
            ok = (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 5e-5)
            check(ok, f"{what}: year {w[0]} {col}: documented {a}, printed {b}")


def run(tmp):
    store = os.path.join(tmp, "store")
    os.makedirs(store)
    with gzip.open(os.path.join(DATA, "stores", "schema1", "data.mdb.gz")) as f, \
            open(os.path.join(store, "data.mdb"), "wb") as o:
        shutil.copyfileobj(f, o)
    ind = os.path.join(tmp, "indicators.csv")
    db = os.path.join(tmp, "records.sqlite")
    gh("export", "--store", store, "--preset", "indicators", "-o", ind)
    gh("export", "--store", store, "-f", "sqlite", "-o", db)
    records = [json.loads(l) for l in gh("export", "--store", store).stdout.splitlines()]
    md = open(os.path.join(SRC, "docs", "recipes.md"), encoding="utf-8").read()
    blocks = re.findall(r"```(python|sql|r)\n(.*?)```", md, re.S)
    pooled = md_table(md, "recipes-expected")
    yoy = md_table(md, "recipes-expected-yoy")

    # pandas
    pys = [b for k, b in blocks if k == "python"]
    check(len(pys) == 1, "recipes.md has its pandas recipe")
    if PANDAS:
        r = subprocess.run([PANDAS, "-c", pys[0]], cwd=tmp, capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"the pandas recipe runs: {r.stderr[-500:]}")
        rows = [x for x in csv.reader(io.StringIO(r.stdout)) if x]
        if rows:
            same_table("pandas", pooled, rows[0], rows[1:])
    elif REQUIRED:
        check(False, "pandas is installed (GH_REQUIRE_READERS=1)")
    else:
        print("note: pandas not installed: its recipe is skipped", file=sys.stderr)

    # R, base only
    rs = [b for k, b in blocks if k == "r"]
    check(len(rs) == 1, "recipes.md has its R recipe")
    if shutil.which("Rscript"):
        script = os.path.join(tmp, "recipe.R")
        with open(script, "w", encoding="utf-8") as f:
            f.write(rs[0])
        r = subprocess.run(["Rscript", script], cwd=tmp, capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"the R recipe runs: {r.stderr[-500:]}")
        rows = [x for x in csv.reader(io.StringIO(r.stdout)) if x]
        if rows:
            same_table("R", pooled, rows[0], rows[1:])
    elif REQUIRED:
        check(False, "Rscript is installed (r-base-core; GH_REQUIRE_READERS=1)")
    else:
        print("note: Rscript not installed: the R recipe is skipped", file=sys.stderr)

    # SQL, with Python's sqlite3 (the same SQLite the shell runs)
    sqls = [b for k, b in blocks if k == "sql"]
    check(len(sqls) == 2, f"recipes.md has its two SQL recipes ({len(sqls)})")
    con = sqlite3.connect(db)
    for q, want in zip(sqls, (pooled, yoy)):
        cur = con.execute(q)
        head = [d[0] for d in cur.description]
        same_table("sql " + head[1], want, head, [["" if v is None else str(v) for v in row]
                                                  for row in cur.fetchall()])

    # Per report: CSV == view == the definitions applied to the cells here.
    with open(ind, encoding="utf-8") as f:
        csv_rows = list(csv.DictReader(f))
    view = {(r["agency_key"], r["year"]): r for r in
            (dict(zip([d[0] for d in c.description], row))
             for c in [con.execute("SELECT * FROM indicators")] for row in c.fetchall())}
    check(len(csv_rows) == len(records) == len(view), "one indicators row per record")
    pairs = {"applications.total.total": "decided", "indicators.grant_rate": "grant_rate",
             "indicators.denied": "denied", "indicators.unable_rate": "unable_rate",
             "indicators.reconsideration_corrected_rate": "reconsideration_corrected_rate",
             "indicators.lawsuits_lost_rate": "lawsuits_lost_rate"}
    for rec, row in zip(records, csv_rows):
        v = view.get((row["agency_key"], int(row["year"])))
        check(v is not None, f"{row['agency']} {row['year']} is in the view")
        for c, vc in pairs.items():
            a, b = num(row[c]), num(v[vc]) if v else None
            check((a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9),
                  f"{row['agency']} {row['year']}: CSV {c}={a} == view {vc}={b}")
        apps, ap = rec.get("applications") or {}, rec.get("appeals") or {}
        tot = lambda row_: (row_ or [None] * 7)[6]  # noqa: E731
        decided = tot(apps.get("total"))
        granted = tot(apps.get("granted"))
        denied_parts = [tot(x) for x in (apps.get("denied") or {}).values()]
        denied = None if all(x is None for x in denied_parts) else sum(x or 0 for x in denied_parts)
        want_grant = granted / decided if granted is not None and decided else None
        check(num(row["indicators.grant_rate"]) == want_grant or
              abs((num(row["indicators.grant_rate"]) or 0) - (want_grant or 0)) < 1e-12,
              f"{row['agency']} {row['year']}: grant_rate = 予以公开/三（七）总计 ({want_grant})")
        check(num(row["indicators.denied"]) == denied, f"{row['agency']}: 不予公开 sum {denied}")
        lit = [ap.get("litigation_direct") or [None] * 5, ap.get("litigation_after_review") or [None] * 5]
        dec = [x for g in lit for x in g[:3]]
        lost = [g[1] for g in lit]
        dsum = None if all(x is None for x in dec) else sum(x or 0 for x in dec)
        lsum = None if all(x is None for x in lost) else sum(x or 0 for x in lost)
        want_lost = lsum / dsum if lsum is not None and dsum else None
        got_lost = num(row["indicators.lawsuits_lost_rate"])
        check((got_lost is None and want_lost is None) or
              (got_lost is not None and want_lost is not None and abs(got_lost - want_lost) < 1e-12),
              f"{row['agency']} {row['year']}: lawsuits lost rate {got_lost} == {want_lost}")

    # Presets and --columns.
    r = gh("export", "--store", store, "--preset", "headline")
    rows = list(csv.reader(io.StringIO(r.stdout)))
    check(rows[0] == ["agency", "region_code", "year", "status", "applications.new_received.total",
                      "applications.granted.total", "appeals.total", "agency_key"],
          f"the headline preset's columns: {rows[0]}")
    hz = [x for x in rows if x[0] == "淮安市洪泽区人民政府"]
    check(hz and hz[0][4:7] == ["95", "50", "6"], f"洪泽区 2024 headline: {hz}")
    for p, n in (("applications", 30), ("appeals", 20), ("all", 250)):
        r = gh("export", "--store", store, "--preset", p)
        head = next(csv.reader(io.StringIO(r.stdout)))
        check(len(head) > n, f"--preset {p} has its columns ({len(head)})")
    out = os.path.join(tmp, "pick.csv")
    gh("export", "--store", store, "--columns", "agency, year,indicators.grant_rate,proactive.rules.new",
       "--header", "zh", "-o", out)
    head = next(csv.reader(open(out, encoding="utf-8")))
    check(head[:3] == ["机关名称", "报告年度", "予以公开率"], f"--columns with --header zh: {head}")
    meta = json.load(open(out + "-metadata.json", encoding="utf-8"))
    names = [c["name"] for c in meta["tableSchema"]["columns"]]
    check(names == ["agency", "year", "indicators.grant_rate", "proactive.rules.new"],
          f"the CSVW metadata describes the columns written: {names}")
    r = gh("export", "--store", store, "--columns", "agency,no_such_column", rc=2)
    check("no_such_column" in r.stderr, f"an unknown column is named: {r.stderr}")
    r = gh("export", "--store", store, "--preset", "everything", rc=2)
    check("headline" in r.stderr, f"an unknown preset lists the presets: {r.stderr}")
    gh("export", "--store", store, "--preset", "headline", "-f", "jsonl", rc=2)
    r = gh("export", "--store", store, "--status", "parsd", rc=2)
    check("parsed" in r.stderr, f"an unknown --status lists the statuses: {r.stderr}")


with tempfile.TemporaryDirectory() as tmp:
    run(tmp)
finish("recipes")

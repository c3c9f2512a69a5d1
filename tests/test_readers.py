#!/usr/bin/env python3
"""Every export opens with the readers analysts use, with default options.

From a store of a crawl of the fixture web (tests/data/stores/schema1), the
jsonl export is the truth; the CSV, the long CSV, the SQLite file, the
data dictionary and regions.tsv are read back with pandas, sqlite3 (the
command-line shell), sqlite-utils and DuckDB (the npm package
@duckdb/node-api), and each must give the same records, places by name and
the same cells.  A reader that is not installed is skipped with a note
(.ci/run installs all four: python3-pandas, sqlite3, sqlite-utils from
Debian, DuckDB from npm into $GH_TEST_NODE_MODULES).

    test_readers.py GOVHARVEST
"""
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
from harness import DATA, SRC, check, finish  # noqa: E402

CELL = "applications.new_received.total"
skipped = []


def gh(*args):
    r = subprocess.run([GH, *args], capture_output=True, timeout=120)
    check(r.returncode in (0,), f"govharvest {' '.join(args[:3])}: {r.stderr[-300:]!r}")
    return r.stdout


def truth(tmp):
    store = os.path.join(tmp, "store")
    os.makedirs(store)
    with gzip.open(os.path.join(DATA, "stores", "schema1", "data.mdb.gz")) as f, \
            open(os.path.join(store, "data.mdb"), "wb") as o:
        shutil.copyfileobj(f, o)
    recs = [json.loads(l) for l in gh("export", "--store", store).decode().splitlines()]
    files = {}
    for fmt in ("csv", "long", "sqlite", "jsonl"):
        files[fmt] = os.path.join(tmp, f"records.{fmt}")
        gh("export", "--store", store, "-f", fmt, "-o", files[fmt])
    files["sqlite_json"] = os.path.join(tmp, "records.json.sqlite")
    gh("export", "--store", store, "-f", "sqlite", "--with-json", "-o", files["sqlite_json"])
    files["dictionary"] = os.path.join(SRC, "docs", "columns.csv")
    files["regions"] = os.path.join(SRC, "config", "regions.tsv")
    return recs, files


def cell(r):
    return r["applications"]["new_received"][6]


def with_pandas(recs, files):
    try:
        import pandas as pd
    except ImportError:
        skipped.append("pandas (python3-pandas)")
        return
    df = pd.read_csv(files["csv"])
    check(len(df) == len(recs), f"pandas reads the CSV: {len(df)} rows")
    by = {(r["agency"], r["year"]): r for r in recs}
    ok = all((cell(by[(a, y)]) is None and pd.isna(v)) or v == cell(by[(a, y)])
             for a, y, v in zip(df["agency"], df["year"], df[CELL]))
    check(ok, "pandas: the CSV's cells are the records'")
    check(set(df["province"].dropna()) and all("省" in p or "市" in p or "自治区" in p
                                               for p in df["province"].dropna()),
          f"pandas: places by name: {set(df['province'].dropna())}")
    meta = json.load(open(files["csv"] + "-metadata.json", encoding="utf-8"))
    check([c["name"] for c in meta["tableSchema"]["columns"]] == list(df.columns),
          "pandas: the CSV's metadata names its columns")
    js = pd.read_json(files["jsonl"], lines=True)
    check(len(js) == len(recs) and "agency_key" in js.columns, "pandas reads the jsonl")
    lg = pd.read_csv(files["long"])
    check(set(lg.columns) >= {"agency", "year", "section", "row", "column", "value", "agency_key"},
          "pandas reads the long CSV")
    d = pd.read_csv(files["dictionary"])
    check(list(d["column"]) == list(df.columns) and d["label_zh"].notna().all(),
          "pandas reads columns.csv")
    rg = pd.read_csv(files["regions"], sep="\t", dtype=str)
    check(len(rg) > 3300 and list(rg.columns) == ["code", "name", "level", "parent"] and
          rg["name"].notna().all() and not rg["code"].str.startswith("#").any(),
          f"pandas reads regions.tsv with no more than its separator: {list(rg.columns)}")
    import sqlite3
    con = sqlite3.connect(files["sqlite"])
    q = pd.read_sql("select agency, year, new_received_total from (select agency, year, "
                    "\"new_received.total\" as new_received_total from applications)", con)
    check(len(q) == len(recs) and all(
        (cell(by[(a, y)]) is None and pd.isna(v)) or v == cell(by[(a, y)])
        for a, y, v in zip(q["agency"], q["year"], q["new_received_total"])),
        "pandas reads the SQLite applications view")
    con.close()


def with_sqlite3(recs, files):
    if not shutil.which("sqlite3"):
        skipped.append("sqlite3")
        return
    out = lambda sql: subprocess.run(["sqlite3", files["sqlite"], sql], capture_output=True,
                                     text=True).stdout.strip()
    check(out("select count(*) from reports") == str(len(recs)), "sqlite3: every report")
    check(out("select typeof(\"applications.new_received.total\") from report_cells "
              "where \"applications.new_received.total\" is not null limit 1") == "integer",
          "sqlite3: counts are INTEGER")
    n = sum(1 for r in recs for v in r["applications"]["new_received"] if v is not None)
    check(out("select count(*) from cells where section = 'applications' and row = 'new_received'")
          == str(n), "sqlite3: the cells view is the long form")
    check(out("select label_zh from columns where name = 'applications.new_received.total'") ==
          "一、本年新收政府信息公开申请数量｜总计", "sqlite3: the dictionary is a table")
    check(out("select count(*) from reports r join regions p on p.code = r.province_code") ==
          str(sum(1 for r in recs if r["province_code"])), "sqlite3: places join the regions table")
    check(out("select count(*) from reports where record is not null") == "0",
          "sqlite3: the record JSON only with --with-json")
    r = subprocess.run(["sqlite3", files["sqlite_json"], "select record from reports order by id"],
                       capture_output=True, text=True)
    check([json.loads(l)["agency"] for l in r.stdout.splitlines()] == [x["agency"] for x in recs],
          "sqlite3: --with-json keeps each record's JSON")


def with_sqlite_utils(recs, files):
    if not shutil.which("sqlite-utils"):
        skipped.append("sqlite-utils")
        return
    r = subprocess.run(["sqlite-utils", "tables", files["sqlite"], "--counts"], capture_output=True, text=True)
    tables = {t["table"]: t["count"] for t in json.loads(r.stdout or "[]")}
    check(tables.get("reports") == len(recs) and "columns" in tables and "regions" in tables,
          f"sqlite-utils lists the tables: {tables}")
    r = subprocess.run(["sqlite-utils", "rows", files["sqlite"], "applications", "--limit", "1"],
                       capture_output=True, text=True)
    row = (json.loads(r.stdout or "[{}]") or [{}])[0]
    check("new_received.total" in row and "agency_key" in row, f"sqlite-utils reads the applications view: {list(row)[:8]}")
    r = subprocess.run(["sqlite-utils", "memory", files["regions"], "select count(*) as n from regions"],
                       capture_output=True, text=True)
    check(r.returncode == 0 and json.loads(r.stdout or "[{}]")[0].get("n", 0) > 3300,
          f"sqlite-utils loads regions.tsv as it is: {r.stderr[-200:]}")


def with_duckdb(recs, files):
    mods = os.environ.get("GH_TEST_NODE_MODULES", "")
    if not shutil.which("node") or not os.path.isdir(os.path.join(mods, "@duckdb", "node-api")):
        skipped.append("DuckDB (@duckdb/node-api in $GH_TEST_NODE_MODULES)")
        return
    script = """
const { DuckDBInstance } = require('@duckdb/node-api');
(async () => {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const q = async (sql) => (await (await c.run(sql)).getRowObjectsJson());
  const out = {
    csv: await q(`select count(*)::int as n, sum("applications.new_received.total")::int as s,
                  count(distinct province)::int as p from read_csv('${process.argv[1]}')`),
    jsonl: await q(`select count(*)::int as n from read_json('${process.argv[2]}', format='newline_delimited')`),
    regions: await q(`select count(*)::int as n from read_csv('${process.argv[3]}')`),
  };
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
"""
    r = subprocess.run(["node", "-e", script, files["csv"], files["jsonl"], files["regions"]],
                       capture_output=True, text=True, env={**os.environ, "NODE_PATH": mods}, timeout=120)
    try:
        got = json.loads(r.stdout)
    except ValueError:
        check(False, f"DuckDB runs: {r.stderr[-400:]}")
        return
    s = sum(cell(x) or 0 for x in recs)
    check(got["csv"][0]["n"] == len(recs) and got["csv"][0]["s"] == s,
          f"DuckDB reads the CSV: {got['csv']} (want {len(recs)} rows, sum {s})")
    check(got["jsonl"][0]["n"] == len(recs), f"DuckDB reads the jsonl: {got['jsonl']}")
    check(got["regions"][0]["n"] > 3300, f"DuckDB reads regions.tsv as it is: {got['regions']}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        recs, files = truth(tmp)
        check(len(recs) > 5 and all("agency_key" in r and "county" in r and "quality" in r for r in recs),
              "the jsonl carries the key, the places and the quality")
        for reader in (with_pandas, with_sqlite3, with_sqlite_utils, with_duckdb):
            reader(recs, files)
    for s in skipped:
        print(f"readers: skipped {s}: not installed", file=sys.stderr)
    finish("readers")


if __name__ == "__main__":
    main()

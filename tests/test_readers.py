#!/usr/bin/env python3
"""Every export opens with the readers analysts use, with default options.

From a store of a crawl of the fixture web (tests/data/stores/schema1), the
jsonl export is the truth; the CSV, the long CSV, the SQLite file, the
data dictionary and regions.tsv are read back with pandas, sqlite3 (the
command-line shell), sqlite-utils and DuckDB (the npm package
@duckdb/node-api), and each must give the same records, places by name and
the same cells; `stats --html` is opened in headless chromium and must show
what the records say.  A reader that is not installed is skipped with a note
(.ci/run installs all four: python3-pandas, sqlite3, sqlite-utils from
Debian, DuckDB from npm into $GH_TEST_NODE_MODULES).

    test_readers.py GOVHARVEST
"""
import gzip
import json
import re
import os
import shutil
import subprocess
import sys
import tempfile

# pandas comes from Debian (python3-pandas), for Debian's python3: under
# another interpreter (pyenv, a venv) without it, run under that one.
try:
    import pandas  # noqa: F401
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3" and \
            subprocess.run(["/usr/bin/python3", "-c", "import pandas"], capture_output=True).returncode == 0:
        os.execv("/usr/bin/python3", ["/usr/bin/python3", *sys.argv])

GH = sys.argv[1]
# scripts/test installs the Debian readers: there, a missing one is a failure.
REQUIRED = os.environ.get("GH_REQUIRE_READERS") == "1"
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


def with_browser(recs, files, store):
    """stats --html opened in a real headless browser: what it shows is what
    the records say."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    page = os.path.join(os.path.dirname(files["csv"]), "coverage.html")
    gh("stats", "--store", store, "--html", page)
    raw = open(page, encoding="utf-8").read()
    check(not re.search(r'<(link|img|iframe)|src=|@import|url\(', raw) and
          len(re.findall(r"<script", raw)) == len(re.findall(r"<script>", raw)),
          "the page is self-contained: inline script only, no fetched resource")
    if not browser:
        skipped.append("chromium")
        return
    with tempfile.TemporaryDirectory() as prof:
        r = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={prof}",
                            "--dump-dom", "file://" + page], capture_output=True, text=True, timeout=120)
    dom = r.stdout
    check(r.returncode == 0 and "<table id=\"matrix\">" in dom, f"chromium renders the page: {r.stderr[-300:]}")
    from html.parser import HTMLParser

    class Tables(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.cur, self.cell, self.links, self.in_cell = {}, None, None, [], False

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "table":
                self.cur = self.tables.setdefault(a.get("id", f"t{len(self.tables)}"), [])
            elif tag == "tr" and self.cur is not None:
                self.cur.append([])
            elif tag in ("td", "th"):
                self.cell, self.in_cell = "", True
            elif tag == "a":
                self.links.append(a.get("href"))

        def handle_endtag(self, tag):
            if tag in ("td", "th") and self.cur is not None and self.cur:
                self.cur[-1].append(self.cell)
                self.in_cell = False

        def handle_data(self, d):
            if self.in_cell:
                self.cell += d

    t = Tables()
    t.feed(dom)
    matrix = t.tables.get("matrix", [])
    years = [int(y) for y in matrix[0][1:]] if matrix else []
    want = {}
    for r in recs:
        if r["status"] == "parsed":
            want.setdefault((r["province"] or "（地区不明）", r["year"]), set()).add(r["agency_key"])
    got = {(row[0], y): int(v) for row in matrix[1:] for y, v in zip(years, row[1:])}
    check(got and all(got.get(k, 0) == len(v) for k, v in want.items()) and
          sum(got.values()) == sum(len(v) for v in want.values()),
          f"the province x year matrix counts agencies with parsed reports: {got} vs {want}")
    check(sorted(l for l in t.links if l) == sorted(r["source"]["url"] for r in recs),
          "every record links its source")
    failing = {}
    for r in recs:
        for c in r["checks"]:
            if c["ok"] is False:
                failing[c["rule"]] = failing.get(c["rule"], 0) + 1
    shown = {row[1]: int(row[2]) for row in t.tables.get("checks", [])[1:]}  # label, rule, count
    check(shown == failing, f"the failing checks: {shown} vs {failing}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        recs, files = truth(tmp)
        check(len(recs) > 5 and all("agency_key" in r and "county" in r and "quality" in r for r in recs),
              "the jsonl carries the key, the places and the quality")
        for reader in (with_pandas, with_sqlite3, with_sqlite_utils, with_duckdb):
            reader(recs, files)
        with_browser(recs, files, os.path.join(tmp, "store"))
    for s in skipped:
        if REQUIRED and not s.startswith("DuckDB"):
            check(False, f"{s} is installed (GH_REQUIRE_READERS=1: scripts/install-deps installs it)")
        else:
            print(f"readers: skipped {s}: not installed", file=sys.stderr)
    finish("readers")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""End-to-end crawl of the loopback fixture web (tests/web/fixture_web.py).

    test_crawl.py GOVHARVEST

Asserts which records land (agency, year, status, region, template), what
was never requested (robots.txt, traps, mirrors), that per-host delays and
Retry-After held (from the server's request log), that a second cycle uses
conditional requests and refetches no report, that a SIGKILLed crawl resumes
to the same store without refetching finished URLs, that a second writer is
refused, and that bad configs and seed files fail before any request.
"""
import collections
import csv
import io
import json
import shutil
import re
import os
import signal
import subprocess
import sys
import time

GH = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "web"))
from harness import DATA, SEEDS, SRC, check, finish, with_web  # noqa: E402
import harness  # noqa: E402



# (agency, year, status, region_code, template): exactly these land.
EXPECTED = {
    ("武定县工业信息化商务科学技术局", 2020, "parsed", "532329", "2019"),
    ("大姚县农业农村局", 2020, "parsed", "532326", "2019"),  # region from the name, not the seed
    ("方正县工业信息科技局", 2020, "parsed", "230124", "2019"),  # DOCX behind download.jsp
    ("方正县民政局", 2021, "needs_ocr", "230124", "unknown"),  # a scan: agency/year from the link
    ("卫生健康局", 2021, "parsed", "230124", "2021"),  # via dataproxy.jsp; region from the seed
    ("淮安市人民政府", 2024, "parsed", "320800", "2021"),
    ("洪泽区人民政府", 2023, "parsed", "320813", "2021"),
    ("淮安市洪泽区人民政府", 2024, "parsed", "320813", "2021"),
    ("乌苏市商务和工业信息化局", 2020, "parsed", "654202", "2019"),
    ("吴忠市工业和信息化局", 2020, "parsed", "640300", "2019"),
    ("大姚县工业信息化商务科学技术局", 2022, "parsed", "532326", "2019"),
}
NEVER = {
    ("www.wusu.gov.cn", "/xxgk/nb/2021/t20220120_5.html"),  # robots.txt
    ("www.wd.gov.cn", "/zwgk/zfwzndbb/202101/t20210120_99.html"),  # 政府网站年度报表 trap
    ("www.aji87.cn", "/zwgk/zfxxgknb/202102/t20210210_88.html"),  # hijacked mirror
}
DELAY = 0.2


def write_config(tmp, extra=""):
    path = os.path.join(tmp, "test.conf")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"""# crawl test configuration
[crawl]
user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)
regions = {SRC}/config/regions.tsv
backoff = 0.2
timeout = 5
retries = 2
{extra}
[log]
level = warning
""")
    return path


def crawl(tmp, web, store, conf, *extra, wait=True):
    seeds = os.path.join(tmp, "seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(SEEDS)
    cmd = [GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
           "--connect-to", f"::127.0.0.1:{web.port}", "--delay", str(DELAY), "-q", *extra]
    if not wait:
        return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def export(store, *args):
    return harness.export(GH, store, *args)


def records(store):
    return harness.records(GH, store)


def key(r):
    return (r["agency"], r["year"], r["status"], r["region_code"], r["template"])


def without_times(recs):
    out = []
    for r in recs:
        r = json.loads(json.dumps(r))
        r["source"].pop("fetched_at", None)
        out.append(r)
    return sorted(out, key=lambda r: (r["agency"], r["year"]))


def summary_errors(stdout):
    for line in stdout.splitlines():
        if line.startswith("errors"):
            return dict(p.split("=") for p in line.split()[1:] if "=" in p)
    return {}


def fetch(web, url, referer=None):
    """The bytes the fixture web serves for URL, asked as the crawler asks."""
    import urllib.parse
    import urllib.request
    u = urllib.parse.urlsplit(url)
    req = urllib.request.Request(f"http://127.0.0.1:{web.port}{u.path}" + (f"?{u.query}" if u.query else ""),
                                 headers={"Host": u.netloc, "User-Agent": "govharvest-test/1.0 (fetch)"})
    if referer:
        req.add_header("Referer", referer)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read()


def seed_region(url):
    """The region code of the seed whose site served URL (a subdomain of
    the seed's site counts: file.huaian.gov.cn is huaian.gov.cn's)."""
    import urllib.parse
    host = urllib.parse.urlsplit(url).hostname or ""
    for row in SEEDS.splitlines()[1:]:
        seed_url, code, _name = row.split("\t")
        site = (urllib.parse.urlsplit(seed_url).hostname or "").removeprefix("www.")
        if host == site or host.endswith("." + site):
            return code
    return None


# What only the store can know: the agency's other years and the versions a
# record replaced.  The export adds these checks; `parse` of one file cannot.
STORE_RULES = ("cross_year", "same_text", "republished")


def same_as_parse(web, recs, conf):
    """One path from document to record: every exported record equals what
    `govharvest parse` makes of the same bytes with the same hints (the
    link text and download name the crawl kept, and the seed's region as
    --region), identity and quality included; only the provenance differs."""
    import tempfile
    for x in recs:
        src = x["source"]
        try:
            body = fetch(web, src["url"], src.get("page_url"))
        except Exception as e:  # noqa: BLE001 - reported as a failed check
            check(False, f"refetch {src['url']}: {e}")
            continue
        with tempfile.NamedTemporaryFile(suffix=".bin") as f:
            f.write(body)
            f.flush()
            args = [GH, "parse", "--config", conf, f.name]
            if src.get("link_text"):
                args += ["--title", src["link_text"]]
            if src.get("file_title"):
                args += ["--file-title", src["file_title"]]
            region = seed_region(src.get("page_url") or src["url"])
            if region:
                args += ["--region", region]
            p = subprocess.run(args, capture_output=True, text=True, timeout=60)
            path = f.name
        lines = p.stdout.splitlines()
        check(len(lines) == 1, f"parse prints one record for {src['url']}: {p.stderr[-200:]}")
        if len(lines) != 1:
            continue
        y = json.loads(lines[0])
        store_only = any(not c["ok"] and c["rule"].startswith(STORE_RULES) for c in x.get("checks") or [])
        for field in sorted(set(x) | set(y)):
            if field == "source" or (field == "quality" and store_only):
                continue
            a, b = x.get(field), y.get(field)
            if field == "checks":
                a = [c for c in a or [] if not c["rule"].startswith(STORE_RULES)]
            check(a == b, f"{src['url']}: {field} is the same from crawl and parse ({a!r} / {b!r})"[:600])
        for field in ("agency_key", "region_code", "quality"):
            check(y.get(field) is not None, f"{src['url']}: parse gives {field}")
        check(src["sha256"] == y["source"]["sha256"], f"{src['url']}: the same bytes")
        check(y["source"].get("path") == path, f"{src['url']}: source.path names the file parsed")


def test_full_crawl(tmp, web):
    conf = write_config(tmp)
    store = os.path.join(tmp, "store")
    r = crawl(tmp, web, store, conf)
    check(r.returncode == 0, f"crawl exits 0 (got {r.returncode}): {r.stderr[-500:]}")
    recs = records(store)
    got = {key(x) for x in recs}
    check(got == EXPECTED, f"records: missing {EXPECTED - got}, unexpected {got - EXPECTED}")
    check(len(recs) == len(EXPECTED), f"{len(recs)} records, want {len(EXPECTED)} (no duplicates)")
    for x in recs:
        src = x["source"]
        check(src["url"] and len(src["sha256"]) == 64 and src["fetched_at"] and src["parser_version"],
              f"provenance of {x['agency']}: {src}")

    # The same bytes parse to the same record as `govharvest parse` gives
    # (golden files): the crawl adds provenance and region, nothing else.
    by_url = {x["source"]["url"]: x for x in recs}
    for url, golden in [("http://file.huaian.gov.cn/uploadfiles/t_8001.pdf", "real_hzq2023_working.json"),
                        ("http://www.wusu.gov.cn/xxgk/nb/2020/P020210301.docx", "docx_seed_004.json")]:
        g = json.load(open(os.path.join(DATA, "golden", golden), encoding="utf-8"))
        x = by_url.get(url)
        check(x is not None, f"{url} landed")
        if x:
            for field in ("agency", "year", "template", "proactive", "applications", "appeals", "checks",
                          "derived", "published_on"):
                check(x[field] == g[field], f"{url}: {field} equals the golden parse")

    reqs = web.requests()
    paths = {(q["host"], q["path"]) for q in reqs}
    for n in NEVER:
        check(n not in paths, f"never requested {n}")
    check(all(q["ua"].startswith("govharvest-test/1.0") for q in reqs), "every request carries the user agent")
    # robots.txt is the first request to every host.
    first = {}
    for q in reqs:
        first.setdefault(q["host"], q["path"])
    check(all(p == "/robots.txt" for p in first.values()), f"robots.txt first on every host: {first}")
    # Per-host delay between consecutive request arrivals (Crawl-delay 0.3
    # on wusu), and Retry-After: 1 on wuzhong's 429.
    by_host = collections.defaultdict(list)
    for q in reqs:
        by_host[q["host"]].append(q)
    for host, qs in by_host.items():
        want = 0.3 if host == "www.wusu.gov.cn" else DELAY
        gaps = [b["t"] - a["t"] for a, b in zip(qs, qs[1:])]
        # Starts are spaced by the crawler; arrivals carry scheduling jitter.
        check(all(g >= want - 0.05 for g in gaps), f"{host}: gaps {['%.3f' % g for g in gaps]} >= {want}")
    col = [q for q in by_host["www.wuzhong.gov.cn"] if q["path"] == "/xxgk/zfxxgkml/ndbg/"]
    check([q["status"] for q in col] == [429, 200], f"429 then 200: {[q['status'] for q in col]}")
    if len(col) == 2:
        check(col[1]["t"] - col[0]["t"] >= 0.98, f"Retry-After 1 s honoured ({col[1]['t'] - col[0]['t']:.2f} s)")
    dataproxy = [q for q in reqs if "dataproxy.jsp" in q["path"]]
    check(len(dataproxy) == 1 and "startrecord=4" in dataproxy[0]["path"],
          f"one dataproxy.jsp request for the records the shell lacked: {[q['path'] for q in dataproxy]}")
    check(any(q["path"] == "/zwgk/zfxxgknb/index_1.html" for q in reqs), "createPageHTML page 2 fetched")
    check(any(q["path"] == "/zfxxgk/ndbg/column-index-2.shtml" for q in reqs), "countPage page 2 fetched")
    errs = summary_errors(r.stdout)
    check(errs.get("blocked") == "1", f"the 412 challenge counted as blocked: {errs}")
    check(errs.get("redirect_loop") == "1", f"the redirect loop counted: {errs}")
    check("robots denied  1" in r.stdout, "one URL denied by robots.txt in the summary")
    check("(complete)" in r.stdout, "the cycle completed")

    same_as_parse(web, recs, conf)  # after the request log is read: it fetches too

    # Second cycle: listing pages again, with validators; reports not refetched.
    web.clear()
    r2 = crawl(tmp, web, store, conf)
    check(r2.returncode == 0, f"second crawl exits 0: {r2.stderr[-300:]}")
    reqs2 = web.requests()
    refetched = [q["path"] for q in reqs2 if q["path"].endswith((".pdf", ".docx")) or "downfile" in q["path"]]
    check(not refetched, f"second cycle refetches no report document: {refetched}")
    check(any(q["path"] == "/zwgk/zfxxgknb/" for q in reqs2), "second cycle revisits the column")
    statuses = collections.Counter(q["status"] for q in reqs2 if q["path"] != "/robots.txt")
    check(statuses[304] >= 8 and statuses[200] == 0,
          f"second cycle: conditional requests answered 304, nothing re-sent: {dict(statuses)}")
    check(records(store) == recs, "second cycle leaves every record as it was")
    check("cycle          2" in r2.stdout, f"second run is cycle 2: {r2.stdout[:80]!r}")
    return recs


XINGGUO_EXPECTED = {
    ("兴国县统计局", 2023, "parsed", "360732", "2021"),  # DOCX behind downfile.jsp "点击下载"
    ("兴国县长冈乡人民政府", 2023, "parsed", "360732", "2021"),  # VSB download.jsp, needs a Referer
}


def test_discovery_shapes(tmp, web):
    """A portal that moves on by <meta refresh> and by script, sub-columns
    named for groups of agencies, and attachments behind download
    scripts (tests/web/fixture_web.py, xingguo_site)."""
    conf = write_config(tmp)
    seeds = os.path.join(tmp, "xingguo-seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write("url\tregion_code\tname\nhttp://www.xingguo.gov.cn/\t360732\t兴国县人民政府\n"
                "http://www.yudu.gov.cn/\t360731\t于都县人民政府\n")
    store = os.path.join(tmp, "store-xingguo")
    web.clear()
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                        "--connect-to", f"::127.0.0.1:{web.port}", "-q"],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"xingguo crawl exits 0: {r.stderr[-400:]}")
    got = {key(x) for x in records(store)}
    check(got == XINGGUO_EXPECTED, f"xingguo records: missing {XINGGUO_EXPECTED - got}, "
          f"unexpected {got - XINGGUO_EXPECTED}")
    paths = {q["path"] for q in web.requests() if q["host"] == "www.xingguo.gov.cn"}
    for p in ("/index.html", "/zwgk/index.html", "/col/col3301/index.html", "/col/col3302/index.html",
              "/api-gateway/jpaas-publish-server/front/page/build/unit?webId=a1&pageId=3302&tagId=list"):
        check(p in paths, f"xingguo: {p} reached")
    check("/col/col3303/index.html" not in paths, "xingguo: 关于我们 not followed")
    # A seed that yields nothing is named, not silent.
    miss = "http://www.yudu.gov.cn/"
    check("1 seeds where no report column was found (govharvest probe URL shows why):\n  " + miss
          in r.stdout,
          f"the crawl summary names the seed that yielded no column: {r.stdout[-400:]!r}")
    check("http://www.xingguo.gov.cn/\n" not in r.stdout.split("no report column was found")[-1],
          "the seed that found reports is not named")
    st = json.loads(subprocess.run([GH, "stats", "--store", store, "--json"], capture_output=True,
                                   text=True).stdout)
    check(st.get("seeds_without_column") == [miss] and st.get("seeds_without_reports") == [],
          f"stats lists it too: {st.get('seeds_without_column')} {st.get('seeds_without_reports')}")
    check(st["seeds"].get("http://www.xingguo.gov.cn/", {}).get("report_links") == 4,
          f"per seed: two report pages and their two files {st['seeds'].get('http://www.xingguo.gov.cn/')}")


def test_probe(tmp, web):
    """govharvest probe: what discovery makes of a page, and why; robots.txt
    first; nothing stored."""
    conf = write_config(tmp)
    ct = ["--connect-to", f"::127.0.0.1:{web.port}"]
    # --follow: the walk from a seed to its column, and the reports it would land.
    r = subprocess.run([GH, "probe", "--config", conf, *ct, "--follow", "--json", "http://www.huaian.gov.cn/"],
                       capture_output=True, text=True, timeout=120)
    fo = json.loads(r.stdout or "{}")
    check(r.returncode == 0 and [p["as"] for p in fo.get("pages", [])][:3] == ["seed", "section", "column"]
          and sorted(x["year"] for x in fo.get("reports", [])) == ["2023", "2024", "2024"] and not fo["capped"],
          f"probe --follow: seed, section, column, and the three reports: {r.stdout[:500]}")
    r = subprocess.run([GH, "probe", "--config", conf, *ct, "--follow", "--max-pages", "2", "--json",
                        "http://www.huaian.gov.cn/"], capture_output=True, text=True, timeout=120)
    check(json.loads(r.stdout or "{}").get("capped") is True, "probe --follow stops at --max-pages, and says so")
    r = subprocess.run([GH, "probe", "--config", conf, *ct, "--follow", "http://www.yudu.gov.cn/"],
                       capture_output=True, text=True, timeout=120)
    check("reports it would land: 0" in r.stdout and "no report column was reached" in r.stdout,
          f"probe --follow on a seed that yields nothing says so: {r.stdout[-300:]}")
    web.clear()
    r = subprocess.run([GH, "probe", "--config", conf, *ct, "http://www.yudu.gov.cn/"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and "kind        no way to reports from here" in r.stdout and
          "would follow 0 link(s)" in r.stdout and
          '"县长调研春耕生产": not a section, column or report' in r.stdout,
          f"probe shows why a portal yields nothing: {r.stdout[:600]!r} {r.stderr[-200:]!r}")
    reqs = [q["path"] for q in web.requests() if q["host"] == "www.yudu.gov.cn"]
    check(reqs == ["/robots.txt", "/"], f"probe asks robots.txt first, then the page only: {reqs}")
    r = subprocess.run([GH, "probe", "--config", conf, *ct, "--json", "--as", "column",
                        "http://www.xingguo.gov.cn/col/col3300/index.html"],
                       capture_output=True, text=True, timeout=60)
    j = json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else {}
    follow = {x["url"]: x for x in j.get("follow", [])}
    sub = follow.get("http://www.xingguo.gov.cn/col/col3301/index.html", {})
    check(sub.get("kind") == "column" and "group of agencies" in sub.get("why", ""),
          f"probe --json names the rule that kept a sub-column: {sub}")
    check(any(x["url"].endswith("/col/col3303/index.html") for x in j.get("dropped", [])),
          "probe --json lists the dropped 关于我们 link")
    r = subprocess.run([GH, "probe", "--config", conf, *ct,
                        "http://www.wusu.gov.cn/xxgk/nb/2021/t20220120_5.html"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 1 and "forbids this URL" in r.stdout and "blocked by robots.txt" in r.stdout,
          f"probe honours robots.txt: {r.stdout!r}")
    r = subprocess.run([GH, "probe", "--config", conf, *ct, "--as", "report",
                        "http://www.xingguo.gov.cn/module/download/downfile.jsp?classid=0&filename=x.docx"],
                       capture_output=True, text=True, timeout=60)
    check(r.returncode == 0 and "attachment (a document)" in r.stdout and
          "record      parsed, 兴国县统计局 2023" in r.stdout,
          f"probe parses a document: {r.stdout!r}")
    r = subprocess.run([GH, "probe", "--config", conf, "--resolve", "www.yudu.gov.cn:80",
                        "http://www.yudu.gov.cn/"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 2 and r.stderr.strip() ==
          "govharvest probe: --resolve 'www.yudu.gov.cn:80' is not HOST:PORT:ADDRESS",
          f"probe names a malformed --resolve: {r.returncode} {r.stderr!r}")


def test_exports(tmp, store):
    """Every format, read back with real readers."""
    rows = list(csv.DictReader(io.StringIO(export(store, "--format", "csv").decode("utf-8"))))
    check(len(rows) == len(EXPECTED), f"csv has {len(rows)} rows")
    wd = [r for r in rows if r["agency"] == "武定县工业信息化商务科学技术局"]
    check(len(wd) == 1 and wd[0]["year"] == "2020" and wd[0]["region_code"] == "532329",
          "csv row of 武定县工业信息化商务科学技术局")
    check("applications.new_received.natural_person" in rows[0], "documented csv column name")
    xl = export(store, "--format", "csv", "--excel")
    check(xl.startswith(b"\xef\xbb\xbf") and b"\r\n" in xl and b"\n" not in xl.replace(b"\r\n", b""),
          "--excel: BOM and CRLF only")
    long_rows = list(csv.DictReader(io.StringIO(export(store, "--format", "long").decode("utf-8"))))
    check(set(long_rows[0]) == {"agency", "region_code", "year", "section", "row", "column", "value",
                                "agency_key", "quality"},
          "long format columns")
    check(any(r["section"] == "applications" and r["row"] == "new_received" and r["column"] == "total"
              for r in long_rows), "long rows carry applications.new_received.total")
    f = lambda *a: {json.loads(l)["agency"] for l in export(store, *a).decode().splitlines()}
    check(f("--region", "5323") == {"武定县工业信息化商务科学技术局", "大姚县农业农村局", "大姚县工业信息化商务科学技术局"},
          "--region 5323 selects 楚雄州")
    check(f("--year", "2024") == {"淮安市人民政府", "淮安市洪泽区人民政府"}, "--year 2024")
    check(f("--agency", "洪泽") == {"洪泽区人民政府", "淮安市洪泽区人民政府"}, "--agency substring")
    failed = f("--failed-checks")
    check("卫生健康局" in failed and "武定县工业信息化商务科学技术局" not in failed, f"--failed-checks: {failed}")
    # Filters compose: a repeated option is a union, options intersect.
    every = [json.loads(l) for l in export(store).decode().splitlines()]
    years = lambda lo, hi: {r["agency"] for r in every if lo <= r["year"] <= hi}
    check(f("--year", "2021..2023") == years(2021, 2023), "--year range")
    check(f("--year", "2020", "--year", "2024") == years(2020, 2020) | years(2024, 2024), "--year repeated: union")
    check(f("--year", "2023..") == years(2023, 9999) and f("--year", "..2020") == years(0, 2020), "open ranges")
    check(f("--region", "5323", "--region", "3208") ==
          {r["agency"] for r in every if r["region_code"] and r["region_code"][:4] in ("5323", "3208")},
          "--region repeated: union")
    check(f("--region", "3208", "--year", "2024") == {"淮安市人民政府", "淮安市洪泽区人民政府"}, "options intersect")
    check(f("--agency", "320813|人民政府") == {"洪泽区人民政府", "淮安市洪泽区人民政府"}, "--agency takes a key")
    check(f("--status", "needs_ocr") == {r["agency"] for r in every if r["status"] == "needs_ocr"},
          "--status")
    for q in ("ok", "warning", "error"):
        check(f("--quality", q) == {r["agency"] for r in every if r["quality"] == q}, f"--quality {q}")
    r = subprocess.run([GH, "export", "--store", store, "--year", "1990"], capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout == "" and "0 records matched" in r.stderr, f"0 matched: {r.stderr!r}")
    for bad in (["--year", "20x1"], ["--year", "2024..2020"], ["--quality", "good"], ["-f", "jsonl", "--excel"],
                ["-f", "sqlite", "-o", "-"], ["--header", "fr", "-f", "csv"], ["--header", "zh"]):
        r = subprocess.run([GH, "export", "--store", store, *bad], capture_output=True, text=True)
        check(r.returncode == 2 and "govharvest export:" in r.stderr, f"refused: {bad}: {r.returncode} {r.stderr!r}")
    r = subprocess.run([GH, "export", "--store", store, "-o", "-"], capture_output=True)
    check(r.returncode == 0 and r.stdout == export(store), "-o - is standard output")
    # export --all: every format into the export directory, group-readable
    # under the unit's UMask=0027, nothing else.
    outdir = os.path.join(tmp, "nightly")
    r = subprocess.run([GH, "export", "--store", store, "--all", "-o", outdir], capture_output=True, text=True,
                       preexec_fn=lambda: os.umask(0o027))
    names = sorted(os.listdir(outdir)) if os.path.isdir(outdir) else []
    check(r.returncode == 0 and names == ["columns.csv", "records.csv", "records.csv-metadata.json",
                                          "records.jsonl", "records.sqlite"],
          f"export --all writes every format: {names} {r.stderr!r}")
    modes = {n: oct(os.stat(os.path.join(outdir, n)).st_mode & 0o777) for n in names}
    check(oct(os.stat(outdir).st_mode & 0o777) == "0o750" and set(modes.values()) == {"0o640"},
          f"the directory 0750, the files 0640 (the group reads them): {modes}")
    check(open(os.path.join(outdir, "records.jsonl"), "rb").read() == export(store),
          "records.jsonl is the jsonl export")
    # The dictionary: beside every CSV file as CSV on the Web metadata, and
    # as the Chinese header.
    out = os.path.join(tmp, "records.csv")
    export(store, "-f", "csv", "-o", out)
    meta = json.load(open(out + "-metadata.json", encoding="utf-8"))
    cols = meta["tableSchema"]["columns"]
    header = next(csv.reader(open(out, encoding="utf-8")))
    check(meta["url"] == "records.csv" and [c["name"] for c in cols] == header, "metadata names every column")
    dic = list(csv.DictReader(open(os.path.join(SRC, "docs", "columns.csv"), encoding="utf-8")))
    check([d["column"] for d in dic] == header, "docs/columns.csv lists the CSV's columns in order")
    r = subprocess.run([GH, "export", "--dictionary"], capture_output=True, text=True)
    check(r.stdout == open(os.path.join(SRC, "docs", "columns.csv"), encoding="utf-8").read(),
          "docs/columns.csv is what this build writes (export --dictionary > docs/columns.csv)")
    check(all(c["titles"]["zh"] and c["titles"]["en"] == c["name"] and c["datatype"] in
              ("integer", "number", "string", "date") for c in cols), "titles in zh and en, datatypes")
    zh = next(csv.reader(io.StringIO(export(store, "-f", "csv", "--header", "zh").decode("utf-8"))))
    check(zh[:3] == ["机关名称", "行政区划代码", "报告年度"] and len(set(zh)) == len(zh) == len(header) and
          "一、本年新收政府信息公开申请数量｜总计" in zh, f"--header zh: {zh[:5]}")
    db = os.path.join(tmp, "dump.sqlite")
    export(store, "--format", "sqlite", "-o", db)
    import sqlite3
    con = sqlite3.connect(db)
    check(con.execute("select count(*) from reports").fetchone()[0] == len(EXPECTED), "sqlite reports")
    got = con.execute("select c.value from reports r join cells c on c.report_id = r.id "
                      "where r.agency = '卫生健康局' and c.section = 'applications' "
                      "and c.row = 'new_received' and c.col = 'total'").fetchone()
    want = [x for x in records(store) if x["agency"] == "卫生健康局"][0]["applications"]["new_received"][6]
    check(got and got[0] == want, f"sqlite cell equals the JSON record: {got} vs {want}")
    check(con.execute("select count(*) from checks where rule = 'balance' and ok = 0").fetchone()[0] >= 1,
          "sqlite checks table")
    check(con.execute("select count(*) from sources where sha256 is not null").fetchone()[0] == len(EXPECTED),
          "sqlite sources table")
    check(con.execute("select count(*) from sqlite_master where type = 'index'").fetchone()[0] >= 5, "indexes")
    check(con.execute("select count(distinct typeof(value)) from cells where section = 'applications'")
          .fetchone()[0] == 1 and con.execute("select typeof(value) from cells where section = "
                                              "'applications' limit 1").fetchone()[0] == "integer",
          "sqlite counts are INTEGER")
    hz = con.execute("select distinct r.agency_key, c.name, p.name from reports r join regions c on "
                     "c.code = r.county_code join regions p on p.code = r.prefecture_code "
                     "where r.agency like '%洪泽%'").fetchall()
    check(hz == [("320813|人民政府", "洪泽区", "淮安市")], f"sqlite regions table joins: {hz}")
    con.close()
    st = json.loads(subprocess.run([GH, "stats", "--store", store, "--json"], capture_output=True,
                                   text=True).stdout)
    check(st["records"] == len(EXPECTED) and st["by_status"] == {"parsed": 10, "needs_ocr": 1},
          f"stats counts: {st['records']} {st['by_status']}")
    # The six seeds: four counties, two prefectures.
    check(st["coverage"]["counties"][0] == 4 and st["coverage"]["prefectures"] == [2, 333],
          f"stats coverage of the seeds crawled: {st['coverage']}")
    # Views that scale: region x year at each level, per seed; CSV for both.
    recs_now = records(store)
    for level in (2, 4, 6):
        out = subprocess.run([GH, "stats", "--store", store, "--by-region", str(level), "--csv"],
                             capture_output=True, text=True).stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        want = collections.Counter((r["region_code"][:level] + "0" * (6 - level)) if r["region_code"] else "unknown"
                                   for r in recs_now)
        check({r["region_code"]: int(r["total"]) for r in rows} == dict(want),
              f"stats --by-region {level}: {[(r['region_code'], r['total']) for r in rows]} vs {dict(want)}")
        check(all(r["region"] for r in rows if r["region_code"] != "unknown"), f"regions named at level {level}")
    out = subprocess.run([GH, "stats", "--store", store, "--by-seed", "--csv"], capture_output=True, text=True).stdout
    by_seed = {r["seed"]: r for r in csv.DictReader(io.StringIO(out))}
    check(set(by_seed) == set(st["seeds"]) and all(
        int(by_seed[k]["links"]) == v["report_links"] and int(by_seed[k]["documents"]) == v["reports_fetched"]
        for k, v in st["seeds"].items()), f"stats --by-seed --csv: {list(by_seed.values())[:2]}")
    check(any("parsed=" in r["records"] for r in by_seed.values()) and
          any(r["errors"] for r in by_seed.values()), "per seed: records by status and errors by kind")
    # Records, not documents: a report page that handed over to its
    # attachment is not counted beside it.
    per_seed = sum(int(x.split("=")[1]) for r in by_seed.values() for x in r["records"].split() if "=" in x)
    check(per_seed == len(recs_now), f"stats --by-seed counts the store's records: {per_seed} vs {len(recs_now)}")
    text = subprocess.run([GH, "stats", "--store", store, "--gaps=1"], capture_output=True, text=True).stdout
    n = len(st["gaps"])
    check(f"gaps: {n} agencies miss a year" in text and f"… {n - 1} more" in text and
          text.index("by year") < text.index("gaps:"), f"stats --gaps=1: a count and the first one: {text[-400:]}")
    text = subprocess.run([GH, "stats", "--store", store, "--by-region", "2"], capture_output=True, text=True).stdout
    check("江苏省" in text and "total" in text.splitlines()[0], "stats --by-region 2 as a table")
    for bad in (["--by-region", "3"], ["--csv"], ["--by-seed", "--by-region", "2"]):
        r = subprocess.run([GH, "stats", "--store", store, *bad], capture_output=True, text=True)
        check(r.returncode == 2 and "govharvest stats:" in r.stderr, f"stats refuses {bad}: {r.stderr!r}")
    check(st["errors_by_kind"].get("redirect_loop") == 1 and "www.dayao.gov.cn" in st["hosts_with_errors"],
          f"stats errors by kind and host: {st['errors_by_kind']}")
    # Every failure is counted under exactly one host, by its kind.
    per_host = collections.Counter()
    for kinds in st["hosts_with_errors"].values():
        per_host.update(kinds)
    check(per_host == collections.Counter(st["errors_by_kind"]),
          f"errors by host add up to errors by kind: {dict(per_host)} vs {st['errors_by_kind']}")
    gap = {g["agency"]: g["missing_years"] for g in st["gaps"]}
    # 洪泽区人民政府 (2023) and 淮安市洪泽区人民政府 (2024) are one agency:
    # one key, an unbroken series, no false gap.
    check("洪泽区人民政府" not in gap and "淮安市洪泽区人民政府" not in gap and "淮安市人民政府" not in gap,
          f"gap list: {gap}")
    keys = {r["agency_key"] for r in records(store) if "洪泽" in r["agency"]}
    check(keys == {"320813|人民政府"}, f"洪泽区's two names have one key: {keys}")
    # Places by name in every record, and one quality flag.
    hz = [r for r in records(store) if "洪泽" in r["agency"]]
    check(all((r["province"], r["prefecture"], r["county"], r["county_code"]) ==
              ("江苏省", "淮安市", "洪泽区", "320813") for r in hz), f"places of 洪泽区: {hz[:1]}")
    recs = records(store)
    check({r["quality"] for r in recs} <= {"ok", "warning", "error"} and
          all((r["quality"] == "error") == (r["status"] != "parsed" or any(
              c["ok"] is False and c.get("level") != "warning" for c in r["checks"])) for r in recs),
          f"quality: {[(r['agency'], r['quality']) for r in recs]}")
    csv_rows = list(__import__("csv").DictReader(io.StringIO(export(store, "-f", "csv").decode("utf-8-sig"))))
    header = set(csv_rows[0])
    check({"agency_key", "province", "prefecture", "county", "county_code", "quality"} <= header,
          "the CSV carries the key, the places and the quality flag")
    named = [d for row in csv_rows for d in row["derived"].split(";") if d]
    check(named and all(d in header for d in named),
          f"derived names the CSV's own columns: {[d for d in named if d not in header][:5]} of {len(named)}")
    rp = subprocess.run([GH, "reparse", "--store", store], capture_output=True, text=True)
    check(rp.returncode == 0 and f"{len(EXPECTED)} records, 0 changed" in rp.stdout,
          f"reparse with the same parser changes nothing: {rp.stdout!r} {rp.stderr[-200:]!r}")
    out = os.path.join(tmp, "dump.jsonl")
    export(store, "-o", out)
    check(len(open(out, encoding="utf-8").read().splitlines()) == len(EXPECTED), "-o FILE")


def crawling(p, web, served=1, limit=60):
    """Waits until the crawl p has had `served` requests served (it holds
    the store and its handlers are installed)."""
    end = time.time() + limit
    while time.time() < end and p.poll() is None and len(web.requests()) < served:
        time.sleep(0.05)


def test_kill_resume(tmp, web, reference):
    """Ctrl-C, SIGKILL mid-crawl, a refused second writer, then resume."""
    conf = write_config(tmp)
    store = os.path.join(tmp, "killed")
    web.clear()
    p = crawl(tmp, web, store, conf, wait=False)
    # Signal once the crawl is under way (its first request is served), not
    # at a fixed moment: under ASan on a loaded machine the program may not
    # have installed its handlers 0.8 s after exec.
    crawling(p, web)
    t0 = time.time()
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    check(p.returncode == 130 and "interrupted" in out,
          f"Ctrl-C stops cleanly: {p.returncode} {out[:120]!r} {err[-200:]!r}")
    # What the user notices is a prompt stop, not a drain of the queue: far
    # less than the crawl itself, whatever the machine's load.
    check(time.time() - t0 < 20, f"Ctrl-C stops within 20 s: {time.time() - t0:.1f} s")
    web.clear()
    p = crawl(tmp, web, store, conf, wait=False)
    crawling(p, web)
    other = crawl(tmp, web, store, conf)
    check(other.returncode == 2 and "in use by another govharvest process" in other.stderr,
          f"second writer refused: {other.returncode} {other.stderr[:200]!r}")
    # Killed mid-crawl: some URLs finished and committed, others not.
    crawling(p, web, served=8)
    p.send_signal(signal.SIGKILL)
    p.wait()
    before = web.requests()
    web.clear()
    r = crawl(tmp, web, store, conf)
    check(r.returncode == 0 and "(complete)" in r.stdout, f"resumed crawl completes: {r.stdout[:200]!r}")
    a, b = without_times(records(store)), without_times(reference)
    check(a == b, "resumed store equals the uninterrupted crawl's: " +
          "; ".join(f"{x['agency']}: {k}: {x.get(k)} vs {y.get(k)}" for x, y in zip(a, b)
                    for k in set(x) | set(y) if x.get(k) != y.get(k))
          + ("" if len(a) == len(b) else f" ({len(a)} vs {len(b)} records)"))
    after = web.requests()
    done = collections.Counter((q["host"], q["path"]) for q in before if q["status"] == 200)
    again = [(q["host"], q["path"]) for q in after if (q["host"], q["path"]) in done and q["path"] != "/robots.txt"]
    # Per host, at most the request in flight at the kill (being fetched or
    # extracted) and one finished in the last, uncommitted batch: batches
    # commit every 100 ms, within the 0.2 s delay between a host's requests.
    per_host = collections.Counter(h for h, _ in again)
    check(all(n <= 2 for n in per_host.values()) and len(before) > 5,
          f"finished URLs not refetched after the restart ({len(before)} before the kill): {again}")


def test_tls(tmp, web):
    """A self-signed certificate is a tls_error, unless the host is named in
    tls_insecure_hosts; other hosts stay verified."""
    seeds = os.path.join(tmp, "tls-seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write("https://www.shanghai.gov.cn/nw12344/\t310000\t上海市人民政府\n")
    for insecure in (False, True):
        conf = write_config(tmp, "tls_insecure_hosts = www.shanghai.gov.cn\n" if insecure else "")
        store = os.path.join(tmp, f"tls-{insecure}")
        r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds, "-q",
                            "--connect-to", f"www.shanghai.gov.cn:443:127.0.0.1:{web.tls_port}",
                            "--connect-to", f"::127.0.0.1:{web.port}"],
                           capture_output=True, text=True, timeout=60)
        recs = records(store)
        if insecure:
            check([key(x) for x in recs] == [("上海市人民政府办公厅", 2019, "parsed", "310000", "2019")],
                  f"allowed insecure host lands its report: {[key(x) for x in recs]} {r.stderr[-300:]}")
        else:
            check(recs == [] and summary_errors(r.stdout).get("tls_error") == "1" and r.returncode == 1,
                  f"self-signed certificate is a tls_error and nothing was fetched: {r.returncode} {r.stdout!r}")
        # probe makes its requests with the crawler's options: the same
        # verdict on the same host.
        r = subprocess.run([GH, "probe", "--config", conf,
                            "--connect-to", f"www.shanghai.gov.cn:443:127.0.0.1:{web.tls_port}",
                            "https://www.shanghai.gov.cn/nw12344/"],
                           capture_output=True, text=True, timeout=60)
        reached = r.returncode == 0 and "HTTP 200" in r.stdout and "unreachable" not in r.stdout
        check(reached == insecure and (insecure or (r.returncode == 1 and "unreachable" in r.stdout
                                                    and "robots.txt: SSL" in r.stdout)),
              f"probe reads the insecure host only when listed ({insecure}): {r.returncode} {r.stdout!r}")


def test_bad_input(tmp, web):
    web.clear()
    bad = write_config(tmp, "delay = soon\n")
    r = crawl(tmp, web, os.path.join(tmp, "bad"), bad)
    check(r.returncode == 2, f"bad config exits 2 (got {r.returncode})")
    check(f"{bad}:" in r.stderr and "[crawl] delay" in r.stderr and len(r.stderr.splitlines()) == 1,
          f"bad config names file, line and key: {r.stderr!r}")
    badmap = write_config(tmp, "connect_to = nonsense\n")
    r = crawl(tmp, web, os.path.join(tmp, "bad"), badmap)
    check(r.returncode == 2 and "[crawl] connect_to" in r.stderr, f"bad connect_to: {r.stderr!r}")
    seeds = os.path.join(tmp, "bad-seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write("url\tregion_code\tname\nhttp://www.wd.gov.cn/\t532329\tok\nftp://x.gov.cn/\t\tbad\n")
    r = subprocess.run([GH, "crawl", "--config", write_config(tmp), "--store", os.path.join(tmp, "bad"),
                        "--seeds", seeds, "-q"], capture_output=True, text=True)
    check(r.returncode == 2 and f"{seeds}:3:" in r.stderr, f"bad seed line named: {r.stderr!r}")
    check(web.requests() == [], "nothing fetched on bad input")


def test_crawl_now(tmp, web, store):
    """Re-crawl one county now: --seed and --region crawl only those seeds,
    even where the cycle already did; --refetch asks again for the known
    documents, conditionally (304s, nothing re-parsed)."""
    conf = write_config(tmp)
    before = records(store)
    web.clear()
    r = crawl(tmp, web, store, conf, "--seed", "http://www.wd.gov.cn/")
    hosts = {q["host"] for q in web.requests()}
    check(r.returncode == 0 and hosts == {"www.wd.gov.cn"}, f"crawl --seed: only its host: {hosts} {r.stderr[-200:]}")
    wd_reports = [q for q in web.requests() if "/t2021" in q["path"]]
    check(not wd_reports, f"without --refetch the known reports are not asked for: {wd_reports[:2]}")
    web.clear()
    r = crawl(tmp, web, store, conf, "--region", "3208", "--refetch")
    got = web.requests()
    pdfs = [q for q in got if q["host"] == "file.huaian.gov.cn"]
    check(r.returncode == 0 and {q["host"] for q in got} == {"www.huaian.gov.cn", "file.huaian.gov.cn"},
          f"crawl --region 3208: only 淮安's hosts: {sorted({q['host'] for q in got})}")
    check(len(pdfs) == 3 and all(q["status"] == 304 for q in pdfs),
          f"--refetch asks for every known document again, conditionally: {[(q['path'], q['status']) for q in pdfs]}")
    check(records(store) == before, "and nothing changed")
    r = crawl(tmp, web, store, conf, "--region", "99")
    check(r.returncode == 2 and "no seed matches" in r.stderr, f"--region matching nothing: {r.stderr!r}")
    r = crawl(tmp, web, store, conf, "--seed", "http://www.new-seed.gov.cn/x/")
    check("is not in the seed list" in r.stderr, f"a URL not in the list is crawled as its own seed: {r.stderr!r}")


def test_nofile(tmp, web):
    """The descriptor limit: the soft limit is raised to the hard one and
    said; a hard limit that cannot hold max_connections is refused, naming
    what to raise, before the store is touched."""
    import resource
    conf = write_config(tmp)
    seeds = os.path.join(tmp, "seeds-nofile.tsv")
    with open(seeds, "w") as f:
        f.write("http://www.wd.gov.cn/\t532329\t武定县人民政府\n")
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]

    def limit(soft, hard_):
        return lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard_))
    store = os.path.join(tmp, "store-nofile")
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds, "--log-level", "info",
                        "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.01"],
                       capture_output=True, text=True, timeout=120, preexec_fn=limit(400, hard))
    check(r.returncode == 0 and f"open files: soft limit raised from 400 to {hard}" in r.stderr,
          f"the soft descriptor limit is raised and said: {r.stderr[-300:]}")
    store2 = os.path.join(tmp, "store-nofile2")
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store2, "--seeds", seeds,
                        "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.01"],
                       capture_output=True, text=True, timeout=120, preexec_fn=limit(200, 200))
    check(r.returncode == 2 and "max_connections = 256 needs about" in r.stderr and "LimitNOFILE=" in r.stderr
          and not os.path.exists(os.path.join(store2, "data.mdb")),
          f"a limit too low for max_connections is refused, saying what to raise: {r.stderr[-300:]}")


def test_progress(tmp, web):
    """Without a terminal, a heartbeat line every [log] heartbeat; the
    line and the summary say links, documents and records."""
    conf = write_config(tmp, "")
    with open(conf, "a") as f:
        f.write("heartbeat = 1s\n")  # into the [log] group write_config ends with
    store = os.path.join(tmp, "store-progress")
    seeds = os.path.join(tmp, "seeds-progress.tsv")
    with open(seeds, "w") as f:
        f.write("http://www.huaian.gov.cn/\t320800\t淮安市人民政府\n")
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                        "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.4", "--log-level", "info"],
                       capture_output=True, text=True, timeout=120)
    beats = [l for l in r.stderr.splitlines() if "progress: seeds" in l]
    check(r.returncode == 0 and len(beats) >= 2, f"heartbeat lines without a terminal: {beats}")
    check(all(re.search(r"seeds \d+/1 done, hosts \d+ active, \d+ links, \d+ documents fetched, \d+ queued, "
                        r"\d+ records, \d+ errors, [\d.]+ pages/s, \d+:\d\d:\d\d elapsed, ETA \d+:\d\d:\d\d", b)
              for b in beats), f"the line: seeds done/total, elapsed, ETA: {beats[:1]}")
    check(re.search(r"^coverage +1 of \d+ counties, 1 of 333 prefectures have a seed", r.stdout, re.M) is None and
          re.search(r"^coverage +0 of \d+ counties, 1 of 333 prefectures have a seed", r.stdout, re.M),
          f"the summary's coverage line for the seeds in use: {r.stdout}")
    check(re.search(r"^links +\d+ report links found$", r.stdout, re.M) and
          re.search(r"^documents +\d+ fetched", r.stdout, re.M) and re.search(r"^records +parsed=", r.stdout, re.M),
          f"the summary's words: {r.stdout}")
    with open(conf) as f:
        text = f.read()
    with open(conf, "w") as f:
        f.write(text.replace("heartbeat = 1s", "heartbeat = 0"))
    shutil.rmtree(store)
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                        "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.4", "--log-level", "info"],
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and "progress:" not in r.stderr, "heartbeat = 0: none")


def run(tmp, web):
    recs = test_full_crawl(tmp, web)
    test_exports(tmp, os.path.join(tmp, "store"))
    test_crawl_now(tmp, web, os.path.join(tmp, "store"))
    test_progress(tmp, web)
    test_nofile(tmp, web)
    test_kill_resume(tmp, web, recs)
    test_tls(tmp, web)
    test_bad_input(tmp, web)
    test_discovery_shapes(tmp, web)
    test_probe(tmp, web)


def main():
    with_web(run)
    finish("crawl")


if __name__ == "__main__":
    main()

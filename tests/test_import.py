#!/usr/bin/env python3
"""govharvest import: a folder of downloaded reports becomes the dataset a
crawl of their portals gives.

    test_import.py GOVHARVEST

Crawls the fixture web (tests/web/fixture_web.py) into one store, downloads
every landed record's document from the same web as a person would (saved
under the name the link or the download gave it, one folder per county),
imports the folders into a second store (--region per folder, by code or by
name) and asserts: the same records by agency_key and year, with the same
status, region, template and table values; provenance is the file
(source.path, sha256, mtime); a second import is a no-op; a changed file
for the same agency and year keeps the old record in history; --store is
the store written (the configured one is never created); a missing file,
a FIFO and an unknown region are refused with a message.  Beside it:
`crawl --seed URL` without any seed list, and --region by place name.
"""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

GH = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "web"))
from harness import SEEDS, SRC, check, crawl_config, finish, records, with_web  # noqa: E402

# What the store adds or the run sets, not what the document says.
VOLATILE = {"source", "parser_version", "warnings"}


def fetch(web, url):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection("127.0.0.1", web.port, timeout=10)
    path = u.path + ("?" + u.query if u.query else "")
    conn.request("GET", path, headers={"Host": u.hostname, "User-Agent": "test-import"})
    r = conn.getresponse()
    body = r.read()
    conn.close()
    return r.status, body


def file_name(rec):
    """The name a person's download gets: the server's download name, else
    the link's text with the format's extension, else the URL's last part."""
    src = rec["source"]
    ext = {"pdf": ".pdf", "docx": ".docx", "html": ".html", "text": ".txt"}.get(src.get("format"), "")
    link = src.get("link_text")
    if link and not link.lower().endswith(ext):
        link += ext
    name = src.get("file_title") or link or os.path.basename(urllib.parse.urlsplit(src["url"]).path)
    return re.sub(r"[/\x00]", "_", name)


def comparable(rec):
    return {k: v for k, v in rec.items() if k not in VOLATILE}


def run(tmp, web):
    conf = crawl_config(tmp, "test.conf", f"regions = {SRC}/config/regions.tsv\n")
    with open(conf, "a", encoding="utf-8") as f:
        f.write(f"[store]\npath = {tmp}/configured-store\n")
    seeds = os.path.join(tmp, "seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(SEEDS)
    crawled_store = os.path.join(tmp, "crawled")
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", crawled_store, "--seeds", seeds,
                        "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.05", "-q"],
                       capture_output=True, text=True, timeout=180)
    check(r.returncode == 0, f"the crawl exits 0: {r.stderr[-400:]}")
    crawled = records(GH, crawled_store)
    check(len(crawled) >= 10, f"the crawl landed its records ({len(crawled)})")

    # One folder per county, as a person sorts downloads; the 吴忠 folder is
    # named by place, the others by code.
    folders = {}
    for rec in crawled:
        code = rec.get("region_code") or "unknown"
        folder = os.path.join(tmp, "downloads", code)
        os.makedirs(folder, exist_ok=True)
        status, body = fetch(web, rec["source"]["url"])
        check(status == 200, f"{rec['source']['url']} downloads ({status})")
        with open(os.path.join(folder, file_name(rec)), "wb") as f:
            f.write(body)
        folders[code] = folder
    # Things a download folder also holds: not reports, not read.
    for code, folder in folders.items():
        open(os.path.join(folder, "Thumbs.db"), "wb").write(b"\0" * 64)
        open(os.path.join(folder, ".~lock.report.docx#"), "w").write("x")

    imported_store = os.path.join(tmp, "imported")
    outputs = []
    for code, folder in sorted(folders.items()):
        region = "吴忠市" if code == "640300" else code
        r = subprocess.run([GH, "import", "--config", conf, "--store", imported_store,
                            "--region", region, folder], capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"import of {code} exits 0: {r.stdout[-300:]} {r.stderr[-600:]}")
        outputs.append(r.stdout)
    check(not os.path.exists(os.path.join(tmp, "configured-store")),
          "--store is the store written: the configured one is not created")
    imported = records(GH, imported_store)

    by_key = lambda recs: {(x["agency_key"], x["year"]): x for x in recs}  # noqa: E731
    want, got = by_key(crawled), by_key(imported)
    check(set(got) == set(want), f"the same records by agency_key and year: "
          f"missing {sorted(set(want) - set(got))}, extra {sorted(set(got) - set(want))}")
    for key in sorted(set(want) & set(got)):
        a, b = comparable(want[key]), comparable(got[key])
        diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        check(not diff, f"{key}: the imported record equals the crawled one (differs in {diff})")

    # Provenance is the file.
    for rec in imported:
        src = rec["source"]
        path = src.get("path", "")
        check(os.path.isabs(path) and os.path.exists(path), f"source.path names the file: {path!r}")
        if os.path.exists(path):
            import hashlib
            data = open(path, "rb").read()
            check(src.get("sha256") == hashlib.sha256(data).hexdigest(), f"{path}: source.sha256")
            mtime = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(os.stat(path).st_mtime))
            check(src.get("mtime") == mtime, f"{path}: source.mtime {src.get('mtime')} == {mtime}")
        check(src.get("url") is None, f"{path}: an imported record claims no URL")

    # A second import changes nothing.
    before = export_bytes(imported_store)
    r = subprocess.run([GH, "import", "--config", conf, "--store", imported_store,
                        os.path.join(tmp, "downloads")], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"a re-import exits 0: {r.stderr[-300:]}")
    check(f"0 new, 0 replaced, 0 same document, 0 kept in history, {len(imported)} already stored"
          in r.stdout, f"a re-import says every file is stored already: {r.stdout[-300:]}")
    check(export_bytes(imported_store) == before, "a re-import leaves the store byte-identical")

    # A corrected file for the same agency and year: history, as a crawl's.
    target = next(x for x in imported if x["source"]["format"] == "text"
                  or x["source"]["format"] == "html")
    fixed = os.path.join(tmp, "corrected", os.path.basename(target["source"]["path"]))
    os.makedirs(os.path.dirname(fixed))
    shutil.copy(target["source"]["path"], fixed)
    with open(fixed, "ab") as f:
        f.write(b"\n")  # re-saved: other bytes, the same report
    r = subprocess.run([GH, "import", "--config", conf, "--store", imported_store,
                        "--region", target["region_code"], fixed], capture_output=True, text=True,
                       timeout=60)
    check(r.returncode == 0 and re.search(r"^(replaced|kept) ", r.stdout, re.M),
          f"a second document for one agency and year is replaced or kept: {r.stdout}")
    now = by_key(records(GH, imported_store))[(target["agency_key"], target["year"])]
    notes = [w for w in now.get("warnings", []) if w.startswith("another document for this agency")]
    other = fixed if now["source"]["path"] == target["source"]["path"] else target["source"]["path"]
    check(len(notes) == 1 and other in notes[0],
          f"the current record names the other file, kept in history: {notes}")

    # Refusals.
    fifo = os.path.join(tmp, "pipe.pdf")
    os.mkfifo(fifo)
    r = subprocess.run([GH, "import", "--config", conf, "--store", imported_store,
                        os.path.join(tmp, "missing.pdf"), fifo], capture_output=True, text=True,
                       timeout=30)
    check(r.returncode == 1 and "missing.pdf: read_failed" in r.stderr
          and "pipe.pdf: read_failed: not a regular file" in r.stderr,
          f"a missing file and a FIFO are named and refused: {r.stderr}")
    r = subprocess.run([GH, "import", "--config", conf, "--store", imported_store,
                        "--region", "火星市", fixed], capture_output=True, text=True, timeout=30)
    check(r.returncode == 2 and "火星市" in r.stderr, f"an unknown --region is refused: {r.stderr}")


def crawl_alone(tmp, web):
    """crawl --seed URL with no seed list at all, and --region by name."""
    conf = crawl_config(tmp, "alone.conf", f"regions = {SRC}/config/regions.tsv\n"
                        f"seeds = {tmp}/no-such-seeds.tsv\n")
    store = os.path.join(tmp, "alone")
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seed", "http://www.wd.gov.cn/",
                        "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.05", "-q"],
                       capture_output=True, text=True, timeout=120)
    got = {x["agency"] for x in records(GH, store)} if r.returncode == 0 else set()
    check(r.returncode == 0 and "武定县工业信息化商务科学技术局" in got,
          f"crawl --seed URL works without a seed list: {r.returncode} {r.stderr[-300:]} {got}")
    seeds = os.path.join(tmp, "seeds-all.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(SEEDS)
    store = os.path.join(tmp, "by-name")
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds, "--region", "大姚县",
                        "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.05", "-q"],
                       capture_output=True, text=True, timeout=120)
    got = {x["region_code"] for x in records(GH, store)} if r.returncode == 0 else set()
    check(r.returncode == 0 and got == {"532326"}, f"crawl --region by name (大姚县): {r.stderr[-300:]} {got}")
    r = subprocess.run([GH, "export", "--store", store, "--region", "楚雄彝族自治州"], capture_output=True,
                       text=True)
    check(r.returncode == 0 and len(r.stdout.splitlines()) == len(got and records(GH, store)),
          f"export --region by name: {r.stderr}")


def export_bytes(store):
    r = subprocess.run([GH, "export", "--store", store], capture_output=True)
    return r.stdout


def both(tmp, web):
    run(tmp, web)
    crawl_alone(tmp, web)


with_web(both)
finish("import")

#!/usr/bin/env python3
"""The rendering fallback ([render], docs/render.md) over portals whose
report lists scripts build (tests/web/render_web.py):

  - with rendering, the crawl lands exactly the reports of the json, iframe,
    code-pager and storm columns; the fixture server sees no stylesheet,
    image or font, nothing of another site, nothing robots.txt forbids, and
    no more of the storm than [render] max_requests;
  - the hostile pages cost their caps and nothing else: the endless script
    its [render] seconds, the allocating one its memory (the renderer dies),
    the browser killed (SIGKILL) while a page waits its request; the crawl
    completes with every other report, the browser started again;
  - with [render] enabled = no, the same crawl lands none of the script-
    built lists and its summary, journal and `stats` name every such page;
  - on the six portals of the fixture web and its TLS portal (the web
    valgrind_crawl.py crawls), which need no rendering, a crawl with
    rendering starts no browser, makes the same requests and lands the same
    records.

    test_render.py GOVHARVEST        (exit 77: no browser installed)
"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

GH = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "web"))
sys.path.insert(0, os.path.join(HERE, "layouts"))
from harness import SEEDS, Web, check, crawl_config, finish, records  # noqa: E402
from render_web import render_web  # noqa: E402

SEED = 1
CAPS = "[render]\nenabled = {}\nseconds = 10\nmax_requests = 30\nmemory = 768M\nparallel = 1\n"


def browser():
    for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if os.access(p, os.X_OK):
            return p
    return None


def conf(tmp, name, enabled):
    path = crawl_config(tmp, name, "timeout = 10\nretries = 1", level="info")
    with open(path, "a", encoding="utf-8") as f:
        f.write(CAPS.format(enabled))
    return path


def crawl(tmp, web, seeds_tsv, name, enabled, kill_when=None, extra=()):
    """A crawl of `seeds_tsv`; with `kill_when(line)`, the browser is killed
    (SIGKILL) at the first line of the crawl's log it accepts.  Returns
    (summary, log, store, seconds the kill came after the start or None)."""
    seeds = os.path.join(tmp, name + ".tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(seeds_tsv)
    store = os.path.join(tmp, name)
    errpath = os.path.join(tmp, name + ".log")
    cmd = [GH, "crawl", "--config", conf(tmp, name + ".conf", enabled), "--store", store, "--seeds", seeds,
           *extra, "--connect-to", f"::127.0.0.1:{web.port}", "--delay", "0.01", "-q", "--log-level", "debug"]
    with open(errpath, "w") as err:
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True)
        killed = None
        if kill_when:
            pid, seen = None, 0
            deadline = time.time() + 240
            while p.poll() is None and killed is None and time.time() < deadline:
                with open(errpath, encoding="utf-8", errors="replace") as f:
                    f.seek(seen)
                    chunk = f.read()
                # Whole lines only.
                chunk = chunk[:chunk.rfind("\n") + 1]
                seen += len(chunk.encode("utf-8", errors="replace"))
                for line in chunk.splitlines():
                    m = re.search(r"render: started \S+ \(pid (\d+)", line)
                    if m:
                        pid = int(m.group(1))
                    if pid and kill_when(line):
                        os.kill(pid, signal.SIGKILL)
                        killed = pid
                        break
                time.sleep(0.05)
        out, _ = p.communicate(timeout=600)
    check(p.returncode == 0, f"{name}: crawl exits 0 ({p.returncode})")
    with open(errpath, encoding="utf-8", errors="replace") as f:
        log = f.read()
    return out, log, store, killed


def stats(store):
    r = subprocess.run([GH, "stats", "--store", store, "--json"], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, f"stats exits 0: {r.stderr[-200:]}")
    return json.loads(r.stdout) if r.returncode == 0 else {}


def rendered(tmp):
    sites, seeds_tsv, expected, shapes = render_web(SEED)
    host_of = {s: h for h, s in shapes.items()}
    web = Web(tmp, ["--render-seed", str(SEED)])
    try:
        web.clear()
        killed_api = f"http://{host_of['killed']}/api/articles"
        out, log, store, killed = crawl(tmp, web, seeds_tsv, "on", "yes",
                                        kill_when=lambda l: "(for a render)" in l and killed_api in l)
        got = {(x["agency"], x["year"]) for x in records(GH, store)}
        check(got == expected, f"rendering: exactly the reports\n  missed {sorted(expected - got)[:6]} "
                               f"({len(expected - got)})\n  extra {sorted(got - expected)[:6]}")
        check("(complete)" in out, f"rendering: the cycle completes: {out[:200]}")
        reqs = web.requests()
        assets = [q["path"] for q in reqs if re.search(r"\.(css|png|jpe?g|gif|woff2?)(\?|$)", q["path"])]
        check(not assets, f"no stylesheet, image or font requested: {assets[:5]}")
        check(not [q for q in reqs if q["path"].startswith("/private/")],
              "nothing robots.txt disallows is requested")
        check(all(q["host"].endswith(".gov.cn") for q in reqs),
              f"nothing of another site: {sorted({q['host'] for q in reqs})}")
        ping = [q for q in reqs if q["path"].startswith("/api/ping")]
        check(0 < len(ping) <= 30, f"the storm is cut at [render] max_requests (30): {len(ping)} asked")
        check("refused over the cap" in log, "the storm's refusals are said")
        first = {}
        for q in reqs:
            first.setdefault(q["host"], q["path"])
        check(all(p == "/robots.txt" for p in first.values()), "robots.txt first on every host")
        # Each hostile page cost its cap, named as such.
        endless = host_of["endless"]
        check(re.search(rf"render of http://{re.escape(endless)}/\S*: over \[render\] seconds", log),
              "the endless script ends at [render] seconds")
        memory = host_of["memory"]
        check(re.search(rf"render of http://{re.escape(memory)}/\S*: (the page's renderer crashed|"
                        r"the browser died under it \(the browser's memory)", log),
              "the allocating script ends at its memory cap")
        check(killed is not None, "the browser was killed while a page waited")
        killed_host = host_of["killed"]
        check(re.search(rf"render of http://{re.escape(killed_host)}/\S*: the browser died under it", log),
              "the page the browser died under is named")
        starts = re.findall(r"render: started", log)
        check(len(starts) >= 2 or log.rfind("died under it") > max(log.rfind("rendered http"), 0),
              f"the browser is started again for the next page ({len(starts)} starts)")
        s = stats(store)
        errs = s.get("errors_by_kind", {})
        check(errs.get("render_timeout", 0) >= 1 and errs.get("render_failed", 0) >= 2,
              f"stats counts the renders cut short: {errs}")

        web.clear()
        out, log, store, _ = crawl(tmp, web, seeds_tsv, "off", "no")
        got_off = {(x["agency"], x["year"]) for x in records(GH, store)}
        check(not got_off, f"without rendering no script-built list lands: {sorted(got_off)[:4]}")
        for host, shape in shapes.items():
            check(re.search(rf"wants render   http://{re.escape(host)}/", out),
                  f"the summary names the {shape} column as wanting rendering")
            check(re.search(rf"http://{re.escape(host)}/\S*: no report link and no next page: a script", log),
                  f"the journal names the {shape} column")
        check("render: started" not in log, "no browser without rendering")
        check(stats(store).get("errors_by_kind", {}).get("wants_render", 0) >= len(shapes),
              "stats counts the pages that wanted rendering")
        assets = [q["path"] for q in web.requests() if "/api/" in q["path"]]
        check(not assets, f"without rendering no list endpoint is asked: {assets[:3]}")

        # probe --render: the json column's static and rendered readings.
        col = next(u for u in re.findall(r"wants render   (\S+)", out) if host_of["json"] in u)
        r = subprocess.run([GH, "probe", "--config", conf(tmp, "probe.conf", "yes"), "--render",
                            "--connect-to", f"::127.0.0.1:{web.port}", col],
                           capture_output=True, text=True, timeout=120)
        check(r.returncode == 0, f"probe --render exits 0: {r.stderr[-300:]}")
        static, _, rend = r.stdout.partition(f"rendered {col}")
        check("would follow" in static and rend, f"probe prints the static then the rendered reading: {r.stdout[:300]}")
        check(re.search(r"GET\s+XHR\s+\S+/api/articles\S*\s+fetched by the crawler: HTTP 200", rend),
              f"probe --render lists the list request, fetched by the crawler: {rend[:600]}")
        check(re.search(r"\S+\.css\s+refused unfetched", rend), "probe --render shows the stylesheet refused")
        check(re.search(r"clicked\s+[1-9]", rend) and "next: 下一页" in rend, "probe --render shows the pager click")
        found = re.findall(r"report\s+(\S+/art/\S+\.html)", rend)
        check(len(found) >= 3, f"probe --render lists the report links the page gives: {len(found)}")
    finally:
        web.stop()


def unchanged(tmp):
    """The fixture web's six portals need no browser: the same requests and
    records with rendering as without."""
    runs = {}
    for enabled in ("no", "yes"):
        # A fresh server each time: some routes answer the first request
        # differently (a 429, then 200).
        web = Web(tmp)
        try:
            web.clear()
            # The web valgrind_crawl.py crawls (no browser may start there).
            out, log, store, _ = crawl(tmp, web, SEEDS + "https://www.shanghai.gov.cn/nw12344/\t310000\t上海市人民政府\n",
                                       "fixture-" + enabled, enabled,
                                       extra=("--connect-to", f"www.shanghai.gov.cn:443:127.0.0.1:{web.tls_port}"))
            recs = sorted((x["agency"], x["year"], x["status"]) for x in records(GH, store))
            runs[enabled] = (len(web.requests()), recs, log)
        finally:
            web.stop()
    check(runs["yes"][0] == runs["no"][0],
          f"requests on the fixture web: {runs['yes'][0]} with rendering, {runs['no'][0]} without")
    check(runs["yes"][1] == runs["no"][1] and runs["yes"][1], "the same records with rendering")
    check("render: started" not in runs["yes"][2], "no browser is started where no page needs one")


def main():
    if not browser():
        print("test_render: no chromium installed; skipped")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        rendered(tmp)
    with tempfile.TemporaryDirectory() as tmp:
        unchanged(tmp)
    finish("render")


if __name__ == "__main__":
    main()

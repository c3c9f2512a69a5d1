#!/usr/bin/env python3
"""The hostile web: every fault of tests/web/fixture_web.py's
www.hostile.gov.cn (resets, drips, cut bodies, 2 GiB bodies, a gzip bomb,
redirect chains, 5xx and absurd Retry-After, error pages, wrong types and
charsets, a 10 MB line, 100,000 nested elements, a truncated PDF) plus a
seed whose host refuses connections.

    test_hostile.py GOVHARVEST

Asserts the crawl finishes, each fault is recorded against its URL with the
right state and error kind, every sound report still lands, and the
crawler's own memory stays bounded (it never buffers past the cap).  Then
the per-host budgets (a tarpit, drips between 404s, the hostile web beside
the six portals), a hung host's CPU, fair extraction and the breaker, and
the PDF pre-scan (eight costly PDFs beside the portals; parse)."""
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

GH = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "web"))
from harness import SEEDS, SRC, anon_kib, check, finish, records, with_web  # noqa: E402
sys.path.insert(0, os.path.join(SRC, "tests", "fixtures"))
from make_costly_pdfs import shared_content_pdf, xobject_bomb_pdf  # noqa: E402

# URL (under /nb/) -> (state, error kind or record status) the crawl must record.
EXPECT = {
    "reset.html": ("failed", "network"),
    "drip.html": ("failed", "timeout"),
    "chunked.html": ("failed", "network"),
    "short.html": ("failed", "network"),
    "huge.pdf": ("failed", "too_large"),
    "endless.pdf": ("failed", "too_large"),
    "bomb.html": ("failed", "too_large"),
    "hop1.html": ("redirected", None),
    "e500.html": ("failed", "http_5xx"),
    "e502.html": ("failed", "http_5xx"),
    "e503.html": ("done", "parsed"),
    "e429.html": ("failed", "http_429"),
    "errpage.pdf": ("done", "not_a_report"),
    "mislabelled.html": ("done", "parsed"),
    "gbk.html": ("done", "parsed"),
    "badutf8.html": ("done", "parsed"),
    "oneline.html": ("done", "not_a_report"),
    "trunc.pdf": ("done", "extract_failed"),
    "headers.html": ("failed", "too_large"),
    "good.html": ("done", "parsed"),
}
# Records that must land (agency, year, status).
LANDED = {
    ("乌苏市商务和工业信息化局", 2020, "parsed"),            # good.html
    ("吴忠市工业和信息化局", 2020, "parsed"),                # after a 503 and Retry-After
    ("淮安市洪泽区人民政府", 2024, "parsed"),                # a PDF sent as text/html
    ("楚雄市自然资源局", 2022, "parsed"),                    # GBK declared UTF-8
    ("武定县工业信息化商务科学技术局", 2020, "parsed"),      # UTF-8 with stray bytes
    ("测试县第20局", 2023, "extract_failed"),                # truncated PDF: named by its link
    ("洪泽区人民政府", 2023, "parsed"),                      # a 600-byte attachment URL
}


def main():
    with_web(run)
    with_web(tarpit)
    with_web(private_targets)
    with_web(hung_host)
    with_web(budget)
    with_web(breaker)
    with_web(prescan)
    with_web(beside_portals)
    with tempfile.TemporaryDirectory() as tmp:
        prescan_parse(tmp)
    finish("hostile")


def children_cpu():
    """CPU seconds of every child this process has waited for, and theirs."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(tmp, web):
    seeds = os.path.join(tmp, "seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write("http://www.hostile.gov.cn/nb/\t654202\t测试县人民政府\n"
                "http://www.refused.gov.cn/\t\t拒绝连接\n"
                "http://www.robots503.gov.cn/nb/\t\trobots.txt 503\n")
    conf = os.path.join(tmp, "hostile.conf")
    with open(conf, "w") as f:
        f.write(f"""[crawl]
regions = {SRC}/config/regions.tsv
user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)
timeout = 3
connect_timeout = 2
retries = 1
backoff = 0.1
max_retry_after = 60
max_redirects = 10
# Its faults come four in a row: this test wants each recorded, not the
# host set aside (tarpit() below tests that).
host_failures = 50
[limits]
max_document_bytes = 16M
[log]
level = warning
""")
    store = os.path.join(tmp, "store")
    cmd = [GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds, "-q", "--delay", "0.05",
           # Port 1 on loopback: nothing listens, the connection is refused.
           "--connect-to", "www.refused.gov.cn:80:127.0.0.1:1",
           "--connect-to", f"::127.0.0.1:{web.port}"]
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while p.poll() is None:
        peak = max(peak, anon_kib(p.pid))
        time.sleep(0.05)
    out, err = p.communicate()
    check(p.returncode == 0 and "(complete)" in out,
          f"the crawl finishes: exit {p.returncode}, {out[:200]!r} {err[-400:]!r}")
    check(time.time() - t0 < 120, f"in bounded time ({time.time() - t0:.0f} s)")
    # The cap is 16 MiB and bodies over it are aborted, never buffered: the
    # 2 GiB body, the endless stream and the 64 MiB gzip bomb must not show.
    # The 10 MB page is held a few times over (body, job, request, the
    # worker's reply decoded), and AddressSanitizer's quarantine keeps freed
    # memory a while: bounded, not small.
    check(0 < peak < 640 * 1024, f"crawler heap stayed bounded: {peak / 1024:.0f} MiB")

    states = {}
    r = subprocess.run([GH, "stats", "--store", store, "--urls"], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        s = json.loads(line)
        states[s["url"]] = s
    for name, (state, what) in EXPECT.items():
        s = states.get(f"http://www.hostile.gov.cn/nb/{name}", {})
        got_what = s.get("error") if state in ("failed",) else s.get("record_status")
        check(s.get("state") == state and (what is None or got_what == what),
              f"{name}: want {state}/{what}, got {s.get('state')}/{got_what} ({s.get('reason')})")
    hop = states.get("http://www.hostile.gov.cn/nb/hop11.html", {})
    check(hop.get("state") == "failed" and hop.get("error") == "redirect_loop",
          f"the 30-hop chain stops at max_redirects 10: {hop.get('state')} {hop.get('reason')}")
    deep = states.get("http://www.hostile.gov.cn/nb/deep.html", {})
    check(deep.get("state") in ("done", "failed"),
          f"100,000 nested elements: recorded, crawler alive ({deep.get('state')}, {deep.get('reason')})")
    refused = states.get("http://www.refused.gov.cn/", {})
    check(refused.get("state") == "failed" and refused.get("error") == "connect",
          f"connection refused recorded: {refused.get('state')} {refused.get('error')} {refused.get('reason')}")
    r503 = states.get("http://www.robots503.gov.cn/nb/", {})
    check(r503.get("state") == "failed" and r503.get("error") == "robots_unreachable",
          f"robots.txt answering 503 disallows the host: {r503.get('state')} {r503.get('error')}")
    reqs503 = [q["path"] for q in web.requests() if q["host"] == "www.robots503.gov.cn"]
    check(reqs503 and set(reqs503) == {"/robots.txt"} and len(reqs503) == 2,
          f"only robots.txt was requested there, retried once: {reqs503}")
    for name in ("huge.pdf", "endless.pdf", "bomb.html"):
        reason = states.get(f"http://www.hostile.gov.cn/nb/{name}", {}).get("reason", "")
        check("16777216" in reason or "Maximum file size" in reason,
              f"{name}: the reason names the cap: {reason}")
    longs = [s for u, s in states.items() if "/nb/%e9%99%84%e4%bb%b6/" in u.lower()]
    check(len(longs) == 1 and min(len(u) for u in states if "/nb/%e9%99%84" in u.lower()) > 600
          and longs[0].get("state") == "done" and longs[0].get("record_status") == "parsed",
          f"a link over LMDB's 511-byte key limit is fetched and lands: {longs}")
    toolong = [s for u, s in states.items() if "/nb/x.html?q=" in u]
    check(len(toolong) == 1 and len(toolong[0]["url"]) == 8192 and toolong[0].get("state") == "failed"
          and toolong[0].get("error") == "url_too_long" and "8192" in toolong[0].get("reason", ""),
          f"a 9 KB link is recorded as url_too_long: {[(t.get('state'), t.get('error')) for t in toolong]}")
    e429 = states.get("http://www.hostile.gov.cn/nb/e429.html", {}).get("reason", "")
    check("999999" in e429, f"the absurd Retry-After is in the reason: {e429}")

    landed = {(x["agency"], x["year"], x["status"]) for x in records(GH, store)}
    check(landed == LANDED, f"records: missing {LANDED - landed}, unexpected {landed - LANDED}")
    reqs = web.requests()
    drips = [q for q in reqs if q["path"] == "/nb/drip.html"]
    check(len(drips) == 2, f"the stalled transfer was retried once: {len(drips)}")


def tarpit(tmp, web):
    """One host that drips every answer, beside a sound one: after
    host_failures consecutive failures the tarpit waits for the next cycle,
    and the crawl ends long before its 30 URLs x 2 attempts x timeout."""
    seeds = os.path.join(tmp, "tarpit-seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        # A seed of 650 bytes (over LMDB's old key limit) beside them.
        f.write("http://www.tarpit.gov.cn/nb/\t\t陷阱县人民政府\n"
                "http://www.wusu.gov.cn/" + "%E6%B4%AA" * 70 + ".html\t654202\t超长种子\n"
                "http://www.wusu.gov.cn/xxgk/nb/\t654202\t乌苏市人民政府\n")
    conf = os.path.join(tmp, "tarpit.conf")
    with open(conf, "w") as f:
        f.write(f"""[crawl]
regions = {SRC}/config/regions.tsv
user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)
timeout = 3
retries = 1
backoff = 0.1
host_failures = 3
[log]
level = warning
""")
    store = os.path.join(tmp, "tarpit-store")
    t0 = time.time()
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds, "-q",
                        "--delay", "0.05", "--connect-to", f"::127.0.0.1:{web.port}"],
                       capture_output=True, text=True, timeout=300)
    took = time.time() - t0
    check(r.returncode == 0 and took < 60,
          f"a tarpit host does not hold the crawl: {took:.0f} s, exit {r.returncode} {r.stderr[-300:]!r}")
    check("unhealthy      www.tarpit.gov.cn: 3 timeout failures this cycle" in r.stdout
          and "unhealthy hosts wait" in r.stdout,
          f"the summary names the unhealthy host and why: {r.stdout!r}")
    drips = [q for q in web.requests() if q["host"] == "www.tarpit.gov.cn" and q["path"].startswith("/nb/t")]
    check(len(drips) == 3, f"three failed requests, then no more: {len(drips)}")
    urls = [json.loads(l) for l in subprocess.run([GH, "stats", "--urls", "--store", store],
                                                  capture_output=True, text=True).stdout.splitlines()]
    long_seed = [u for u in urls if len(u["url"]) > 600 and u.get("kind") == "seed"]
    check(len(long_seed) == 1 and long_seed[0].get("state") == "failed"
          and long_seed[0].get("error") == "http_404",
          f"a 650-byte seed is fetched and recorded like any other: {[(u.get('state'), u.get('error')) for u in long_seed]}")
    landed = {(x["agency"], x["year"]) for x in records(GH, store)}
    check(("乌苏市商务和工业信息化局", 2020) in landed, f"the sound host's report landed: {landed}")
    s = json.loads(subprocess.run([GH, "stats", "--json", "--store", store], capture_output=True,
                                  text=True).stdout)
    check("www.tarpit.gov.cn" in s.get("unhealthy_hosts", {}) and s["queued"] >= 27,
          f"stats lists the host, its URLs still queued: {s.get('unhealthy_hosts')} {s.get('queued')}")
    # No failure budget, a cycle time limit instead: new requests stop at it.
    with open(conf, "a") as f:
        f.write("[crawl]\nhost_failures = 1000\ncycle_time_limit = 4s\n")
    t0 = time.time()
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store + "2", "--seeds", seeds, "-q",
                        "--delay", "0.05", "--connect-to", f"::127.0.0.1:{web.port}"],
                       capture_output=True, text=True, timeout=300)
    took = time.time() - t0
    check(r.returncode == 0 and took < 20 and "cycle_time_limit reached" in r.stdout,
          f"cycle_time_limit ends the crawl: {took:.0f} s {r.stdout[:120]!r} {r.stderr[-200:]!r}")


def private_targets(tmp, web):
    """A name that resolves to loopback (as a hijacked *.gov.cn record or a
    link to an internal host would) is not connected to, unless mapped."""
    seeds = os.path.join(tmp, "private-seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(f"http://localhost:{web.port}/nb/\t\t内网\n")
    conf = os.path.join(tmp, "private.conf")
    with open(conf, "w") as f:
        f.write("[crawl]\nuser_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)\n"
                "timeout = 3\nretries = 0\n[log]\nlevel = error\n")

    def crawl(store, *extra):
        subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds, "-q",
                        "--delay", "0.05", *extra], capture_output=True, text=True, timeout=60)
        r = subprocess.run([GH, "stats", "--urls", "--store", store], capture_output=True, text=True)
        return {j["url"]: j for j in map(json.loads, r.stdout.splitlines())}

    web.clear()
    states = crawl(os.path.join(tmp, "p1"))
    s = states.get(f"http://localhost:{web.port}/nb/", {})
    check(s.get("state") == "failed" and s.get("error") == "private_address" and ("127.0.0.1" in s.get("reason", "") or "::1" in s.get("reason", "")),
          f"a host resolving to loopback is refused: {s}")
    check(not web.requests(), f"nothing reached the loopback server: {web.requests()[:3]}")
    # Mapped explicitly: allowed.
    states = crawl(os.path.join(tmp, "p2"), "--resolve", f"localhost:{web.port}:127.0.0.1")
    s = states.get(f"http://localhost:{web.port}/nb/", {})
    check(s.get("error") != "private_address" and web.requests(),
          f"a host mapped with --resolve is fetched: {s.get('state')} {s.get('error')}")
    # A wildcard mapping for another port exempts that port only: this
    # host:port still resolves through DNS to loopback, and is refused.
    web.clear()
    states = crawl(os.path.join(tmp, "p2w"), "--resolve", f"*:{web.port + 1}:127.0.0.1")
    s = states.get(f"http://localhost:{web.port}/nb/", {})
    check(s.get("error") == "private_address" and not web.requests(),
          f"a wildcard resolve for another port does not lift the guard: {s.get('state')} {s.get('error')}")
    # Listed in [crawl] allow_private: allowed.
    with open(conf, "a") as f:
        f.write("[crawl]\nallow_private = localhost\n")
    web.clear()
    states = crawl(os.path.join(tmp, "p3"))
    s = states.get(f"http://localhost:{web.port}/nb/", {})
    check(s.get("error") != "private_address" and web.requests(),
          f"a host in allow_private is fetched: {s.get('state')} {s.get('error')}")
    r = subprocess.run([GH, "probe", f"http://localhost:{web.port}/nb/"], capture_output=True, text=True,
                       timeout=60)
    check("private_address" in r.stdout + r.stderr, f"probe says why: {r.stdout[-300:]!r} {r.stderr[-200:]!r}")


def budget(tmp, web):
    """Per-host budgets a host cannot dodge.  www.drip404 alternates report
    links that drip (each attempt runs to the 2 s timeout) with links that
    answer 404 at once; a success used to reset the failure count, so the
    drips held the crawl 8 x 2 attempts x timeout.  With a 3 s budget of
    time in failed transfers it is set aside after two drips, named, and
    its queue waits for the next cycle; the slow but sound www.slow (0.8 s
    a page, 4.8 s in all) is never charged.  Then the count alone: three
    failures in a cycle, 404s between them or not."""
    seeds = os.path.join(tmp, "budget-seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write("http://www.drip404.gov.cn/nb/\t\t滴漏县人民政府\n"
                "http://www.slow.gov.cn/nb/\t\t缓慢县人民政府\n"
                "http://www.wusu.gov.cn/xxgk/nb/\t654202\t乌苏市人民政府\n")

    def crawl(name, extra):
        conf = os.path.join(tmp, name + ".conf")
        with open(conf, "w") as f:
            f.write("[crawl]\nuser_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)\n"
                    f"timeout = 2\nretries = 1\nbackoff = 0.1\n{extra}[log]\nlevel = warning\n")
        web.clear()
        store = os.path.join(tmp, name)
        r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                            "--delay", "0.05", "--connect-to", f"::127.0.0.1:{web.port}"],
                           capture_output=True, text=True, timeout=300)
        reqs = web.requests()
        drips = [q for q in reqs if q["host"] == "www.drip404.gov.cn" and q["path"].startswith("/nb/d")]
        s = json.loads(subprocess.run([GH, "stats", "--json", "--store", store], capture_output=True,
                                      text=True).stdout)
        return r, reqs, drips, s

    r, reqs, drips, s = crawl("budget-time", "host_failures = 1000\nhost_failure_time = 3s\n")
    check(r.returncode == 0 and "www.drip404.gov.cn: " in r.stdout and "spent in failed transfers" in r.stdout
          and "unhealthy hosts wait" in r.stdout,
          f"the summary names the host whose failed transfers spent its time budget: {r.stdout!r} {r.stderr[-300:]!r}")
    check(len(drips) <= 3, f"two or three dripping transfers, then no more: {len(drips)}")
    check("www.drip404.gov.cn" in s.get("unhealthy_hosts", {}) and s.get("queued", 0) > 0,
          f"its queue waits for the next cycle: {s.get('unhealthy_hosts')} queued {s.get('queued')}")
    slow = [q for q in reqs if q["host"] == "www.slow.gov.cn" and q["path"] not in ("/robots.txt", "/nb/")]
    check(len(slow) == 6 and "www.slow.gov.cn" not in s.get("unhealthy_hosts", {}),
          f"slow successes are not charged: {len(slow)} of 6 pages, unhealthy {s.get('unhealthy_hosts')}")
    check(any(q["host"] == "www.wusu.gov.cn" and q["status"] == 200 and q["path"] != "/robots.txt"
              for q in reqs), "the sound host was crawled beside them")

    r, reqs, drips, s = crawl("budget-count", "host_failures = 3\nhost_failure_time = 0\n")
    fours = [q for q in reqs if q["host"] == "www.drip404.gov.cn" and q["path"].startswith("/nb/m")]
    check("www.drip404.gov.cn: 3 timeout failures this cycle" in r.stdout and len(drips) == 3 and fours,
          f"404s between failures do not renew the count: {len(drips)} drips, {len(fours)} 404s, {r.stdout!r}")


def breaker(tmp, web):
    """Four 8 KB PDFs of nested form XObjects whose forms are LZW-encoded,
    which the pre-scan does not read (each costs a worker until its
    limit), on one host, beside the six fixture portals, with two workers.
    Fair extraction: link discovery goes first and the bomb host gets at
    most its share of the workers, so every other portal's reports land;
    the breaker: after two of its documents hit a cap, the rest fail at
    once as too_costly (or wait, the host set aside) and the host is named."""
    seeds = os.path.join(tmp, "breaker-seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(SEEDS + "http://www.bomb.gov.cn/nb/\t\t炸弹县人民政府\n")
    conf = os.path.join(tmp, "breaker.conf")
    with open(conf, "w") as f:
        f.write(f"""[crawl]
regions = {SRC}/config/regions.tsv
user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)
delay = 0.05
retries = 1
connect_to = ::127.0.0.1:{web.port}
[limits]
extract_workers = 2
extract_timeout_seconds = 3
[log]
level = warning
""")
    ref_seeds = os.path.join(tmp, "ref-seeds.tsv")
    with open(ref_seeds, "w", encoding="utf-8") as f:
        f.write(SEEDS)
    ref = os.path.join(tmp, "breaker-ref")
    cpu0 = children_cpu()
    subprocess.run([GH, "crawl", "--config", conf, "--store", ref, "--seeds", ref_seeds, "-q"],
                   capture_output=True, timeout=300)
    ref_cpu = children_cpu() - cpu0
    want = {(x["agency"], x["year"]) for x in records(GH, ref)}
    store = os.path.join(tmp, "breaker-store")
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds],
                       capture_output=True, text=True, timeout=300)
    got = {(x["agency"], x["year"]) for x in records(GH, store)}
    check(r.returncode == 0 and want and got == want,
          f"every other portal's reports land beside the bombs: missing {want - got} {r.stderr[-300:]!r}")
    check("www.bomb.gov.cn: extraction breaker: 2 documents hit" in r.stdout,
          f"the summary names the bomb host and why: {r.stdout!r}")
    urls = [json.loads(l) for l in subprocess.run([GH, "stats", "--urls", "--store", store],
                                                  capture_output=True, text=True).stdout.splitlines()]
    bombs = [u for u in urls if u["url"].startswith("http://www.bomb.gov.cn/nb/b")]
    spared = [u for u in bombs if u.get("error") == "too_costly" or u.get("state") == "queued"]
    check(len(bombs) == 4 and len(spared) >= 2,
          f"past the breaker no bomb costs a worker: {[(u.get('state'), u.get('error')) for u in bombs]}")
    s = json.loads(subprocess.run([GH, "stats", "--json", "--store", store], capture_output=True,
                                  text=True).stdout)
    check("www.bomb.gov.cn" in s.get("unhealthy_hosts", {}), f"stats names it: {s.get('unhealthy_hosts')}")


def beside_portals(tmp, web):
    """The hostile web beside the six fixture portals, failures counted
    without limit and a 6 s budget of time in failed transfers (its drips
    take the 5 s timeout twice): the hostile host is set aside once its
    failed transfers have taken the budget (at most one transfer's limit
    more), its queue left for the next cycle, and every portal's reports
    land as they do alone (the hostile host serves two of the same
    documents, so its own records are not counted against them).  Before the
    budget it held a crawl of five fast portals 272 s instead of 25.  The
    crawler's own account is asserted, not the wall clock."""
    conf = os.path.join(tmp, "beside.conf")
    with open(conf, "w") as f:
        f.write(f"""[crawl]
regions = {SRC}/config/regions.tsv
user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)
timeout = 5
connect_timeout = 2
retries = 1
backoff = 0.1
host_failures = 1000
host_failure_time = 6s
connect_to = ::127.0.0.1:{web.port}
[limits]
max_document_bytes = 16M
[log]
level = warning
""")

    def crawl(name, seeds_text):
        seeds = os.path.join(tmp, name + ".tsv")
        with open(seeds, "w", encoding="utf-8") as f:
            f.write(seeds_text)
        store = os.path.join(tmp, name)
        r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                            "--delay", "0.05"], capture_output=True, text=True, timeout=300)
        return r, store

    _, ref = crawl("beside-ref", SEEDS)
    want = {(x["agency"], x["year"], x["status"]) for x in records(GH, ref)}
    r, store = crawl("beside", SEEDS + "http://www.hostile.gov.cn/nb/\t654202\t测试县人民政府\n")
    got = {(x["agency"], x["year"], x["status"]) for x in records(GH, store)}
    check(r.returncode == 0 and want and not want - got,
          f"every portal's reports land beside the hostile web: missing {want - got} {r.stderr[-300:]!r}")
    s = json.loads(subprocess.run([GH, "stats", "--json", "--store", store], capture_output=True,
                                  text=True).stdout)
    why = s.get("unhealthy_hosts", {}).get("www.hostile.gov.cn", "")
    spent = int(why.split(" s spent in failed transfers")[0]) if " s spent in failed" in why else None
    check(spent is not None and 6 <= spent <= 6 + 5 + 2 + 1 and s.get("queued", 0) > 0,
          f"the hostile host is set aside on its 6 s budget, one transfer over at most, its queue "
          f"waiting: {why!r}, queued {s.get('queued')}")
    check("www.hostile.gov.cn: " in r.stdout and "spent in failed transfers" in r.stdout,
          f"the summary names it: {r.stdout[-400:]!r}")


def prescan(tmp, web):
    """Eight PDFs of a few KB that would cost poppler minutes each (four of
    forms nested 40 deep, four of 1,000 pages sharing one content stream
    that decodes to 1 MiB) on one host, beside the six fixture portals:
    the pre-scan refuses each at once as too_costly with its reason, so
    the crawl costs the portals' CPU alone (the workers' included) and a
    margin far below one such document's CPU cap, no breaker trips and
    every portal's reports land."""
    conf = os.path.join(tmp, "prescan.conf")
    with open(conf, "w") as f:
        f.write(f"""[crawl]
regions = {SRC}/config/regions.tsv
user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)
delay = 0.05
retries = 1
connect_to = ::127.0.0.1:{web.port}
[limits]
extract_workers = 2
[log]
level = warning
""")

    def crawl(name, seeds_text):
        seeds = os.path.join(tmp, name + ".tsv")
        with open(seeds, "w", encoding="utf-8") as f:
            f.write(seeds_text)
        store = os.path.join(tmp, name)
        cpu0 = children_cpu()
        r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "--seeds", seeds],
                           capture_output=True, text=True, timeout=300)
        return r, children_cpu() - cpu0, records(GH, store)

    _, ref_cpu, ref = crawl("prescan-ref", SEEDS)
    want = {(x["agency"], x["year"]) for x in ref}
    r, cpu, recs = crawl("prescan", SEEDS + "http://www.costly.gov.cn/nb/\t\t代价县人民政府\n")
    got = {(x["agency"], x["year"]) for x in recs if x["status"] != "too_costly"}
    check(r.returncode == 0 and want and got == want,
          f"every portal's reports land beside the costly PDFs: missing {want - got} {r.stderr[-300:]!r}")
    costly = [x for x in recs if x["status"] == "too_costly"]
    reasons = " ".join(x.get("reason") or "" for x in costly)
    check(len(costly) == 8 and reasons.count("nested more than 12 deep") == 4
          and reasons.count("is the content of 65 pages") == 4,
          f"each costly PDF lands as too_costly with its reason: {[(x['agency'], x.get('reason')) for x in costly]}")
    check(cpu < ref_cpu + 30, f"the crawl's CPU (workers' included) is the portals' alone and a margin: "
          f"{cpu:.1f} CPU-s beside {ref_cpu:.1f}")
    check("www.costly.gov.cn" not in r.stdout + r.stderr,
          f"no breaker trips, the host is not set aside: {r.stdout!r} {r.stderr[-300:]!r}")


def prescan_parse(tmp):
    """parse refuses a PDF of forms nested 40 deep and one whose 1,000
    pages share a content stream decoding to 1 MiB at once, as too_costly,
    with the reason; poppler would spend minutes on either."""
    for name, body, why in (("nested.pdf", xobject_bomb_pdf(40), "form XObjects nested more than 12 deep"),
                            ("shared.pdf", shared_content_pdf(1000, 1), "is the content of 65 pages")):
        path = os.path.join(tmp, name)
        with open(path, "wb") as f:
            f.write(body)
        cpu0 = children_cpu()
        r = subprocess.run([GH, "parse", path], capture_output=True, text=True, timeout=120)
        cpu = children_cpu() - cpu0
        rec = json.loads(r.stdout) if r.stdout.strip() else {}
        check(rec.get("status") == "too_costly" and why in (rec.get("reason") or "")
              and f"{name}: too_costly: " in r.stderr,
              f"parse {name}: too_costly, {why!r}: {rec.get('status')} {rec.get('reason')!r} {r.stderr[-200:]!r}")
        check(cpu < 10, f"parse {name} fails fast: {cpu:.1f} CPU-s")


def cpu_seconds(pid):
    """utime + stime of a whole process (all its threads), from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def hung_host(tmp, web):
    """A host that accepts and never answers, timeout 5 and backoff 20: for
    the ~30 s the crawl waits on it (a timeout, the backoff with nothing in
    flight, the retry's timeout) the crawler must sleep. curl's timer is
    one-shot; treated as repeating, the wait became poll(..., 0) thousands of
    times a second (20 CPU-s in 31 s). CPU time, not wall time, is asserted."""
    seeds = os.path.join(tmp, "hung-seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write("http://www.hung.gov.cn/nb/\t\t挂起县人民政府\n")
    conf = os.path.join(tmp, "hung.conf")
    with open(conf, "w") as f:
        f.write("[crawl]\nuser_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)\n"
                "timeout = 5\nconnect_timeout = 2\nretries = 1\nbackoff = 20\n[log]\nlevel = error\n")
    p = subprocess.Popen([GH, "crawl", "--config", conf, "--store", os.path.join(tmp, "hung-store"),
                          "--seeds", seeds, "-q", "--delay", "0.05",
                          "--connect-to", f"::127.0.0.1:{web.port}"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    cpu = 0.0
    while p.poll() is None:
        c = cpu_seconds(p.pid)
        if c is not None:
            cpu = max(cpu, c)
        time.sleep(0.2)
    out, err = p.communicate()
    hung = [q for q in web.requests() if q["host"] == "www.hung.gov.cn" and q["path"] == "/nb/"]
    check(p.returncode == 0 and len(hung) == 2,
          f"the hung page was tried twice and the crawl ended: exit {p.returncode}, {len(hung)} tries {err[-300:]!r}")
    check(cpu < 1.0, f"the crawler slept while the host hung: {cpu:.2f} CPU-s")


if __name__ == "__main__":
    main()

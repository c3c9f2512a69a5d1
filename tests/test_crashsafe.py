#!/usr/bin/env python3
"""Crash safety: SIGKILL `crawl` and `daemon` at 20 random moments (during
fetches, commits, extraction), restarting each time, then finish the crawl.
The store must equal an uninterrupted run's: the same records, every URL
in the same final state, nothing lost or duplicated, and LMDB's own
`mdb_stat` must read it without complaint.  Then a store whose file cannot
grow mid-crawl: a clear error, nothing committed lost, and the next run
completes it; and a crawl on a disk whose fsync takes 0.3 s (strace
injects the delay) ends with the same store, and fetches no finished page
again while retries send a host's scan back over pages still being
committed.

    test_crashsafe.py GOVHARVEST"""
import collections
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time

GH = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "web"))
from harness import SEEDS, SRC, check, finish, records, with_web  # noqa: E402

KILLS = 20
FINAL = {"done", "failed", "robots", "redirected", "blocked", "skipped"}


def comparable(recs):
    out = []
    for r in recs:
        r = dict(r)
        r["source"] = {k: v for k, v in r["source"].items() if k != "fetched_at"}
        out.append(r)
    return sorted(out, key=lambda r: (r["agency"], r["year"]))


def url_states(store):
    r = subprocess.run([GH, "stats", "--store", store, "--urls"], capture_output=True, text=True)
    return {json.loads(l)["url"]: json.loads(l) for l in r.stdout.splitlines()}


def reference_crawl(tmp, web, name, delay):
    """A configuration for the fixture web's seeds (`name`.conf, `delay`
    between requests) and an uninterrupted crawl into `name`-reference:
    returns the command for a crawl into a store, the reference store and
    the configuration."""
    seeds = os.path.join(tmp, "seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write(SEEDS)
    conf = os.path.join(tmp, name + ".conf")
    with open(conf, "w") as f:
        f.write(f"""[crawl]
seeds = {seeds}
regions = {SRC}/config/regions.tsv
user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)
delay = {delay}
backoff = 0.2
timeout = 5
retries = 2
connect_to = ::127.0.0.1:{web.port}
[log]
level = error
""")

    def crawl(store):
        return [GH, "crawl", "--config", conf, "--store", store, "-q"]

    ref = os.path.join(tmp, name + "-reference")
    r = subprocess.run(crawl(ref), capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and "(complete)" in r.stdout, f"reference crawl: {r.stdout[:200]!r}")
    return crawl, ref, conf


def run(tmp, web):
    rng = random.Random(20261123)  # fixed: a failure is reproducible
    crawl, ref, conf = reference_crawl(tmp, web, "c", 0.1)
    seeds = os.path.join(tmp, "seeds.tsv")  # written by reference_crawl
    want = comparable(records(GH, ref))
    want_urls = {u: s["state"] for u, s in url_states(ref).items()}

    store = os.path.join(tmp, "killed")
    killed_at = []
    for i in range(KILLS):
        cmd = crawl(store) if i % 2 == 0 else [GH, "daemon", "--config", conf, "--store", store]
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        delay = rng.uniform(0.05, 1.2)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        killed_at.append(round(delay, 2))
    r = subprocess.run(crawl(store), capture_output=True, text=True, timeout=120)
    # After a daemon kill the cycle may have completed already; either
    # way the last run must end with a complete cycle.
    check(r.returncode == 0 and "(complete)" in r.stdout,
          f"the crawl completes after {KILLS} kills at {killed_at}: {r.stdout[:200]!r} {r.stderr[-300:]!r}")
    got = comparable(records(GH, store))
    check(got == want, "the store equals the uninterrupted run's: " +
          "; ".join(f"{a['agency']} {a['year']}" for a in got if a not in want) +
          " | missing " + "; ".join(f"{a['agency']} {a['year']}" for a in want if a not in got))
    got_urls = {u: s["state"] for u, s in url_states(store).items()}
    lost = [u for u in want_urls if u not in got_urls]
    check(not lost, f"no URL lost: {lost[:5]}")
    unfinished = {u: s for u, s in got_urls.items() if s not in FINAL}
    check(not unfinished, f"every URL in a final state: {list(unfinished.items())[:5]}")
    differ = {u: (want_urls.get(u), s) for u, s in got_urls.items()
              if u in want_urls and s != want_urls[u]}
    check(not differ, f"URL states as in the uninterrupted run: {list(differ.items())[:5]}")
    mdb_stat_reads(store)

    # A store that stops taking writes mid-crawl (a file size limit: EFBIG,
    # as a full disk gives ENOSPC).  The crawl must stop with an error that
    # names the store, keep what it had committed, and a later run must
    # finish the job as if nothing had happened.
    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (160 * 1024, 160 * 1024))

    full = os.path.join(tmp, "full")
    r = subprocess.run(crawl(full), capture_output=True, text=True, timeout=120, preexec_fn=small_files)
    check(r.returncode != 0 and full in r.stderr and "disk full" in r.stderr,
          f"a store that cannot grow stops the crawl with its reason: {r.returncode} {r.stderr[-300:]!r}")
    partial = comparable(records(GH, full))
    check(all(p in want for p in partial), f"what was committed is intact ({len(partial)} records)")
    # The seeds' queue entries are committed before the first fetch, so the
    # store cannot be empty.  Every URL in it is one the reference run knew,
    # either still queued or in the reference's final state.
    have = {u: s["state"] for u, s in url_states(full).items()}
    odd = {u: (s, want_urls.get(u)) for u, s in have.items() if s != "queued" and s != want_urls.get(u)}
    check(have and not odd, f"the URL states committed before the failure are kept: {len(have)} URLs, {list(odd.items())[:3]}")
    mdb_stat_reads(full)
    r = subprocess.run(crawl(full), capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and "(complete)" in r.stdout, f"the crawl then completes: {r.stdout[:200]!r}")
    check(comparable(records(GH, full)) == want, "and the store equals the uninterrupted run's")

    # A slow disk: every fdatasync takes 0.3 s (strace injects the delay).
    # Batches then pile up behind the committer thread while the crawl goes
    # on; the store must still come out as the uninterrupted run's.
    slow = os.path.join(tmp, "slow")
    strace = ["strace", "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null", "-e", "trace=fdatasync",
              "-e", "inject=fdatasync:delay_exit=300000"]
    if subprocess.run(strace + ["true"], capture_output=True).returncode != 0:
        print("crashsafe: strace cannot trace here (ptrace refused); slow-disk case not run")
        return
    # LeakSanitizer cannot run under ptrace; the other runs check leaks.
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    web.clear()
    r = subprocess.run(strace + crawl(slow), capture_output=True, text=True, timeout=300, env=env)
    check(r.returncode == 0 and "(complete)" in r.stdout,
          f"a crawl on a disk with 0.3 s fsyncs completes: {r.stdout[:200]!r} {r.stderr[-300:]!r}")
    check(comparable(records(GH, slow)) == want, "and its store equals the uninterrupted run's")
    got_urls = {u: s["state"] for u, s in url_states(slow).items()}
    check(got_urls == want_urls, "with every URL in the same final state")
    # Finished but not yet committed URLs are still in the store's queue:
    # the crawl must not fetch them again (politeness, and the promise of
    # one fetch per URL per cycle).
    answered, again = set(), []
    for q in web.requests():
        key = (q["host"], q["path"])
        if key in answered:
            again.append(key)
        if q["status"] in (200, 304):
            answered.add(key)
    check(not again, f"no URL fetched again after its answer: {again[:5]}")

    # The same promise where it is hardest to keep: a host with two
    # connections whose first report always fails, 0.15 s late, so the
    # page fetched beside it has finished and its dequeue is being
    # committed (0.5 s fsyncs) when the failure sends the host's scan back
    # over it after a 0.2 s backoff.  Only the crawler's memory of the
    # running commit keeps that page from being fetched again; without it
    # every page of the host is fetched twice.
    web.clear()
    rseeds = os.path.join(tmp, "retry-seeds.tsv")
    with open(rseeds, "w") as f:
        f.write("http://www.retry.gov.cn/nb/\t110101\t重试县人民政府\n")
    rconf = os.path.join(tmp, "retry.conf")
    with open(conf) as f:
        text = f.read()
    assert f"seeds = {seeds}\n" in text and "delay = 0.1\n" in text
    with open(rconf, "w") as g:
        g.write(text.replace(f"seeds = {seeds}", f"seeds = {rseeds}")
                .replace("delay = 0.1", "delay = 0\nconnections_per_host = 2"))
    slow_retry = strace[:-1] + ["inject=fdatasync:delay_exit=500000"]
    r = subprocess.run(slow_retry + [GH, "crawl", "--config", rconf, "--store", os.path.join(tmp, "retry"), "-q"],
                       capture_output=True, text=True, timeout=120, env=env)
    check(r.returncode == 0 and "(complete)" in r.stdout,
          f"the retry crawl completes: {r.stdout[:200]!r} {r.stderr[-300:]!r}")
    seen = [q for q in web.requests() if q["host"] == "www.retry.gov.cn"]
    tries = sorted(q["t"] for q in seen if q["path"] == "/nb/0.html")
    check(len(tries) == 3, f"the failing report is tried 1 + 2 retries times: {len(tries)}")
    sound = [q for q in seen if q["path"] not in ("/nb/0.html", "/robots.txt", "/nb/")]
    times = collections.Counter(q["path"] for q in sound)
    check(times == {f"/nb/{i}.html": 1 for i in range(1, 7)} and all(q["status"] == 200 for q in sound),
          f"every sound page fetched once, none again during the retries: {sorted(times.items())}")
    # What makes the case: a sound page was fetched before the first retry.
    check(len(tries) > 1 and any(q["t"] < tries[1] for q in sound),
          "a page of the host was fetched before the failing report's first retry")


def mdb_stat_reads(store):
    if shutil.which("mdb_stat"):
        st = subprocess.run(["mdb_stat", "-a", store], capture_output=True, text=True)
        check(st.returncode == 0 and "Status of records" in st.stdout,
              f"mdb_stat reads the store: {st.returncode} {st.stderr[:200]!r}")
    else:
        check(False, "mdb_stat is installed (scripts/install-deps installs lmdb-utils)")


def children(pid, comm=None):
    """The pids whose parent is `pid` (named `comm`, when given)."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    stat = f.read()
                name = stat[stat.index("(") + 1:stat.rindex(")")]
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid and comm in (None, name):
                    out.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return out


def worker_kills(tmp, web):
    """SIGKILL every extraction worker, again and again, for the first
    seconds of a crawl (as the OOM killer or an operator might): a killed
    worker is not the document's verdict, so its page or document is tried
    again, and what still fails waits queued for the next run.  After that
    run the store holds every record of an uninterrupted crawl."""
    crawl, ref, _ = reference_crawl(tmp, web, "k", 0.05)
    want = comparable(records(GH, ref))
    store = os.path.join(tmp, "k-store")
    p = subprocess.Popen(crawl(store), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kills, t0 = 0, time.time()
    while p.poll() is None and time.time() - t0 < 4:
        # Workers only (they name themselves gh-extract): LeakSanitizer's
        # tracer is a child too, at exit, and killed it leaves LSan
        # spinning forever.
        for w in children(p.pid, "gh-extract"):
            try:
                os.kill(w, signal.SIGKILL)
                kills += 1
            except OSError:
                pass
        time.sleep(0.02)
    out, err = p.communicate(timeout=180)
    check(p.returncode == 0 and kills >= 5,
          f"the crawl survives {kills} worker kills: exit {p.returncode} {out[:200]!r} {err[-300:]!r}")
    r = subprocess.run(crawl(store), capture_output=True, text=True, timeout=120)
    check(r.returncode == 0 and "(complete)" in r.stdout, f"the next crawl completes: {r.stdout[:200]!r}")
    got = comparable(records(GH, store))
    check(got == want, f"no report lost to {kills} worker kills: missing " +
          "; ".join(f"{a['agency']} {a['year']}" for a in want if a not in got) +
          " | unexpected " + "; ".join(f"{a['agency']} {a['year']} {a['status']}" for a in got if a not in want))


def main():
    with_web(worker_kills)
    with_web(run)
    finish("crashsafe")


if __name__ == "__main__":
    main()

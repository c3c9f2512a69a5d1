#!/usr/bin/env python3
"""The daemon under a fake systemd: this test is the service manager.

    test_daemon.py GOVHARVEST

It binds the NOTIFY_SOCKET datagram socket and sets WATCHDOG_USEC, starts
`govharvest daemon` against the loopback fixture web, and asserts: READY=1
arrives; WATCHDOG=1 keeps arriving at the configured rate while crawling and
while idle; STATUS changes as pages are fetched; SIGHUP with a new seed
picks it up; SIGHUP with a broken config keeps the running one; a second
writer is refused; SIGTERM exits 0 within the bound with STOPPING=1 and a
store that reopens and exports.  Reloads and requests are applied between
two turns of the running crawl: under a SIGHUP storm and a queue flood
every host keeps its delay (from the server's log) and no page is asked
twice, and a Crawl-delay of 60 s holds across reloads.  Then the systemd
unit files pass `systemd-analyze verify`.
"""
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

GH = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "web"))
from harness import SRC, anon_kib, check, finish, records, with_web  # noqa: E402

WATCHDOG = 0.4  # seconds


class Notify:
    """The service manager's end of sd_notify."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.05)
        self.msgs = []  # (time, "KEY=value")

    def pump(self, seconds):
        end = time.time() + seconds
        while time.time() < end:
            try:
                data = self.sock.recv(4096).decode()
            except socket.timeout:
                continue
            for line in data.splitlines():
                self.msgs.append((time.time(), line))

    def wait_for(self, pred, seconds, since=None):
        """The first message matching pred, received after index `since`
        (default: from now on), waiting up to `seconds`."""
        end = time.time() + seconds
        seen = len(self.msgs) if since is None else since
        while time.time() < end:
            self.pump(0.1)
            for t, m in self.msgs[seen:]:
                if pred(m):
                    return m
            seen = len(self.msgs)
        return None

    def statuses(self):
        return [m[7:] for _, m in self.msgs if m.startswith("STATUS=")]


def main():
    with_web(run)
    with_web(run_stalled_disk)
    with_web(reload_storm)
    with_web(crawl_delay_reload)
    with_web(queue_flood)
    with_web(run_root_queue)
    check_units()
    finish("daemon")


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def setup(tmp, web):
    """Both scenarios' start: one seed, its config, a store path and the
    service manager's socket.  Returns (seeds, conf, config text, store,
    notify)."""
    seeds = os.path.join(tmp, "seeds.tsv")
    write(seeds, "http://www.wd.gov.cn/\t532329\t武定县人民政府\n")
    conf = os.path.join(tmp, "govharvest.conf")
    text = f"""[crawl]
seeds = {seeds}
regions = {SRC}/config/regions.tsv
user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)
delay = 0.1
connect_to = ::127.0.0.1:{web.port}
[log]
level = info
"""
    write(conf, text)
    return seeds, conf, text, os.path.join(tmp, "store"), Notify(os.path.join(tmp, "notify.sock"))


def run(tmp, web):
    seeds, conf, good, store, notify = setup(tmp, web)
    env = dict(os.environ, NOTIFY_SOCKET=notify.sock.getsockname(),
               WATCHDOG_USEC=str(int(WATCHDOG * 1e6)))
    err = open(os.path.join(tmp, "daemon.err"), "w+")
    d = subprocess.Popen([GH, "daemon", "--config", conf, "--store", store], env=env,
                         stdout=subprocess.DEVNULL, stderr=err)

    check(notify.wait_for(lambda m: m == "READY=1", 10) is not None, "READY=1 arrives")
    spool = os.path.join(store, "requests")
    check(os.path.isdir(spool) and stat.S_IMODE(os.stat(spool).st_mode) == 0o2770,
          f"the daemon makes its spool at start, setgid 2770: {oct(os.stat(spool).st_mode) if os.path.isdir(spool) else None}")
    idle = notify.wait_for(lambda m: m.startswith("STATUS=idle"), 30)
    check(idle is not None and "next crawl" in idle, f"goes idle after the first crawl: {idle}")
    crawling = [s for s in notify.statuses() if s.startswith("crawling:")]
    check(len(set(crawling)) >= 2 and any("fetched" in s for s in crawling),
          f"STATUS changes while pages are fetched: {crawling[:3]}")
    got = {(r["agency"], r["year"]) for r in records(GH, store)} if os.path.exists(os.path.join(store, "data.mdb")) else set()
    check(got == {("武定县工业信息化商务科学技术局", 2020), ("大姚县农业农村局", 2020)},
          f"the first seed's records landed while the daemon runs: {got}")

    # The watchdog keeps being fed while idle: at least every WATCHDOG/2 (+ slack).
    notify.pump(2.0)
    pings = [t for t, m in notify.msgs if m == "WATCHDOG=1" and t > time.time() - 2.0]
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    check(len(pings) >= 4 and max(gaps, default=9) <= WATCHDOG * 0.75,
          f"WATCHDOG=1 every {WATCHDOG / 2} s while idle: {len(pings)} pings, max gap {max(gaps, default=0):.2f}")

    # One writer: a crawl on the daemon's store is refused.
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "-q"], capture_output=True,
                       text=True, timeout=30)
    check(r.returncode == 2 and "in use by another govharvest process" in r.stderr,
          f"crawl beside the daemon refused: {r.returncode} {r.stderr[:200]!r}")

    # SIGHUP with a new seed: it is crawled without a restart.
    write(seeds, "http://www.wd.gov.cn/\t532329\t武定县人民政府\n"
                 "http://www.wuzhong.gov.cn/xxgk/zfxxgkml/ndbg/\t640300\t吴忠市人民政府\n")
    n = len(notify.msgs)
    d.send_signal(signal.SIGHUP)
    check(notify.wait_for(lambda m: m == "RELOADING=1", 5, since=n) is not None, "RELOADING=1 on SIGHUP")
    check(notify.wait_for(lambda m: m.startswith("STATUS=reloaded: 2 seeds"), 5, since=n) is not None,
          "reloaded with 2 seeds")
    check(notify.wait_for(lambda m: m.startswith("STATUS=idle: 2 seeds"), 30, since=n) is not None,
          "idle again after crawling the new seed")
    got = {(r["agency"], r["year"]) for r in records(GH, store)}
    check(("吴忠市工业和信息化局", 2020) in got, f"the new seed's report landed: {got}")
    wd_reports = [q["path"] for q in web.requests() if q["host"] == "www.wd.gov.cn" and "/t2021" in q["path"]]
    check(len(wd_reports) == 2 and len(set(wd_reports)) == 2,
          f"the old seed (not due) was not crawled again: {wd_reports}")

    # govharvest queue: the running daemon crawls a seed now, though it is
    # not due, and fetches its known reports again (conditionally).
    web.clear()
    n = len(notify.msgs)
    t0 = time.time()
    r = subprocess.run([GH, "queue", "--config", conf, "--store", store, "--seed", "http://www.wd.gov.cn/",
                        "--refetch"], capture_output=True, text=True, timeout=30)
    check(r.returncode == 0 and "queued" in r.stdout and f"taken by the daemon (pid {d.pid})" in r.stdout,
          f"queue waits until the daemon takes the request and names its pid: {r.stdout!r} {r.stderr!r}")
    taken = notify.wait_for(lambda m: m.startswith("STATUS=crawling 1 requested"), 10, since=n)
    check(taken is not None and time.time() - t0 < 5, f"the daemon takes it up within seconds: {taken}")
    check(notify.wait_for(lambda m: m.startswith("STATUS=idle"), 30, since=n) is not None, "and goes idle again")
    wd = [(q["path"], q["status"]) for q in web.requests() if q["host"] == "www.wd.gov.cn"]
    check(any(p == "/" for p, _ in wd) and any("/t2021" in p and st == 304 for p, st in wd),
          f"the seed crawled again, its reports asked for conditionally: {wd}")
    check(not [f for f in os.listdir(os.path.join(store, "requests")) if not f.startswith(".")],
          f"the request is gone from the spool: {os.listdir(os.path.join(store, 'requests'))}")
    r = subprocess.run([GH, "queue", "--config", conf, "--store", store], capture_output=True, text=True)
    check(r.returncode == 2 and "--seed URL or --region PREFIX" in r.stderr, f"queue without seeds: {r.stderr!r}")
    # A seed that yields no report column is said in the journal and the
    # STATUS, not left silent.
    n = len(notify.msgs)
    subprocess.run([GH, "queue", "--config", conf, "--store", store, "--seed",
                    "http://www.wuzhong.gov.cn/nothing-here/"], capture_output=True)
    miss = notify.wait_for(lambda m: m.startswith("STATUS=no_column: 1 seeds"), 15, since=n)
    err.seek(0)
    check(miss is not None and "no_column: no report column found" in err.read(),
          f"a seed without a column: journal and STATUS: {miss}")
    notify.wait_for(lambda m: m.startswith("STATUS=idle"), 30, since=n)
    # A request that matches no seed is dropped with a reason in the journal.
    subprocess.run([GH, "queue", "--config", conf, "--store", store, "--region", "99"], capture_output=True)
    time.sleep(2.5)
    err.seek(0)
    check("no seed matches" in err.read(), "a request matching nothing is logged and dropped")

    # The spool takes only small regular files.  A FIFO named *.json used
    # to block the daemon in open() (no more watchdog pings), a symlink to
    # /dev/zero to grow it by gigabytes; a request left *.taken twice by a
    # daemon that died both times used to be taken at every start.
    spool = os.path.join(store, "requests")
    os.mkfifo(os.path.join(spool, "1000000000000001-1.json"))
    os.symlink("/dev/zero", os.path.join(spool, "1000000000000002-2.json"))
    write(os.path.join(spool, "1000000000000003-3.json"), '{"seeds": [' + '"x", ' * 300000 + '"x"]}')
    write(os.path.join(spool, "1000000000000004-4.json.retaken"), '{"seeds": ["http://www.wd.gov.cn/"]}')
    n = len(notify.msgs)
    t0 = time.time()
    while time.time() - t0 < 10 and len([f for f in os.listdir(spool) if f.endswith(".bad")]) < 4:
        notify.pump(0.2)
    bad = sorted(f for f in os.listdir(spool) if f.endswith(".bad"))
    check(len(bad) == 4 and not [f for f in os.listdir(spool) if f.endswith((".json", ".taken", ".retaken"))],
          f"a FIFO, a symlink, a 2 MB file and a twice-taken request are set aside: {sorted(os.listdir(spool))}")
    notify.pump(1.0)
    pings = [t for t, m in notify.msgs[n:] if m == "WATCHDOG=1"]
    check(len(pings) >= 3 and d.poll() is None and anon_kib(d.pid) < 256 * 1024,
          f"the daemon went on feeding the watchdog: {len(pings)} pings, {anon_kib(d.pid)} KiB")
    err.seek(0)
    log = err.read()
    check("not a regular file" in log and "over 1 MiB" in log and "taken twice" in log,
          f"each is logged with its reason: {log[-600:]!r}")
    for f in bad:
        os.unlink(os.path.join(spool, f))

    # SIGHUP with a broken config: rejected with the reason, old one kept.
    write(conf, good.replace("delay = 0.1", "delay = often"))
    n = len(notify.msgs)
    d.send_signal(signal.SIGHUP)
    bad = notify.wait_for(lambda m: m.startswith("STATUS=reload failed"), 5, since=n)
    check(bad is not None and "[crawl] delay" in bad, f"broken config reported in STATUS: {bad}")
    time.sleep(0.5)
    check(d.poll() is None, "still running on the old configuration")
    err.seek(0)
    log = err.read()
    check("reload failed, keeping the running configuration" in log and f"{conf}:" in log,
          f"the reason names the file and line: {log[-300:]!r}")
    notify.pump(1.0)
    check(any(m == "WATCHDOG=1" and t > time.time() - 1.0 for t, m in notify.msgs),
          "watchdog still fed after a failed reload")

    # SIGTERM: out within the bound, STOPPING=1, store consistent.
    t0 = time.time()
    d.send_signal(signal.SIGTERM)
    try:
        code = d.wait(timeout=10)
    except subprocess.TimeoutExpired:
        d.kill()
        code = None
    check(code == 0 and time.time() - t0 < 10, f"SIGTERM: exit {code} in {time.time() - t0:.1f} s")
    notify.pump(0.3)
    check(any(m == "STOPPING=1" for _, m in notify.msgs), "STOPPING=1 sent")
    after = records(GH, store)
    check(len(after) == 3, f"the store reopens and exports all records: {len(after)}")
    err.seek(0)
    log = err.read()
    check("idle: 1 seeds" in log and "woke: a request in the spool" in log and "woke: reload" in log,
          f"the journal says when the daemon goes idle and why it wakes: {log[-600:]!r}")
    # No daemon: queue says so, suggests a crawl, queues nothing.
    before = sorted(os.listdir(spool))
    write(conf, good)
    r = subprocess.run([GH, "queue", "--config", conf, "--store", store, "--region", "5323"],
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 1 and "no daemon is running" in r.stderr and
          f"govharvest crawl --store {store} --region 5323" in r.stderr and sorted(os.listdir(spool)) == before,
          f"queue without a daemon: says so, suggests crawl --region, writes nothing: {r.stderr!r}")


def run_root_queue(tmp, web):
    """`sudo govharvest queue` beside a daemon running as another user (the
    packaged service runs as govharvest; here nobody): the request is
    handed to the store's owner and taken."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        print("note: not root (or no setpriv): sudo queue is not tested", file=sys.stderr)
        return
    import pwd
    nobody = pwd.getpwnam("nobody")
    drop = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
    if subprocess.run([*drop, GH, "--version"], capture_output=True).returncode != 0:
        print(f"note: nobody cannot run {GH} (a private build directory): sudo queue is not tested",
              file=sys.stderr)
        return
    seeds, conf, _, store, _ = setup(tmp, web)
    os.chmod(tmp, 0o755)
    os.makedirs(store)
    os.chown(store, nobody.pw_uid, nobody.pw_gid)
    err = open(os.path.join(tmp, "daemon-nobody.err"), "w+")
    d = subprocess.Popen([*drop, GH, "daemon", "--config", conf, "--store", store],
                         stdout=subprocess.DEVNULL, stderr=err)
    try:
        spool = os.path.join(store, "requests")
        for _ in range(100):
            if os.path.isdir(spool):
                break
            time.sleep(0.1)
        st = os.stat(spool) if os.path.isdir(spool) else None
        check(st and st.st_uid == nobody.pw_uid and stat.S_IMODE(st.st_mode) == 0o2770,
              f"the daemon's spool is its user's, 2770: {st}")
        r = subprocess.run([GH, "queue", "--config", conf, "--store", store, "--seed",
                            "http://www.wd.gov.cn/", "--wait", "20"], capture_output=True, text=True,
                           timeout=60)
        check(r.returncode == 0 and f"taken by the daemon (pid {d.pid})" in r.stdout,
              f"root's request is taken by the daemon running as nobody: {r.stdout!r} {r.stderr!r}")
    finally:
        d.send_signal(signal.SIGTERM)
        try:
            d.wait(timeout=20)
        except subprocess.TimeoutExpired:
            d.kill()
            d.wait()


def gaps_by_host(reqs):
    """Each host's gaps between consecutive requests, as the server saw them."""
    times = {}
    for q in reqs:
        times.setdefault(q["host"], []).append(q["t"])
    return {h: [b - a for a, b in zip(sorted(ts), sorted(ts)[1:])] for h, ts in times.items()}


def path_counts(reqs):
    """How often each (host, path) was asked, a retry after a 429 (the
    fixture's 吴忠 column answers one, once per server) not counted."""
    counts = {}
    for q in reqs:
        if q["status"] != 429:
            key = (q["host"], q["path"])
            counts[key] = counts.get(key, 0) + 1
    return counts


# The server logs a request when it has read it, the crawler spaces the
# starts: a new connection's accept and a thread to serve it, on a 2-core
# machine at load 25, moved one arrival by 0.16 s of a 4 s delay.  A tenth
# of the delay still tells a kept host from a forgotten one (restarts
# gave 0.29 s at delay 1 s).
ARRIVAL_SLACK = 0.1


def start_daemon(tmp, conf, store, notify, name):
    env = dict(os.environ, NOTIFY_SOCKET=notify.sock.getsockname())
    err = open(os.path.join(tmp, name + ".err"), "w+")
    d = subprocess.Popen([GH, "daemon", "--config", conf, "--store", store], env=env,
                         stdout=subprocess.DEVNULL, stderr=err)
    return d, err


def stop_daemon(d):
    d.send_signal(signal.SIGTERM)
    try:
        return d.wait(timeout=20)
    except subprocess.TimeoutExpired:
        d.kill()
        return d.wait()


def reload_storm(tmp, web):
    """25 SIGHUPs while the daemon crawls at delay 1 s.  A reload used to
    stop and restart the crawl, and each restart built new hosts that had
    forgotten their last request: 76 of 76 gaps came out under the delay
    (min 0.29 s).  Now a reload is applied between two turns of the running
    crawl: every host is still asked at most once a second, and the crawl
    asks exactly what the same crawl without reloads asks, each page once."""
    seeds, conf, text, store, notify = setup(tmp, web)
    write(seeds, "http://www.wd.gov.cn/\t532329\t武定县人民政府\n"
                 "http://www.wuzhong.gov.cn/xxgk/zfxxgkml/ndbg/\t640300\t吴忠市人民政府\n")
    write(conf, text.replace("delay = 0.1", "delay = 1"))
    # The same crawl without a reload: what it asks is the measure.
    web.clear()
    d, _ = start_daemon(tmp, conf, store + "-calm", notify, "calm")
    calm_idle = notify.wait_for(lambda m: m.startswith("STATUS=idle"), 120)
    stop_daemon(d)
    calm = path_counts(web.requests())
    check(calm_idle is not None and calm, f"the crawl without reloads ends: {len(calm)} pages")

    web.clear()
    n = len(notify.msgs)
    d, err = start_daemon(tmp, conf, store, notify, "storm")
    crawling = notify.wait_for(lambda m: m.startswith("STATUS=crawl"), 20, since=n)
    err.seek(0)
    check(crawling is not None, f"the daemon crawls: {err.read()[-300:]!r} {notify.msgs[n:n + 5]}")
    reloads, reloaded_while_crawling = 0, 0
    for _ in range(25):
        d.send_signal(signal.SIGHUP)
        reloads += 1
        notify.pump(0.3)
        reloaded_while_crawling += not any(m.startswith("STATUS=idle") for _, m in notify.msgs[n:])
    idle = notify.wait_for(lambda m: m.startswith("STATUS=idle"), 120, since=n)
    stop_daemon(d)
    reqs = web.requests()
    gaps = gaps_by_host(reqs)
    short = {h: round(min(g), 3) for h, g in gaps.items() if g and min(g) < 1 * (1 - ARRIVAL_SLACK)}
    ngaps = sum(len(g) for g in gaps.values())
    check(idle is not None and reloaded_while_crawling >= 10 and ngaps >= 5 and not short,
          f"{reloads} reloads ({reloaded_while_crawling} during the crawl): every host still waits its "
          f"1 s delay ({ngaps} gaps; too short: {short})")
    storm = path_counts(reqs)
    repeats = {k: c for k, c in storm.items() if c > 1}
    check(storm == calm and not repeats,
          f"the reloads add no request: {sum(storm.values())} requests, {sum(calm.values())} without "
          f"reloads; repeats {repeats}; differing {set(storm.items()) ^ set(calm.items())}")
    err.seek(0)
    log = err.read()
    # Signals that come between two looks are one reload.
    check(log.count("crawl: 2 seeds due") == 1 and "paused" not in log and log.count("reloaded ") >= 10,
          f"one crawl, never paused, the reloads applied to it: {log.count('crawl: 2 seeds due')} crawls, "
          f"{log.count('reloaded ')} reloads applied of {reloads} SIGHUPs")


def crawl_delay_reload(tmp, web):
    """A host whose robots.txt asks 60 s between requests: after robots.txt,
    reloads and a request for its seed must not bring its next request
    forward (the restart approach once made every host new, asked at
    once)."""
    seeds, conf, text, store, notify = setup(tmp, web)
    write(seeds, "http://www.patient.gov.cn/nb/\t532329\t耐心县人民政府\n")
    web.clear()
    d, err = start_daemon(tmp, conf, store, notify, "patient")
    t0 = time.time()
    while time.time() - t0 < 20 and not any(q["path"] == "/robots.txt" for q in web.requests()):
        notify.pump(0.2)
    robots = [q["t"] for q in web.requests() if q["path"] == "/robots.txt"]
    check(robots, "robots.txt is asked first")
    for _ in range(5):
        d.send_signal(signal.SIGHUP)
        notify.pump(0.5)
    subprocess.run([GH, "queue", "--config", conf, "--store", store, "--seed", "http://www.patient.gov.cn/nb/",
                    "--wait", "0"], capture_output=True)
    for _ in range(5):
        d.send_signal(signal.SIGHUP)
        notify.pump(0.5)
    notify.pump(2.0)
    watched = time.time() - robots[0] if robots else 0
    stop_daemon(d)
    after = [(q["path"], round(q["t"] - robots[0], 1)) for q in web.requests()
             if robots and q["t"] > robots[0]]
    err.seek(0)
    log = err.read()
    check(robots and watched >= 6 and not after and log.count("reloaded ") >= 5,
          f"Crawl-delay 60 s across 10 reloads and a request: nothing asked in the {watched:.0f} s after "
          f"robots.txt: {after}")


def queue_flood(tmp, web):
    """`govharvest queue --seed X` every second while the crawl that X's
    first request started runs: each request used to stop and restart it,
    so X's host got every page again and again (206 requests, 181 repeats)
    and the cycle never ended.  A request the running crawl covers is
    coalesced, one for a seed it does not have joins it: each page once,
    every host at its delay, the crawl ends, the spool empties."""
    seeds, conf, text, store, notify = setup(tmp, web)
    write(seeds, "http://www.wd.gov.cn/\t532329\t武定县人民政府\n"
                 "http://www.wuzhong.gov.cn/xxgk/zfxxgkml/ndbg/\t640300\t吴忠市人民政府\n")
    d, err = start_daemon(tmp, conf, store, notify, "flood")
    check(notify.wait_for(lambda m: m.startswith("STATUS=idle"), 60) is not None, "the first crawl ends")
    # Slower now, so the requested crawl (five pages of the first seed's
    # host) outlasts the flood.
    write(conf, text.replace("delay = 0.1", "delay = 4"))
    d.send_signal(signal.SIGHUP)
    check(notify.wait_for(lambda m: m.startswith("STATUS=reloaded"), 10) is not None, "reloaded")
    web.clear()
    n = len(notify.msgs)
    # --wait 0: a flood, not one request after another's crawl has ended.
    queue = [GH, "queue", "--config", conf, "--store", store, "--wait", "0", "--seed"]
    # For 10 s, well inside the requested crawl's 16 s or more: a request
    # after it would rightly start another.
    sent, t0 = 0, time.time()
    while time.time() - t0 < 10:
        seed = "http://www.wuzhong.gov.cn/xxgk/zfxxgkml/ndbg/" if sent == 2 else "http://www.wd.gov.cn/"
        r = subprocess.run(queue + [seed], capture_output=True, text=True)
        check(r.returncode == 0, f"queue {seed}: {r.stderr[-200:]!r}")
        sent += 1
        notify.pump(max(0.0, t0 + sent - time.time()))
    # The idle that follows the requested crawl (not the reload's).
    crawled = next((i for i in range(n, len(notify.msgs)) if notify.msgs[i][1].startswith("STATUS=crawling")), None)
    idle = notify.wait_for(lambda m: m.startswith("STATUS=idle"), 90,
                           since=crawled if crawled is not None else len(notify.msgs))
    stop_daemon(d)
    reqs = web.requests()
    counts = path_counts(reqs)
    repeats = {k: c for k, c in counts.items() if c > 1}
    spool = [f for f in os.listdir(os.path.join(store, "requests")) if not f.startswith(".")]
    wd = [k for k in counts if k[0] == "www.wd.gov.cn"]
    wz = [k for k in counts if k[0] == "www.wuzhong.gov.cn"]
    check(idle is not None and sent >= 4 and wd and wz and not repeats and not spool,
          f"{sent} requests, one for a second seed: one crawl, each page once ({len(reqs)} requests, "
          f"{len(wd)} on the first seed's host, {len(wz)} on the second's; repeats {repeats}, spool {spool})")
    gaps = gaps_by_host(reqs)
    short = {h: round(min(g), 3) for h, g in gaps.items() if g and min(g) < 4 * (1 - ARRIVAL_SLACK)}
    check(not short, f"every host waits its 4 s delay under the flood (too short: {short})")
    err.seek(0)
    log = err.read()
    check(log.count("crawl: 1 seeds requested") == 1 and "paused" not in log and "coalesced" in log
          and "join the running crawl" in log,
          f"one requested crawl, never paused; repeats coalesced, the new seed joined it: {log[-800:]!r}")


def run_stalled_disk(tmp, web):
    """A disk that stops answering: one fdatasync in the first crawl takes
    3 s (strace injects the delay), far past the 0.4 s watchdog.  The
    daemon must say so, stop feeding the watchdog while the commit hangs
    (systemd would restart it, as it would a hung loop), and carry on once
    the disk answers: pings resume and the crawl's records land."""
    strace = ["strace", "-f", "--seccomp-bpf", "-qq", "-o", "/dev/null", "-e", "trace=fdatasync",
              "-e", "inject=fdatasync:delay_exit=3000000:when=3"]
    if subprocess.run(strace + ["true"], capture_output=True).returncode != 0:
        print("daemon: strace cannot trace here (ptrace refused); stalled-disk case not run")
        return
    _, conf, _, store, notify = setup(tmp, web)
    # LeakSanitizer cannot run under ptrace; the first scenario checks leaks.
    env = dict(os.environ, NOTIFY_SOCKET=notify.sock.getsockname(), WATCHDOG_USEC=str(int(WATCHDOG * 1e6)),
               ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    err = open(os.path.join(tmp, "daemon.err"), "w+")
    d = subprocess.Popen(strace + [GH, "daemon", "--config", conf, "--store", store], env=env,
                         stdout=subprocess.DEVNULL, stderr=err)
    ready = notify.wait_for(lambda m: m.startswith("MAINPID="), 20)
    idle = notify.wait_for(lambda m: m.startswith("STATUS=idle"), 60)
    check(idle is not None, f"the crawl on a stalling disk ends: {idle}")
    notify.pump(1.0)
    # strace counts calls per thread: the loop thread's third fdatasync
    # (the end-of-cycle write) is held too, and stops the pings as a hung
    # loop does.  So the gap is looked for where the stall is reported.
    pings = [t for t, m in notify.msgs if m == "WATCHDOG=1"]
    stalled = [t for t, m in notify.msgs if m.startswith("STATUS=crawling: store stalled")]
    check(bool(stalled), f"STATUS says the store is stalled: {notify.statuses()[:6]}")
    if stalled:
        after = [t for t in pings if t > stalled[0]]
        gap = (after[0] if after else time.time()) - stalled[0]
        check(gap >= 1.5, f"no WATCHDOG=1 while the commit hangs (watchdog {WATCHDOG} s): "
                          f"{gap:.2f} s without one after the stall was reported")
    check(len([t for t in pings if t > time.time() - 1.0]) >= 3,
          "pings resume once the commit completes")
    err.seek(0)
    log = err.read()
    check("a commit has been running for" in log and "the stalled commit ended after" in log,
          f"the stall and its end are logged: {log[-400:]!r}")
    got = {(r["agency"], r["year"]) for r in records(GH, store)} if os.path.exists(os.path.join(store, "data.mdb")) else set()
    check(got == {("武定县工业信息化商务科学技术局", 2020), ("大姚县农业农村局", 2020)},
          f"the crawl's records landed after the stall: {got}")
    if ready:
        os.kill(int(ready.split("=", 1)[1]), signal.SIGTERM)
    try:
        d.wait(timeout=20)
    except subprocess.TimeoutExpired:
        d.kill()
        d.wait()


def check_units():
    if not shutil.which("systemd-analyze"):
        check(False, "systemd-analyze is installed (scripts/install-deps installs systemd)")
        return
    unit_dir = os.path.join(SRC, "systemd")
    with tempfile.TemporaryDirectory() as tmp:
        # The installed form: the binary path filled in, as cmake --install does.
        for name in sorted(os.listdir(unit_dir)):
            text = open(os.path.join(unit_dir, name), encoding="utf-8").read()
            out = os.path.join(tmp, name.removesuffix(".in"))
            write(out, text.replace("@GH_BINDIR@", os.path.dirname(os.path.abspath(GH))))
        units = [os.path.join(tmp, n) for n in sorted(os.listdir(tmp)) if n.endswith((".service", ".timer"))]
        # Both units run as the static user the sysusers.d file creates.
        for u in ("govharvest.service", "govharvest-export.service"):
            text = open(os.path.join(tmp, u), encoding="utf-8").read()
            check("User=govharvest" in text and "Group=govharvest" in text and "DynamicUser" not in text,
                  f"{u} runs as the static user govharvest")
        export_unit = open(os.path.join(tmp, "govharvest-export.service"), encoding="utf-8").read()
        check("export --config /etc/govharvest/govharvest.conf --store /var/lib/govharvest --all" in export_unit
              and "UMask=0027" in export_unit, "the export unit writes every format into [export] dir, group-readable")
        if shutil.which("systemd-sysusers"):
            root = os.path.join(tmp, "root")
            os.makedirs(os.path.join(root, "etc"))
            r = subprocess.run(["systemd-sysusers", f"--root={root}", os.path.join(unit_dir, "govharvest.sysusers")],
                               capture_output=True, text=True)
            passwd = open(os.path.join(root, "etc", "passwd")).read() if os.path.exists(
                os.path.join(root, "etc", "passwd")) else ""
            group = open(os.path.join(root, "etc", "group")).read() if os.path.exists(
                os.path.join(root, "etc", "group")) else ""
            check(r.returncode == 0 and "govharvest:" in passwd
                  and "govharvest:" in group and ":/var/lib/govharvest:" in passwd,
                  f"systemd-sysusers creates the user and group: {r.stderr[-200:]!r} {passwd!r}")
        # verify looks up Documentation=man:govharvest(1): show it ours.
        os.makedirs(os.path.join(tmp, "man", "man1"))
        shutil.copy(os.path.join(SRC, "docs", "govharvest.1"), os.path.join(tmp, "man", "man1"))
        r = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True,
                           env=dict(os.environ, MANPATH=os.path.join(tmp, "man")))
        # Without man(1) on the machine, verify cannot look the page up.
        noise = [l for l in r.stderr.splitlines() if l.strip()
                 and not (shutil.which("man") is None and "Command 'man " in l)]
        check(r.returncode == 0 and not noise, f"systemd-analyze verify is clean: {r.stderr[-500:]!r}")
        for u in ("govharvest.service", "govharvest-export.service"):
            r = subprocess.run(["systemd-analyze", "security", "--offline=yes", os.path.join(tmp, u)],
                               capture_output=True, text=True)
            level = [l for l in r.stdout.splitlines() if "Overall exposure level" in l]
            check(level and float(level[0].split()[-3]) <= 2.0,
                  f"systemd-analyze security rates {u} low exposure: {level}")
            if level:
                print(level[0].strip())


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Crawl benchmark on the loopback benchmark web (tests/web/fixture_web.py
--bench-hosts H --bench-pages P: per host a column listing P-1 report pages).

1. Politeness on (delay d per host): govharvest's wall time against the
   bound, (P + 1) x d per host (robots.txt, the column, P-1 reports), with
   all hosts in parallel.  Goal: within 1.1 of the bound.
   The national-scale run does the same for 3,000 hosts x 30 pages behind
   nginx (an event-driven server that holds every connection at once), and
   adds the CPU per response and the committer's lag (store commits, from
   hand-over to collection).  Goals: within 1.05 of the bound, peak RSS
   under 500 MB.
2. Politeness off: pages/s and MB/s of govharvest (fetching, extracting,
   parsing, storing) beside `wget2 --recursive` (fetching and saving) on the
   same site, same parallelism, in the same run, and the CPU each spent per
   response (govharvest's split between its crawler process and its
   extraction workers).  Each figure is the median of --runs runs.
3. Peak heap (anonymous RSS) of each run.

The politeness-off runs are made twice when /dev/shm exists: with the store
and wget2's files on the disk (the temporary directory), and both on tmpfs.
wget2 saves a file per page, govharvest appends to one LMDB file, so the
cost of creating files on the machine's disk weighs on wget2 only; the
tmpfs figures show the two without it.

The seed URLs carry the server's port and govharvest resolves every host to
127.0.0.1 (`--resolve '*:PORT:127.0.0.1'`), as DNS would on the real web.
`--connect-to` would make libcurl file every host's connections under the
one connect-to address, and check each idle one before every request.

    python3 bench/crawl.py [BUILD_DIR] [--hosts H] [--pages P] [--delay D]

Needs a non-sanitizer build (scripts/quickstart makes build/) and wget2
(Debian package wget2) for the comparison.  Prints figures, asserts nothing.
"""
import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "web"))
from harness import anon_kib  # noqa: E402

here = os.path.dirname(os.path.abspath(__file__))
src = os.path.dirname(here)
ap = argparse.ArgumentParser()
ap.add_argument("build", nargs="?", default="build")
ap.add_argument("--hosts", type=int, default=500)
ap.add_argument("--pages", type=int, default=40)
ap.add_argument("--delay", type=float, default=1.0)
ap.add_argument("--off-hosts", type=int, default=50, help="hosts for the politeness-off runs")
ap.add_argument("--off-pages", type=int, default=200, help="pages per host, politeness off, many hosts")
ap.add_argument("--one-host-pages", type=int, default=2000, help="pages of the one-host run")
ap.add_argument("--runs", type=int, default=3, help="runs per politeness-off figure (median)")
ap.add_argument("--national-hosts", type=int, default=3000,
                help="hosts of the national-scale politeness run (nginx serves them)")
ap.add_argument("--national-pages", type=int, default=30)
ap.add_argument("--parts", default="polite,national,one,many",
                help="which runs: polite (politeness on), national (politeness on, "
                     "--national-hosts hosts behind nginx), one (one host), many (many hosts)")
ap.add_argument("--wrap", default="",
                help="a command govharvest runs under, for a profile: e.g. "
                     "'perf record -g -o /tmp/gh.perf --'")
ap.add_argument("--one-core", action="store_true",
                help="pin govharvest (and its workers) to CPU 0 and the server to CPU 1")
a = ap.parse_args()
gh = os.path.join(a.build, "govharvest")


def run(cmd, **kw):
    """Wall seconds, peak heap MiB, stdout, and CPU seconds (user + system,
    the process and the children it reaped)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, **kw)
    peak = 0
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, anon_kib(p.pid))
        time.sleep(0.02)
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, for Popen's bookkeeping
    out = p.stdout.read()
    # ru_maxrss (KiB): the largest resident set of the process or a child it
    # reaped (an extraction worker).
    return time.perf_counter() - t, peak / 1024, out + f"\nmaxrss {ru.ru_maxrss}\n", ru.ru_utime + ru.ru_stime


class Nginx:
    """The same benchmark sites as static files behind nginx (when it is
    installed): a server fast enough that the clients, not the server, set
    the pace of the politeness-off runs."""

    def __init__(self, tmp, hosts, pages):
        sys.path.insert(0, os.path.join(src, "tests", "web"))
        import fixture_web
        root = os.path.join(tmp, "sites")
        for host, routes in fixture_web.bench_sites(hosts, pages).items():
            for path, r in routes.items():
                f = os.path.join(root, host, path.lstrip("/"))
                if f.endswith("/"):
                    f += "index.html"
                os.makedirs(os.path.dirname(f), exist_ok=True)
                with open(f, "wb") as out:
                    out.write(r["body"])
        import socket
        with socket.socket() as so:
            so.bind(("127.0.0.1", 0))
            self.port = so.getsockname()[1]
        self.log = os.path.join(tmp, "nginx-access.log")
        conf = os.path.join(tmp, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""daemon off; worker_processes 2; pid {tmp}/nginx.pid; error_log {tmp}/nginx-error.log;
worker_rlimit_nofile 20000;
events {{ worker_connections 8192; }}
http {{ log_format bench '$msec $host $request_uri $status';
  access_log {self.log} bench; default_type text/html; charset utf-8;
  client_body_temp_path {tmp}; proxy_temp_path {tmp}; fastcgi_temp_path {tmp};
  uwsgi_temp_path {tmp}; scgi_temp_path {tmp}; keepalive_requests 100000;
  server {{ listen 127.0.0.1:{self.port}; server_name _; root {root}/$host;
    location / {{ proxy_pass_header Host; }}
    # wget2 goes through an HTTP proxy: answer absolute-form requests too.
  }} }}
""")
        self.proc = subprocess.Popen(["nginx", "-c", conf, "-p", tmp], stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def clear_log(self):
        open(self.log, "w").close()
        os.kill(self.proc.pid, 10)  # SIGUSR1: reopen the log

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


class Server:
    def __init__(self, tmp, hosts, pages):
        self.log = os.path.join(tmp, "log.jsonl")
        self.proc = subprocess.Popen([sys.executable, os.path.join(src, "tests", "web", "fixture_web.py"),
                                      os.path.join(src, "tests", "data"), self.log,
                                      "--bench-hosts", str(hosts), "--bench-pages", str(pages)],
                                     stdout=subprocess.PIPE, text=True)
        self.port = int(self.proc.stdout.readline().split()[0])
        if a.one_core:
            subprocess.run(["taskset", "-a", "-p", "-c", "1", str(self.proc.pid)], stdout=subprocess.DEVNULL)

    def clear_log(self):
        open(self.log, "w").close()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def crawl(tmp, srv, hosts, delay, conns, tag, where=None):
    seeds = os.path.join(tmp, f"seeds-{tag}.tsv")
    with open(seeds, "w") as f:
        for h in range(hosts):
            f.write(f"http://www.bench{h:04d}.gov.cn:{srv.port}/nb/\t110101\tbench\n")
    conf = os.path.join(tmp, "bench.conf")
    with open(conf, "w") as f:
        f.write(f"[crawl]\nuser_agent = govharvest-bench (+file:///)\nmax_connections = {max(conns, 1) * hosts}\n"
                f"connections_per_host = {conns}\n[log]\nlevel = error\n")
    store = os.path.join(where or tmp, f"store-{tag}")
    shutil.rmtree(store, ignore_errors=True)
    pin = ["taskset", "-c", "0"] if a.one_core else []
    pin += a.wrap.split()
    return run(pin + [gh, "crawl", "--config", conf, "--store", store, "--seeds", seeds, "-q",
                      "--resolve", f"*:{srv.port}:127.0.0.1", "--delay", str(delay)])


def wget2(where, srv, hosts, conns):
    out = os.path.join(where, "wget2")
    shutil.rmtree(out, ignore_errors=True)
    urls = [f"http://www.bench{h:04d}.gov.cn/nb/" for h in range(hosts)]
    # wget2 has neither --resolve nor --connect-to, so it goes through an
    # HTTP proxy: both servers answer absolute-form requests by their Host.
    env = dict(os.environ, http_proxy=f"http://127.0.0.1:{srv.port}")
    cmd = ["wget2", "--quiet", "--recursive", "--level=1", "--no-parent", "--robots=on",
           f"--max-threads={max(conns, 1) * hosts}", "--directory-prefix", out,
           "--span-hosts", "--domains=gov.cn", *urls]
    srv.clear_log()
    wall, rss, _, cpu = run(cmd, env=env)
    # Responses as the server counted them (robots.txt included, as in
    # govharvest's count).
    responses = sum(1 for _ in open(srv.log))
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out) for f in fs)
    return wall, rss, responses, size, cpu


def maxrss_mib(out):
    for line in out.splitlines():
        if line.startswith("maxrss "):
            return int(line.split()[1]) / 1024
    return 0.0


def median_run(fn):
    """The run with the median wall time of a.runs runs."""
    runs = sorted((fn() for _ in range(a.runs)), key=lambda r: r[0])
    return runs[len(runs) // 2]


def cpu_split(summary):
    for line in summary.splitlines():
        if line.startswith("cpu"):
            f = line.split()
            return float(f[1]), float(f[4])
    return 0.0, 0.0


def pages_of(summary):
    """Responses and MiB from the summary's "documents N fetched, X MiB" line."""
    for line in summary.splitlines():
        if line.startswith("documents"):
            f = line.split()
            return int(f[1]), float(f[3])
    return 0, 0.0


parts = set(a.parts.split(","))
with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
    places = [("store and files on disk (" + tmp + ")", tmp)]
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        places.append(("store and files on tmpfs (/dev/shm)",
                       stack.enter_context(tempfile.TemporaryDirectory(dir="/dev/shm"))))
    if "national" in parts and not shutil.which("nginx"):
        print("national: nginx not installed (apt-get install nginx): skipped")
    elif "national" in parts:
        srv = Nginx(tmp, a.national_hosts, a.national_pages)
        try:
            began = time.time()
            wall, rss, out, cpu = crawl(tmp, srv, a.national_hosts, a.delay, 1, "national")
            ended = time.time()
            n, mib = pages_of(out)
            loop, workers = cpu_split(out)
            commits = next((l for l in out.splitlines() if l.startswith("commits")), "commits        n/a")
            bound = (a.national_pages + 1) * a.delay
            print(f"national scale: {a.national_hosts} hosts x {a.national_pages} pages, delay {a.delay} s, "
                  f"served by nginx")
            crawl_s = next((float(l.split()[1]) for l in out.splitlines() if l.startswith("time ")), wall)
            print(f"  govharvest {wall:.1f} s for {n} responses; bound (P+1) x d = {bound:.1f} s; "
                  f"ratio {wall / bound:.3f} ({crawl_s / bound:.3f} for the crawl itself, {crawl_s:.1f} s, "
                  f"before the summary's seed report walks the store); "
                  f"peak heap {rss:.1f} MiB, peak RSS {maxrss_mib(out):.1f} MiB")
            print(f"  CPU {cpu / max(n, 1) * 1e6:.0f} us/response ({loop / max(n, 1) * 1e6:.0f} crawler + "
                  f"{workers / max(n, 1) * 1e6:.0f} workers); commits {commits.split(None, 1)[1]}")
            # Where the time beyond the bound goes, from nginx's log: the
            # first request, each host's span from its first request to its
            # last (the bound's P x d), and the end of the last request.
            times = {}
            for line in open(srv.log):
                f = line.split()
                if len(f) >= 2:
                    times.setdefault(f[1].split(":")[0], []).append(float(f[0]))
            if times:
                t0 = min(min(v) for v in times.values())
                t1 = max(max(v) for v in times.values())
                spans = sorted(max(v) - min(v) for v in times.values())
                starts = sorted(min(v) - t0 for v in times.values())
                print(f"  server log: requests over {t1 - t0:.1f} s; hosts' first request within "
                      f"{starts[-1]:.2f} s of the first; per-host span median {spans[len(spans) // 2]:.2f} s, "
                      f"max {spans[-1]:.2f} s (P x d = {a.national_pages * a.delay:.1f} s); "
                      f"start-up {t0 - began:.1f} s (to the first request), "
                      f"{ended - t1:.1f} s after the last request (last records, exit)")
        finally:
            srv.stop()
    if "polite" in parts:
        srv = Server(tmp, a.hosts, a.pages)
        try:
            wall, rss, out, _ = crawl(tmp, srv, a.hosts, a.delay, 1, "polite")
            n, mib = pages_of(out)
            bound = (a.pages + 1) * a.delay
            print(f"politeness on: {a.hosts} hosts x {a.pages} pages, delay {a.delay} s"
                  + (", govharvest on one core" if a.one_core else ""))
            print(f"  govharvest {wall:.1f} s for {n} responses; bound (P+1) x d = {bound:.1f} s; "
                  f"ratio {wall / bound:.3f}; peak heap {rss:.1f} MiB")
        finally:
            srv.stop()
    # Politeness off, one host (one connection: latency-bound) and many.
    for part, hosts, pages in (("one", 1, a.one_host_pages), ("many", min(a.off_hosts, a.hosts), a.off_pages)):
        if part not in parts:
            continue
        srv = Nginx(tmp, hosts, pages) if shutil.which("nginx") else Server(tmp, hosts, pages)
        try:
            print(f"politeness off: {hosts} host(s) x {pages} pages, 1 connection per host, "
                  f"served by {'nginx' if isinstance(srv, Nginx) else 'the Python fixture server'}, "
                  f"median of {a.runs}")
            for label, where in places:
                print(f" {label}:")
                wall, rss, out, cpu = median_run(lambda: crawl(tmp, srv, hosts, 0, 1, f"fast{hosts}", where))
                n, mib = pages_of(out)
                loop, workers = cpu_split(out)
                print(f"  govharvest  {n / wall:8.1f} responses/s {mib / wall:6.2f} MiB/s  "
                      f"CPU {cpu / n * 1e6:4.0f} us/response ({loop / n * 1e6:.0f} crawler + "
                      f"{workers / n * 1e6:.0f} workers)  peak heap {rss:6.1f} MiB"
                      "  (fetch + extract + parse + store)")
                if shutil.which("wget2"):
                    w, r, files, size, wcpu = median_run(lambda: wget2(where, srv, hosts, 1))
                    print(f"  wget2       {files / w:8.1f} responses/s {size / w / 2**20:6.2f} MiB/s  "
                          f"CPU {wcpu / files * 1e6:4.0f} us/response  peak heap {r:6.1f} MiB"
                          "  (fetch + save)")
                    print(f"  ratio govharvest/wget2 responses/s: {(n / wall) / (files / w):.2f}")
                else:
                    print("  wget2 not installed (apt-get install wget2): no baseline")
        finally:
            srv.stop()

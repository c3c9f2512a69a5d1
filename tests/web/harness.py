"""Shared pieces of the Python tests: the fixture web, counted checks.

Imported by tests/test_crawl.py and tests/test_daemon.py."""
import json
import os
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(SRC, "tests", "data")
failures, passes = [], 0

# The six fixture portals of fixture_web.py as a seed list.
SEEDS = """url\tregion_code\tname
http://www.wd.gov.cn/\t532329\t武定县人民政府
http://www.hrbfz.gov.cn/col/col1229/index.html\t230124\t方正县人民政府
http://www.huaian.gov.cn/\t320800\t淮安市人民政府
http://www.wusu.gov.cn/xxgk/nb/\t654202\t乌苏市人民政府
http://www.wuzhong.gov.cn/xxgk/zfxxgkml/ndbg/\t640300\t吴忠市人民政府
http://www.dayao.gov.cn/info/egovinfo/1007/nb.htm\t532326\t大姚县人民政府
"""


def crawl_config(tmp, name, crawl="", level="warning"):
    """A configuration file for a test's crawl: the test user agent (with
    its contact URL), `crawl` lines for [crawl], and the log level."""
    path = os.path.join(tmp, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"[crawl]\nuser_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)\n{crawl}"
                f"\n[log]\nlevel = {level}\n")
    return path


def check(cond, what):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def finish(name):
    print(f"{name}: {passes} passed, {len(failures)} failed")
    sys.exit(1 if failures else 0)


class Web:
    """The fixture server (fixture_web.py) on ephemeral loopback ports: plain
    HTTP for every host, HTTPS (a certificate made here) for the TLS host."""

    def __init__(self, tmp, extra=()):
        self.log = os.path.join(tmp, "requests.jsonl")
        pem = os.path.join(tmp, "tls.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=www.shanghai.gov.cn", "-keyout", pem, "-out", pem + ".crt"],
                       check=True, capture_output=True)
        with open(pem, "a") as f:
            f.write(open(pem + ".crt").read())
        self.proc = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "web", "fixture_web.py"),
                                      DATA, self.log, "--tls-cert", pem, *extra], stdout=subprocess.PIPE,
                                     text=True)
        self.port, self.tls_port = map(int, self.proc.stdout.readline().split())

    def requests(self):
        with open(self.log, encoding="utf-8") as f:
            return [json.loads(l) for l in f]

    def clear(self):
        open(self.log, "w").close()

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def export(gh, store, *args):
    r = subprocess.run([gh, "export", "--store", store, *args], capture_output=True, timeout=60)
    check(r.returncode == 0, f"export {args} exits 0: {r.stderr[:300]!r}")
    return r.stdout


def records(gh, store):
    return [json.loads(l) for l in export(gh, store).decode().splitlines()]


def with_web(run):
    """run(tmp, web) in a temporary directory with the fixture web up."""
    with tempfile.TemporaryDirectory() as tmp:
        web = Web(tmp)
        try:
            run(tmp, web)
        finally:
            web.stop()


def anon_kib(pid):
    """A process's anonymous resident memory (its heap, not the mapped
    store or the page cache), in KiB; 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(l.split()[1]) for l in f if l.startswith("RssAnon:")), 0)
    except OSError:
        return 0


def crawl_legacy_web(gh, tmp, files, timeout):
    """Serves `files` as one county portal's reports (legacy_web.py), crawls
    it into TMP/store and returns the store; the crawl must exit 0."""
    here = os.path.dirname(os.path.abspath(__file__))
    web = subprocess.Popen([sys.executable, os.path.join(here, "legacy_web.py"), files,
                            os.path.join(tmp, "requests.jsonl")], stdout=subprocess.PIPE, text=True)
    try:
        port = int(web.stdout.readline())
        conf = os.path.join(tmp, "crawl.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(f"[crawl]\nuser_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)\n"
                    f"regions = {SRC}/config/regions.tsv\ntimeout = 5\nretries = 1\n"
                    "[log]\nlevel = warning\n")
        seeds = os.path.join(tmp, "seeds.tsv")
        with open(seeds, "w", encoding="utf-8") as f:
            f.write("url\tregion_code\tname\nhttp://www.xunwu.gov.cn/\t360734\t寻乌县人民政府\n")
        store = os.path.join(tmp, "store")
        r = subprocess.run([gh, "crawl", "--config", conf, "--store", store, "--seeds", seeds,
                            "--connect-to", f"::127.0.0.1:{port}", "--delay", "0.05", "-q"],
                           capture_output=True, text=True, timeout=timeout)
        check(r.returncode == 0, f"the crawl exits 0: {r.stderr[-400:]}")
        return store
    finally:
        web.terminate()
        web.wait()

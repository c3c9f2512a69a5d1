"""Shared pieces of the Python tests: the fixture web, counted checks.

Imported by tests/test_crawl.py and tests/test_daemon.py."""
import json
import os
import subprocess
import sys

SRC = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(SRC, "tests", "data")
failures, passes = [], 0


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

    def __init__(self, tmp):
        self.log = os.path.join(tmp, "requests.jsonl")
        pem = os.path.join(tmp, "tls.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=www.shanghai.gov.cn", "-keyout", pem, "-out", pem + ".crt"],
                       check=True, capture_output=True)
        with open(pem, "a") as f:
            f.write(open(pem + ".crt").read())
        self.proc = subprocess.Popen([sys.executable, os.path.join(SRC, "tests", "web", "fixture_web.py"),
                                      DATA, self.log, "--tls-cert", pem], stdout=subprocess.PIPE, text=True)
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

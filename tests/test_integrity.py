#!/usr/bin/env python3
"""The store's integrity, from the command line, on copies of a real store:

- a store written by the previous release (schema 1, tests/data/stores/
  schema1, made by a crawl of the fixture web) reads the same with this
  one, and is migrated on the first write open: backup first, nothing lost;
- damage (bytes overwritten in every page, a truncated or empty data.mdb,
  a record that no longer parses) is an error naming the database, exit 2,
  never a crash and never a short export that exits 0;
- `check` finds what is damaged, `backup` writes a copy that checks clean;
- exports replace their file whole or not at all, and never write into the
  store;
- deleting writer.lock does not let a second writer in;
- after a crawl under a clock 400 days ahead (tests/clockshift.c), the
  daemon under the right clock crawls at once instead of idling until
  then, and no record or URL state is left fetched in the future.

    test_integrity.py GOVHARVEST
"""
import calendar
import gzip
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

GH = sys.argv[1]
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "web"))
from harness import DATA, SRC, check, finish, records, with_web  # noqa: E402

SCHEMA1 = os.path.join(DATA, "stores", "schema1")


def gh(*args, **kw):
    return subprocess.run([GH, *args], capture_output=True, timeout=120, **kw)


def lines(b):
    return sorted(b.decode().splitlines())


def unpack(dst):
    os.makedirs(dst)
    with gzip.open(os.path.join(SCHEMA1, "data.mdb.gz")) as f, open(os.path.join(dst, "data.mdb"), "wb") as o:
        shutil.copyfileobj(f, o)


# What exports add since schema 3 (identity, places, one quality flag).
ADDED = ("agency_key", "province_code", "province", "prefecture_code", "prefecture", "county_code",
         "county", "quality")


def without_added(b):
    out = []
    for line in b.decode().splitlines():
        j = json.loads(line)
        for k in ADDED:
            j.pop(k, None)
        out.append(json.dumps(j, sort_keys=True, ensure_ascii=False))
    return sorted(out)


def dbs(store):
    r = subprocess.run(["mdb_stat", "-a", store], capture_output=True, text=True)
    return {l[len("Status of "):].strip() for l in r.stdout.splitlines() if l.startswith("Status of ")}


def migration(tmp):
    old_export = open(os.path.join(SCHEMA1, "export.jsonl"), "rb").read()
    old_urls = open(os.path.join(SCHEMA1, "urls.jsonl"), "rb").read()
    s = os.path.join(tmp, "s1")
    unpack(s)
    # Read as it is: readers never migrate.
    r = gh("export", "--store", s)
    check(r.returncode == 0 and without_added(r.stdout) == without_added(old_export),
          f"a schema-1 store exports as the previous release did: {r.returncode} {r.stderr[:200]!r}")
    r = gh("stats", "--urls", "--store", s)
    check(r.returncode == 0 and lines(r.stdout) == lines(old_urls),
          f"and its URL states read the same: {r.returncode} {r.stderr[:200]!r}")
    r = gh("reparse", "--dry-run", "--store", s)
    check(r.returncode == 0 and "urls" in dbs(s) and "url_state" not in dbs(s)
          and not [f for f in os.listdir(s) if "backup" in f],
          f"reparse --dry-run reads only: no migration, no backup: {r.returncode} {os.listdir(s)} {r.stderr[:200]!r}")
    check("urls" in dbs(s) and "url_state" not in dbs(s), "a reader changed nothing")
    # What a kill during an earlier release's backup left: a copy cut short
    # where the backup goes; and a copy this release was making (.tmp).
    bak = os.path.join(s, "schema-1-backup")
    os.makedirs(bak)
    with open(os.path.join(s, "data.mdb"), "rb") as f, open(os.path.join(bak, "data.mdb"), "wb") as o:
        o.write(f.read(64 * 1024))
    os.makedirs(bak + ".tmp")
    open(os.path.join(bak + ".tmp", "data.mdb"), "wb").write(b"\0" * 4096)
    # The first writer migrates.
    r = gh("reparse", "--store", s)
    err = r.stderr.decode()
    check(r.returncode == 0 and "migrated from schema 1" in err and "schema-1-backup" in err
          and "cut short" in err,
          f"the first write open migrates, and says so: {r.returncode} {err[:300]!r}")
    check(os.path.exists(os.path.join(bak, "data.mdb")) and not os.path.exists(bak + ".tmp")
          and os.path.getsize(os.path.join(bak, "data.mdb")) > 64 * 1024,
          "a whole copy of the schema-1 store replaced the short one, and the stale .tmp is gone")
    check("url_state" in dbs(s) and "urls" not in dbs(s), f"URL states re-keyed: {dbs(s)}")
    r = gh("stats", "--urls", "--store", s)
    check(r.returncode == 0 and lines(r.stdout) == lines(old_urls),
          f"every URL state survived the migration: {len(r.stdout.splitlines())} of "
          f"{len(old_urls.splitlines())}")
    r = gh("export", "--store", s)
    old = {(j["agency"], j["year"]): j for j in map(json.loads, old_export.decode().splitlines())}
    new = {(j["agency"], j["year"]): j for j in map(json.loads, r.stdout.decode().splitlines())}
    check(r.returncode == 0 and old.keys() == new.keys(),
          f"every record survived: missing {old.keys() - new.keys()}")
    # The reparse reads each document again: what the reader derives from
    # its text (parser_version, text_fingerprint) may change with the
    # reader; where it came from and when may not.
    derived = ("parser_version", "text_fingerprint")
    changed = [(k, f) for k in old.keys() & new.keys()
               for f in old[k]["source"].keys() | new[k]["source"].keys()
               if f not in derived and old[k]["source"].get(f) != new[k]["source"].get(f)]
    check(not changed, f"with its provenance: {changed[:5]}")
    r = gh("check", "--store", s)
    check(r.returncode == 0 and b"0 problems" in r.stdout, f"the migrated store checks clean: {r.stdout[-300:]!r}")
    r = gh("check", "--store", bak)
    check(r.returncode == 0, f"so does its backup: {r.stdout[-200:]!r} {r.stderr[-200:]!r}")
    # The old backup opened by this release is migrated like any other;
    # a second write open of the migrated store does nothing more.
    r = gh("reparse", "--store", s)
    check(r.returncode == 0 and b"migrated" not in r.stderr, "migration happens once")
    return s


def half_migrated(tmp):
    """A schema-1 store whose migration stopped between batches (a kill, a
    full disk): half its URL states already in url_state, keyed by hash, half
    still in urls.  Readers see all of them, check says the migration is
    unfinished and how much is left, and the next write open finishes it."""
    import hashlib
    old_urls = open(os.path.join(SCHEMA1, "urls.jsonl"), "rb").read()
    src = os.path.join(tmp, "hm-src")
    unpack(src)
    dump = subprocess.run(["mdb_dump", "-a", src], capture_output=True, text=True, check=True).stdout
    lines_, sections, i = dump.splitlines(), [], 0
    while i < len(lines_):
        hdr = []
        while lines_[i] != "HEADER=END":
            hdr.append(lines_[i])
            i += 1
        i += 1
        pairs = []
        while lines_[i] != "DATA=END":
            pairs.append((lines_[i], lines_[i + 1]))
            i += 2
        i += 1
        sections.append((hdr, pairs))
    out = []
    for hdr, pairs in sections:
        if "database=urls" in hdr:
            moved, pairs = pairs[: len(pairs) // 2], pairs[len(pairs) // 2:]
            state = []
            for k, v in moved:
                url = bytes.fromhex(k.strip())
                state.append((" " + hashlib.sha256(url).hexdigest(), " " + (url + b"\0" + bytes.fromhex(v.strip())).hex()))
            out.append(([h if h != "database=urls" else "database=url_state" for h in hdr], state))
        out.append((hdr, pairs))
    text = "".join("\n".join(hdr) + "\nHEADER=END\n" + "".join(f"{k}\n{v}\n" for k, v in pairs) + "DATA=END\n"
                   for hdr, pairs in out)
    hm = os.path.join(tmp, "hm")
    os.makedirs(hm)
    subprocess.run(["mdb_load", "-f", "/dev/stdin", hm], input=text, text=True, check=True, capture_output=True)
    check(len(moved) > 0 and {"urls", "url_state"} <= dbs(hm), f"a half-migrated store: {dbs(hm)}")
    r = gh("stats", "--urls", "--store", hm)
    check(r.returncode == 0 and lines(r.stdout) == lines(old_urls),
          f"readers see every URL state, moved or not: {len(r.stdout.splitlines())} of {len(old_urls.splitlines())}")
    r = gh("check", "--store", hm)
    check(r.returncode == 1 and b"migration from schema 1 is unfinished" in r.stdout
          and f"{len(pairs)} URL states not yet moved".encode() in r.stdout,
          f"check says the migration is unfinished and what is left: {r.stdout[-400:]!r}")
    r = gh("reparse", "--store", hm)
    check(r.returncode == 0 and "url_state" in dbs(hm) and "urls" not in dbs(hm),
          f"the next write open finishes it: {r.returncode} {dbs(hm)} {r.stderr[:200]!r}")
    r = gh("stats", "--urls", "--store", hm)
    check(lines(r.stdout) == lines(old_urls), "with every URL state")
    check(gh("check", "--store", hm).returncode == 0, "and it checks clean")


def damage(tmp, good):
    """Overwrite 96 bytes at three offsets of every page, in turn, and ask
    export, stats and check.  Some pages are free or hold slack: those may
    read clean.  None may crash or exit 0 with different output."""
    size = os.path.getsize(os.path.join(good, "data.mdb"))
    base = {c: gh(*c, "--store", good).stdout for c in (("export",), ("stats", "--json"))}
    d = os.path.join(tmp, "d")
    crashes, silent, reported = [], [], 0
    # A compacted store keeps its branch and leaf pages at the end, the
    # documents' overflow pages before them: every page of the last 60,
    # and 40 spread evenly over the overflow pages before (each page costs
    # nine runs of the program: a bound, so that the test's time does not
    # grow with the fixture store).
    pages = size // 4096
    before = range(2, max(2, pages - 60))
    step = max(1, len(before) // 40)
    sample = sorted(set(before[::step]) | set(range(max(2, pages - 60), pages)))
    print(f"damage: {pages} pages, {len(sample)} sampled")
    for page in sample:
        for off in (0, 16, 1000):
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(good, d)
            with open(os.path.join(d, "data.mdb"), "r+b") as f:
                f.seek(page * 4096 + off)
                f.write(b"\xAA" * 96)
            for c in (("export",), ("stats", "--json"), ("check",)):
                r = gh(*c, "--store", d)
                if r.returncode < 0:
                    crashes.append((page, off, c[0], -r.returncode))
                elif r.returncode == 0 and c[0] != "check" and r.stdout != base[c]:
                    silent.append((page, off, c[0]))
                elif r.returncode == 2:
                    reported += 1
                    if b"damaged" not in r.stderr:
                        silent.append((page, off, c[0], r.stderr[:100]))
    # The writers on a sample of the same damage: never a crash.  A damaged
    # free list can hand liblmdb's commit a wild length for its own memcpy:
    # the fault guard turns the fault into "damaged", but under ASan the
    # memcpy interceptor aborts first, inside liblmdb, so for these runs
    # ASan leaves mem* alone (our code's are checked everywhere else).
    writer_env = dict(os.environ)
    if writer_env.get("ASAN_OPTIONS") is not None:
        writer_env["ASAN_OPTIONS"] = writer_env["ASAN_OPTIONS"] + ":replace_intrin=0"
    seeds = os.path.join(tmp, "seeds.tsv")
    with open(seeds, "w") as f:
        f.write("http://www.x.gov.cn/\t\tx\n")
    conf = os.path.join(tmp, "quick.conf")
    with open(conf, "w") as f:  # a refused connection fails at once, no retries
        f.write("[crawl]\nretries = 0\nuser_agent = t/1 (+http://127.0.0.1/)\n[log]\nlevel = error\n")
    for page in sample[::3]:
        for off in (0, 16):
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(good, d)
            with open(os.path.join(d, "data.mdb"), "r+b") as f:
                f.seek(page * 4096 + off)
                f.write(b"\xAA" * 96)
            for c in (("crawl", "--config", conf, "--seeds", seeds, "--connect-to", "::127.0.0.1:1", "-q", "--delay", "0.01"),
                      ("reparse", "--config", conf)):
                r = gh(*c, "--store", d, env=writer_env)
                if r.returncode < 0:
                    crashes.append((page, off, c[0], -r.returncode))
    check(not crashes, f"no damaged page crashes a reader or a writer: {crashes[:5]}")
    check(not silent, f"no damaged page reads as a different success: {silent[:5]}")
    check(reported > 50, f"damage is reported as such ({reported} reports)")

    # A record that no longer parses: named, exit 2, not skipped.
    shutil.rmtree(d)
    shutil.copytree(good, d)
    data = bytearray(open(os.path.join(d, "data.mdb"), "rb").read())
    # Every copy: pages a transaction freed still hold older versions.
    needle = '"agency":"大姚县农业农村局"'.encode()
    at = data.find(needle)
    check(at > 0, "the record is in the file")
    while at > 0:
        data[at:at + 9] = b"\x00\x01\x02garble"
        at = data.find(needle, at + 1)
    open(os.path.join(d, "data.mdb"), "wb").write(data)
    # Every reader of records meets it through the one record walk.
    for c in (("export",), ("export", "-f", "csv"), ("stats",),
              ("stats", "--html", os.path.join(tmp, "damaged.html")), ("reparse", "--dry-run")):
        r = gh(*c, "--store", d)
        err = r.stderr.decode()
        check(r.returncode == 2 and "database 'records'" in err and "532326|农业农村局" in err,
              f"{' '.join(c)}: a record that does not parse is named, exit 2: {r.returncode} {err[:200]!r}")
    r = gh("check", "--store", d)
    check(r.returncode == 1 and "532326|农业农村局" in r.stdout.decode() and "1 problem" in r.stderr.decode(),
          f"check lists it: {r.stdout[:300]!r} {r.stderr[-200:]!r}")

    # Truncated and empty files, with the writer too.
    for cut, want in ((size // 2, "truncated"), (0, "empty")):
        shutil.rmtree(d)
        shutil.copytree(good, d)
        os.truncate(os.path.join(d, "data.mdb"), cut)
        for c in (("export",), ("stats",), ("check",),
                  ("crawl", "--config", conf, "--seeds", seeds, "--connect-to", "::127.0.0.1:1", "-q", "--delay", "0.01")):
            r = gh(*c, "--store", d)
            check(r.returncode == 2 and want in r.stderr.decode(),
                  f"{c[0]} on a {want} data.mdb: exit 2 naming it: {r.returncode} {r.stderr[:200]!r}")
        check(os.path.getsize(os.path.join(d, "data.mdb")) == cut, f"the {want} file was left as it was")


def backup(tmp, good):
    b = os.path.join(tmp, "bk")
    r = gh("backup", "--store", good, b)
    check(r.returncode == 0 and os.path.exists(os.path.join(b, "data.mdb")), f"backup: {r.stderr!r}")
    check(gh("check", "--store", b).returncode == 0, "the backup checks clean")
    check(lines(gh("export", "--store", b).stdout) == lines(gh("export", "--store", good).stdout),
          "and holds the same records")
    # Again into the same directory (the nightly unit): the older copy is
    # replaced by a rename, whole, and still checks clean.
    old_ino = os.stat(os.path.join(b, "data.mdb")).st_ino
    r = gh("backup", "--store", good, b)
    check(r.returncode == 0 and b"older copy there replaced" in r.stdout and
          os.stat(os.path.join(b, "data.mdb")).st_ino != old_ino and
          not [f for f in os.listdir(b) if "partial" in f],
          f"a backup replaces an older one atomically: {r.stdout!r} {r.stderr!r}")
    check(gh("check", "--store", b).returncode == 0, "the replacing backup checks clean")
    # A store that has been written is not a backup: never replaced.
    r = gh("backup", "--store", b, good)
    check(r.returncode == 2 and b"not a backup" in r.stderr, f"a written store is never overwritten: {r.stderr!r}")
    r = gh("backup", "--store", good, os.path.join(good, "inside"))
    check(r.returncode == 2 and not os.path.exists(os.path.join(good, "inside")),
          f"nor writes into the store: {r.stderr!r}")


def exports(tmp, good):
    out = os.path.join(tmp, "records.jsonl")
    r = gh("export", "--store", good, "-o", out)
    check(r.returncode == 0, "export -o")
    before = open(out, "rb").read()

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    for fmt in ("jsonl", "csv", "long", "sqlite"):
        target = out if fmt == "jsonl" else os.path.join(tmp, f"records.{fmt}")
        if fmt != "jsonl":
            gh("export", "--store", good, "-f", fmt, "-o", target)
        prev = open(target, "rb").read()
        # A full disk (here: a 4 KiB file size limit) half-way through.
        r = subprocess.run([GH, "export", "--store", good, "-f", fmt, "-o", target],
                           capture_output=True, preexec_fn=small_files, timeout=60)
        check(r.returncode == 1 and open(target, "rb").read() == prev,
              f"{fmt}: a write that fails leaves the previous export whole: {r.returncode} {r.stderr[:200]!r}")
        check(b"GError" not in r.stderr and b"CRITICAL" not in r.stderr, f"{fmt}: one clean error: {r.stderr!r}")
        left = [f for f in os.listdir(tmp) if f.startswith(".")]
        check(not left, f"{fmt}: no temporary file left behind: {left}")
    check(open(out, "rb").read() == before, "the jsonl export is the one written first")
    live = os.path.join(good, "data.mdb")
    data = open(live, "rb").read()
    for fmt in ("jsonl", "sqlite"):
        r = gh("export", "--store", good, "-f", fmt, "-o", live)
        check(r.returncode == 2 and b"inside the store" in r.stderr and open(live, "rb").read() == data,
              f"{fmt}: export -o STORE/data.mdb is refused: {r.returncode} {r.stderr!r}")
    r = gh("export", "--store", good, "-o", "-")
    check(r.returncode == 0 and r.stdout.strip() == before.strip(), "-o - is standard output")


def export_targets(tmp, good):
    """-o onto what is not a regular file is written in place, never
    replaced (a rename over /dev/null replaced it system-wide); a CSV and its
    metadata are replaced together or not at all; exports are 0640; a
    killed export's temporary files are removed by the next."""
    import stat
    import threading
    d = os.path.join(tmp, "targets")
    os.makedirs(d)
    want = gh("export", "--store", good).stdout
    dev = os.path.join(d, "null")
    try:
        os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        dev = None
        print("integrity: not root, the character-device case is not run")
    if dev:
        for fmt in ("csv", "jsonl"):
            r = gh("export", "--store", good, "-f", fmt, "-o", dev)
            check(r.returncode == 0 and stat.S_ISCHR(os.stat(dev).st_mode),
                  f"{fmt}: export -o a character device leaves it one: {r.returncode} {r.stderr[:200]!r}")
        r = gh("export", "--store", good, "-f", "sqlite", "-o", dev)
        check(r.returncode != 0 and b"not a regular file" in r.stderr and stat.S_ISCHR(os.stat(dev).st_mode),
              f"sqlite: export -o a device is refused: {r.returncode} {r.stderr[:200]!r}")
        check(not [f for f in os.listdir(d) if f != "null"], f"nothing beside it: {os.listdir(d)}")
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(open(fifo, "rb").read()), daemon=True)
    reader.start()
    r = gh("export", "--store", good, "-o", fifo)
    reader.join(30)
    check(r.returncode == 0 and got == [want] and stat.S_ISFIFO(os.stat(fifo).st_mode),
          f"a FIFO's reader gets the export, and it stays a FIFO: {r.returncode} {[len(g) for g in got]}")
    with open(os.path.join(d, "via-fd"), "wb") as f:
        r = subprocess.run([GH, "export", "--store", good, "-o", "/dev/fd/1"], stdout=f,
                           stderr=subprocess.PIPE, timeout=60)
    check(r.returncode == 0 and open(os.path.join(d, "via-fd"), "rb").read() == want,
          f"-o /dev/fd/1 writes into the caller's descriptor: {r.returncode} {r.stderr[:200]!r}")

    # Modes, and a killed export's leftovers.
    out = os.path.join(d, "records.jsonl")
    stale, fresh = os.path.join(d, ".records.jsonl.Ab12Cd"), os.path.join(d, ".records.jsonl.Ef34Gh")
    for p in (stale, fresh):
        open(p, "w").write("partial")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    old_umask = os.umask(0o022)
    try:
        r = gh("export", "--store", good, "-o", out)
        r2 = gh("export", "--store", good, "-f", "sqlite", "-o", os.path.join(d, "records.sqlite"))
    finally:
        os.umask(old_umask)
    check(r.returncode == 0 and stat.S_IMODE(os.stat(out).st_mode) == 0o640
          and r2.returncode == 0 and stat.S_IMODE(os.stat(os.path.join(d, "records.sqlite")).st_mode) == 0o640,
          f"exports are 0640: {oct(os.stat(out).st_mode)}")
    check(not os.path.exists(stale) and os.path.exists(fresh),
          "a killed export's hour-old temporary file is removed, a fresh one (an export running) kept")
    os.unlink(fresh)

    # A CSV that fits a 'disk' its metadata does not: neither replaces the old.
    csv = os.path.join(d, "records.csv")
    check(gh("export", "--store", good, "-f", "csv", "-o", csv).returncode == 0, "csv export")
    meta = csv + "-metadata.json"
    old_csv, old_meta = open(csv, "rb").read(), open(meta, "rb").read()
    with open(meta, "wb") as f:  # an older metadata file, to tell the old pair from a new one
        f.write(old_meta.replace(b"{", b"{ ", 1))
    old_meta = open(meta, "rb").read()
    with open(csv, "wb") as f:
        f.write(b"old\n")
    limit = len(old_csv) + 16
    if len(old_meta) > limit + 64:
        def small_files():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        r = subprocess.run([GH, "export", "--store", good, "-f", "csv", "-o", csv], capture_output=True,
                           preexec_fn=small_files, timeout=60)
        check(r.returncode == 1 and open(csv, "rb").read() == b"old\n" and open(meta, "rb").read() == old_meta,
              f"a metadata write that fails leaves the old CSV too: {r.returncode} {open(csv, 'rb').read()[:20]!r}")
        check(not [f for f in os.listdir(d) if f.startswith(".")], "and no temporary file")
    else:
        check(False, f"the fixture's CSV ({len(old_csv)} B) is smaller than its metadata ({len(old_meta)} B)")


def read_only(tmp, good):
    """A copy of the store in a directory this process cannot write (no
    lock.mdb can be created there) still reads."""
    ro = os.path.join(tmp, "ro")
    shutil.copytree(good, ro)
    os.unlink(os.path.join(ro, "lock.mdb"))
    mounted = False
    if os.geteuid() == 0:
        # Root writes anywhere: a read-only bind mount, where allowed.
        mounted = subprocess.run(["mount", "--bind", ro, ro], capture_output=True).returncode == 0 and \
            subprocess.run(["mount", "-o", "remount,ro,bind", ro], capture_output=True).returncode == 0
        if not mounted:
            subprocess.run(["umount", ro], capture_output=True)
            print("note: read-only store not tested (no bind mount here, and root writes anywhere)")
            return
    else:
        for f in os.listdir(ro):
            os.chmod(os.path.join(ro, f), 0o444)
        os.chmod(ro, 0o555)
    try:
        r = gh("export", "--store", ro)
        check(r.returncode == 0 and lines(r.stdout) == lines(gh("export", "--store", good).stdout),
              f"a read-only copy exports: {r.returncode} {r.stderr[:200]!r}")
        if not mounted:  # on a read-only filesystem LMDB itself goes without locks
            check(b"no writer may run on it" in r.stderr, f"and warns that no writer may run: {r.stderr!r}")
        r = gh("check", "--store", ro)
        check(r.returncode == 0, f"and checks: {r.stderr[:200]!r}")
    finally:
        if mounted:
            subprocess.run(["umount", ro], capture_output=True)
        else:
            os.chmod(ro, 0o755)


def lockless_reader(tmp, good):
    """A reader who may read the store but not write its lock.mdb (a group
    member, not the owner) opens it without LMDB's lock, which is safe only
    with no writer running: it consults the writers' flock on the directory
    first and refuses while one holds it."""
    import fcntl
    if os.geteuid() != 0:
        print("integrity: not root, the lockless-reader case is not run")
        return
    os.chmod(tmp, 0o755)  # the member must reach the store's directory
    s = os.path.join(tmp, "grp")
    shutil.copytree(good, s)
    gh("stats", "--store", s)  # lock.mdb exists
    for f in [s] + [os.path.join(s, n) for n in os.listdir(s)]:
        os.chown(f, 0, 65534)
        os.chmod(f, 0o750 if os.path.isdir(f) else 0o640)

    def as_member():
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)

    def read():
        return subprocess.run([GH, "export", "--store", s], capture_output=True, timeout=60, preexec_fn=as_member)

    r = read()
    check(r.returncode == 0 and lines(r.stdout) == lines(gh("export", "--store", good).stdout),
          f"a group member reads the store without LMDB's lock: {r.returncode} {r.stderr[:200]!r}")
    fd = os.open(s, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a crawl or the daemon holds it
        r = read()
        check(r.returncode != 0 and b"being written by another govharvest process" in r.stderr and not r.stdout,
              f"but not while a writer holds the store: {r.returncode} {r.stderr[:300]!r}")
    finally:
        os.close(fd)


def lock(tmp, good):
    """A writer holds the store; removing writer.lock does not let another in."""
    s = os.path.join(tmp, "locked")
    shutil.copytree(good, s)
    os.unlink(os.path.join(s, "writer.lock"))  # the last writer's, copied along
    # A crawl that stays up: its only seed's host accepts and never answers.
    import socket
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    seeds = os.path.join(tmp, "lock-seeds.tsv")
    with open(seeds, "w") as f:
        f.write("http://www.slow.gov.cn/\t\tslow\n")
    conf = os.path.join(tmp, "lock.conf")
    with open(conf, "w") as f:
        f.write("[crawl]\ntimeout = 30\nconnect_timeout = 30\nuser_agent = t/1 (+http://127.0.0.1/)\n")
    p = subprocess.Popen([GH, "crawl", "--config", conf, "--store", s, "--seeds", seeds, "-q",
                          "--connect-to", f"::127.0.0.1:{port}"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        wl = os.path.join(s, "writer.lock")
        for _ in range(100):
            if os.path.exists(wl) and open(wl).read().strip():
                break
            import time
            time.sleep(0.05)
        pid = open(wl).read().strip()
        check(pid == str(p.pid), f"writer.lock names the crawl: {pid} {p.pid}")
        os.unlink(wl)
        r = gh("reparse", "--store", s)
        check(r.returncode == 2 and b"in use by another govharvest process" in r.stderr,
              f"a second writer is refused after writer.lock was deleted: {r.returncode} {r.stderr!r}")
        check(gh("export", "--store", s).returncode == 0, "readers go on beside the writer")
    finally:
        p.kill()
        p.wait()
        srv.close()
    r = gh("reparse", "--store", s)
    check(r.returncode == 0, f"once the writer is gone, the store opens: {r.stderr!r}")


def future_clock(tmp, web):
    """A crawl under a wall clock 400 days ahead (NTP stepped the wrong
    way, a mis-set RTC) stamps its seeds' queued_at, its URL states' and
    its records' fetched_at 400 days on.  Then the daemon, under the right
    clock: a seed queued "in the future" is due now, not in 400 days; a
    page or report fetched "in the future" is fetched again whole and its
    record landed again, so nothing is left dated in the future."""
    shim = os.environ.get("GH_CLOCKSHIFT") or os.path.join(os.path.dirname(GH), "tests",
                                                          "libgh_clockshift.so")
    if not os.path.exists(shim):
        check(False, f"the clock shim is built: {shim}")
        return
    seeds = os.path.join(tmp, "seeds.tsv")
    with open(seeds, "w", encoding="utf-8") as f:
        f.write("http://www.wd.gov.cn/\t532329\t武定县人民政府\n")
    conf = os.path.join(tmp, "govharvest.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write(f"[crawl]\nseeds = {seeds}\nregions = {SRC}/config/regions.tsv\n"
                "user_agent = govharvest-test/1.0 (+http://127.0.0.1/contact)\ndelay = 0.05\n"
                f"connect_to = ::127.0.0.1:{web.port}\n[log]\nlevel = info\n")
    store = os.path.join(tmp, "clock-store")
    ahead = 400 * 86400
    asan = ":".join(o for o in (os.environ.get("ASAN_OPTIONS"), "verify_asan_link_order=0") if o)
    env = dict(os.environ, LD_PRELOAD=shim, GH_TEST_CLOCK_OFFSET=str(ahead), ASAN_OPTIONS=asan)
    r = subprocess.run([GH, "crawl", "--config", conf, "--store", store, "-q"], env=env,
                       capture_output=True, text=True, timeout=180)
    before = records(GH, store)

    def stamps(recs):
        return [calendar.timegm(time.strptime(x["source"]["fetched_at"], "%Y-%m-%dT%H:%M:%SZ"))
                for x in recs if x["source"].get("fetched_at")]
    t0 = time.time()
    check(r.returncode == 0 and before and min(stamps(before)) > t0 + ahead - 86400,
          f"the crawl ran under a clock 400 days ahead: {r.returncode} {stamps(before)[:2]} {r.stderr[-300:]!r}")

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(os.path.join(tmp, "notify.sock"))
    sock.settimeout(1)
    err = open(os.path.join(tmp, "daemon.err"), "w+")
    d = subprocess.Popen([GH, "daemon", "--config", conf, "--store", store], stdout=subprocess.DEVNULL,
                         stderr=err, env=dict(os.environ, NOTIFY_SOCKET=sock.getsockname()))
    statuses, end = [], time.time() + 240
    while time.time() < end and not any(x.startswith("idle") for x in statuses):
        try:
            statuses += [m[7:] for m in sock.recv(4096).decode().splitlines() if m.startswith("STATUS=")]
        except socket.timeout:
            pass
    d.send_signal(signal.SIGTERM)
    d.wait(timeout=60)
    sock.close()
    i = next((k for k, x in enumerate(statuses) if x.startswith("idle")), None)
    idle = statuses[i] if i is not None else ""
    crawled = i is not None and any(x.startswith("crawling") for x in statuses[:i])
    check(crawled and idle and str(time.gmtime(t0 + ahead).tm_year) + "-" not in idle,
          f"the daemon crawls at once, then idles until a date of this clock: {statuses[:3]} ... {idle!r}")
    err.seek(0)
    log = err.read()
    check("in the future (a clock that ran ahead?)" in log,
          f"the future times are logged: {log[-600:]!r}")
    after = records(GH, store)
    now = time.time()
    check(len(after) == len(before) and stamps(after) and max(stamps(after)) < now + 300,
          f"no record is left fetched in the future: {len(before)} -> {len(after)}, "
          f"{[x['source'].get('fetched_at') for x in after]}")
    r = subprocess.run([GH, "stats", "--urls", "--store", store], capture_output=True, text=True, timeout=60)
    future = [u["url"] for u in map(json.loads, r.stdout.splitlines())
              if u.get("fetched_at")
              and calendar.timegm(time.strptime(u["fetched_at"], "%Y-%m-%dT%H:%M:%SZ")) > now + 300]
    check(r.returncode == 0 and not future, f"no URL state is left fetched in the future: {future[:5]}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        good = migration(tmp)
        half_migrated(tmp)
        backup(tmp, good)
        exports(tmp, good)
        export_targets(tmp, good)
        read_only(tmp, good)
        lockless_reader(tmp, good)
        lock(tmp, good)
        damage(tmp, good)
    with_web(future_clock)
    finish("integrity")


if __name__ == "__main__":
    main()

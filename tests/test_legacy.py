#!/usr/bin/env python3
"""Legacy Office files read through LibreOffice (extract/convert.c).

    test_legacy.py GOVHARVEST

Reports of the layout generator saved by LibreOffice as Word 97-2003
(.doc), RTF and Excel 97-2003 (.xls), and two as Word binary under a
Kingsoft .wps name (what WPS Writer saves by default):
  - `parse` reads each to its whole record, every cell (source.format ole
    or rtf, sniffed from the bytes, not a file name);
  - under MemoryDenyWriteExecute as newer systemd applies it (the kernel's
    PR_SET_MDWE, inherited by the worker and soffice), a .doc still reads
    every cell: LibreOffice's UNO bridge falls back from W+X memory to a
    double mapping (docs/security.md);
  - a conversion over its caps fails that one document with the reason and
    leaves nothing behind: a CPU/time budget of 1 s ([limits]
    extract_cpu_seconds), an address space of 150 MiB (extract_memory);
  - a damaged RTF is extract_failed with LibreOffice's failure, not a crash;
  - a crawl of a portal serving them (tests/web/legacy_web.py: a .doc
    behind a download script, an .rtf, an .xls, a .wps as
    application/kswps, another behind a download script as
    application/vnd.ms-works) lands all five in the store, and they are
    exported; hostile files served beside them end with their cap's or
    LibreOffice's reason while the crawl goes on: a zip bomb named .doc
    (too_large, the XML cap), an OLE2 file declaring absurd sizes
    (extract_failed), a PNG claiming 60000 x 60000 pixels behind a
    download script (too_large, the pixel cap).
Needs soffice (scripts/install-deps); without it the test is skipped.
Takes ~25 s here (each conversion starts LibreOffice once, ~1.3 s)."""
import csv
import ctypes
import glob
import io
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

GH = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "layouts"))
sys.path.insert(0, os.path.join(HERE, "web"))
sys.path.insert(0, HERE)
import genlayouts  # noqa: E402
from harness import SRC, check, crawl_legacy_web, finish  # noqa: E402
from test_layouts import compare  # noqa: E402

REPORTS = [("doc", "寻乌县财政局"), ("rtf", "寻乌县澄江镇人民政府"), ("xls", "寻乌县水利局"),
           ("wps", "寻乌县南桥镇人民政府"), ("works", "寻乌县项山乡人民政府")]
# Saved as Word 97-2003, served under a .wps name.
WORD = ("doc", "wps", "works")


def make(tmp):
    """doc.bin, rtf.bin, xls.bin and their expected records."""
    want, srcs = {}, {"doc": [], "rtf": [], "xls": []}
    for i, (fmt, agency) in enumerate(REPORTS):
        rng = random.Random(31 + i)
        rec = genlayouts.random_record(rng, "2021")
        rec["agency"], rec["year"] = agency, 2023
        o = {"title": "one", "period": True}
        blocks = genlayouts.document(rec, o, rng)
        if fmt == "xls":
            data, ext = genlayouts.render_html(blocks, {}), "html"
        else:
            data, ext = genlayouts.render_docx(blocks, o, rng), "docx"
        src = os.path.join(tmp, "src", f"{fmt}.{ext}")
        os.makedirs(os.path.dirname(src), exist_ok=True)
        with open(src, "wb") as f:
            f.write(data)
        srcs["doc" if fmt in WORD else fmt].append(src)
        want[fmt] = genlayouts.expected(rec, "doc" if fmt in WORD else fmt, None)
    out = os.path.join(tmp, "files")
    genlayouts.to_pdf(srcs["doc"], out, "doc:MS Word 97")
    genlayouts.to_pdf(srcs["rtf"], out, "rtf")
    genlayouts.to_pdf(srcs["xls"], out, "xls:MS Excel 97", "HTML (StarCalc)")
    for fmt, _ in REPORTS:
        ext = "doc" if fmt in WORD else fmt
        os.rename(os.path.join(out, f"{fmt}.{ext}"), os.path.join(out, f"{fmt}.bin"))
    hostile(out)
    return out, want


def hostile(out):
    """bomb.bin, olelie.bin, huge.bin: served by the fixture web as reports."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        # 200 MiB of one byte: ~200 KB compressed, over the 64 MiB XML cap.
        z.writestr("word/document.xml", b"<" + b"w" * (200 << 20))
    with open(os.path.join(out, "bomb.bin"), "wb") as f:
        f.write(buf.getvalue())
    # An OLE2 header whose FAT claims 2^32-1 sectors of 2^30 bytes, with a
    # Word stream's name after it so the sniffer sends it to LibreOffice.
    head = bytearray(512)
    head[0:8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
    struct.pack_into("<HHHH", head, 24, 0x3E, 3, 0xFFFE, 30)
    struct.pack_into("<IIIIIII", head, 44, 0xFFFFFFFF, 0x7FFFFFFF, 0, 0x1000, 0x7FFFFFF0, 0xFFFFFFFF, 0)
    head[76:512] = b"\xff" * 436
    with open(os.path.join(out, "olelie.bin"), "wb") as f:
        f.write(bytes(head) + "WordDocument".encode("utf-16-le") + b"\0" * 4000)

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    with open(os.path.join(out, "huge.bin"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 60000, 60000, 8, 0, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


def parse(conf, *paths, preexec=None):
    r = subprocess.run([GH, "parse", "--config", conf, *paths], capture_output=True, text=True,
                       timeout=600, preexec_fn=preexec)
    return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def leftovers():
    """Conversion directories and soffice processes left behind (the helper
    makes /tmp/gh-convert-* and names itself gh-convert).  Other builds on
    this machine convert too: a soffice under a live helper, and a
    directory such a soffice works in, are a conversion in flight; a
    soffice whose helper is gone, or a directory no process uses, leaked."""
    ps = subprocess.run(["ps", "-eo", "pid=,ppid=,comm=,args="], capture_output=True,
                        text=True).stdout
    table = {}
    for l in ps.splitlines():
        f = l.split(None, 3)
        if len(f) >= 3:
            table[f[0]] = (f[1], f[2], f[3] if len(f) > 3 else "")

    def under_helper(pid):
        for _ in range(64):
            if pid not in table:
                return False
            pid, comm, _ = table[pid]
            if table.get(pid, ("", "", ""))[1] == "gh-convert":
                return True
        return False
    ours = {pid: a for pid, (_, _, a) in table.items() if "gh-convert-" in a and "soffice" in a}
    procs = {a for pid, a in ours.items() if not under_helper(pid)}
    busy = " ".join(a for _, _, a in table.values() if "gh-convert-" in a)
    dirs = {d for d in glob.glob("/tmp/gh-convert-*") if os.path.basename(d) not in busy}
    return dirs, procs


def test_parse(tmp, files, want):
    conf = os.path.join(tmp, "empty.conf")
    open(conf, "w").close()
    got = parse(conf, *(os.path.join(files, f"{fmt}.bin") for fmt, _ in REPORTS))
    check(len(got) == len(REPORTS), f"{len(REPORTS)} records: {len(got)}")
    for (fmt, agency), rec in zip(REPORTS, got):
        right, total, diffs = compare(want[fmt], rec)
        check(rec["status"] == "parsed" and not diffs,
              f"{fmt}: every cell, agency and year read ({rec['status']}, {rec.get('reason')}, "
              f"{right}/{total}: {diffs[:4]})")
        check(rec["source"]["format"] == ("rtf" if fmt == "rtf" else "ole"),
              f"{fmt}: sniffed from the bytes: {rec['source']['format']}")


def no_write_execute():
    """In the child: PR_SET_MDWE with PR_MDWE_REFUSE_EXEC_GAIN, what
    systemd's MemoryDenyWriteExecute= sets where the kernel has it."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(65, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "PR_SET_MDWE")


def test_mdwe(tmp, files, want):
    try:
        subprocess.run(["true"], preexec_fn=no_write_execute, check=True)
    except (OSError, subprocess.SubprocessError) as e:
        print(f"legacy: this kernel has no PR_SET_MDWE ({e}); the MDWE case skipped")
        return
    got = parse(os.path.join(tmp, "empty.conf"), os.path.join(files, "doc.bin"),
                preexec=no_write_execute)
    right, total, diffs = compare(want["doc"], got[0]) if got else (0, 0, ["no record"])
    check(len(got) == 1 and got[0]["status"] == "parsed" and not diffs,
          f"under MemoryDenyWriteExecute (PR_SET_MDWE) a .doc reads every cell: "
          f"{got[:1] and (got[0]['status'], got[0].get('reason'))} {diffs[:4]}")


def test_caps(tmp, files):
    before = leftovers()
    doc = os.path.join(files, "doc.bin")
    for name, text, why in (("cpu", "extract_cpu_seconds = 1", "did not finish converting it within 1 s"),
                            ("mem", "extract_memory = 150M", "LibreOffice")):
        conf = os.path.join(tmp, name + ".conf")
        with open(conf, "w") as f:
            f.write(f"[limits]\n{text}\n")
        rec = parse(conf, doc)
        check(len(rec) == 1 and rec[0]["status"] == "extract_failed" and why in (rec[0]["reason"] or ""),
              f"{name} cap: the conversion fails with its reason: {rec[:1] and (rec[0]['status'], rec[0]['reason'])}")
    bad = os.path.join(tmp, "damaged.rtf")
    with open(bad, "wb") as f:
        f.write(b"{\\rtf1\\ansi{\\fonttbl{\\f0 \\'cb\\'ce\\'cc\\'e5;}}{\\b ")
    rec = parse(os.path.join(tmp, "empty.conf"), bad)
    check(len(rec) == 1 and rec[0]["status"] == "extract_failed" and "LibreOffice" in rec[0]["reason"],
          f"a damaged RTF is extract_failed by LibreOffice: {rec[:1] and rec[0]['reason']}")
    dirs, procs = leftovers()
    check(dirs <= before[0], f"no conversion directory left behind: {sorted(dirs - before[0])}")
    check(procs <= before[1], f"no soffice left running: {sorted(procs - before[1])}")


def test_crawl(tmp, files, want):
    store = crawl_legacy_web(GH, tmp, files, 300)
    out = subprocess.run([GH, "export", "--store", store], capture_output=True, text=True,
                         timeout=60).stdout
    recs = {(x["agency"], x["year"]): x for x in map(json.loads, out.splitlines())}
    for fmt, agency in REPORTS:
        x = recs.get((agency, 2023))
        right, total, diffs = compare(want[fmt], x) if x else (0, 0, ["no record"])
        check(x is not None and x["status"] == "parsed" and x["region_code"] == "360734"
              and x["source"]["format"] == ("rtf" if fmt == "rtf" else "ole") and not diffs,
              f"crawl: the {fmt} report lands parsed, every cell: "
              f"{x and (x['status'], x.get('reason'))} {diffs[:4]}")
    for agency, status, why in (("寻乌县文峰乡人民政府", "too_large", "expands past"),
                                ("寻乌县三标乡人民政府", "extract_failed", "LibreOffice"),
                                ("寻乌县菖蒲乡人民政府", "too_large", "pixel cap")):
        x = recs.get((agency, 2023))
        check(x is not None and x["status"] == status and why in (x.get("reason") or ""),
              f"crawl: a hostile file of {agency} ends {status} ({why}): "
              f"{x and (x['status'], x.get('reason'))}")
    c = subprocess.run([GH, "export", "--store", store, "--format", "csv"], capture_output=True,
                       text=True, timeout=60).stdout
    rows = list(csv.DictReader(io.StringIO(c)))
    check({r.get("agency") for r in rows} >= {a for _, a in REPORTS},
          f"crawl: all {len(REPORTS)} in the CSV export: {[r.get('agency') for r in rows]}")


def main():
    if not shutil.which("soffice"):
        print("legacy: soffice not found; skipped (scripts/install-deps installs LibreOffice)")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        files, want = make(tmp)
        test_parse(tmp, files, want)
        test_mdwe(tmp, files, want)
        test_caps(tmp, files)
        test_crawl(tmp, files, want)
    finish("legacy")


if __name__ == "__main__":
    sys.exit(main())

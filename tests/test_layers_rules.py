#!/usr/bin/env python3
"""scripts/check-layers' LMDB rule, on small trees made here: a public
store header that names anything of LMDB's (an MDB_ type, code or
constant) fails with its file and line, as does <lmdb.h> included outside
store/'s private headers; store_int.h may do both.  Without this, the rule
could stop firing and the `layers` test would stay green over a store.h
that leaks LMDB again.  Run by ctest as `layers_rules`."""
import os
import subprocess
import sys
import tempfile

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
script = os.path.join(src, "scripts", "check-layers")
LAYERS = ["record", "extract", "store", "config", "crawler", "cli"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what, file=sys.stderr)


def run(files):
    """check-layers over a tree of the six layers holding `files`."""
    with tempfile.TemporaryDirectory() as root:
        for layer in LAYERS:
            os.mkdir(os.path.join(root, layer))
        for rel, text in files.items():
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        r = subprocess.run([sys.executable, script, root], capture_output=True, text=True)
        return r.returncode, r.stdout


INT_H = ("/* private */\n#ifndef S_INT_H\n#define S_INT_H\n#include <lmdb.h>\n"
         "/* a transaction */\nint s_put(MDB_txn *txn);\n#endif\n")
PUBLIC_H = "/* public */\n#ifndef S_H\n#define S_H\n/* opens */\nint s_open(void);\n#endif\n"

rc, out = run({"store/store_int.h": INT_H, "store/store.h": PUBLIC_H,
               "store/store.c": '#include "store_int.h"\nint s_open(void) { return 0; }\n'})
check(rc == 0 and "0 problems" in out, f"a tree with LMDB only in store_int.h passes: {rc} {out!r}")

leak = PUBLIC_H.replace("int s_open(void);", "int s_open(void);\n/* read */\nint s_get(const MDB_val *k);")
rc, out = run({"store/store_int.h": INT_H, "store/store.h": leak})
check(rc == 1 and "store/store.h:7: MDB_val in a public store header" in out,
      f"an MDB_ type in store.h fails, naming file and line: {rc} {out!r}")

code = PUBLIC_H.replace("int s_open(void);", "#define S_DAMAGED MDB_CORRUPTED\nint s_open(void);")
rc, out = run({"store/frontier.h": code})
check(rc == 1 and "store/frontier.h:5: MDB_CORRUPTED in a public store header" in out,
      f"an LMDB code in any public store header fails: {rc} {out!r}")

rc, out = run({"store/walk.c": "#include <lmdb.h>\nint w;\n"})
check(rc == 1 and "store/walk.c:1: includes <lmdb.h> directly" in out,
      f"<lmdb.h> in a store .c, not through store_int.h, fails: {rc} {out!r}")

rc, out = run({"cli/main.c": "#include <lmdb.h>\nint m;\n"})
check(rc == 1 and "cli/main.c:1: includes <lmdb.h> outside store/" in out,
      f"<lmdb.h> outside store/ fails: {rc} {out!r}")

print(f"layers_rules: {len(failures)} failures")
sys.exit(1 if failures else 0)

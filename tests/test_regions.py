#!/usr/bin/env python3
"""config/regions.tsv joins cleanly: one row per code (东莞, 中山 and 儋州
were listed twice, as a city and as a county of themselves, so a join on
the code counted them twice), every parent is a row of the table, levels
are province, city or county.  Run by ctest as `regions`."""
import collections
import csv
import os
import sys

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
with open(os.path.join(src, "config", "regions.tsv"), encoding="utf-8") as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
problems = []
dups = [c for c, n in collections.Counter(r["code"] for r in rows).items() if n > 1]
if dups:
    problems.append(f"codes listed more than once: {dups}")
codes = {r["code"] for r in rows}
problems += [f"{r['code']} {r['name']}: parent {r['parent']} is not in the table"
             for r in rows if r["parent"] and r["parent"] not in codes]
problems += [f"{r['code']}: level {r['level']!r}" for r in rows
             if r["level"] not in ("province", "city", "county")]
for p in problems:
    print("FAIL:", p, file=sys.stderr)
print(f"regions: {len(rows)} rows, {len(problems)} problems")
sys.exit(1 if problems else 0)

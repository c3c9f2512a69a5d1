#!/usr/bin/env bash
# Command-line behaviour of `govharvest parse`: exit codes, one-line errors,
# bounded reads, the JSON-lines contract.  Usage: cli_parse.sh GOVHARVEST DATA
set -u
gh=$1
data=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }

# expect CODE DESCRIPTION -- command...  (stdout -> $tmp/out, stderr -> $tmp/err)
expect() {
  local want=$1 what=$2
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, want $want; stderr: $(head -c 300 "$tmp/err")"; fi
}
has() { if grep -q -- "$2" "$tmp/$1"; then ok; else bad "$1 lacks '$2': $(head -c 300 "$tmp/$1")"; fi; }
lines() { local n; n=$(wc -l <"$tmp/$1"); if [ "$n" -eq "$2" ]; then ok; else bad "$1 has $n lines, want $2"; fi; }

expect 0 "version" -- "$gh" --version
has out "^govharvest [0-9]"
expect 0 "help" -- "$gh" --help
has out "parse"
expect 0 "parse --help" -- "$gh" parse --help
has out "pretty"
expect 2 "no command" -- "$gh"
expect 2 "unknown command" -- "$gh" frobnicate
lines err 1
has err "unknown command 'frobnicate'"
expect 2 "unknown option" -- "$gh" parse --frobnicate x
lines err 1
expect 2 "no files" -- "$gh" parse
# Commands without operands refuse one, before touching any store.
for cmd in crawl daemon export stats reparse; do
  expect 2 "$cmd with an operand" -- "$gh" "$cmd" --store "$tmp/none" stray
  lines err 1
  has err "govharvest $cmd: unexpected argument 'stray'"
done

# All five seeds at once: one JSON line each, exit 0.
expect 0 "seeds" -- "$gh" parse "$data"/seeds/*.txt
lines out 5
has out '"agency":"乌苏市商务和工业信息化局"'
# Format comes from the bytes: the same report under a misleading name.
cp "$data"/seeds/002_*.txt "$tmp/report.pdf"
expect 0 "misnamed text" -- "$gh" parse "$tmp/report.pdf"
has out '"format":"text"'
# stdin
expect 0 "stdin" -- bash -c "\"$gh\" parse - < \"$(ls "$data"/seeds/001_*.txt)\""
has out '"agency":"方正县工业信息科技局"'

# Failures: a clear status per file on stderr, exit 1, and the file's record
# on stdout all the same, its status saying what happened (nothing is
# thrown away: a partly readable report keeps what was read).
: >"$tmp/empty.txt"
expect 1 "empty" -- "$gh" parse "$tmp/empty.txt"
has err "empty.txt: empty:"
lines out 1
has out '"status":"empty"'
printf '乐平市统计局2023年政府信息公开工作年度报告\n一、总体情况\n本年度无。\n二、主动公开政府信息情况\n三、收到和处理政府信息公开申请情况\n（表格为图片）\n' >"$tmp/notables.txt"
expect 1 "tables not found" -- "$gh" parse "$tmp/notables.txt"
has err "notables.txt: tables_not_found:"
has out '"status":"tables_not_found"'
has out '"agency":"乐平市统计局"'
has out '"year":2023'
has out '"reason":"found the report'
head -c 4096 /dev/urandom >"$tmp/noise.bin"
printf '\0' >>"$tmp/noise.bin"
expect 1 "binary" -- "$gh" parse "$tmp/noise.bin"
has err "noise.bin: unsupported_format:"
printf '\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1legacy word file' >"$tmp/old.doc"
expect 1 "legacy doc" -- "$gh" parse "$tmp/old.doc"
has err "old.doc: unsupported_format: legacy Office"
expect 1 "missing file" -- "$gh" parse "$tmp/nope.txt"
has err "nope.txt: read_failed:"
# A mix: good files still print, the exit code says something failed.
expect 1 "mixed" -- "$gh" parse "$data"/seeds/000_*.txt "$tmp/empty.txt"
lines out 2
lines err 1

# Damaged and hostile documents: each an exact status and reason, one line.
python3 "$data/../fixtures/make_broken.py" "$tmp" "$data/reports/real_hzq2024_working.pdf"
expect 1 "truncated pdf" -- "$gh" parse "$tmp/truncated.pdf"
has err "truncated.pdf: extract_failed: pdf: poppler cannot open the PDF: PDF document is damaged"
expect 1 "bad xref" -- "$gh" parse "$tmp/bad-xref.pdf"
has err "bad-xref.pdf: extract_failed: pdf: poppler cannot open the PDF"
expect 1 "scan" -- "$gh" parse "$tmp/scan.pdf"
has err "scan.pdf: needs_ocr: pdf: the PDF has no text layer (1 page(s)"
# The link title a crawl would have: agency and year for the scan's record.
expect 1 "scan with its link title" -- "$gh" parse --title "崇义县统计局2023年政府信息公开工作年度报告（图片版）" "$tmp/scan.pdf"
has out '"status":"needs_ocr"'
has out '"agency":"崇义县统计局"'
has out '"year":2023'
expect 1 "file title" -- "$gh" parse --file-title "崇义县统计局2022年政府信息公开工作年度报告.pdf" "$tmp/scan.pdf"
has out '"agency":"崇义县统计局"'
has out '"year":2022'
expect 1 "zip bomb" -- "$gh" parse "$tmp/bomb.docx"
has err "bomb.docx: too_large: docx: word/document.xml expands past 67108864 bytes"
expect 1 "bad xml" -- "$gh" parse "$tmp/bad-xml.docx"
has err "bad-xml.docx: extract_failed: docx: word/document.xml is not well-formed: Premature end"
lines err 1
expect 1 "truncated docx" -- "$gh" parse "$tmp/truncated.docx"
has err "truncated.docx: extract_failed: docx: word/document.xml is damaged"
# All of them in one run beside a good report: the good one still lands.
expect 1 "broken beside good" -- "$gh" parse "$tmp/truncated.pdf" "$tmp/bomb.docx" "$data/reports/real_hzq2024_working.pdf" "$tmp/scan.pdf"
lines out 4
lines err 3
has out '"template":"2021"'
has out '"status":"needs_ocr"'

# 50 MB: refused at the size cap without reading it whole.
head -c 52428800 /dev/zero | tr '\0' 'x' >"$tmp/huge.txt"
expect 1 "50 MB file" -- "$gh" parse "$tmp/huge.txt"
has err "huge.txt: too_large:"
# ... and through a pipe, where the size is not known in advance.
expect 1 "50 MB on stdin" -- bash -c "head -c 52428800 /dev/zero | \"$gh\" parse -"
has err "too_large"
# With the cap raised, a 40 MB non-report is read and rejected for what it is.
printf '[limits]\nmax_document_bytes = 64M\n' >"$tmp/big.conf"
yes '本局今年继续推进各项工作，取得了较好成效。' | head -c 41943040 >"$tmp/prose.txt"
expect 1 "40 MB prose" -- "$gh" parse --config "$tmp/big.conf" "$tmp/prose.txt"
has err "prose.txt: not_a_report:"

# Hostile tables cost bounded work: a flattened page whose runs of digits
# could be cut astronomically many ways, and a section 三 whose values are
# scattered among hundreds of label lines (each would take minutes and
# gigabytes of comparisons unbounded).
python3 - "$tmp" <<'PY'
import random, sys
d = sys.argv[1]
with open(d + "/digits.txt", "w") as f:
    f.write("某局2023年政府信息公开工作年度报告\n一、总体情况无。二、主动公开政府信息情况规章000"
            "三、收到和处理政府信息公开申请情况一、本年新收政府信息公开申请数量" + "1" * 60 +
            "四、政府信息公开行政复议、行政诉讼情况" + "1" * 90 + "五、存在的主要问题及改进情况无\n")
with open(d + "/scattered.txt", "w") as f:
    f.write("某局2023年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n")
    for i in range(300):
        f.write("".join("标签%d文字\n" % j for j in range(30)))
        f.write(" ".join(str(random.randrange(9)) for _ in range(7)) + "\n")
    f.write("四、政府信息公开行政复议、行政诉讼情况\n")
PY
expect 1 "run of digits" -- timeout 60 "$gh" parse "$tmp/digits.txt"
has out "does not read one way; left blank"
expect 1 "scattered table" -- timeout 60 "$gh" parse "$tmp/scattered.txt"
has out '"status":"tables_not_found"'

# 200,000 nested <div>s around a report (quadratic in gumbo: the whole CPU
# budget) are flattened before parsing: the report still reads, with a
# warning (were it not, the worker's CPU cap would fail it: no status
# "parsed"); the 120 s timeout only ends a hang, even under ASan on a
# loaded machine.
python3 - "$tmp" "$data" <<'PY'
import sys, glob
d, data = sys.argv[1], sys.argv[2]
body = open(glob.glob(data + "/seeds/000_*.txt")[0], encoding="utf-8").read()
with open(d + "/deep.html", "w", encoding="utf-8") as f:
    f.write("<html><head><title>武定县工业信息化商务科学技术局2020年政府信息公开工作年度报告</title></head><body>")
    f.write("<div>" * 200000 + "<pre>" + body + "</pre>" + "</div>" * 200000 + "</body></html>")
PY
expect 0 "200,000 nested elements" -- timeout 120 "$gh" parse "$tmp/deep.html"
has out '"status":"parsed"'
has out 'tags flattened before parsing'
# A DOCX of a few hundred KB holding a 1000 x 1000 table (737 MB of libxml2
# tree): refused as too_large before any tree is built.
python3 - "$tmp" <<'PY'
import sys, zipfile
row = "<w:tr>" + "<w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>" * 1000 + "</w:tr>"
xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document '
       'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:tbl>'
       + row * 1000 + "</w:tbl></w:body></w:document>")
with zipfile.ZipFile(sys.argv[1] + "/table.docx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr("word/document.xml", xml)
PY
python3 -c "open('$tmp/cells.html','w').write('<table>'+('<tr>'+'<td>1'*1000)*1000+'</table>')"
expect 1 "a million-cell HTML table" -- timeout 120 "$gh" parse "$tmp/cells.html"
has err "cells.html: too_large: html: the page has over 100000 table cells"
expect 1 "a million-cell DOCX table" -- timeout 120 "$gh" parse "$tmp/table.docx"
has err "table.docx: too_large: docx: word/document.xml has over 50000 table cells"
printf '[limits]\nextract_workers = 100000\n' >"$tmp/workers.conf"
expect 2 "extract_workers capped" -- "$gh" parse --config "$tmp/workers.conf" "$data"/seeds/000_*.txt
has err "more than 256"
printf '[crawl]\nresolve = www.x.gov.cn:99999:127.0.0.1\n' >"$tmp/port.conf"
expect 2 "resolve port checked" -- "$gh" parse --config "$tmp/port.conf" "$data"/seeds/000_*.txt
has err "port.conf:2: \[crawl\] resolve"

expect 2 "bad --log-level" -- "$gh" parse --log-level loud "$data"/seeds/000_*.txt
has err "\-\-log-level 'loud' is not one of error, warning, info, debug"
expect 0 "-v accepted" -- "$gh" parse -v "$data"/seeds/000_*.txt
# Drop-ins: conf.d/*.conf over the main file, in name order; an error in
# one names that file and line.
mkdir -p "$tmp/etc/conf.d"
printf '[limits]\nmax_document_bytes = 32M\n' >"$tmp/etc/govharvest.conf"
printf '[limits]\nmax_document_bytes = 100\n' >"$tmp/etc/conf.d/10-small.conf"
expect 1 "a conf.d drop-in applies" -- "$gh" parse --config "$tmp/etc/govharvest.conf" "$data"/seeds/000_*.txt
has err "too_large"
printf '[limits]\nmax_document_bytes = 32M\n' >"$tmp/etc/conf.d/20-back.conf"
expect 0 "later drop-ins override earlier ones" -- "$gh" parse --config "$tmp/etc/govharvest.conf" "$data"/seeds/000_*.txt
printf '\n[crawl]\nfrobnicate = 1\n' >"$tmp/etc/conf.d/30-bad.conf"
expect 2 "a bad drop-in" -- "$gh" parse --config "$tmp/etc/govharvest.conf" "$data"/seeds/000_*.txt
has err "30-bad.conf:3: \[crawl\] frobnicate: unknown key"
rm "$tmp/etc/conf.d/30-bad.conf"
# seeds.d/*.tsv are appended; a seed listed twice is kept once, with a warning.
mkdir -p "$tmp/etc/seeds.d"
printf 'url\tregion_code\tname\nhttp://www.x.gov.cn/\t\tx\n' >"$tmp/etc/seeds.tsv"
printf 'http://www.y.gov.cn/\t\ty\nhttp://WWW.X.GOV.CN/\t\tx again\n' >"$tmp/etc/seeds.d/local.tsv"
printf '[crawl]\nretries = 0\nuser_agent = t/1 (+http://127.0.0.1/)\n' >"$tmp/etc/conf.d/40-crawl.conf"
expect 1 "crawl with seeds.d" -- "$gh" crawl --config "$tmp/etc/govharvest.conf" --seeds "$tmp/etc/seeds.tsv" \
  --store "$tmp/dropin-store" --connect-to ::127.0.0.1:1 --delay 0.01 -q
has err "local.tsv:2: http://www.x.gov.cn/ is already listed at .*seeds.tsv:2; kept once"
has err "from all 2 hosts"
# Reinstalling keeps an edited configuration (the new reference copy goes
# to the data directory as .example).
build=$(dirname "$gh")
if [ -f "$build/cmake_install.cmake" ]; then
  cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
  echo "# a local edit" >>"$tmp/prefix/etc/govharvest/govharvest.conf"
  expect 0 "reinstall" -- cmake --install "$build" --prefix "$tmp/prefix"
  has out "Kept: .*/etc/govharvest/govharvest.conf"
  if tail -1 "$tmp/prefix/etc/govharvest/govharvest.conf" | grep -q "a local edit"; then ok; else bad "reinstall overwrote the edited config"; fi
  if [ -f "$tmp/prefix/share/govharvest/govharvest.conf.example" ]; then ok; else bad "no .example reference copy"; fi
  # The data dictionary and the region table beside the program, the docs
  # in the doc directory.
  for f in share/govharvest/columns.csv share/govharvest/regions.tsv share/doc/govharvest/record-schema.md \
           share/doc/govharvest/store.md share/doc/govharvest/columns.csv share/doc/govharvest/README.md \
           lib/sysusers.d/govharvest.conf lib/systemd/system/govharvest.service; do
    if [ -s "$tmp/prefix/$f" ]; then ok; else bad "not installed: $f"; fi
  done
fi

# The quick start's demo crawl (with this build): the store stays, the
# headline columns and the next commands are printed.
src_dir=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$build/cmake_install.cmake" ]; then
  expect 0 "quickstart" -- env GH_BUILD_DIR="$(cd "$build" && pwd)" GH_DEMO_STORE="$tmp/demo-store" \
    bash "$src_dir/scripts/quickstart"
  has out "^agency .*region_code .*year .*status .*applications.new_received.total .*applications.granted.total .*appeals.total .*agency_key"
  has out "^淮安市洪泽区人民政府 .*320813 .*2024 .*parsed .*95 .*50 .*6 .*320813|人民政府"
  has out "Next, try:"
  has out "stats --store $tmp/demo-store --html"
  expect 0 "the demo store stays" -- "$gh" export --store "$tmp/demo-store"
  lines out 8
fi

# A crawl of an empty seed list is a mistake, not a complete crawl.
printf 'url\tregion_code\tname\n# nothing yet\n' >"$tmp/empty-seeds.tsv"
expect 2 "empty seed list" -- "$gh" crawl --store "$tmp/empty-store" --seeds "$tmp/empty-seeds.tsv"
has err "has no seeds"

# Configuration errors name file, line and key, before any work.
printf '[limits]\nmax_document_bytes = huge\n' >"$tmp/bad.conf"
expect 2 "bad config" -- "$gh" parse --config "$tmp/bad.conf" "$data"/seeds/000_*.txt
has err "bad.conf:2: \[limits\] max_document_bytes"
# A CR LF escape in user_agent would inject a request header.
printf '[crawl]\nuser_agent = t/1 (+http://127.0.0.1/)\\r\\nX-Injected: yes\n' >"$tmp/crlf.conf"
expect 2 "control characters in a config string" -- "$gh" parse --config "$tmp/crlf.conf" "$data"/seeds/000_*.txt
has err "crlf.conf:2: \[crawl\] user_agent: holds a control character"
lines out 0
expect 2 "missing config" -- "$gh" parse --config "$tmp/none.conf" "$data"/seeds/000_*.txt
has err "none.conf"
expect 0 "--store accepted" -- "$gh" parse --store "$tmp/store" "$data"/seeds/000_*.txt

# --pretty is still one valid JSON document per file.
expect 0 "pretty" -- "$gh" parse --pretty "$data"/seeds/003_*.txt
if python3 -c 'import json,sys; r = json.load(open(sys.argv[1])); sys.exit(r["agency"] != "大姚县工业信息化商务科学技术局")' "$tmp/out"; then ok; else bad "pretty output is not the record as one JSON document"; fi
if [ "$(wc -l <"$tmp/out")" -gt 10 ]; then ok; else bad "pretty output is not indented"; fi

# A GBK text file: the same record as its UTF-8 original, and --cells shows
# the same converted text the parser saw.
iconv -f UTF-8 -t GB18030 "$(ls "$data"/seeds/002_*.txt)" >"$tmp/gbk.txt"
expect 0 "gbk text" -- "$gh" parse "$tmp/gbk.txt"
has out '"agency":"吴忠市工业和信息化局"'
has out '"new_received":\[1,0,0,0,0,0,1\]'
expect 0 "gbk cells" -- "$gh" parse --cells "$tmp/gbk.txt"
has out "三、收到和处理政府信息公开申请情况"
expect 1 "cells of a scan" -- "$gh" parse --cells "$tmp/scan.pdf"
has err "scan.pdf: needs_ocr: pdf: the PDF has no text layer"

# Many files at once: the workers finish them out of order, the output is
# in argument order all the same, identical for 1 and 3 workers, and every
# line is what parsing that file alone prints.  Failing files (a directory,
# a missing file, an error page) keep their place: an error record on stdout
# and a line on stderr.
set -- "$data"/reports/* "$data"/seeds/*.txt "$tmp" "$tmp/missing" "$data"/reports/*.pdf "$data"/reports/*.docx
nfiles=$#
expect 1 "parse many files, 1 worker" -- "$gh" parse --workers 1 "$@"
cp "$tmp/out" "$tmp/one.out"; cp "$tmp/err" "$tmp/one.err"
expect 1 "parse many files, 3 workers" -- "$gh" parse -j 3 "$@"
if cmp -s "$tmp/out" "$tmp/one.out" && cmp -s "$tmp/err" "$tmp/one.err"; then ok; else bad "parse output depends on the number of workers"; fi
if [ "$(wc -l <"$tmp/out")" -eq "$nfiles" ]; then ok; else bad "parse of $nfiles files printed $(wc -l <"$tmp/out") records, want $nfiles"; fi
# Line N is argument N, named by source.path; a directory and a missing
# file are error records; every record has its identity and quality.
if python3 - "$tmp/out" "$@" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
paths = sys.argv[2:]
assert [r["source"]["path"] for r in recs] == paths, "source.path in argument order"
for r, p in zip(recs, paths):
    assert "region_code" in r and r["quality"] in ("ok", "warning", "error"), p
    assert ("agency_key" in r) == bool(r.get("agency")), p
    if p.endswith("missing") or not p.count("."):
        assert r["status"] == "read_failed" and r["quality"] == "error" and r["reason"], r
    if r["status"] == "parsed":
        assert r["agency_key"].endswith("|" + r["agency_key"].split("|", 1)[1]) and r["agency"], r
PY
then ok; else bad "parse records are not one per argument with source.path and identity"; fi
: >"$tmp/serial.out"
for f in "$@"; do "$gh" parse --workers 1 "$f" >>"$tmp/serial.out" 2>/dev/null; done
if cmp -s "$tmp/out" "$tmp/serial.out"; then ok; else bad "parse of many files differs from parsing them one by one"; fi
has err "^govharvest: $tmp: read_failed: is a directory"
expect 2 "--workers 0" -- "$gh" parse --workers 0 "$data/reports/own_2021_broken.txt"
has err "workers must be 1 to 256"

# --region gives the place a report that names none would take from its
# seed in a crawl, by code or by name; an unknown one is a usage error.
sed '1s/.*/县卫生健康局/' "$data"/seeds/000_*.txt >"$tmp/bare.txt"
expect 0 "no --region" -- "$gh" parse "$tmp/bare.txt"
has out '"agency_key":"|卫生健康局"'
has out '"region_code":null'
expect 0 "--region by code" -- "$gh" parse --region 230124 "$tmp/bare.txt"
has out '"agency_key":"230124|卫生健康局"'
has out '"county":"方正县"'
expect 0 "--region by name" -- "$gh" parse --region 黑龙江省哈尔滨市方正县 "$tmp/bare.txt"
has out '"agency_key":"230124|卫生健康局"'
expect 2 "--region unknown" -- "$gh" parse --region 火星 "$tmp/bare.txt"
has err "no such region code or name"

# Every long option a command's --help lists is documented in the man page
# and in the user's guide (docs/usage.md, with the export guide
# docs/exports.md).
src=$(cd "$(dirname "$0")/.." && pwd)
for c in parse probe crawl export daemon stats reparse check backup queue import "seeds coverage" "seeds discover"; do
  # shellcheck disable=SC2086 # "seeds coverage" is a command and its subcommand
  for o in $("$gh" $c --help-all 2>/dev/null | grep -oE -- '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' |
              grep -oE -- '--[a-z][a-z-]*' | grep -v -- '^--help'); do
    if grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$src/docs/govharvest.1"; then ok; else bad "man page lacks $c $o"; fi
    if cat "$src/docs/usage.md" "$src/docs/exports.md" | grep -qF -- "$o"; then ok; else bad "docs/usage.md lacks $c $o"; fi
  done
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

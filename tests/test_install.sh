#!/usr/bin/env bash
# A packager's install: DESTDIR=... cmake --install, twice, with the
# configuration edited in between (as dpkg/rpm builds and upgrades do).
# Every file lands once, under DESTDIR (not under DESTDIR twice, not
# outside it); the edited configuration is kept on reinstall; the units
# and timers ship (export and backup).
#
#   test_install.sh BUILD_DIR
set -u
build=$1
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest

if DESTDIR=$dest cmake --install "$build" --prefix /usr >"$tmp/first.log" 2>&1; then ok; else bad "first install: $(tail -3 "$tmp/first.log")"; fi
# install_manifest.txt lists every file installed (without DESTDIR): each
# is under DESTDIR, none under DESTDIR twice.
manifest=$build/install_manifest.txt
missing=$(while read -r f; do [ -e "$dest$f" ] || echo "$f"; done <"$manifest")
if [ -s "$manifest" ] && [ -z "$missing" ]; then ok; else bad "not under DESTDIR: $(echo "$missing" | head -3)"; fi
if ! grep -q "$dest" "$manifest" && [ ! -e "$dest$dest" ]; then ok; else bad "DESTDIR doubled: $(grep "$dest" "$manifest" | head -3)"; fi
if [ "$(sort "$manifest" | uniq -d | wc -l)" -eq 0 ]; then ok; else bad "installed twice: $(sort "$manifest" | uniq -d | head -3)"; fi
for f in etc/govharvest/govharvest.conf etc/govharvest/seeds.tsv usr/bin/govharvest \
         usr/share/govharvest/govharvest.conf.example usr/share/govharvest/regions.tsv \
         usr/lib/systemd/system/govharvest.service usr/lib/systemd/system/govharvest-export.timer \
         usr/lib/systemd/system/govharvest-backup.service usr/lib/systemd/system/govharvest-backup.timer \
         usr/share/doc/govharvest/recipes.md usr/share/doc/govharvest/exports.md; do
  if [ -s "$dest/$f" ]; then ok; else bad "not installed: $f"; fi
done
if [ -d "$dest/etc/govharvest/conf.d" ] && [ -d "$dest/etc/govharvest/seeds.d" ]; then ok; else bad "no conf.d/seeds.d"; fi
if grep -q "ExecStart=/.*/govharvest backup .*/var/lib/govharvest-backup" \
     "$dest/usr/lib/systemd/system/govharvest-backup.service"; then ok; else bad "the backup unit's command"; fi

echo "# a local edit" >>"$dest/etc/govharvest/govharvest.conf"
printf 'http://www.example.gov.cn/\t320800\tlocal\n' >>"$dest/etc/govharvest/seeds.tsv"
if DESTDIR=$dest cmake --install "$build" --prefix /usr >"$tmp/second.log" 2>&1; then ok; else bad "reinstall: $(tail -3 "$tmp/second.log")"; fi
if grep -q "Kept: $dest/etc/govharvest/govharvest.conf" "$tmp/second.log"; then ok; else bad "reinstall does not say Kept: $(grep -i etc/govharvest "$tmp/second.log")"; fi
if tail -1 "$dest/etc/govharvest/govharvest.conf" | grep -q "a local edit"; then ok; else bad "reinstall overwrote the edited config"; fi
if tail -1 "$dest/etc/govharvest/seeds.tsv" | grep -q "www.example.gov.cn"; then ok; else bad "reinstall overwrote the edited seeds"; fi
if [ ! -e "$dest$dest" ]; then ok; else bad "reinstall doubled DESTDIR"; fi

echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]

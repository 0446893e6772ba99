#!/usr/bin/env bash
# ctest install.demo_from_prefix: `cmake --install` into a temporary prefix, then run the installed binary with
# the source tree out of reach: it must find everything in the prefix, and with the prefix's data removed it
# must fail with the clear error rather than fall back to the source tree.
#   tests/install/demo_from_prefix.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
source_dir="$(cd "$2" && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/rr-install.XXXXXX")"
trap 'rm -rf "$work"' EXIT
fail() { echo "install test: $*" >&2; exit 1; }

prefix="$work/prefix"
cmake --install "$build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log"; fail "install failed"; }
bin="$prefix/bin/riskradar"
data="$prefix/share/riskradar"
for f in "$bin" "$data/config/screening/west-midlands.toml" "$data/config/common-passwords.txt" \
         "$data/data/reference/README.md" "$data/api/openapi.json" "$prefix/share/doc/riskradar/operator-guide.md"; do
  [ -e "$f" ] || fail "$f was not installed"
done
# The web application's build goes with it when it has been built (scripts/setup.sh builds it).
if [ -e "$source_dir/web/dist/index.html" ]; then
  [ -e "$data/web/dist/index.html" ] || fail "web/dist was built but not installed"
fi
ls "$data"/data/reference/*/LICEN* >/dev/null 2>&1 || ls "$data"/data/reference/LICEN* >/dev/null 2>&1 ||
  grep -qi licen "$data/data/reference/README.md" || fail "the reference data's licence was not installed"

# The compiled-in prefix (CMAKE_INSTALL_PREFIX) is also searched; if an install lives there, the removed-data
# case below proves nothing.
compiled_in="$(grep -E '^CMAKE_INSTALL_PREFIX:' "$build/CMakeCache.txt" | cut -d= -f2)/share/riskradar"
if [ -e "$compiled_in" ]; then
  echo "install test: $compiled_in exists on this machine; cannot prove the lookup order here" >&2
  exit 77
fi

cd "$work"
unset RISKRADAR_DATA_DIR
# 1. The demo runs from the prefix alone.
"$bin" demo --dir "$work/demo" --scale 0.05 --seed 5 >"$work/demo.log" 2>&1 || { cat "$work/demo.log"; fail "demo failed"; }
[ -s "$work/demo/report.html" ] || fail "the demo wrote no report.html"
grep -q "$source_dir" "$work/demo.log" && fail "the installed demo mentions the source tree: $(grep -m1 "$source_dir" "$work/demo.log")"

# 2. Without the prefix's data it stops with the clear error, listing where it looked, and never the source tree.
mv "$data" "$work/moved-data"
set +e
"$bin" demo --dir "$work/demo2" --scale 0.05 --seed 5 >"$work/missing.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 3 ] || { cat "$work/missing.log"; fail "without data: exit code $rc, expected 3 (not found)"; }
grep -q "no riskradar data directory" "$work/missing.log" || { cat "$work/missing.log"; fail "no clear error"; }
grep -q "$data" "$work/missing.log" || { cat "$work/missing.log"; fail "the error does not name $data"; }
grep -q "$source_dir" "$work/missing.log" && { cat "$work/missing.log"; fail "the installed binary looked at the source tree"; }
[ -e "$work/demo2/report.html" ] && fail "a demo without data wrote a report"

# 3. --data-dir and RISKRADAR_DATA_DIR find the moved copy; a wrong one is named in the error.
"$bin" synth --data-dir "$work/moved-data" --out "$work/synth" --scale 0.02 >"$work/synth.log" 2>&1 ||
  { cat "$work/synth.log"; fail "synth --data-dir failed"; }
RISKRADAR_DATA_DIR="$work/moved-data" "$bin" synth --out "$work/synth2" --scale 0.02 >"$work/synth2.log" 2>&1 ||
  { cat "$work/synth2.log"; fail "synth with RISKRADAR_DATA_DIR failed"; }
set +e
RISKRADAR_DATA_DIR="$work/nowhere" "$bin" status >"$work/wrong.log" 2>&1
rc=$?
set -e
[ "$rc" -eq 3 ] && grep -q "RISKRADAR_DATA_DIR $work/nowhere is not a riskradar data directory" "$work/wrong.log" ||
  { cat "$work/wrong.log"; fail "a wrong RISKRADAR_DATA_DIR was not refused by name (exit $rc)"; }
echo "install test: demo ran from $prefix; without its data the binary refused with the lookup list"

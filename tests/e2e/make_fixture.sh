#!/usr/bin/env bash
# Makes one of the demo stores the end-to-end suites start from, once per ctest run (the e2e.fixture.<name> tests
# are ctest fixtures the e2e tests require), instead of once per test process: each test then works on its own
# copy (tests/e2e/demo_store.h). Layout: OUT/NAME/store (the demo directory), OUT/NAME/demo.out and demo.rc (the
# demo's output and exit code), OUT/NAME/users.out and users.rc for a store with demo accounts, and OUT/NAME/ready,
# written last. The demo runs where the copies are made from (the store records the paths of the files it
# ingested, and tests compare them).
# Usage: make_fixture.sh RISKRADAR_BINARY OUT NAME
set -euo pipefail
# The command line acts as a named operator (never "unknown"; $USER is unset under CI runners).
export RISKRADAR_ACTOR="${RISKRADAR_ACTOR:-ctest-operator}"
bin="$1" out="$2" name="$3"
tmp="$out/$name"
rm -rf "$tmp"
mkdir -p "$tmp"
demo() {  # demo ARGS...: the demo into $tmp/store, its output and exit code beside it
  set +e
  "$bin" demo "$@" --dir "$tmp/store" >"$tmp/demo.out" 2>&1
  echo $? >"$tmp/demo.rc"
  set -e
}
case "$name" in
  s7)  # the small store the explain, network export and screening suites read (with demo accounts)
    demo --scale 0.1 --seed 7
    set +e
    "$bin" demo-users --db "$tmp/store/riskradar.db" >"$tmp/users.out" 2>&1
    echo $? >"$tmp/users.rc"
    set -e ;;
  s7-scale02)  # the demo suite's store
    demo --scale 0.2 --seed 7 ;;
  s11-monthly)  # the problem profile suite's store: a radar at every month end of 2025 but December's
    demo --scale 0.1 --seed 11
    for as_of in 2025-01-31 2025-02-28 2025-03-31 2025-04-30 2025-05-31 2025-06-30 2025-07-31 2025-08-31 \
                 2025-09-30 2025-10-31 2025-11-30; do
      "$bin" assess --db "$tmp/store/riskradar.db" --as-of "$as_of" >/dev/null
    done ;;
  *)
    echo "make_fixture.sh: unknown fixture '$name'" >&2
    exit 2 ;;
esac
if [ "$(cat "$tmp/demo.rc")" != 0 ]; then
  cat "$tmp/demo.out" >&2
  echo "make_fixture.sh: the demo for fixture '$name' failed" >&2
  exit 1
fi
touch "$tmp/ready"
echo "fixture $name ready in $out/$name"

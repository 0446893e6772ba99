#!/usr/bin/env bash
# One entry point for the README's two commands, on a fresh Debian 12 machine (as root):
#   scripts/setup.sh demo   install packages, build (the web application too), run `riskradar demo` on synthetic data
#   scripts/setup.sh test   install packages, build with ASan+UBSan and run every test (ctest), then build the
#                           threaded stages' tests (store, server, linkage, the SQL layer) with ThreadSanitizer and
#                           run them
# Other verbs: deps (packages only), build (release build only), bench (benchmarks).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
jobs="${RISKRADAR_JOBS:-$(nproc)}"

install_packages() {
  mapfile -t wanted < <(grep -v '^\s*#' scripts/debian-packages.txt | grep -v '^\s*$')
  missing=()
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup: all ${#wanted[@]} Debian packages already installed"
    return
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The web application (web/): npm packages exactly as the committed lock file pins them (npm ci, skipped when
# the lock file has not changed since the last install), then the Vite build into web/dist, which
# `riskradar serve` serves. Needs Node.js 20 or later with npm.
build_web() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "setup: the web application needs Node.js 20 or later with npm (not found); install them and run again" >&2
    exit 2
  fi
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 20 ]; then
    echo "setup: Node.js $(node --version) found; the web application needs 20 or later (Debian 12's own is 18)" >&2
    exit 2
  fi
  local stamp=web/node_modules/.riskradar-lock.sha256 want
  want="$(sha256sum web/package-lock.json | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "setup: installing the web application's npm packages (npm ci, from web/package-lock.json)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
  (cd web && npm run --silent build -- --logLevel warn)
}

build() {  # build DIR [cmake options...]
  local dir="$1"; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" ${targets:+--target $targets}
}

case "${1:-}" in
  deps)
    install_packages ;;
  build)
    install_packages
    build_web
    # The program only: the tests are built (with sanitizers) by the test verb, in build-test.
    build build -DCMAKE_BUILD_TYPE=Release -DRISKRADAR_BUILD_BENCH=OFF -DRISKRADAR_BUILD_TESTS=OFF ;;
  demo)
    install_packages
    build_web
    build build -DCMAKE_BUILD_TYPE=Release -DRISKRADAR_BUILD_BENCH=OFF -DRISKRADAR_BUILD_TESTS=OFF
    shift
    ./build/riskradar demo --dir "${RISKRADAR_DEMO_DIR:-demo-out}" "$@" ;;
  test)
    install_packages
    build_web  # before configuring: the web tests are added when web/node_modules exists
    # -O1 -g1: the usual sanitizer trade-off, faster to build than -O2 -g with readable stacks. A unity build
    # (batches of 16 sources per translation unit) parses the common headers (GoogleTest, nlohmann-json, fmt) and
    # instantiates their templates once per batch instead of once per file: the two sanitizer builds are most of
    # this command's time on a fresh machine. RISKRADAR_UNITY=OFF builds file by file.
    unity=(-DCMAKE_UNITY_BUILD="${RISKRADAR_UNITY:-ON}" -DCMAKE_UNITY_BUILD_BATCH_SIZE=16)
    build build-test -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DRISKRADAR_SANITIZE=ON \
      -DRISKRADAR_BUILD_BENCH=OFF "${unity[@]}"
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
      ctest --test-dir build-test --output-on-failure -j "$jobs"
    # ThreadSanitizer: only the tests of the code that shares state between threads (the audit writer thread,
    # TBB in linkage and the audit verification, the server's worker pool, the SQL layer's connection pool). tests/tsan.supp says why for each entry.
    targets="store_test server_test linkage_test sql_test" build build-tsan -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DRISKRADAR_TSAN=ON -DRISKRADAR_BUILD_BENCH=OFF "${unity[@]}"
    # Linkage accuracy tests on the bigger FEBRL sets run the same TBB kernels as the small linkage tests that TSan
    # still runs (FEBRL dataset 1, the person linkage and incremental suites); under TSan they only cost minutes, so
    # they run under ASan alone.
    tsan_skip='^(FebrlTest\.Dataset(2|3|4aAnd4bLinkOnly)|PlannedLinkageTest\.(Estimates|EmOnASample|ARuleWithABlockCap)|'
    tsan_skip+='ConstraintsTest\.(CannotLinkSplits|AttachingLoneRecords)|PersonBlockingTest\.LargeBlocking|'
    tsan_skip+='PersonClusteringTest\.(WeakChain|LoneRecord)|'
    # The batch linkage and the chunked audit verification each keep one test under TSan (a new batch linked
    # against known people; an intact log verified across chunks): the others run the same parallel code on
    # other data, 10 to 20 s each under TSan, and run under ASan.
    tsan_skip+='BatchLinkageTest\.(NoNewRecords|KnownPeopleKeep|BadInputIsAnError|ANewRecordThatLinksTwo)|'
    tsan_skip+='AuditVerifyChunks\.(AMissingLastEvent|AGapAtAChunkBoundary|TruncationAndStray))'
    # die_after_fork=0: the audit writer crash test forks a writer process (which starts its own writer thread)
    # from the multi-threaded test binary; TSan refuses that by default although the child never returns.
    TSAN_OPTIONS="halt_on_error=1 die_after_fork=0 second_deadlock_stack=1 suppressions=$repo/tests/tsan.supp" \
      ctest --test-dir build-tsan --output-on-failure -j "$jobs" --timeout 600 -L '^(store|server|linkage|pg)$' \
        -E "$tsan_skip" ;;
  bench)
    install_packages
    build build-bench -DCMAKE_BUILD_TYPE=Release -DRISKRADAR_BUILD_TESTS=OFF -DRISKRADAR_BUILD_BENCH=ON
    echo "benchmarks built in build-bench/bench/; see bench/README.md" ;;
  *)
    echo "usage: scripts/setup.sh demo|test|deps|build|bench" >&2
    exit 2 ;;
esac

#!/usr/bin/env bash
# Issue 12 goal: `assess` + `network` (the VOLT graph, Leiden communities, betweenness, priority and place
# ranking) on a synthetic partnership at scale 20 in <= 30 s wall. Synth, ingest and link run once (not timed);
# then RUNS times: assess and network on a copy of the linked store, each timed with /usr/bin/time; prints each
# run and the medians. Use the Release build (bench/README.md).
# Usage: bench/volt_scale20.sh [BUILD_DIR] [WORK_DIR] [RUNS] [SCALE]
# Needs: /usr/bin/time, python3.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build-rel}/riskradar"
work="${2:-/tmp/riskradar-volt-bench}"
runs="${3:-3}"
scale="${4:-20}"
mkdir -p "$work"

if [ ! -s "$work/linked.db" ]; then
  echo "generating: synth --scale $scale --seed 21, ingest, link (not timed)"
  rm -rf "$work/partnership" "$work/linked.db"*
  "$bin" synth --scale "$scale" --seed 21 --out "$work/partnership" >/dev/null
  "$bin" ingest --db "$work/linked.db" --manifest "$work/partnership" >/dev/null
  "$bin" link --db "$work/linked.db" >/dev/null
fi

: >"$work/times.txt"
for run in $(seq 1 "$runs"); do
  rm -f "$work/run.db"*
  for f in "$work"/linked.db*; do cp "$f" "$work/run.db${f#"$work"/linked.db}"; done
  /usr/bin/time -f "%e" -o "$work/assess.t" "$bin" assess --db "$work/run.db" >"$work/assess.out"
  /usr/bin/time -f "%e" -o "$work/network.t" "$bin" network --db "$work/run.db" >"$work/network.out"
  a=$(tail -1 "$work/assess.t"); n=$(tail -1 "$work/network.t")
  echo "run $run: assess ${a} s, network ${n} s, total $(python3 -c "print(round($a + $n, 2))") s"
  echo "$a $n" >>"$work/times.txt"
done
cat "$work/assess.out" "$work/network.out"
python3 - "$work/times.txt" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
a = statistics.median(r[0] for r in rows); n = statistics.median(r[1] for r in rows)
t = statistics.median(r[0] + r[1] for r in rows)
print(f"median of {len(rows)}: assess {a:.2f} s, network {n:.2f} s, assess + network {t:.2f} s (goal <= 30 s)")
PY

#!/usr/bin/env bash
# Issue 13 goal: alert generation after a daily import of scale-1 size adds <= 2 s. Synth, ingest, link,
# assess and network run once on a scale-1 partnership (not timed). Then RUNS times, on a copy of that store:
#   first:  `riskradar alerts raise` on a store that never ran it (tracks the police disruption events, records
#           the alert baseline, raises the state-based alerts);
#   daily:  `riskradar assess` again (a new day's assessments), then `riskradar alerts raise` timed: the cost
#           the practice stage adds to a daily run (the baseline comparison over every child, link and event).
# Prints each run and the medians. Use the Release build (bench/README.md).
# Usage: bench/practice_alerts.sh [BUILD_DIR] [WORK_DIR] [RUNS] [SCALE]
# Needs: /usr/bin/time, python3.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build-rel}/riskradar"
work="${2:-/tmp/riskradar-practice-bench}"
runs="${3:-3}"
scale="${4:-1}"
mkdir -p "$work"

if [ ! -s "$work/analysed.db" ]; then
  echo "generating: synth --scale $scale --seed 21, ingest, link, assess, network (not timed)"
  rm -rf "$work/partnership" "$work/analysed.db"*
  "$bin" synth --scale "$scale" --seed 21 --out "$work/partnership" >/dev/null
  "$bin" ingest --db "$work/analysed.db" --manifest "$work/partnership" >/dev/null
  "$bin" link --db "$work/analysed.db" >/dev/null
  "$bin" assess --db "$work/analysed.db" >/dev/null
  "$bin" network --db "$work/analysed.db" >/dev/null
fi
today=$(python3 -c "import json,sys; m=json.load(open('$work/partnership/manifest.json')); print(m.get('period',{}).get('end','2025-12-31'))" 2>/dev/null || echo 2025-12-31)

: >"$work/times.txt"
for run in $(seq 1 "$runs"); do
  rm -f "$work/run.db"*
  for f in "$work"/analysed.db*; do cp "$f" "$work/run.db${f#"$work"/analysed.db}"; done
  /usr/bin/time -f "%e" -o "$work/first.t" "$bin" alerts raise --db "$work/run.db" --today "$today" >"$work/first.out"
  "$bin" assess --db "$work/run.db" >/dev/null
  /usr/bin/time -f "%e" -o "$work/daily.t" "$bin" alerts raise --db "$work/run.db" --today "$today" >"$work/daily.out"
  f=$(tail -1 "$work/first.t"); d=$(tail -1 "$work/daily.t")
  echo "run $run: first alerts raise ${f} s, daily alerts raise ${d} s"
  echo "$f $d" >>"$work/times.txt"
done
cat "$work/first.out" "$work/daily.out"
python3 - "$work/times.txt" <<'PY'
import statistics, sys
rows = [tuple(map(float, line.split())) for line in open(sys.argv[1]) if line.strip()]
f = statistics.median(r[0] for r in rows); d = statistics.median(r[1] for r in rows)
print(f"median of {len(rows)}: first alerts raise {f:.2f} s, daily alerts raise {d:.2f} s (goal <= 2 s)")
PY

#!/usr/bin/env bash
# Screening and event-linkage figures over synthetic seeds (issue 12 items 1 and 3): runs the demo per seed
# (or re-uses its store with REUSE=1), optionally re-assesses with another model, evaluates against the
# generator's truth and prints per-seed figures and their medians.
# Usage: bench/screening_seeds.sh [BUILD_DIR]
#   SEEDS="11 12 13 14 15 16 17 18 19 20"  seeds to run (default: 11-20, the seeds the model was NOT tuned on)
#   SCALE=1                                   demo scale
#   MODEL=path/to/model.toml                  re-assess with this model before evaluating (default: the demo's)
#   WORK=/tmp/screening-seeds                 where the demo stores go (kept, so REUSE=1 can skip the demo)
#   REUSE=1                                   re-use WORK/seed-N-scale-S when it exists
# Columns: radar precision and recall, exact level agreement among the truly at risk, recall for girls and
# boys, their gap in points, event merge precision and recall.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build-rel}/riskradar"
seeds="${SEEDS:-11 12 13 14 15 16 17 18 19 20}"
scale="${SCALE:-1}"
work="${WORK:-/tmp/screening-seeds}"
mkdir -p "$work"
results="$work/results-$$.txt"
: >"$results"
printf '%-6s %9s %7s %9s %7s %7s %6s %9s %8s\n' seed precision recall agreement girls boys gap ev_prec ev_rec
for seed in $seeds; do
  dir="$work/seed-$seed-scale-$scale"
  if [ "${REUSE:-0}" != 1 ] || [ ! -f "$dir/riskradar.db" ]; then
    rm -rf "$dir"
    "$bin" demo --dir "$dir" --seed "$seed" --scale "$scale" >"$dir.demo.log" 2>&1
  fi
  if [ -n "${MODEL:-}" ]; then "$bin" assess --db "$dir/riskradar.db" --model "$MODEL" >/dev/null; fi
  "$bin" evaluate --db "$dir/riskradar.db" --truth "$dir/partnership/truth" >"$dir.eval.txt"
  python3 - "$seed" "$dir.eval.txt" >>"$results" <<'PY'
import re, sys
seed, path = sys.argv[1], sys.argv[2]
text = open(path).read()
radar = re.search(r"Risk radar: precision ([\d.]+), recall ([\d.]+)", text)
agree = re.search(r"level agreement among the truly at risk: ([\d.]+)", text)
girls = re.search(r"female ([\d.]+)", text)
boys = re.search(r" male ([\d.]+)", text)
events = re.search(r"merge precision ([\d.]+), recall ([\d.]+)", text)
g, b = float(girls.group(1)), float(boys.group(1))
print(seed, radar.group(1), radar.group(2), agree.group(1), g, b, round(abs(g - b) * 100, 1),
      events.group(1) if events else "nan", events.group(2) if events else "nan")
PY
  tail -1 "$results" | awk '{printf "%-6s %9s %7s %9s %7.3f %7.3f %6s %9s %8s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9}'
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
cols = list(zip(*rows))
med = [statistics.median(float(x) for x in c) for c in cols[1:]]
print("%-6s %9.3f %7.3f %9.3f %7.3f %7.3f %6.1f %9.4f %8.4f" % ("median", *med))
print("%-6s %9.3f %7.3f %9.3f %7.3f %7.3f %6.1f %9.4f %8.4f" % ("worst", min(map(float, cols[1])),
      min(map(float, cols[2])), min(map(float, cols[3])), min(map(float, cols[4])), min(map(float, cols[5])),
      max(map(float, cols[6])), min(map(float, cols[7])), min(map(float, cols[8]))))
PY
rm -f "$results"

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
# Columns (from `riskradar evaluate --json`): radar precision and recall, exact level agreement among the truly at
# risk, recall for girls and boys, their gap in points, event merge precision and recall, suspected offenders
# against the true number (%), planted networks recovered with Jaccard >= 0.8, true offenders in the top 20 by
# priority, and the share of true places of concern in the top N.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build-rel}/riskradar"
seeds="${SEEDS:-11 12 13 14 15 16 17 18 19 20}"
scale="${SCALE:-1}"
work="${WORK:-/tmp/screening-seeds}"
mkdir -p "$work"
results="$work/results-$$.txt"
: >"$results"
printf '%-6s %9s %7s %9s %7s %7s %6s %9s %8s %7s %6s %6s %6s\n' seed precision recall agreement girls boys gap ev_prec ev_rec off_pct jac08 top20 top_n
for seed in $seeds; do
  dir="$work/seed-$seed-scale-$scale"
  if [ "${REUSE:-0}" != 1 ] || [ ! -f "$dir/riskradar.db" ]; then
    rm -rf "$dir"
    "$bin" demo --dir "$dir" --seed "$seed" --scale "$scale" >"$dir.demo.log" 2>&1
  fi
  if [ -n "${MODEL:-}" ]; then "$bin" assess --db "$dir/riskradar.db" --model "$MODEL" >/dev/null; fi
  "$bin" evaluate --json --db "$dir/riskradar.db" --truth "$dir/partnership/truth" >"$dir.eval.json"
  python3 - "$seed" "$dir.eval.json" >>"$results" <<'PY'
import json, sys
seed, path = sys.argv[1], sys.argv[2]
e = json.load(open(path))
s = e["screening"]
g, b = s["recall_by_sex"]["female"]["recall"], s["recall_by_sex"]["male"]["recall"]
o, n, p = e["offenders"], e["networks"], e["places"]
off = 100.0 * (o["found"] - o["true"]) / o["true"] if o["true"] else 0.0
print(seed, s["precision"], s["recall"], s["level_agreement_at_risk"], g, b, round(abs(g - b) * 100, 1),
      e["events"]["merge_precision"], e["events"]["merge_recall"], round(off, 1), n["recovered_jaccard_0_8"],
      o["top20_true"], p["top_n_true"] / p["true"] if p["true"] else 1.0)
PY
  tail -1 "$results" | awk '{printf "%-6s %9.3f %7.3f %9.3f %7.3f %7.3f %6s %9.4f %8.4f %7s %6s %6s %6.3f\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13}'
done
python3 - "$results" <<'PY'
import statistics, sys
rows = [[float(x) for x in l.split()] for l in open(sys.argv[1]) if l.strip()]
cols = list(zip(*rows))
fmt = "%-6s %9.3f %7.3f %9.3f %7.3f %7.3f %6.1f %9.4f %8.4f %7.1f %6.0f %6.0f %6.3f"
print(fmt % ("median", *[statistics.median(c) for c in cols[1:]]))
# worst: lowest of every figure, but the largest sex gap and the offender count furthest from the truth
worst = [min(c) for c in cols[1:]]
worst[5] = max(cols[6])
worst[8] = max(cols[9], key=abs)
print(fmt % ("worst", *worst))
PY
rm -f "$results"

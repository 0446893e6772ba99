#!/usr/bin/env bash
# Issue 14 goals for the problem profile on the scale-1 demo (seed 11): both versions, all formats (HTML, xlsx,
# CSV) in <= 5 s; the share of the year's cells of 6 or more that stay published (>= 2/3); the headline shown.
# The demo runs once (not timed; it already writes both versions); then RUNS times: `report profile` for the
# partnership's year, restricted and publishable, each timed with /usr/bin/time. Use the Release build.
# Usage: bench/profile.sh [BUILD_DIR] [WORK_DIR] [RUNS] [SCALE]
# Needs: /usr/bin/time, python3.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build-rel}/riskradar"
work="${2:-/tmp/riskradar-profile-bench}"
runs="${3:-3}"
scale="${4:-1}"
from=2025-01-01
to=2025-12-31
mkdir -p "$work"
if [ ! -s "$work/demo/riskradar.db" ]; then
  echo "generating: demo --scale $scale --seed 11 (not timed)"
  "$bin" demo --scale "$scale" --seed 11 --dir "$work/demo" >/dev/null
fi
db="$work/demo/riskradar.db"
: >"$work/times.txt"
for run in $(seq 1 "$runs"); do
  /usr/bin/time -f "%e" -o "$work/r.t" "$bin" report profile --db "$db" --from $from --to $to --out "$work/restricted" >/dev/null
  /usr/bin/time -f "%e" -o "$work/p.t" "$bin" report profile --db "$db" --from $from --to $to --publishable \
    --out "$work/publishable" >/dev/null
  r=$(tail -1 "$work/r.t"); p=$(tail -1 "$work/p.t")
  echo "run $run: restricted ${r} s, publishable ${p} s, both $(python3 -c "print(round($r + $p, 2))") s"
  echo "$r $p" >>"$work/times.txt"
done
python3 - "$work" <<'PY'
import csv, os, statistics, sys
work = sys.argv[1]
rows = [tuple(map(float, l.split())) for l in open(os.path.join(work, "times.txt")) if l.strip()]
print(f"median of {len(rows)}: restricted {statistics.median(r[0] for r in rows):.2f} s, publishable "
      f"{statistics.median(r[1] for r in rows):.2f} s, both {statistics.median(r[0] + r[1] for r in rows):.2f} s "
      "(goal <= 5 s)")
def tables(d):
    out = {}
    for row in csv.DictReader(open(os.path.join(d, "tables", "index.csv"))):
        out[row["table"]] = list(csv.reader(open(os.path.join(d, "tables", row["table"] + ".csv"))))[1:]
    return out
exact, pub = tables(os.path.join(work, "restricted")), tables(os.path.join(work, "publishable"))
large = shown = 0
for name, rows in exact.items():
    published = pub.get(name)
    for i, (group, count) in enumerate(rows[:-1]):
        if int(count) >= 6:
            large += 1
            shown += published is not None and published[i][1] != "c"
print(f"cells of 6 or more published: {shown} of {large} = {shown / max(large, 1):.1%} (goal >= 66.7%)")
print(f"headline (children on the radar): restricted {exact['radar_by_level'][-1][1]}, publishable "
      f"{pub['radar_by_level'][-1][1]}")
PY

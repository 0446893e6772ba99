#!/usr/bin/env bash
# End-to-end de-duplication of up to 1,000,000 synthetic person records with link-csv
# (read, block, compare, train, score, cluster, write), timed with /usr/bin/time -v at
# 100k, 250k, 500k and 1M records to show how time and memory scale.
# The input is every person mention of a synthetic partnership at scale 17 (~1.0M
# mentions of ~348k people), exported from the store after `riskradar ingest`;
# it is generated under WORK and never committed.
# Usage: bench/linkage_1m.sh [BUILD_DIR] [WORK_DIR] [SETTINGS]
# Needs: sqlite3 (the CLI) for the export, /usr/bin/time.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build}/riskradar"
work="${2:-/tmp/riskradar-linkage-1m}"
settings="${3:-$repo/config/linkage/people-large.toml}"
mkdir -p "$work"

if [ ! -s "$work/people.csv" ]; then
  echo "generating: synth --scale 17, ingest, export person mentions (not timed)"
  rm -rf "$work/partnership" "$work/rr.db"*
  "$bin" synth --scale 17 --seed 42 --out "$work/partnership" >/dev/null
  "$bin" ingest --db "$work/rr.db" --manifest "$work/partnership" >/dev/null
  sqlite3 -csv -header "$work/rr.db" "
    SELECT m.id AS mention_id, s.agency_code AS agency, m.forename, m.surname,
           CASE WHEN m.dob IS NULL THEN '' ELSE date(m.dob * 86400, 'unixepoch') END AS dob,
           CASE m.sex WHEN 'unknown' THEN '' ELSE m.sex END AS sex, m.postcode, m.nhs_number, m.upn
    FROM person_mention m JOIN source_record s ON s.id = m.source_record_id ORDER BY m.id" >"$work/people.csv"
fi
total=$(($(wc -l <"$work/people.csv") - 1))
echo "input: $total person records in $work/people.csv; settings $settings; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%9s %10s %9s %9s %8s %12s  %s\n' records wall_s user_s sys_s peak_MiB candidates "phases (s)"
for n in 100000 250000 500000 1000000; do
  [ "$n" -le "$total" ] || n=$total
  head -n $((n + 1)) "$work/people.csv" >"$work/in.csv"
  /usr/bin/time -v "$bin" link-csv --settings "$settings" --input "$work/in.csv" --out "$work/out-$n" \
    >"$work/log-$n.txt" 2>"$work/time-$n.txt"
  wall=$(grep 'Elapsed (wall clock)' "$work/time-$n.txt" | awk '{print $NF}' |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  user=$(grep 'User time' "$work/time-$n.txt" | awk '{print $NF}')
  sys=$(grep 'System time' "$work/time-$n.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$work/time-$n.txt" | awk '{printf "%.0f", $NF / 1024}')
  cand=$(grep -o '[0-9]* candidate pairs' "$work/log-$n.txt" | awk '{print $1}')
  phases=$(grep 'link phases' "$work/log-$n.txt" | sed 's/.*(s): //')
  printf '%9s %10s %9s %9s %8s %12s  %s\n' "$n" "$wall" "$user" "$sys" "$rss" "$cand" "$phases"
done

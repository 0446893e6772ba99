#!/usr/bin/env bash
# End-to-end de-duplication of up to 1,000,000 synthetic person records with link-csv
# (read, plan blocking, block, compare, train, score, cluster, write), timed with
# /usr/bin/time -v at 100k, 250k, 500k and 1M records, and scored against the
# generator's truth (pairwise F1, precision, recall with linkage-eval).
# The input is every person mention of a synthetic partnership at scale 17 (~975k
# mentions of ~348k people), exported from the store after `riskradar ingest`, with
# each mention's true person (truth/mentions.csv joined on agency, local id, slot);
# it is generated under WORK and never committed.
# Usage: bench/linkage_1m.sh [BUILD_DIR] [WORK_DIR] [SETTINGS] [SIZES]
#   SETTINGS default: config/linkage/people-fields-only.toml (fields only, no [blocking]:
#   the rules are planned within the budget); config/linkage/people-large.toml gives
#   the hand-picked rules. SIZES default: "100000 250000 500000 1000000".
# Needs: sqlite3 (the CLI) for the export, /usr/bin/time, python3.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build}/riskradar"
work="${2:-/tmp/riskradar-linkage-1m}"
settings="${3:-$repo/config/linkage/people-fields-only.toml}"
sizes="${4:-100000 250000 500000 1000000}"
mkdir -p "$work"

if [ ! -s "$work/people.csv" ]; then
  echo "generating: synth --scale 17, ingest, export person mentions with their true person (not timed)"
  rm -rf "$work/partnership" "$work/rr.db"*
  "$bin" synth --scale 17 --seed 42 --out "$work/partnership" >/dev/null
  "$bin" ingest --db "$work/rr.db" --manifest "$work/partnership" >/dev/null
  sqlite3 "$work/rr.db" <<SQL
.mode csv
.import --csv $work/partnership/truth/mentions.csv truth_mention
CREATE INDEX truth_mention_key ON truth_mention(agency, local_id, slot);
.headers on
.output $work/people.csv
SELECT m.id AS mention_id, s.agency_code AS agency, m.forename, m.surname,
       CASE WHEN m.dob IS NULL THEN '' ELSE date(m.dob * 86400, 'unixepoch') END AS dob,
       CASE m.sex WHEN 'unknown' THEN '' ELSE m.sex END AS sex, m.postcode, m.nhs_number, m.upn,
       COALESCE(t.person_key, 'unknown-' || m.id) AS true_person
FROM person_mention m JOIN source_record s ON s.id = m.source_record_id
LEFT JOIN truth_mention t ON t.agency = s.agency_code AND t.local_id = s.local_id AND t.slot = m.slot
ORDER BY m.id;
.output stdout
DROP TABLE truth_mention;
SQL
fi
total=$(($(wc -l <"$work/people.csv") - 1))
echo "input: $total person records in $work/people.csv; settings $settings; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%9s %8s %8s %7s %8s %11s %7s %9s %7s  %s\n' records wall_s user_s sys_s peak_MiB candidates F1 precision recall \
  "phases (s)"
for n in $sizes; do
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
  read -r f1 precision recall <<<"$("$bin" linkage-eval --json --clusters "$work/out-$n/clusters.csv" \
    --truth "$work/in.csv" --id-column mention_id --truth-column true_person |
    python3 -c 'import json,sys; j=json.load(sys.stdin); print("%.4f %.4f %.4f" % (j["f1"], j["precision"], j["recall"]))')"
  printf '%9s %8s %8s %7s %8s %11s %7s %9s %7s  %s\n' "$n" "$wall" "$user" "$sys" "$rss" "$cand" "$f1" "$precision" \
    "$recall" "$phases"
done
echo "blocking plan of the last run: $work/log-$n.txt"

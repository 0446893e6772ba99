#!/usr/bin/env bash
# A daily batch against a million-record store (issue 17 item 4): `riskradar link --batch` links only the
# mentions no run has linked yet against the people already linked, and writes only what changed.
# Setup (not timed, once per WORK_DIR): the scale-17 store that bench/linkage_1m.sh ingests (WORK_DIR/rr.db;
# run that script first), linked in full once (linked.db), and a second synthetic partnership (scale 1, seed 9)
# whose council case events and A&E attendances are the batch (about 10,000 person mentions).
# Each run (RUNS, default 3): a copy of linked.db, the batch ingested (not timed), then timed with
# /usr/bin/time -v: `link --batch`; then the existing mentions whose person id changed are counted (sqlite3).
# With FULL=1 the same batch is also linked by a full run, for comparison.
# Usage: bench/linkage_batch.sh [BUILD_DIR] [WORK_DIR] [RUNS]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-$repo/build}/riskradar"
work="${2:-/tmp/riskradar-linkage-1m}"
runs="${3:-3}"
if [ ! -s "$work/rr.db" ]; then
  echo "no $work/rr.db: run bench/linkage_1m.sh BUILD_DIR $work first (it generates and ingests the store)" >&2
  exit 1
fi
copy_store() {  # copy_store FROM TO: a store and its audit keys
  rm -f "$2" "$2"-wal "$2"-shm
  sqlite3 "$1" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  cp "$1" "$2"
  cp "$1.audit-key" "$2.audit-key"
  cp "$1.audit-key.pub" "$2.audit-key.pub"
}
if [ ! -s "$work/linked.db" ]; then
  echo "setup: linking the whole store once (not timed)"
  copy_store "$work/rr.db" "$work/linked.tmp.db"
  "$bin" link --db "$work/linked.tmp.db" >"$work/linked.log" 2>&1
  copy_store "$work/linked.tmp.db" "$work/linked.db"
  rm -f "$work"/linked.tmp.db*
fi
if [ ! -d "$work/batch" ]; then
  echo "setup: the batch partnership (synth --scale 1 --seed 9)"
  "$bin" synth --scale 1 --seed 9 --out "$work/batch" >/dev/null
fi
mentions=$(sqlite3 "$work/linked.db" "SELECT COUNT(*) FROM person_mention")
echo "store: $mentions person mentions linked; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%4s %6s %9s %8s %8s %7s %8s %12s %10s  %s\n' run mode batch wall_s user_s sys_s peak_MiB ids_changed \
  merged "stage line"
measure() {  # measure RUN MODE ARGS...: copy, ingest the batch, time the link
  local run="$1" mode="$2"
  shift 2
  local db="$work/run.db"
  copy_store "$work/linked.db" "$db"
  "$bin" ingest --db "$db" --agency bcc-cs --mapping "$repo/config/mappings/council-case-a.toml" \
    "$work/batch/extracts/bcc-cs/case_events.csv" >/dev/null
  "$bin" ingest --db "$db" --agency bc-ae --mapping "$repo/config/mappings/nhs-ae.toml" \
    "$work/batch/extracts/bc-ae/ae_attendances.csv" >/dev/null
  local batch
  batch=$(($(sqlite3 "$db" "SELECT COUNT(*) FROM person_mention") - mentions))
  /usr/bin/time -v "$bin" link --db "$db" "$@" >"$work/out-$mode-$run.txt" 2>"$work/err-$mode-$run.txt"
  local wall user sys rss changed merged line
  wall=$(grep 'Elapsed (wall clock)' "$work/err-$mode-$run.txt" | awk '{print $NF}' |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  user=$(grep 'User time' "$work/err-$mode-$run.txt" | awk '{print $NF}')
  sys=$(grep 'System time' "$work/err-$mode-$run.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$work/err-$mode-$run.txt" | awk '{printf "%.0f", $NF / 1024}')
  changed=$(sqlite3 "$db" "ATTACH '$work/linked.db' AS before; SELECT COUNT(*) FROM mention_person m
    JOIN before.mention_person o ON o.mention_id = m.mention_id WHERE m.person_id <> o.person_id")
  merged=$(grep -c '^  merged:' "$work/out-$mode-$run.txt" || true)
  line=$(grep '^link' "$work/out-$mode-$run.txt" | head -1 | cut -c1-150)
  printf '%4s %6s %9s %8s %8s %7s %8s %12s %10s  %s\n' "$run" "$mode" "$batch" "$wall" "$user" "$sys" "$rss" \
    "$changed" "$merged" "$line"
}
for run in $(seq 1 "$runs"); do
  measure "$run" batch --batch
  if [ "${FULL:-0}" = 1 ]; then measure "$run" full; fi
done
echo "stage output of the last run: $work/out-batch-$runs.txt, progress and time: $work/err-batch-$runs.txt"

#!/usr/bin/env bash
# The demo pipeline on PostgreSQL against SQLite (issue 16 goal: the scale-1 demo on PostgreSQL within 2x of its
# SQLite time). Starts a throw-away PostgreSQL cluster (tests/pg/cluster.sh: loopback, a temporary directory,
# fsync off as for the tests, so the figure is the store's work, not the disk's), then per run: `riskradar demo`
# on a new database and `riskradar demo` on SQLite, each timed with /usr/bin/time -v (wall, CPU, peak RSS). Prints
# each run and the median ratio PostgreSQL/SQLite of wall and of CPU (riskradar's own CPU; the PostgreSQL server's
# CPU is not in it).
#
#   bench/pg_demo.sh BUILD/riskradar [SCALE (default 1)] [RUNS (default 3)] [SEED (default 11)]
set -euo pipefail
bin="${1:?usage: bench/pg_demo.sh BUILD/riskradar [SCALE] [RUNS] [SEED]}"
scale="${2:-1}"
runs="${3:-3}"
seed="${4:-11}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/rr-pgbench.XXXXXX)"
state="$work/pg"
cleanup() {
  "$repo/tests/pg/cluster.sh" stop "$state" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
"$repo/tests/pg/cluster.sh" start "$state"
server_url="$(cat "$state/url")"
psql_bin="$(cat "$state/bindir")/psql"
export RISKRADAR_ACTOR=bench-operator

timed() {  # timed NAME ARGS...: runs riskradar ARGS under /usr/bin/time -v; prints "wall cpu rss_mib"
  local name="$1"
  shift
  /usr/bin/time -v "$bin" "$@" >"$work/$name.out" 2>"$work/$name.err" ||
    { tail -n 20 "$work/$name.out" "$work/$name.err"; echo "pg_demo: $name failed" >&2; exit 1; }
  local wall user sys rss
  wall=$(grep 'Elapsed (wall clock)' "$work/$name.err" | awk '{print $NF}' |
    awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
  user=$(grep 'User time' "$work/$name.err" | awk '{print $NF}')
  sys=$(grep 'System time' "$work/$name.err" | awk '{print $NF}')
  rss=$(grep 'Maximum resident' "$work/$name.err" | awk '{printf "%.0f", $NF / 1024}')
  echo "$wall $(echo "$user + $sys" | bc) $rss"
}

echo "scale $scale, seed $seed, $runs runs; $(nproc) cores; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%4s %-10s %8s %8s %9s\n' run backend wall_s cpu_s peak_MiB
pg_walls=() sq_walls=() pg_cpus=() sq_cpus=()
for run in $(seq 1 "$runs"); do
  db="bench_${run}_$$"
  "$psql_bin" -X -q -d "$server_url" -c "CREATE DATABASE $db" >/dev/null
  read -r w c r < <(timed "pg-$run" demo --dir "$work/pg-$run" --seed "$seed" --scale "$scale" --db "${server_url%/*}/$db")
  printf '%4s %-10s %8.1f %8.1f %9s\n' "$run" postgresql "$w" "$c" "$r"
  pg_walls+=("$w")
  pg_cpus+=("$c")
  "$psql_bin" -X -q -d "$server_url" -c "DROP DATABASE $db WITH (FORCE)" >/dev/null
  read -r w c r < <(timed "sq-$run" demo --dir "$work/sq-$run" --seed "$seed" --scale "$scale")
  printf '%4s %-10s %8.1f %8.1f %9s\n' "$run" sqlite "$w" "$c" "$r"
  sq_walls+=("$w")
  sq_cpus+=("$c")
  rm -rf "$work/pg-$run" "$work/sq-$run"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
pw=$(median "${pg_walls[@]}") sw=$(median "${sq_walls[@]}") pc=$(median "${pg_cpus[@]}") sc=$(median "${sq_cpus[@]}")
echo "median wall: postgresql $pw s, sqlite $sw s: ratio $(echo "scale=2; $pw / $sw" | bc) (goal <= 2)"
echo "median riskradar CPU: postgresql $pc s, sqlite $sc s: ratio $(echo "scale=2; $pc / $sc" | bc)"

#!/usr/bin/env bash
# Through the real server, 64 concurrent clients (issue 11 "Load"):
#   --path child (default): audited, authorised child reads (goal >= 2,000 requests/s, p99 <= 50 ms, every read
#     in the audit log afterwards and `audit verify` passing);
#   --path radar: GET /api/radar (goal >= 1,000 requests/s, p99 <= 100 ms, for every role); an aggregate
#     without personal data, not audited (docs/security.md): the audit log must not grow at all;
#   --path caseload: GET /api/caseload (issue 13: p99 <= 100 ms), audited; as the demo account AGENCY-ROLE that
#     `riskradar demo-users` made (practitioner: their allocated cases; manager: the agency's);
#   --path agenda: GET /api/mase/meetings/{id} (issue 13: the MASE agenda, p99 <= 100 ms), audited; the meeting
#     demo-users seeds, as its chair.
#
#   bench/server_wrk.sh BUILD/riskradar [--path child|radar|caseload|agenda] [--role ROLE] [--agency CODE] [--dir DIR]
#                       [--duration 20] [--connections 64] [--threads 2] [--workers N] [--runs 1]
#
# Builds nothing. Needs wrk, curl, sqlite3 and oathtool (Debian packages of the same names).
# DIR (default $TMPDIR/rr-wrk) keeps `riskradar demo`'s store as a template, made on first use; each run
# copies it (with its audit key), adds a user of ROLE (default practitioner) at AGENCY (default the police,
# wmp) with `riskradar user add`, signs in with curl (one-time code from oathtool), serves on a free loopback
# port and runs
#   wrk -t2 -c64 -d20s --timeout 30s --latency -s bench/server_wrk.lua
# over the children that user's agency holds records on (visible to analysts, practitioners and managers of
# that agency), or over the radar. Afterwards it checks that the audit log grew by exactly the number of 2xx
# child reads (radar: by nothing) and that `riskradar audit verify` passes. The server's CPU time and the load
# average are printed with the figures (the machine is shared).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:?usage: bench/server_wrk.sh BUILD/riskradar [--path child|radar] [--role ROLE] [--agency CODE] [--dir DIR] [--duration S] [--connections N] [--threads N] [--workers N] [--runs N]}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
shift
dir="${TMPDIR:-/tmp}/rr-wrk"
duration=20
connections=64
threads=2
workers=""
runs=1
path=child
role=practitioner
agency=wmp
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --connections) connections="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --workers) workers="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --path) path="$2"; shift 2 ;;
    --role) role="$2"; shift 2 ;;
    --agency) agency="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$path" in
  child | radar | caseload | agenda) ;;
  *) echo "server_wrk: --path is child, radar, caseload or agenda" >&2; exit 2 ;;
esac
case "$role" in
  analyst | practitioner | manager) ;;
  ig_lead | administrator)
    [ "$path" = radar ] || { echo "server_wrk: a $role may not read child views; use --path radar" >&2; exit 2; } ;;
  *) echo "server_wrk: unknown --role $role" >&2; exit 2 ;;
esac
for tool in wrk curl sqlite3 oathtool; do
  command -v "$tool" >/dev/null || { echo "server_wrk: needs $tool (apt-get install -y $tool)" >&2; exit 2; }
done
[ -x "$bin" ] || { echo "server_wrk: no executable $bin" >&2; exit 2; }

mkdir -p "$dir"
template="$dir/template"
if [ ! -f "$template/riskradar.db" ]; then
  echo "server_wrk: making the demo store in $template (once)"
  "$bin" demo --dir "$template" >"$dir/demo.log" 2>&1 || { tail "$dir/demo.log"; exit 1; }
fi
# The practice paths read what `demo-users` seeds (accounts with allocated cases, a MASE meeting): a second
# template, made once from the first; its accounts' passwords and TOTP secrets are in demo-users.txt.
if [ "$path" = caseload ] || [ "$path" = agenda ]; then
  if [ ! -f "$dir/template-practice/riskradar.db" ]; then
    echo "server_wrk: seeding the demo accounts and practice in $dir/template-practice (once)"
    rm -rf "$dir/template-practice"
    mkdir -p "$dir/template-practice"
    cp -p "$template/riskradar.db" "$template/riskradar.db.audit-key" "$template/riskradar.db.audit-key.pub" \
      "$dir/template-practice/"
    "$bin" demo-users --db "$dir/template-practice/riskradar.db" >"$dir/demo-users.txt" 2>&1 ||
      { tail "$dir/demo-users.txt"; exit 1; }
  fi
  template="$dir/template-practice"
fi

server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

cpu_ticks() {  # utime + stime of a process, in clock ticks
  awk '{print $14 + $15}' "/proc/$1/stat"
}

run_once() {
  local n="$1"
  local run="$dir/run-$n"
  rm -rf "$run"
  mkdir -p "$run"
  cp -p "$template"/riskradar.db "$template"/riskradar.db.* "$run/"  # with its keys (audit, TOTP) and witness
  local db="$run/riskradar.db"

  local user password secret
  if [ "$path" = caseload ] || [ "$path" = agenda ]; then
    # A demo account: AGENCY-ROLE for the caseload, the seeded meeting's chair for its agenda.
    user="$agency-$role"
    local meeting=""
    if [ "$path" = agenda ]; then
      meeting="$(sed -n 's/^MASE meeting #\([0-9]*\) .*/\1/p' "$dir/demo-users.txt")"
      user="$(sed -n 's/^MASE meeting #[0-9]* ([^)]*chair \([^)]*\)).*/\1/p' "$dir/demo-users.txt")"
      [ -n "$meeting" ] && [ -n "$user" ] || { echo "server_wrk: demo-users seeded no meeting" >&2; exit 1; }
      echo "$meeting" >"$run/ids.txt"
    else
      echo caseload >"$run/ids.txt"
    fi
    password="$(awk -v u="$user" '$1 == u && NF == 5 {print $4; exit}' "$dir/demo-users.txt")"
    secret="$(awk -v u="$user" '$1 == u && NF == 5 {print $5; exit}' "$dir/demo-users.txt")"
    [ -n "$secret" ] || { echo "server_wrk: no demo account $user in $dir/demo-users.txt" >&2; exit 1; }
  else
    # A user of the agency: its own records are always visible to its analysts, practitioners and managers
    # (docs/api.md).
    user="bench-$agency-$role"
    password="bench-$(head -c 18 /dev/urandom | base64 | tr '+/' '-_')"
    local added
    added="$(printf '%s\n' "$password" | "$bin" user add --db "$db" --name "$user" --agency "$agency" --role "$role" \
      --password-stdin)"
    secret="$(printf '%s\n' "$added" | sed -n 's/^TOTP secret: *//p')"
    [ -n "$secret" ] || { echo "server_wrk: no TOTP secret from user add" >&2; exit 1; }

    # Children with at least one record from the agency (the user may see each of them).
    sqlite3 "$db" "SELECT DISTINCT mp.person_id FROM event e JOIN source_record r ON r.id = e.source_record_id
                   JOIN mention_person mp ON mp.mention_id = e.subject_mention_id
                   JOIN person p ON p.id = mp.person_id AND p.active = 1 AND p.is_child = 1
                   WHERE r.agency_code = '$agency' ORDER BY mp.person_id" >"$run/ids.txt"
  fi
  local children
  children="$(wc -l <"$run/ids.txt")"

  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null ||
          echo $((20000 + RANDOM % 20000)))"
  local serve_args=(serve --db "$db" --listen "127.0.0.1:$port")
  [ -n "$workers" ] && serve_args+=(--workers "$workers")
  "$bin" "${serve_args[@]}" >"$run/serve.log" 2>&1 &
  server_pid=$!
  local url="http://127.0.0.1:$port"
  for _ in $(seq 100); do
    curl -s -o /dev/null "$url/api/session" && break
    sleep 0.1
  done

  local code
  code="$(oathtool --totp -b "$secret")"
  local body
  body="$(printf '{"user":"%s","password":"%s","totp":"%s"}' "$user" "$password" "$code")"
  curl -s -D "$run/login.headers" -o "$run/login.json" -H 'Content-Type: application/json' \
    --data-binary "$body" "$url/api/login"
  local cookie
  cookie="$(sed -n 's/^Set-Cookie: \(__Host-rr_session=[^;]*\).*/\1/Ip' "$run/login.headers" | tr -d '\r')"
  [ -n "$cookie" ] || { echo "server_wrk: login failed: $(cat "$run/login.json")" >&2; exit 1; }
  # One warm-up read, so the figures do not include opening the store (the radar's is audited by nothing).
  case "$path" in
    child) curl -s -o /dev/null -H "Cookie: $cookie" "$url/api/children/$(head -1 "$run/ids.txt")" ;;
    radar) curl -s -o /dev/null -H "Cookie: $cookie" "$url/api/radar" ;;
    caseload) curl -s -o "$run/warm.json" -H "Cookie: $cookie" "$url/api/caseload" ;;
    agenda) curl -s -o "$run/warm.json" -H "Cookie: $cookie" "$url/api/mase/meetings/$(head -1 "$run/ids.txt")" ;;
  esac
  local audit_action=read_child
  [ "$path" = caseload ] && audit_action=read_caseload
  [ "$path" = agenda ] && audit_action=read_meeting

  local before
  before="$(sqlite3 "$db" 'SELECT COALESCE(MAX(seq), 0) FROM audit_event')"
  local load_before
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  local cpu0
  cpu0="$(cpu_ticks "$server_pid")"
  local read_seconds=$((duration - 1))
  RR_COOKIE="$cookie" RR_IDS="$run/ids.txt" RR_READ_SECONDS="$read_seconds" RR_PATH="$path" \
    /usr/bin/time -f "wrk_cpu_s=%U+%S" wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 30s --latency \
    -s "$here/server_wrk.lua" "$url" >"$run/wrk.txt" 2>"$run/wrk.time"
  local cpu1
  cpu1="$(cpu_ticks "$server_pid")"
  local load_after
  load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""

  cat "$run/wrk.txt"
  local stats
  stats="$(grep '^RR child_2xx=' "$run/wrk.txt")"
  local ok other window
  ok="$(sed 's/.*child_2xx=\([0-9]*\).*/\1/' <<<"$stats")"
  other="$(sed 's/.*child_other=\([0-9]*\).*/\1/' <<<"$stats")"
  window="$(sed 's/.*window_s=\([0-9.]*\).*/\1/' <<<"$stats")"
  local p99
  p99="$(sed -n 's/^RR latency.*p99_ms=\([0-9.]*\).*/\1/p' "$run/wrk.txt")"
  local p50
  p50="$(sed -n 's/^RR latency_p50_ms=\([0-9.]*\).*/\1/p' "$run/wrk.txt")"
  local audited audited_reads expected_audit
  audited="$(sqlite3 "$db" "SELECT COUNT(*) FROM audit_event WHERE seq > $before")"
  audited_reads="$(sqlite3 "$db" "SELECT COUNT(*) FROM audit_event WHERE seq > $before AND action = '$audit_action'
                                  AND outcome = 'ok' AND user_name = '$user'")"
  expected_audit="$ok"
  [ "$path" = radar ] && expected_audit=0
  local hz
  hz="$(getconf CLK_TCK)"
  local server_cpu
  server_cpu="$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$hz" 'BEGIN {printf "%.2f", (b - a) / hz}')"
  local rate
  rate="$(awk -v n="$ok" -v w="$window" 'BEGIN {printf "%.0f", n / w}')"
  local per_read_us
  per_read_us="$(awk -v c="$server_cpu" -v n="$ok" 'BEGIN {printf "%.0f", n ? c * 1e6 / n : 0}')"
  local verify status=0
  if verify="$("$bin" audit verify --db "$db" 2>&1)"; then :; else status=1; fi
  echo "$verify"
  local what="audited child reads"
  [ "$path" = radar ] && what="radar reads"
  [ "$path" = caseload ] && what="audited caseload reads ($(grep -o '"child_id"' "$run/warm.json" | wc -l) children each)"
  [ "$path" = agenda ] && what="audited agenda reads ($(grep -o '"reasons"' "$run/warm.json" | wc -l) items each)"
  echo "run $n ($path, $user, ${workers:-default} workers): $ok $what (2xx) in ${window} s = $rate reads/s;" \
       "p50 ${p50} ms; p99 ${p99} ms; server CPU ${server_cpu} s = ${per_read_us} us/read; $(cat "$run/wrk.time");" \
       "children $children; load $load_before -> $load_after"
  if [ "$other" != 0 ] || grep -q 'Socket errors' "$run/wrk.txt"; then
    echo "run $n: FAIL: $other reads were not 2xx, or wrk saw socket errors" >&2
    status=1
  fi
  if [ "$audited" != "$expected_audit" ] || [ "$audited_reads" != "$expected_audit" ]; then
    echo "run $n: FAIL: the audit log grew by $audited events ($audited_reads child reads) for $ok 2xx $what" >&2
    status=1
  elif [ "$path" != radar ]; then
    echo "run $n: audit log grew by exactly $audited events = the 2xx $path reads"
  else
    echo "run $n: audit log did not grow (the radar is an unaudited aggregate)"
  fi
  [ "$status" = 0 ] || exit 1
  echo "RESULT run=$n path=$path role=$role agency=$agency workers=${workers:-default} reads_per_s=$rate p50_ms=$p50 p99_ms=$p99 server_cpu_s=$server_cpu us_per_read=$per_read_us" \
       "load=\"$load_before -> $load_after\""
  rm -rf "$run"
}

for n in $(seq "$runs"); do
  run_once "$n"
done

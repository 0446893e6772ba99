#!/usr/bin/env bash
# ctest install.operator_drill: issue 18's "done when", run from docs/operator-guide.md itself. It builds the
# Debian package, then takes every shell block of the guide marked `<!-- drill: NAME -->` and runs it as written:
# install the package, a test certificate, the configuration, `init`, a synthetic partnership, the service over
# TLS, an account, backups; a lost laptop, a key rotation and a lost server (destroy, restore, verify). Between
# the steps it signs in through the API as the web application does (the first administrator enrols, a
# practitioner reads a child) and checks what each step promised.
#
# The sandbox maps the guide's system paths into a scratch directory (/etc/riskradar, /var/lib/riskradar,
# /backups, /usr) and port 8443 to a free one; RISKRADAR_CONFIG names the mapped /etc/riskradar/riskradar.toml.
# `apt install` unpacks the package there and runs its postinst (with the user and owner steps left out: there is
# no riskradar user); `systemctl` runs the installed unit's ExecStart in the background (start, stop, reload);
# `sudo -u riskradar` runs the command as the current user; `chown` and install's -o/-g do nothing.
#   tests/install/operator_drill.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build="$(cd "$1" && pwd)"
source_dir="$(cd "$2" && pwd)"
guide="$source_dir/docs/operator-guide.md"
fail() { echo "operator drill: $*" >&2; exit 1; }
for tool in cpack dpkg-deb openssl curl jq oathtool; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/debian-packages.txt lists it)"
done
[ -x "$build/riskradar" ] || fail "no riskradar binary in $build"

work="$(mktemp -d "${TMPDIR:-/tmp}/rr-drill.XXXXXX")"
ROOT="$work/root"
mkdir -p "$ROOT" "$work/pkg" "$work/steps" "$work/stubbin"
cleanup() {
  if [ -s "$work/server.pid" ]; then kill -TERM "$(cat "$work/server.pid")" 2>/dev/null || true; sleep 1; fi
  [ -n "${KEEP_DRILL:-}" ] && { echo "kept $work"; return; }
  rm -rf "$work"
}
trap cleanup EXIT

# Two free ports side by side (the server's and its metrics listener's): ones nothing answers on.
PORT=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null &&
    ! (exec 3<>"/dev/tcp/127.0.0.1/$((candidate + 1))") 2>/dev/null; then
    PORT="$candidate"
    break
  fi
done
[ -n "$PORT" ] || fail "no free port found"
METRICS_PORT=$((PORT + 1))

# 1. The package, as `cpack -G DEB` makes it from this build.
(cd "$work/pkg" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >"$work/cpack.log" 2>&1) ||
  { cat "$work/cpack.log"; fail "cpack -G DEB failed"; }
ls "$work"/pkg/riskradar_*_amd64.deb >/dev/null || fail "cpack wrote no riskradar_*_amd64.deb"
rm -rf "$work/pkg/_CPack_Packages"

# The sandbox: the guide's paths mapped into $ROOT, and the system commands the guide uses.
cat >"$work/map.sed" <<EOF
s|/etc/riskradar|$ROOT/etc/riskradar|g
s|/var/lib/riskradar|$ROOT/var/lib/riskradar|g
s|/var/log/riskradar|$ROOT/var/log/riskradar|g
s|/etc/systemd/system|$ROOT/etc/systemd/system|g
s|/usr/share/riskradar|$ROOT/usr/share/riskradar|g
s|/usr/bin/riskradar|$ROOT/usr/bin/riskradar|g
s|/run/systemd/system|$ROOT/run/systemd/system|g
s|/backups|$ROOT/backups|g
s|:8443|:$PORT|g
s|:9464|:$METRICS_PORT|g
EOF
printf '#!/bin/sh\nexit 0\n' >"$work/stubbin/getent"
printf '#!/bin/sh\necho "adduser must not run in the drill" >&2; exit 1\n' >"$work/stubbin/adduser"
chmod +x "$work/stubbin/getent" "$work/stubbin/adduser"
cat >"$work/stubs.sh" <<'EOF'
map() { sed -f "$work/map.sed"; }
apt() {
  [ "$1" = install ] || { echo "apt stub: only 'apt install ./FILE.deb'" >&2; return 2; }
  shift
  local deb
  for deb in "$@"; do
    dpkg-deb -x "$deb" "$ROOT"
    rm -rf "$work/control" && dpkg-deb -e "$deb" "$work/control"
    local fresh_config=1
    [ -e "$ROOT/etc/riskradar/riskradar.toml" ] && fresh_config=0
    # The postinst as packaged, minus owners (no riskradar user here; getent says it exists, so adduser is not run).
    map <"$work/control/postinst" | sed -E 's/ -o [a-z]+ -g [a-z]+//g' >"$work/postinst.sh"
    PATH="$work/stubbin:$PATH" sh "$work/postinst.sh" configure
    [ "$fresh_config" = 1 ] && sed -i -f "$work/map.sed" "$ROOT/etc/riskradar/riskradar.toml"
  done
  return 0
}
sudo() {
  if [ "$1" = -u ]; then shift 2; fi
  "$@"
}
chown() { :; }
install() {
  local args=()
  while [ $# -gt 0 ]; do
    case "$1" in -o | -g) shift 2 ;; *) args+=("$1"); shift ;; esac
  done
  command install "${args[@]}"
}
ready() {
  local i
  for i in $(seq 1 120); do
    if curl --fail --silent --cacert "$ROOT/etc/riskradar/tls/fullchain.pem" "https://localhost:$PORT/readyz" >/dev/null; then
      return 0
    fi
    kill -0 "$(cat "$work/server.pid")" 2>/dev/null || { echo "the service exited:" >&2; tail -20 "$work/server.log" >&2; return 1; }
    sleep 0.5
  done
  echo "the service did not become ready in 60 s" >&2
  return 1
}
systemctl() {
  local verb="$1"
  shift
  [ "$verb" = daemon-reload ] && return 0
  [ "$verb" = enable ] && [ "$1" = --now ] && { shift; verb=start; }
  [ "$verb" = restart ] && { systemctl stop "$@" && systemctl start "$@"; return; }
  [ "$1" = riskradar ] || { echo "systemctl stub: only the riskradar unit" >&2; return 2; }
  local unit
  unit="$(find "$ROOT" -name riskradar.service -path '*systemd/system*' | head -1)"
  case "$verb" in
    start)
      [ -s "$work/server.pid" ] && kill -0 "$(cat "$work/server.pid")" 2>/dev/null && return 0
      local exec_start
      exec_start="$(sed -n 's/^ExecStart=//p' "$unit" | map)"
      echo "--- start: $exec_start" >>"$work/server.log"
      # shellcheck disable=SC2086
      setsid $exec_start </dev/null >>"$work/server.log" 2>&1 &
      echo $! >"$work/server.pid"
      ready ;;
    stop)
      [ -s "$work/server.pid" ] || return 0
      local pid i
      pid="$(cat "$work/server.pid")"
      kill -TERM "$pid" 2>/dev/null || true
      for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pid" 2>/dev/null && { echo "the service did not stop" >&2; return 1; }
      : >"$work/server.pid" ;;
    reload) kill -HUP "$(cat "$work/server.pid")" ;;
    *) echo "systemctl stub: $verb" >&2; return 2 ;;
  esac
}
EOF
export work ROOT PORT
export RISKRADAR_CONFIG="$ROOT/etc/riskradar/riskradar.toml"
export PATH="$ROOT/usr/bin:$PATH"
export USER="${USER:-drill-operator}"
unset RISKRADAR_DB RISKRADAR_AUDIT_KEY RISKRADAR_TOTP_KEY RISKRADAR_DATA_DIR RISKRADAR_ACTOR SUDO_USER

# The guide's block NAME (exactly one), mapped into the sandbox.
block() {
  local n
  n="$(grep -cxF "<!-- drill: $1 -->" "$guide" || true)"
  [ "$n" = 1 ] || fail "docs/operator-guide.md has $n blocks marked 'drill: $1' (expected 1)"
  awk -v marker="<!-- drill: $1 -->" '
    $0 == marker { want = 1; next }
    want == 1 && /^```sh$/ { inside = 1; want = 0; next }
    want == 1 && NF > 0 { exit }
    inside && /^```$/ { exit }
    inside { print }' "$guide" | sed -f "$work/map.sed"
}
# Runs the guide's block NAME from the package's folder (where `apt install ./...deb` finds it); its output is
# kept in $work/steps/NAME.log. STDIN_FILE, when set, is the block's standard input.
step() {
  local name="$1" text
  text="$(block "$name")"
  [ -n "$text" ] || fail "the block marked 'drill: $name' is empty or not a \`\`\`sh block"
  printf 'set -euo pipefail\nsource "%s"\n%s\n' "$work/stubs.sh" "$text" >"$work/steps/$name.sh"
  echo "== $name"
  if ! (cd "$work/pkg" && bash "$work/steps/$name.sh" <"${STDIN_FILE:-/dev/null}" >"$work/steps/$name.log" 2>&1); then
    sed 's/^/  | /' "$work/steps/$name.log" >&2
    echo "  server log:" >&2
    tail -20 "$work/server.log" 2>/dev/null | sed 's/^/  | /' >&2
    fail "step '$name' of docs/operator-guide.md failed"
  fi
}
mode_of() { stat -c %a "$1"; }

# The API, as the web application uses it: a cookie jar per user, the CSRF token from the sign-in answer.
api() {  # api JAR METHOD PATH [JSON] -> body, then the status code on the last line
  local jar="$1" method="$2" path="$3" body="${4:-}" csrf=""
  [ -s "$jar.csrf" ] && csrf="$(cat "$jar.csrf")"
  local args=(--silent --show-error --cacert "$ROOT/etc/riskradar/tls/fullchain.pem" -c "$jar" -b "$jar"
    -X "$method" -w '\n%{http_code}' -H "X-CSRF-Token: $csrf")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  curl "${args[@]}" "https://localhost:$PORT$path"
}
status_of() { tail -n 1 <<<"$1"; }
body_of() { sed '$d' <<<"$1"; }
# A current one-time code that the server has not seen for this user: the server accepts one step either side
# of now and never the same step twice, so after a step was used the next one is taken (or awaited).
# The last step used per user is kept in a file (callers run in command substitutions).
code_for() {  # code_for USER SECRET
  local user="$1" secret="$2" now last step
  now=$(($(date +%s) / 30))
  last="$(cat "$work/totp-step.$user" 2>/dev/null || echo 0)"
  step=$now
  [ "$step" -le "$last" ] && step=$((last + 1))
  while [ "$step" -gt $((now + 1)) ]; do sleep 2; now=$(($(date +%s) / 30)); done
  echo "$step" >"$work/totp-step.$user"
  oathtool --totp -b -N "@$((step * 30))" "$secret"
}
sign_in() {  # sign_in JAR USER PASSWORD SECRET -> the answer's body; fails unless 200
  local jar="$1" user="$2" password="$3" secret="$4" code r
  rm -f "$jar" "$jar.csrf"
  code="$(code_for "$user" "$secret")"
  r="$(api "$jar" POST /api/login "$(jq -nc --arg u "$user" --arg p "$password" --arg t "$code" '{user:$u,password:$p,totp:$t}')")"
  [ "$(status_of "$r")" = 200 ] || fail "sign-in of $user answered $(status_of "$r"): $(body_of "$r")"
  body_of "$r" | jq -r .csrf_token >"$jar.csrf"
  body_of "$r"
}
get_ok() {  # get_ok JAR PATH -> body; fails unless 200
  local r
  r="$(api "$1" GET "$2")"
  [ "$(status_of "$r")" = 200 ] || fail "GET $2 answered $(status_of "$r"): $(body_of "$r")"
  body_of "$r"
}
field() { sed -n "s/^$1: *//p" "$2" | head -1; }

# --- A new deployment, step by step ------------------------------------------------------------------------------
step install
[ -x "$ROOT/usr/bin/riskradar" ] || fail "the package did not install /usr/bin/riskradar"
[ "$(mode_of "$ROOT/etc/riskradar/keys")" = 700 ] || fail "postinst: /etc/riskradar/keys is not 0700"
[ "$(mode_of "$ROOT/var/lib/riskradar")" = 700 ] || fail "postinst: /var/lib/riskradar is not 0700"
grep -q "^store = \"$ROOT/var/lib/riskradar/riskradar.db\"" "$RISKRADAR_CONFIG" || fail "postinst wrote no configuration"
step test-certificate
step configure
grep -q "^tls_cert = \"$ROOT/etc/riskradar/tls/fullchain.pem\"" "$RISKRADAR_CONFIG" || fail "configure: TLS not on"
grep -q "$ROOT/etc/riskradar/keys/audit-key" "$work/steps/configure.log" || fail "keys show does not name the configured key"
step init
admin_code="$(grep -A1 'one-time sign-in code' "$work/steps/init.log" | tail -1 | tr -d ' ')"
[ "${#admin_code}" -ge 32 ] || fail "init printed no one-time sign-in code"
for f in var/lib/riskradar/riskradar.db etc/riskradar/keys/audit-key etc/riskradar/keys/totp-key; do
  [ "$(mode_of "$ROOT/$f")" = 600 ] || fail "init: /$f is not 0600"
done
[ ! -e "$ROOT/var/lib/riskradar/riskradar.db.audit-key" ] || fail "init put a key beside the store, not where [keys] says"
step load-synthetic
grep -q "children" "$work/steps/load-synthetic.log" || fail "status after loading shows no children"
step start
grep -q '"ready"' "$work/steps/start.log" || fail "/readyz did not answer ready"
curl --silent --fail "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && fail "the service answered plain HTTP"
step log-to-file
log_file="$ROOT/var/log/riskradar/riskradar.log"
[ -s "$log_file" ] && [ "$(mode_of "$log_file")" = 600 ] || fail "the log file is missing, empty or not 0600"
grep -q '"route":"/readyz"' "$log_file" || fail "the access log did not go to the configured file"
step metrics
grep -q '^riskradar_http_requests_total{method="GET",route="/readyz",status="200"}' "$work/steps/metrics.log" ||
  fail "the metrics do not count the /readyz checks"
grep -q '^riskradar_audit_queue_depth' "$work/steps/metrics.log" || fail "the metrics lack the audit queue depth"
# A renewed certificate (another key), reloaded without a restart.
served_fingerprint() {
  openssl s_client -connect "127.0.0.1:$PORT" -servername localhost </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256
}
before_renewal="$(served_fingerprint)"
mkdir -p "$work/pkg/renewed"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 60 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -keyout "$work/pkg/renewed/privkey.pem" \
  -out "$work/pkg/renewed/fullchain.pem" 2>/dev/null
server_pid="$(cat "$work/server.pid")"
step tls-renewal
renewed="$(openssl x509 -noout -fingerprint -sha256 -in "$work/pkg/renewed/fullchain.pem")"
for _ in $(seq 1 50); do [ "$(served_fingerprint)" = "$renewed" ] && break; sleep 0.2; done
[ "$(served_fingerprint)" = "$renewed" ] || fail "after reload the service still serves $before_renewal, not the renewed certificate"
[ "$(cat "$work/server.pid")" = "$server_pid" ] && kill -0 "$server_pid" || fail "the reload restarted the service"
grep -q "TLS certificate reloaded" "$log_file" || fail "the reload was not logged"

# The first administrator enrols (one-time code as the password, any six digits), then signs in as themselves.
admin_pass="drill administrator's own long passphrase"
r="$(api "$work/admin" POST /api/login "$(jq -nc --arg p "$admin_code" '{user:"ada.ops",password:$p,totp:"000000"}')")"
[ "$(status_of "$r")" = 200 ] || fail "the first administrator's sign-in answered $(status_of "$r")"
[ "$(body_of "$r" | jq -r .must_enrol)" = true ] || fail "the first administrator was not asked to enrol"
admin_secret="$(body_of "$r" | jq -r .totp_secret)"
body_of "$r" | jq -r .csrf_token >"$work/admin.csrf"
[ "$(status_of "$(api "$work/admin" GET /api/radar)")" = 403 ] || fail "an account that must enrol read the radar"
r="$(api "$work/admin" POST /api/session/enrol \
  "$(jq -nc --arg p "$admin_pass" --arg t "$(code_for ada.ops "$admin_secret")" '{password:$p,totp:$t}')")"
[ "$(status_of "$r")" = 200 ] || fail "enrolment answered $(status_of "$r"): $(body_of "$r")"
[ "$(sign_in "$work/admin" ada.ops "$admin_pass" "$admin_secret" | jq -r .role)" = administrator ] ||
  fail "the enrolled administrator is not an administrator"
children="$(get_ok "$work/admin" /api/radar | jq -r .children)"
[ "$children" -gt 50 ] || fail "the radar shows $children children after loading the synthetic partnership"

step users
amy_pass="$(field password "$work/steps/users.log")"
amy_secret="$(field 'TOTP secret' "$work/steps/users.log")"
[ -n "$amy_pass" ] && [ -n "$amy_secret" ] || fail "user add printed no password or TOTP secret"
sign_in "$work/amy" amy.khan "$amy_pass" "$amy_secret" >/dev/null
child_id="$(get_ok "$work/amy" '/api/people?role=child&limit=1' | jq -r '.people[0].id')"
[ "$child_id" != null ] || fail "the practitioner sees no child"
child_name="$(get_ok "$work/amy" "/api/children/$child_id" | jq -r .person.name)"
[ -n "$child_name" ] && [ "$child_name" != null ] || fail "the child's record has no name"
echo "   signed in: ada.ops (enrolled), amy.khan read child $child_id of $children on the radar"

step backup-passphrase
cp "$ROOT/etc/riskradar/keys/backup.pass" "$work/password-safe"
step backup
first_backup="$(ls -d "$ROOT"/backups/rr-* | head -1)"
[ "$(mode_of "$first_backup")" = 700 ] || fail "the backup folder is not 0700"
jq -e '.files | map(.role) | index("audit_key") and index("totp_key")' "$first_backup/MANIFEST.json" >/dev/null ||
  fail "the backup did not take the configured key files"

# --- Incident response -------------------------------------------------------------------------------------------
step lost-laptop
r="$(api "$work/amy" GET /api/session)"
[ "$(status_of "$r")" = 401 ] || fail "a disabled user's session still answered $(status_of "$r")"
r="$(api "$work/amy2" POST /api/login "$(jq -nc --arg p "$amy_pass" --arg t "$(code_for amy.khan "$amy_secret")" '{user:"amy.khan",password:$p,totp:$t}')")"
[ "$(status_of "$r")" = 401 ] || fail "a disabled user signed in ($(status_of "$r"))"
step lost-laptop-reset
amy_pass="$(field password "$work/steps/lost-laptop-reset.log")"
amy_secret="$(field 'TOTP secret' "$work/steps/lost-laptop-reset.log")"
[ -n "$amy_pass" ] && [ -n "$amy_secret" ] || fail "user reset printed no new credentials"
rm -f "$work/totp-step.amy.khan" # a new secret
sign_in "$work/amy" amy.khan "$amy_pass" "$amy_secret" >/dev/null

step retention
# The police's records are held in the plan (the agency hold); today nothing is due on a new deployment.
awk '$1 == "police_intelligence" { print $3; exit }' "$work/steps/retention.log" | grep -qE '^[1-9][0-9]*$' ||
  fail "retention plan shows no police records kept by the agency hold"
grep -q "records deleted: 0;" "$work/steps/retention.log" || fail "retention apply deleted records on a new deployment"
step upgrade
grep -q "up to date" "$work/steps/upgrade.log" || fail "migrate --status on a new store is not up to date"
grep -q "audit log ok" "$work/steps/upgrade.log" || fail "audit verify after the upgrade procedure did not say ok"
step rotate-keys
[ -s "$ROOT/etc/riskradar/keys/audit-key.retired" ] || fail "the audit key rotation left no .retired file"
sign_in "$work/amy" amy.khan "$amy_pass" "$amy_secret" >/dev/null # the secret was re-sealed under the new key
[ "$(get_ok "$work/amy" "/api/children/$child_id" | jq -r .person.name)" = "$child_name" ] ||
  fail "after the key rotation the child reads differently"
rotated_backup="$(ls -d "$ROOT"/backups/rr-*-rotated)"
jq -e '.files | map(.role) | index("audit_retired_keys")' "$rotated_backup/MANIFEST.json" >/dev/null ||
  fail "the backup after the rotation lacks the retired audit key"

# The server is lost: the service, the package, the store and every key file (the configuration and TLS files
# come back from the configuration's own backup; the backups from off-site; the passphrase from the safe).
systemctl_stop() { (source "$work/stubs.sh" && systemctl stop riskradar); }
systemctl_stop
cat "$log_file" >>"$work/server.log"
rm -rf "$ROOT/usr" "$ROOT/var/lib/riskradar" "$ROOT/etc/riskradar/keys" "$ROOT/var/log/riskradar"
mkdir -m 0700 "$ROOT/var/lib/riskradar" "$ROOT/etc/riskradar/keys"
STDIN_FILE="$work/password-safe" step lost-server
grep -q "audit log ok" "$work/steps/lost-server.log" || fail "audit verify after the restore did not say ok"
grep -q "$rotated_backup" "$work/steps/lost-server.log" || fail "the restore did not take the newest backup"
for f in var/lib/riskradar/riskradar.db etc/riskradar/keys/audit-key etc/riskradar/keys/audit-key.retired \
         etc/riskradar/keys/totp-key; do
  [ -e "$ROOT/$f" ] || fail "the restore did not put back /$f"
  [ "$(mode_of "$ROOT/$f")" = 600 ] || fail "restored /$f is not 0600"
done
sign_in "$work/amy" amy.khan "$amy_pass" "$amy_secret" >/dev/null
[ "$(get_ok "$work/amy" "/api/children/$child_id" | jq -r .person.name)" = "$child_name" ] ||
  fail "after the restore the practitioner does not read the same child"
[ "$(sign_in "$work/admin" ada.ops "$admin_pass" "$admin_secret" | jq -r .user)" = ada.ops ] ||
  fail "the administrator cannot sign in after the restore"
[ "$(get_ok "$work/admin" /api/radar | jq -r .children)" = "$children" ] || fail "the radar changed in the restore"
# The lost laptop through the web application's path: the administrator disables the account, no body needed.
r="$(api "$work/admin" POST /api/users/amy.khan/disable)"
[ "$(status_of "$r")" = 200 ] || fail "POST /api/users/amy.khan/disable without a body answered $(status_of "$r"): $(body_of "$r")"
[ "$(status_of "$(api "$work/amy" GET /api/session)")" = 401 ] || fail "the disabled practitioner's session lives on"
systemctl_stop
cat "$log_file" >>"$work/server.log"
grep -q '"status":500' "$work/server.log" && fail "the service answered 500: $(grep -m1 '"status":500' "$work/server.log")"
# The access log names no one: pseudonymous user ids, route templates, no query values.
for name in amy.khan ada.ops "$child_name"; do
  grep -qF "$name" "$work/server.log" && fail "the server's log names '$name'"
done
grep -q '"route":"/api/children/{id}"' "$work/server.log" || fail "the access log lacks the child reads"
echo "operator drill: installed, started over TLS, backed up, disabled and reset a user, rotated both keys," \
  "lost the server and restored it; amy.khan read child $child_id again"

#!/usr/bin/env bash
# The PostgreSQL restore drill (issue 16 item 5; docs/deploying-postgresql.md "Backups and the restore drill"),
# on the `pg` fixture's throw-away cluster:
#   1. a small demo on a new database (riskradar demo --db URL), its audit log verified: the root is noted;
#   2. pg_dump -Fc of that database, as the guide says;
#   3. the database destroyed (DROP DATABASE);
#   4. a new empty database restored from the dump (pg_restore --no-owner --exit-on-error);
#   5. riskradar audit verify on the restored database: it must verify, to the same root, with the same number
#      of events; and the store's counts must be the ones before.
# Also a copy from SQLite (riskradar migrate --from FILE.db --to URL) of another small demo, verified the same
# way. Usage: tests/pg/restore_drill.sh RISKRADAR_BINARY PG_STATE_DIR
set -euo pipefail
bin="$1"
state="$2"
fail() {
  echo "restore_drill: FAILED: $*" >&2
  exit 1
}
[ -s "$state/url" ] || fail "no cluster URL in $state/url (run through ctest: the pg fixture starts the cluster)"
server_url="$(cat "$state/url")"
bindir="$(cat "$state/bindir")"
work="$(mktemp -d /tmp/riskradar-drill.XXXXXX)"
db="drill_$$_$RANDOM"
copydb="drill_copy_$$_$RANDOM"
initdb_name="drill_init_$$_$RANDOM"
url="${server_url%/*}/$db"
copyurl="${server_url%/*}/$copydb"
admin() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -d "$server_url" -c "$1"; }
cleanup() {
  admin "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  admin "DROP DATABASE IF EXISTS $copydb WITH (FORCE)" >/dev/null 2>&1 || true
  admin "DROP DATABASE IF EXISTS $initdb_name WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export RISKRADAR_ACTOR=drill-operator

# The keys and the witness live in files, as a deployment's configuration names them.
keys() {  # keys PREFIX: the configuration naming PREFIX.{audit-key,totp-key,audit-witness}
  printf 'actor = "drill-operator"\n[keys]\naudit = "%s.audit-key"\ntotp = "%s.totp-key"\naudit_witness = "%s.audit-witness"\n' \
    "$1" "$1" "$1" >"$1.toml"
  echo "$1.toml"
}
root_of() {  # root_of OUTPUT: the root printed by audit verify
  sed -n 's/.*root \([0-9a-f]\{16,\}\).*/\1/p' <<<"$1" | head -n 1
}
events_of() {
  sed -n 's/.*\b\([0-9][0-9]*\) events.*/\1/p' <<<"$1" | head -n 1
}

# 1. A demo on a new database.
admin "CREATE DATABASE $db"
"$bin" demo --dir "$work/demo" --seed 5 --scale 0.05 --db "$url" >"$work/demo.log" 2>&1 ||
  { tail -n 30 "$work/demo.log"; fail "demo --db on PostgreSQL"; }
grep -q 'postgresql://riskradar:\*\*\*@' "$work/demo.log" || fail "the demo did not name the store with its password hidden"
if grep -q "$(sed -n 's|postgresql://riskradar:\([^@]*\)@.*|\1|p' "$state/url")" "$work/demo.log"; then
  fail "the demo's output holds the database password"
fi
conf="$(keys "$work/demo/riskradar-pg")"
before="$("$bin" --config "$conf" audit verify --db "$url" 2>&1)" || { echo "$before"; fail "audit verify before the dump"; }
root_before="$(root_of "$before")"
[ -n "$root_before" ] || { echo "$before"; fail "no root in audit verify's output"; }
status_before="$("$bin" --config "$conf" status --db "$url" 2>&1)" || { echo "$status_before"; fail "status before"; }

# 2-4. Dump, destroy, restore.
"$bindir/pg_dump" -Fc -d "$url" -f "$work/rr.dump" || fail "pg_dump"
admin "DROP DATABASE $db WITH (FORCE)"
admin "CREATE DATABASE $db"
"$bindir/pg_restore" --no-owner --exit-on-error -d "$url" "$work/rr.dump" || fail "pg_restore"

# 5. The restored log verifies to the same root.
after="$("$bin" --config "$conf" audit verify --db "$url" 2>&1)" || { echo "$after"; fail "audit verify after the restore"; }
[ "$(root_of "$after")" = "$root_before" ] || { echo "$before"; echo "$after"; fail "the restored root differs"; }
[ "$(events_of "$after")" = "$(events_of "$before")" ] || fail "the restored log has another number of events"
status_after="$("$bin" --config "$conf" status --db "$url" 2>&1)" || fail "status after"
[ "$status_after" = "$status_before" ] || { diff <(echo "$status_before") <(echo "$status_after"); fail "counts differ"; }
echo "restore_drill: dump, drop, restore: audit log verifies to the same root ${root_before:0:16} ($(events_of "$after") events)"

# A SQLite store copied across verifies to its own root.
"$bin" demo --dir "$work/sqlite" --seed 6 --scale 0.05 >"$work/sqlite.log" 2>&1 || fail "the SQLite demo"
sqlite_verify="$("$bin" audit verify --db "$work/sqlite/riskradar.db" 2>&1)" || fail "audit verify of the SQLite demo"
admin "CREATE DATABASE $copydb"
copy="$("$bin" migrate --from "$work/sqlite/riskradar.db" --to "$copyurl" 2>&1)" || { echo "$copy"; fail "migrate --from --to"; }
grep -q "verifies to the same root" <<<"$copy" || { echo "$copy"; fail "migrate did not report the root check"; }
copyconf="$(keys "$work/sqlite/riskradar.db")"  # the SQLite store's own key files serve its copy
copied="$("$bin" --config "$copyconf" audit verify --db "$copyurl" 2>&1)" ||
  { echo "$copied"; fail "audit verify of the copy"; }
[ "$(root_of "$copied")" = "$(root_of "$sqlite_verify")" ] || { echo "$sqlite_verify"; echo "$copied"; fail "copy root"; }
echo "restore_drill: migrate --from SQLite --to PostgreSQL: the copy verifies to the SQLite root $(root_of "$copied" | cut -c1-16)"

# First start on PostgreSQL: `init` makes the store and its keys, and refuses a database that holds one.
admin "CREATE DATABASE $initdb_name"
mkdir -p "$work/init"
initconf="$(keys "$work/init/rr")"
init_args=(--agency 'bcc-cs:council:Birmingham Children (fictional)' --admin ada-admin --admin-agency bcc-cs)
first="$("$bin" --config "$initconf" init --db "${server_url%/*}/$initdb_name" "${init_args[@]}" 2>&1)" ||
  { echo "$first"; fail "init on a new PostgreSQL database"; }
grep -q "riskradar:\*\*\*@" <<<"$first" || { echo "$first"; fail "init did not hide the password"; }
rm -f "$work/init/rr".{audit-key,audit-key.pub,totp-key,audit-witness}
set +e
again="$("$bin" --config "$initconf" init --db "${server_url%/*}/$initdb_name" "${init_args[@]}" 2>&1)"
code=$?
set -e
[ "$code" -eq 6 ] && grep -q "already holds a store" <<<"$again" ||
  { echo "$again"; fail "a second init on the same database was not refused (exit $code)"; }
echo "restore_drill: init makes a PostgreSQL store once and refuses a database that holds one"

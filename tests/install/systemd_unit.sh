#!/usr/bin/env bash
# ctest install.systemd_unit: the packaged service unit (packaging/riskradar.service.in, as configured into the
# build directory) has the sandbox docs/operator-guide.md promises, and `systemd-analyze verify` accepts it.
#   tests/install/systemd_unit.sh BUILD_DIR RISKRADAR_BINARY
set -euo pipefail
unit="$1/riskradar.service"
bin="$2"
fail() { echo "systemd unit test: $*" >&2; exit 1; }
[ -s "$unit" ] || fail "$unit was not generated"
for want in "User=riskradar" "Group=riskradar" "ProtectSystem=strict" "NoNewPrivileges=yes" \
            "StateDirectory=riskradar" "StateDirectoryMode=0700" "UMask=0077" "CapabilityBoundingSet=" \
            "PrivateTmp=yes" "ProtectHome=yes"; do
  grep -qx "$want" "$unit" || fail "missing $want"
done
grep -Eq '^ExecStart=/.*/riskradar --config /etc/riskradar/riskradar.toml serve$' "$unit" ||
  fail "ExecStart does not run serve with /etc/riskradar/riskradar.toml"
grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$unit" || fail "no ExecReload sending SIGHUP (TLS renewal)"
command -v systemd-analyze >/dev/null || { echo "systemd-analyze not installed: skipped"; exit 77; }
# Verify a copy whose ExecStart is this build's binary (the installed path need not exist here).
work="$(mktemp -d "${TMPDIR:-/tmp}/rr-unit.XXXXXX")"
trap 'rm -rf "$work"' EXIT
sed -E "s|^ExecStart=[^ ]+|ExecStart=$bin|" "$unit" >"$work/riskradar.service"
out="$(systemd-analyze verify --man=no "$work/riskradar.service" 2>&1)" || fail "systemd-analyze verify: $out"
# Warnings about this unit itself (not about the host's other units) fail the test too.
if grep -F "riskradar.service" <<<"$out" | grep -v "Failed to .*cgroup" | grep -q .; then
  fail "systemd-analyze verify warned: $out"
fi
echo "ok: $unit"

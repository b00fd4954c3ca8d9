#!/usr/bin/env bash
# The installed unit passes systemd-analyze verify (syntax, every setting
# known and well-formed, ExecStart executable), checked on the unit as
# unpacked from the .deb with ExecStart pointed into the unpacked root;
# and the same check does reject a broken unit, so a pass means something.
#   unit_verify.sh OUT_DIR BIN_DIR UNIT_DIR
set -euo pipefail
out=$(realpath "$1") bindir=$2 unitdir=$3
root=$out/root
unit=$root$unitdir/stratd.service
[[ -f $unit ]] || { echo "FAIL: no $unit" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# verify warns, without failing, on an unknown or malformed setting: any
# word from it about the unit is a failure here.
verify() {  # unit file -> 0 if clean
  local report rc=0
  report=$(systemd-analyze verify --man=no "$1" 2>&1) || rc=$?
  [[ -n $report ]] && printf '%s\n' "$report" >&2
  [[ $rc -eq 0 ]] && ! grep -q "stratd" <<<"$report"
}
into_root() { sed "s|^ExecStart=$bindir/|ExecStart=$root$bindir/|" "$unit"; }

into_root >"$work/stratd.service"
verify "$work/stratd.service" || { echo "FAIL: systemd-analyze verify rejects the installed unit" >&2; exit 1; }

broken() {  # description, sed expression that breaks the unit
  mkdir -p "$work/broken"
  into_root | sed "$2" >"$work/broken/stratd.service"
  if verify "$work/broken/stratd.service" 2>/dev/null; then
    echo "FAIL: systemd-analyze verify accepts a unit with $1" >&2
    exit 1
  fi
}
broken "a missing ExecStart binary" "s|^ExecStart=$root$bindir/stratd|ExecStart=$root$bindir/no-such-stratd|"
broken "a misspelt setting" "s|^ProtectHome=|ProtectHom=|"
broken "a bad KillMode" "s|^KillMode=.*|KillMode=sometimes|"
echo "ok: $unit verifies; broken copies do not"

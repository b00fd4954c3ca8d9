#!/usr/bin/env bash
# systemd-analyze security's offline review of the installed unit: its
# overall exposure must not rise above the score docs/operations.md
# records (a hardening setting lost in an edit fails here). Prints the
# whole review, the table the documentation quotes.
#   unit_security.sh OUT_DIR UNIT_DIR MAX_EXPOSURE
set -euo pipefail
out=$(realpath "$1") unitdir=$2 max=$3
unit=$out/root$unitdir/stratd.service
[[ -f $unit ]] || { echo "FAIL: no $unit" >&2; exit 1; }
# --threshold counts tenths: exposure 1.2 is 12.
[[ $max =~ ^([0-9]+)\.([0-9])$ ]] || { echo "FAIL: MAX_EXPOSURE '$max' is not like 1.2" >&2; exit 1; }
threshold=$((10#${BASH_REMATCH[1]} * 10 + ${BASH_REMATCH[2]}))
rc=0
systemd-analyze security --offline=yes --no-pager --threshold="$threshold" "$unit" || rc=$?
if [[ $rc -ne 0 ]]; then
  echo "FAIL: the unit's exposure is above $max (or systemd-analyze failed, exit $rc)" >&2
  exit 1
fi

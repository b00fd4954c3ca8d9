#!/usr/bin/env bash
# A/B of two stratd set-ups on the WebSocket path: each round runs
# bench/ws_bench.sh (stratd only) for one, then the other, the order
# alternating between rounds, and the end prints, per figure, each
# round's B/A ratio and their median (this machine's speed drifts within
# minutes: only ratios from the same round compare).
#   bench/ws_ab.sh A_BIN_DIR B_BIN_DIR [ROUNDS]
#   A_ARGS / B_ARGS: extra stratd arguments for each side, e.g. two
#   settings from the same build:
#     A_ARGS="--ws-send-buffer-bytes 65536" B_ARGS="--ws-send-buffer-bytes 262144" \
#       bench/ws_ab.sh build/bin build/bin 3
# Other settings (DURATION, CLIENTS, ...) pass through to ws_bench.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { sed -n 2,13p "$0"; exit 2; }
a_bin=$1 b_bin=$2 rounds=${3:-3}
out=$(mktemp /tmp/stratd-wsab-XXXXXX)
trap 'rm -f "$out"' EXIT

side() {  # label, bin dir, stratd args
  echo "== round $r, $1 (${3:-no extra arguments})"
  BIN_DIR=$2 SERVERS=stratd STRATD_ARGS=$3 bench/ws_bench.sh | tee >(cat >&2) |
    awk -v side="$1" -v round="$r" '
      /^[A-Z][0-9]?\. / { phase = $1 }
      /stratd \/ws/ { for (i = 1; i <= NF; ++i) if (split($i, kv, "=") == 2) print round, side, phase, kv[1], kv[2] }' >>"$out"
}
for r in $(seq 1 "$rounds"); do
  if (( r % 2 )); then
    side A "$a_bin" "${A_ARGS:-}"; side B "$b_bin" "${B_ARGS:-}"
  else
    side B "$b_bin" "${B_ARGS:-}"; side A "$a_bin" "${A_ARGS:-}"
  fi
done 2>&1

echo
echo "B/A per round (median) for each figure:"
awk '
  { v[$1, $2, $3, $4] = $5; keys[$3 " " $4] = 1; if ($1 > n) n = $1 }
  END {
    for (k in keys) {
      split(k, pk, " "); m = 0; line = ""
      for (r = 1; r <= n; ++r) {
        a = v[r, "A", pk[1], pk[2]]; b = v[r, "B", pk[1], pk[2]]
        if (a == "" || b == "" || a + 0 == 0) continue
        ratio[++m] = b / a; line = line sprintf(" %.2f", b / a)
      }
      if (m == 0) continue
      for (i = 1; i <= m; ++i) for (j = i + 1; j <= m; ++j) if (ratio[j] < ratio[i]) { t = ratio[i]; ratio[i] = ratio[j]; ratio[j] = t }
      med = m % 2 ? ratio[(m + 1) / 2] : (ratio[m / 2] + ratio[m / 2 + 1]) / 2
      printf "  %-4s %-22s median %.2f  rounds%s\n", pk[1], pk[2], med, line
    }
  }' "$out" | sort

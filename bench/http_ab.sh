#!/usr/bin/env bash
# A/B of two stratd builds on the REST path: each round starts one build,
# then the other (order alternating between rounds), adds 10 runners and
# runs wrk on a snapshot, the runner list and /health. Prints requests/s
# and p99 per run, then each figure's new/old ratio per round and the
# median of those (this machine's speed drifts: only a round's ratios
# compare).
#   bench/http_ab.sh OLD_BIN_DIR NEW_BIN_DIR [ROUNDS]
# e.g. with the previous commit built in a worktree:
#   git worktree add /tmp/prev HEAD~1 && cmake -S /tmp/prev -B /tmp/prev/build -G Ninja \
#     -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build /tmp/prev/build --target stratd strat-worker strat-feed
#   bench/http_ab.sh /tmp/prev/build/bin build/bin 4
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { sed -n 2,9p "$0"; exit 2; }
old=$1 new=$2 rounds=${3:-4}
duration=${DURATION:-10}
state=""
pid=""
results=$(mktemp /tmp/stratd-httpab-XXXXXX)
stop() {
  if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [[ -n $state ]]; then rm -rf "$state"; fi
  pid="" state=""
}
trap 'stop; rm -f "$results"' EXIT
measure() {  # label, bin dir
  state=$(mktemp -d /tmp/stratd-ab-XXXXXX)
  "$2/stratd" --port 0 --state-dir "$state" --strategies-dir "$PWD/strategies" --log-level warn >"$state/out" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do [[ -s $state/http.url ]] && break; sleep 0.1; done
  local url
  url=$(cat "$state/http.url")
  for i in $(seq 1 10); do
    curl -sf -o /dev/null -X POST "$url/api/runners" \
      -d "{\"runner_id\":\"bench_$i\",\"symbol\":\"SYM$i\",\"strategy_path\":\"ema_crossover.lua\"}"
  done
  for _ in $(seq 1 100); do
    curl -s "$url/api/runners/bench_1/snapshot" | grep -q '"ticks_processed":[1-9]' && break
    sleep 0.1
  done
  for path in /api/runners/bench_1/snapshot /api/runners /health; do
    wrk -t2 -c64 -d"${duration}s" --latency -s bench/wrk_percentiles.lua "$url$path" | grep '^RESULT' |
      awk -v l="$1" -v p="$path" '{printf "  %-4s %-32s %s %s\n", l, p, $2, $6}' | tee -a "$results"
  done
  stop
}
for r in $(seq 1 "$rounds"); do
  echo "round $r"
  echo "round $r" >>"$results"
  if (( r % 2 )); then measure old "$old"; measure new "$new"; else measure new "$new"; measure old "$old"; fi
done
echo
echo "new/old per round (median):"
awk '
  /^round/ { r = $2; if (r > n) n = r; next }
  { split($3, q, "="); split($4, p, "="); rps[r, $1, $2] = q[2]; p99[r, $1, $2] = p[2]; paths[$2] = 1 }
  END {
    for (path in paths) for (f = 1; f <= 2; ++f) {
      m = 0; line = ""
      for (i = 1; i <= n; ++i) {
        a = f == 1 ? rps[i, "old", path] : p99[i, "old", path]; b = f == 1 ? rps[i, "new", path] : p99[i, "new", path]
        if (a + 0 == 0) continue
        x[++m] = b / a; line = line sprintf(" %.2f", b / a)
      }
      for (i = 1; i <= m; ++i) for (j = i + 1; j <= m; ++j) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
      med = m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
      printf "  %-32s %-8s median %.2f  rounds%s\n", path, f == 1 ? "req/s" : "p99", med, line
    }
  }' "$results" | sort

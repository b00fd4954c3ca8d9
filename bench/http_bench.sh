#!/usr/bin/env bash
# REST latency under load: wrk (64 connections) against the real stratd with
# N live runners, and, in the same run, the HTTP stack's floor (/health) and
# a Node.js http server returning the same snapshot bytes.
#
#   bench/http_bench.sh                 # 10 runners, 15 s per target
#   RUNNERS=50 DURATION=30 bench/http_bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."

runners=${RUNNERS:-10}
duration=${DURATION:-15}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
build_dir=${BUILD_DIR:-build}
node_port=${NODE_PORT:-39123}

scripts/deps --bench
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" --target stratd >/dev/null

state=$(mktemp -d /tmp/stratd-bench-XXXXXX)
stratd_pid=""
node_pid=""
cleanup() {
  [[ -n $node_pid ]] && kill "$node_pid" 2>/dev/null || true
  if [[ -n $stratd_pid ]]; then
    kill -TERM "$stratd_pid" 2>/dev/null || true
    wait "$stratd_pid" 2>/dev/null || true
  fi
  rm -rf "$state"
}
trap cleanup EXIT

"$build_dir/bin/stratd" --port 0 --state-dir "$state" --log-level warn >"$state/stratd.out" 2>&1 &
stratd_pid=$!
for _ in $(seq 1 100); do [[ -s $state/http.url ]] && break; sleep 0.1; done
url=$(cat "$state/http.url")

symbols=(BTCUSDT ETHUSDT SOLUSDT XRPUSDT ADAUSDT DOGEUSDT BNBUSDT DOTUSDT LTCUSDT LINKUSDT)
for i in $(seq 1 "$runners"); do
  sym=${symbols[$(( (i - 1) % ${#symbols[@]} ))]}
  curl -sf -o /dev/null -X POST "$url/api/runners" \
    -d "{\"runner_id\":\"bench_$i\",\"symbol\":\"$sym\",\"strategy_path\":\"ema_crossover.lua\"}"
done
# Wait until every runner has published a few ticks.
for _ in $(seq 1 100); do
  ticks=$(curl -s "$url/api/runners/bench_$runners/snapshot" | grep -o '"ticks_processed":[0-9]*' | head -1 | cut -d: -f2)
  [[ ${ticks:-0} -ge 4 ]] && break
  sleep 0.1
done

curl -s "$url/api/runners/bench_1/snapshot" >"$state/snapshot.json"
node bench/node_static_server.js "$node_port" "$state/snapshot.json" >/dev/null &
node_pid=$!
for _ in $(seq 1 50); do curl -s -o /dev/null "http://127.0.0.1:$node_port/" && break; sleep 0.1; done

run() {
  local label=$1 target=$2
  local line
  line=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s bench/wrk_percentiles.lua "$target" | grep '^RESULT')
  printf '%-34s %s\n' "$label" "${line#RESULT }"
}

echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, kernel $(uname -r)"
echo "stratd: $runners runners at 4 ticks/s; wrk: $threads threads, $connections connections, ${duration}s each"
echo "(wrk, stratd, its workers and node share the same cores)"
run "stratd GET /api/runners/:id/snapshot" "$url/api/runners/bench_1/snapshot"
run "stratd GET /api/runners" "$url/api/runners"
run "stratd GET /health (floor)" "$url/health"
run "node http, same snapshot bytes" "http://127.0.0.1:$node_port/"

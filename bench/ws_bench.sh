#!/usr/bin/env bash
# WebSocket fan-out: stratd against a Node.js `ws` broadcast server fed the
# same events, in one run. Latency is measured from the worker's publish
# time (publish_ns, in every event) to the client's receipt; for the Node
# server also from its own receipt (relay_ns), i.e. its added delay alone.
#   A.  RUNNERS runners tick every INTERVAL_MS; CLIENTS clients, each
#       subscribed to one runner's ticks (defaults: 10 x 10 ms, 100 clients:
#       10,000 events/s delivered, 100 per client).
#   A2. the same with a tick every FAST_INTERVAL_MS (1 ms: 10,000 events/s
#       produced, 100,000 delivered).
#   B.  BATCH_CLIENTS clients take everything in 50 ms batches (1 ms ticks).
#   C.  IDLE_CLIENTS idle connections: server RSS growth per connection.
#
#   bench/ws_bench.sh
#   DURATION=30 CLIENTS=200 bench/ws_bench.sh
#   BIN_DIR=/tmp/prev/build/bin SERVERS=stratd STRATD_ARGS="--config x.toml" bench/ws_bench.sh
# BIN_DIR: prebuilt stratd, workers and load driver (nothing is built);
# SERVERS=stratd skips the Node comparison; STRATD_ARGS go to stratd.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/announced_port.sh

runners=${RUNNERS:-10}
interval_ms=${INTERVAL_MS:-10}
fast_interval_ms=${FAST_INTERVAL_MS:-1}
clients=${CLIENTS:-100}
batch_clients=${BATCH_CLIENTS:-20}
idle_clients=${IDLE_CLIENTS:-1000}
duration=${DURATION:-15}
build_dir=${BUILD_DIR:-build}
node_port=""

servers=${SERVERS:-both}
read -r -a stratd_args <<<"${STRATD_ARGS:-}"

scripts/deps --bench
if [[ -n ${BIN_DIR:-} ]]; then
  bin_dir=$BIN_DIR
else
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$build_dir" --target stratd bench_ws_load >/dev/null
  bin_dir="$build_dir/bin"
fi
node_dir="$build_dir/node"
if [[ $servers != stratd && ! -d $node_dir/node_modules/ws ]]; then
  mkdir -p "$node_dir"
  npm install --silent --no-audit --no-fund --prefix "$node_dir" ws@8 >/dev/null
fi
load="$bin_dir/bench_ws_load"

state=""
stratd_pid=""
relay_pid=""
ws_url=""
stop_relay() {
  if [[ -n $relay_pid ]]; then
    kill "$relay_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$relay_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$relay_pid" 2>/dev/null || true
    wait "$relay_pid" 2>/dev/null || true
  fi
  relay_pid=""
}
stop_stratd() {
  if [[ -n $stratd_pid ]]; then kill -TERM "$stratd_pid" 2>/dev/null || true; wait "$stratd_pid" 2>/dev/null || true; fi
  stratd_pid=""
  [[ -n $state ]] && rm -rf "$state"
  state=""
}
trap 'stop_relay; stop_stratd' EXIT

start_stratd() {  # tick interval in ms
  state=$(mktemp -d /tmp/stratd-wsbench-XXXXXX)
  "$bin_dir/stratd" --port 0 --state-dir "$state" --strategies-dir "$PWD/strategies" --sim-interval-ms "$1" \
    --log-level warn "${stratd_args[@]}" >"$state/stratd.out" 2>&1 &
  stratd_pid=$!
  for _ in $(seq 1 100); do [[ -s $state/http.url ]] && break; sleep 0.1; done
  local url
  url=$(cat "$state/http.url")
  ws_url="ws://${url#http://}/ws"
  for i in $(seq 0 $((runners - 1))); do
    curl -sf -o /dev/null -X POST "$url/api/runners" \
      -d "{\"runner_id\":\"bench_$i\",\"symbol\":\"SYM$i\",\"strategy_path\":\"ema_crossover.lua\",\"window_size\":50}"
  done
  for _ in $(seq 1 200); do
    local n
    n=$(curl -s "$url/api/engine/health" | grep -o '"healthy_runners":[0-9]*' | cut -d: -f2)
    [[ ${n:-0} -ge $runners ]] && break
    sleep 0.1
  done
}
start_relay() {  # batch ms (0: per event), upstream batch ms (0: per event)
  rm -f "$state/relay.out"  # never an earlier relay's announcement
  NODE_PATH="$node_dir/node_modules" node bench/node_ws_relay.js "$ws_url" 0 "$1" "${2:-0}" >"$state/relay.out" &
  relay_pid=$!
  node_port=$(announced_port "$state/relay.out")
  [[ -n $node_port ]] && kill -0 "$relay_pid" 2>/dev/null || { echo "the Node relay did not start" >&2; exit 1; }
}
result() { printf '  %-30s %s\n' "$1" "$(grep '^RESULT' | sed 's/^RESULT //')"; }
per_runner='{"type":"subscribe","runners":["bench_%d"],"event_types":["TickReceived"]}'
latency_phase() {
  "$load" --url "$ws_url" --clients "$clients" --duration "$duration" --subscribe "$per_runner" --modulo "$runners" \
    | result "stratd /ws"
  [[ $servers == stratd ]] && return
  start_relay 0
  "$load" --url "ws://127.0.0.1:$node_port/" --clients "$clients" --duration "$duration" --subscribe "$per_runner" \
    --modulo "$runners" | result "node ws (fed by stratd)"
  stop_relay
  # The same, with each tick's events reaching Node together, as they reach
  # stratd: its own delay (relay) is then measured on the same bursts.
  start_relay 0 1
  "$load" --url "ws://127.0.0.1:$node_port/" --clients "$clients" --duration "$duration" --subscribe "$per_runner" \
    --modulo "$runners" | result "node ws (fed in bursts)"
  stop_relay
}

if [[ $servers == stratd ]]; then
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, kernel $(uname -r); stratd only (${STRATD_ARGS:-no extra arguments})"
else
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, kernel $(uname -r); node $(node --version), ws $(node -p "require('./$node_dir/node_modules/ws/package.json').version")"
fi
echo "load driver, both servers, the workers and the feed share the cores; ${duration}s per measurement"

start_stratd "$interval_ms"
echo "A. $runners runners x $interval_ms ms ticks, $clients clients each on one runner"
latency_phase
echo "C. $idle_clients idle connections"
"$load" --url "$ws_url" --clients "$idle_clients" --idle 5 --server-pid "$stratd_pid" \
  --subscribe '{"type":"unsubscribe"}' | result "stratd /ws"
if [[ $servers != stratd ]]; then
  start_relay 0
  "$load" --url "ws://127.0.0.1:$node_port/" --clients "$idle_clients" --idle 5 --server-pid "$relay_pid" \
    --subscribe '{"type":"subscribe","runners":[]}' | result "node ws"
  stop_relay
fi
stop_stratd

start_stratd "$fast_interval_ms"
echo "A2. $runners runners x $fast_interval_ms ms ticks, $clients clients each on one runner"
latency_phase
echo "B. $batch_clients clients taking everything in 50 ms batches"
"$load" --url "$ws_url" --clients "$batch_clients" --duration "$duration" \
  --subscribe '{"type":"subscribe","batch_ms":50}' | result "stratd /ws"
if [[ $servers != stratd ]]; then
  start_relay 50
  "$load" --url "ws://127.0.0.1:$node_port/" --clients "$batch_clients" --duration "$duration" \
    | result "node ws (fed by stratd)"
  stop_relay
fi
stop_stratd

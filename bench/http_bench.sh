#!/usr/bin/env bash
# REST latency under load: wrk (64 connections) against the real stratd with
# N live runners, and, in the same run, the HTTP stack's floor (/health) and
# a Node.js http server returning the same snapshot bytes.
#
#   bench/http_bench.sh                            # 10 runners, 15 s per target
#   RUNNERS=50 DURATION=30 bench/http_bench.sh
#   BUILD_DIR=build-bench bench/http_bench.sh      # another build directory
#   HOSTILE=4 bench/http_bench.sh                  # then again beside hostile strategies
#
# Environment: RUNNERS (10), DURATION seconds per target (15), CONNECTIONS
# (64), THREADS wrk threads (2), BUILD_DIR (build), BUILD_TYPE (Release for a
# new build directory; an existing one keeps its own unless this is set),
# SIM_INTERVAL_MS tick interval of the sim feed (stratd's default, 250),
# RESULTS file to append the table to (none), HOSTILE
# (0): after the four targets, add this many runners of the test suite's
# hostile fixtures (endless loop + memory bomb, error on every call, hang
# inside C, sandbox escapes) and measure the two runner endpoints again.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/announced_port.sh

runners=${RUNNERS:-10}
duration=${DURATION:-15}
connections=${CONNECTIONS:-64}
threads=${THREADS:-2}
build_dir=${BUILD_DIR:-build}
results=${RESULTS:-}

scripts/deps --bench

# Build what stratd runs (stratd depends on strat-worker and strat-feed).
configure=(cmake -S . -B "$build_dir" -G Ninja)
if [[ -n ${BUILD_TYPE:-} ]]; then
  configure+=("-DCMAKE_BUILD_TYPE=$BUILD_TYPE")
elif [[ ! -f $build_dir/CMakeCache.txt ]]; then
  configure+=(-DCMAKE_BUILD_TYPE=Release)
fi
"${configure[@]}" >/dev/null
cmake --build "$build_dir" --target stratd strat-worker strat-feed >/dev/null
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")

state=$(mktemp -d /tmp/stratd-httpbench-XXXXXX)
stratd_pid=""
node_pid=""
cleanup() {
  local rc=$?
  if [[ -n $node_pid ]]; then
    kill "$node_pid" 2>/dev/null || true
    wait "$node_pid" 2>/dev/null || true
  fi
  if [[ -n $stratd_pid ]]; then
    kill -TERM "$stratd_pid" 2>/dev/null || true
    # stratd stops its workers and feed itself; give it 20 s, then insist.
    for _ in $(seq 1 200); do kill -0 "$stratd_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$stratd_pid" 2>/dev/null; then
      echo "http_bench: stratd did not stop on SIGTERM, sending SIGKILL" >&2
      kill -KILL "$stratd_pid" 2>/dev/null || true
    fi
    wait "$stratd_pid" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 && -f $state/stratd.out ]]; then
    echo "http_bench: failed; the end of stratd's output:" >&2
    tail -n 20 "$state/stratd.out" >&2 || true
  fi
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "http_bench: $*" >&2; exit 1; }

sim_flags=()
[[ -n ${SIM_INTERVAL_MS:-} ]] && sim_flags=(--sim-interval-ms "$SIM_INTERVAL_MS")
# The shipped strategies, and the hostile fixtures for HOSTILE (copies: a
# strategy must lie inside the strategies directory).
mkdir -p "$state/strategies"
cp strategies/*.lua tests/fixtures/strategies/{runaway,error_every_call,hang_in_c,escape}.lua "$state/strategies/"
"$build_dir/bin/stratd" --port 0 --state-dir "$state" --strategies-dir "$state/strategies" --log-level warn \
  "${sim_flags[@]}" >"$state/stratd.out" 2>&1 &
stratd_pid=$!
for _ in $(seq 1 200); do
  [[ -s $state/http.url ]] && break
  kill -0 "$stratd_pid" 2>/dev/null || die "stratd exited at start-up"
  sleep 0.1
done
[[ -s $state/http.url ]] || die "stratd did not write $state/http.url"
url=$(cat "$state/http.url")

symbols=(BTCUSDT ETHUSDT SOLUSDT XRPUSDT ADAUSDT DOGEUSDT BNBUSDT DOTUSDT LTCUSDT LINKUSDT
         AVAXUSDT TRXUSDT ATOMUSDT NEARUSDT APTUSDT ARBUSDT OPUSDT FILUSDT ETCUSDT XLMUSDT)
add_runner() {  # id, symbol, strategy path
  local code
  code=$(curl -s -o "$state/add.out" -w '%{http_code}' -X POST "$url/api/runners" \
    -H 'Content-Type: application/json' \
    -d "{\"runner_id\":\"$1\",\"symbol\":\"$2\",\"strategy_path\":\"$3\"}")
  [[ $code == 201 ]] || die "adding runner $1: HTTP $code $(cat "$state/add.out")"
}
for i in $(seq 1 "$runners"); do
  add_runner "bench_$i" "${symbols[$(( (i - 1) % ${#symbols[@]} ))]}" ema_crossover.lua
done

# Wait until every runner's worker has processed a few ticks (and so has
# committed snapshots to its segment).
ticks_of() {
  curl -s "$url/api/runners/$1/snapshot" | grep -o '"ticks_processed":[0-9]*' | head -1 | cut -d: -f2
}
for i in $(seq 1 "$runners"); do
  for _ in $(seq 1 300); do
    t=$(ticks_of "bench_$i")
    [[ ${t:-0} -ge 4 ]] && break
    sleep 0.1
  done
  [[ ${t:-0} -ge 4 ]] || die "runner bench_$i processed no ticks in 30 s"
done

curl -sf "$url/api/runners/bench_1/snapshot" >"$state/snapshot.json"
node bench/node_static_server.js 0 "$state/snapshot.json" >"$state/node.out" 2>&1 &
node_pid=$!
node_port=$(announced_port "$state/node.out")
curl -sf -o /dev/null "http://127.0.0.1:$node_port/" || die "the node server did not answer on $node_port"

rows=()
run() {
  local label=$1 target=$2 out line
  out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s bench/wrk_percentiles.lua "$target")
  line=$(grep '^RESULT' <<<"$out") || die "no RESULT line from wrk for $target: $out"
  # wrk counts non-2xx/3xx answers apart from socket errors.
  if grep -q 'Non-2xx' <<<"$out"; then echo "http_bench: $label: $(grep 'Non-2xx' <<<"$out")" >&2; fi
  rows+=("$(printf '%s\t%s' "$label" "${line#RESULT }")")
  printf '  %-40s %s\n' "$label" "${line#RESULT }" >&2
}

bytes_snapshot=$(wc -c <"$state/snapshot.json")
bytes_list=$(curl -s "$url/api/runners" | wc -c)
header() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, kernel $(uname -r)"
  echo "source: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- 2>/dev/null || echo ' + uncommitted changes')"
  echo "build: $build_dir ($build_type); node $(node --version); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
  echo "stratd: $runners runners (ema_crossover.lua), sim tick every ${SIM_INTERVAL_MS:-250} ms${HOSTILE:+; then $HOSTILE hostile runners}"
  echo "wrk: -t$threads -c$connections -d${duration}s --latency -s bench/wrk_percentiles.lua (keep-alive)"
  echo "bodies: snapshot $bytes_snapshot B, runner list $bytes_list B"
  echo "(wrk, stratd, its workers and feed, and node all share the same CPUs)"
}
header >&2
echo "running wrk (4 targets x ${duration}s)..." >&2

run "stratd GET /api/runners/:id/snapshot" "$url/api/runners/bench_1/snapshot"
run "stratd GET /api/runners" "$url/api/runners"
run "stratd GET /health (floor)" "$url/health"
run "node http, same snapshot bytes" "http://127.0.0.1:$node_port/"

hostile=${HOSTILE:-0}
if [[ $hostile -gt 0 ]]; then
  fixtures=(runaway.lua error_every_call.lua hang_in_c.lua escape.lua)
  for i in $(seq 1 "$hostile"); do
    add_runner "hostile_$i" "${symbols[$(( i % ${#symbols[@]} ))]}" "${fixtures[$(( (i - 1) % ${#fixtures[@]} ))]}"
  done
  sleep 3  # let them get going: hangs, bombs and errors under way
  echo "with $hostile hostile runners beside them:" >&2
  run "stratd GET /api/runners/:id/snapshot, $hostile hostile runners" "$url/api/runners/bench_1/snapshot"
  run "stratd GET /api/runners, $hostile hostile runners" "$url/api/runners"
  curl -s "$url/api/engine/health" | grep -o '"runners_by_lifecycle":{[^}]*}' >&2 || true
fi

table() {
  header
  echo
  echo "| target | requests/s | p50 ms | p90 ms | p95 ms | p99 ms | p99.9 ms | max ms | errors |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  local row
  for row in "${rows[@]}"; do
    awk -F'\t' '{
      n = split($2, kv, " ")
      for (i = 1; i <= n; i++) { split(kv[i], p, "="); f[p[1]] = p[2] }
      printf "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %d |\n", $1, f["rps"],
        f["p50_us"] / 1000, f["p90_us"] / 1000, f["p95_us"] / 1000, f["p99_us"] / 1000,
        f["p999_us"] / 1000, f["max_us"] / 1000, f["errors"]
    }' <<<"$row"
  done
}
echo >&2
table
if [[ -n $results ]]; then table >>"$results"; fi

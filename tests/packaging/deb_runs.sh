#!/usr/bin/env bash
# The unpacked .deb runs on its own: its stratd prints the project's
# version and accepts the shipped configuration; started on a free port
# with a scratch state directory (and that configuration) it serves
# /health, lists the installed strategies (found beside the binary, not in
# the source tree), and runs a runner with the installed strat-worker and
# strat-feed.
#   deb_runs.sh OUT_DIR VERSION BIN_DIR DATA_DIR CONFIG_DIR
set -euo pipefail
out=$(realpath "$1") version=$2 bindir=$3 datadir=$4 configdir=$5
root=$out/root
stratd=$root$bindir/stratd
strategies=$root$datadir/stratd/strategies

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
# Polls a command until it succeeds or the deadline (seconds) passes.
eventually() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@"; do
    [[ $(date +%s) -lt $deadline ]] || return 1
    sleep 0.05
  done
}

got=$("$stratd" --version)
[[ $got == "stratd $version" ]] || fail "--version printed '$got', not 'stratd $version'"
# The shipped configuration, as the unit passes it, loads.
"$stratd" --check-config --config "$root$configdir/stratd.toml" >/dev/null ||
  fail "stratd --check-config refuses the shipped $configdir/stratd.toml"

# A strategy only the unpacked tree has: listing it proves stratd reads
# the installed strategies, not the source tree's.
cp "$strategies/ema_crossover.lua" "$strategies/from_the_package.lua"

scratch=$(mktemp -d)
pid= instance=
cleanup() {
  # A failed run is killed: its runners' segments are left, and removed here.
  if [[ -n $pid ]]; then
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  if [[ -n $instance ]]; then rm -f /dev/shm/stratd."$instance".*; fi
  rm -f "$strategies/from_the_package.lua"
  rm -rf "$scratch"
}
trap cleanup EXIT
# From a directory without strategies/, so the default must be the installed one.
cd "$scratch"
env -u STATE_DIRECTORY -u RUNTIME_DIRECTORY -u LOGS_DIRECTORY -u STRATD_STRATEGIES_DIR \
  "$stratd" --config "$root$configdir/stratd.toml" --port 0 --state-dir "$scratch/state" \
  --sim-interval-ms 20 >"$scratch/stratd.log" 2>&1 &
pid=$!
show_log() { echo "--- stratd's log:" >&2; tail -30 "$scratch/stratd.log" >&2; }
eventually 20 test -s "$scratch/state/http.url" || { show_log; fail "stratd did not publish http.url"; }
url=$(cat "$scratch/state/http.url")
instance=$(curl -sf "$url/api/engine/health" | grep -o '"instance":"[0-9a-f]*"' | cut -d'"' -f4) || true

health=$(curl -sf "$url/health") || { show_log; fail "GET /health failed"; }
grep -q "\"version\":\"$version\"" <<<"$health" || fail "/health says $health"

list=$(curl -sf "$url/api/strategies") || fail "GET /api/strategies failed"
for s in ema_crossover.lua range_breakout.lua rsi_mean_reversion.lua from_the_package.lua; do
  grep -q "\"path\":\"$s\"" <<<"$list" || fail "/api/strategies lacks $s: $list"
done

created=$(curl -sf -X POST "$url/api/runners" -H 'Content-Type: application/json' \
  -d '{"runner_id":"pkg","symbol":"BTCUSDT","strategy_path":"from_the_package.lua"}') ||
  { show_log; fail "POST /api/runners failed"; }
ticking() { curl -sf "$url/api/runners/pkg/snapshot" | grep -qE '"ticks_processed":[1-9]'; }
eventually 20 ticking || { show_log; fail "the runner never ticked: $(curl -s "$url/api/runners/pkg/snapshot")"; }
# Its worker and the feed are the unpacked ones (the worker's arguments
# name its segment, the feed's the state directory).
pgrep -f -- "^$root$bindir/strat-worker .*stratd\.$instance\.pkg( |$)" >/dev/null ||
  fail "no $root$bindir/strat-worker runs"
pgrep -f -- "^$root$bindir/strat-feed .*$scratch/state/" >/dev/null || fail "no $root$bindir/strat-feed runs"

# The unpacked stratctl sees it.
listing=$("$root$bindir/stratctl" --url "$url" ls) || fail "the unpacked stratctl ls failed"
grep -q "pkg" <<<"$listing" || fail "stratctl ls does not list the runner: $listing"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[[ $status -eq 0 ]] || { show_log; fail "stratd exited $status on SIGTERM"; }
echo "ok: $got, served $url with the installed strategies and ran a runner"

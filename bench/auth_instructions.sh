#!/usr/bin/env bash
# What API keys cost, counted in instructions rather than time: the
# machine's other load moves requests/s by tens of percent between runs
# (bench/auth_ab.sh), the instructions a request costs stratd's HTTP
# thread it does not. Runs the variants of auth_ab.sh (A: no keys; B: a
# viewer's key; C: B with the request bucket applying) one after the
# other under callgrind (valgrind, scripts/deps --bench), 10 runners
# each, counts only while wrk (-t1 -c4) runs for DURATION s, and prints
# per request: the HTTP thread's instructions, and the access gate's own
# (AccessGate::admit without the routing it hands over to), with B's and
# C's difference to A.
#   bench/auth_instructions.sh BIN_DIR [PATH]    (PATH /api/runners/bench_1/snapshot; DURATION=10)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { sed -n 2,12p "$0"; exit 2; }
bin=$1 path=${2:-/api/runners/bench_1/snapshot} duration=${DURATION:-10}
work=$(mktemp -d /tmp/stratd-authinstr-XXXXXX)
pid=""
stop() {
  if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=""
}
trap 'stop; rm -rf "$work"' EXIT

keygen() {  # name role: the key on stdout, its entry appended to the config
  local out
  out=$("$bin/stratd" keygen --name "$1" --role "$2" 2>/dev/null)
  printf '%s\n' "$out" | tail -n +2 >>"$work/keys.toml"
  printf '%s\n' "$out" | head -n 1
}
admin=$(keygen bench_admin admin)
viewer=$(keygen bench_viewer viewer)

# The inclusive cost of the first function whose name starts with $2 in
# callgrind_annotate's listing $1 (0 if none).
inclusive() { awk -v f="$2" '{ i = index($0, ":" f); if (i && $0 !~ /\{lambda/) { gsub(",", "", $1); print $1; exit } }' "$1"; }

measure() {  # variant
  local args=() auth=() h=()
  case $1 in
    A) ;;
    B) args=(--config "$work/keys.toml") ;;
    C) args=(--config "$work/keys.toml" --limits-exempt '' --requests-per-sec 10000000 --request-burst 10000000) ;;
  esac
  if [[ $1 != A ]]; then auth=(-H "Authorization: Bearer $admin"); h=(-H "Authorization: Bearer $viewer"); fi
  mkdir "$work/$1"
  valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --callgrind-out-file="$work/$1/cg.%p" \
    "$bin/stratd" --port 0 --state-dir "$work/$1/state" --strategies-dir "$PWD/strategies" --log-level warn \
    "${args[@]}" >"$work/$1/out" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do [[ -s $work/$1/state/http.url ]] && break; sleep 0.1; done
  local url line requests
  url=$(cat "$work/$1/state/http.url")
  for i in $(seq 1 10); do
    curl -sf -o /dev/null "${auth[@]}" -X POST "$url/api/runners" \
      -d "{\"runner_id\":\"bench_$i\",\"symbol\":\"SYM$i\",\"strategy_path\":\"ema_crossover.lua\"}"
  done
  for _ in $(seq 1 300); do
    curl -s "${h[@]}" "$url/api/runners/bench_1/snapshot" | grep -q '"ticks_processed":[1-9]' && break
    sleep 0.1
  done
  wrk -t1 -c4 -d3s "${h[@]}" "$url$path" >/dev/null  # warm: the key verified, the caches filled
  callgrind_control -i on "$pid" >/dev/null
  line=$(wrk -t1 -c4 -d"${duration}s" -s bench/wrk_percentiles.lua "${h[@]}" "$url$path" | grep '^RESULT')
  callgrind_control -i off "$pid" >/dev/null
  callgrind_control -d "$pid" >/dev/null
  stop
  requests=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
  # Thread 1 is stratd's main thread: the HTTP loop.
  callgrind_annotate --inclusive=yes "$(ls "$work/$1"/cg.*.1-01)" >"$work/$1/annotated" 2>/dev/null
  local total gate admitted
  total=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$work/$1/annotated")
  gate=$(inclusive "$work/$1/annotated" "stratd::supervisor::auth::AccessGate::admit(")
  admitted=$(inclusive "$work/$1/annotated" "stratd::supervisor::http::HttpSession::admitted(")
  echo "$1 $requests $((total / requests)) $(((gate - admitted) / requests))"
}

for v in A B C; do measure "$v"; done | tee "$work/counts"
echo
echo "instructions per request of stratd's HTTP thread, $path:"
awk '
  { req[$1] = $2; all[$1] = $3; gate[$1] = $4 }
  END {
    for (v in all) printf "  %s  requests %d  thread %d (%+.1f %% of A)  access gate %d (%+d)\n", v, req[v], all[v],
      100 * (all[v] - all["A"]) / all["A"], gate[v], gate[v] - gate["A"]
  }' "$work/counts" | sort

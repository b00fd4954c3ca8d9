#!/usr/bin/env bash
# What API keys cost on the REST path, with one stratd build. Starts
# stratd three ways, side by side for the whole run, each with 10 runners:
#   A  no keys configured (the access gate lets everything through);
#   B  [[auth.keys]] configured, wrk sending a viewer's key
#      (Authorization: Bearer); the default [limits], under which the
#      loopback client is exempt from the request buckets;
#   C  as B, with no address exempt and the request bucket so large it
#      never refuses (--limits-exempt '' --requests-per-sec 1e7
#      --request-burst 1e7): every request also takes a token.
# B/A is the cost of checking a (cached) key; C/B what the token bucket
# adds when it applies. Each round runs wrk on a snapshot and on the
# runner list of each, the order rotating between rounds, and prints per
# run requests/s, p99, wrk's error count (any non-2xx answer counts: a
# 401 or 429 would void the run) and the CPU time stratd's HTTP thread
# spent per request; then B/A and C/B of each per round, their median and
# range (this machine's speed drifts: only a round's ratios compare).
#   bench/auth_ab.sh BIN_DIR [ROUNDS]    (12 rounds; DURATION=3 s per run, THREADS=1, CONNECTIONS=64)
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { sed -n 2,18p "$0"; exit 2; }
bin=$1 rounds=${2:-12}
duration=${DURATION:-3} threads=${THREADS:-1} connections=${CONNECTIONS:-64}
work=$(mktemp -d /tmp/stratd-authab-XXXXXX)
declare -A pid url
stop() {
  local v
  for v in "${!pid[@]}"; do kill -TERM "${pid[$v]}" 2>/dev/null || true; wait "${pid[$v]}" 2>/dev/null || true; done
  rm -rf "$work"
}
trap stop EXIT

# One admin key to add the runners, one viewer key for wrk; the config
# holds their hashes only.
keygen() {  # name role: the key on stdout, its [[auth.keys]] entry appended to the config
  local out
  out=$("$bin/stratd" keygen --name "$1" --role "$2" 2>/dev/null)
  printf '%s\n' "$out" | tail -n +2 >>"$work/keys.toml"
  printf '%s\n' "$out" | head -n 1
}
admin=$(keygen bench_admin admin)
viewer=$(keygen bench_viewer viewer)
results=$work/results
# CPU time of a stratd's main thread, which runs the HTTP loop (the access
# gate, the router, the handlers), in ns.
http_thread_ns() { awk '{print $1}' "/proc/$1/task/$1/schedstat"; }

# The three run side by side for the whole benchmark (each with its 10
# runners ticking), so that runs of A, B and C follow each other within
# seconds: this machine's speed drifts over minutes.
start() {  # variant
  local args=() auth=()
  case $1 in
    A) ;;
    B) args=(--config "$work/keys.toml") ;;
    C) args=(--config "$work/keys.toml" --limits-exempt '' --requests-per-sec 10000000 --request-burst 10000000) ;;
  esac
  [[ $1 == A ]] || auth=(-H "Authorization: Bearer $admin")
  mkdir "$work/$1"
  "$bin/stratd" --port 0 --state-dir "$work/$1" --strategies-dir "$PWD/strategies" --log-level warn "${args[@]}" \
    >"$work/$1.out" 2>&1 &
  pid[$1]=$!
  for _ in $(seq 1 100); do [[ -s $work/$1/http.url ]] && break; sleep 0.1; done
  url[$1]=$(cat "$work/$1/http.url")
  for i in $(seq 1 10); do
    curl -sf -o /dev/null "${auth[@]}" -X POST "${url[$1]}/api/runners" \
      -d "{\"runner_id\":\"bench_$i\",\"symbol\":\"SYM$i\",\"strategy_path\":\"ema_crossover.lua\"}"
  done
}
read_auth() { [[ $1 == A ]] || printf '%s\n' -H "Authorization: Bearer $viewer"; }
for v in A B C; do start "$v"; done
for v in A B C; do
  # Also verifies the viewer's key once (Argon2id): wrk meets a cached key.
  mapfile -t h < <(read_auth "$v")
  for _ in $(seq 1 100); do
    curl -s "${h[@]}" "${url[$v]}/api/runners/bench_1/snapshot" | grep -q '"ticks_processed":[1-9]' && break
    sleep 0.1
  done
done

measure() {  # variant
  local before after line h
  mapfile -t h < <(read_auth "$1")
  for path in /api/runners/bench_1/snapshot /api/runners; do
    before=$(http_thread_ns "${pid[$1]}")
    line=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency -s bench/wrk_percentiles.lua "${h[@]}" \
      "${url[$1]}$path" | grep '^RESULT')
    after=$(http_thread_ns "${pid[$1]}")
    echo "$line" | awk -v l="$1" -v p="$path" -v ns=$((after - before)) \
      '{split($9, n, "="); printf "  %-2s %-32s %s %s %s cpu_us=%.2f\n", l, p, $2, $6, $10, ns / 1000 / n[2]}' |
      tee -a "$results"
  done
}

orders=(ABC BCA CAB CBA ACB BAC)
for r in $(seq 1 "$rounds"); do
  order=${orders[$(((r - 1) % ${#orders[@]}))]}
  echo "round $r ($order)"
  echo "round $r" >>"$results"
  for v in $(echo "$order" | grep -o .); do measure "$v"; done
done
echo
echo "per round ratios, median and range:"
awk '
  /^round/ { r = $2; if (r > n) n = r; next }
  {
    split($3, q, "="); split($4, p, "="); split($5, e, "="); split($6, c, "=")
    v[r, $1, $2, 1] = q[2]; v[r, $1, $2, 2] = p[2]; v[r, $1, $2, 3] = c[2]; paths[$2] = 1; errors += e[2]
  }
  function report(path, f, num, den,   m, i, j, t, a, b, line, med) {
    m = 0; line = ""
    for (i = 1; i <= n; ++i) {
      a = v[i, den, path, f]; b = v[i, num, path, f]
      if (a + 0 == 0) continue
      x[++m] = b / a; line = line sprintf(" %.3f", b / a)
    }
    for (i = 1; i <= m; ++i) for (j = i + 1; j <= m; ++j) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    med = m % 2 ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
    printf "  %s/%s %-32s %-7s median %.3f  range %.3f-%.3f  rounds%s\n", num, den, path,
      f == 1 ? "req/s" : f == 2 ? "p99" : "cpu/req", med, x[1], x[m], line
  }
  END {
    for (path in paths) for (f = 1; f <= 3; ++f) { report(path, f, "B", "A"); report(path, f, "C", "B") }
    printf "  wrk errors (non-2xx, timeouts) in all runs: %d\n", errors
  }' "$results" | sort

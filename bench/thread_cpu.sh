#!/usr/bin/env bash
# CPU used by each thread of stratd, its workers and feed, the load driver
# and Node over SECONDS (default 10), in % of one core, busiest first, with
# the machine's idle share. Run it beside a benchmark, e.g. during the A
# phase of bench/ws_bench.sh.
#   bench/thread_cpu.sh 10
set -euo pipefail
seconds=${1:-10}
pattern='^(stratd|strat-worker|strat-feed|bench_ws_load|node)$'
sample() {  # "pid/tid comm ticks" for every thread of a matching process
  for dir in /proc/[0-9]*; do
    [[ $(cat "$dir/comm" 2>/dev/null) =~ $pattern ]] || continue
    for t in "$dir"/task/*; do
      # comm may hold spaces: fields are counted after its closing ')'.
      stat=$(cat "$t/stat" 2>/dev/null) || continue
      rest=${stat##*) }
      read -r -a f <<<"$rest"
      echo "${dir#/proc/}/${t##*/} $(tr ' ' '_' <"$t/comm") $((f[11] + f[12]))"
    done
  done | sort
}
cpu_ticks() { awk '/^cpu /{print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }  # idle, total
hz=$(getconf CLK_TCK)
cores=$(nproc)
before=$(sample)
read -r idle_before total_before < <(cpu_ticks)
sleep "$seconds"
after=$(sample)
read -r idle_after total_after < <(cpu_ticks)
join <(echo "$before") <(echo "$after") |
  awk -v s="$seconds" -v hz="$hz" '{d = $5 - $3; if (d > 0) printf "%6.1f %%  %s (%s)\n", 100 * d / (s * hz), $2, $1}' |
  sort -rn | head -30
echo "machine idle: $((100 * (idle_after - idle_before) / (total_after - total_before))) % of $cores cores"

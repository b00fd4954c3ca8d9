# Sourced by the bench scripts. The Node comparison servers listen on a port
# the kernel picks (a fixed one can be taken by some client's ephemeral
# port) and announce it as a line "listening N" in their output.
announced_port() {  # output file; prints the port, or nothing after 10 s
  local port=""
  for _ in $(seq 1 100); do
    port=$(sed -n 's/^listening //p' "$1")
    [[ -n $port ]] && break
    sleep 0.1
  done
  printf '%s' "$port"
}

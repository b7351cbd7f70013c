# Sourced by the benchmark scripts: free_port [PORT...] prints a port no socket uses, picked at random below the
# kernel's range for clients' local ports (32768-60999 by default), so that no client connection, not even one in
# TIME_WAIT (which blocks a listener's bind: a curl poll of an earlier run, say), can hold it; never one of the ports
# given as arguments; bounded tries. free_ports N prints N distinct ones on one line.
CLIENT_PORTS_FROM=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
free_port() {
  local p span=$((CLIENT_PORTS_FROM - 20000))
  ((span > 1000)) || span=40000
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % span))
    [[ " $* " != *" $p "* ]] || continue
    if command -v ss >/dev/null; then
      [[ -z $(ss -Htan "( sport = :$p )" 2>/dev/null) ]] || continue
    elif (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      continue
    fi
    echo "$p"
    return 0
  done
  echo "${0##*/}: no free port found" >&2
  return 1
}

free_ports() {
  local out=() p
  for _ in $(seq 1 "$1"); do
    p=$(free_port "${out[@]}") || return 1
    out+=("$p")
  done
  echo "${out[*]}"
}

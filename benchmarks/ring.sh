#!/usr/bin/env bash
# Ring benchmark: a 3-node router-ingestor hashring (ketama, replication factor 3) of jreceive against the same
# topology of Thanos Receive v0.38.0, on this machine. Every node runs with --receive.local-endpoint; the load
# generator (io.jreceive.bench.LoadGen) sends everything to node 0, which stores its copy and forwards the two
# others over gRPC, as a Thanos ring behind a Service does per request. Prints samples/s acknowledged (a 2xx means
# durable on a quorum of two), p99 latency and the CPU seconds of all three server processes per million samples,
# counted over the measured load only (as side-by-side.sh counts its one server's): the load generator first sends
# both rings the same warm-up load (WARMUP, other series), waits --warmup-settle-ms, then reads the three processes'
# CPU before and after the measured load.
#
# Builds nothing. Expects receiver-app/target/jreceive.jar and benchmarks/target/benchmarks.jar (see
# side-by-side.sh) and `thanos` v0.38.0 (tools/peers.sh). Environment (optional): LOADS="10000x120",
# SERVERS="jreceive thanos-receive", CONCURRENCY=8, BATCH=2000, INTERVAL_MS=15000, WARMUP="2000x100" (as
# side-by-side.sh; "" for none),
# READY_TIMEOUT=120, plus servers.sh's JRECEIVE_JAVA_OPTS (each of the three nodes gets them).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JRECEIVE_JAR=${JRECEIVE_JAR:-$ROOT/receiver-app/target/jreceive.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
THANOS=${THANOS:-${JRECEIVE_PEERS:-$HOME/.cache/jreceive-peers}/thanos}
LOADS=${LOADS:-"10000x120"}
SERVERS=${SERVERS:-"jreceive thanos-receive"}
CONCURRENCY=${CONCURRENCY:-8}
BATCH=${BATCH:-2000}
INTERVAL_MS=${INTERVAL_MS:-15000}
WARMUP=${WARMUP-"2000x100"}
READY_TIMEOUT=${READY_TIMEOUT:-120}
# shellcheck source=servers.sh
source "$ROOT/benchmarks/servers.sh"

die() { echo "ring: $*" >&2; exit 2; }
[[ -f $BENCH_JAR ]] || die "load generator jar $BENCH_JAR is missing"
command -v jq >/dev/null || die "jq not found on PATH"

[[ " $SERVERS " != *" jreceive "* ]] || { aot_setup || exit 1; echo "${0##*/}: jreceive on $("$JRECEIVE_JAVA" -version 2>&1 | head -1), options: $JRECEIVE_JAVA_OPTS" >&2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ring.XXXXXX")
PIDS=()
stop_all() {
  for p in "${PIDS[@]}"; do
    kill -TERM "$p" 2>/dev/null || true
  done
  for p in "${PIDS[@]}"; do
    wait "$p" 2>/dev/null || true
  done
  PIDS=()
}
trap 'stop_all; rm -rf "$WORK"' EXIT

printf '%-15s %-10s %12s %9s %18s %s\n' server load samples/s p99_ms cpu_s/1M_samples errors
for load in $LOADS; do
  series=${load%x*}
  samples=${load#*x}
  for server in $SERVERS; do
    dir="$WORK/$server-$load"
    mkdir -p "$dir"
    ports=()
    for i in 0 1 2; do
      read -r -a p <<<"$(free_ports 4)"
      ports+=("${p[@]}")
    done
    ring="[{\"endpoints\": [\"127.0.0.1:${ports[2]}\", \"127.0.0.1:${ports[6]}\", \"127.0.0.1:${ports[10]}\"]}]"
    echo "$ring" >"$dir/hashrings.json"
    for i in 0 1 2; do
      rw=${ports[$((4 * i))]} http=${ports[$((4 * i + 1))]} grpc=${ports[$((4 * i + 2))]} capnp=${ports[$((4 * i + 3))]}
      ringflags=(--receive.hashrings-file="$dir/hashrings.json" --receive.hashrings-algorithm=ketama
        --receive.replication-factor=3 --receive.local-endpoint="127.0.0.1:$grpc" --label="replica=\"$i\"")
      mkdir -p "$dir/n$i"
      if [[ $server == jreceive ]]; then
        # shellcheck disable=SC2086
        MALLOC_ARENA_MAX=$JRECEIVE_MALLOC_ARENA_MAX "$JRECEIVE_JAVA" $JRECEIVE_JAVA_OPTS -jar "$JRECEIVE_JAR" \
          --tsdb.path="$dir/n$i" --remote-write.address="127.0.0.1:$rw" --http-address="127.0.0.1:$http" \
          --grpc-address="127.0.0.1:$grpc" "${ringflags[@]}" >>"$dir/n$i.log" 2>&1 &
      else
        "$THANOS" receive --tsdb.path="$dir/n$i" --remote-write.address="127.0.0.1:$rw" \
          --http-address="127.0.0.1:$http" --grpc-address="127.0.0.1:$grpc" \
          --receive.capnproto-address="127.0.0.1:$capnp" "${ringflags[@]}" >>"$dir/n$i.log" 2>&1 &
      fi
      PIDS+=($!)
    done
    for i in 0 1 2; do
      SERVER_PID=${PIDS[$i]}
      READY_URL="http://127.0.0.1:${ports[$((4 * i + 1))]}/-/ready"
      await_ready "$dir/n$i.log" || exit 1
    done
    warm=()
    [[ -n $WARMUP ]] && warm=(--warmup "$WARMUP")
    pids=()
    for p in "${PIDS[@]}"; do
      pids+=(--server-pid "$p")
    done
    # shellcheck disable=SC2086
    java -Xmx2g -cp "$BENCH_JAR" io.jreceive.bench.LoadGen --url "http://127.0.0.1:${ports[0]}/api/v1/receive" \
      --series "$series" --samples "$samples" --batch "$BATCH" --concurrency "$CONCURRENCY" --protocol 1 \
      --interval-ms "$INTERVAL_MS" "${warm[@]}" "${pids[@]}" --json >"$dir/loadgen.json" || true
    stop_all
    jq -e . "$dir/loadgen.json" >/dev/null || die "load generator failed against $server"
    jq -r --arg s "$server" --arg l "$load" \
      '"\($s) \($l) \(.samples_per_second | floor) \(.latency_ms.p99) \(.server_cpu_seconds / (.samples_acknowledged / 1e6) * 1000 | round / 1000) \(.requests_failed)"' \
      "$dir/loadgen.json" | awk '{ printf "%-15s %-10s %12s %9s %18s %s\n", $1, $2, $3, $4, $5, $6 }'
  done
done

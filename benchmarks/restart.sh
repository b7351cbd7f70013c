#!/usr/bin/env bash
# Restart, jreceive against Prometheus 2.42: each server is loaded (LoadGen, SERIESxSAMPLES), stopped (STOP=kill:
# SIGKILL, a crash; STOP=term: SIGTERM, a planned restart, timed until the process has exited), started again on
# the same data directory, and timed until /-/ready (WAL replay or snapshot load included); the cycle is the two
# together. Resident memory is read before the stop, at ready and 5 s later. REPEAT alternates the servers.
#
#   benchmarks/restart.sh                       # 100000x120, both servers, SIGKILL, once
#   LOAD=1000000x30 REPEAT=3 benchmarks/restart.sh
#   STOP=term benchmarks/restart.sh             # planned restart: jreceive flushes its heads into blocks
#   STOP=term JRECEIVE_FLAGS=--tsdb.memory-snapshot-on-shutdown SERVERS=jreceive benchmarks/restart.sh
#   STOP=term PROMETHEUS_FLAGS=--enable-feature=memory-snapshot-on-shutdown SERVERS=prometheus benchmarks/restart.sh
#   PROMETHEUS=~/.cache/jreceive-peers/prometheus SERVERS="prometheus thanos-receive" benchmarks/restart.sh
#
# Environment: LOAD (100000x120), SERVERS ("jreceive prometheus"), STOP (kill), REPEAT (1), INTERVAL_MS (15000),
# JRECEIVE_FLAGS (extra jreceive flags, both starts), PROMETHEUS_FLAGS (extra Prometheus flags, both starts),
# AFTER_LOAD (SERIESxSAMPLES, unset = none: right after ready, a load of new series, one label more, whose samples/s
# is the last column: what a sender's first burst after the restart gets; RSS ready+5s then includes it; with
# STOP=term its samples, which span the same recent past, fall before the end of the block the flush wrote and are
# refused as out of bounds, as Thanos Receive refuses them: use it with STOP=kill),
# LOGS (a directory that keeps each run's server log as SERVER-REP.log), THANOS (~/.cache/jreceive-peers/thanos, for SERVERS=thanos-receive), JRECEIVE_JAVA_OPTS and JRECEIVE_MALLOC_ARENA_MAX (the image's,
# from servers.sh), PROMETHEUS, JRECEIVE_JAR, BENCH_JAR, READY_TIMEOUT (600 s). Exit status: 0, 1 when a server
# failed or a load had errors, 2 on a usage problem.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JRECEIVE_JAR=${JRECEIVE_JAR:-$ROOT/receiver-app/target/jreceive.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
PROMETHEUS=${PROMETHEUS:-prometheus}
LOAD=${LOAD:-100000x120}
SERVERS=${SERVERS:-"jreceive prometheus"}
REPEAT=${REPEAT:-1}
STOP=${STOP:-kill}
JRECEIVE_FLAGS=${JRECEIVE_FLAGS:-}
PROMETHEUS_FLAGS=${PROMETHEUS_FLAGS:-}
THANOS=${THANOS:-$HOME/.cache/jreceive-peers/thanos}
INTERVAL_MS=${INTERVAL_MS:-15000}
AFTER_LOAD=${AFTER_LOAD:-}
READY_TIMEOUT=${READY_TIMEOUT:-600}
LOGS=${LOGS:-}
# shellcheck source=servers.sh
source "$ROOT/benchmarks/servers.sh"

die() { echo "restart: $*" >&2; exit 2; }
[[ $LOAD =~ ^[0-9]+x[0-9]+$ ]] || die "LOAD must be SERIESxSAMPLES, got '$LOAD'"
[[ $STOP == kill || $STOP == term ]] || die "STOP must be kill or term, got '$STOP'"
[[ -f $BENCH_JAR ]] || die "$BENCH_JAR is missing (mvn -B -q package -DskipTests)"
for s in $SERVERS; do
  case $s in
    jreceive) [[ -f $JRECEIVE_JAR ]] || die "$JRECEIVE_JAR is missing (mvn -B -q package -DskipTests)" ;;
    prometheus) command -v "$PROMETHEUS" >/dev/null || die "prometheus binary '$PROMETHEUS' not found" ;;
    thanos-receive) [[ -x $THANOS ]] || die "thanos binary '$THANOS' not found (tools/peers.sh)" ;;
    *) die "unknown server '$s'" ;;
  esac
done
command -v jq >/dev/null || die "jq not found"

[[ " $SERVERS " != *" jreceive "* ]] || { aot_setup || exit 1; echo "${0##*/}: jreceive on $("$JRECEIVE_JAVA" -version 2>&1 | head -1), options: $JRECEIVE_JAVA_OPTS" >&2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/restart.XXXXXX")
SERVER_PID=""
cleanup() {
  [[ -z $SERVER_PID ]] || { kill -9 "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

PORTS=$(free_ports 3)

# start SERVER DIR: starts the server on the run's ports and waits until it is ready.
start() {
  local flags=""
  case $1 in
    jreceive) flags=$JRECEIVE_FLAGS ;;
    prometheus) flags=$PROMETHEUS_FLAGS ;;
  esac
  # shellcheck disable=SC2086
  launch "$1" "$2" $PORTS $flags && await_ready "$2/server.log"
}

now_ms() { date +%s%3N; }

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

STATUS=0
printf '%-11s %4s %5s %9s %12s %12s %15s %9s %12s %14s %10s %12s\n' server rep stop "data MiB" "RSS before" \
  "stop->exit ms" "start->ready ms" "cycle ms" "RSS ready" "RSS ready+5s" "acked" "after smpl/s"
for rep in $(seq 1 "$REPEAT"); do
  for server in $SERVERS; do
    dir="$WORK/$rep-$server"
    start "$server" "$dir" || exit 1
    java -Xmx4g -cp "$BENCH_JAR" io.jreceive.bench.LoadGen --url "$WRITE_URL" --series "${LOAD%x*}" \
      --samples "${LOAD#*x}" --interval-ms "$INTERVAL_MS" --json >"$dir/loadgen.json" || STATUS=1
    before=$(rss_mib "$SERVER_PID")
    t0=$(now_ms)
    if [[ $STOP == kill ]]; then
      kill -9 "$SERVER_PID"
    else
      kill -TERM "$SERVER_PID"
    fi
    wait "$SERVER_PID" 2>/dev/null || true
    stopped=$(($(now_ms) - t0))
    [[ $STOP == term ]] || stopped=0
    data=$(du -sm "$dir/data" | cut -f1)
    t0=$(now_ms)
    start "$server" "$dir" || exit 1
    took=$(($(now_ms) - t0))
    at_ready=$(rss_mib "$SERVER_PID")
    after=-
    if [[ -n $AFTER_LOAD ]]; then
      java -Xmx4g -cp "$BENCH_JAR" io.jreceive.bench.LoadGen --url "$WRITE_URL" --series "${AFTER_LOAD%x*}" \
        --samples "${AFTER_LOAD#*x}" --interval-ms "$INTERVAL_MS" --label-count 6 --json >"$dir/after.json" || STATUS=1
      after=$(jq -r '.samples_per_second | floor' "$dir/after.json")
    fi
    sleep 5
    later=$(rss_mib "$SERVER_PID")
    kill -9 "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
    printf '%-11s %4d %5s %9s %12s %12s %15s %9s %12s %14s %10s %12s\n' "$server" "$rep" "$STOP" "$data" "$before" \
      "$stopped" "$took" "$((stopped + took))" "$at_ready" "$later" "$(jq -r .samples_acknowledged "$dir/loadgen.json")" \
      "$after"
    [[ -z $LOGS ]] || { mkdir -p "$LOGS" && cp "$dir/server.log" "$LOGS/$server-$rep.log"; }
    rm -rf "$dir"
  done
done
exit "$STATUS"

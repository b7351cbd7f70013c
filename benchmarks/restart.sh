#!/usr/bin/env bash
# Restart after a crash, jreceive against Prometheus 2.42: each server is loaded (LoadGen, SERIESxSAMPLES), killed
# with SIGKILL, started again on the same data directory, and timed until /-/ready (WAL replay included); its
# resident memory is read before the kill, at ready and 5 s later. REPEAT alternates the servers.
#
#   benchmarks/restart.sh                       # 100000x120, both servers, once
#   LOAD=1000000x30 REPEAT=3 benchmarks/restart.sh
#
# Environment: LOAD (100000x120), SERVERS ("jreceive prometheus"), REPEAT (1), INTERVAL_MS (15000),
# JRECEIVE_JAVA_OPTS and JRECEIVE_MALLOC_ARENA_MAX (the image's, as in side-by-side.sh), PROMETHEUS, JRECEIVE_JAR,
# BENCH_JAR, READY_TIMEOUT (600 s). Exit status: 0, 1 when a server failed or a load had errors, 2 on a usage problem.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JRECEIVE_JAR=${JRECEIVE_JAR:-$ROOT/receiver-app/target/jreceive.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
PROMETHEUS=${PROMETHEUS:-prometheus}
LOAD=${LOAD:-100000x120}
SERVERS=${SERVERS:-"jreceive prometheus"}
REPEAT=${REPEAT:-1}
INTERVAL_MS=${INTERVAL_MS:-15000}
JRECEIVE_JAVA_OPTS=${JRECEIVE_JAVA_OPTS:--Xmx4g -Xms128m -XX:+UseG1GC -XX:MaxNewSize=16m -XX:MetaspaceSize=64m -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError}
JRECEIVE_MALLOC_ARENA_MAX=${JRECEIVE_MALLOC_ARENA_MAX:-2}
READY_TIMEOUT=${READY_TIMEOUT:-600}

die() { echo "restart: $*" >&2; exit 2; }
[[ $LOAD =~ ^[0-9]+x[0-9]+$ ]] || die "LOAD must be SERIESxSAMPLES, got '$LOAD'"
[[ -f $BENCH_JAR ]] || die "$BENCH_JAR is missing (mvn -B -q package -DskipTests)"
for s in $SERVERS; do
  case $s in
    jreceive) [[ -f $JRECEIVE_JAR ]] || die "$JRECEIVE_JAR is missing (mvn -B -q package -DskipTests)" ;;
    prometheus) command -v "$PROMETHEUS" >/dev/null || die "prometheus binary '$PROMETHEUS' not found" ;;
    *) die "unknown server '$s'" ;;
  esac
done
command -v jq >/dev/null || die "jq not found"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/restart.XXXXXX")
PID=""
cleanup() {
  [[ -z $PID ]] || { kill -9 "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck source=free-port.sh
source "$ROOT/benchmarks/free-port.sh"
read -r P1 P2 P3 < <(free_ports 3)

# start SERVER DIR: sets PID, WRITE_URL, READY_URL
start() {
  case $1 in
    jreceive)
      # shellcheck disable=SC2086
      MALLOC_ARENA_MAX=$JRECEIVE_MALLOC_ARENA_MAX java $JRECEIVE_JAVA_OPTS -jar "$JRECEIVE_JAR" --label 'replica="0"' \
        --tsdb.path "$2/data" --remote-write.address "127.0.0.1:$P1" --http-address "127.0.0.1:$P2" \
        --grpc-address "127.0.0.1:$P3" >>"$2/server.log" 2>&1 &
      PID=$!
      WRITE_URL="http://127.0.0.1:$P1/api/v1/receive"
      READY_URL="http://127.0.0.1:$P2/-/ready"
      ;;
    prometheus)
      printf 'global:\n  scrape_interval: 15s\n' >"$2/prometheus.yml"
      "$PROMETHEUS" --web.enable-remote-write-receiver --storage.tsdb.path="$2/data" \
        --config.file="$2/prometheus.yml" --web.listen-address="127.0.0.1:$P1" >>"$2/server.log" 2>&1 &
      PID=$!
      WRITE_URL="http://127.0.0.1:$P1/api/v1/write"
      READY_URL="http://127.0.0.1:$P1/-/ready"
      ;;
  esac
}

# ready: polls READY_URL every 20 ms; prints the milliseconds it took since $1 (ms since the epoch)
ready() {
  local since=$1
  for _ in $(seq 1 $((READY_TIMEOUT * 50))); do
    kill -0 "$PID" 2>/dev/null || { tail -n 20 "$dir/server.log" >&2; return 1; }
    if [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$READY_URL" || true) == 200 ]]; then
      echo $(($(date +%s%3N) - since))
      return 0
    fi
    sleep 0.02
  done
  echo "restart: not ready after ${READY_TIMEOUT}s" >&2
  return 1
}

rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

STATUS=0
printf '%-11s %4s %9s %12s %17s %12s %14s %10s\n' server rep "data MiB" "RSS kill" "restart->ready ms" "RSS ready" "RSS ready+5s" "acked"
for rep in $(seq 1 "$REPEAT"); do
  for server in $SERVERS; do
    dir="$WORK/$rep-$server"
    mkdir -p "$dir/data"
    start "$server" "$dir"
    ready "$(date +%s%3N)" >/dev/null || exit 1
    java -Xmx4g -cp "$BENCH_JAR" io.jreceive.bench.LoadGen --url "$WRITE_URL" --series "${LOAD%x*}" \
      --samples "${LOAD#*x}" --interval-ms "$INTERVAL_MS" --json >"$dir/loadgen.json" || STATUS=1
    before=$(rss_mib "$PID")
    kill -9 "$PID"
    wait "$PID" 2>/dev/null || true
    data=$(du -sm "$dir/data" | cut -f1)
    t0=$(date +%s%3N)
    start "$server" "$dir"
    took=$(ready "$t0") || exit 1
    at_ready=$(rss_mib "$PID")
    sleep 5
    later=$(rss_mib "$PID")
    kill -9 "$PID"
    wait "$PID" 2>/dev/null || true
    PID=""
    printf '%-11s %4d %9s %12s %17s %12s %14s %10s\n' "$server" "$rep" "$data" "$before" "$took" "$at_ready" "$later" \
      "$(jq -r .samples_acknowledged "$dir/loadgen.json")"
    rm -rf "$dir"
  done
done
exit "$STATUS"

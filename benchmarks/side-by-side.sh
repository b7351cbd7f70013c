#!/usr/bin/env bash
# Side-by-side remote-write benchmark: jreceive vs Prometheus 2.42 on this machine.
#
# Builds nothing. Expects, relative to the repository root:
#   receiver-app/target/jreceive.jar    (mvn -B -pl receiver-app -am package -DskipTests)
#   benchmarks/target/benchmarks.jar    (mvn -B -pl benchmarks -am package -DskipTests)
# and a `prometheus` binary (2.42+) with --web.enable-remote-write-receiver.
#
# For each load (series x samples per series) it runs, in alternation, a fresh jreceive and a fresh Prometheus
# (new process, new data directory), waits for /-/ready, drives it with io.jreceive.bench.LoadGen (warm-up, then
# the measured load), then reads the server's resident memory (VmRSS from /proc/<pid>/status) and prints one table.
# The server's CPU during the measured load (utime+stime from /proc/<pid>/stat at the start signal and after the
# last answer) is read by the load generator itself (--server-pid).
#
# Environment (all optional):
#   LOADS="10000x120 100000x30 500000x4"   loads, SERIESxSAMPLES
#   SERVERS="jreceive prometheus"           which servers to run, in this order per load
#   CONCURRENCY=8 BATCH=2000 PROTOCOL=1     load generator shards, samples per request, remote write version
#                                           (Prometheus 2.42 only accepts PROTOCOL=1)
#   PROMETHEUS=prometheus                   Prometheus binary
#   JRECEIVE_JAR, BENCH_JAR                 override the jar paths
#   JRECEIVE_JAVA_OPTS="-Xmx4g"             JVM options of jreceive
#   LOADGEN_JAVA_OPTS="-Xmx4g"              JVM options of the load generator
#   WARMUP="2000x100"                       warm-up load the load generator sends before the measured one (SERIESxSAMPLES,
#                                           series disjoint from the measured ones: one more label each); it is not
#                                           measured, but its series count as active in RSS/series. "" = none
#   READY_TIMEOUT=120                       seconds to wait for /-/ready
#   RESULTS_DIR=<dir>                       keep each run's LoadGen JSON and server log there
#
# Exit status: 0 when every server started and every load was acknowledged without errors; 1 when a server
# failed to start (the run stops there) or a load had errors; 2 on a usage problem (missing jar, binary or tool).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JRECEIVE_JAR=${JRECEIVE_JAR:-$ROOT/receiver-app/target/jreceive.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
PROMETHEUS=${PROMETHEUS:-prometheus}
LOADS=${LOADS:-"10000x120 100000x30 500000x4"}
WARMUP=${WARMUP-"2000x100"}
SERVERS=${SERVERS:-"jreceive prometheus"}
CONCURRENCY=${CONCURRENCY:-8}
BATCH=${BATCH:-2000}
PROTOCOL=${PROTOCOL:-1}
JRECEIVE_JAVA_OPTS=${JRECEIVE_JAVA_OPTS:--Xmx4g}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--Xmx4g}
READY_TIMEOUT=${READY_TIMEOUT:-120}
RESULTS_DIR=${RESULTS_DIR:-}

die() { echo "side-by-side: $*" >&2; exit 2; }

command -v java >/dev/null || die "java not found on PATH"
command -v curl >/dev/null || die "curl not found on PATH"
command -v jq >/dev/null || die "jq not found on PATH (used to read the load generator's JSON)"
[[ -f $BENCH_JAR ]] || die "load generator jar $BENCH_JAR is missing; build it with: mvn -B -pl benchmarks -am package -DskipTests"
for s in $SERVERS; do
  case $s in
    jreceive)
      [[ -f $JRECEIVE_JAR ]] || die "jreceive jar $JRECEIVE_JAR is missing; build it with: mvn -B -pl receiver-app -am package -DskipTests (or run only Prometheus with SERVERS=prometheus)" ;;
    prometheus)
      command -v "$PROMETHEUS" >/dev/null || die "prometheus binary '$PROMETHEUS' not found (set PROMETHEUS=/path/to/prometheus)" ;;
    *) die "unknown server '$s' in SERVERS (jreceive, prometheus)" ;;
  esac
done
for load in $LOADS; do
  [[ $load =~ ^[0-9]+x[0-9]+$ ]] || die "load '$load' is not SERIESxSAMPLES"
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/side-by-side.XXXXXX")
SERVER_PID=""
LOADGEN_PID=""

stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  if [[ -n $LOADGEN_PID ]]; then
    kill -TERM "$LOADGEN_PID" 2>/dev/null || true
    wait "$LOADGEN_PID" 2>/dev/null || true
  fi
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on, picked at random from 20000-59999 (bounded tries).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "side-by-side: no free port found" >&2
  return 1
}

# rss_kb PID: resident set size in kB.
rss_kb() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# wait_ready URL LOG: poll until URL answers 200, the server dies, or READY_TIMEOUT passes.
wait_ready() {
  local url=$1 log=$2 code
  for _ in $(seq 1 $((READY_TIMEOUT * 10))); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "side-by-side: server exited before it was ready; last log lines:" >&2
      tail -n 30 "$log" >&2
      return 1
    fi
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url" || true)
    [[ $code == 200 ]] && return 0
    sleep 0.1
  done
  echo "side-by-side: $url not ready after ${READY_TIMEOUT}s; last log lines:" >&2
  tail -n 30 "$log" >&2
  return 1
}

# start_server NAME DIR: starts a fresh server on free ports; sets SERVER_PID, WRITE_URL, READY_URL.
start_server() {
  local name=$1 dir=$2
  mkdir -p "$dir/data"
  case $name in
    jreceive)
      local p1 p2 p3
      p1=$(free_port) && p2=$(free_port) && p3=$(free_port) || return 1
      # shellcheck disable=SC2086
      java $JRECEIVE_JAVA_OPTS -jar "$JRECEIVE_JAR" --label 'replica="0"' --tsdb.path "$dir/data" \
        --remote-write.address "127.0.0.1:$p1" --http-address "127.0.0.1:$p2" --grpc-address "127.0.0.1:$p3" \
        >"$dir/server.log" 2>&1 &
      SERVER_PID=$!
      WRITE_URL="http://127.0.0.1:$p1/api/v1/receive"
      READY_URL="http://127.0.0.1:$p2/-/ready"
      ;;
    prometheus)
      local p
      p=$(free_port) || return 1
      printf 'global:\n  scrape_interval: 15s\n' >"$dir/prometheus.yml"
      "$PROMETHEUS" --web.enable-remote-write-receiver --storage.tsdb.path="$dir/data" \
        --config.file="$dir/prometheus.yml" --web.listen-address="127.0.0.1:$p" >"$dir/server.log" 2>&1 &
      SERVER_PID=$!
      WRITE_URL="http://127.0.0.1:$p/api/v1/write"
      READY_URL="http://127.0.0.1:$p/-/ready"
      ;;
  esac
  wait_ready "$READY_URL" "$dir/server.log"
}

ROWS=()          # "load server samples/s rss_kb series cpu_s acked p99 errors client_cpu"
STATUS=0
run=0
for load in $LOADS; do
  series=${load%x*}
  samples=${load#*x}
  for server in $SERVERS; do
    run=$((run + 1))
    dir="$WORK/$run-$server-$load"
    echo "== $server, $series series x $samples samples" >&2
    if ! start_server "$server" "$dir"; then
      echo "side-by-side: $server failed to start" >&2
      [[ -n $RESULTS_DIR ]] && mkdir -p "$RESULTS_DIR" && cp "$dir/server.log" "$RESULTS_DIR/$run-$server-$load.log"
      exit 1
    fi
    active=$series
    warm=()
    if [[ -n $WARMUP ]]; then
      # Both servers get the same warm-up, sent by the same load generator process just before the clock starts
      # (a fresh JVM, server or client, would otherwise be measured while it compiles its hot paths); its series
      # carry one label more, so they never collide with the measured series, and count as active in RSS/series.
      warm=(--warmup "$WARMUP")
      active=$((series + ${WARMUP%x*}))
    fi
    set +e
    # shellcheck disable=SC2086
    java $LOADGEN_JAVA_OPTS -cp "$BENCH_JAR" io.jreceive.bench.LoadGen --url "$WRITE_URL" \
      --series "$series" --samples "$samples" --batch "$BATCH" --concurrency "$CONCURRENCY" \
      --protocol "$PROTOCOL" "${warm[@]}" --server-pid "$SERVER_PID" --json >"$dir/loadgen.json" &
    LOADGEN_PID=$!
    # Waiting on a background job lets the INT/TERM trap run at once instead of after the load.
    wait "$LOADGEN_PID"
    lg=$?
    LOADGEN_PID=""
    set -e
    rss=$(rss_kb "$SERVER_PID")
    stop_server
    if ! jq -e . "$dir/loadgen.json" >/dev/null 2>&1; then
      echo "side-by-side: load generator failed (exit $lg) against $server" >&2
      exit 1
    fi
    [[ $lg -eq 0 ]] || STATUS=1
    if [[ -n $RESULTS_DIR ]]; then
      mkdir -p "$RESULTS_DIR"
      cp "$dir/loadgen.json" "$RESULTS_DIR/$run-$server-$load.json"
      cp "$dir/server.log" "$RESULTS_DIR/$run-$server-$load.log"
    fi
    rm -rf "$dir/data"
    ROWS+=("$(jq -r --arg load "$load" --arg server "$server" --arg rss "$rss" --arg series "$active" \
      '[$load, $server, .samples_per_second, $rss, $series, .server_cpu_seconds, .samples_acknowledged, .latency_ms.p99,
        (.requests_failed + .written_mismatches), .client_cpu_seconds] | map(tostring) | join(" ")' \
      "$dir/loadgen.json")")
  done
done

printf '%s\n' "${ROWS[@]}" | awk '
  {
    load = $1; srv = $2; sps = $3; rss = $4 * 1024; series = $5; cpu = $6; acked = $7; p99 = $8; err = $9; ccpu = $10
    bps = rss / series
    cpm = acked > 0 ? cpu / (acked / 1e6) : 0
    printf "%-12s %-11s %14.0f %12.1f %14.1f %14.3f %10.2f %8d %10.2f\n", load, srv, sps, rss / 1048576, bps, cpm, p99, err, ccpu
    key = load; S[key, srv] = sps; B[key, srv] = bps; C[key, srv] = cpm; P[key, srv] = p99
    if (!(key in seen)) { seen[key] = 1; order[++n] = key }
  }
  BEGIN {
    printf "%-12s %-11s %14s %12s %14s %14s %10s %8s %10s\n", "load", "server", "samples/s", "RSS MiB", "RSS B/series", "CPU s/M smpl", "p99 ms", "errors", "client CPU"
  }
  END {
    header = 0
    for (i = 1; i <= n; i++) {
      k = order[i]
      if ((k, "jreceive") in S && (k, "prometheus") in S) {
        if (!header) { printf "\njreceive / Prometheus\n%-12s %14s %14s %14s %10s\n", "load", "samples/s", "RSS B/series", "CPU s/M smpl", "p99"; header = 1 }
        printf "%-12s %14s %14s %14s %10s\n", k, ratio(S[k, "jreceive"], S[k, "prometheus"]), ratio(B[k, "jreceive"], B[k, "prometheus"]), ratio(C[k, "jreceive"], C[k, "prometheus"]), ratio(P[k, "jreceive"], P[k, "prometheus"])
      }
    }
  }
  function ratio(a, b) { return b == 0 ? "n/a" : sprintf("%.2f", a / b) }
'
exit "$STATUS"

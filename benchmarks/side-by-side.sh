#!/usr/bin/env bash
# Side-by-side remote-write benchmark: jreceive vs Prometheus 2.42 vs Thanos Receive v0.38.0 on this machine.
#
# Builds nothing. Expects, relative to the repository root:
#   receiver-app/target/jreceive.jar    (mvn -B -pl receiver-app -am package -DskipTests)
#   benchmarks/target/benchmarks.jar    (mvn -B -pl benchmarks -am package -DskipTests)
# a `prometheus` binary (2.42+) with --web.enable-remote-write-receiver, and `thanos` (v0.38.0, built by
# tools/peers.sh into ~/.cache/jreceive-peers).
#
# For each load (series x samples per series) it runs, in alternation, a fresh jreceive, a fresh Prometheus and a
# fresh Thanos Receive (new process, new data directory; Thanos Receive with --label and a FILESYSTEM bucket),
# waits for /-/ready, drives it with io.jreceive.bench.LoadGen (warm-up, then
# the measured load), then reads the server's resident memory (VmRSS from /proc/<pid>/status) and prints one table.
# It also reads each server's resident memory when idle (IDLE_SETTLE seconds after /-/ready, before any sample),
# to tell the process's fixed cost (runtime, libraries, empty head) from what the series added.
# The server's CPU during the measured load (utime+stime from /proc/<pid>/stat at the start signal and after the
# last answer) is read by the load generator itself (--server-pid).
#
# Environment (all optional):
#   LOADS="10000x120 100000x30 500000x4"   loads, SERIESxSAMPLES
#   SERVERS="jreceive prometheus thanos-receive"  which servers to run, in this order per load
#   CONCURRENCY=8 BATCH=2000 PROTOCOL=1     load generator shards, samples per request, remote write version
#                                           (Prometheus 2.42 and Thanos Receive only accept PROTOCOL=1)
#   HISTOGRAM_BUCKETS=0                     0: float samples; N > 0: every sample is an integer native histogram
#                                           with N buckets (LoadGen --histogram-buckets), and Prometheus runs with
#                                           --enable-feature=native-histograms (it refuses histograms without it;
#                                           use the 3.7 peer: PROMETHEUS=~/.cache/jreceive-peers/prometheus).
#                                           samples/s then counts histograms. Thanos Receive keeps its default
#                                           (native histograms off), so leave it out of SERVERS
#   INTERVAL_MS=15000                       distance between a series' samples; a load spans SAMPLES x INTERVAL_MS
#                                           back from now, and spans over an hour let shards drift out of bounds
#                                           (both servers refuse samples over an hour older than their newest)
#   PROMETHEUS=prometheus                   Prometheus binary
#   THANOS=~/.cache/jreceive-peers/thanos   Thanos binary (v0.38.0)
#   JRECEIVE_JAR, BENCH_JAR                 override the jar paths
#   JRECEIVE_JAVA_OPTS="-Xmx4g -Xms128m ..."  JVM options of jreceive: the image's (see below)
#   JRECEIVE_MALLOC_ARENA_MAX=2             glibc malloc arenas of jreceive, as the image sets
#   LOADGEN_JAVA_OPTS="-Xmx4g"              JVM options of the load generator
#   WARMUP="2000x100"                       warm-up load the load generator sends before the measured one (SERIESxSAMPLES,
#                                           series disjoint from the measured ones: one more label each); it is not
#                                           measured, but its series count as active in RSS/series. "" = none
#   REPEAT=1                                runs per load and server (alternating jreceive, Prometheus, Thanos
#                                           Receive, jreceive, ...); each repetition's ratios jreceive / other are
#                                           computed within that repetition, and the summary shows their median with
#                                           the range
#   READY_TIMEOUT=120                       seconds to wait for /-/ready
#   IDLE_SETTLE=5                           seconds between /-/ready and the idle memory reading (jreceive's start-up
#                                           garbage and freed native memory settle by then; Prometheus is idle at once)
#   RESULTS_DIR=<dir>                       keep each run's LoadGen JSON and server log there
#   OOO_WINDOW=30m OOO_EVERY=10             out-of-order loads: every server gets the window (servers.sh), and one
#                                           sample in OOO_EVERY of each series is sent after its successor
#                                           (LoadGen --out-of-order-every); unset = in order
#
# Exit status: 0 when every server started and every load was acknowledged without errors; 1 when a server
# failed to start (the run stops there) or a load had errors; 2 on a usage problem (missing jar, binary or tool).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JRECEIVE_JAR=${JRECEIVE_JAR:-$ROOT/receiver-app/target/jreceive.jar}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
PROMETHEUS=${PROMETHEUS:-prometheus}
THANOS=${THANOS:-${JRECEIVE_PEERS:-$HOME/.cache/jreceive-peers}/thanos}
LOADS=${LOADS:-"10000x120 100000x30 500000x4"}
WARMUP=${WARMUP-"2000x100"}
REPEAT=${REPEAT:-1}
SERVERS=${SERVERS:-"jreceive prometheus thanos-receive"}
CONCURRENCY=${CONCURRENCY:-8}
BATCH=${BATCH:-2000}
PROTOCOL=${PROTOCOL:-1}
INTERVAL_MS=${INTERVAL_MS:-15000}
HISTOGRAM_BUCKETS=${HISTOGRAM_BUCKETS:-0}
LOADGEN_JAVA_OPTS=${LOADGEN_JAVA_OPTS:--Xmx4g}
READY_TIMEOUT=${READY_TIMEOUT:-120}
IDLE_SETTLE=${IDLE_SETTLE:-5}
RESULTS_DIR=${RESULTS_DIR:-}
OOO_EVERY=${OOO_EVERY:-0}
# The image's JVM settings for jreceive (JRECEIVE_JAVA_OPTS, JRECEIVE_MALLOC_ARENA_MAX), ports, start and readiness.
# shellcheck source=servers.sh
source "$ROOT/benchmarks/servers.sh"

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
    thanos-receive)
      [[ -x $THANOS ]] || die "thanos binary '$THANOS' not found (build it with tools/peers.sh thanos, set THANOS=/path/to/thanos, or leave it out of SERVERS)" ;;
    *) die "unknown server '$s' in SERVERS (jreceive, prometheus, thanos-receive)" ;;
  esac
done
for load in $LOADS; do
  [[ $load =~ ^[0-9]+x[0-9]+$ ]] || die "load '$load' is not SERIESxSAMPLES"
done
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "REPEAT must be a positive number, got '$REPEAT'"
[[ $IDLE_SETTLE =~ ^[0-9]+$ ]] || die "IDLE_SETTLE must be a number of seconds, got '$IDLE_SETTLE'"
[[ $HISTOGRAM_BUCKETS =~ ^[0-9]+$ ]] || die "HISTOGRAM_BUCKETS must be a number, got '$HISTOGRAM_BUCKETS'"
if ((HISTOGRAM_BUCKETS > 0)); then
  PROMETHEUS_ARGS="${PROMETHEUS_ARGS:-} --enable-feature=native-histograms"
fi

[[ " $SERVERS " != *" jreceive "* ]] || { aot_setup || exit 1; echo "${0##*/}: jreceive on $("$JRECEIVE_JAVA" -version 2>&1 | head -1), options: $JRECEIVE_JAVA_OPTS" >&2; }
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

# rss_kb PID: resident set size in kB.
rss_kb() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# start_server NAME DIR: starts a fresh server on free ports and waits until it is ready; sets SERVER_PID,
# WRITE_URL, READY_URL.
start_server() {
  local ports
  ports=$(free_ports 3) || return 1
  # shellcheck disable=SC2086
  launch "$1" "$2" $ports && await_ready "$2/server.log"
}

ROWS=()          # "load server rep samples/s rss_kb series cpu_s acked p99 errors client_cpu idle_rss_kb"
STATUS=0
run=0
for load in $LOADS; do
  series=${load%x*}
  samples=${load#*x}
  for rep in $(seq 1 "$REPEAT"); do
    for server in $SERVERS; do
      run=$((run + 1))
      dir="$WORK/$run-$server-$load"
      echo "== $server, $series series x $samples samples" >&2
      if ! start_server "$server" "$dir"; then
        echo "side-by-side: $server failed to start" >&2
        [[ -n $RESULTS_DIR ]] && mkdir -p "$RESULTS_DIR" && cp "$dir/server.log" "$RESULTS_DIR/$run-$server-$load.log"
        exit 1
      fi
      sleep "$IDLE_SETTLE"
      idle=$(rss_kb "$SERVER_PID")
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
        --protocol "$PROTOCOL" --interval-ms "$INTERVAL_MS" --out-of-order-every "$OOO_EVERY" --histogram-buckets "$HISTOGRAM_BUCKETS" "${warm[@]}" --server-pid "$SERVER_PID" --json >"$dir/loadgen.json" &
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
      ROWS+=("$(jq -r --arg load "$load" --arg server "$server" --arg rep "$rep" --arg rss "$rss" --arg series "$active" \
        --arg idle "$idle" \
        '[$load, $server, $rep, .samples_per_second, $rss, $series, .server_cpu_seconds, .samples_acknowledged, .latency_ms.p99,
          (.requests_failed + .written_mismatches), .client_cpu_seconds, $idle] | map(tostring) | join(" ")' \
        "$dir/loadgen.json")")
    done
  done
done

printf '%s\n' "${ROWS[@]}" | awk '
  {
    load = $1; srv = $2; rep = $3; sps = $4; rss = $5 * 1024; series = $6; cpu = $7; acked = $8; p99 = $9; err = $10
    ccpu = $11; idle = $12 * 1024
    bps = rss / series
    aps = (rss - idle) / series
    cpm = acked > 0 ? cpu / (acked / 1e6) : 0
    printf "%-12s %-14s %4d %14.0f %12.1f %14.1f %14.3f %10.2f %8d %10.2f %9.1f %12.1f\n", load, srv, rep, sps, rss / 1048576, bps, cpm, p99, err, ccpu, idle / 1048576, aps
    S[load, rep, srv] = sps; B[load, rep, srv] = bps; C[load, rep, srv] = cpm; P[load, rep, srv] = p99; A[load, rep, srv] = aps
    if (rep > reps) reps = rep
    if (!(load in seen)) { seen[load] = 1; order[++n] = load }
  }
  BEGIN {
    printf "%-12s %-14s %4s %14s %12s %14s %14s %10s %8s %10s %9s %12s\n", "load", "server", "rep", "samples/s", "RSS MiB", "RSS B/series", "CPU s/M smpl", "p99 ms", "errors", "client CPU", "idle MiB", "added B/ser"
  }
  END {
    split("prometheus thanos-receive", others, " ")
    for (o = 1; o <= 2; o++) {
      other = others[o]
      header = 0
      for (i = 1; i <= n; i++) {
        k = order[i]
        m = 0
        for (r = 1; r <= reps; r++) {
          if ((k, r, "jreceive") in S && (k, r, other) in S && S[k, r, other] > 0) {
            m++
            XS[m] = S[k, r, "jreceive"] / S[k, r, other]; XB[m] = B[k, r, "jreceive"] / B[k, r, other]
            XC[m] = C[k, r, "jreceive"] / C[k, r, other]; XP[m] = P[k, r, "jreceive"] / P[k, r, other]
            XJ[m] = P[k, r, "jreceive"]; XA[m] = A[k, r, other] > 0 ? A[k, r, "jreceive"] / A[k, r, other] : 0
          }
        }
        if (m == 0) continue
        if (!header) {
          printf "\njreceive / %s, within each repetition (median of %d, [min-max] when more than one)\n", other, reps
          printf "%-12s %18s %18s %18s %18s %18s %18s\n", "load", "samples/s", "RSS B/series", "CPU s/M smpl", "p99", "jreceive p99 ms", "added B/series"
          header = 1
        }
        printf "%-12s %18s %18s %18s %18s %18s %18s\n", k, summary(XS, m), summary(XB, m), summary(XC, m), summary(XP, m), summary(XJ, m), summary(XA, m)
      }
    }
  }
  # median of a[1..n] and, for n > 1, its range
  function summary(a, n,    i, j, t, med) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    med = n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    return n == 1 ? sprintf("%.2f", med) : sprintf("%.2f [%.2f-%.2f]", med, a[1], a[n])
  }
'
exit "$STATUS"

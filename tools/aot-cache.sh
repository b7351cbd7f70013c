#!/usr/bin/env bash
# Trains a JDK 25+ ahead-of-time cache (JEP 483/514/515: classes loaded and linked, and the JIT's method profiles)
# for one jreceive jar, so that a JVM started with -XX:AOTCache=OUT loads its classes from the cache and compiles the
# hot paths from profiles it already has instead of collecting them under the first real load.
#
#   tools/aot-cache.sh JAR OUT LOADGEN_JAR [JAVA_OPTS...]
#
# JAR is jreceive.jar, OUT the cache to write, LOADGEN_JAR the benchmarks jar (its LoadGen drives the training);
# JAVA_OPTS are the JVM options the cache will be used with (the GC must be the same). The JVM is JAVA (default:
# java on PATH); the cache is only valid for that JVM build and that jar (same path, size and time), so it is made
# where it will be used: in the image's runtime stage, or by the benchmark scripts for the jar they measure.
#
# The training is a representative receiver's life, in a temporary directory on loopback ports, none of it the
# benchmarks' own load shapes: a WAL written by a first run and left by SIGKILL (so the trained run replays a WAL),
# then, in the trained run: remote write 1.0 and 2.0 float series over many connections, several tenants, native
# histograms, out-of-order samples, StoreAPI reads of everything written (gRPC Series), writes forwarded over gRPC by
# a ring's router (a second, untrained jreceive), and a SIGTERM that flushes the heads into blocks. The JVM writes the
# cache as it exits.
#
# Exit status: 0 with OUT written; 3 when JAVA cannot make AOT caches (a JDK before 25: nothing is written, and the
# caller runs without a cache); 1 on any other failure.
set -euo pipefail

[[ $# -ge 3 ]] || { echo "usage: $0 JAR OUT LOADGEN_JAR [JAVA_OPTS...]" >&2; exit 2; }
jar=$1 out=$2 loadgen=$3
shift 3
java=${JAVA:-java}

log() { echo "aot-cache.sh: $*" >&2; }

if ! "$java" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q '\bAOTCacheOutput\b'; then
  log "$("$java" -version 2>&1 | head -1): no AOT cache support (JDK 25 or newer needed); no cache written"
  exit 3
fi

opts=("$@")
work=$(mktemp -d "${TMPDIR:-/tmp}/jreceive-aot.XXXXXX")
pids=()
cleanup() {
  [[ ${#pids[@]} -eq 0 ]] || kill -9 "${pids[@]}" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# ports N: N distinct ports no socket listens on, below the kernel's range for clients' local ports.
ports() {
  local p out=()
  for _ in $(seq 1 400); do
    [[ ${#out[@]} -lt $1 ]] || break
    p=$((20000 + RANDOM % 12000))
    [[ " ${out[*]} " != *" $p "* ]] || continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || out+=("$p")
  done
  [[ ${#out[@]} -eq $1 ]] || { log "no free ports"; return 1; }
  echo "${out[*]}"
}
free=$(ports 6)
read -r rw http grpc router_rw router_http router_grpc <<<"$free"

# start NAME RW HTTP GRPC JVM_OPTION... -- FLAG...: a jreceive (data in work/NAME, log in work/NAME.log) on the three
# ports with the JVM options and flags, waiting until /-/ready answers 200 (bash's /dev/tcp, as the image's health
# check: the training needs no curl); its pid is appended to pids.
start() {
  local name=$1 p_rw=$2 p_http=$3 p_grpc=$4
  shift 4
  local jvm=()
  while [[ $1 != -- ]]; do jvm+=("$1"); shift; done
  shift
  "$java" "${jvm[@]}" -jar "$jar" --label "replica=\"$name\"" --tsdb.path "$work/$name" \
    --remote-write.address "127.0.0.1:$p_rw" --http-address "127.0.0.1:$p_http" --grpc-address "127.0.0.1:$p_grpc" \
    "$@" >>"$work/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 1 3000); do
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$work/$name.log" >&2; log "jreceive $name exited"; return 1; }
    if (exec 3<>"/dev/tcp/127.0.0.1/$p_http" && printf 'GET /-/ready HTTP/1.1\r\nHost: aot\r\nConnection: close\r\n\r\n' >&3 \
        && read -r -t 2 _ code _ <&3 && [[ $code == 200 ]]) 2>/dev/null; then
      return 0
    fi
    sleep 0.02
  done
  log "jreceive $name not ready after 60 s"
  return 1
}

# load ARG...: one LoadGen run against the remote-write port in target; it fails the training if any request fails.
target=$rw
load() {
  "$java" -Xmx1g -cp "$loadgen" io.jreceive.bench.LoadGen --url "http://127.0.0.1:$target/api/v1/receive" "$@" \
    --json >>"$work/load.log" 2>&1 || { tail -n 5 "$work/load.log" >&2; log "training load failed: $*"; return 1; }
}

# Every load starts after the previous one ended (the synthetic series of different loads share names), an hour
# and a half back, so that everything is inside the head's block and the out-of-order window.
t=$(( ($(date +%s) - 5400) * 1000 ))
# next SAMPLES ARG...: one load of SAMPLES samples per series at 15 s, from t on; advances t past it.
next() {
  local n=$1
  shift
  load --samples "$n" --start-ms "$t" "$@"
  t=$((t + (n + 1) * 15000))
}

# 1. A WAL to replay: a run without the cache, stopped by SIGKILL. Fewer series than the ingest warm-up's 20000, so
# that the trained run runs the warm-up after its replay too (a replay of as many series replaces it).
start trained "$rw" "$http" "$grpc" "${opts[@]}" -- --tsdb.out-of-order.time-window=30m
next 20 --series 15000 --batch 1000 --concurrency 4 --label-count 7
kill -9 "${pids[0]}"
wait "${pids[0]}" 2>/dev/null || true
pids=()

# 2. The trained run, an ingestor (no hashring) as a single receiver runs.
start trained "$rw" "$http" "$grpc" -XX:AOTCacheOutput="$out" "${opts[@]}" -- --tsdb.out-of-order.time-window=30m
trained=${pids[0]}
next 40 --series 20000 --batch 2500 --concurrency 6 --label-count 7
next 10 --series 40000 --batch 2000 --concurrency 8 --label-count 9 --tenants 3
next 20 --series 20000 --batch 2000 --concurrency 8 --label-count 6 --protocol 2
next 30 --series 2000 --batch 500 --concurrency 4 --histogram-buckets 20
next 30 --series 2000 --batch 500 --concurrency 4 --histogram-buckets 12 --protocol 2
next 20 --series 5000 --batch 1000 --concurrency 4 --label-count 4 --out-of-order-every 10
next 10 --series 5000 --batch 1000 --concurrency 4 --label-count 5 --verify-grpc "127.0.0.1:$grpc"
# As a ring's ingestor: a router (hashring of the trained node alone, not trained itself) forwards its writes over
# gRPC (thanos.WriteableStore/RemoteWrite), as the other nodes of a ring do.
printf '[{"endpoints": ["127.0.0.1:%s"]}]\n' "$grpc" >"$work/hashrings.json"
start router "$router_rw" "$router_http" "$router_grpc" "${opts[@]}" -- --receive.hashrings-file="$work/hashrings.json"
target=$router_rw
next 30 --series 20000 --batch 2000 --concurrency 8 --label-count 6
next 20 --series 2000 --batch 500 --concurrency 4 --histogram-buckets 20
kill -TERM "$trained"
status=0
wait "$trained" || status=$?
if [[ ! -s $out ]]; then
  tail -n 30 "$work/trained.log" >&2
  log "jreceive exited with $status and no cache at $out"
  exit 1
fi
log "$out: $(du -h "$out" | cut -f1) for $jar ($("$java" -version 2>&1 | head -1))"

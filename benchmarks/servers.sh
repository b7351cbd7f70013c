# Sourced by the benchmark scripts (side-by-side.sh, restart.sh, idle-rss.sh): how they start the servers they
# measure, on which ports, and how they wait for them. Expects JRECEIVE_JAR, PROMETHEUS (for Prometheus), THANOS
# (for Thanos Receive) and READY_TIMEOUT to be set by the script.

# The container image's JVM settings (docker/Dockerfile: JAVA_OPTS and MALLOC_ARENA_MAX) as the JVM applies them in
# an 8 GiB container: MaxRAMPercentage=50 gives a 4 GiB heap ceiling and the default initial heap is 1/64 of the
# limit, 128 MiB. On the bare machine they would be sized from all of its memory instead. DeploymentManifestsIT
# checks that they stay the image's.
JRECEIVE_JAVA_OPTS=${JRECEIVE_JAVA_OPTS:--Xmx4g -Xms128m -XX:+UseG1GC -XX:MaxNewSize=16m -XX:MetaspaceSize=64m -XX:TrimNativeHeapInterval=1000 -XX:+ExitOnOutOfMemoryError}
JRECEIVE_MALLOC_ARENA_MAX=${JRECEIVE_MALLOC_ARENA_MAX:-2}
# The image's runtime is a JDK 25 with an ahead-of-time cache trained for its jar (docker/Dockerfile, tools/aot-cache.sh):
# JRECEIVE_JAVA is the java that runs jreceive (default: a JDK 25 under /usr/lib/jvm or JAVA25_HOME, else java on
# PATH) and JRECEIVE_AOT says whether it gets a cache ("auto": trained once per jar and JVM into
# ~/.cache/jreceive-aot when the JVM can make one; "off": none, as a JDK 17 runs the jar).
if [[ -z ${JRECEIVE_JAVA:-} ]]; then
  for j in ${JAVA25_HOME:+"$JAVA25_HOME/bin/java"} /usr/lib/jvm/*-25*/bin/java; do
    [[ -x $j ]] && { JRECEIVE_JAVA=$j; break; }
  done
  JRECEIVE_JAVA=${JRECEIVE_JAVA:-java}
fi
JRECEIVE_AOT=${JRECEIVE_AOT:-auto}

# aot_setup: with JRECEIVE_AOT=auto, adds -XX:AOTCache for JRECEIVE_JAR to JRECEIVE_JAVA_OPTS, training the cache
# first when there is none for this jar (path, size, time), JVM and options yet (BENCH_JAR drives the training).
# The training runs before any measurement; a JVM that cannot make caches runs without one.
aot_setup() {
  [[ $JRECEIVE_AOT == auto ]] || return 0
  local key cache
  key=$( { stat -c '%n %s %Y' "$JRECEIVE_JAR"; "$JRECEIVE_JAVA" -version 2>&1; echo "$JRECEIVE_JAVA_OPTS"; } | sha256sum | cut -c1-16)
  cache=${JRECEIVE_AOT_DIR:-$HOME/.cache/jreceive-aot}/$key.aot
  if [[ ! -s $cache ]]; then
    mkdir -p "$(dirname "$cache")"
    local status=0
    # shellcheck disable=SC2086
    JAVA=$JRECEIVE_JAVA "$(dirname "${BASH_SOURCE[0]}")/../tools/aot-cache.sh" "$JRECEIVE_JAR" "$cache.tmp" "$BENCH_JAR" \
      $JRECEIVE_JAVA_OPTS || status=$?
    [[ $status -eq 3 ]] && return 0
    [[ $status -eq 0 ]] || { echo "${0##*/}: training the AOT cache failed" >&2; return 1; }
    mv "$cache.tmp" "$cache"
  fi
  JRECEIVE_JAVA_OPTS="$JRECEIVE_JAVA_OPTS -XX:AOTCache=$cache"
}
# OOO_WINDOW (e.g. 30m): every server accepts out-of-order samples within it (jreceive and Thanos Receive
# --tsdb.out-of-order.time-window, Prometheus storage.tsdb.out_of_order_time_window); empty = off.
OOO_WINDOW=${OOO_WINDOW:-}

# free_port [PORT...] prints a port no socket uses, picked at random below the kernel's range for clients' local
# ports (32768-60999 by default), so that no client connection, not even one in TIME_WAIT (which blocks a listener's
# bind: a curl poll of an earlier run, say), can hold it; never one of the ports given as arguments; bounded tries.
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

# free_ports N prints N distinct free ports on one line.
free_ports() {
  local out=() p
  for _ in $(seq 1 "$1"); do
    p=$(free_port "${out[@]}") || return 1
    out+=("$p")
  done
  echo "${out[*]}"
}

# launch NAME DIR PORT1 PORT2 PORT3 [FLAG...]: starts jreceive (remote write, HTTP, gRPC on the three
# ports, with JRECEIVE_JAVA_OPTS and any extra flags), Prometheus (on PORT1, with the remote-write receiver,
# PROMETHEUS_ARGS, word-split, and any extra flags) or
# Thanos Receive (`thanos receive` on the three ports, as jreceive, shipping to a FILESYSTEM bucket in DIR/bucket, as
# the deployment ships to S3) on the data directory DIR/data, its output appended to DIR/server.log; sets
# SERVER_PID, WRITE_URL and READY_URL.
launch() {
  local name=$1 dir=$2 p1=$3 p2=$4 p3=$5
  shift 5
  mkdir -p "$dir/data"
  case $name in
    jreceive)
      # shellcheck disable=SC2086
      MALLOC_ARENA_MAX=$JRECEIVE_MALLOC_ARENA_MAX "$JRECEIVE_JAVA" $JRECEIVE_JAVA_OPTS -jar "$JRECEIVE_JAR" --label 'replica="0"' \
        --tsdb.path "$dir/data" --remote-write.address "127.0.0.1:$p1" --http-address "127.0.0.1:$p2" \
        --grpc-address "127.0.0.1:$p3" ${OOO_WINDOW:+--tsdb.out-of-order.time-window=$OOO_WINDOW} "$@" \
        >>"$dir/server.log" 2>&1 &
      SERVER_PID=$!
      WRITE_URL="http://127.0.0.1:$p1/api/v1/receive"
      READY_URL="http://127.0.0.1:$p2/-/ready"
      ;;
    thanos-receive)
      "$THANOS" receive --label 'replica="0"' --tsdb.path="$dir/data" \
        --objstore.config="$(printf 'type: FILESYSTEM\nconfig:\n  directory: %s\n' "$dir/bucket")" \
        --remote-write.address="127.0.0.1:$p1" --http-address="127.0.0.1:$p2" --grpc-address="127.0.0.1:$p3" \
        ${OOO_WINDOW:+--tsdb.out-of-order.time-window=$OOO_WINDOW} "$@" >>"$dir/server.log" 2>&1 &
      SERVER_PID=$!
      WRITE_URL="http://127.0.0.1:$p1/api/v1/receive"
      READY_URL="http://127.0.0.1:$p2/-/ready"
      ;;
    prometheus)
      printf 'global:\n  scrape_interval: 15s\n' >"$dir/prometheus.yml"
      [[ -z $OOO_WINDOW ]] || printf 'storage:\n  tsdb:\n    out_of_order_time_window: %s\n' "$OOO_WINDOW" \
        >>"$dir/prometheus.yml"
      # shellcheck disable=SC2086
      "$PROMETHEUS" --web.enable-remote-write-receiver --storage.tsdb.path="$dir/data" \
        --config.file="$dir/prometheus.yml" --web.listen-address="127.0.0.1:$p1" ${PROMETHEUS_ARGS:-} "$@" \
        >>"$dir/server.log" 2>&1 &
      SERVER_PID=$!
      WRITE_URL="http://127.0.0.1:$p1/api/v1/write"
      READY_URL="http://127.0.0.1:$p1/-/ready"
      ;;
    *)
      echo "${0##*/}: unknown server '$name'" >&2
      return 1
      ;;
  esac
}

# await_ready LOG: polls READY_URL every 20 ms until it answers 200 (0), or the server dies or READY_TIMEOUT passes
# (1, with the last lines of LOG on stderr).
await_ready() {
  local log=$1
  for _ in $(seq 1 $((READY_TIMEOUT * 50))); do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "${0##*/}: server exited before it was ready; last log lines:" >&2
      tail -n 30 "$log" >&2
      return 1
    fi
    [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$READY_URL" || true) == 200 ]] && return 0
    sleep 0.02
  done
  echo "${0##*/}: $READY_URL not ready after ${READY_TIMEOUT}s; last log lines:" >&2
  tail -n 30 "$log" >&2
  return 1
}

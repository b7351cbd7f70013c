#!/usr/bin/env bash
# Resident memory of an idle jreceive: starts the jar with the given JVM options (and receiver flags), waits for
# /-/ready, waits SETTLE seconds more, prints VmRSS and the largest resident mappings, and stops it. Used to
# measure the process's fixed cost (benchmarks/RESULTS.md, "The JVM's floor at 10k series").
#
#   benchmarks/idle-rss.sh "-Xmx4g -XX:+UseSerialGC" --remote-write.warmup-series=0
#
# Environment: JRECEIVE_JAR (receiver-app/target/jreceive.jar), SETTLE=8, JRECEIVE_MALLOC_ARENA_MAX=2 (as the
# image), READY_TIMEOUT=120. Exit status: 0, 1 when the server did not become ready, 2 on a usage problem.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JRECEIVE_JAR=${JRECEIVE_JAR:-$ROOT/receiver-app/target/jreceive.jar}
SETTLE=${SETTLE:-8}
BENCH_JAR=${BENCH_JAR:-$ROOT/benchmarks/target/benchmarks.jar}
READY_TIMEOUT=${READY_TIMEOUT:-120}
[[ $# -ge 1 ]] || { echo "usage: $0 \"<JVM options>\" [jreceive flags...]" >&2; exit 2; }
[[ -f $JRECEIVE_JAR ]] || { echo "idle-rss: $JRECEIVE_JAR is missing (mvn -B -q package -DskipTests)" >&2; exit 2; }
# shellcheck source=servers.sh
source "$ROOT/benchmarks/servers.sh"
JRECEIVE_JAVA_OPTS=$1
shift

{ aot_setup || exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/idle-rss.XXXXXX")
SERVER_PID=""
cleanup() {
  [[ -z $SERVER_PID ]] || { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

# shellcheck disable=SC2046
launch jreceive "$WORK" $(free_ports 3) "$@"
await_ready "$WORK/server.log" || exit 1
sleep "$SETTLE"
awk '/^VmRSS:/ { printf "VmRSS %.1f MiB", $2 / 1024 }' "/proc/$SERVER_PID/status"
echo "  threads $(ls "/proc/$SERVER_PID/task" | wc -l)"
# Resident kB per mapping name (anonymous memory: heap, metaspace, malloc, stacks, code cache, under "[anon]").
awk '/^[0-9a-f]+-[0-9a-f]+ / { name = NF >= 6 ? $6 : "[anon]" } /^Rss:/ { rss[name] += $2 }
     END { for (n in rss) if (rss[n] >= 512) printf "%8.1f MiB  %s\n", rss[n] / 1024, n }' "/proc/$SERVER_PID/smaps" | sort -rn

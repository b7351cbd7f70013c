#!/usr/bin/env bash
# tools/fuzz.sh CLASS METHOD [SECONDS]: fuzzes one of receiver-core's @FuzzTest targets for SECONDS (default 600)
# with Jazzer's command line, from its committed seeds and the corpus of earlier runs (receiver-core/.cifuzz-corpus,
# which it extends). Example: tools/fuzz.sh io.jreceive.ingest.RemoteWriteBodyFuzzer body 3600
# A finding is written as crash-<sha1> in the working directory; copy it into the target's seed directory with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { echo "usage: $0 CLASS METHOD [SECONDS]" >&2; exit 2; }
class=$1 method=$2 seconds=${3:-600}
mvn -B -q package -pl receiver-core -am -DskipTests
mvn -B -q dependency:build-classpath -pl receiver-core -am -Dmdep.includeScope=test \
  -Dmdep.outputFile="$PWD/receiver-core/target/fuzz-classpath.txt"
path=${class//.//}
seeds=receiver-core/src/test/resources/$path"Inputs"/$method
corpus=receiver-core/.cifuzz-corpus/$class/$method
mkdir -p "$corpus"
exec java -cp "receiver-core/target/test-classes:receiver-core/target/classes:$(cat receiver-core/target/fuzz-classpath.txt)" \
  com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method="$method" \
  --instrumentation_includes='io.jreceive.**' -max_total_time="$seconds" "$corpus" "$seeds"

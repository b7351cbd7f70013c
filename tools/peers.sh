#!/usr/bin/env bash
# Builds the real peers the integration tests run against, from their Go modules, into a cache outside the
# repository (JREceive peer cache: ${JRECEIVE_PEERS:-$HOME/.cache/jreceive-peers}). Does nothing for a binary
# that is already there. Nothing of the peers' source or binaries is kept in the repository.
#
#   tools/peers.sh            build every missing peer
#   tools/peers.sh thanos     build only the named ones (thanos, prometheus, promtool, minio)
#   tools/peers.sh --lenient  as the README's test command runs it: outside CI (CI != true) a peer that cannot be
#                             built is reported and the tests that need it skip; under CI=true it fails the build
#
# go install mod@version refuses these modules (replace/exclude lines in their go.mod), so each module is
# downloaded through the Go module proxy, copied out of the module cache and built inside the copy.
set -euo pipefail

cache=${JRECEIVE_PEERS:-$HOME/.cache/jreceive-peers}
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=readonly

# name  module  version  package
# MinIO publishes no semver tags: its documentation installs the module's latest commit (go install
# github.com/minio/minio@latest); this pins the pseudo-version that was latest on the proxy when it was chosen.
peers=(
  "thanos github.com/thanos-io/thanos v0.38.0 ./cmd/thanos"
  "prometheus github.com/prometheus/prometheus v0.307.3 ./cmd/prometheus"
  "promtool github.com/prometheus/prometheus v0.307.3 ./cmd/promtool"
  "minio github.com/minio/minio v0.0.0-20260212201848-7aac2a2c5b7c ."
)

# The version each binary reports, set as its own release build sets it.
ldflags() {
  local name=$1 version=$2
  case $name in
    thanos) prom_version 0.38.0 "$version" ;;
    prometheus | promtool) prom_version 3.7.3 "$version" ;;
    minio)
      # v0.0.0-YYYYMMDDhhmmss-commit: MinIO's Version is the commit time, its ReleaseTag DEVELOPMENT.<time>
      # (what MinIO's own Makefile gives a build from source that is not a release).
      local ts=${version#v0.0.0-} commit=${version##*-}
      ts=${ts%%-*}
      local t="${ts:0:4}-${ts:4:2}-${ts:6:2}T${ts:8:2}:${ts:10:2}:${ts:12:2}Z"
      local p=github.com/minio/minio/cmd
      echo "-X $p.Version=$t -X $p.ReleaseTag=DEVELOPMENT.${t//:/-} -X $p.CommitID=$commit" \
        "-X $p.ShortCommitID=$commit -X $p.CopyrightYear=${ts:0:4}" ;;
  esac
}
prom_version() {
  local p=github.com/prometheus/common/version
  echo "-X $p.Version=$1 -X $p.Branch=HEAD -X $p.Revision=$2"
}

lenient=false
want=()
for a in "$@"; do
  if [[ $a == --lenient ]]; then lenient=true; else want+=("$a"); fi
done
if $lenient && [[ ${CI:-} != true ]]; then
  # Outside CI a missing Go or an unreachable module proxy must not stop the rest of the suite.
  if ! "$0" "${want[@]}"; then
    echo "peers.sh: WARNING: the peers could not be built (see above); the tests that need them will skip" >&2
  fi
  exit 0
fi
selected() {
  [[ ${#want[@]} -eq 0 ]] && return 0
  local w; for w in "${want[@]}"; do [[ $w == "$1" ]] && return 0; done; return 1
}

command -v go >/dev/null 2>&1 || { echo "peers.sh: no 'go' on PATH: Go >= 1.24 is needed to build the peers" >&2; exit 1; }
mkdir -p "$cache"

# Module-level adjustments a peer needs to build from the proxy, run inside the copy before go build.
fixup() {
  case $1 in
    thanos)
      # Thanos v0.38.0 requires capnproto.org/go/capnp/v3 v3.0.0-alpha.30, which imports zenhack.net/go/util; the
      # Go module proxy answers 403 for every version of zenhack.net/go/util. capnp v3.0.1-alpha.1 (the next
      # release, the one later Thanos versions moved to) has the same API without that import. Cap'n Proto is only
      # Thanos' optional replication protocol (off by default in 0.38); every other line of Thanos is as tagged.
      go mod edit -replace capnproto.org/go/capnp/v3=capnproto.org/go/capnp/v3@v3.0.1-alpha.1 \
        -droprequire zenhack.net/go/util &&
      GOFLAGS=-mod=mod go mod download capnproto.org/go/capnp/v3 &&
      GOFLAGS=-mod=mod go list -deps ./cmd/thanos >/dev/null ;;
  esac
}

# Runs in a subshell of an || list, where errexit is off: every step checks its own status.
build() {
  local name=$1 module=$2 version=$3 pkg=$4 out=$5 dir
  # src is global (this runs in its own subshell): the EXIT trap removes it after the function returned.
  echo "peers.sh: building $name from $module@$version (first build takes minutes)" >&2
  dir=$(cd / && go mod download -json "$module@$version" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [[ -n $dir && -d $dir ]] || { echo "peers.sh: go mod download of $module@$version gave no directory" >&2; return 1; }
  src=$(mktemp -d "${TMPDIR:-/tmp}/jreceive-peer-$name.XXXXXX") || return 1
  trap 'rm -rf "$src"' EXIT
  cp -r "$dir/." "$src" && chmod -R u+w "$src" || return 1
  (cd "$src" && fixup "$name") || { echo "peers.sh: preparing $name's module failed (above)" >&2; return 1; }
  (cd "$src" && go build -trimpath -tags netgo \
      -ldflags "$(ldflags "$name" "$version")" \
      -o "$out.tmp" "$pkg") || { echo "peers.sh: go build of $name failed (above)" >&2; return 1; }
  mv "$out.tmp" "$out" && ln -sfn "$(basename "$out")" "$cache/$name" || return 1
  echo "peers.sh: $name ready at $out" >&2
}

# A peer that cannot be built does not keep the others from being built; the exit status reports it.
failed=()
for line in "${peers[@]}"; do
  read -r name module version pkg <<<"$line"
  selected "$name" || continue
  out="$cache/$name-$version"
  if [[ -x $out ]]; then
    ln -sfn "$(basename "$out")" "$cache/$name"
    continue
  fi
  (build "$name" "$module" "$version" "$pkg" "$out") || failed+=("$name")
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "peers.sh: could not build: ${failed[*]}" >&2
  exit 1
fi

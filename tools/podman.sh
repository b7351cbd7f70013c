#!/usr/bin/env bash
# Container images and a Docker-compatible engine without a registry or a Docker daemon: podman from Debian, base
# images made by debootstrap from Debian's mirror (the one apt is configured with), kept in the machine's podman
# storage and reused while their package list is unchanged. Podman runs with tools/containers.conf (CONTAINERS_CONF).
#
#   tools/podman.sh install             apt-get install podman, runc and debootstrap where missing
#   tools/podman.sh base NAME [PKG...]  a Debian 12 minbase image with PKGs; prints its name
#                                       (localhost/jreceive-base-NAME:<hash of the package list>)
#   tools/podman.sh minio               the MinIO image the Testcontainers test and docker/compose.yaml use, from the
#                                       binary tools/peers.sh builds, on base "minimal"; prints its name
#   tools/podman.sh prometheus          the same for Prometheus (localhost/jreceive-prometheus:v3.7.3)
#   tools/podman.sh thanos              the same for Thanos (localhost/jreceive-thanos:v0.38.0)
#   tools/podman.sh runtime JAVA_HOME   a Java runtime image for the Dockerfile's RUNTIME_IMAGE: the JDK at
#                                       JAVA_HOME (Debian 12 packages no JDK 25) on base "minimal"; prints its name
#                                       (localhost/jreceive-runtime:<the JDK's version>)
#   tools/podman.sh service SOCKET      runs podman's Docker API on unix://SOCKET in the foreground until killed
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
suite=bookworm

log() { echo "podman.sh: $*" >&2; }

# Temporary directories, removed when the script exits however it exits.
scratch=()
cleanup() { [[ ${#scratch[@]} -eq 0 ]] || rm -rf "${scratch[@]}"; }
trap cleanup EXIT

# The Debian mirror apt uses (deb822 or one-line sources), without the security archive.
mirror() {
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*\(.*\)/\1/p' \
      | tr ' ' '\n' | grep -v -- '-security' | head -1 || true)
  [[ -n $m ]] || m=$(sed -n 's/^deb[[:space:]]\+\([^[:space:]]\+\)[[:space:]]\+bookworm[[:space:]].*/\1/p' \
      /etc/apt/sources.list 2>/dev/null | head -1 || true)
  echo "${m:-http://deb.debian.org/debian}"
}

install() {
  local missing=()
  command -v podman >/dev/null 2>&1 || missing+=(podman)
  command -v runc >/dev/null 2>&1 || missing+=(runc)
  command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
  if [[ ${#missing[@]} -gt 0 ]]; then
    log "installing ${missing[*]} (Debian packages)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

have_image() { podman image exists "$1"; }

base() {
  local name=$1; shift
  local pkgs; pkgs=$(printf '%s\n' "$@" | sort -u | paste -sd, -)
  local key; key=$(printf '%s minbase %s\n' "$suite" "$pkgs" | sha256sum | cut -c1-12)
  local image=localhost/jreceive-base-$name:$key
  if have_image "$image"; then echo "$image"; return; fi
  local root; root=$(mktemp -d "${TMPDIR:-/tmp}/jreceive-rootfs.XXXXXX")
  scratch+=("$root" "$root.log")
  local started=$SECONDS
  log "debootstrap $suite minbase ${pkgs:-(no extra packages)} from $(mirror) for $image"
  debootstrap --variant=minbase ${pkgs:+--include="$pkgs"} "$suite" "$root" "$(mirror)" >"$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; return 1; }
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
  tar -C "$root" -c . | podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null
  log "$image made in $((SECONDS - started)) s"
  echo "$image"
}

# A peer's pinned version, read from tools/peers.sh so that the image tag follows the binary.
pinned() { awk -v n="\"$1" '$1 == n {print $3}' "$here/peers.sh"; }

# An image holding one peer binary from tools/peers.sh on base "minimal": peer_image NAME TAG EXPOSE ENTRYPOINT CMD
# (ENTRYPOINT and CMD as JSON arrays). Built without network; reused while the tag exists.
peer_image() {
  local name=$1 tag=$2 expose=$3 entrypoint=$4 cmd=$5
  local image=localhost/jreceive-$name:$tag
  if have_image "$image"; then echo "$image"; return; fi
  local bin=${JRECEIVE_PEERS:-$HOME/.cache/jreceive-peers}/$name-$(pinned "$name")
  [[ -x $bin ]] || { log "no $name binary at $bin: run tools/peers.sh $name first"; return 1; }
  local from; from=$(base minimal)
  local ctx; ctx=$(mktemp -d "${TMPDIR:-/tmp}/jreceive-$name-image.XXXXXX")
  scratch+=("$ctx")
  cp "$bin" "$ctx/$name"
  cat >"$ctx/Containerfile" <<CONTAINERFILE
FROM $from
COPY $name /usr/bin/$name
EXPOSE $expose
ENTRYPOINT $entrypoint
CMD $cmd
CONTAINERFILE
  # The binaries write into their data directories; a volume declared here would hide nothing of the base.
  [[ $name != minio ]] || echo 'VOLUME /data' >>"$ctx/Containerfile"
  podman build --quiet --format docker --network none -t "$image" "$ctx" >/dev/null
  log "$image built"
  echo "$image"
}

# A Java runtime image: the JDK at JAVA_HOME copied onto base "minimal" (bash, coreutils, useradd) as /opt/java, java
# on PATH. Built without network; reused while the tag (the JDK's release version) exists.
runtime() {
  local home=$1
  [[ -x $home/bin/java && -f $home/release ]] || { log "no JDK at $home"; return 1; }
  local version; version=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$home/release")
  local image=localhost/jreceive-runtime:${version:?no JAVA_VERSION in $home/release}
  if have_image "$image"; then echo "$image"; return; fi
  local from; from=$(base minimal)
  local ctx; ctx=$(mktemp -d "${TMPDIR:-/tmp}/jreceive-runtime-image.XXXXXX")
  scratch+=("$ctx")
  cp -a "$home" "$ctx/java"
  cat >"$ctx/Containerfile" <<CONTAINERFILE
FROM $from
COPY java /opt/java
ENV JAVA_HOME=/opt/java PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CONTAINERFILE
  podman build --quiet --format docker --network none -t "$image" "$ctx" >/dev/null
  log "$image built from $home"
  echo "$image"
}

minio() {
  peer_image minio "$(pinned minio)" "9000 9001" '["/usr/bin/minio"]' '["server", "/data", "--console-address", ":9001"]'
}

# Prometheus 3.7.x is the Go module version v0.307.x; the image is tagged with the release name.
prometheus() {
  local v m; v=$(pinned prometheus); v=${v#v0.}; m=${v%%.*}
  peer_image prometheus "v$((m / 100)).$((m % 100)).${v#*.}" 9090 '["/usr/bin/prometheus"]' \
    '["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]'
}

thanos() {
  peer_image thanos "$(pinned thanos)" "10901 10902" '["/usr/bin/thanos"]' '["--help"]'
}

service() {
  local sock=$1
  mkdir -p "$(dirname "$sock")"
  rm -f "$sock"
  exec podman system service --time=0 "unix://$sock"
}

cmd=${1:-}; shift || true
case $cmd in
  install) install ;;
  base) base "$@" ;;
  minio) minio ;;
  prometheus) prometheus ;;
  thanos) thanos ;;
  runtime) runtime "$@" ;;
  service) service "$@" ;;
  *) echo "usage: $0 install | base NAME [PKG...] | minio | prometheus | thanos | runtime JAVA_HOME | service SOCKET" >&2
     exit 2 ;;
esac

#!/usr/bin/env bash
# Builds the release tree dist/target/meshboot/ and its archive
# dist/target/meshboot-VERSION-linux-x86_64.tar.gz: the launcher (bin/), the shaded jar
# (lib/meshboot.jar), a JRE 25 jlinked with only the modules meshboot needs (jre/), the pinned Envoy
# (envoy/envoy, from ENVOY_BIN, which bin/test exports; the launcher uses it unless ENVOY_BIN names
# another) and the platform kits (platforms/). The EC2
# startup script installs this archive into /opt/meshboot; the container image holds the same tree.
# Arguments: the version, the build's timestamp (project.build.outputTimestamp: every file of the
# archive gets it, so that the same inputs give the same archive) and the Envoy version expected.
set -euo pipefail

version=$1 timestamp=$2 envoy_version=$3
dist=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$dist")
out=$dist/target
tree=$out/meshboot
archive=$out/meshboot-$version-linux-x86_64.tar.gz
# shellcheck source-path=SCRIPTDIR source=../bin/lib/java.sh
source "$root/bin/lib/java.sh"
java_home=$(meshboot_find_java_home "")

# What meshboot needs: java.logging (meshboot quiets libraries' JUL loggers), java.naming (gRPC's
# and Netty's DNS lookups), jdk.unsupported (Netty's and protobuf's Unsafe) and java.xml (the AWS
# SDK reads STS's XML answers: web identity on EKS, MESHBOOT_ASSUME_ROLE_ARN). jdeps also lists
# java.sql (Gson loads its java.sql adapters only when the module is there; protobuf-util's
# Timestamps converts to java.sql.Timestamp only when asked) and jdk.jfr (Netty's allocation events,
# used only when JFR is there), which nothing meshboot runs loads: 2 MB of the image's compressed
# size. `jdeps --print-module-deps` names only the top of each requirement (java.xml came through
# java.sql), so check a change with the integration tests, which start meshboot with this JRE
# (meshboot.java.home): a module missing here fails them.
modules=java.base,java.logging,java.naming,java.xml,jdk.unsupported

jar=$root/agent/target/meshboot.jar
[[ -f "$jar" ]] || { echo "dist: no $jar (build the agent module first)" >&2; exit 1; }
envoy=${ENVOY_BIN:-}
if [[ -z "$envoy" || ! -x "$envoy" ]]; then
  echo "dist: ENVOY_BIN must name the pinned Envoy $envoy_version (bin/test installs it and sets it)" >&2
  exit 1
fi
envoy_reported=$("$envoy" --version)
if [[ "$envoy_reported" != *"/$envoy_version/"* ]]; then
  echo "dist: ENVOY_BIN=$envoy is not Envoy $envoy_version: $envoy_reported" >&2
  exit 1
fi

# Built beside the final names and moved in place, so that a failed build leaves no half tree.
# Every version's archive: a test that picks the archive in target/ must find this one only.
rm -rf "$tree" "$tree.new" "$out"/meshboot-*-linux-x86_64.tar.gz
mkdir -p "$tree.new/lib" "$tree.new/envoy" "$tree.new/bin"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
  --output "$tree.new/jre"
cp "$jar" "$tree.new/lib/meshboot.jar"
cp "$root/bin/meshboot" "$tree.new/bin/"
cp -r "$root/bin/lib" "$tree.new/bin/"
cp "$envoy" "$tree.new/envoy/envoy"
cp -r "$root/platforms" "$tree.new/"
cp "$root/README.md" "$tree.new/"
chmod -R u=rwX,go=rX "$tree.new"
mv "$tree.new" "$tree"

tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="$timestamp" -C "$out" -cf - meshboot \
  | gzip -n -6 >"$archive.tmp"
mv "$archive.tmp" "$archive"
echo "dist: $archive ($(du -m "$archive" | cut -f1) MB)" >&2

#!/usr/bin/env bash
# Assembles what jib:buildTar makes the image of (run by the images module's build, as root):
#   OUT/base.tar  the base image, a `docker save` archive: one layer of Debian's glibc (the exact
#                 packages in debian-packages, extracted with dpkg-deb; no shell, no package
#                 manager), /etc/passwd and /etc/group with the proxy user 1337, the CA bundle;
#                 and the image's configuration, which Jib inherits: entrypoint `meshboot run`
#                 (exec-form java), HEALTHCHECK `meshboot healthcheck`, user 1337:1337, environment.
#   OUT/app/      /opt/meshboot: the release tree's JRE, Envoy and jar, the launcher for a
#                 shell-less image, and the two AOT caches (the renderer's and the supervisor's),
#                 trained in a chroot of the image's own files with the image's paths and flags.
# Usage: assemble.sh DIST DEBS OUT (DIST: the release tree; DEBS: the .deb cache, so that a second
# build is offline). The JVM options are bin/meshboot's own: it is run with a stand-in java that
# records them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
(($# == 3)) || { echo "usage: assemble.sh DIST DEBS OUT" >&2; exit 2; }
dist=$1 debs=$2 out=$3

fail() {
  echo "assemble.sh: $*" >&2
  exit 1
}
[[ $(id -u) -eq 0 ]] || fail "must run as root (dpkg-deb ownership, chroot for the AOT training)"
for tool in apt-get dpkg-deb chroot unshare mount gcc python3 tar sha256sum; do
  command -v "$tool" >/dev/null || fail "needs $tool (Debian: apt-get install $tool)"
done
for file in bin/meshboot lib/meshboot.jar jre/bin/java envoy/envoy bin/lib/training/training.env; do
  [[ -e "$dist/$file" ]] || fail "no $dist/$file: build the release tree first (./mvnw package -pl dist -am)"
done
dist=$(cd "$dist" && pwd)

# The files in the image are /opt/meshboot/...; Jib gives every file this mtime (its default,
# EPOCH_PLUS_SECOND), and the JVM refuses an AOT cache whose jar or modules file changed (size and
# mtime), so the staged files get it too before the training.
mtime=@1
prefix=/opt/meshboot
java=$prefix/jre/bin/java
jar=$prefix/lib/meshboot.jar
renderer_cache=$prefix/lib/image/renderer.aot
supervisor_cache=$prefix/lib/image/supervisor.aot

rm -rf "$out"
mkdir -p "$out" "$debs"
rootfs=$out/rootfs app=$out/app
mkdir -p "$rootfs" "$app"

# 1. Debian's packages, downloaded once into the cache and checked against their pinned hashes.
while read -r name version sha256 only; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  deb=$(find "$debs" -maxdepth 1 -name "${name}_${version/*:/}_*.deb" | head -n 1)
  pinned=1
  if [[ -z "$deb" ]]; then
    echo "assemble.sh: downloading $name=$version" >&2
    # A fresh machine has no package lists yet: read them once, then try again.
    if ! (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "$name=$version" >&2) &&
      ! { apt-get update -qq >&2 && (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "$name=$version" >&2); }; then
      # Debian keeps only a package's current version: a point release or a security update
      # replaces the pinned one. The build goes on with the current one (apt checks it against
      # the archive's signed index), and says which line to update so that builds pin it again.
      echo "assemble.sh: WARNING: $name=$version is no longer in Debian's archive; using its current version. Update $here/debian-packages to \`apt-cache policy $name\`'s candidate and the new file's sha256" >&2
      (cd "$debs" && apt-get download -qq -o APT::Sandbox::User=root "$name" >&2) ||
        fail "cannot download $name from Debian's archive"
      pinned=0
    fi
    deb=$(find "$debs" -maxdepth 1 -name "${name}_${version/*:/}_*.deb" | head -n 1)
    ((pinned)) || deb=$(find "$debs" -maxdepth 1 -name "${name}_*.deb" -printf '%T@ %p\n' | sort -rn |
      head -n 1 | cut -d' ' -f2-)
  fi
  if ((pinned)); then
    echo "$sha256  $deb" | sha256sum --quiet -c - ||
      fail "$deb does not have the sha256 in $here/debian-packages ($sha256); delete it to download again"
  fi
  if [[ -z "$only" ]]; then
    dpkg-deb -x "$deb" "$rootfs"
  else
    rm -rf "$out/package"
    dpkg-deb -x "$deb" "$out/package"
    # the paths to keep: shell patterns, each matching at least one file
    read -r -a patterns <<<"$only"
    for pattern in "${patterns[@]}"; do
      matched=0
      for file in "$out/package"/$pattern; do
        [[ -e "$file" || -L "$file" ]] || continue
        matched=1
        path=${file#"$out/package/"}
        mkdir -p "$rootfs/$(dirname "$path")"
        cp -a "$file" "$rootfs/$path"
      done
      ((matched)) || fail "$deb has no $pattern"
    done
    rm -rf "$out/package"
  fi
done <"$here/debian-packages"
# Debian's alternatives for iptables (its postinst, which dpkg-deb -x does not run), straight to
# the nf_tables backend: xtables-nft-multi acts as the tool its name says.
for tool in iptables ip6tables; do
  for suffix in "" -save -restore; do
    ln -s xtables-nft-multi "$rootfs/usr/sbin/$tool$suffix"
  done
done

# What nothing in the image reads: documentation, the maintainer scripts' tools, iconv's modules
# (neither the JVM nor Envoy converts character sets with iconv); the CA certificates become the
# one bundle update-ca-certificates would have made at installation.
ca=$rootfs/usr/share/ca-certificates
[[ -d "$ca/mozilla" ]] || fail "ca-certificates has no mozilla/ certificates"
mkdir -p "$rootfs/etc/ssl/certs"
find "$ca" -name '*.crt' -print0 | sort -z | xargs -0 cat >"$rootfs/etc/ssl/certs/ca-certificates.crt"
rm -rf "${rootfs:?}/usr/share" "$rootfs/usr/sbin/update-ca-certificates" "$rootfs/etc/ca-certificates" "$rootfs/etc/ld.so.conf.d" \
  "$rootfs/usr/lib/x86_64-linux-gnu/gconv" "$rootfs/usr/libexec"
mkdir -p "$rootfs/tmp" "$rootfs/etc" "$rootfs/root"
chmod 1777 "$rootfs/tmp"
chmod 700 "$rootfs/root"
# 1337 is App Mesh's proxy UID, which the interception rules exclude (APPMESH_IGNORE_UID).
printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'envoy:x:1337:1337:meshboot and Envoy:/tmp:/sbin/nologin' \
  >"$rootfs/etc/passwd"
printf '%s\n' 'root:x:0:' 'envoy:x:1337:' >"$rootfs/etc/group"
printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"

# 2. /opt/meshboot: the release tree's JRE, Envoy and jar (not the bash launcher, which cannot run
# without a shell, nor the platforms' kits, which are for hosts), and a launcher that needs none.
mkdir -p "$app$prefix/bin" "$app$prefix/lib/image" "$app$prefix/envoy"
cp -a "$dist/jre" "$app$prefix/jre"
# The jar with its entries stored: ~11 MB less in the gzipped layer (repack-jar.py says why).
python3 "$here/repack-jar.py" "$dist/lib/meshboot.jar" "$app$jar" || fail "cannot repack $dist/lib/meshboot.jar"
cp -a "$dist/envoy/envoy" "$app$prefix/envoy/envoy"
gcc -O2 -Wall -Wextra -Werror -s -o "$app$prefix/bin/meshboot" "$here/../main/c/meshboot.c"
find "$app" -exec touch -h -d "$mtime" {} +

# 3. The JVM options: bin/meshboot's, recorded by a stand-in java (without its own caches: the
# image's are added below), with the staged paths turned into the image's.
recorder=$out/recorder
mkdir -p "$recorder/bin"
echo 'JAVA_VERSION="25"' >"$recorder/release"
cat >"$recorder/bin/java" <<'EOF'
#!/usr/bin/env bash
printf '%s\n' "$@" >"$MESHBOOT_RECORD.args"
printf '%s\n' "${MESHBOOT_RENDER_COMMAND:-}" >"$MESHBOOT_RECORD.render"
EOF
chmod 755 "$recorder/bin/java"
record() {
  env -i PATH=/usr/bin:/bin MESHBOOT_JAVA_HOME="$recorder" MESHBOOT_JAR="$app$jar" MESHBOOT_AOT=0 \
    MESHBOOT_RECORD="$recorder/$1" "$dist/bin/meshboot" "$1" ||
    fail "bin/meshboot $1 with the recording java failed"
}
# The options alone (between the java command and -jar), in the image's paths.
options() {
  sed -e '/^-jar$/,$d' -e "s#$app##g" -e "s#^$recorder/bin/java\$##" "$1" | sed '/^$/d'
}
record healthcheck
record run
record mesh
mapfile -t command_opts < <(options "$recorder/healthcheck.args")
mapfile -t run_opts < <(options "$recorder/run.args")
mapfile -t mesh_opts < <(options "$recorder/mesh.args")
mapfile -t render_opts < <(options "$recorder/run.render")
((${#command_opts[@]} > 3 && ${#run_opts[@]} > ${#command_opts[@]})) ||
  fail "unexpected JVM options from bin/meshboot: ${command_opts[*]} / ${run_opts[*]}"
[[ "${render_opts[*]}" == "${command_opts[*]}" ]] ||
  fail "bin/meshboot's renderer options (${render_opts[*]}) differ from its commands' (${command_opts[*]})"

# 4. The AOT caches, trained in a chroot of the image's own files (hard links: same inodes, same
# mtimes), as root in a mount namespace of its own with /proc and /dev; the training's inputs are
# bin/meshboot's (bin/lib/training) in /tmp of the chroot, which the image does not get.
root=$out/root
cp -al "$rootfs" "$root"
cp -al "$app/." "$root/"
mkdir -p "$root/proc" "$root/dev" "$root/tmp/training/scratch"
cp -a "$dist/bin/lib/training/." "$root/tmp/training/"
# in_chroot VAR=VALUE... -- COMMAND...: COMMAND in the chroot with only the variables given (and a
# PATH for mount and chroot, which the image's JVM ignores).
in_chroot() {
  local vars=()
  while [[ "$1" != -- ]]; do
    vars+=("$1")
    shift
  done
  shift
  # shellcheck disable=SC2016 # the inner bash expands $1 and $@ (the root, then the command)
  env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${vars[@]}" unshare --mount --fork -- bash -c \
    'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && exec chroot "$@"' - "$root" "$@"
}
train_log=$out/training.log
: >"$train_log"
# The renderer: `meshboot bootstrap` on the training environment, Envoy's version from the image's
# Envoy (its output discarded).
in_chroot ENVOY_BIN=$prefix/envoy/envoy MESHBOOT_CACHE_DIR=/tmp/training/scratch/cache -- "$java" "${command_opts[@]}" \
  "-XX:AOTCacheOutput=$renderer_cache" -jar "$jar" bootstrap \
  --env-file /tmp/training/training.env -o /tmp/training/scratch/bootstrap.json >>"$train_log" 2>&1 ||
  fail "the renderer's AOT training failed (see $train_log)"
# The launcher's argument files (one argument a line; java expands @file itself), written into the
# chroot too (hard links), where the supervisor's training starts its renderer with the launcher.
# Without bin/meshboot's -Xmx and -jar: the launcher adds a heap ceiling that follows the
# container's memory limit (meshboot.c), then -jar and the jar.
heap_free() { printf '%s\n' "$@" | sed '/^-Xmx/d'; }
{ heap_free "${command_opts[@]}"; echo "-XX:AOTCache=$renderer_cache"; } \
  >"$app$prefix/lib/image/command.args"
{ heap_free "${run_opts[@]}"; echo "-XX:AOTCache=$supervisor_cache"; } >"$app$prefix/lib/image/run.args"
heap_free "${mesh_opts[@]}" >"$app$prefix/lib/image/mesh.args"
if ! grep -qx -- -Xmx64m <(printf '%s\n' "${command_opts[@]}") ||
  ! grep -qx -- -Xmx128m <(printf '%s\n' "${mesh_opts[@]}"); then
  fail "bin/meshboot's heap ceilings are no longer -Xmx64m and, for mesh, -Xmx128m: update meshboot.c"
fi
for file in command run mesh; do
  ln -f "$app$prefix/lib/image/$file.args" "$root$prefix/lib/image/$file.args"
done
cp "$root$renderer_cache" "$app$renderer_cache"
# How `meshboot run` starts the renderer: the launcher, with the renderer's options and cache (the
# variable holds one word a line, which Jib refuses in a base image's environment: one word then).
render_command=$prefix/bin/meshboot
# The supervisor, for the mode this image most likely runs in: Envoy's ADS straight to a control
# plane (APPMESH_XDS_ENDPOINT: `meshboot mesh serve`, or another xDS server, since App Mesh's
# endpoints closed on 2026-09-30), as bin/meshboot trains its direct mode; the relay's classes
# (gRPC, TLS, the AWS SDK) would add ~6 MB to the image and ~10 MB to every sidecar's resident
# memory, and a relay run loads them from the jar. Envoy validates the bootstrap and exits instead
# of serving; nothing leaves the chroot (the endpoint is a closed loopback port).
in_chroot HOME=/tmp/training/scratch ENVOY_BIN=$prefix/envoy/envoy \
  MESHBOOT_CACHE_DIR=/tmp/training/scratch/cache MESHBOOT_RENDER_COMMAND="$render_command" \
  MESHBOOT_BOOTSTRAP_PATH=/tmp/training/scratch/envoy.json APPMESH_XDS_ENDPOINT=127.0.0.1:1 \
  APPNET_AGENT_ADMIN_MODE=uds APPNET_AGENT_ADMIN_UDS_PATH=/tmp/training/scratch/api.sock \
  ENVOY_ADMIN_MODE=uds ENVOY_ADMIN_UDS_PATH=/tmp/training/scratch/admin.sock \
  AWS_EC2_METADATA_DISABLED=true APPNET_ENVOY_RESTART_COUNT=0 -- \
  "$java" "${run_opts[@]}" -XX:-AOTClassLinking "-XX:AOTCacheOutput=$supervisor_cache" \
  -jar "$jar" run --env-file /tmp/training/training.env -- --mode validate >>"$train_log" 2>&1 ||
  fail "the supervisor's AOT training failed (see $train_log)"
# Both caches must load in the image: -XX:AOTMode=on stops the JVM when a cache cannot be used.
for pair in "$renderer_cache:command_opts" "$supervisor_cache:run_opts"; do
  cache=${pair%%:*}
  declare -n opts_ref=${pair#*:}
  [[ -s "$root$cache" ]] || fail "no $cache after the training (see $train_log)"
  in_chroot -- "$java" "${opts_ref[@]}" "-XX:AOTCache=$cache" -XX:AOTMode=on -jar "$jar" version \
    >>"$train_log" 2>&1 || fail "the image's JVM cannot use $cache (see $train_log)"
  unset -n opts_ref
  cp -f "$root$cache" "$app$cache"
  chmod 644 "$app$cache"
done

find "$app" -exec touch -h -d "$mtime" {} +

# 5. The base image: one layer (the root file system) and the configuration.
json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  printf '"%s"' "$s"
}
json_array() {
  local first=1 item
  printf '['
  for item in "$@"; do
    ((first)) || printf ','
    first=0
    json_string "$item"
  done
  printf ']'
}
base=$out/base
mkdir -p "$base"
tar --sort=name --mtime="$mtime" --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$base/layer.tar" .
diff_id=$(sha256sum "$base/layer.tar" | cut -d' ' -f1)
# Through the launcher, which sizes the heap from the container's memory limit.
entrypoint=("$prefix/bin/meshboot" run)
healthcheck=(CMD "$prefix/bin/meshboot" healthcheck)
environment=(
  # /usr/sbin: iptables' tools, for `meshboot intercept`
  "PATH=$prefix/bin:$prefix/envoy:/usr/sbin:/usr/bin:/bin"
  "LANG=C.UTF-8"
  "MESHBOOT_RENDER_COMMAND=$render_command"
  "MESHBOOT_CACHE_DIR=/tmp/meshboot"
  # The management API that `meshboot healthcheck` (the HEALTHCHECK, and the task definitions'
  # health check) asks: on a socket in /tmp, the one writable place of a read-only root, rather
  # than a port the application might want (App Mesh's agent served none unless asked).
  "APPNET_AGENT_ADMIN_MODE=uds"
  "APPNET_AGENT_ADMIN_UDS_PATH=/tmp/appnet_admin.sock"
)
{
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{'
  printf '"User":"1337:1337","WorkingDir":"/tmp","StopSignal":"SIGTERM",'
  printf '"Env":%s,' "$(json_array "${environment[@]}")"
  printf '"Entrypoint":%s,"Cmd":[],' "$(json_array "${entrypoint[@]}")"
  # App Mesh's documented container health check: every 5 s, 2 s timeout, 3 retries, 10 s grace.
  printf '"Healthcheck":{"Test":%s,"Interval":5000000000,"Timeout":2000000000,' "$(json_array "${healthcheck[@]}")"
  printf '"StartPeriod":10000000000,"Retries":3},'
  printf '"Labels":{"org.opencontainers.image.title":"meshboot"}},'
  printf '"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},' "$diff_id"
  printf '"history":[{"created":"1970-01-01T00:00:00Z","created_by":"images/src/build/assemble.sh: %s"}]}' \
    "$(grep -v '^#' "$here/debian-packages" | cut -d' ' -f1,2 | tr '\n' ' ' | sed 's/ $//')"
} >"$base/config.json"
printf '[{"Config":"config.json","RepoTags":["meshboot-base:latest"],"Layers":["layer.tar"]}]\n' \
  >"$base/manifest.json"
tar --sort=name --mtime="$mtime" --owner=0 --group=0 --numeric-owner -C "$base" \
  -cf "$out/base.tar" manifest.json config.json layer.tar
rm -rf "$root" "$recorder" "$base"
echo "assemble.sh: base $(du -h "$out/base.tar" | cut -f1), /opt/meshboot $(du -sh "$app" | cut -f1)" >&2

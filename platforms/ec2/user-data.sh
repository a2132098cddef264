#!/usr/bin/env bash
# meshboot's EC2 startup script (user data, or a step of an AMI build): installs meshboot and Envoy
# from a release archive into /opt/meshboot, creates the service user meshboot (UID and GID 1337:
# App Mesh's proxy UID, whose traffic the interception rules leave alone), writes
# /etc/meshboot/meshboot.env (App Mesh's variables) from its arguments, installs the systemd units
# meshboot.service and meshboot-intercept.service, trains meshboot's AOT caches once as the service
# user (so that the first start is fast), and enables and starts both units.
#
# Everything is written under MESHBOOT_ROOT (default /), a DESTDIR-style prefix: with another root
# the user is added with useradd --prefix, the units are enabled with systemctl --root (links only)
# and nothing is started. --no-start enables without starting on / too (an AMI build).
#
# All arguments are checked, and the archive fetched, checked and unpacked, before anything is
# written: a bad argument or archive is an error naming it (exit 2, or 1 for a failed install step)
# and leaves nothing behind. Decisions: docs/ARCHITECTURE.md, "EC2 (issue #14)".
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: user-data.sh --archive PATH|https://URL [--sha256 HEX]
                    --mesh NAME (--virtual-node NAME | --virtual-gateway NAME)
                    [--mesh-owner ACCOUNT] [--region REGION] [--xds-endpoint HOST:PORT]
                    [--app-ports P,...] [--egress-ignored-ips IP,...] [--egress-ignored-ports P,...]
                    [--env NAME=VALUE]... [--no-intercept] [--no-start]

  --archive               meshboot-<version>-linux-x86_64.tar.gz: a file, or an https:// URL
  --sha256                the archive's SHA-256 (64 hex digits); checked before it is unpacked
  --mesh, --virtual-node, --virtual-gateway, --mesh-owner
                          APPMESH_RESOURCE_ARN=mesh/NAME[@ACCOUNT]/virtualNode/NAME (or virtualGateway)
  --region                AWS_REGION (else meshboot asks instance metadata)
  --xds-endpoint          APPMESH_XDS_ENDPOINT: the mesh's control plane (meshboot mesh serve)
  --app-ports             APPMESH_APP_PORTS: inbound TCP to these ports goes through Envoy (15000)
  --egress-ignored-ips    APPMESH_EGRESS_IGNORED_IP (default 169.254.169.254,169.254.170.2)
  --egress-ignored-ports  APPMESH_EGRESS_IGNORED_PORTS (22 is always added)
  --env NAME=VALUE        any other variable of meshboot's reference (repeatable)
  --no-intercept          do not enable meshboot-intercept.service (no iptables rules)
  --no-start              enable the units without starting them
Environment: MESHBOOT_ROOT (default /): the root everything is installed under.
EOF
}

fail() {
  echo "user-data.sh: $*" >&2
  exit 1
}
bad_argument() {
  echo "user-data.sh: $*" >&2
  echo "Run 'user-data.sh --help' for the arguments." >&2
  exit 2
}

readonly service_uid=1337
readonly service_user=meshboot
# systemd's PATH for services; the environment the caches are trained in is the unit's.
readonly service_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

archive="" sha256="" mesh="" mesh_owner="" node_kind="" node="" node_path="" region="" xds_endpoint=""
app_ports="" ignored_ips="" ignored_ports="" intercept=1 start=1
extra=()
while (($#)); do
  option=$1
  case "$option" in
    -h | --help)
      usage
      exit 0
      ;;
    --no-intercept) intercept=0 ;;
    --no-start) start=0 ;;
    --archive | --sha256 | --mesh | --mesh-owner | --virtual-node | --virtual-gateway | --region | \
      --xds-endpoint | --app-ports | --egress-ignored-ips | --egress-ignored-ports | --env)
      (($# >= 2)) || bad_argument "$option needs a value"
      value=$2
      shift
      case "$option" in
        --archive) archive=$value ;;
        --sha256) sha256=$value ;;
        --mesh) mesh=$value ;;
        --mesh-owner) mesh_owner=$value ;;
        --virtual-node | --virtual-gateway)
          [[ -z "$node_kind" ]] || bad_argument "give one of --virtual-node and --virtual-gateway, once"
          node_kind=${option#--}
          node=$value
          node_path=virtualNode
          [[ "$option" == --virtual-node ]] || node_path=virtualGateway
          ;;
        --region) region=$value ;;
        --xds-endpoint) xds_endpoint=$value ;;
        --app-ports) app_ports=$value ;;
        --egress-ignored-ips) ignored_ips=$value ;;
        --egress-ignored-ports) ignored_ports=$value ;;
        --env) extra+=("$value") ;;
      esac
      ;;
    *) bad_argument "unknown argument \"$option\"" ;;
  esac
  shift
done

# --- Checking the arguments (nothing is written until every check passed) ---

[[ -n "$archive" ]] || bad_argument "--archive is required (the release archive: a file or an https:// URL)"
[[ -z "$sha256" || "$sha256" =~ ^[0-9a-fA-F]{64}$ ]] ||
  bad_argument "--sha256: expected 64 hexadecimal digits but got \"$sha256\""
[[ -n "$mesh" ]] || bad_argument "--mesh is required (the mesh's name)"
[[ -n "$node_kind" ]] || bad_argument "--virtual-node or --virtual-gateway is required (this instance's node)"
# App Mesh names are 1-255 characters; these are the ones an ARN and an env file carry as they are.
name_pattern='^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$'
[[ "$mesh" =~ $name_pattern ]] ||
  bad_argument "--mesh: expected a name of 1-255 letters, digits, '.', '_' or '-' but got \"$mesh\""
[[ "$node" =~ $name_pattern ]] ||
  bad_argument "--$node_kind: expected a name of 1-255 letters, digits, '.', '_' or '-' but got \"$node\""
[[ -z "$mesh_owner" || "$mesh_owner" =~ ^[0-9]{12}$ ]] ||
  bad_argument "--mesh-owner: expected a 12-digit AWS account id but got \"$mesh_owner\""
[[ -z "$region" || "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] ||
  bad_argument "--region: expected a region such as us-west-2 but got \"$region\""
[[ -z "$xds_endpoint" || "$xds_endpoint" =~ ^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$ ||
  "$xds_endpoint" =~ ^unix:///[^[:space:]]+$ ]] ||
  bad_argument "--xds-endpoint: expected HOST:PORT or unix:///PATH but got \"$xds_endpoint\""
port_list() { # $1 option, $2 value: a comma list of ports 1-65535
  local port ports
  [[ "$2" =~ ^[0-9]+(,[0-9]+)*$ ]] ||
    bad_argument "$1: expected a comma list of ports such as 8080,8443 but got \"$2\""
  IFS=, read -ra ports <<<"$2"
  for port in "${ports[@]}"; do
    ((10#$port >= 1 && 10#$port <= 65535)) || bad_argument "$1: port $port is not in 1-65535"
  done
}
[[ -z "$app_ports" ]] || port_list --app-ports "$app_ports"
[[ -z "$ignored_ports" ]] || port_list --egress-ignored-ports "$ignored_ports"
[[ -z "$ignored_ips" || "$ignored_ips" =~ ^[0-9A-Fa-f.:/]+(,[0-9A-Fa-f.:/]+)*$ ]] ||
  bad_argument "--egress-ignored-ips: expected a comma list of addresses or CIDR blocks but got \"$ignored_ips\""

# The environment file, as systemd's EnvironmentFile= and meshboot's --env-file both read it: one
# NAME=VALUE a line, taken literally. A value that either would read differently (quotes,
# backslashes, $, white space) is refused rather than escaped.
env_lines=()
declare -A env_set=()
set_env() { # $1 name, $2 value, $3 where it came from
  [[ -z "${env_set[$1]:-}" ]] || bad_argument "$3: $1 is already set by ${env_set[$1]}"
  env_set[$1]=$3
  env_lines+=("$1=$2")
}
set_env APPMESH_RESOURCE_ARN "mesh/$mesh${mesh_owner:+@$mesh_owner}/$node_path/$node" "--mesh/--$node_kind"
[[ -z "$region" ]] || set_env AWS_REGION "$region" --region
[[ -z "$xds_endpoint" ]] || set_env APPMESH_XDS_ENDPOINT "$xds_endpoint" --xds-endpoint
[[ -z "$app_ports" ]] || set_env APPMESH_APP_PORTS "$app_ports" --app-ports
[[ -z "$ignored_ips" ]] || set_env APPMESH_EGRESS_IGNORED_IP "$ignored_ips" --egress-ignored-ips
[[ -z "$ignored_ports" ]] || set_env APPMESH_EGRESS_IGNORED_PORTS "$ignored_ports" --egress-ignored-ports
for assignment in ${extra[@]+"${extra[@]}"}; do
  name=${assignment%%=*}
  value=${assignment#*=}
  [[ "$assignment" == *=* && "$name" =~ ^[A-Z_][A-Z0-9_]*$ ]] ||
    bad_argument "--env: expected NAME=VALUE with NAME in capitals, digits and '_' but got the name \"$name\""
  [[ "$value" =~ ^[^[:space:][:cntrl:]\"\'\\\$\`]*$ ]] ||
    bad_argument "--env $name: the value may not hold white space, quotes, backslashes, \$ or backticks (the value is not shown: it may be a secret)"
  case "$name" in
    APPMESH_IGNORE_UID | APPMESH_IGNORE_GID)
      bad_argument "--env $name: Envoy runs as UID and GID $service_uid (the user $service_user); the interception excludes that"
      ;;
  esac
  set_env "$name" "$value" "--env $name"
done
# Envoy runs as the service user: interception leaves its traffic alone.
set_env APPMESH_IGNORE_UID "$service_uid" user-data.sh

root=${MESHBOOT_ROOT:-/}
[[ "$root" == /* ]] || bad_argument "MESHBOOT_ROOT: expected an absolute path but got \"$root\""
root=${root%/}
[[ -d "${root:-/}" ]] || bad_argument "MESHBOOT_ROOT: $root is not a directory"
offline=0
[[ -z "$root" && "$start" == 1 ]] || offline=1

[[ $(id -u) -eq 0 ]] || fail "must run as root (it adds a user, writes /opt and /etc and enables units)"
for tool in tar sha256sum setpriv systemctl useradd groupadd; do
  command -v "$tool" >/dev/null || fail "$tool is missing; install it first"
done

# The service user: UID and GID 1337, or a clear stop before anything is written.
passwd_entry() { # $1 database, $2 key (name or number) → the line, if any
  if [[ -z "$root" ]]; then
    getent "$1" "$2" || true
  elif [[ -f "$root/etc/$1" ]]; then
    awk -F: -v key="$2" '$1 == key || $3 == key' "$root/etc/$1"
  fi
}
for database in passwd group; do
  by_name=$(passwd_entry "$database" "$service_user")
  by_id=$(passwd_entry "$database" "$service_uid")
  [[ -z "$by_name" || "$(cut -d: -f3 <<<"$by_name")" == "$service_uid" ]] ||
    fail "the $database entry $service_user exists with id $(cut -d: -f3 <<<"$by_name"), not $service_uid; remove it or change its id"
  [[ -z "$by_id" || "$(cut -d: -f1 <<<"$by_id")" == "$service_user" ]] ||
    fail "id $service_uid is taken by the $database entry $(cut -d: -f1 <<<"$by_id" | head -n 1); meshboot's user must have it (App Mesh's proxy UID)"
done

# --- Fetching, checking and unpacking the archive (into a directory removed on any failure) ---

# In /opt, so that moving the release in place is a rename; an /opt made for it goes with it.
made_opt=0
[[ -d "$root/opt" ]] || { mkdir -m 0755 "$root/opt" && made_opt=1; }
staging=$(mktemp -d "$root/opt/.meshboot-install.XXXXXXXX")
installed=0
clean_up() {
  # A previous release moved aside stays if the new one did not take its place.
  if [[ -d "$staging/previous" && ! -e "$root/opt/meshboot" ]]; then
    mv "$staging/previous" "$root/opt/meshboot"
  fi
  rm -rf "$staging"
  # A file of /etc written beside its final name (below) and not yet moved in place.
  rm -f "${etc:-/nonexistent}/.meshboot.env.new" "${units:-/nonexistent}"/.meshboot*.service.new
  if ((made_opt && !installed)); then
    rmdir "$root/opt"
  fi
}
trap clean_up EXIT
case "$archive" in
  https://*)
    command -v curl >/dev/null || fail "curl is missing; it downloads $archive"
    curl -fsSL --proto =https --retry 3 -o "$staging/archive.tar.gz" "$archive" ||
      fail "cannot download $archive"
    ;;
  *://*) bad_argument "--archive: only https:// URLs are fetched, not \"$archive\"" ;;
  *)
    [[ -f "$archive" && -r "$archive" ]] || bad_argument "--archive: no readable file at \"$archive\""
    cp "$archive" "$staging/archive.tar.gz"
    ;;
esac
if [[ -n "$sha256" ]]; then
  actual=$(sha256sum "$staging/archive.tar.gz" | cut -d' ' -f1)
  [[ "${actual,,}" == "${sha256,,}" ]] ||
    bad_argument "--sha256: $archive has SHA-256 $actual, not $sha256"
fi
members=$(tar -tzf "$staging/archive.tar.gz" 2>/dev/null) || bad_argument "--archive: $archive is not a gzip'ed tar archive"
while IFS= read -r member; do
  [[ "$member" == meshboot/* && "$member" != *..* ]] ||
    bad_argument "--archive: $archive holds \"$member\", outside the one directory meshboot/"
done <<<"$members"
mkdir "$staging/unpacked"
tar -xzf "$staging/archive.tar.gz" -C "$staging/unpacked" --no-same-owner # root's files
rm "$staging/archive.tar.gz"
new=$staging/unpacked/meshboot
for file in bin/meshboot lib/meshboot.jar jre/bin/java envoy/envoy \
  platforms/ec2/meshboot.service platforms/ec2/meshboot-intercept.service; do
  [[ -f "$new/$file" ]] || bad_argument "--archive: $archive has no meshboot/$file; is it a meshboot release archive?"
done
for file in bin/meshboot jre/bin/java envoy/envoy; do
  [[ -x "$new/$file" ]] || bad_argument "--archive: meshboot/$file in $archive is not executable"
done
chmod -R go-w "$new" # root's files, which the service user reads and runs but never changes

# --- Installing (every check passed) ---

etc=$root/etc/meshboot
cache=$root/var/cache/meshboot
intercept_cache=$root/var/cache/meshboot-intercept
units=$root/etc/systemd/system
prefix=()
[[ -z "$root" ]] || prefix=(--prefix "$root")
# A system user and group, with App Mesh's proxy UID (above the usual system range: -K).
if [[ -z "$(passwd_entry group "$service_user")" ]]; then
  groupadd ${prefix[@]+"${prefix[@]}"} -K SYS_GID_MAX="$service_uid" --system --gid "$service_uid" \
    "$service_user"
fi
if [[ -z "$(passwd_entry passwd "$service_user")" ]]; then
  useradd ${prefix[@]+"${prefix[@]}"} -K SYS_UID_MAX="$service_uid" --system --uid "$service_uid" --gid "$service_uid" \
    --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
    --comment "meshboot (Envoy sidecar)" "$service_user"
fi

# /opt/meshboot replaced in two renames: a previous installation is moved aside, then removed.
if [[ -e "$root/opt/meshboot" ]]; then
  mv "$root/opt/meshboot" "$staging/previous"
fi
mv "$new" "$root/opt/meshboot"
installed=1
echo "user-data.sh: installed $archive into $root/opt/meshboot" >&2

install -d -m 0750 -o 0 -g "$service_uid" "$etc"
# Written beside the final name, mode and owner set before a byte is written, and renamed in place
# (a rename within one directory is atomic; /opt may be another file system): systemd or a reader
# never sees a partial file, nor the variables under another mode.
(umask 0077 && : >"$etc/.meshboot.env.new")
chown "0:$service_uid" "$etc/.meshboot.env.new"
chmod 0640 "$etc/.meshboot.env.new"
{
  echo "# meshboot's environment (App Mesh's variables), written by platforms/ec2/user-data.sh;"
  echo "# read by meshboot.service and meshboot-intercept.service. See the README's variable reference."
  printf '%s\n' "${env_lines[@]}"
} >"$etc/.meshboot.env.new"
mv -fT "$etc/.meshboot.env.new" "$etc/meshboot.env"

install -d -m 0755 "$units"
for unit in meshboot.service meshboot-intercept.service; do
  install -m 0644 "$root/opt/meshboot/platforms/ec2/$unit" "$units/.$unit.new"
  mv -fT "$units/.$unit.new" "$units/$unit"
done

# The AOT caches, trained now as the service user in the unit's environment (what the unit sets,
# then the environment file; CacheDirectory= is /var/cache/meshboot), so that the first start
# does not train them: the renderer's (every command) and the supervisor's (meshboot run, for the
# management connection this environment gives). `run --help` trains both and starts nothing;
# MESHBOOT_AOT=wait before it starts (the launcher trains in the background otherwise), unless the
# environment file says otherwise.
install -d -m 0750 -o "$service_uid" -g "$service_uid" "$cache"
echo "user-data.sh: training meshboot's AOT caches in $cache as $service_user" >&2
(
  cd /
  env -i PATH="$service_path" CACHE_DIRECTORY="$cache" MESHBOOT_AOT=wait "${env_lines[@]}" \
    setpriv --reuid="$service_uid" --regid="$service_uid" --clear-groups \
    "$root/opt/meshboot/bin/meshboot" run --help >/dev/null
) || echo "user-data.sh: training the AOT caches failed; meshboot trains them at its first start" >&2
# meshboot-intercept.service's own (root's, CacheDirectory=meshboot-intercept): the renderer's
# cache, which every command but run and mesh starts with.
if ((intercept)); then
  install -d -m 0700 -o 0 -g 0 "$intercept_cache"
  (
    cd /
    env -i PATH="$service_path" CACHE_DIRECTORY="$intercept_cache" MESHBOOT_AOT=wait "${env_lines[@]}" \
      "$root/opt/meshboot/bin/meshboot" version >/dev/null
  ) || echo "user-data.sh: training the interception's AOT cache failed; it runs without one" >&2
fi

enabled=(meshboot.service)
((intercept)) && enabled=(meshboot-intercept.service meshboot.service)
if ((offline)); then
  # A running systemd (--no-start on /) must see the new units; systemctl --root only links them.
  [[ -n "$root" || ! -d /run/systemd/system ]] || systemctl daemon-reload
  systemctl --root="${root:-/}" enable "${enabled[@]}"
  ((intercept)) || systemctl --root="${root:-/}" disable meshboot-intercept.service
  echo "user-data.sh: enabled ${enabled[*]} (not started)" >&2
else
  systemctl daemon-reload
  systemctl enable "${enabled[@]}"
  if ((intercept)); then
    # Applies the rules, or re-applies them (enable is idempotent) from a changed environment.
    systemctl reload-or-restart meshboot-intercept.service
  else
    systemctl disable --now meshboot-intercept.service
  fi
  # Returns once Envoy has accepted its initial configuration (ExecStartPost waits for it).
  systemctl restart meshboot.service ||
    fail "meshboot.service did not become ready; see journalctl -u meshboot.service"
  echo "user-data.sh: meshboot.service is running and ready" >&2
fi

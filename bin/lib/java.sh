# shellcheck shell=bash
# Finds a JDK 25 or newer without starting a JVM (sourced by bin/meshboot and bin/test).
# Order: MESHBOOT_JAVA_HOME, the JRE given as $1 (a release tree's jre/), JAVA_HOME,
# /usr/lib/jvm/temurin-25-jdk-amd64, any /usr/lib/jvm/*.
meshboot_java_major() {
  local release="$1/release" version
  [[ -r "$release" && -x "$1/bin/java" ]] || return 1
  version=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  [[ -n "$version" ]] && echo "$version"
}

meshboot_find_java_home() {
  local candidate major
  for candidate in "${MESHBOOT_JAVA_HOME:-}" "${1:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [[ -n "$candidate" ]] || continue
    major=$(meshboot_java_major "$candidate") || continue
    if (( major >= 25 )); then
      echo "$candidate"
      return 0
    fi
  done
  echo "meshboot: no JDK 25 found (looked at MESHBOOT_JAVA_HOME, JAVA_HOME and /usr/lib/jvm);" \
    "install Temurin 25 or set MESHBOOT_JAVA_HOME" >&2
  return 1
}

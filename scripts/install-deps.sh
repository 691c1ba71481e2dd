#!/bin/sh
# Installs every Debian package tshost needs to build and test. Idempotent: when all
# packages are already present it returns at once without touching apt. Needs root;
# otherwise it prints the exact command to run.
set -eu

# chromium: Debian's browser for the portal's browser tests (npm's browser downloads fail here).
PACKAGES="
build-essential cmake pkg-config ninja-build git
libboost-dev libboost-program-options-dev libboost-filesystem-dev
libyaml-cpp-dev nlohmann-json3-dev libcurl4-openssl-dev
libspdlog-dev libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev
libssl-dev libsqlite3-dev libnfs-dev
json-schema-test-suite shellcheck python3 clang-format openssl
nfs-ganesha nfs-ganesha-vfs rpcbind libnfs-utils
chromium
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages:$missing" >&2
  echo "install-deps: run as root:  apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get install -y -q --no-install-recommends $missing

#!/bin/sh
# Installs the SDK to a scratch prefix, builds the example plugins against it as
# an enterprise build would (CMake package, then pkg-config), and checks that the
# host loads what was built there.
# usage: out_of_tree.sh BUILD_DIR SOURCE_DIR TSHOST_BINARY SCRATCH_DIR
set -eu
build=$1 src=$2 tshost=$3 scratch=$4
rm -rf "$scratch"
mkdir -p "$scratch/plugins"
prefix=$scratch/prefix

cmake --install "$build" --component sdk --prefix "$prefix" >/dev/null
test -f "$prefix/include/tshost/plugin.h"

for example in platform-c platform-cpp; do
  cmake -S "$src/examples/$example" -B "$scratch/$example" -G Ninja \
        -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$scratch/$example" >/dev/null
done
cp "$scratch/platform-cpp/example-cpp.so" "$scratch/plugins/"

# pkg-config: a plain compiler line, no CMake at all.
PKG_CONFIG_PATH=$(dirname "$(find "$prefix" -name tshost-sdk.pc)")
export PKG_CONFIG_PATH
# shellcheck disable=SC2046 # pkg-config output is a list of flags
cc -std=c99 -shared -fPIC -o "$scratch/plugins/example-c.so" \
   "$src/examples/platform-c/example_platform.c" $(pkg-config --cflags --libs tshost-sdk)

out=$("$tshost" plugins --json --plugin-dir "$scratch/plugins" 2>/dev/null)
for name in example-c example-cpp; do
  printf '%s' "$out" | python3 -c '
import json, sys
name, where = sys.argv[1], sys.argv[2]
found = [p for p in json.load(sys.stdin)["plugins"] if p["name"] == name]
assert found, f"{name} was not loaded"
path = found[0]["path"]
assert path.startswith(where), f"{name} came from {path}, not {where}"
' "$name" "$scratch/plugins"
done
echo "out-of-tree SDK build: example-c (pkg-config) and example-cpp (CMake) loaded"

#!/bin/sh
# The README's first command: installs what is missing, builds tshost (Release)
# and runs the quickstart experiment (TPE, 10 trials as local processes) end to
# end, with live progress, ending with the best trial and where its outputs are.
set -eu
cd "$(dirname "$0")/.."

sh scripts/install-deps.sh

build=${TSHOST_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTSHOST_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"

echo
"$build/bin/tshost" --version
"$build/bin/tshost" plugins
echo
"$build/bin/tshost" run examples/quickstart/config.yml

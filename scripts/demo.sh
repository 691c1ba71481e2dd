#!/bin/sh
# The README's first command: installs what is missing, builds tshost (Release),
# starts the local Kubernetes API emulator and runs a FrameworkController
# experiment (examples/frameworkcontroller: TPE, 6 trials, NFS storage) end to
# end, with live progress, ending with the best trial and where its outputs are.
# `scripts/demo.sh kubeflow-tf` / `kubeflow-pytorch` runs the same experiment as
# TFJobs / PyTorchJobs (examples/kubeflow-tf, examples/kubeflow-pytorch).
set -eu
example=${1:-frameworkcontroller}
case "$example" in
frameworkcontroller | kubeflow-tf | kubeflow-pytorch) ;;
*)
    echo "usage: scripts/demo.sh [frameworkcontroller|kubeflow-tf|kubeflow-pytorch]" >&2
    exit 2
    ;;
esac
cd "$(dirname "$0")/.."

sh scripts/install-deps.sh

build=${TSHOST_BUILD_DIR:-build/release}
# The emulator lives with the tests, so the test tree is configured, but only the
# demo's targets are built.
# The web portal (tshost_web) needs Node.js 20+; without it the demo runs without the portal.
web=ON
web_target=tshost_web
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null 2>&1; then
    echo "demo: Node.js 20+ with npm not found; building without the web portal" >&2
    web=OFF
    web_target=
fi
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DTSHOST_BUILD_TESTS=ON \
    -DTSHOST_WEB="$web" >/dev/null
# shellcheck disable=SC2086 # $web_target is one word or none
cmake --build "$build" -j "$(nproc)" --target tshost local nfs frameworkcontroller kubeflow-tf \
    kubeflow-pytorch kube-emulator $web_target

# The emulator maps the NFS volume 127.0.0.1:/export to <nfs-root>/127.0.0.1/export,
# the directory the examples' config.yml name as localMountPath.
demo=/tmp/tshost-demo
rm -rf "$demo"
mkdir -p "$demo/nfs/127.0.0.1/export"
"$build/bin/kube-emulator" --listen 127.0.0.1:0 --write-kubeconfig "$demo/kubeconfig" \
    --workdir "$demo/cluster" --nfs-root "$demo/nfs" >"$demo/emulator.log" 2>&1 &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true' EXIT
trap 'exit 130' INT TERM
tries=0
while [ ! -s "$demo/kubeconfig" ]; do
    if ! kill -0 "$emulator" 2>/dev/null || [ "$tries" -ge 100 ]; then
        echo "demo: the Kubernetes emulator did not start; see $demo/emulator.log" >&2
        exit 1
    fi
    tries=$((tries + 1))
    sleep 0.1
done

echo
"$build/bin/tshost" --version
"$build/bin/tshost" plugins
echo "Kubernetes API emulator: $(grep -m1 'server:' "$demo/kubeconfig" | tr -d ' ')"
echo
KUBECONFIG="$demo/kubeconfig" "$build/bin/tshost" --data-dir "$demo/experiments" \
    run "examples/$example/config.yml"

#!/bin/sh
# report.sh - the main job: build everything and run the demo / benchmark report.
# Installs missing Debian packages first.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GROWSTACK_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" report
echo "== configure ($build)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 >/dev/null
echo "== build"
cmake --build "$build" -j "$(nproc)"
echo "== demo"
GROWSTACK_STATS=1 "$build/bench/demo"

#!/bin/sh
# test.sh - build everything and run the whole test suite (the README's test
# command; .ci/run calls it). Installs missing Debian packages first.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GROWSTACK_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh" test
echo "== configure ($build)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DGROWSTACK_TESTS=ON >/dev/null
echo "== build"
cmake --build "$build" -j "$(nproc)"
echo "== test"
cd "$build"
ctest -j "$(nproc)" --output-on-failure --timeout 600

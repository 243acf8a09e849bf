#!/bin/sh
# realprog.sh [--ci] [run.py options...] - the whole real-program suite
# (docs/realprog.md): fetch SQLite, jq, Lua, zlib and cJSON from Debian source
# packages, build each with gscc and with plain clang-19, and run every case of
# the full set in every configuration of run.py's CONFIGS (fixed, segmented at
# 2k and 4k initial, contiguous at 2k, 4k and 8k, contiguous with a move forced
# at every check at 2k and 4k), comparing each run
# with the plain build. Prints the counters and pin ratios per program and
# configuration; writes them to $build/realprog/realprog-full.json.
# --ci runs the CTest subset's sizes instead. Extra options go to run.py, e.g.
#   scripts/realprog.sh --programs lua,jq --configs contiguous-2k
# Build directory: $GROWSTACK_BUILD_DIR or build/ (configured and built here if
# gscc is missing).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GROWSTACK_BUILD_DIR:-$root/build}
set_=full
if [ "${1:-}" = --ci ]; then set_=ci; shift; fi
"$root/scripts/setup.sh" test
if [ ! -x "$build/bin/gscc" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
    -DGROWSTACK_TESTS=ON >/dev/null
fi
cmake --build "$build" -j "$(nproc)" --target gscc growstack-plugin growstack
rp=$build/realprog
"$root/tests/realprog/fetch.sh" "$rp"
for variant in clang gscc; do
  "$root/tests/realprog/build.sh" --src "$rp/src" --out "$rp/builds" --variant $variant \
    --gscc "$build/bin/gscc" sqlite jq jq-shared lua zlib cjson
done
exec python3 "$root/tests/realprog/run.py" --builds "$rp/builds" --src "$rp/src" \
  --work "$rp/work-$set_" --set $set_ --json "$rp/realprog-$set_.json" "$@"

#!/bin/sh
# report.sh [--full] [--echo] [--no-realprog] - the main job: install what is missing,
# build everything (runtime, plugin, gscc, benchmarks, anchors) and write the benchmark
# report to docs/bench/REPORT.md. Quick by default; --full runs every depth, frame size
# and boundary position with 5 repetitions; --echo adds the echo-server benchmark
# (docs/bench/echo.md). The "Real programs" section (tests/realprog: SQLite, jq, Lua,
# zlib, cJSON built three times and run in every mode) is part of every run; it is most
# of a first run's time (building the programs, then about 7 min of CPU of runs, quick,
# a warm-up round included; measured on the loaded shared machine before the warm-up:
# 34 min of builds and 18.5 min of runs, wall; docs/realprog.md section 6), then
# about 5 min of instruction counts under callgrind (docs/realprog.md section 7).
# --no-realprog leaves it out; the report then says so. GROWSTACK_BUILD_DIR
# (default build-report) and GROWSTACK_RESULTS_DIR (default <build>/results)
# move the build and the raw results.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GROWSTACK_BUILD_DIR:-$root/build-report}
results=${GROWSTACK_RESULTS_DIR:-$build/results}
full="" echo="" realprog=""
for a in "$@"; do
  case $a in
    --full ) full=--full ;;
    --echo ) echo=--echo ;;
    --no-realprog ) realprog=--no-realprog ;;
    * ) echo "usage: scripts/report.sh [--full] [--echo] [--no-realprog]" >&2; exit 2 ;;
  esac
done
echo "== [$(date +%H:%M:%S)] setup"
"$root/scripts/setup.sh" report
echo "== [$(date +%H:%M:%S)] configure ($build)"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  -DCMAKE_BUILD_TYPE=Release -DGROWSTACK_TESTS=OFF -DGROWSTACK_BENCH=ON >/dev/null
echo "== [$(date +%H:%M:%S)] build"
cmake --build "$build" -j "$(nproc)"
echo "== [$(date +%H:%M:%S)] demo"
for mode in fixed segmented contiguous; do
  GROWSTACK_MODE=$mode GROWSTACK_STATS=1 "$build/bench/demo"
done
"$root/bench/run.sh" "$build" "$results" $full $echo $realprog

#!/bin/sh
# report.sh [--full] [--echo] - the main job: install what is missing, build everything
# (runtime, plugin, gscc, benchmarks, anchors) and write the benchmark report to
# docs/bench/REPORT.md. Quick by default (a few minutes on 2 cores); --full runs
# every depth, frame size and boundary position with 5 repetitions; --echo adds the
# echo-server benchmark (docs/bench/echo.md).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${GROWSTACK_BUILD_DIR:-$root/build-report}
results=${GROWSTACK_RESULTS_DIR:-$build/results}
full="" echo=""
for a in "$@"; do
  case $a in
    --full ) full=--full ;;
    --echo ) echo=--echo ;;
    * ) echo "usage: scripts/report.sh [--full] [--echo]" >&2; exit 2 ;;
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
"$root/bench/run.sh" "$build" "$results" $full $echo

#!/usr/bin/env bash
# run.sh - run growstack's benchmarks in every mode plus the anchors, then write
# the report (docs/bench/REPORT.md and its plots).
#
#   bench/run.sh BUILD_DIR OUTDIR [--full] [--echo]
#
# Quick (default): a few minutes on a 2-core machine; the subsets are documented
# in docs/bench/REPORT.md. --full: every depth, frame size and boundary position,
# 5 repetitions with aggregates. --echo: also the echo-server benchmark
# (bench/echo/run.sh into OUTDIR/echo; 1k and 10k connections, or 10k and 100k
# with --full; about 1-3 minutes more; docs/bench/echo.md).
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
build=$(cd "$1" && pwd)
out=$2
full=0 echo=0
for a in "${@:3}"; do
  case $a in
  --full) full=1 ;;
  --echo) echo=1 ;;
  *) echo "run.sh: unknown option '$a'" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
bench=$build/bench/gs_bench
[[ -x $bench ]] || { echo "run.sh: $bench not built (configure with -DGROWSTACK_BENCH=ON)" >&2; exit 1; }

if ((full)); then
  common=(--benchmark_min_time=0.5 --benchmark_repetitions=5 --benchmark_report_aggregates_only=false)
  unset GS_BENCH_QUICK || true
  anchors=()
else
  common=(--benchmark_min_time=0.1 --benchmark_repetitions=3)
  export GS_BENCH_QUICK=1
  anchors=(--quick)
fi

step() { printf '== [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

for mode in fixed segmented contiguous; do
  step "growstack, mode $mode"
  # Fixed stacks get room for the deepest recursion (1 GiB, lazily committed).
  extra=()
  [[ $mode == fixed ]] && extra=(GROWSTACK_MAX=1g)
  env GROWSTACK_MODE=$mode "${extra[@]}" "$bench" "${common[@]}" \
    --benchmark_out="$out/growstack-$mode.json" --benchmark_out_format=json \
    > "$out/growstack-$mode.log" 2>&1 || { echo "run.sh: gs_bench failed in $mode mode; see $out/growstack-$mode.log" >&2; exit 1; }
done

step "anchors (libgcc split stacks, Go, Boost.Context, pthreads, stackless)"
ANCHORS_BIN_DIR=$build/bench/anchors/bin "$here/anchors/run.sh" "$out/anchors" "${anchors[@]}"

if ((echo)); then
  step "echo server (bench/echo/run.sh: epoll, threads, Go; growstack not available yet)"
  echo_args=(--build "$build")
  ((full)) || echo_args+=(--quick)
  # Its own status is not fatal: a failed or limited run is recorded in its JSON and shown
  # in the report's echo section.
  "$here/echo/run.sh" "$out/echo" "${echo_args[@]}" || echo "run.sh: the echo benchmark reported errors; see $out/echo" >&2
else
  rm -rf "$out/echo" # a previous run's figures must not pass for this run's
fi

step "real programs (tests/realprog: SQLite, jq, Lua, zlib, cJSON; docs/realprog.md)"
# CPU time of each program built by plain clang-19, by clang-19 with gscc's flags
# and by gscc in each mode. Not fatal: without the sources (no network) the report
# says the section is missing.
rm -f "$out/realprog.json"
realprog() {
  local rp=$build/realprog reps=3 set=quick
  ((full)) && reps=7 && set=full
  [[ -x $build/bin/gscc ]] || { echo "run.sh: $build/bin/gscc not built" >&2; return 1; }
  "$root/tests/realprog/fetch.sh" "$rp" &&
  for v in clang flags gscc; do
    "$root/tests/realprog/build.sh" --src "$rp/src" --out "$rp/builds" --variant $v \
      --gscc "$build/bin/gscc" sqlite jq jq-shared lua zlib cjson || return 1
  done &&
  python3 "$root/tests/realprog/run.py" --bench $reps --set $set --builds "$rp/builds" \
    --src "$rp/src" --work "$rp/work-bench" --json "$out/realprog.json"
}
realprog || echo "run.sh: the real-program benchmarks failed; the report will say so" >&2

step "report"
# Debian's python3 (it has python3-matplotlib); another python3 first on PATH
# may not.
py=python3
[[ -x /usr/bin/python3 ]] && py=/usr/bin/python3
"$py" "$here/report.py" --results "$out" --out "$root/docs/bench" \
  --command "bench/run.sh $*"
step "done: $root/docs/bench/REPORT.md"

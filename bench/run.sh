#!/usr/bin/env bash
# run.sh - run growstack's benchmarks in every mode plus the anchors, then write
# the report (docs/bench/REPORT.md and its plots).
#
#   bench/run.sh BUILD_DIR OUTDIR [--full]
#
# Quick (default): a few minutes on a 2-core machine; the subsets are documented
# in docs/bench/REPORT.md. --full: every depth, frame size and boundary position,
# 5 repetitions with aggregates.
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
build=$(cd "$1" && pwd)
out=$2
full=0
[[ ${3:-} == --full ]] && full=1
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
  --command "bench/run.sh $1 $2${3:+ $3}"
step "done: $root/docs/bench/REPORT.md"

#!/usr/bin/env bash
# run.sh - run growstack's benchmarks in every mode plus the anchors, then write
# the report (docs/bench/REPORT.md and its plots).
#
#   bench/run.sh BUILD_DIR OUTDIR [--full] [--echo] [--no-realprog]
#                [--realprog-programs P,...] [--filter REGEX] [--anchors A,...|none]
#                [--report-out DIR]
#
# Quick (default): a few minutes on a 2-core machine; the subsets are documented
# in docs/bench/REPORT.md. --full: every depth, frame size and boundary position,
# 5 repetitions with aggregates. --echo: also the echo-server benchmark
# (bench/echo/run.sh into OUTDIR/echo; 1k and 10k connections, or 10k and 100k
# with --full; about 1-3 minutes more; docs/bench/echo.md). --no-realprog: skip
# the real programs (their builds are most of a first run's time);
# --realprog-programs: only these (sqlite,jq,jq-shared,lua,zlib,cjson).
# --filter: only the gs_bench benchmarks matching REGEX; --anchors: only these
# anchors (libgcc,go,boost,pthread,stackless) or none (both for a partial run
# that tries the pipeline). --report-out: write REPORT.md there instead of
# docs/bench (the committed report is the lead's full run).
set -euo pipefail
[[ $# -ge 2 ]] || { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
build=$(cd "$1" && pwd)
out=$2
full=0 echo=0 realprog=1 rp_programs="sqlite,jq,jq-shared,lua,zlib,cjson" filter="" report_out="" only_anchors=""
args=("${@:3}")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
  --full) full=1 ;;
  --echo) echo=1 ;;
  --no-realprog) realprog=0 ;;
  --realprog-programs) rp_programs=${args[++i]} ;;
  --filter) filter=${args[++i]} ;;
  --anchors) only_anchors=${args[++i]} ;;
  --report-out) report_out=${args[++i]} ;;
  *) echo "run.sh: unknown option '${args[i]}'" >&2; exit 2 ;;
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

# Repetitions of different benchmarks interleaved in random order: a burst of
# load from the machine's other users then spreads over all of them instead of
# falling on one variant of a comparison (the committed report once had the
# flags-only tree walk 74 % slower than plain clang for that reason).
common+=(--benchmark_enable_random_interleaving=true)
[[ -n $filter ]] && common+=("--benchmark_filter=$filter")

step() { printf '== [%s] %s\n' "$(date +%H:%M:%S)" "$*" >&3; }
exec 3>&1

# progress LABEL TOTAL: copy the benchmark's console output (stdin) to stdout
# and print a progress line on fd 3: at the first result, then at most every
# 15 s as results come (repetitions are interleaved, so the benchmark names
# jump around), and every 30 s while none comes, so that a mode never runs
# silently for minutes.
progress() {
  local label=$1 total=$2 line partial="" fam last="" n=0 rc shown=-100
  while :; do
    if IFS= read -r -t 30 line; then
      line=$partial$line partial=""
      printf '%s\n' "$line"
      case $line in
      BM_*)
        fam=${line%%[ ]*}
        case $fam in *_mean | *_median | *_stddev | *_cv) continue ;; esac
        n=$((n + 1)) last=$fam
        if ((SECONDS - shown >= 15)); then
          step "$label: $n of ~$total results, last ${fam%/manual_time}"
          shown=$SECONDS
        fi ;;
      esac
    else
      rc=$?
      ((rc > 128)) || { [[ -n $line ]] && printf '%s\n' "$line"; break; }
      partial+=$line
      step "$label: still running, $n of ~$total results so far${last:+ (last ${last%/manual_time})}"
      shown=$SECONDS
    fi
  done
  step "$label: done, $n results"
}

for mode in fixed segmented contiguous; do
  # Fixed stacks get room for the deepest recursion (1 GiB, lazily committed).
  extra=()
  [[ $mode == fixed ]] && extra=(GROWSTACK_MAX=1g)
  reps=3
  ((full)) && reps=5
  listed=$(env GROWSTACK_MODE=$mode "${extra[@]}" "$bench" --benchmark_list_tests \
    ${filter:+"--benchmark_filter=$filter"} | grep -c . || true)
  step "growstack, mode $mode: $listed benchmarks x $reps repetitions"
  env GROWSTACK_MODE=$mode "${extra[@]}" "$bench" "${common[@]}" \
    --benchmark_out="$out/growstack-$mode.json" --benchmark_out_format=json 2>&1 |
    progress "mode $mode" $((listed * reps)) > "$out/growstack-$mode.log" ||
    { echo "run.sh: gs_bench failed in $mode mode; see $out/growstack-$mode.log" >&2; exit 1; }
done

if [[ $only_anchors == none ]]; then
  step "anchors: not run (--anchors none)"
  rm -rf "$out/anchors"
else
  step "anchors (${only_anchors:-libgcc split stacks, Go, Boost.Context, pthreads, stackless})"
  [[ -n $only_anchors ]] && anchors+=(--only "$only_anchors")
  ANCHORS_BIN_DIR=$build/bench/anchors/bin "$here/anchors/run.sh" "$out/anchors" "${anchors[@]}"
fi

if ((echo)); then
  step "echo server (bench/echo/run.sh: growstack in each mode, epoll, threads, Go)"
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
rm -f "$out/realprog.json" "$out/icount.json"
realprog() {
  local rp=$build/realprog reps=5 set=quick budget=60 max_reps=20
  ((full)) && reps=7 && set=full
  [[ -x $build/bin/gscc ]] || { echo "run.sh: $build/bin/gscc not built" >&2; return 1; }
  local t0=$SECONDS
  step "real programs: fetch"
  "$root/tests/realprog/fetch.sh" "$rp" || return 1
  for v in clang flags gscc; do
    step "real programs: build $v (${rp_programs})"
    "$root/tests/realprog/build.sh" --src "$rp/src" --out "$rp/builds" --variant $v \
      --gscc "$build/bin/gscc" ${rp_programs//,/ } || return 1
  done
  step "real programs: builds done in $((SECONDS - t0)) s; running"
  # run.py prints its own == [hh:mm:ss] line for each case. Per case: one untimed
  # warm-up round of every build (the first run of a case pays for what is cold),
  # then $reps timed rounds, each in a shuffled order of the builds (the seed is in
  # realprog.json), each build next to a plain run of its own (run.py's pairs: the
  # report takes each build's fastest run). 5 rounds, not 3: on a VM whose speed
  # changes in steps (the report of 2026-12-05 had single runs 1.3-1.8x their
  # case's usual time), a median of 3 moves with 2 bad pairs and one of 5 does
  # not (docs/realprog.md section 6). A case whose timed rounds took less than
  # $budget s runs more, up to $max_reps: a run falls on one of this VM's two
  # speeds, and five runs of a short case all fell on the slow one often enough
  # to decide a goal (Lua, 2026-12-06).
  python3 "$root/tests/realprog/run.py" --bench $reps --budget $budget --max-reps $max_reps \
    --warmup 1 --set $set --builds "$rp/builds" \
    --src "$rp/src" --work "$rp/work-bench" --json "$out/realprog.json" \
    --programs "$rp_programs" || return 1
  # Instructions under callgrind, the steady measure beside CPU time (one run per
  # build and case, smaller inputs; about 2 min of wall time on 2 cores).
  local ic_programs
  ic_programs=$(tr ',' '\n' <<<"$rp_programs" | grep -xE 'sqlite|jq|lua|zlib|cjson' | paste -sd, - || true)
  if [[ -n $ic_programs ]]; then
    step "real programs: instructions under callgrind (tests/realprog/icount.py: $ic_programs)"
    python3 "$root/tests/realprog/icount.py" --builds "$rp/builds" --src "$rp/src" \
      --work "$rp/work-icount" --json "$out/icount.json" --programs "$ic_programs" ||
      echo "run.sh: icount.py reported problems; see the report's Instructions table" >&2
  fi
  step "real programs: done in $((SECONDS - t0)) s"
}
if ((realprog)); then
  realprog || echo "run.sh: the real-program benchmarks failed; the report will say so" >&2
else
  step "real programs: not run (--no-realprog)"
fi

step "report"
# Debian's python3 (it has python3-matplotlib); another python3 first on PATH
# may not.
py=python3
[[ -x /usr/bin/python3 ]] && py=/usr/bin/python3
report_out=${report_out:-$root/docs/bench}
"$py" "$here/report.py" --results "$out" --out "$report_out" \
  --command "bench/run.sh $*"
step "done: $report_out/REPORT.md"

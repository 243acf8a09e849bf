#!/usr/bin/env bash
# run.sh - run every anchor of the benchmark report, one after another, and write one
# Google Benchmark JSON file per anchor into OUTDIR (docs/bench/anchors.md).
#
#   bench/anchors/run.sh OUTDIR [--quick] [--bin DIR] [--only NAME[,NAME...]]
#
#   --quick   the subset for a few-minute report: depths 1e3..1e5 for every frame size and
#             1e6 for 128-byte frames only, the hot-split sweep over the first 2 KiB only,
#             idle memory at 100k only (10k for threads), one repetition.
#             Without it: everything, 5 repetitions with mean/median/stddev/cv aggregates.
#   --bin     where the anchor_* binaries are (default: $ANCHORS_BIN_DIR, else the first of
#             build/bench/anchors/bin, build-bench/bench/anchors/bin, build-anchors/bin under
#             the repository root that has them).
#   --only    run only these anchors (libgcc, go, boost, pthread, stackless).
#
# OUTDIR/<anchor>.json is written for each anchor that ran, OUTDIR/<anchor>.log holds its
# console output, and OUTDIR/<anchor>.skipped says why an anchor did not run (its binary was
# not built: a missing tool). OUTDIR/run-info.txt records the command and the machine load.
# Exit status: 0 if every anchor that was found ran successfully.
set -euo pipefail

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

[[ $# -ge 1 ]] || usage
out=$1
shift
quick=0
bin=${ANCHORS_BIN_DIR:-}
only=""
while [[ $# -gt 0 ]]; do
    case $1 in
    --quick) quick=1 ;;
    --bin) bin=$2; shift ;;
    --only) only=$2; shift ;;
    -h | --help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
    esac
    shift
done

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [[ -z $bin ]]; then
    for d in "$root/build/bench/anchors/bin" "$root/build-bench/bench/anchors/bin" "$root/build-anchors/bin"; do
        if compgen -G "$d/anchor_*" >/dev/null; then bin=$d; break; fi
    done
fi
if [[ -z $bin || ! -d $bin ]]; then
    echo "run.sh: no anchor binaries found; build them first (cmake --build BUILD --target anchors)" \
         "or pass --bin DIR" >&2
    exit 1
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)

if ((quick)); then
    mode=quick
    common=(--anchors_quick --benchmark_min_time=0.1 --benchmark_repetitions=1)
else
    mode=full
    common=(--benchmark_min_time=0.5 --benchmark_repetitions=5
            --benchmark_display_aggregates_only=true)
fi

{
    echo "command: $0 $out $( ((quick)) && echo --quick)"
    echo "mode: $mode"
    echo "binaries: $bin"
    echo "date: $(date -Is)"
    echo "host: $(uname -srm), $(nproc) cpus"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/run-info.txt"

status=0
# Order: cheap and short first; the heavy idle-memory runs are inside each anchor's last
# benchmarks. Never two at once: the machine is shared and the figures are wall times.
for anchor in stackless boost pthread go libgcc; do
    if [[ -n $only && ",$only," != *",$anchor,"* ]]; then
        continue
    fi
    exe=$bin/anchor_$anchor
    rm -f "$out/$anchor.json" "$out/$anchor.skipped"
    if [[ ! -x $exe ]]; then
        msg="anchor '$anchor' skipped: $exe was not built (its toolchain was missing at configure time; see the cmake output)"
        echo "$msg" | tee "$out/$anchor.skipped" >&2
        continue
    fi
    echo "== anchor $anchor ($mode) -> $out/$anchor.json"
    start=$(date +%s)
    if "$exe" "${common[@]}" --benchmark_out="$out/$anchor.json" --benchmark_out_format=json \
        2>&1 | tee "$out/$anchor.log"; then
        echo "== anchor $anchor done in $(( $(date +%s) - start )) s"
    else
        echo "== anchor $anchor FAILED (see $out/$anchor.log)" >&2
        status=1
    fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/run-info.txt"
exit $status

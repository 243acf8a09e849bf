#!/usr/bin/env python3
"""Compare two estimators of a microbenchmark ratio over several runs of
gs_bench: the ratio of the fastest repetitions (what bench/report.py judges
by) and the ratio of the medians (what it judged by before), to see which
varies less from one run to the next (docs/bench/method.md).

  bench/estimators.py GS_BENCH [--sets 6] [--reps 3] [--mode contiguous]
      [--pair A,B,FIELD ...]

Each set is one gs_bench process running the pairs' benchmarks with
--benchmark_repetitions=REPS and random interleaving, as bench/run.sh does.
Prints each pair's ratios per set and their coefficient of variation."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

from report import key_of

PAIRS = ["BM_Switch,BM_Switch_Fcontext,ns_per_switch",
         "BM_DeepRecursion_Warm/10000/128,BM_DeepRecursion_FloorWarm/10000/128,ns_per_frame"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gs_bench")
    ap.add_argument("--sets", type=int, default=6)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--mode", default="contiguous")
    ap.add_argument("--pair", action="append", help="A,B,FIELD (default: the switch and warm 10^4 x 128 B)")
    a = ap.parse_args()
    pairs = [p.split(",") for p in (a.pair or PAIRS)]
    names = sorted({n for p in pairs for n in p[:2]})
    filt = "|".join("^" + n + "(/|$)" for n in names)
    env = dict(os.environ, GROWSTACK_MODE=a.mode)
    ratios = {tuple(p): ([], []) for p in pairs}
    with tempfile.TemporaryDirectory() as tmp:
        for s in range(a.sets):
            out = os.path.join(tmp, f"set{s}.json")
            subprocess.run([a.gs_bench, f"--benchmark_filter={filt}",
                            f"--benchmark_repetitions={a.reps}",
                            "--benchmark_enable_random_interleaving=true",
                            f"--benchmark_out={out}", "--benchmark_out_format=json"],
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
            with open(out) as f:
                runs = [b for b in json.load(f)["benchmarks"] if b.get("run_type") != "aggregate"]
            for p in pairs:
                x, y, field = p
                va = [b[field] for b in runs if key_of(b["run_name"]) == x and field in b]
                vb = [b[field] for b in runs if key_of(b["run_name"]) == y and field in b]
                if not va or not vb:
                    sys.exit(f"set {s}: no {field} for {x if not va else y}")
                med, fast = ratios[tuple(p)]
                med.append(statistics.median(va) / statistics.median(vb))
                fast.append(min(va) / min(vb))
                print(f"set {s}: {x} / {y}: medians {med[-1]:.3f}, fastest {fast[-1]:.3f}", flush=True)
    for p, (med, fast) in ratios.items():
        def cv(v):
            return statistics.pstdev(v) / statistics.mean(v)
        print(f"{p[0]} / {p[1]} over {a.sets} sets: medians {', '.join(f'{v:.3f}' for v in med)} "
              f"(cv {cv(med):.3f}); fastest {', '.join(f'{v:.3f}' for v in fast)} (cv {cv(fast):.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Compare two estimators of a gscc build's CPU time over the plain build's, on
one Lua case: the ratio of the fastest runs (what bench/report_realprog.py
reports) and the median of the pair ratios (what it reported before), over
several sets of alternating pairs, to see which varies less from set to set
(docs/realprog.md section 6).

  tests/realprog/estimators.py BUILDS [--mode fixed] [--sets 4] [--pairs 7]
      [--script string_build.lua] [--arg 300]

BUILDS is run.py's --builds directory (BUILDS/clang/lua/src/lua and
BUILDS/gscc/lua/src/lua). CPU time is user + sys of each child (wait4)."""
import argparse
import os
import random
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("builds")
    ap.add_argument("--mode", default="fixed")
    ap.add_argument("--sets", type=int, default=4)
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--script", default="string_build.lua")
    ap.add_argument("--arg", default="300")
    a = ap.parse_args()
    env = dict(os.environ, GROWSTACK_MODE=a.mode)
    script = os.path.join(HERE, "lua", a.script)

    def run(variant):
        lua = os.path.join(a.builds, variant, "lua", "src", "lua")
        p = subprocess.Popen([lua, script, a.arg], env=env, stdout=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        if status:
            sys.exit(f"{lua} {a.script} {a.arg}: status {status}")
        return ru.ru_utime + ru.ru_stime

    for k in range(a.sets):
        t = {"clang": [], "gscc": []}
        for _ in range(a.pairs):
            order = ["clang", "gscc"]
            random.shuffle(order)
            for v in order:
                t[v].append(run(v))
        pr = [g / c for g, c in zip(t["gscc"], t["clang"])]
        print(f"set {k}: fastest runs {min(t['gscc']) / min(t['clang']):.3f}  "
              f"median of the pair ratios {statistics.median(pr):.3f}  "
              f"(plain {min(t['clang']):.3f}-{max(t['clang']):.3f} s)", flush=True)


if __name__ == "__main__":
    main()

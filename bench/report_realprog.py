"""The "Real programs" part of docs/bench/REPORT.md (used by bench/report.py).

Input: realprog.json in the results directory, written by
`tests/realprog/run.py --bench N` (bench/run.sh calls it): for each case of the
bench set, the CPU time (user + sys) of every repetition of the plain clang-19
build, the flags-only build (plain clang-19 with gscc's extra flags) and the gscc
build in each mode, and one GROWSTACK_STATS=1 run per mode.
"""
import json
import os

MODE_LABEL = {"fixed": "fixed", "segmented-2k": "segmented", "contiguous-2k": "contiguous",
              "contiguous-4k": "contiguous, 4k initial"}


def load(results_dir):
    path = os.path.join(results_dir, "realprog.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def _med(entry, name):
    c = entry["cpu_s"].get(name)
    return c["median"] if c else None


def _ratio(a, b):
    return a / b if a is not None and b else None


def _pct(r):
    return "-" if r is None else f"{100 * r:.2f} %"


def _x(r):
    return "n/a" if r is None else f"{r:.3f}x"


def goals(data, goal):
    """Issue 13's CPU goal and issue 10's pin-ratio goal, from the bench run."""
    if not data:
        return
    worst, worst_at = None, ""
    for cid, e in data["cases"].items():
        base = _med(e, "clang")
        for m in data["configs"]:
            r = _ratio(_med(e, m), base)
            if r is not None and (worst is None or r > worst):
                worst, worst_at = r, f"{cid}, {MODE_LABEL.get(m, m)}"
    goal("real programs: gscc CPU time vs plain clang-19, worst case and mode",
         _x(worst), "within 1.03x", worst is not None and worst <= 1.03,
         f"{worst_at} (median of {data['reps']} runs each; section Real programs)")
    for m in ("contiguous-2k", "contiguous-4k"):
        worst, worst_at, no_moves = None, "", []
        for cid, e in data["cases"].items():
            s = e["stats"].get(m, {})
            r = s.get("pins_ratio")
            if s.get("splits", 0) and not s.get("moves", 0):
                no_moves.append(cid)
            if r is not None and (worst is None or r > worst):
                worst, worst_at = r, cid
        goal(f"real programs: pins / (moves + pins), {MODE_LABEL[m]}, worst case",
             _pct(worst), "<= 1 % and moves > 0",
             worst is not None and worst <= 0.01 and not no_moves,
             f"{worst_at}" + (f"; no move at all in {len(no_moves)} cases that split" if no_moves else ""))


def section(data, w):
    w("## Real programs")
    w("")
    if not data:
        w("No realprog.json in the results (bench/run.sh writes it with tests/realprog/run.py "
          "--bench); see docs/realprog.md.")
        w("")
        return
    w("Programs nobody here wrote, from Debian source packages, built through their own build "
      "systems three times: plain clang-19 -O2 (the reference), the *flags-only* build (plain "
      "clang-19 -O2 with the flags gscc adds besides its plugin: `-fno-omit-frame-pointer "
      "-mno-omit-leaf-frame-pointer -ftrivial-auto-var-init=zero`) and gscc -O2, run in each "
      "mode. CPU time is user + sys of the process, "
      f"{data['reps']} repetitions interleaved over the builds; the ratio is of medians, the "
      "range is the gscc build's min-max over the plain build's median. *vs flags* separates the "
      "instrumentation's cost from the flags' cost. The counters come from one more run with "
      "`GROWSTACK_STATS=1`; pins ratio = pins / (moves + pins), the share of contiguous growth "
      "events that chained a segment because a live frame was pinned. Cases and commands: "
      "docs/realprog.md (`tests/realprog/run.py --bench`).")
    w("")
    w("| case | plain CPU s | flags-only | mode | CPU vs plain | range | vs flags-only | splits "
      "| moves | pins ratio | bytes copied | peak stack |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for cid, e in data["cases"].items():
        base = _med(e, "clang")
        flags = _med(e, "flags")
        first = True
        for m in data["configs"]:
            c = e["cpu_s"].get(m)
            s = e["stats"].get(m, {})
            r = _ratio(_med(e, m), base)
            rng = f"{c['min'] / base:.3f}-{c['max'] / base:.3f}" if c and base else "n/a"
            failed = e.get("failed", {}).get(m)
            lead = (f"| {cid} | {base:.3f} | {_x(_ratio(flags, base))} " if first
                    else "| | | ")
            first = False
            w(lead + f"| {MODE_LABEL.get(m, m)} | {_x(r)}{' (failed %d)' % failed if failed else ''} "
              f"| {rng} | {_x(_ratio(_med(e, m), flags))} | {s.get('splits', 'n/a')} "
              f"| {s.get('moves', 'n/a')} | {_pct(s.get('pins_ratio'))} "
              f"| {s.get('bytes_copied', 'n/a')} | {s.get('max_stack_bytes', 'n/a')} |")
    w("")
    w("Correctness of the same programs in every mode (output equal to the plain build's, forced "
      "moves included) is the CTest label `realprog` and `scripts/realprog.sh`, not this table.")
    w("")

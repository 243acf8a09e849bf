#!/usr/bin/env python3
"""report_goals.py - bench/report.py judges goals from the measurement, never
flatters: run it on synthetic Google Benchmark JSON and check the goal table.

Paths exercised:
  - a check cost that comes out negative beyond noise (the committed report's
    "-44.1 %, met" tree walk) is flagged "insane measurement", not met, and not
    counted in the "N/M goals met" line;
  - a check cost of +1 % is met; every figure carries its [min, max];
  - times are judged by their fastest repetitions (docs/bench/method.md): the
    grow-then-shrink goal is met at 1.5x by its fastest repetitions although
    its medians are 2.5x apart, and says so; a time prints as fastest
    (median, slowest);
  - the check-cost goal takes the instrumented run on the thread stack (the
    builds differ in the checks only) when there is one, and the sums over the
    four placements of BM_CheckPlaced when the results have them (fib here:
    its goal, its detail, its row in the table of placements);
  - the segmented hot split is judged against libgcc *without* signal blocking;
  - the clock_gettime hot-split goal: contiguous worst vs fixed worst, 1.25x;
    paired (BM_Paired_HotClock: the same loop at the same depth on a stack that
    needs no growth, in alternation), the worst position by median decides,
    the unpaired modes' ratio in its detail;
  - the switch goal: BM_Switch against fcontext, with gs_ctx_switch alone
    (BM_Switch_Bare) in its detail and in the switch table;
  - paired results (BM_Paired_CheckCost, BM_Paired_Switch: both sides in
    alternation within every iteration) decide the check-cost and switch
    goals when present: the median of the repetitions' ratios, their range;
    BM_Paired_HotSplit the contiguous hot split's, worst position by median;
    BM_Paired_Warm the warm recursion's, worst point by median;
  - deep recursion against Go: growstack's BM_DeepRecursion_New (a new
    coroutine per iteration, caches kept) against Go's BM_DeepRecursion_Cold
    (a new goroutine per iteration), not the trimmed BM_DeepRecursion_Cold;
    the points where New still faults most pages in are named (over 64 MiB:
    the smaller blocks' pages moved into the one kept block); without New in the results the row is
    not measured rather than a Cold-vs-Go figure;
  - the real programs: CPU within 1.03x per program, a gscc build faster than
    plain clang in every repetition flagged, pins ratio > 1 % or moves = 0 on an
    issue-10 case not met.
Usage: report_goals.py REPO_ROOT WORKDIR
"""
import json
import os
import re
import shutil
import subprocess
import sys


def bench(name, reps, **fields):
    """Repetitions of one benchmark: fields map to a list (one value per rep)."""
    out = []
    for i in range(reps):
        b = {"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
             "repetition_index": i, "iterations": 10, "time_unit": "us"}
        for k, v in fields.items():
            b[k] = v[i] if isinstance(v, list) else v
        out.append(b)
    return out


def write(path, benches):
    with open(path, "w") as f:
        json.dump({"context": {"host_name": "test", "num_cpus": 2}, "benchmarks": benches}, f)


def main():
    root, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    res = os.path.join(work, "results")
    os.makedirs(os.path.join(res, "anchors"))
    common = []
    contig = [
        # fib: instrumented on the thread stack 1 % over the flags build: met.
        *bench("BM_CheckCost_ThreadStack/0", 3, cpu_time=[101, 101, 102], real_time=[101, 101, 102]),
        *bench("BM_CheckCost/0/0", 3, cpu_time=[120, 121, 122], real_time=[120, 121, 122]),
        *bench("BM_CheckCost/0/1", 3, cpu_time=[95, 96, 97], real_time=[95, 96, 97]),
        *bench("BM_CheckCost/0/2", 3, cpu_time=[100, 100, 101], real_time=[100, 100, 101]),
        # fib at four placements (BM_CheckPlaced): one placement +12 %, another -8 %;
        # the sums +1.5 %, which the goal takes over the single placement's +1.0 %.
        *[b for pad, g in zip((0, 16, 32, 48), (112, 100, 92, 102))
          for b in bench(f"BM_CheckPlaced/0/{pad}/0", 3, cpu_time=[g, g + 1, g + 2],
                         real_time=[g, g + 1, g + 2])
             + bench(f"BM_CheckPlaced/0/{pad}/2", 3, cpu_time=[100, 101, 102],
                     real_time=[100, 101, 102])],
        # tree walk: only the coroutine run, 44 % *below* its flags floor in every pairing.
        *bench("BM_CheckCost/1/0", 3, cpu_time=[440, 451, 460], real_time=[440, 451, 460]),
        *bench("BM_CheckCost/1/1", 3, cpu_time=[430, 440, 450], real_time=[430, 440, 450]),
        *bench("BM_CheckCost/1/2", 3, cpu_time=[780, 785, 790], real_time=[780, 785, 790]),
        *bench("BM_HotSplit/128/0", 3, ns_per_call=[9, 10, 11]),
        *bench("BM_HotSplit_FloorFlags/128", 3, ns_per_call=[8, 8, 8]),
        *bench("BM_HotSplitClock/128/0", 3, ns_per_call=[3.0, 3.1, 3.2], moves=1e-5, pins=0),
        *bench("BM_HotSplitClock/128/16", 3, ns_per_call=[2.9, 3.0, 3.1], moves=0, pins=0),
        # the switch: 8.5 ns against fcontext's 5.7 (not met); gs_ctx_switch alone 5.5.
        *bench("BM_Switch", 3, ns_per_switch=[8.0, 8.5, 9.0]),
        *bench("BM_Switch_Bare", 3, ns_per_switch=[5.4, 5.5, 5.6]),
        # the trampoline, unpaired: 2.5 - 1.1 = +1.40 ns over a direct call
        *bench("BM_CallCost/0/0", 3, ns_per_call=[2.5, 2.6, 2.7]),
        *bench("BM_CallCost/0/1", 3, ns_per_call=[1.1, 1.2, 1.2]),
        # grow-then-shrink: fastest 150 against segmented's 100 (1.5x, met), the
        # medians 300 against 120 (2.5x).
        *bench("BM_GrowShrink", 3, real_time=[310, 150, 300]),
        # deep recursion: trimmed Cold far above Go, New (caches kept) below it at
        # 10^3 x 1024 B; at 10^5 x 1024 B (a 128 MiB block, not cached) New still
        # faults in almost every page and is the worst point against Go.
        *bench("BM_DeepRecursion_Cold/1000/1024", 3, ns_per_frame=[500, 505, 510], minflt=266),
        *bench("BM_DeepRecursion_New/1000/1024", 3, ns_per_frame=[100, 105, 110], minflt=0),
        *bench("BM_DeepRecursion_FloorCold/1000/1024", 3, ns_per_frame=[450, 460, 470], minflt=260),
        *bench("BM_DeepRecursion_Cold/100000/1024", 3, ns_per_frame=[700, 710, 720], minflt=25409),
        *bench("BM_DeepRecursion_New/100000/1024", 3, ns_per_frame=[680, 690, 700], minflt=24885),
        *bench("BM_DeepRecursion_FloorCold/100000/1024", 3, ns_per_frame=[600, 610, 620],
               minflt=25000),
    ]
    fixed = [
        *bench("BM_HotSplitClock/128/0", 3, ns_per_call=[2.0, 2.1, 2.2]),
        *bench("BM_HotSplitClock/128/16", 3, ns_per_call=[2.0, 2.0, 2.1]),
    ]
    seg = [*bench("BM_HotSplit/128/0", 3, ns_per_call=[13, 14, 15]),
           *bench("BM_GrowShrink", 3, real_time=[120, 130, 100])]
    write(os.path.join(res, "growstack-contiguous.json"), contig + common)
    write(os.path.join(res, "growstack-fixed.json"), fixed)
    write(os.path.join(res, "growstack-segmented.json"), seg)
    write(os.path.join(res, "anchors", "libgcc.json"), [
        *bench("BM_HotSplit_Worst/128/0", 1, ns_per_call=4000),
        *bench("BM_HotSplit_WorstNoSigmask/128/0", 1, ns_per_call=12.1)])
    write(os.path.join(res, "anchors", "go.json"), [
        *bench("BM_DeepRecursion_Cold/1000/1024", 1, ns_per_frame=115, minor_faults_per_iter=0),
        *bench("BM_DeepRecursion_Cold/100000/1024", 1, ns_per_frame=319,
               minor_faults_per_iter=1427)])
    write(os.path.join(res, "anchors", "boost.json"), [
        *bench("BM_Switch_BoostFcontext", 3, ns_per_switch=[5.6, 5.7, 5.8])])
    configs = ["fixed", "segmented-2k", "contiguous-2k", "contiguous-4k", "contiguous-8k"]

    def case(cpu, stats, warmup=None, warmup_failed=None):
        e = {"argv": [], "failed": {}, "cpu_s": {}, "stats": {}, "stats_range": {},
             "order": [list(cpu)] * 3, "warmup_cpu_s": {n: [ts[0]] for n, ts in cpu.items()},
             "warmup_failed": warmup_failed or {}, "warmup_wall_s": 1.0, "wall_s": 4.0}
        e["warmup_cpu_s"].update(warmup or {})
        for name, ts in cpu.items():
            e["cpu_s"][name] = {"min": min(ts), "median": sorted(ts)[1], "max": max(ts), "all": ts}
        for c in configs:
            e["stats"][c] = dict(stats.get(c, stats.get("*", {})))
            m, p = e["stats"][c].get("moves", 0), e["stats"][c].get("pins", 0)
            e["stats"][c]["pins_ratio"] = p / (m + p) if m + p else None
        return e
    plain = [1.0, 1.0, 1.0]
    # run.py --bench's method: 1 untimed warm-up round, then each repetition in a
    # shuffled order (seed recorded).
    rp = {"reps": 3, "warmup": 1, "seed": 12345, "set": "quick", "configs": configs, "cases": {
        # lua: 1.02x everywhere, moves and no pins: both goals met for it.
        "lua.pcall_deep-2000": case({"clang": plain, "flags": plain, **{c: [1.02, 1.02, 1.02] for c in configs}},
                                    {"*": {"splits": 10, "moves": 10, "pins": 0, "bytes_copied": 1000,
                                           "max_stack_bytes": 65536}},
                                    # the plain warm-up run 1.5x its median: the note's maximum;
                                    # one warm-up run of flags-only and one of contiguous-8k failed.
                                    warmup={"clang": [1.5]}, warmup_failed={"contiguous-8k": 1, "flags": 1}),
        # sqlite: 2 % pins at 4k (not met), faster than plain in every repetition (insane).
        "sqlite.speedtest1-100": case({"clang": plain, "flags": plain, **{c: [0.9, 0.91, 0.92] for c in configs}},
                                      {"*": {"splits": 100, "moves": 100, "pins": 0},
                                       "segmented-2k": {"splits": 1500, "splits_slow": 20,
                                                        "moves": 0, "pins": 0},
                                       "contiguous-4k": {"splits": 100, "moves": 98, "pins": 2}}),
        # The other cases of issue 10: moves, no pins.
        **{cid: case({"clang": plain, "flags": plain, **{c: [1.0, 1.0, 1.0] for c in configs}},
                     {"*": {"splits": 10, "moves": 10, "pins": 0}})
           for cid in ("sqlite.fuzzcheck-346", "jq.deep-equal-100000x10", "lua.gsub_callback-1000",
                       )},
        # lua.load_nested: 0.995x at 2k, 1.018x at 8k: 1.023x apart (not met), and
        # neither insane nor the worst Lua ratio.
        "lua.load_nested-3000": case({"clang": plain, "flags": plain,
                                      **{c: [1.0, 1.0, 1.0] for c in configs},
                                      "contiguous-2k": [0.995] * 3, "contiguous-8k": [1.018] * 3},
                                     {"*": {"splits": 10, "moves": 10, "pins": 0}}),
        # jq: no move at all in contiguous mode (not met), 1.10x CPU (not met).
        "jq.jq.test": case({"clang": plain, "flags": plain, **{c: [1.1, 1.1, 1.1] for c in configs}},
                           {"*": {"splits": 5, "moves": 0, "pins": 5}}),
    }}
    with open(os.path.join(res, "realprog.json"), "w") as f:
        json.dump(rp, f)
    def report(out):
        """Run report.py on res into out: (its stdout, the text, goal rows by name), or None."""
        p = subprocess.run([sys.executable, os.path.join(root, "bench", "report.py"), "--results",
                            res, "--out", out, "--command", "test"], capture_output=True, text=True)
        if p.returncode != 0:
            print(p.stdout, p.stderr)
            return None
        text = open(os.path.join(out, "REPORT.md")).read()
        rows = {}
        for line in text.splitlines():
            cols = [c.strip() for c in line.split("|")]
            if len(cols) >= 7 and cols[1] and cols[4] and not cols[1].startswith("---"):
                rows.setdefault(cols[1], cols[2:6])
        return p.stdout, text, rows

    r = report(os.path.join(work, "doc"))
    if r is None:
        return 1
    stdout, text, rows = r
    failures = []

    def expect(name_part, met_pattern, measured_pattern=None, rows=rows, parts=(), what=None):
        """Check a goal row: its met column, its figure and, when given, that its
        detail holds every one of `parts` (reported as `what` lacking it)."""
        hits = [(n, r) for n, r in rows.items() if name_part in n]
        if not hits:
            failures.append(f"no goal row containing {name_part!r}")
            return
        n, (measured, target, met, detail) = hits[0]
        if not re.search(met_pattern, met):
            failures.append(f"{n}: met = {met!r}, expected /{met_pattern}/")
        if measured_pattern and not re.search(measured_pattern, measured):
            failures.append(f"{n}: measured = {measured!r}, expected /{measured_pattern}/")
        for part in parts:
            if part not in detail:
                failures.append(f"the {what} lacks {part!r}: {detail}")
        return detail

    expect("prologue check cost, fib(27)", r"^yes, range crosses the target$",
           r"^\+1\.5% \[-0\.5%, \+3\.5%\]$", what="fib check cost",
           parts=("summed over four placements", "`BM_CheckPlaced/0/N/0`",
                  "+0: +12.0%, +16: +0.0%, +32: -8.0%, +48: +2.0%",
                  "`BM_CheckCost_ThreadStack/0` (gscc: plugin + gscc's flags; thread stack"))
    if not re.search(r"^\| fib\(27\) \| 112 \(113, 114\) \| 100 \(101, 102\) \| 1\.120x "
                     r"\[1\.098, 1\.140\] \|.*\| 1\.015x \[0\.995, 1\.035\] \|$", text, re.M):
        failures.append("no row for fib in the table of placements")
    expect("prologue check cost, tree walk", r"^\*\*insane measurement\*\*",
           r"^-43\.6% \[-44\.3%, -41\.0%\] \(medians: -42\.5%\)$")
    expect("contiguous hot split vs floor", r"^\*\*no\*\*", r"\[")
    expect("segmented hot split vs libgcc", r"^\*\*no\*\*", r"vs 12\.1 ns")
    expect("clock_gettime hot split (128-byte frame)", r"^\*\*no\*\*", r"^1\.500x \[")
    expect("grow-then-shrink cycle", r"^yes, range crosses", r"^1\.500x \[1\.154, 3\.100\] "
           r"\(medians: 2\.500x\)$")
    expect("real programs, lua:", r"^yes$", r"^1\.020x$")
    expect("real programs, Lua: contiguous mode at 2k, 4k and 8k", r"^\*\*no\*\*$", r"^1\.023x$")
    expect("real programs, sqlite:", r"^\*\*insane measurement\*\*")
    expect("real programs, jq:", r"^\*\*no\*\*", r"^1\.100x$")
    d2 = expect("contiguous (2k, default)", r"^\*\*no\*\*$", r"^100\.00 %")
    if d2 and "moves = 0 in jq.jq.test" not in d2:
        failures.append("the 2k pins goal does not name the case without moves: " + d2)
    expect("contiguous, 4k initial", r"^\*\*no\*\*$", r"^100\.00 %")
    expect("system-stack trampoline vs a direct call", r"^\*\*no\*\*$", r"^\+1\.40 ns$",
           what="unpaired trampoline goal",
           parts=("unpaired, the fastest repetitions: `BM_CallCost/0/0`", "where it goes (protocol.md 4.2)"))
    d3 = expect("one-way switch vs Boost.Context fcontext", r"^\*\*no\*\*",
                r"^8 \(8\.5, 9\) vs 5\.6 \(5\.7, 5\.8\) ns$")
    if d3 and "1.429x [1.379, 1.607] (medians: 1.491x)" not in d3:
        failures.append("the switch goal's ratio is not of the fastest repetitions: " + d3)
    if d3 and "BM_Switch_Bare, no bookkeeping) 5.4 (5.5, 5.6)" not in d3:
        failures.append("the switch goal does not show gs_ctx_switch alone: " + d3)
    if not re.search(r"^\| growstack gs_ctx_switch alone \(no bookkeeping\) \| 5\.4 \(5\.5, 5\.6\)", text, re.M):
        failures.append("no row for gs_ctx_switch alone in the switch table")
    d4 = expect("deep recursion, new coroutine per iteration, contiguous vs Go", r"^\*\*no\*\*$",
                r"^2\.132x \[2\.132, 2\.194\] \(medians: 2\.163x\)$",
                what="deep recursion goal against Go",
                parts=["BM_DeepRecursion_New` 680 (690, 700) ns/frame vs Go "
                       "`BM_DeepRecursion_Cold` 319", "keeps freed stacks resident",
                       "10^5 x 1024 B (over 64 MiB): 24,885 (trimmed 25,409, Go 1,427)",
                       "GS_MMAP_CACHE_BYTES"])
    if d4 and "10^3 x 1024 B" in d4:
        failures.append("10^3 x 1024 B (no page faults with the caches kept) named as faulting: " + d4)
    if not re.search(r"^\| 10\^3 x 1024 B \| new \(caches kept\) \|.*\| 100 \(105, 110\) \| n/a \|"
                     r" n/a \| 115 \|", text, re.M):
        failures.append("no 'new (caches kept)' row for 10^3 x 1024 B in the deep recursion table")
    m = re.search(r"\((\d+)/(\d+) goals met\)", stdout)
    if not m:
        failures.append(f"no goal count in {stdout!r}")
    else:
        met = sum(1 for r in rows.values() if r[2].startswith("yes"))
        # every goal row appears twice (the table and the Real programs section):
        # the count is over the main table, where the yes rows are distinct names.
        if int(m.group(1)) != met:
            failures.append(f"report says {m.group(0)}, the table has {met} goals met")
    # The Real programs section states the method of the JSON it renders.
    for want in ("3 repetitions, each running every build once in a shuffled order (seed 12345;",
                 "after 1 untimed warm-up round of every build",
                 "(1 warm-up + 3 timed rounds)",
                 "The plain build's warm-up run took 1.000x the median of its timed runs (median "
                 "over the 7 cases; from 1.000x, ",
                 "to 1.500x, lua.pcall_deep-2000)"):
        if want not in text:
            failures.append(f"Real programs section: no {want!r}")
    # The splits column says how many splits ran __morestack's C half, where the
    # results have the counter (splits_slow), and nothing where they do not.
    if not re.search(r"^\| \| \| \| segmented \| [^|]* \| [^|]* \| 1,500 \(20 slow\) \|", text, re.M):
        failures.append("sqlite.speedtest1-100, segmented: splits not shown as '1,500 (20 slow)'")
    if not re.search(r"^\| lua\.pcall_deep-2000 \(issue 10\) \|.*\| fixed \| [^|]* \| [^|]* \| 10 \|", text, re.M):
        failures.append("lua.pcall_deep-2000, fixed: splits without the counter not shown as '10'")
    if not re.search(r"^\| \| \| \| contiguous, 8k initial \| 1\.020x \(warm-up failed\) \|", text, re.M):
        failures.append("the failed warm-up of lua.pcall_deep-2000, contiguous-8k, is not marked")
    if not re.search(r"^\| lua\.pcall_deep-2000 \(issue 10\) \| [^|]* \| 1\.000x \(warm-up failed\) \|", text, re.M):
        failures.append("the failed warm-up of lua.pcall_deep-2000, flags-only, is not marked")
    # JSON of run.py before the warm-up and the shuffle: the old method, stated as such.
    sys.path.insert(0, os.path.join(root, "bench"))
    import report_realprog
    # Paired runs: the ratio is of the fastest runs, fixed's (1.02) over the
    # fastest of the plain runs paired with fixed's (2.2 / 1.10, 1.02 / 1.02,
    # 2.04 / 1.04: 1.0), not over the plain build's fastest run overall (0.5,
    # paired with another build), and not a ratio of medians (2.04 over 1.0);
    # the range is the pair ratios'.
    pe = {"cpu_s": {"clang": {"min": 0.5, "median": 1.0, "max": 2.0, "all": [2.0, 1.0, 1.9615, 0.5, 1.0, 2.0]},
                    "fixed": {"min": 1.02, "median": 2.04, "max": 2.2, "all": [2.2, 1.02, 2.04]},
                    "flags": {"min": 0.5, "median": 0.98, "max": 2.04, "all": [0.5, 0.98, 2.04]}},
          "pairs": {"fixed": [1.10, 1.02, 1.04], "flags": [1.0, 0.98, 1.02]}}
    got = report_realprog.cpu_ratio(pe, "fixed")
    if not got or [round(x, 4) for x in got] != [1.02, 1.02, 1.1]:
        failures.append(f"paired cpu_ratio vs plain: {got}, expected (1.02, 1.02, 1.1)")
    # Over flags-only: fixed's fastest over flags-only's (1.02 / 0.5), the range
    # the quotients of the pair ratios (1.10 / 1.0, 1.02 / 0.98, 1.04 / 1.02),
    # widened to hold the ratio.
    got = report_realprog.cpu_ratio(pe, "fixed", "flags")
    if not got or [round(x, 4) for x in got] != [2.04, round(1.04 / 1.02, 4), 2.04]:
        failures.append(f"paired cpu_ratio vs flags-only: {got}")
    old = report_realprog.method({"reps": 3, "configs": configs, "cases": {}})
    if "fixed order, plain clang-19 first (no warm-up run" not in old:
        failures.append(f"old realprog.json: method stated as {old!r}")
    # Results without BM_DeepRecursion_New (an older gs_bench): the row against Go
    # is not measured, not the trimmed Cold against Go's Cold.
    cp = os.path.join(res, "growstack-contiguous.json")
    write(cp, [b for b in contig + common if not b["name"].startswith("BM_DeepRecursion_New")])
    r = report(os.path.join(work, "doc-old"))
    if r is None:
        return 1
    d5 = expect("deep recursion, new coroutine per iteration, contiguous vs Go",
                r"^\*\*no\*\* \(not measured\)$", r"^n/a$", rows=r[2])
    if d5 and "not in these results" not in d5:
        failures.append("without New the row against Go does not say it is missing: " + d5)
    # Paired results (gs_bench.cc time_paired): the check-cost and switch goals
    # take the median of the repetitions' ratios, with their range, over the
    # unpaired fastest repetitions (fib's +1.5 % above, the switch's 1.429x).
    paired = [
        *bench("BM_Paired_CheckCost/0", 3, ratio=[1.05, 1.01, 1.02],
               a_ns_per_call=[105, 101, 102], b_ns_per_call=[100, 100, 100]),
        *bench("BM_Paired_Switch", 3, ratio=[0.9, 1.1, 0.95], a_ns=[5.1, 6.0, 5.3],
               b_ns=[5.6, 5.5, 5.6]),
        # the trampoline: per repetition +0.4, +0.3, +0.7 ns: median +0.40, met, range crosses
        *bench("BM_Paired_Trampoline", 3, ratio=[1.36, 1.27, 1.7], a_ns_per_call=[1.5, 1.4, 1.7],
               b_ns_per_call=[1.1, 1.1, 1.0]),
        # the hot split at two positions: the worst by median (1.08x at 16) is the
        # goal's figure, although position 0 has the largest single ratio.
        *bench("BM_Paired_HotSplit/128/0", 3, ratio=[1.02, 1.13, 1.01],
               a_ns_per_call=[8.1, 9.0, 8.1], b_ns_per_call=[8.0, 8.0, 8.0]),
        *bench("BM_Paired_HotSplit/128/16", 3, ratio=[1.12, 1.08, 1.05],
               a_ns_per_call=[9.0, 8.6, 8.4], b_ns_per_call=[8.0, 8.0, 8.0]),
        # the clock_gettime pattern at two positions: the worst by median (1.05x at
        # 16) decides, not position 0's single 1.30x; the unpaired 1.5x (the
        # modes' processes) is only in the detail.
        *bench("BM_Paired_HotClock/128/0", 3, ratio=[1.30, 1.02, 1.01],
               a_ns_per_call=[1.3, 1.02, 1.01], b_ns_per_call=[1.0, 1.0, 1.0], moves=1,
               sp_low=3856),
        *bench("BM_Paired_HotClock/128/16", 3, ratio=[1.04, 1.05, 1.06],
               a_ns_per_call=[1.04, 1.05, 1.06], b_ns_per_call=[1.0, 1.0, 1.0], moves=0,
               sp_low=3840),
        # warm recursion at one point: 1.20x paired, where the unpaired figure is absent
        *bench("BM_DeepRecursion_Warm/1000/1024", 3, ns_per_frame=[5.0, 5.1, 5.2]),
        *bench("BM_DeepRecursion_FloorWarm/1000/1024", 3, ns_per_frame=[2.0, 2.0, 2.1]),
        *bench("BM_Paired_Warm/1000/1024", 3, ratio=[1.25, 1.20, 1.15], moves=0,
               a_ns_per_frame=[3.0, 3.1, 3.2], b_ns_per_frame=[2.5, 2.6, 2.6]),
    ]
    write(cp, contig + common + paired)
    r = report(os.path.join(work, "doc-paired"))
    if r is None:
        return 1
    expect("prologue check cost, fib(27)", r"^yes, range crosses the target$",
           r"^\+2\.0% \[\+1\.0%, \+5\.0%\]$", rows=r[2], what="paired fib check cost",
           parts=("paired: `BM_Paired_CheckCost/0`", "per call 102 [101, 105] vs 100 [100, 100] ns",
                  "(`BM_CheckPlaced/0/N/0` vs `/2`): +1.5% [-0.5%, +3.5%]"))
    # the tree walk has no paired result: still the unpaired (insane) figure
    expect("prologue check cost, tree walk", r"^\*\*insane measurement\*\*", rows=r[2])
    expect("contiguous hot split vs floor", r"^yes, range crosses the target$",
           r"^1\.080x \[1\.050, 1\.120\]$", rows=r[2], what="paired hot split",
           parts=("worst of 2 positions", "`BM_Paired_HotSplit/128/16` 8.6 [8.4, 9] vs 8 [8, 8]",
                  "Unpaired, the worst position's fastest repetition over the floor's: 1.125x"))
    expect("clock_gettime hot split (128-byte frame)", r"^yes$", r"^1\.050x \[1\.040, 1\.060\]$",
           rows=r[2], what="paired clock_gettime hot split",
           parts=("worst of 2 positions", "`BM_Paired_HotClock/128/16` 1.05 [1.04, 1.06] vs 1 [1, 1]",
                  "moves per run 0",
                  "Unpaired, the worst position of contiguous mode's process over fixed mode's: "
                  "`BM_HotSplitClock/128/0` 3 (3.1, 3.2) vs `BM_HotSplitClock/128/16` 2 (2, 2.1) "
                  "ns/call (thread CPU time): 1.500x"))
    d9 = expect("deep recursion, warm, contiguous, worst of 1", r"^\*\*no\*\*$",
                r"^1\.200x \[1\.150, 1\.250\]$", rows=r[2])
    if d9 and "Unpaired (fastest over fastest): 2.500x [2.381, 2.600]" not in d9:
        failures.append("the paired warm recursion does not show the unpaired figure: " + d9)
    d7 = expect("one-way switch vs Boost.Context fcontext", r"^yes, range crosses the target$",
                r"^5\.3 \[5\.1, 6\] vs 5\.6 \[5\.5, 5\.6\] ns \(0\.950x \[0\.900, 1\.100\]\)$",
                rows=r[2])
    if d7 and "1.429x [1.379, 1.607] (medians: 1.491x)" not in d7:
        failures.append("the paired switch goal does not show the unpaired ratio: " + d7)
    expect("system-stack trampoline vs a direct call", r"^yes, range crosses the target$",
           r"^\+0\.40 ns \[\+0\.30, \+0\.70\]$", rows=r[2], what="paired trampoline goal",
           parts=("paired: `BM_Paired_Trampoline`", "1.5 [1.4, 1.7] vs 1.1 [1, 1.1] ns/call",
                  "Unpaired: `BM_CallCost/0/0` (gscc's loop on a coroutine) 2.5 (2.6, 2.7)"))
    for f in failures:
        print("FAIL:", f)
    print(f"{len(rows)} goal rows checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

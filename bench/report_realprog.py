"""The "Real programs" part of docs/bench/REPORT.md (used by bench/report.py).

Input: realprog.json in the results directory, written by
`tests/realprog/run.py --bench N` (bench/run.sh calls it): for each case of the
bench set, the CPU time (user + sys) of every repetition of the plain clang-19
build, the flags-only build (plain clang-19 with gscc's extra flags) and the gscc
build in each mode, each repetition running them in a shuffled order (seed and
orders in the JSON) after an untimed warm-up round of every build, each build
next to a plain run of its own (pairs: one ratio per repetition; older JSON
has none and is rendered by the ratio of the medians), and
growstack's counters of every gscc run (median and [min, max]). JSON of an older
run.py (no "warmup"/"seed": no warm-up, plain first in every repetition) is
rendered with that method stated.

Goals stated here, each met or not from the measurement:
  - issue 13: the gscc build within 1.03x of plain clang-19 in CPU time, every
    mode (one row per program: its worst case and mode);
  - issue 13: Lua in contiguous mode at 2k, 4k and 8k initial within 2 % of
    each other (per case, the largest ratio to plain over the smallest);
  - issue 10: pins / (moves + pins) <= 1 % and moves > 0 in contiguous mode at
    the default (2k) and at 4k initial, on the cases issue 10 names.
"""
import json
import os
import statistics

MODE_LABEL = {"fixed": "fixed", "segmented-2k": "segmented", "contiguous-2k": "contiguous (2k, default)",
              "contiguous-4k": "contiguous, 4k initial", "contiguous-8k": "contiguous, 8k initial"}

# Issue 13: Lua's CPU time in contiguous mode at these initial sizes within this
# factor of each other (the largest over the smallest, per case).
INITIAL_SIZES = ("contiguous-2k", "contiguous-4k", "contiguous-8k")
INITIAL_SPREAD = 1.02

# Issue 10's cases (its "Done when"): speedtest1, fuzzcheck, jq's tests and a
# deep jq query, and the Lua scripts that use the C stack. Matched as case-id
# prefixes; the other cases are reported, not judged.
ISSUE10_CASES = ("sqlite.speedtest1", "sqlite.fuzzcheck", "jq.jq.test", "jq.deep-equal",
                 "lua.pcall_deep", "lua.gsub_callback", "lua.load_nested")

# As in bench/report.py: a cost that comes out negative by more than this in
# every repetition is a broken measurement, not a speed-up.
NOISE = 0.01


def load(results_dir):
    """realprog.json, with icount.json (tests/realprog/icount.py: instruction
    counts under callgrind) under the key "icount" when the run wrote it."""
    path = os.path.join(results_dir, "realprog.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        data = json.load(f)
    ipath = os.path.join(results_dir, "icount.json")
    if os.path.exists(ipath):
        with open(ipath) as f:
            data["icount"] = json.load(f)
    return data


def _sized_cases(ic):
    """The callgrind cases counted at all of INITIAL_SIZES (icount.py runs Lua's
    so), without problems."""
    return [c for c in (ic or {}).get("cases", [])
            if not c["problems"] and all(m in c["ir"] for m in INITIAL_SIZES)]


def _icount_sizes(data):
    """The instruction counts of Lua's cases at the initial sizes of its goal:
    the largest count over the smallest, worst case, as text for the goal row,
    or ""."""
    worst = None
    for c in _sized_cases(data.get("icount")):
        ir = c["ir"]
        if c["program"] != "lua":
            continue
        r = max(ir[m] for m in INITIAL_SIZES) / min(ir[m] for m in INITIAL_SIZES)
        if worst is None or r > worst[0]:
            worst = (r, c["case"], ", ".join(f"{_m(ir[m])}" for m in INITIAL_SIZES))
    if worst is None:
        return ""
    return (f"; instructions (callgrind, smaller inputs): the largest count over the smallest "
            f"{worst[0]:.3f}x, worst {worst[1]} (2k, 4k, 8k: {worst[2]}; section Real programs, "
            "Instructions)")


def _icount_of(data, prog):
    """This program's instruction-count summary for its goal row: the largest
    gscc-over-plain ratio over its callgrind cases, or None."""
    worst = None
    for c in (data.get("icount") or {}).get("cases", []):
        if c["program"] != prog or c["problems"]:
            continue
        ir = c["ir"]
        for m in ("fixed", "segmented-2k", "contiguous-2k"):
            if m not in ir:
                continue
            r = ir[m] / ir["plain"]
            if worst is None or r > worst[0]:
                worst = (r, c["case"], MODE_LABEL.get(m, m))
    if worst is None:
        return ""
    return (f"; instructions (callgrind, smaller inputs): at most {100 * (worst[0] - 1):+.1f} % over "
            f"plain ({worst[1]}, {worst[2]}; section Real programs, Instructions)")


def _med(entry, name):
    c = entry["cpu_s"].get(name)
    return c["median"] if c else None


def _pair_ratios(entry, name):
    """The ratios of name's paired runs over their plain runs (run.py's paired
    mode), one per repetition (None where a run failed), or None without pairs."""
    ps = entry.get("pairs")
    return ps.get(name) if ps else None


def _runs(entry, name):
    c = entry["cpu_s"].get(name)
    return [t for t in c.get("all", []) if t is not None] if c else []


def _paired_plain(entry, name):
    """The plain runs paired with name's runs (run.py's paired mode), one per
    pair where both ran: each is name's run over the pair's ratio."""
    c = entry["cpu_s"].get(name)
    pa = _pair_ratios(entry, name)
    if not c or pa is None:
        return []
    return [t / r for t, r in zip(c.get("all", []), pa) if t is not None and r]


def cpu_ratio(entry, name, base="clang"):
    """(ratio, min, max) of name's CPU time over base's, or None if either is
    missing.

    The ratio is of the *fastest* runs: name's fastest run over base's fastest,
    and over plain, over the fastest of the plain runs paired with name's (as
    many as name's, so that neither side has more chances at a fast run). On
    this VM a run is only ever slowed down, never sped up: its neighbours' load
    (the last-level cache it shares, steps of the host's speed) adds time to
    some runs, in no order. The fastest run is the closest to the program's own
    cost, and the ratio of the fastest runs varies far less from one set of
    runs to the next than a median does (docs/realprog.md section 6: Lua's
    string_build in fixed mode, four sets of 7 pairs: 0.95-1.08 against
    0.99-1.32 for the median of the pair ratios). The range shows the spread:
    [min, max] of the pair ratios (paired runs: each of name's runs over the
    plain run right next to it; over flags-only, the quotients of the two
    builds' pair ratios, repetition by repetition), or, for unpaired runs
    (older JSON), of the per-repetition ratios. The ratio of the fastest runs
    always lies within that range."""
    pa = _pair_ratios(entry, name)
    pb = None if base == "clang" else _pair_ratios(entry, base)
    a = _runs(entry, name)
    b = _paired_plain(entry, name) if base == "clang" and pa is not None else _runs(entry, base)
    if not a or not b or not min(b):
        return None
    r = min(a) / min(b)
    if pa is not None and (base == "clang" or pb is not None):
        qs = ([x for x in pa if x is not None] if base == "clang" else
              [x / y for x, y in zip(pa, pb) if x is not None and y])
    else:
        ca, cb = entry["cpu_s"][name], entry["cpu_s"][base]
        qs = [x / y for x, y in zip(ca.get("all", []), cb.get("all", [])) if x is not None and y]
    if not qs:
        return (r, r, r)
    return (r, min(min(qs), r), max(max(qs), r))


def _x(r):
    if r is None:
        return "n/a"
    if abs(r[2] - r[1]) < 1e-9:
        return f"{r[0]:.3f}x"
    return f"{r[0]:.3f}x [{r[1]:.3f}, {r[2]:.3f}]"


def _pct(v):
    return "-" if v is None else f"{100 * v:.2f} %"


def _count(entry, mode, key, pct=False):
    s = entry.get("stats", {}).get(mode, {})
    v = s.get(key)
    if v is None:
        return "n/a" if key != "pins_ratio" else "-"
    f = _pct if pct else (lambda x: f"{x:,}")
    rng = entry.get("stats_range", {}).get(mode, {}).get(key)
    if rng and rng[0] != rng[1]:
        return f"{f(v)} [{f(rng[0])}, {f(rng[1])}]"
    return f(v)


def _splits(entry, mode):
    """The splits column: the count, and how many of them ran __morestack's C
    half (splits_slow; results of a runtime without that counter show none)."""
    out = _count(entry, mode, "splits")
    s = entry.get("stats", {}).get(mode, {})
    if s.get("splits") and s.get("splits_slow") is not None:
        out += f" ({_count(entry, mode, 'splits_slow')} slow)"
    return out


def _failures(entry, name):
    """" (failed N)" for timed runs of a build that failed, " (warm-up failed)"
    for a failed warm-up run (run.py prints it and goes on; the plain build's stops it)."""
    failed = entry.get("failed", {}).get(name)
    wfailed = entry.get("warmup_failed", {}).get(name)
    return f"{' (failed %d)' % failed if failed else ''}{' (warm-up failed)' if wfailed else ''}"


def _issue10(cid):
    return cid.startswith(ISSUE10_CASES)


def goal_rows(data):
    """The goals of this section: (name, value, target, ok, detail, insane, crosses),
    the tuple bench/report.py's goal table takes."""
    rows = []
    if not data:
        return rows
    programs = []
    for cid in data["cases"]:
        p = cid.split(".")[0]
        if p not in programs:
            programs.append(p)
    for prog in programs:
        worst, at, insane = None, "", []
        for cid, e in data["cases"].items():
            if cid.split(".")[0] != prog:
                continue
            for m in data["configs"]:
                r = cpu_ratio(e, m)
                if r is None:
                    continue
                if r[2] < 1 - NOISE:
                    insane.append(f"{cid} {MODE_LABEL.get(m, m)} {_x(r)}")
                if worst is None or r[0] > worst[0]:
                    worst, at, wcid = r, f"{cid}, {MODE_LABEL.get(m, m)}", cid
        ok = None if worst is None else worst[0] <= 1.03
        crosses = worst is not None and ok and worst[2] > 1.03
        rows.append((f"real programs, {prog}: gscc CPU time vs plain clang-19, worst case and mode",
                     _x(worst), "within 1.03x", ok,
                     f"{at} (" + (f"the fastest of {_reps(data, wcid)} runs over the fastest of the "
                                  "plain runs paired with them, each right next to one, and the "
                                  "range of the pair ratios"
                                  if data.get("paired") else
                                  f"the fastest of {_reps(data, wcid)} runs over the plain build's "
                                  "fastest, range over runs paired with the plain build's")
                     + "; section Real programs)" + _icount_of(data, prog)
                     + ("" if ok else "; where the instructions go (the trampoline, checks, "
                        "side frames): docs/realprog.md section 7"),
                     ("faster than plain clang-19 in every repetition, which instrumentation cannot "
                      "make it: " + "; ".join(insane) + " (check that the builds differ only in "
                      "the compiler)") if insane else None,
                     crosses))
    spread = None
    for cid, e in data["cases"].items():
        if cid.split(".")[0] != "lua":
            continue
        if e.get("pairs"):
            rs = [(cpu_ratio(e, m), m) for m in INITIAL_SIZES]
            meds = [(r[0] if r else None, m) for r, m in rs]
            unit = "x of plain"
        else:
            meds = [(min(_runs(e, m)) if _runs(e, m) else None, m) for m in INITIAL_SIZES]
            unit = " s"
        if any(v is None for v, _ in meds):
            continue
        hi, lo = max(meds), min(meds)
        r = hi[0] / lo[0]
        if spread is None or r > spread[0]:
            spread = (r, f"{cid}: {MODE_LABEL[hi[1]]} {hi[0]:.3f}{unit} vs {MODE_LABEL[lo[1]]} "
                         f"{lo[0]:.3f}{unit}", cid)
    if any(m in data["configs"] for m in INITIAL_SIZES[2:]):
        rows.append(("real programs, Lua: contiguous mode at 2k, 4k and 8k initial, largest "
                     "fastest-run CPU time (ratio to plain, when paired) over smallest, worst case",
                     "n/a" if spread is None else f"{spread[0]:.3f}x", f"within {INITIAL_SPREAD}x",
                     None if spread is None else spread[0] <= INITIAL_SPREAD,
                     ("no Lua case ran at all three sizes" if spread is None else spread[1])
                     + ("" if spread is None else
                        f" (each the fastest of {_reps(data, spread[2])} runs over the fastest of "
                        "the plain runs paired with them)" if data.get("paired")
                        else f" (the fastest of {_reps(data, spread[2])} runs each)")
                     + _icount_sizes(data), None, False))
    for m in ("contiguous-2k", "contiguous-4k"):
        worst, at, no_moves, judged, missing = None, "", [], 0, []
        for cid, e in data["cases"].items():
            if not _issue10(cid):
                continue
            s = e.get("stats", {}).get(m)
            if not s:
                missing.append(cid)
                continue
            judged += 1
            if not s.get("moves"):
                no_moves.append(f"{cid} (splits {s.get('splits', 0):,}, pins {s.get('pins', 0):,})")
            rng = e.get("stats_range", {}).get(m, {}).get("pins_ratio")
            r = rng[1] if rng else s.get("pins_ratio")  # the worst run counts
            if r is not None and (worst is None or r > worst):
                worst, at = r, cid
        not_run = [c for c in ISSUE10_CASES if not any(cid.startswith(c) for cid in data["cases"])]
        ok = None if not judged or not_run else \
            (worst is None or worst <= 0.01) and not no_moves and not missing
        detail = f"worst {at}" if at else "no pin in any case"
        if not_run:
            detail = (f"not judged: {len(not_run)} of the {len(ISSUE10_CASES)} cases of issue 10 were "
                      f"not in this run ({', '.join(not_run)}); on the {judged} that were: " + detail)
        if no_moves:
            detail += "; moves = 0 in " + ", ".join(no_moves)
        if missing:
            detail += "; no statistics for " + ", ".join(missing)
        rows.append((f"real programs: pins / (moves + pins) and moves, {MODE_LABEL[m]}, "
                     "the cases of issue 10",
                     _pct(worst) if worst is not None else "0 pins", "<= 1 % and moves > 0 in every case",
                     ok, detail + " (largest ratio over the repetitions)", None, False))
    return rows


def goals(data, goal):
    """Add this section's goals to bench/report.py's goal table."""
    for name, value, target, ok, detail, insane, crosses in goal_rows(data):
        goal(name, value, target, ok, detail, insane=insane, crosses=crosses)


def _reps(data, cid):
    """The timed repetitions case cid had (run.py --budget gives short cases more)."""
    return data["cases"].get(cid, {}).get("reps", data["reps"])


def _reps_range(data):
    """The cases' repetitions: one number, or the fewest-most when --budget varied them."""
    rs = [_reps(data, cid) for cid in data["cases"]] or [data["reps"]]
    return str(min(rs)) if min(rs) == max(rs) else f"{min(rs)}-{max(rs)}"


def _budget_text(data):
    """What run.py --budget added to the repetitions, as the method states it."""
    if not data.get("budget_s"):
        return ""
    return (f"; a case whose timed rounds had taken less than {data['budget_s']:g} s of wall "
            f"time ran more, up to {data['max_reps']} (`run.py --budget {data['budget_s']:g} "
            f"--max-reps {data['max_reps']}`: a run falls on one of this VM's two speeds, and "
            f"short cases get more chances at the fast one), here {_reps_range(data)} per case")


def method(data):
    """How the timed runs were made, as the section states it."""
    reps, warm = data["reps"], data.get("warmup")
    if warm is None:  # run.py before the warm-up and the shuffle
        return (f"{reps} repetitions, each running every build once in a fixed order, plain "
                "clang-19 first (no warm-up run: the first run of each case was the plain "
                "build's)")
    w = (f"after {warm} untimed warm-up round{'s' if warm != 1 else ''} of every build "
         "(discarded: the first run of a case pays for whatever is cold)" if warm
         else "no warm-up run")
    if data.get("paired"):
        return (f"{reps} repetitions, each running every build in a shuffled order, each next to a "
                f"plain clang-19 run of its own, in a random order within the pair (seed "
                f"{data.get('seed')}; `run.py --bench --seed` repeats it), {w}{_budget_text(data)}")
    return (f"{reps} repetitions, each running every build once in a shuffled order (seed "
            f"{data.get('seed')}; `run.py --bench --seed` repeats it), {w}{_budget_text(data)}")


def warmup_note(data):
    """The plain build's warm-up CPU time over the median of its timed runs, per
    case: whether the first run of a case is slower (None without warm-up data)."""
    rs = []
    for cid, e in data["cases"].items():
        ws = [x for x in e.get("warmup_cpu_s", {}).get("clang", []) if x is not None]
        m = _med(e, "clang")
        if ws and m:
            rs.append((ws[0] / m, cid))
    if not rs:
        return None
    rs.sort()
    if len(rs) == 1:
        return (f"The plain build's warm-up run took {rs[0][0]:.3f}x the median of its timed runs "
                f"({rs[0][1]}).")
    mid = rs[len(rs) // 2][0] if len(rs) % 2 else (rs[len(rs) // 2 - 1][0] + rs[len(rs) // 2][0]) / 2
    return (f"The plain build's warm-up run took {mid:.3f}x the median of its timed runs (median "
            f"over the {len(rs)} cases; from {rs[0][0]:.3f}x, {rs[0][1]}, to {rs[-1][0]:.3f}x, "
            f"{rs[-1][1]}).")


def section(data, w):
    w("## Real programs")
    w("")
    if not data:
        w("No realprog.json in the results (bench/run.sh writes it with tests/realprog/run.py "
          "--bench; `bench/run.sh ... --no-realprog` leaves it out); see docs/realprog.md.")
        w("")
        return
    w("Programs nobody here wrote, from Debian source packages, built through their own build "
      "systems three times: plain clang-19 -O2 (the reference), the *flags-only* build (plain "
      "clang-19 -O2 with the flags gscc adds besides its plugin: "
      "`-ftrivial-auto-var-init=zero -ftrivial-auto-var-init-max-size=32`) and gscc -O2, run in each "
      "mode. CPU time is user + sys of the process, "
      f"{method(data)}; *CPU vs plain* is the "
      + ("fastest run of the build over the fastest of the plain runs paired with its runs, "
         "with the [min, max] of the pair ratios (each run over the plain run next to it). A run "
         "on this VM is only ever slowed down: its neighbours' load on the cache it shares and "
         "the host's speed steps add time to some runs, in no order (a plain run of one case "
         "took 4.05 s and 5.8 s in the same set), so the fastest run is the closest to the "
         "program's own cost, and the ratio of the fastest runs varies far less from one set "
         "of runs to the next than a median of ratios (docs/realprog.md section 6). "
         if data.get("paired") else
         "the build's fastest run over the plain build's fastest, with [min, max] of the "
         "per-repetition ratios (each gscc run over the plain run of the same repetition). ")
      + "The machine may be shared: other jobs' load shows in the ranges. *vs flags-only* separates the instrumentation's cost "
      "from the flags'. The counters are growstack's statistics of the timed runs "
      "(`GROWSTACK_STATS=1`), median with [min, max] when they vary; pins ratio = pins / "
      "(moves + pins), the share of contiguous growth events that chained a segment because a "
      "live frame was pinned; *slow* splits ran `__morestack`'s C half, the others it repeated "
      "itself (a hot split, about a third of the cost: usage.md, Statistics); peak stack = the largest stack of any coroutine. Cases and "
      "commands: docs/realprog.md (`tests/realprog/run.py --bench`).")
    w("")
    w("### Goals")
    w("")
    w("| goal | measured | target | met | from |")
    w("| --- | --- | --- | --- | --- |")
    for name, value, target, ok, detail, insane, crosses in goal_rows(data):
        met = (f"**insane measurement**: {insane}" if insane else "**no** (not measured)" if ok is None
               else ("yes, range crosses the target" if crosses else "yes") if ok else "**no**")
        w(f"| {name} | {value} | {target} | {met} | {detail} |")
    w("")
    not_run = [c for c in ISSUE10_CASES if not any(cid.startswith(c) for cid in data["cases"])]
    if not_run:
        w(f"Cases of issue 10 not in this run (so not judged): {', '.join(not_run)}.")
        w("")
    w("### Per case and mode")
    w("")
    w("| case | plain CPU s | flags-only vs plain | mode | CPU vs plain | vs flags-only | splits "
      "| moves | pins | pins ratio | bytes copied | peak stack |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for cid, e in data["cases"].items():
        base = e["cpu_s"].get("clang")
        first = True
        for m in data["configs"]:
            if first:
                plain = (f"{base['median']:.3f} [{base['min']:.3f}, {base['max']:.3f}]" if base
                         else "n/a")
                lead = (f"| {cid}{' (issue 10)' if _issue10(cid) else ''} | {plain} | "
                        f"{_x(cpu_ratio(e, 'flags'))}{_failures(e, 'flags')} ")
            else:
                lead = "| | | "
            first = False
            w(lead + f"| {MODE_LABEL.get(m, m)} | {_x(cpu_ratio(e, m))}{_failures(e, m)} "
              f"| {_x(cpu_ratio(e, m, 'flags'))} | {_splits(e, m)} "
              f"| {_count(e, m, 'moves')} | {_count(e, m, 'pins')} | {_count(e, m, 'pins_ratio', True)} "
              f"| {_count(e, m, 'bytes_copied')} | {_count(e, m, 'max_stack_bytes')} |")
    w("")
    walls = [e.get("wall_s") for e in data["cases"].values() if e.get("wall_s") is not None]
    if walls:
        warm = data.get("warmup") or 0
        wwalls = [e.get("warmup_wall_s") or 0 for e in data["cases"].values()]
        w(f"Running these cases took {sum(walls) / 60:.1f} min of wall time ({len(walls)} cases x "
          + (f"({warm} warm-up + {_reps_range(data)} timed rounds)" if warm
             else f"{_reps_range(data)} repetitions")
          + f" x {2 + len(data['configs'])} builds/modes"
          + (", each timed one but plain's next to a plain run of its own" if data.get("paired") else "")
          + f"{f'; the warm-up {sum(wwalls) / 60:.1f} min of it' if warm else ''}), builds not "
          "included.")
        w("")
    note = warmup_note(data)
    if note:
        w(note)
        w("")
    w("Correctness of the same programs in every mode (output equal to the plain build's, forced "
      "moves included) is the CTest label `realprog` and `scripts/realprog.sh`, not this table.")
    w("")
    icount_section(data.get("icount"), w)


def _runs_text(ic):
    n = ic["cases"][0].get("runs", 1) if ic.get("cases") else 1
    return "each build runs once" if n == 1 else f"each build runs {n} times"


def _m(n):
    return f"{n / 1e6:,.1f} M"


def icount_section(ic, w):
    """Instructions executed under callgrind (tests/realprog/icount.py)."""
    w("### Instructions")
    w("")
    if not ic:
        w("No icount.json in the results (bench/run.sh writes it with tests/realprog/icount.py "
          "after the timed runs; it needs valgrind).")
        w("")
        return
    w("Instructions executed, counted by callgrind (" + ic.get("tool", "valgrind") + "), of the "
      "same builds on smaller inputs (callgrind runs 50-100 times slower). A count repeats "
      "when the work does, but Lua seeds its string hashes from the clock and from addresses: "
      + _runs_text(ic) + ", with time() pinned to another second in each run, and the table "
      "shows the median count "
      "(Lua's runs of one build differ by up to 1.5 %, the other programs' by nothing; the "
      "ranges are in icount.json). Not time: a prologue check is two instructions the processor "
      "fuses and predicts, a cache miss is one instruction. Callgrind replaces no C library "
      "function and tracks no memory, so the thunks call malloc & co. directly and "
      "`__morestack` repeats hot splits itself, as in a real run. *fixed over flags-only*: "
      "what gscc's build in fixed mode executes beyond the flags-only build, by where: the "
      "*thunks and trampoline* (calls that leave instrumented code, protocol.md 4: a thunk's "
      "own instructions, 5 to 7 a call, also for the measured C library functions it calls "
      "directly; the system-stack trampoline, about 19 a call; the indirect-call stubs), "
      "growstack's *runtime* (setjmp resyncs, `__morestack`, "
      "side-stack blocks), the *program*'s own functions (prologue checks, side frames, range "
      "tests of indirect calls, zeroed words; *calls* = calls of its functions, each with a "
      "check unless the function has no frame) and the shared *libraries* it calls (the C "
      "library). Reproduce: `tests/realprog/icount.py --builds DIR --src DIR "
      "--work DIR --json FILE` (docs/realprog.md section 7).")
    w("")
    w("| case | plain | flags-only | gscc fixed | gscc segmented (2k) | gscc contiguous (2k) "
      "| fixed over flags-only: "
      "thunks and trampoline, runtime, program, libraries | calls | program functions that "
      "gained most |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for c in ic.get("cases", []):
        ir = c["ir"]
        if c["problems"]:
            w(f"| {c['case']} | {_m(ir['plain'])} | **failed**: {'; '.join(c['problems'])[:200]} "
              "| | | | | | |")
            continue
        pct = {k: f"{_m(v)} ({100 * (v / ir['plain'] - 1):+.1f} %)" for k, v in ir.items()}
        s = c["fixed_over_flags"]
        top = ", ".join(f"{f} +{_m(b - a)}" for f, a, b in c["top_program"][:3] if b > a)
        thunks = ", ".join(f"{f[len('thunk '):]} {_m(d)}" for f, d in c.get("top_thunks", [])[:2]
                           if d >= 50000)
        w(f"| {c['case']} | {_m(ir['plain'])} | {pct['flags']} | {pct['fixed']} "
          f"| {pct.get('segmented-2k', 'n/a')} | {pct['contiguous-2k']} | {_m(s['trampoline'])}"
          + (f" (largest thunks: {thunks})" if thunks else "")
          + f", {_m(s['runtime'])}, {_m(s['program'])}, {_m(s.get('libraries', 0))} "
          f"| {_m(c['program_calls'])} | {top} |")
    w("")
    sizes = _sized_cases(ic)
    if sizes:
        w("Contiguous mode at 2k, 4k and 8k initial (the goal of the three sizes within 2 % of "
          "each other), over plain: "
          + "; ".join(f"{c['case']} " + " / ".join(
              f"{100 * (c['ir'][m] / c['ir']['plain'] - 1):+.1f} %" for m in INITIAL_SIZES)
              for c in sizes) + ".")
        w("")

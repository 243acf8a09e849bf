#!/usr/bin/env python3
"""Turn the benchmark JSON of one bench/run.sh run into docs/bench/REPORT.md.

    report.py --results DIR --out DOCDIR [--command "..."]

DIR holds growstack-{fixed,segmented,contiguous}.json (bench/gs_bench),
anchors/*.json (bench/anchors/run.sh) and, when bench/run.sh ran with --echo,
echo/echo-*.json (bench/echo/run.sh). Every ratio in the report is taken
between two numbers of the same run; each goal names both, and is met only
when its ratio meets the target and the measurement is sane (a cost that
comes out negative beyond noise is flagged "insane measurement", never
counted). A time is judged by its fastest repetition, on both sides of a
ratio; every figure carries its median and slowest repetition, every ratio its
range over the repetitions and the ratio of the medians (docs/bench/method.md).
Where gs_bench times the two sides of a goal in alternation within every
iteration (BM_Paired_*: the check cost, the switch, the contiguous hot split),
the goal takes the median of the repetitions' paired ratios instead.
"""
import argparse
import datetime
import glob
import json
import os
import platform
import re
import statistics
import subprocess

import report_realprog

MODES = ["fixed", "segmented", "contiguous"]


def key_of(name):
    """BM_X/1000/128/iterations:5/manual_time -> BM_X/1000/128."""
    parts = [p for p in name.split("/") if ":" not in p and p != "manual_time"]
    return "/".join(parts)


# Times, judged by the fastest repetition. On this VM a run is only ever slowed
# down (a neighbour's load on the shared cache, the host's speed steps), never
# sped up, so the fastest repetition is the closest to the code's own cost, and
# a ratio of fastest repetitions varies less from one run of the report to the
# next than a ratio of medians (docs/bench/method.md).
TIME_FIELDS = {"real_time", "cpu_time", "ns_per_call", "ns_per_frame", "ns_per_switch"}


class Results:
    """Benchmarks of one JSON file, keyed by normalized name: every repetition's
    fields; get() gives the figure the report judges by, rng() the spread."""

    def __init__(self, path):
        self.path = path
        self.context = {}
        self.runs = {}
        self.errors = {}
        if not os.path.exists(path):
            return
        with open(path) as f:
            data = json.load(f)
        self.context = data.get("context", {})
        for b in data.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                continue
            k = key_of(b.get("run_name", b["name"]))
            if b.get("error_occurred"):
                self.errors[k] = b.get("error_message", "error")
                continue
            self.runs.setdefault(k, []).append(b)

    def get(self, key, field="real_time"):
        """The figure the report judges by: for a time (TIME_FIELDS) the fastest
        repetition, for anything else (counters) the median."""
        vals = self.vals(key, field)
        if not vals:
            return None
        return min(vals) if field in TIME_FIELDS else statistics.median(vals)

    def median(self, key, field="real_time"):
        vals = self.vals(key, field)
        return statistics.median(vals) if vals else None

    def vals(self, key, field):
        return [r[field] for r in self.runs.get(key, []) if isinstance(r.get(field), (int, float))]

    def rng(self, key, field="real_time"):
        """(min, max) of a field over the repetitions, or None."""
        vals = self.vals(key, field)
        return (min(vals), max(vals)) if vals else None

    def spread(self, key, field):
        vals = self.vals(key, field)
        if len(vals) < 2:
            return ""
        return f"{min(vals):.3g}-{max(vals):.3g}"

    def keys(self, prefix):
        return [k for k in self.runs if k.startswith(prefix)]

    def reps(self):
        n = [len(v) for v in self.runs.values()]
        return max(n) if n else 0


def fmt(v, digits=3):
    if v is None:
        return "n/a"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.{digits}g}"


def cell(res, key, field="real_time"):
    """A figure as the report prints it. A time: the fastest repetition and, when
    there are several, (median, slowest). A counter: the median and [min, max]."""
    v = res.get(key, field)
    if v is None:
        return "n/a"
    r = res.rng(key, field)
    if r and len(res.vals(key, field)) > 1:
        if field in TIME_FIELDS:
            return f"{fmt(v)} ({fmt(res.median(key, field))}, {fmt(r[1])})"
        return f"{fmt(v)} [{fmt(r[0])}, {fmt(r[1])}]"
    return fmt(v)


def ratio_range(ra, ka, fa, rb, kb, fb):
    """a/b of the figures get() judges by (for times: the fastest repetitions)
    with its range over the repetitions and the ratio of the medians:
    (r, lo, hi, med) where lo = min(a) / max(b) and hi = max(a) / min(b)
    (repetitions of the two are not paired: they are interleaved at random).
    None if either is missing."""
    a, b = ra.get(ka, fa), rb.get(kb, fb)
    if a is None or not b:
        return None
    a0, a1 = ra.rng(ka, fa) or (a, a)
    b0, b1 = rb.rng(kb, fb) or (b, b)
    ma, mb = ra.median(ka, fa), rb.median(kb, fb)
    return (a / b, a0 / b1 if b1 else None, a1 / b0 if b0 else None,
            ma / mb if ma is not None and mb else None)


PLACED_PADS = (0, 16, 32, 48)


def placed_ratio(res, kern, field="cpu_time"):
    """BM_CheckPlaced (gs_bench.cc): the gscc kernel over the flags-only one, each
    summed over its four placements (bench/workloads/check_placed.c), so the
    ratio is the check's cost at an average placement. As ratio_range: (r, lo,
    hi, med) with r the sums of the fastest repetitions, lo = sum of the fastest
    over sum of the slowest, hi the other way round, med the sums of the medians;
    and the per-placement ratios of the fastest. None if any is missing."""
    def sums(variant):
        keys = [f"BM_CheckPlaced/{kern}/{pad}/{variant}" for pad in PLACED_PADS]
        best = [res.get(k, field) for k in keys]
        rng = [res.rng(k, field) for k in keys]
        med = [res.median(k, field) for k in keys]
        if any(v is None for v in best + med) or any(r is None for r in rng):
            return None
        return best, sum(best), sum(r[0] for r in rng), sum(r[1] for r in rng), sum(med)
    a, b = sums(0), sums(2)
    if a is None or b is None or not b[1]:
        return None
    per = [x / y for x, y in zip(a[0], b[0])]
    return (a[1] / b[1], a[2] / b[3], a[3] / b[2], a[4] / b[4]), per


def paired_ratio(res, key):
    """A paired benchmark's ratio (gs_bench.cc time_paired: the two sides in
    alternation within every iteration, counter `ratio` = a over b of the
    repetition): (median, lo, hi, median) over the repetitions, lo and hi the
    smallest and largest repetition's ratio, in the tuple of ratio_range.
    None if it was not run."""
    vals = res.vals(key, "ratio")
    if not vals:
        return None
    m = statistics.median(vals)
    return (m, min(vals), max(vals), m)


def fmt_rr(r, unit="x", medians=False):
    """r [lo, hi]; with medians=True also the ratio of the medians, when it differs."""
    if r is None:
        return "n/a"
    if r[1] is None or r[2] is None or abs(r[2] - r[1]) < 1e-9:
        return f"{r[0]:.3f}{unit}"
    s = f"{r[0]:.3f}{unit} [{r[1]:.3f}, {r[2]:.3f}]"
    if medians and len(r) > 3 and r[3] is not None and abs(r[3] - r[0]) > 5e-4:
        s += f" (medians: {r[3]:.3f}{unit})"
    return s


def fmt_pct(r, medians=False):
    if r is None:
        return "n/a"
    p = [f"{(x - 1) * 100:+.1f}%" if x is not None else "n/a" for x in r]
    if r[1] == r[2]:
        return p[0]
    s = f"{p[0]} [{p[1]}, {p[2]}]"
    if medians and len(r) > 3 and r[3] is not None and abs(r[3] - r[0]) > 5e-4:
        s += f" (medians: {p[3]})"
    return s


# A cost that comes out negative by more than this in every pairing of
# repetitions is not a cost: the measurement is broken (load, a wrong floor).
NOISE = 0.01


def faster_than_floor(r, what):
    """The sanity check of a cost ratio (measured / floor, >= 1 by construction):
    a reason to flag it, or None."""
    if r is not None and r[2] is not None and r[2] < 1 - NOISE:
        return (f"{what} comes out faster than its floor in every pairing of repetitions "
                f"({fmt_rr(r)}): that is not a negative cost but a broken measurement (load, "
                "placement) or builds that differ in more than this row claims")
    return None


def pow10(d):
    """1000 -> 10^3 (depths of the recursion grid are powers of ten)."""
    return f"10^{len(str(d)) - 1}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def thp_setting():
    """The kernel's transparent-huge-page mode (the bracketed word), or 'n/a'."""
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            text = f.read()
    except OSError:
        return "n/a (no /sys/kernel/mm/transparent_hugepage)"
    m = re.search(r"\[(\w+)\]", text)
    return m.group(1) if m else text.strip()


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.splitlines()[0]
    except Exception:  # the report still renders without it
        return "unknown"


ECHO_SERVERS = [("epoll", "epoll state machine (C, one thread, edge-triggered)"),
                ("go", "Go 1.19, goroutine per connection"),
                ("threads", "thread per connection (C, 64 KiB stacks)"),
                ("example-threads", "examples/echo_server.c, thread build")] + [
                (f"growstack-{m}", f"growstack {m}: examples/echo_server.c built by gscc "
                 "(transparent mode, one thread)") for m in MODES]
ECHO_GROWSTACK = [f"growstack-{m}" for m in MODES]


def echo_section(w, results):
    """The echo-server benchmark (docs/bench/echo.md): every server's figures as measured,
    then issue 15's goals checked for growstack's modes against the Go and epoll anchors
    at the same connection count."""
    d = os.path.join(results, "echo")
    runs, ctx = [], {}
    for p in sorted(glob.glob(os.path.join(d, "echo-*.json"))):
        try:
            with open(p) as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            runs.append({"server": os.path.basename(p), "skipped": f"unreadable JSON: {e}"})
            continue
        if os.path.basename(p) == "echo-context.json":
            ctx = data
        else:
            runs.append(data)
    w("## Echo server")
    w("")
    w("A loopback echo server holding N concurrent connections (docs/bench/echo.md): "
      "`bench/echo/echo_load` connects them all (each does one checked round trip), "
      "samples the server's resident memory while they sit idle, then drives a "
      "request/response loop of 64-byte messages on the *active* ones (every echoed "
      "byte is checked). Bytes per connection = (server VmRSS with N idle connections "
      "- VmRSS before the first) / N; kernel memory (socket buffers, a thread's kernel "
      "stack) is not in it: the kernel-stack column is /proc/meminfo's KernelStack growth "
      "over the same interval, machine-wide (noisy when others run). The generator runs on the same 2-core machine and competes "
      "with the server for CPU"
      + (" (here: server pinned to CPU 1, generator to CPU 0)" if ctx.get("pinned") else "")
      + ", so requests/s is a figure of this machine under this load; server CPU per "
      "request is steadier.")
    w("")
    if not runs:
        w("Not run for this report: `bench/run.sh BUILD OUT --echo` (or "
          "`scripts/report.sh --echo`) runs it.")
        w("")
    else:
        if ctx:
            w(f"Run {ctx.get('date', '?')}, load average before {ctx.get('load_before', '?')}; "
              f"RLIMIT_NOFILE {ctx.get('nofile', '?')}, pid_max {ctx.get('pid_max', '?')}, "
              f"vm.max_map_count {ctx.get('max_map_count', '?')}, ports "
              f"{ctx.get('port_range', '?')}.")
            if ctx.get("nofile_note"):
                w("")
                w(f"**Limit:** {ctx['nofile_note']}.")
            w("")
        w("| server | connections | active | requests/s | server CPU us/request | "
          "latency p50 / p99 / p99.9 (us) | bytes per idle connection | kernel stack bytes per "
          "connection (system-wide) | errors | note |")
        w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        order = {name: i for i, (name, _) in enumerate(ECHO_SERVERS)}
        anchors = list(runs)

        def num(v):
            try:
                return int(v)
            except (TypeError, ValueError):
                return 0
        anchors.sort(key=lambda r: (order.get(r.get("server"), 99), num(r.get("requested", r.get("conns_requested")))))
        labels = dict(ECHO_SERVERS)
        for r in anchors:
            name = labels.get(r.get("server"), r.get("server", "?"))
            if r.get("skipped"):
                w(f"| {name} | {r.get('conns_requested', '?')} | | | | | | | | not run: {r['skipped']} |")
                continue
            lat = " / ".join(fmt(r.get(k)) for k in ("latency_us_p50", "latency_us_p99", "latency_us_p999"))
            note = r.get("note", "") or r.get("limit_error", "")
            if r.get("errors"):
                note = (note + "; " if note else "") + f"first error: {r.get('first_error', '')}"
            w(f"| {name} | {fmt(r.get('conns_established'))} | {fmt(r.get('active'))} | "
              f"{fmt(r.get('requests_per_sec'))} | {fmt(r.get('server_cpu_us_per_request'))} | "
              f"{lat} | {fmt(r.get('rss_bytes_per_conn'))} | "
              f"{fmt(r.get('kernel_stack_bytes_per_conn_system'))} | {fmt(r.get('errors'))} | {note} |")
        w("")
    # Issue 15's goals, per growstack mode and count, against the anchors of the same count.
    def measured(r):
        return r and not r.get("skipped") and r.get("requests_per_sec") is not None

    by = {(r.get("server"), r.get("conns_established")): r for r in runs if measured(r)}
    rows = sorted({(s, c) for (s, c) in by if s in ECHO_GROWSTACK}, key=lambda k: (str(k[0]), int(k[1] or 0)))
    w("Goals of issue 15 (growth modes): bytes per idle connection at or below Go's; "
      "requests/s at or above Go's and within 1.3x of the epoll state machine, each against "
      "the anchor run with the same number of connections.")
    w("")
    if not rows:
        w("No growstack run to check.")
        w("")
        return
    w("| growstack mode | connections | bytes/conn (Go) | requests/s (Go, epoll) | "
      "memory goal | throughput goals |")
    w("| --- | --- | --- | --- | --- | --- |")
    for s, c in rows:
        r, go, ep = by[(s, c)], by.get(("go", c)), by.get(("epoll", c))
        mem = rps = "no anchor at this count"
        if go:
            mem = "met" if r["rss_bytes_per_conn"] <= go["rss_bytes_per_conn"] else "not met"
        if go and ep:
            g1 = r["requests_per_sec"] >= go["requests_per_sec"]
            g2 = r["requests_per_sec"] * 1.3 >= ep["requests_per_sec"]
            rps = f"vs Go {'met' if g1 else 'not met'}; within 1.3x of epoll {'met' if g2 else 'not met'}"
        mode = s[len('growstack-'):] + (" (the baseline, not a growth mode)" if s == "growstack-fixed" else "")
        w(f"| {mode} | {fmt(c)} | {fmt(r.get('rss_bytes_per_conn'))} "
          f"({fmt(go.get('rss_bytes_per_conn')) if go else '-'}) | {fmt(r.get('requests_per_sec'))} "
          f"({fmt(go.get('requests_per_sec')) if go else '-'}, {fmt(ep.get('requests_per_sec')) if ep else '-'}) "
          f"| {mem} | {rps} |")
    w("")
    w("Requests/s on this shared 2-core machine moves between runs (docs/bench/echo.md, "
      "Caveats); server CPU per request in the table above is the steadier comparison.")
    w("")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--command", default="bench/run.sh build results")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    gs = {m: Results(os.path.join(args.results, f"growstack-{m}.json")) for m in MODES}
    anc = {os.path.splitext(os.path.basename(p))[0]: Results(p)
           for p in glob.glob(os.path.join(args.results, "anchors", "*.json"))}
    A = lambda name: anc.get(name, Results(""))
    contig, seg, fixed = gs["contiguous"], gs["segmented"], gs["fixed"]
    ctx = contig.context or seg.context

    lines = []
    w = lines.append
    w("# growstack benchmark report")
    w("")
    w(f"Generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC} by "
      f"`bench/report.py` from `{args.command}`.")
    w("")
    w("## Machine and tools")
    w("")
    w(f"- host: {ctx.get('host_name', platform.node())}, {ctx.get('num_cpus', os.cpu_count())} CPUs "
      f"at {ctx.get('mhz_per_cpu', '?')} MHz, load average at start {ctx.get('load_avg', '?')}")
    w(f"- kernel: {platform.release()}, transparent huge pages: {thp_setting()}; "
      f"{tool_version(['clang-19', '--version'])}; "
      f"{tool_version(['gcc-12', '--version'])}; {tool_version(['/usr/lib/go-1.19/bin/go', 'version'])}")
    w(f"- repetitions per benchmark: {max((r.reps() for r in gs.values()), default=0)} "
      "(a time is its fastest repetition, then (median, slowest); a counter its median [min, "
      "max]; docs/bench/method.md says why; the "
      "repetitions of all benchmarks are interleaved in random order, "
      "`--benchmark_enable_random_interleaving`, so that a burst of load from elsewhere does not "
      "fall on one side of a comparison)")
    w("- every ratio compares two numbers measured in this same run; the floor is the same "
      "source built by plain clang-19 (no plugin) on an ordinary thread stack (the "
      "deep-recursion floors: on a stack of the size it needs with growstack's page policy, "
      "freshly mapped for the cold one, section Deep recursion)")
    pf = A("pthread").get("BM_MachineCost_PageFault/16384", "ns_per_page")
    sc = A("pthread").get("BM_MachineCost_Syscall", "ns_per_syscall")
    if pf:
        w(f"- machine costs in this run: first touch of a page {fmt(pf)} ns, a system call "
          f"{fmt(sc)} ns (they dominate every *cold* figure)")
    w("")

    # ---- goals -------------------------------------------------------------
    # Each goal: the figure with its range over repetitions, the target, and
    # whether it is met. "met" needs a sane measurement: a cost ratio whose
    # whole range lies below 1 (the instrumented code faster than its floor)
    # is flagged and never counted (faster_than_floor).
    goals = []

    def goal(name, value, target, ok, detail, insane=None, crosses=False):
        goals.append((name, value, target, ok, detail, insane, crosses))

    def within(r, limit):
        """ok, and whether the range crosses the limit, of a ratio range r."""
        if r is None:
            return None, False
        return r[0] <= limit, r[2] is not None and r[1] is not None and r[1] <= limit < r[2]

    def paired_goal(name, limit, prefix, detail, r, unpaired, what):
        """A goal over a sweep of positions: decided by the worst position's
        median ratio of the paired benchmark under prefix (time_paired) when
        it ran, detail(key, count) wording its figures (the unpaired figures
        after them); else by the unpaired ratio r."""
        pts = [(paired_ratio(contig, k), k) for k in contig.keys(prefix)]
        pts = [p for p in pts if p[0]]
        if pts:
            pr, pk = max(pts, key=lambda p: p[0][0])
            ok, crosses = within(pr, limit)
            goal(name, fmt_rr(pr), f"within {limit:.2f}x", ok, detail(pk, len(pts)),
                 insane=faster_than_floor(pr, what), crosses=crosses)
        else:
            ok, crosses = within(r, limit)
            goal(name, fmt_rr(r, medians=True), f"within {limit:.2f}x", ok, unpaired,
                 insane=faster_than_floor(r, what), crosses=crosses)

    def worst_hot(res, frame, prefix="BM_HotSplit"):
        ks = [k for k in res.keys(f"{prefix}/{frame}/")]
        vals = [(res.get(k, "ns_per_call"), k) for k in ks]
        vals = [v for v in vals if v[0] is not None]
        return max(vals) if vals else (None, None)

    for kern, label in [("0", "fib(27)"), ("1", "tree walk 2^18")]:
        # CPU time of the thread (the coroutine runs on it): on a shared machine
        # the wall clock also counts the time spent waiting for a core. The
        # instrumented kernel on the thread stack (BM_CheckCost_ThreadStack,
        # checks run but never fire) against the flags-only build on the same
        # stack: the two builds differ in the checks only. Older results
        # without it: the coroutine run, which also differs in the stack.
        ik = f"BM_CheckCost_ThreadStack/{kern}"
        where = "thread stack, like its floor"
        if contig.get(ik, "cpu_time") is None:
            ik, where = f"BM_CheckCost/{kern}/0", "on a coroutine, its floor on the thread stack"
        fk, pk = f"BM_CheckCost/{kern}/2", f"BM_CheckCost/{kern}/1"
        r = ratio_range(contig, ik, "cpu_time", contig, fk, "cpu_time")
        rp = ratio_range(contig, ik, "cpu_time", contig, pk, "cpu_time")
        one_place = (f"`{ik}` (gscc: plugin + gscc's flags; {where}) "
                     f"{cell(contig, ik, 'cpu_time')} us vs `{fk}` (clang-19 -O2 with gscc's "
                     f"flags, no plugin: they differ in the checks only) "
                     f"{cell(contig, fk, 'cpu_time')} us; vs plain -O2 `{pk}` "
                     f"{cell(contig, pk, 'cpu_time')} us: instrumented {fmt_pct(rp)}; on a "
                     f"coroutine `BM_CheckCost/{kern}/0` "
                     f"{cell(contig, f'BM_CheckCost/{kern}/0', 'cpu_time')} us")
        placed = placed_ratio(contig, kern)
        pk2 = f"BM_Paired_CheckCost/{kern}"
        paired = paired_ratio(contig, pk2)
        if paired is not None:
            # The goal's figure: the two builds in alternation within every
            # iteration, four placements each (gs_bench.cc BM_Paired_CheckCost);
            # the unpaired sums over the placements and the single placement
            # as context.
            ok, crosses = within(paired, 1.03)
            unpaired = (f"Unpaired, the fastest repetition of each side summed over the "
                        f"placements (`BM_CheckPlaced/{kern}/N/0` vs `/2`): "
                        f"{fmt_pct(placed[0], medians=True)}" if placed else "")
            goal(f"prologue check cost, {label}", fmt_pct(paired), "< 3%", ok,
                 f"CPU time, paired: `{pk2}` runs the gscc kernel (plugin + gscc's flags) and "
                 f"the flags-only one (clang-19 -O2 with gscc's flags, no plugin: they differ "
                 f"in the checks only) in alternation within every iteration, each at four "
                 f"placements (0, 16, 32 and 48 bytes past a 64-byte boundary, "
                 f"bench/workloads/check_placed.c), on the thread stack; the figure is the "
                 f"median over the repetitions of each repetition's ratio, with their range; "
                 f"per call {cell(contig, pk2, 'a_ns_per_call')} vs "
                 f"{cell(contig, pk2, 'b_ns_per_call')} ns (medians [range]). "
                 f"{unpaired}. At one placement each (where the linker put them): {one_place}",
                 insane=faster_than_floor(paired, "the instrumented build"), crosses=crosses)
            continue
        if placed is not None:
            # The goal's figure: the sums over four placements (an average
            # placement); the single placement of BM_CheckCost as context.
            pr, per = placed
            ok, crosses = within(pr, 1.03)
            per_s = ", ".join(f"+{pad}: {(x - 1) * 100:+.1f}%" for pad, x in zip(PLACED_PADS, per))
            goal(f"prologue check cost, {label}", fmt_pct(pr, medians=True), "< 3%", ok,
                 f"CPU time, summed over four placements of each build (the kernel at 0, 16, "
                 f"32 and 48 bytes past a 64-byte boundary, bench/workloads/check_placed.c): "
                 f"`BM_CheckPlaced/{kern}/N/0` (gscc: plugin + gscc's flags, thread stack) vs "
                 f"`BM_CheckPlaced/{kern}/N/2` (clang-19 -O2 with gscc's flags, no plugin: they "
                 f"differ in the checks only); by placement (fastest over fastest): {per_s}. "
                 f"At one placement each (where the linker put them): {one_place}",
                 insane=faster_than_floor(pr, "the instrumented build"), crosses=crosses)
            continue
        ok, crosses = within(r, 1.03)
        goal(f"prologue check cost, {label}", fmt_pct(r, medians=True), "< 3%", ok,
             f"CPU time: {one_place}",
             insane=faster_than_floor(r, "the instrumented build"), crosses=crosses)

    floor_hot = contig.get("BM_HotSplit_Floor/128", "ns_per_call")
    c_worst, c_key = worst_hot(contig, 128)
    r = ratio_range(contig, c_key, "ns_per_call", contig, "BM_HotSplit_FloorFlags/128", "ns_per_call") \
        if c_key else None
    unpaired = (f"`{c_key}` {cell(contig, c_key, 'ns_per_call') if c_key else 'n/a'} ns/call vs "
                f"`BM_HotSplit_FloorFlags/128` (the same loop, clang-19 with gscc's flags, no "
                f"plugin, thread stack) {cell(contig, 'BM_HotSplit_FloorFlags/128', 'ns_per_call')}"
                f"; plain -O2: {cell(contig, 'BM_HotSplit_Floor/128', 'ns_per_call')}")
    # Paired (gs_bench.cc BM_Paired_HotSplit): at each position, the coroutine's
    # loop and the flags-only floor's in alternation; the worst position's
    # median ratio is the goal's figure.
    paired_goal(
        "contiguous hot split vs floor (128-byte frame, worst boundary position)", 1.10,
        "BM_Paired_HotSplit/128/",
        lambda pk, n:
        f"paired: `BM_Paired_HotSplit/128/T` runs the hot-split loop on a fresh coroutine "
        f"descended to T bytes above its guard and the same loop of the flags-only build "
        f"(clang-19 with gscc's flags, no plugin, thread stack) in alternation within every "
        f"iteration, on the thread's CPU clock; the figure is the worst of {n} "
        f"positions, each the median over the repetitions of each repetition's ratio, with "
        f"their range: `{pk}` {cell(contig, pk, 'a_ns_per_call')} vs "
        f"{cell(contig, pk, 'b_ns_per_call')} ns/call. Unpaired, the worst position's "
        f"fastest repetition over the floor's: {fmt_rr(r, medians=True)}: {unpaired}",
        r, unpaired, "the hot split")

    # Deep recursion, issue 13: contiguous mode within 1.3x (cold) and 1.1x
    # (warm) of the floor at every depth and frame size of the report; then
    # each against Go 1.19 on the same workload (vs_go).
    grid = sorted({tuple(map(int, k.split("/")[1:3])) for k in contig.keys("BM_DeepRecursion_Cold/")},
                  key=lambda x: (x[1], x[0]))

    def go_worst(var, go_var):
        """Worst (ratio range, depth, frame) of contiguous var / Go's go_var, and the count."""
        gpts = []
        for d, f in grid:
            rg = ratio_range(contig, f"BM_DeepRecursion_{var}/{d}/{f}", "ns_per_frame",
                             A("go"), f"BM_DeepRecursion_{go_var}/{d}/{f}", "ns_per_frame")
            if rg:
                gpts.append((rg, d, f))
        return (max(gpts, key=lambda p: p[0][0]) if gpts else None), len(gpts)

    def vs_go_warm():
        gw, n = go_worst("Warm", "Warm")
        ok, crosses = within(gw[0] if gw else None, 1.0)
        goal(f"deep recursion, warm, contiguous vs Go 1.19, worst of {n} points",
             fmt_rr(gw[0], medians=True) if gw else "n/a", "at most Go's figure at every point", ok,
             f"worst at {pow10(gw[1])} x {gw[2]} B (Go anchor, same workload)" if gw
             else "Go anchor not run", crosses=crosses)

    def vs_go_cold():
        """Cold against Go compares like with like: a new coroutine per iteration on
        both sides, with the runtime's stack memory as the previous one left it. Go's
        stacks come from its heap, which keeps freed stacks resident (only the
        background scavenger returns them): after the first iteration a new
        goroutine barely faults. So growstack's New (no trim) is compared with Go's
        Cold; growstack's Cold (caches trimmed before every iteration, every page a
        first touch) is judged against its own floor."""
        gw, n = go_worst("New", "Cold")
        ok, crosses = within(gw[0] if gw else None, 1.0)
        if not A("go").runs:
            detail = "Go anchor not run"
        elif not contig.keys("BM_DeepRecursion_New/"):
            rc = [ratio_range(contig, f"BM_DeepRecursion_Cold/{d}/{f}", "ns_per_frame",
                              A("go"), f"BM_DeepRecursion_Cold/{d}/{f}", "ns_per_frame")
                  for d, f in grid]
            rc = [r_ for r_ in rc if r_]
            detail = ("growstack's `BM_DeepRecursion_New` is not in these results (a gs_bench "
                      "older than the benchmark): not measured. Its `BM_DeepRecursion_Cold` "
                      "trims the stack caches before every iteration while Go's heap keeps "
                      "freed stacks resident, so that pair compares different things"
                      + (f" (worst {fmt_rr(max(rc))})" if rc else ""))
        else:
            detail = ""
            if gw:
                kn = f"BM_DeepRecursion_New/{gw[1]}/{gw[2]}"
                kc = f"BM_DeepRecursion_Cold/{gw[1]}/{gw[2]}"
                detail = (f"worst at {pow10(gw[1])} x {gw[2]} B: growstack `BM_DeepRecursion_New` "
                          f"{cell(contig, kn, 'ns_per_frame')} ns/frame vs Go "
                          f"`BM_DeepRecursion_Cold` {cell(A('go'), kc, 'ns_per_frame')}. ")
            detail += ("Both sides start a new coroutine (goroutine) per iteration with the "
                       "runtime's stack memory as the previous one left it: Go's stacks come "
                       "from its heap, which keeps freed stacks resident (only the background "
                       "scavenger returns them), so after the first iteration it barely faults; "
                       "growstack's `BM_DeepRecursion_New` keeps its stack caches likewise, "
                       "while its `BM_DeepRecursion_Cold` trims them before every iteration "
                       "(all first touches) and is judged against its floor in the row above")
            if gw:
                rc = ratio_range(contig, kc, "ns_per_frame", A("go"), kc, "ns_per_frame")
                detail += (f" (at this point the trimmed `BM_DeepRecursion_Cold` is {fmt_rr(rc)} "
                           "Go's figure)")
            # Where New still pays most first touches.
            faulting, big = [], False
            for d, f in grid:
                nf = contig.get(f"BM_DeepRecursion_New/{d}/{f}", "minflt")
                cf = contig.get(f"BM_DeepRecursion_Cold/{d}/{f}", "minflt")
                gf = A("go").get(f"BM_DeepRecursion_Cold/{d}/{f}", "minor_faults_per_iter")
                if nf is not None and cf and nf > 0.5 * cf:
                    over = d * f > (64 << 20)
                    big |= over
                    faulting.append(f"{pow10(d)} x {f} B{' (over 64 MiB)' if over else ''}: "
                                    f"{fmt(nf)} (trimmed {fmt(cf)}, Go {fmt(gf)})")
            if faulting:
                detail += (". New still pays most first touches: page faults per iteration at " +
                           "; ".join(faulting))
                if big:
                    detail += (". Over 64 MiB (`GS_MMAP_CACHE_BYTES`, runtime/segment.c) "
                               "the cache keeps one block per thread, its pages released lazily "
                               "(MADV_FREE): the kernel may have taken them back")
        goal(f"deep recursion, new coroutine per iteration, contiguous vs Go 1.19 (new goroutine "
             f"per iteration), worst of {n} points",
             fmt_rr(gw[0], medians=True) if gw else "n/a", "at most Go's figure at every point", ok, detail,
             crosses=crosses)

    for var, floor, limit in [("Cold", "FloorCold", 1.3), ("Warm", "FloorWarm", 1.1)]:
        pts = []
        for d, f in grid:
            rr_ = ratio_range(contig, f"BM_DeepRecursion_{var}/{d}/{f}", "ns_per_frame",
                              contig, f"BM_DeepRecursion_{floor}/{d}/{f}", "ns_per_frame")
            if rr_:
                pts.append((rr_, d, f))
        worst = max(pts, key=lambda p: p[0][0]) if pts else None
        ok, crosses = within(worst[0] if worst else None, limit)
        insane = [faster_than_floor(p[0], f"10^{len(str(p[1])) - 1} x {p[2]} B") for p in pts]
        insane = [x for x in insane if x]
        flags_note = ""
        if var == "Warm" and worst:
            rf = ratio_range(contig, f"BM_DeepRecursion_FloorWarmFlags/{worst[1]}/{worst[2]}",
                             "ns_per_frame", contig,
                             f"BM_DeepRecursion_FloorWarm/{worst[1]}/{worst[2]}", "ns_per_frame")
            if rf:
                flags_note = (f". Where the time goes: at that point the same recursion built by "
                              f"clang-19 with gscc's flags and no plugin (`BM_DeepRecursion_"
                              f"FloorWarmFlags`: zeroed small locals; the same source as the "
                              f"floor's and gscc's) is {fmt_rr(rf)} of the "
                              f"floor; the rest is the prologue "
                              f"check and the zeroing of the partly written word of the frame's pad, "
                              f"and mostly where they put the code: in a standalone test of the "
                              f"1 KiB frame (2026-12-05, /tmp programs, same coroutine stack), gscc's "
                              f"function ran 3.3 ns/frame, the same without the check or without "
                              f"the zeroing store 1.8, the plain build 1.6, and gscc's shifted by "
                              f"1 to 32 bytes 1.9-3.9 (docs/protocol.md section 1)")
        value = fmt_rr(worst[0], medians=True) if worst else "n/a"
        paired_note = ""
        ppts = [(paired_ratio(contig, f"BM_Paired_{var}/{d}/{f}"), d, f) for d, f in grid]
        ppts = [p for p in ppts if p[0]]
        if var == "Warm" and ppts:
            # Paired (gs_bench.cc BM_Paired_Warm): the coroutine's warm run and
            # the floor's on a touched stack of the same thread, in alternation.
            pw = max(ppts, key=lambda p: p[0][0])
            ok, crosses = within(pw[0], limit)
            insane = [x for x in (faster_than_floor(p[0], f"10^{len(str(p[1])) - 1} x {p[2]} B "
                                                          "(paired)") for p in ppts) if x]
            pk = f"BM_Paired_Warm/{pw[1]}/{pw[2]}"
            paired_note = (f"paired: `BM_Paired_Warm/D/F` runs the recursion on a coroutine whose "
                           f"stack has grown and the plain-clang floor's on a stack that it has "
                           f"already touched, mapped with growstack's page policy (huge pages "
                           f"above 256 KiB), in alternation within every "
                           f"iteration, on the thread's CPU clock; the figure is the worst of "
                           f"{len(ppts)} points, each the median over the repetitions of each "
                           f"repetition's ratio, with their range: worst at "
                           f"10^{len(str(pw[1])) - 1} x {pw[2]} B, "
                           f"{cell(contig, pk, 'a_ns_per_frame')} vs "
                           f"{cell(contig, pk, 'b_ns_per_frame')} ns/frame, moves per run "
                           f"{fmt(contig.get(pk, 'moves'))}. Unpaired (fastest over fastest): "
                           f"{value}, ")
            value = fmt_rr(pw[0])
        goal(f"deep recursion, {var.lower()}, contiguous, worst of "
             f"{len(ppts) if paired_note else len(pts)} depth x frame points",
             value, f"within {limit}x at every point", ok,
             paired_note +
             (f"worst at 10^{len(str(worst[1])) - 1} x {worst[2]} B; floor `BM_DeepRecursion_{floor}`: "
              "the same recursion.c built by plain clang-19 -O2 "
              + ("once on a freshly mapped stack of exactly the size it needs, with growstack's "
                 "page policy (huge pages above 256 KiB) and no thread around it: what any cold "
                 "run must pay, the first touch of every page; the ratio is what growing costs "
                 "over knowing the depth in advance (intermediate blocks, copies, moves; from 2 MiB "
                 "on a stack grows in place, protocol.md 5.3), gscc's "
                 "flags included" if var == "Cold" else
                 "on a stack it has already touched, of the size it needs, with growstack's page "
                 "policy (huge pages above 256 KiB; on a thread stack's small pages the deep points "
                 "ran faster on growstack's huge pages than on the floor); the ratio is growstack's "
                 "whole cost, gscc's flags included")
              + "; every point in section Deep recursion"
              + flags_note if worst else "not measured"),
             insane="; ".join(insane) or None, crosses=crosses)
        vs_go_cold() if var == "Cold" else vs_go_warm()

    # fcontext in gs_bench itself (interleaved with BM_Switch in the same run of
    # the same binary) when it was built with Boost.Context; else the anchor.
    if contig.get("BM_Switch_Fcontext", "ns_per_switch") is not None:
        fc_res, fc_key = contig, "BM_Switch_Fcontext"
        fc_where = ("BM_Switch_Fcontext (Boost.Context's jump_fcontext in gs_bench, its "
                    "repetitions interleaved with BM_Switch's in the same run; anchor_boost's "
                    f"BM_Switch_BoostFcontext, minutes apart: "
                    f"{cell(A('boost'), 'BM_Switch_BoostFcontext', 'ns_per_switch')} ns)")
    else:
        fc_res, fc_key = A("boost"), "BM_Switch_BoostFcontext"
        fc_where = "BM_Switch_BoostFcontext (anchor_boost)"
    r = ratio_range(contig, "BM_Switch", "ns_per_switch", fc_res, fc_key, "ns_per_switch")
    sw_private = next(iter(contig.keys("BM_Switch_FpPrivate")), None)
    rp = paired_ratio(contig, "BM_Paired_Switch")
    if rp is not None:
        # The goal's figure: the two in alternation (gs_bench.cc BM_Paired_Switch).
        sw_value = (f"{cell(contig, 'BM_Paired_Switch', 'a_ns')} vs "
                    f"{cell(contig, 'BM_Paired_Switch', 'b_ns')} ns ({fmt_rr(rp)})")
        sw_how = (f"paired: `BM_Paired_Switch` runs blocks of 20,000 round trips of "
                  f"BM_Switch's loop and of fcontext's ping-pong in alternation within every "
                  f"iteration, each on the thread's CPU clock (ns per one-way switch, medians "
                  f"[range] over the repetitions; the ratio is the median of each "
                  f"repetition's). Unpaired, the fastest repetitions of ")
        r = rp
    else:
        sw_value = (f"{cell(contig, 'BM_Switch', 'ns_per_switch')} vs "
                    f"{cell(fc_res, fc_key, 'ns_per_switch')} ns")
        sw_how = ""
    ok, crosses = within(r, 1.0)
    goal("one-way switch vs Boost.Context fcontext", sw_value, "no slower", ok,
         f"{sw_how}BM_Switch (gs_resume + gs_yield / 2) "
         f"{cell(contig, 'BM_Switch', 'ns_per_switch')} ns vs {fc_where} "
         f"{cell(fc_res, fc_key, 'ns_per_switch')} ns: "
         f"{fmt_rr(ratio_range(contig, 'BM_Switch', 'ns_per_switch', fc_res, fc_key, 'ns_per_switch'), medians=True)}; "
         f"gs_ctx_switch alone (BM_Switch_Bare, no bookkeeping) "
         f"{cell(contig, 'BM_Switch_Bare', 'ns_per_switch')} ns: the rest is the core's "
         f"bookkeeping of gs_resume and gs_yield (their assembly fast paths, protocol.md 6.1). "
         f"Not the same work: fcontext always saves and restores MXCSR and the x87 control "
         f"word; growstack does so only on a thread that changed them (gs_fp_private(), which "
         f"gscc calls before fesetround & co.; protocol.md 6.2), and BM_Switch's thread never "
         f"did. On such a thread (BM_Switch_FpPrivate): "
         f"{cell(contig, sw_private, 'ns_per_switch') if sw_private else 'n/a'} ns",
         crosses=crosses)

    # The system-stack trampoline against a direct call (issue 13: within 0.5 ns).
    # Paired (gs_bench.cc BM_Paired_Trampoline): the difference of the two
    # sides' times per call in each repetition, median and range; older
    # results: BM_CallCost/0's fastest repetitions.
    ta = contig.vals("BM_Paired_Trampoline", "a_ns_per_call")
    tb = contig.vals("BM_Paired_Trampoline", "b_ns_per_call")
    cc_a, cc_b = contig.get("BM_CallCost/0/0", "ns_per_call"), contig.get("BM_CallCost/0/1", "ns_per_call")
    unpaired = (f"`BM_CallCost/0/0` (gscc's loop on a coroutine) {cell(contig, 'BM_CallCost/0/0', 'ns_per_call')} "
                f"vs `BM_CallCost/0/1` (plain clang's loop, direct calls) "
                f"{cell(contig, 'BM_CallCost/0/1', 'ns_per_call')} ns/call")
    where_tramp = ("where it goes (protocol.md 4.2): the thunk's slot test, the trampoline's "
                   "guard test, stack switch, mark of the external call and its clearing, and "
                   "the nested call and return, about 17 instructions; the nested call is most "
                   "of it, and removing it would break the processor's pairing of calls and "
                   "returns (a return to another address than its call's is mispredicted)")
    tramp_goal = "system-stack trampoline vs a direct call (a call into uninstrumented code)"
    if ta and tb and len(ta) == len(tb):
        diffs = [a - b for a, b in zip(ta, tb)]
        d = statistics.median(diffs)
        goal(tramp_goal, f"{d:+.2f} ns [{min(diffs):+.2f}, {max(diffs):+.2f}]",
             "within 0.5 ns", d <= 0.5,
             f"paired: `BM_Paired_Trampoline` runs blocks of 100,000 calls of a function in an "
             f"object plain clang compiled, from gscc's loop on a coroutine (thunk + trampoline) "
             f"and from plain clang's loop on the thread stack (a direct call), in alternation "
             f"within every iteration on the thread's CPU clock; the figure is the median over "
             f"the repetitions of each repetition's difference per call, with their range: "
             f"{cell(contig, 'BM_Paired_Trampoline', 'a_ns_per_call')} vs "
             f"{cell(contig, 'BM_Paired_Trampoline', 'b_ns_per_call')} ns/call (medians "
             f"[range]). Unpaired: {unpaired}; {where_tramp}",
             insane=(f"the trampoline came out faster than a direct call in every repetition "
                     f"({max(diffs):+.2f} ns at most)") if max(diffs) < 0 else None,
             crosses=d <= 0.5 < max(diffs))
    elif cc_a is not None and cc_b is not None:
        d = cc_a - cc_b
        goal(tramp_goal, f"{d:+.2f} ns", "within 0.5 ns", d <= 0.5,
             f"unpaired, the fastest repetitions: {unpaired}; {where_tramp}")

    s_worst, s_key = worst_hot(seg, 128)

    def libgcc_key(prefix, frame):
        ks = A("libgcc").keys(f"{prefix}/{frame}")
        return ks[0] if ks else None
    lg_key, lgn_key = libgcc_key("BM_HotSplit_Worst", 128), libgcc_key("BM_HotSplit_WorstNoSigmask", 128)
    lg = A("libgcc").get(lg_key, "ns_per_call") if lg_key else None
    r = ratio_range(seg, s_key, "ns_per_call", A("libgcc"), lgn_key, "ns_per_call") \
        if s_key and lgn_key else None
    ok, crosses = within(r, 1.0)
    goal("segmented hot split vs libgcc -fsplit-stack without signal blocking (128-byte frame, "
         "worst position)",
         f"{cell(seg, s_key, 'ns_per_call') if s_key else 'n/a'} vs "
         f"{cell(A('libgcc'), lgn_key, 'ns_per_call') if lgn_key else 'n/a'} ns/call", "at or below", ok,
         f"`{s_key}` vs `{lgn_key}` ({fmt_rr(r, medians=True)}); libgcc as shipped, signals blocked at each "
         f"split: {cell(A('libgcc'), lg_key, 'ns_per_call') if lg_key else 'n/a'} ns/call",
         crosses=crosses)

    sp, sp_key = worst_hot(seg, 128, "BM_HotSplitPinned")
    cp, cp_key = worst_hot(contig, 128, "BM_HotSplitPinned")
    r = ratio_range(contig, cp_key, "ns_per_call", seg, sp_key, "ns_per_call") if sp_key and cp_key else None
    ok, crosses = within(r, 1.1)
    goal("hot split above a pinned frame, contiguous vs segmented (128-byte frame, worst position)",
         fmt_rr(r, medians=True), "within 1.1x", ok, f"`{cp_key}` vs `{sp_key}` (issue 10)", crosses=crosses)

    # The clock_gettime hot-split pattern (issue 10): contiguous within 1.25x
    # of fixed, worst position, each frame size measured. Paired where
    # BM_Paired_HotClock ran (gs_bench.cc: contiguous mode's run against the
    # same loop at the same depth on a stack that holds it from the start,
    # what fixed mode runs, in alternation); the worst position's median
    # ratio is the goal's figure. Unpaired (the two modes' processes, their
    # worst positions) it is only a second figure: the fixed-mode run has no
    # boundary and runs at the top of its stack, one offset in a cache line
    # of the four the sweep visits, and the loop's cost depends on it.
    for f in [32, 128, 1024]:
        cw, cwk = worst_hot(contig, f, "BM_HotSplitClock")
        fw, fwk = worst_hot(fixed, f, "BM_HotSplitClock")
        if cwk is None and fwk is None:
            continue
        r = ratio_range(contig, cwk, "ns_per_call", fixed, fwk, "ns_per_call") if cwk and fwk else None
        unpaired = (f"`{cwk}` {cell(contig, cwk, 'ns_per_call') if cwk else 'n/a'} vs `{fwk}` "
                    f"{cell(fixed, fwk, 'ns_per_call') if fwk else 'n/a'} ns/call (thread CPU time): "
                    f"{fmt_rr(r, medians=True)}; contiguous moves per call "
                    f"{fmt(contig.get(cwk, 'moves')) if cwk else 'n/a'}, pins per call "
                    f"{fmt(contig.get(cwk, 'pins')) if cwk else 'n/a'}; section The clock_gettime "
                    "hot-split pattern; reproduce: `GROWSTACK_MODE=contiguous build/bench/gs_bench "
                    f"--benchmark_filter='BM_Paired_HotClock/{f}/|BM_HotSplitClock/{f}/'` (and "
                    "fixed)")
        paired_goal(
            f"clock_gettime hot split ({f}-byte frame), contiguous vs fixed, worst position", 1.25,
            f"BM_Paired_HotClock/{f}/",
            lambda pk, n, f=f, unpaired=unpaired:
            f"paired: `BM_Paired_HotClock/{f}/T` runs the loop on a fresh coroutine that "
            f"descends to T bytes above its guard (contiguous mode moves it once where the "
            f"loop does not fit) and the same loop at the same depth and offset in a cache "
            f"line on a fresh coroutine whose 64 KiB stack holds it from the start (no "
            f"growth: what fixed mode runs, the same code) in alternation within every "
            f"iteration, each timed by the loop's own clock_gettime of the thread's CPU time; "
            f"the figure is the worst of {n} positions, each the median over the "
            f"repetitions of each repetition's ratio, with their range: `{pk}` "
            f"{cell(contig, pk, 'a_ns_per_call')} vs {cell(contig, pk, 'b_ns_per_call')} "
            f"ns/call, moves per run {fmt(contig.get(pk, 'moves'))}. Unpaired, the worst "
            f"position of contiguous mode's process over fixed mode's: {unpaired}",
            r, unpaired, "contiguous mode")

    r = ratio_range(contig, "BM_GrowShrink", "real_time", seg, "BM_GrowShrink", "real_time")
    ok, crosses = within(r, 2.0)
    goal("grow-then-shrink cycle, contiguous vs segmented", fmt_rr(r, medians=True), "within 2x", ok,
         f"{cell(contig, 'BM_GrowShrink')} vs {cell(seg, 'BM_GrowShrink')} us per cycle (issue 13)",
         crosses=crosses)

    mem = contig.get("BM_IdleMemory/100000", "bytes_per_context")
    gomem = A("go").get("BM_IdleMemory_Go/100000", "bytes_per_context")
    goal("bytes per idle coroutine vs Go goroutine (100k)", f"{fmt(mem)} vs {fmt(gomem)} B",
         "no more", None if mem is None or gomem is None else mem <= gomem,
         "resident memory growth / count, contiguous mode vs Go 1.19 (one run each, each in a "
         "fresh process: `BM_IdleMemory` runs gs_bench again with GS_BENCH_IDLE_CHILD, as the Go "
         "anchor runs itself again, so that no stack memory left by other benchmarks is reused)")

    realprog = report_realprog.load(args.results)
    report_realprog.goals(realprog, goal)

    w("## Goals")
    w("")
    w("A time is printed as its fastest repetition, then (median, slowest); a counter as its "
      "median [min, max]. A ratio is of the fastest repetitions of its two sides, with its "
      "range [min(a) / max(b), max(a) / min(b)] and, where it differs, the ratio of the medians. "
      "The fastest repetition decides because a run on this machine is only ever slowed down, "
      "never sped up, by what else runs. When this rule was chosen, before this report's run, "
      "the ratio of the fastest repetitions varied less from run to run than the ratio of the "
      "medians in three of four experiments, not in all (docs/bench/method.md). A goal is met only when its ratio meets "
      "the target *and* the measurement is sane: a cost that comes out negative (the measured "
      f"code faster than its floor by more than {NOISE:.0%} in every pairing of repetitions) "
      "is flagged *insane measurement* and not counted. *yes, range crosses* = the ratio "
      "meets the target but the range does not.")
    w("")
    w("| goal | measured | target | met | from |")
    w("| --- | --- | --- | --- | --- |")
    for name, value, target, ok, detail, insane, crosses in goals:
        if insane:
            met = f"**insane measurement**: {insane}"
        elif ok is None:
            met = "**no** (not measured)"
        elif ok:
            met = "yes, range crosses the target" if crosses else "yes"
        else:
            met = "**no**"
        w(f"| {name} | {value} | {target} | {met} | {detail} |")
    w("")

    # ---- deep recursion ------------------------------------------------------
    w("## Deep recursion")
    w("")
    w("ns per frame; *cold* = a fresh coroutine per iteration with growstack's stack caches "
      "trimmed before each iteration (growth and the kernel's first touch of every page), "
      "*new (caches kept)* = the same without the trim: a new coroutine per iteration with "
      "the caches as the previous one left them, which is what a program that spawns "
      "coroutine after coroutine gets and what Go's cold figure is (Go's stacks come from its "
      "heap, which keeps freed stacks resident: after the first iteration a new goroutine "
      "barely faults; the Go column shows that one figure in both rows, and the goal against "
      "Go compares it with *new*), *warm* = the same recursion again on a grown stack. "
      "growstack's cache keeps every freed block under 128 KiB and up to 8 per size class "
      "up to 64 MiB, and one block over 64 MiB per thread, its pages released lazily "
      "(runtime/segment.c). From 2 MiB on a contiguous stack grows in place, into address "
      "space reserved below its block (nothing moves: protocol.md 5.3, *Growth in place*), "
      "so a deep stack leaves one large block in the cache, and the next coroutine takes it "
      "when it outgrows 256 KiB (page faults per iteration in the minflt columns). After a "
      "trim (another benchmark's cold run) the first new coroutine of a repetition faults "
      "its blocks in again. "
      "Floors: cold, plain C run once on a freshly mapped stack of exactly the size the "
      "recursion needs (measured once per point; the column *floor stack* below), entered "
      "and left by one bare context switch, with growstack's page policy: above 256 KiB "
      "the stack is rounded up to 2 MiB, aligned and advised MADV_HUGEPAGE, as growstack's "
      "blocks are from there on (`GS_HUGE_JUMP_FROM`, protocol.md 5.3). It pays the first "
      "touch of every page it uses and nothing else: not a thread's creation (about 250 us "
      "on this VM, which made the old thread-based floor slower than growstack at every "
      "shallow point), not the pages of intermediate blocks. Warm: plain C repeated on "
      "the same kind of stack, mapped once and already touched. Every build's recursion function starts on a 64-byte boundary "
      "(bench/anchors/common/recursion.c): the speed of a loop this small depends on where "
      "its code falls within the lines the front end fetches (on an AMD EPYC, 1.52-2.17 ns "
      "per frame for the same bytes at four offsets), which would otherwise decide the warm "
      "ratios. growstack maps its stack blocks of 2 MiB and more 2 MiB-aligned and "
      "advises them MADV_HUGEPAGE (`GROWSTACK_HUGEPAGES=1`, the default; protocol.md 5.3), "
      "as Go 1.19 advises its heap, goroutine stacks included; libgcc's segments are not "
      "advised, so under the `madvise` setting (section Machine and tools) they fault in "
      "4 KiB pages. libgcc: gcc-12 -fsplit-stack with libgcc's __morestack (as shipped: it "
      "blocks signals around each split); it unmaps a thread's segments when the thread exits, "
      "so its cold figure is its only one. Go 1.19 goroutines. Counters per iteration from "
      "growstack's statistics.")
    w("")
    w("| depth x frame | variant | fixed | segmented | contiguous | floor | libgcc | Go | "
      "contiguous moves | segmented splits | contiguous minflt | floor minflt | floor stack | "
      "Go minflt |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    variants = [("Cold", "FloorCold", "cold", "Cold"),
                ("New", None, "new (caches kept)", "Cold"),
                ("Warm", "FloorWarm", "warm", "Warm")]
    for d, f in grid:
        for var, floor, label, other in variants:
            k = f"BM_DeepRecursion_{var}/{d}/{f}"
            ko = f"BM_DeepRecursion_{other}/{d}/{f}"
            row = [cell(gs[m], k, "ns_per_frame") for m in MODES]
            row.append(cell(contig, f"BM_DeepRecursion_{floor}/{d}/{f}", "ns_per_frame")
                       if floor else "n/a")
            row.append(cell(A("libgcc"), ko, "ns_per_frame"))
            row.append(cell(A("go"), ko, "ns_per_frame"))
            row.append(fmt(contig.get(k, "moves")))
            row.append(fmt(seg.get(k, "splits")))
            row.append(fmt(contig.get(k, "minflt")))
            fk = f"BM_DeepRecursion_{floor}/{d}/{f}" if var == "Cold" else None
            row.append(fmt(contig.get(fk, "minflt")) if fk else "n/a")
            kib = contig.get(fk, "stack_kib") if fk else None
            row.append(f"{fmt(kib)} KiB" if kib is not None else "n/a")
            row.append(fmt(A("go").get(ko, "minor_faults_per_iter")))
            w(f"| {pow10(d)} x {f} B | {label} | " + " | ".join(row) + " |")
    w("")
    if any(paired_ratio(contig, f"BM_Paired_Warm/{d}/{f}") for d, f in grid):
        w("Warm, paired (`BM_Paired_Warm/D/F`, contiguous mode: the coroutine's warm run and "
          "the plain-clang floor's on a touched stack of the same thread in alternation within "
          "every iteration, thread CPU time, medians [range] over the repetitions; what the "
          "warm goal takes):")
        w("")
        w("| depth x frame | contiguous ns/frame | floor ns/frame | ratio | moves per run |")
        w("| --- | --- | --- | --- | --- |")
        for d, f in grid:
            k = f"BM_Paired_Warm/{d}/{f}"
            if paired_ratio(contig, k):
                w(f"| {pow10(d)} x {f} B | {cell(contig, k, 'a_ns_per_frame')} | "
                  f"{cell(contig, k, 'b_ns_per_frame')} | {fmt_rr(paired_ratio(contig, k))} | "
                  f"{fmt(contig.get(k, 'moves'))} |")
        w("")

    # ---- hot split -------------------------------------------------------------
    w("## Hot split")
    w("")
    w("A loop of 100,000 calls to a leaf of the given frame size, with the caller placed "
      "`target` bytes above the guard (swept over a whole segment): at some positions "
      "every call crosses a segment boundary. ns per call: the worst position and the "
      "median over positions; the floor is the same loop in plain C.")
    w("")
    w("| frame | mode | worst ns/call | at target | median ns/call | floor | floor, gscc flags | "
      "libgcc worst | libgcc worst, no signal blocking |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for f in [32, 128, 1024]:
        for m in MODES:
            ks = gs[m].keys(f"BM_HotSplit/{f}/")
            vals = [gs[m].get(k, "ns_per_call") for k in ks]
            vals = [v for v in vals if v is not None]
            if not vals:
                continue
            worst, wk = worst_hot(gs[m], f)
            lgk = A("libgcc").keys(f"BM_HotSplit_Worst/{f}")
            lgn = A("libgcc").keys(f"BM_HotSplit_WorstNoSigmask/{f}")
            w(f"| {f} B | {m} | {cell(gs[m], wk, 'ns_per_call')} | {wk.split('/')[2] if wk else ''} | "
              f"{fmt(statistics.median(vals))} | "
              f"{cell(gs[m], f'BM_HotSplit_Floor/{f}', 'ns_per_call')} | "
              f"{cell(gs[m], f'BM_HotSplit_FloorFlags/{f}', 'ns_per_call')} | "
              f"{cell(A('libgcc'), lgk[0], 'ns_per_call') if lgk else 'n/a'} | "
              f"{cell(A('libgcc'), lgn[0], 'ns_per_call') if lgn else 'n/a'} |")
    w("")
    hp = sorted((p for p in ((paired_ratio(contig, k), k)
                             for k in contig.keys("BM_Paired_HotSplit/128/")) if p[0]),
                key=lambda p: p[0][0])
    if hp:
        w(f"Paired (`BM_Paired_HotSplit/128/T`, contiguous mode: the loop on a fresh coroutine "
          f"and the flags-only floor's on the thread stack in alternation within every "
          f"iteration, thread CPU time; what the goal takes): over {len(hp)} positions the "
          f"median ratios run from {hp[0][0][0]:.3f}x (T = {hp[0][1].split('/')[2]}) to "
          f"{hp[-1][0][0]:.3f}x (T = {hp[-1][1].split('/')[2]}, "
          f"{cell(contig, hp[-1][1], 'a_ns_per_call')} vs "
          f"{cell(contig, hp[-1][1], 'b_ns_per_call')} ns/call), median "
          f"{statistics.median(p[0][0] for p in hp):.3f}x.")
        w("")

    # ---- pinned hot split, overflow at the limit, side frames ------------------------
    def worst_of(res, prefix):
        vals = [(res.get(k, "ns_per_call"), k) for k in res.keys(prefix)]
        vals = [v for v in vals if v[0] is not None]
        return max(vals) if vals else (None, None)

    w("## Hot split above a pinned frame")
    w("")
    w("The hot-split loop of the previous section with a frame at the bottom of the "
      "coroutine stack that takes its own frame address (pinned): contiguous mode cannot "
      "move the stack and chains a segment at every call; the verdict of the first frame "
      "walk is remembered, so the others cost what segmented growth costs "
      "(docs/protocol.md 5.4). Worst ns/call over the boundary positions.")
    w("")
    w("| frame | segmented | contiguous | contiguous / segmented |")
    w("| --- | --- | --- | --- |")
    for f in [32, 128, 1024]:
        sv, _ = worst_of(gs["segmented"], f"BM_HotSplitPinned/{f}/")
        cv, _ = worst_of(gs["contiguous"], f"BM_HotSplitPinned/{f}/")
        if sv is None and cv is None:
            continue
        _, sk = worst_of(gs["segmented"], f"BM_HotSplitPinned/{f}/")
        _, ck = worst_of(gs["contiguous"], f"BM_HotSplitPinned/{f}/")
        w(f"| {f} B | {cell(seg, sk, 'ns_per_call') if sk else 'n/a'} | "
          f"{cell(contig, ck, 'ns_per_call') if ck else 'n/a'} | "
          f"{fmt_rr(ratio_range(contig, ck, 'ns_per_call', seg, sk, 'ns_per_call') if sk and ck else None)} |")
    w("")
    w("## The clock_gettime hot-split pattern")
    w("")
    w("The hot-split loop in a caller that times itself with `clock_gettime(CLOCK_MONOTONIC, "
      "&ts)` (bench/workloads/hot_clock.c, `BM_HotSplitClock`): passing `&ts` to libc used to "
      "pin the frame, so contiguous mode chained a segment at every call (issue 10: moves = 0, "
      "worst 28 ns/call, twice segmented mode's). ns per call by the loop's own clock_gettime "
      "of the thread's CPU time (the wall clock, in the last column, also counts waiting for a "
      "core on a shared machine), worst over the boundary positions, [min, max] over "
      "repetitions; fixed mode has no boundary and runs the loop at as many positions. "
      "Counters: per call, the largest over the positions (1e-05 = once per run of 100,000 "
      "calls: contiguous mode's one move). Floor: the same file built by plain clang-19, "
      "on the thread stack, without gscc's flags (with 1024-byte frames most of the gap to fixed "
      "mode is `-ftrivial-auto-var-init=zero` clearing the leaf's array at each call). "
      "Reproduce: `GROWSTACK_MODE=<mode> build/bench/gs_bench --benchmark_filter=BM_HotSplitClock`.")
    w("")
    w("The loop's cost depends on where its frames fall within a 64-byte cache line, in plain "
      "clang's build as well: on the host of this report's first paired run (2026-12-07, an "
      "Intel Xeon VM) the 128-byte leaf's loop ran 1.22 ns/call wherever the loop's %rsp was 16 "
      "bytes past a line and 0.98 at the other three offsets, on any stack (the plain clang-19 "
      "build of a like loop 0.78-0.98 over the four). Fixed mode's run below has no boundary and "
      "runs at the top of its stack, at one offset; the sweep of the other modes visits all "
      "four, so *worst / fixed worst* mixes that offset into the growth's cost. The goal "
      "therefore takes the paired runs (`BM_Paired_HotClock`, contiguous mode): at each "
      "position, contiguous mode's run against the same loop at the same depth and offset on a "
      "stack that holds it from the start, in alternation.")
    w("")
    w("| frame | mode | worst ns/call | at target | median over positions | splits | moves | pins "
      "| worst, wall clock | floor (plain clang) | worst / fixed worst |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for f in [32, 128, 1024]:
        fw, fwk = worst_of(fixed, f"BM_HotSplitClock/{f}/")
        for m in MODES:
            res = gs[m]
            v, k = worst_of(res, f"BM_HotSplitClock/{f}/")
            if k is None:
                continue
            ks = res.keys(f"BM_HotSplitClock/{f}/")
            vals = [res.get(x, "ns_per_call") for x in ks]
            vals = [x for x in vals if x is not None]

            def most(field):
                c = [res.get(x, field) for x in ks]
                c = [x for x in c if x is not None]
                return fmt(max(c)) if c else "n/a"
            w(f"| {f} B | {m} | {cell(res, k, 'ns_per_call')} | {k.split('/')[2]} | "
              f"{fmt(statistics.median(vals))} | {most('splits')} | "
              f"{most('moves')} | {most('pins')} | "
              f"{cell(res, k, 'ns_per_call_wall')} | "
              f"{cell(res, f'BM_HotSplitClock_Floor/{f}', 'ns_per_call')} | "
              f"{fmt_rr(ratio_range(res, k, 'ns_per_call', fixed, fwk, 'ns_per_call') if fwk else None)} |")
    w("")
    for f in [32, 128, 1024]:
        cp = sorted((p for p in ((paired_ratio(contig, k), k)
                                 for k in contig.keys(f"BM_Paired_HotClock/{f}/")) if p[0]),
                    key=lambda p: p[0][0])
        if not cp:
            continue
        slow = max(cp, key=lambda p: contig.get(p[1], "a_ns_per_call") or 0)
        w(f"Paired, {f}-byte frame (`BM_Paired_HotClock/{f}/T`, contiguous mode; what the goal "
          f"takes): over {len(cp)} positions the median ratios run from {cp[0][0][0]:.3f}x "
          f"(T = {cp[0][1].split('/')[2]}) to {cp[-1][0][0]:.3f}x (T = {cp[-1][1].split('/')[2]}, "
          f"{cell(contig, cp[-1][1], 'a_ns_per_call')} vs "
          f"{cell(contig, cp[-1][1], 'b_ns_per_call')} ns/call), median "
          f"{statistics.median(p[0][0] for p in cp):.3f}x; the slowest loop, at T = "
          f"{slow[1].split('/')[2]} ({cell(contig, slow[1], 'a_ns_per_call')} vs "
          f"{cell(contig, slow[1], 'b_ns_per_call')} ns/call, %rsp at "
          f"{fmt(contig.get(slow[1], 'sp_low'))} modulo 4 KiB), is as slow on both sides.")
        w("")
    w("## Overflow at the limit")
    w("")
    w("A recursion without end on a coroutine until the runtime reports the overflow at "
      "GROWSTACK_MAX (1 GiB), in a forked child: ms from fork to the child's abort.")
    w("")
    w("| segmented | contiguous | contiguous / segmented |")
    w("| --- | --- | --- |")
    w(f"| {cell(seg, 'BM_OverflowAtLimit')} | {cell(contig, 'BM_OverflowAtLimit')} | "
      f"{fmt_rr(ratio_range(contig, 'BM_OverflowAtLimit', 'real_time', seg, 'BM_OverflowAtLimit', 'real_time'))} |")
    w("")
    w("## Calls of a function with an escaping local")
    w("")
    w("The local lives in a side frame (docs/protocol.md 7) in the instrumented build, on "
      "the stack in the plain builds. ns per call, contiguous mode.")
    w("")
    w("| caller | instrumented | flags | plain | instrumented - flags |")
    w("| --- | --- | --- | --- | --- |")
    for kind, label in [("0", "a frame without a side frame (assembly fast path)"),
                        ("1", "a frame with a side frame (inline check)")]:
        i = contig.get(f"BM_SideLocalCall/{kind}/0", "ns_per_call")
        p_ = contig.get(f"BM_SideLocalCall/{kind}/1", "ns_per_call")
        fl = contig.get(f"BM_SideLocalCall/{kind}/2", "ns_per_call")
        k0, k1, k2 = (f"BM_SideLocalCall/{kind}/{v}" for v in range(3))
        w(f"| {label} | {cell(contig, k0, 'ns_per_call')} | {cell(contig, k2, 'ns_per_call')} | "
          f"{cell(contig, k1, 'ns_per_call')} | "
          f"{fmt(i - fl) if i is not None and fl is not None else 'n/a'} |")
    w("")

    # ---- calls ---------------------------------------------------------------------
    w("## Prologue check and calls that leave instrumented code")
    w("")
    w("gscc compiles with zero-initialised locals "
      "(`-ftrivial-auto-var-init=zero`: contiguous mode's conservative scan must not meet "
      "stale stack addresses in uninitialised arrays). *flags* is plain clang with those "
      "flags and no plugin: instrumented vs flags is the cost of the checks, flags vs "
      "plain the cost of the flags. Kernel rows: CPU time of the thread per run of the kernel "
      "(the wall clock also counts waiting for a core on a shared machine); *thread stack*: the "
      "instrumented kernel called on the benchmark thread's own stack, where every check runs "
      "and none fires (`%fs:0x70` is 0 there), like its floors: those ratios differ in the "
      "checks only. *coroutine*: the same on a grown coroutine stack.")
    w("")
    w("| kernel | instrumented, thread stack | instrumented, coroutine | flags | plain | "
      "instrumented / flags (thread stack) | instrumented / plain (thread stack) | "
      "coroutine / thread stack |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for kern, label in [("0", "fib(27), us"), ("1", "tree walk 2^18, us")]:
        k0, k1, k2 = (f"BM_CheckCost/{kern}/{v}" for v in range(3))
        kt = f"BM_CheckCost_ThreadStack/{kern}"
        w(f"| {label} | {cell(contig, kt, 'cpu_time')} | {cell(contig, k0, 'cpu_time')} | "
          f"{cell(contig, k2, 'cpu_time')} | {cell(contig, k1, 'cpu_time')} | "
          f"{fmt_rr(ratio_range(contig, kt, 'cpu_time', contig, k2, 'cpu_time'))} | "
          f"{fmt_rr(ratio_range(contig, kt, 'cpu_time', contig, k1, 'cpu_time'))} | "
          f"{fmt_rr(ratio_range(contig, k0, 'cpu_time', contig, kt, 'cpu_time'))} |")
    w("")
    if any(placed_ratio(contig, kern) for kern in ("0", "1")):
        w("The same kernels placed four ways (bench/workloads/check_placed.c): each build "
          "compiled with the kernel at 0, 16, 32 and 48 bytes past a 64-byte boundary, on the "
          "thread stack. A recursion this small runs faster or slower by where its code falls "
          "in the front end's fetch lines, and the check moves every instruction after it by "
          "15 bytes: one placement is as much luck as check. The goal rows compare the sums "
          "over the four placements (`BM_CheckPlaced/K/N/0` gscc, `/2` flags-only), CPU time, us:")
        w("")
        w("| kernel | " + " | ".join(f"+{pad}: gscc | +{pad}: flags | +{pad}: ratio"
                                     for pad in PLACED_PADS) + " | sums: ratio |")
        w("| --- |" + " --- | --- | --- |" * len(PLACED_PADS) + " --- |")
        for kern, label in [("0", "fib(27)"), ("1", "tree walk 2^18")]:
            cells = []
            for pad in PLACED_PADS:
                a, b = f"BM_CheckPlaced/{kern}/{pad}/0", f"BM_CheckPlaced/{kern}/{pad}/2"
                cells += [cell(contig, a, "cpu_time"), cell(contig, b, "cpu_time"),
                          fmt_rr(ratio_range(contig, a, "cpu_time", contig, b, "cpu_time"))]
            pl = placed_ratio(contig, kern)
            w(f"| {label} | " + " | ".join(cells) + f" | {fmt_rr(pl[0] if pl else None, medians=True)} |")
        w("")
    pcs = [(label, paired_ratio(contig, f"BM_Paired_CheckCost/{kern}"), kern)
           for kern, label in [("0", "fib(27)"), ("1", "tree walk 2^18")]]
    if any(p for _, p, _ in pcs):
        w("Paired (`BM_Paired_CheckCost/K`: the gscc and the flags-only kernel in alternation "
          "within every iteration, four placements each, thread CPU time; what the goal rows "
          "take): " + "; ".join(
              f"{label} {fmt_pct(p)} ({cell(contig, f'BM_Paired_CheckCost/{kern}', 'a_ns_per_call')}"
              f" vs {cell(contig, f'BM_Paired_CheckCost/{kern}', 'b_ns_per_call')} ns per call)"
              for label, p, kern in pcs if p) + ".")
        w("")
    w("| call | instrumented | plain | ratio |")
    w("| --- | --- | --- | --- |")
    for kind, label in [("0", "call into an uninstrumented library (system-stack trampoline)"),
                        ("1", "call of a libc function"),
                        ("2", "call into another instrumented file (direct via alias)")]:
        k0, k1 = f"BM_CallCost/{kind}/0", f"BM_CallCost/{kind}/1"
        w(f"| {label}, ns/call | {cell(contig, k0, 'ns_per_call')} | {cell(contig, k1, 'ns_per_call')} | "
          f"{fmt_rr(ratio_range(contig, k0, 'ns_per_call', contig, k1, 'ns_per_call'))} |")
    w("")

    # ---- switch, spawn, memory ----------------------------------------------------
    w("## Switch, spawn, memory per idle context")
    w("")
    w("| | one-way switch (ns) | spawn + finish (ns) | bytes per idle context (100k) | "
      "bytes per idle context (1M) |")
    w("| --- | --- | --- | --- | --- |")
    for m in MODES:
        w(f"| growstack {m} | {cell(gs[m], 'BM_Switch', 'ns_per_switch')} | "
          f"{cell(gs[m], 'BM_SpawnFinish', 'ns_per_spawn')} | "
          f"{fmt(gs[m].get('BM_IdleMemory/100000', 'bytes_per_context'))} | "
          f"{fmt(gs[m].get('BM_IdleMemory/1000000', 'bytes_per_context'))} |")
    for m in MODES:
        kp = next(iter(gs[m].keys("BM_Switch_FpPrivate")), None)
        if kp:
            w(f"| growstack {m}, FP control state per context (gs_fp_private) | "
              f"{cell(gs[m], kp, 'ns_per_switch')} | n/a | n/a | n/a |")
    w(f"| growstack gs_ctx_switch alone (no bookkeeping) | "
      f"{cell(contig, 'BM_Switch_Bare', 'ns_per_switch')} | n/a | n/a | n/a |")
    rows = [("stackless state machine", "stackless", "BM_Switch_Stackless", "BM_Spawn_Stackless",
             "BM_IdleMemory_Stackless"),
            ("Boost.Context fcontext", "boost", "BM_Switch_BoostFcontext", "BM_Spawn_BoostFcontext", None),
            ("Boost.Context fiber", "boost", "BM_Switch_BoostFiber", "BM_Spawn_BoostFiberDefault",
             "BM_IdleMemory_BoostFiberDefault"),
            ("Go 1.19 goroutine", "go", "BM_Switch_GoChan/1", "BM_Spawn_Go", "BM_IdleMemory_Go"),
            ("pthread", "pthread", "BM_Switch_Thread/0", "BM_Spawn_Pthread", "BM_IdleMemory_Pthread"),
            ("ucontext", "pthread", "BM_Switch_Ucontext", None, None)]
    for label, an, swk, spk, memk in rows:
        r = A(an)
        mems = []
        for n in ["100000", "1000000"]:
            ks = r.keys(f"{memk}/{n}") if memk else []
            mems.append(fmt(r.get(ks[0], "bytes_per_context")) if ks else "n/a")
        w(f"| {label} | {cell(r, swk, 'ns_per_switch') if swk else 'n/a'} | "
          f"{cell(r, spk, 'ns_per_spawn') if spk else 'n/a'} | {mems[0]} | {mems[1]} |")
    w("")
    if paired_ratio(contig, "BM_Paired_Switch"):
        w("Paired (`BM_Paired_Switch`, contiguous mode's run: blocks of 20,000 round trips of "
          "each in alternation within every iteration, thread CPU time, medians [range] over "
          f"the repetitions): growstack {cell(contig, 'BM_Paired_Switch', 'a_ns')} ns, "
          f"fcontext {cell(contig, 'BM_Paired_Switch', 'b_ns')} ns, ratio "
          f"{fmt_rr(paired_ratio(contig, 'BM_Paired_Switch'))}. The table's figures are "
          "separate benchmarks, whose repetitions can fall in different phases of the "
          "machine's speed (docs/bench/method.md).")
        w("")
    w("Fixed mode keeps two memory mappings per coroutine (stack and guard page): "
      "`vm.max_map_count` limits it to about 32,000 coroutines, so its idle-memory rows "
      "are not run at 100k and 1M. Pthread idle memory is measured at the count the anchor "
      "could create (see docs/bench/anchors.md).")
    w("")

    # ---- grow / shrink ---------------------------------------------------------------
    w("## Grow, then shrink at a yield")
    w("")
    w("| mode | us per cycle (recursion 20,000 x 128 B, then 6 idle runs) | moves per cycle | "
      "shrinks per cycle |")
    w("| --- | --- | --- | --- |")
    for m in MODES:
        w(f"| {m} | {cell(gs[m], 'BM_GrowShrink')} | {fmt(gs[m].get('BM_GrowShrink', 'moves'))} | "
          f"{fmt(gs[m].get('BM_GrowShrink', 'shrinks'))} |")
    w("")

    # ---- echo server -------------------------------------------------------------------
    echo_section(w, args.results)

    # ---- plots ------------------------------------------------------------------------
    plots = []
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for ax, var, floor in [(axes[0], "Cold", "FloorCold"), (axes[1], "Warm", "FloorWarm")]:
            depths = sorted({d for d, f in grid if f == 128})
            series = [(f"growstack {m}", gs[m], f"BM_DeepRecursion_{var}") for m in MODES]
            series += [("floor (plain C)", contig, f"BM_DeepRecursion_{floor}"),
                       ("libgcc split stack", A("libgcc"), f"BM_DeepRecursion_{var}"),
                       ("Go 1.19", A("go"), f"BM_DeepRecursion_{var}")]
            if var == "Cold":
                # Last, so that the others keep their colours in both panels.
                series.append(("growstack contiguous, new (caches kept)", contig,
                               "BM_DeepRecursion_New"))
            for label, res, prefix in series:
                ys = [res.get(f"{prefix}/{d}/128", "ns_per_frame") for d in depths]
                pts = [(d, y) for d, y in zip(depths, ys) if y is not None]
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label,
                            linestyle="--" if "new" in label else "-")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("recursion depth (128-byte frames)")
            ax.set_ylabel("ns per frame")
            ax.set_title(f"Deep recursion, {var.lower()}")
            ax.grid(True, which="both", alpha=0.3)
        axes[0].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(args.out, "deep_recursion.png"), dpi=110)
        plots.append(("deep_recursion.png", "Deep recursion, ns per frame (128-byte frames)"))
        plt.close(fig)

        fig, ax = plt.subplots(figsize=(8, 4))
        for m in MODES:
            ks = sorted(gs[m].keys("BM_HotSplit/128/"), key=lambda k: int(k.split("/")[2]))
            pts = [(int(k.split("/")[2]), gs[m].get(k, "ns_per_call")) for k in ks]
            pts = [p for p in pts if p[1] is not None]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker=".", label=f"growstack {m}")
        # libgcc in both variants: as shipped (it blocks signals around each
        # split: two sigprocmask calls) and without signal blocking.
        for prefix, label, color in [("BM_HotSplit_Sweep", "libgcc as shipped (signals blocked)", "red"),
                                     ("BM_HotSplit_SweepNoSigmask", "libgcc, no signal blocking",
                                      "darkorange")]:
            ks = sorted(A("libgcc").keys(f"{prefix}/128/"), key=lambda k: int(k.split("/")[2]))
            pts = [(int(k.split("/")[2]), A("libgcc").get(k, "ns_per_call")) for k in ks]
            pts = [p for p in pts if p[1] is not None]
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="x", linestyle=":",
                        color=color, label=f"{label}, sweep")
        lgn = A("libgcc").get(lgn_key, "ns_per_call") if lgn_key else None
        if floor_hot:
            ax.axhline(floor_hot, color="black", linestyle="--", label="floor (plain C)")
        if lg:
            ax.axhline(lg, color="red", linestyle="-.", label="libgcc as shipped, at the boundary")
        if lgn:
            ax.axhline(lgn, color="darkorange", linestyle="-.",
                       label="libgcc without signal blocking, at the boundary")
        ax.set_yscale("log")
        ax.set_xlabel("bytes above the guard where the loop runs (target)")
        ax.set_ylabel("ns per call")
        ax.set_title("Hot split: a loop calling a 128-byte frame")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(os.path.join(args.out, "hot_split.png"), dpi=110)
        plots.append(("hot_split.png", "Hot split, ns per call by boundary position"))
        plt.close(fig)
    except ImportError:
        w("(matplotlib is not installed: no plots; scripts/setup.sh report installs it)")
    report_realprog.section(realprog, w)

    if plots:
        w("## Plots")
        w("")
        for fn, title in plots:
            w(f"![{title}]({fn})")
            w("")

    errors = [(m, k, e) for m in MODES for k, e in gs[m].errors.items()]
    errors += [(a, k, e) for a, r in anc.items() for k, e in r.errors.items()]
    if errors:
        w("## Benchmarks that reported an error")
        w("")
        for src, k, e in errors:
            w(f"- {src}: `{k}`: {e}")
        w("")
    w("## Reproduce")
    w("")
    w("```sh")
    w("./scripts/report.sh                # quick: builds everything, runs this report")
    w("./scripts/report.sh --full         # every depth, frame and position, 5 repetitions")
    w("./scripts/report.sh --no-realprog  # without the section Real programs")
    w("```")
    w("")
    w("Raw JSON: the results directory given to `bench/run.sh` "
      "(growstack-<mode>.json, anchors/<anchor>.json, realprog.json, "
      "echo/echo-<server>-<count>.json with --echo).")

    with open(os.path.join(args.out, "REPORT.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    met = sum(1 for g in goals if g[3] and not g[5])
    print(f"report: {os.path.join(args.out, 'REPORT.md')} ({met}/{len(goals)} goals met)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Turn the benchmark JSON of one bench/run.sh run into docs/bench/REPORT.md.

    report.py --results DIR --out DOCDIR [--command "..."]

DIR holds growstack-{fixed,segmented,contiguous}.json (bench/gs_bench),
anchors/*.json (bench/anchors/run.sh) and, when bench/run.sh ran with --echo,
echo/echo-*.json (bench/echo/run.sh). Every ratio in the report is taken
between two numbers of the same run; each goal names both.
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


class Results:
    """Benchmarks of one JSON file, keyed by normalized name. For each: the median
    over repetitions of every numeric field, and the spread (min, max) of real_time."""

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
        runs = self.runs.get(key)
        if not runs:
            return None
        vals = [r[field] for r in runs if isinstance(r.get(field), (int, float))]
        if not vals:
            return None
        return statistics.median(vals)

    def spread(self, key, field):
        runs = self.runs.get(key, [])
        vals = [r[field] for r in runs if isinstance(r.get(field), (int, float))]
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


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


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
    w(f"- kernel: {platform.release()}; {tool_version(['clang-19', '--version'])}; "
      f"{tool_version(['gcc-12', '--version'])}; {tool_version(['/usr/lib/go-1.19/bin/go', 'version'])}")
    w(f"- repetitions per benchmark: {max((r.reps() for r in gs.values()), default=0)} "
      "(figures are medians over repetitions; where there are several, the range is given)")
    w("- every ratio compares two numbers measured in this same run; the floor is the same "
      "source built by plain clang-19 (no plugin) on an ordinary thread stack")
    pf = A("pthread").get("BM_MachineCost_PageFault/16384", "ns_per_page")
    sc = A("pthread").get("BM_MachineCost_Syscall", "ns_per_syscall")
    if pf:
        w(f"- machine costs in this run: first touch of a page {fmt(pf)} ns, a system call "
          f"{fmt(sc)} ns (they dominate every *cold* figure)")
    w("")

    # ---- goals -------------------------------------------------------------
    goals = []

    def goal(name, value, target, ok, detail):
        goals.append((name, value, target, ok, detail))

    for kern, label in [("0", "fib(27)"), ("1", "tree walk 2^18")]:
        inst = contig.get(f"BM_CheckCost/{kern}/0")
        plain = contig.get(f"BM_CheckCost/{kern}/1")
        flags = contig.get(f"BM_CheckCost/{kern}/2")
        r = ratio(inst, flags)
        rp = ratio(inst, plain)
        goal(f"prologue check cost, {label}", f"{(r - 1) * 100:+.1f}%" if r else "n/a", "< 3%",
             r is not None and r < 1.03,
             f"instrumented {fmt(inst)} us vs the same flags without the plugin {fmt(flags)} us; "
             f"vs plain -O2 (no frame pointers, locals not zeroed) {fmt(plain)} us: "
             f"{(rp - 1) * 100:+.1f}%" if rp else "")

    floor_hot = contig.get("BM_HotSplit_Floor/128", "ns_per_call")

    def worst_hot(res, frame):
        ks = [k for k in res.keys(f"BM_HotSplit/{frame}/")]
        vals = [(res.get(k, "ns_per_call"), k) for k in ks]
        vals = [v for v in vals if v[0] is not None]
        return max(vals) if vals else (None, None)

    c_worst, c_key = worst_hot(contig, 128)
    floor_flags = contig.get("BM_HotSplit_FloorFlags/128", "ns_per_call")
    r = ratio(c_worst, floor_flags)
    goal("contiguous hot split vs floor (128-byte frame, worst boundary position)",
         f"{fmt(r)}x" if r else "n/a", "within 1.10x", r is not None and r <= 1.10,
         f"{fmt(c_worst)} ns/call at {c_key} vs {fmt(floor_flags)} ns/call for the same loop "
         f"with gscc's flags and no plugin; plain -O2: {fmt(floor_hot)} ns/call")

    for mode in ["segmented", "contiguous"]:
        for var, floor in [("Cold", "FloorCold"), ("Warm", "FloorWarm")]:
            v = gs[mode].get(f"BM_DeepRecursion_{var}/1000000/128", "ns_per_frame")
            f = gs[mode].get(f"BM_DeepRecursion_{floor}/1000000/128", "ns_per_frame")
            r = ratio(v, f)
            goal(f"deep recursion 10^6 x 128 B, {var.lower()}, {mode}",
                 f"{fmt(r)}x" if r else "n/a", "within 1.5x", r is not None and r <= 1.5,
                 f"{fmt(v)} vs floor {fmt(f)} ns/frame")

    sw = contig.get("BM_Switch", "ns_per_switch")
    bsw = A("boost").get("BM_Switch_BoostFcontext", "ns_per_switch")
    goal("one-way switch vs Boost.Context fcontext", f"{fmt(sw)} vs {fmt(bsw)} ns",
         "no slower", sw is not None and bsw is not None and sw <= bsw,
         "BM_Switch (gs_resume + gs_yield / 2) vs BM_Switch_BoostFcontext")

    s_worst, s_key = worst_hot(seg, 128)
    lg = A("libgcc").get("BM_HotSplit_Worst/128/0", "ns_per_call")
    if lg is None:
        lgk = [k for k in A("libgcc").keys("BM_HotSplit_Worst/128")]
        lg = A("libgcc").get(lgk[0], "ns_per_call") if lgk else None
    goal("segmented hot split vs libgcc -fsplit-stack (128-byte frame, worst position)",
         f"{fmt(s_worst)} vs {fmt(lg)} ns/call", "faster",
         s_worst is not None and lg is not None and s_worst < lg,
         f"{s_key} vs BM_HotSplit_Worst (libgcc, signals blocked as shipped)")

    mem = contig.get("BM_IdleMemory/100000", "bytes_per_context")
    gomem = A("go").get("BM_IdleMemory_Go/100000", "bytes_per_context")
    goal("bytes per idle coroutine vs Go goroutine (100k)", f"{fmt(mem)} vs {fmt(gomem)} B",
         "no more", mem is not None and gomem is not None and mem <= gomem,
         "resident memory growth / count, contiguous mode vs Go 1.19")

    realprog = report_realprog.load(args.results)
    report_realprog.goals(realprog, goal)

    w("## Goals")
    w("")
    w("| goal | measured | target | met | from |")
    w("| --- | --- | --- | --- | --- |")
    for name, value, target, ok, detail in goals:
        w(f"| {name} | {value} | {target} | {'yes' if ok else '**no**'} | {detail} |")
    w("")

    # ---- deep recursion ------------------------------------------------------
    w("## Deep recursion")
    w("")
    w("ns per frame; *cold* = a fresh coroutine (growth and the first touch of new pages; "
      "growstack's stack caches are trimmed before each iteration), *warm* = the same "
      "recursion again on a grown stack. Floors: plain C on a fresh thread with a freshly "
      "mapped stack (cold) and again on that thread (warm). libgcc: gcc-12 -fsplit-stack "
      "with libgcc's __morestack (as shipped: it blocks signals around each split). "
      "Go 1.19 goroutines. Counters per iteration from growstack's statistics.")
    w("")
    w("| depth x frame | variant | fixed | segmented | contiguous | floor | libgcc | Go | "
      "contiguous moves | segmented splits |")
    w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    grid = sorted({tuple(map(int, k.split("/")[1:3])) for k in contig.keys("BM_DeepRecursion_Cold/")},
                  key=lambda x: (x[1], x[0]))
    for d, f in grid:
        for var, floor in [("Cold", "FloorCold"), ("Warm", "FloorWarm")]:
            k = f"BM_DeepRecursion_{var}/{d}/{f}"
            row = [fmt(gs[m].get(k, "ns_per_frame")) for m in MODES]
            row.append(fmt(contig.get(f"BM_DeepRecursion_{floor}/{d}/{f}", "ns_per_frame")))
            row.append(fmt(A("libgcc").get(k, "ns_per_frame")))
            row.append(fmt(A("go").get(k, "ns_per_frame")))
            row.append(fmt(contig.get(k, "moves")))
            row.append(fmt(seg.get(k, "splits")))
            w(f"| 10^{len(str(d)) - 1} x {f} B | {var.lower()} | " + " | ".join(row) + " |")
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
            w(f"| {f} B | {m} | {fmt(worst)} | {wk.split('/')[2] if wk else ''} | "
              f"{fmt(statistics.median(vals))} | "
              f"{fmt(gs[m].get(f'BM_HotSplit_Floor/{f}', 'ns_per_call'))} | "
              f"{fmt(gs[m].get(f'BM_HotSplit_FloorFlags/{f}', 'ns_per_call'))} | "
              f"{fmt(A('libgcc').get(lgk[0], 'ns_per_call') if lgk else None)} | "
              f"{fmt(A('libgcc').get(lgn[0], 'ns_per_call') if lgn else None)} |")
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
        w(f"| {f} B | {fmt(sv)} | {fmt(cv)} | {fmt(ratio(cv, sv))} |")
    w("")
    w("## Overflow at the limit")
    w("")
    w("A recursion without end on a coroutine until the runtime reports the overflow at "
      "GROWSTACK_MAX (1 GiB), in a forked child: ms from fork to the child's abort.")
    w("")
    w("| segmented | contiguous | contiguous / segmented |")
    w("| --- | --- | --- |")
    so = gs["segmented"].get("BM_OverflowAtLimit")
    co = gs["contiguous"].get("BM_OverflowAtLimit")
    w(f"| {fmt(so)} | {fmt(co)} | {fmt(ratio(co, so))} |")
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
        w(f"| {label} | {fmt(i)} | {fmt(fl)} | {fmt(p_)} | "
          f"{fmt(i - fl) if i is not None and fl is not None else 'n/a'} |")
    w("")

    # ---- calls ---------------------------------------------------------------------
    w("## Prologue check and calls that leave instrumented code")
    w("")
    w("gscc compiles with frame pointers and zero-initialised locals "
      "(`-ftrivial-auto-var-init=zero`: contiguous mode's conservative scan must not meet "
      "stale stack addresses in uninitialised arrays). *flags* is plain clang with those "
      "flags and no plugin: instrumented vs flags is the cost of the checks, flags vs "
      "plain the cost of the flags.")
    w("")
    w("| kernel | instrumented | flags | plain | instrumented / flags | instrumented / plain |")
    w("| --- | --- | --- | --- | --- | --- |")
    for kern, label in [("0", "fib(27), us"), ("1", "tree walk 2^18, us")]:
        i, p = contig.get(f"BM_CheckCost/{kern}/0"), contig.get(f"BM_CheckCost/{kern}/1")
        fl = contig.get(f"BM_CheckCost/{kern}/2")
        w(f"| {label} | {fmt(i)} | {fmt(fl)} | {fmt(p)} | {fmt(ratio(i, fl))} | {fmt(ratio(i, p))} |")
    w("")
    w("| call | instrumented | plain | ratio |")
    w("| --- | --- | --- | --- |")
    for kind, label in [("0", "call into an uninstrumented library (system-stack trampoline)"),
                        ("1", "call of a libc function"),
                        ("2", "call into another instrumented file (direct via alias)")]:
        i = contig.get(f"BM_CallCost/{kind}/0", "ns_per_call")
        p = contig.get(f"BM_CallCost/{kind}/1", "ns_per_call")
        w(f"| {label}, ns/call | {fmt(i)} | {fmt(p)} | {fmt(ratio(i, p))} |")
    w("")

    # ---- switch, spawn, memory ----------------------------------------------------
    w("## Switch, spawn, memory per idle context")
    w("")
    w("| | one-way switch (ns) | spawn + finish (ns) | bytes per idle context (100k) | "
      "bytes per idle context (1M) |")
    w("| --- | --- | --- | --- | --- |")
    for m in MODES:
        w(f"| growstack {m} | {fmt(gs[m].get('BM_Switch', 'ns_per_switch'))} | "
          f"{fmt(gs[m].get('BM_SpawnFinish', 'ns_per_spawn'))} | "
          f"{fmt(gs[m].get('BM_IdleMemory/100000', 'bytes_per_context'))} | "
          f"{fmt(gs[m].get('BM_IdleMemory/1000000', 'bytes_per_context'))} |")
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
        w(f"| {label} | {fmt(r.get(swk, 'ns_per_switch')) if swk else 'n/a'} | "
          f"{fmt(r.get(spk, 'ns_per_spawn')) if spk else 'n/a'} | {mems[0]} | {mems[1]} |")
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
        w(f"| {m} | {fmt(gs[m].get('BM_GrowShrink'))} | {fmt(gs[m].get('BM_GrowShrink', 'moves'))} | "
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
            for label, res, prefix in series:
                ys = [res.get(f"{prefix}/{d}/128", "ns_per_frame") for d in depths]
                pts = [(d, y) for d, y in zip(depths, ys) if y is not None]
                if pts:
                    ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=label)
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
        if floor_hot:
            ax.axhline(floor_hot, color="black", linestyle="--", label="floor (plain C)")
        if lg:
            ax.axhline(lg, color="red", linestyle=":", label="libgcc at the boundary")
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
    w("./scripts/report.sh            # quick: builds everything, runs this report")
    w("./scripts/report.sh --full     # every depth, frame and position, 5 repetitions")
    w("```")
    w("")
    w("Raw JSON: the results directory given to `bench/run.sh` "
      "(growstack-<mode>.json, anchors/<anchor>.json, realprog.json, "
      "echo/echo-<server>-<count>.json with --echo).")

    with open(os.path.join(args.out, "REPORT.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    met = sum(1 for g in goals if g[3])
    print(f"report: {os.path.join(args.out, 'REPORT.md')} ({met}/{len(goals)} goals met)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""tests/realprog/run.py --bench's method, on stand-in programs (no real build):
each case gets an untimed warm-up round of every build, its timed repetitions
run the builds in a shuffled order that the recorded seed repeats, each build
but plain next to a plain run of its own (--unpaired: every build once), a failed
warm-up run is recorded (and the plain build's stops the run), --budget adds
repetitions up to --max-reps, and bench/report_realprog.py states that method.

    realprog_bench.py SOURCE_DIR WORK_DIR
"""
import json
import os
import shutil
import subprocess
import sys

VARIANTS = ["clang", "flags", "fixed", "segmented-2k", "contiguous-2k", "contiguous-4k",
            "contiguous-8k"]


def fake_lua(work, variant, script):
    path = os.path.join(work, "builds", variant, "lua", "src", "lua")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + script + "\n")
    os.chmod(path, 0o755)


def main():
    root, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "src"))
    for v in ("clang", "flags"):
        fake_lua(work, v, "exit 0")
    # The gscc build prints growstack's statistics at exit, as GROWSTACK_STATS=1 does.
    fake_lua(work, "gscc", "echo 'growstack: stats splits=1 moves=2 pins=0 max_stack_bytes=4096' >&2")
    failures = []

    def bench(name, *extra):
        out = os.path.join(work, name + ".json")
        p = subprocess.run([sys.executable, os.path.join(root, "tests", "realprog", "run.py"),
                            "--bench", "3", "--builds", os.path.join(work, "builds"),
                            "--src", os.path.join(work, "src"), "--work", os.path.join(work, "w"),
                            "--json", out, "--programs", "lua", "--cases",
                            "pcall_deep,gsub_callback,load_nested", *extra],
                           capture_output=True, text=True)
        data = None
        if p.returncode == 0:
            with open(out) as f:
                data = json.load(f)
        return p, data

    p, a = bench("a", "--seed", "42")
    if a is None:
        print(p.stdout, p.stderr)
        return 1
    if (a.get("reps"), a.get("warmup"), a.get("seed")) != (3, 1, 42):
        failures.append(f"reps/warmup/seed {a.get('reps')}/{a.get('warmup')}/{a.get('seed')}, "
                        "expected 3/1/42")
    if len(a["cases"]) != 3:
        failures.append(f"{len(a['cases'])} cases, expected 3")
    others = [v for v in VARIANTS if v != "clang"]
    firsts, plain_first = [], []
    for cid, e in a["cases"].items():
        order = e.get("order", [])
        pairs = [o[i:i + 2] for o in order for i in range(0, len(o), 2)]
        if len(order) != 3 or any(sorted(x for x in o if x != "clang") != sorted(others)
                                  or len(o) != 2 * len(others) for o in order) \
                or any(sorted(p)[0] != "clang" or p[0] == p[1] for p in pairs):
            failures.append(f"{cid}: order {order} is not 3 rounds of every build paired with "
                            "a plain run")
        firsts += [o[0] for o in order]
        plain_first += [p[0] == "clang" for p in pairs]
        if sorted(e.get("pairs", {})) != sorted(others) or \
                any(len(r) != 3 for r in e["pairs"].values()):
            failures.append(f"{cid}: pairs {e.get('pairs')}, expected 3 ratios of every build")
        if len(e["cpu_s"].get("clang", {}).get("all", [])) != 3 * len(others):
            failures.append(f"{cid}: not {3 * len(others)} timed plain runs")
        VARIANTS_TIMED = others
        warm = e.get("warmup_cpu_s", {})
        if sorted(warm) != sorted(VARIANTS) or any(len(v) != 1 or v[0] is None for v in warm.values()):
            failures.append(f"{cid}: warmup_cpu_s {warm}, expected one run of every build")
        if e.get("warmup_failed"):
            failures.append(f"{cid}: warmup_failed {e['warmup_failed']} with builds that succeed")
        if any(len(e["cpu_s"].get(v, {}).get("all", [])) != 3 for v in VARIANTS_TIMED):
            failures.append(f"{cid}: not 3 timed runs of every build")
        if e.get("stats", {}).get("contiguous-2k", {}).get("moves") != 2:
            failures.append(f"{cid}: no growstack statistics of the gscc runs: {e.get('stats')}")
    if set(firsts) == {"clang"}:
        failures.append("the plain build is first in every repetition")
    if all(plain_first) or not any(plain_first):
        failures.append("the plain run has the same place in every pair")
    _, b = bench("b", "--seed", "42")
    if b is None or [e["order"] for e in b["cases"].values()] != \
            [e["order"] for e in a["cases"].values()]:
        failures.append("the same seed does not repeat the order")
    _, u = bench("u", "--seed", "42", "--unpaired")
    if u is None or u.get("paired") is not False or any(
            len(e["order"]) != 3 or any(sorted(o) != sorted(VARIANTS) for o in e["order"])
            or "pairs" in e for e in u["cases"].values()):
        failures.append("--unpaired did not run every build once per repetition")
    _, c = bench("c", "--warmup", "0")
    if c is None or c.get("warmup") != 0 or any(
            any(v for v in e["warmup_cpu_s"].values()) for e in c["cases"].values()):
        failures.append("--warmup 0 still ran a warm-up round")

    # The report states the method of this JSON.
    sys.path.insert(0, os.path.join(root, "bench"))
    import report_realprog
    lines = []
    report_realprog.section(a, lines.append)
    text = "\n".join(lines)
    for want in ("3 repetitions, each running every build in a shuffled order, each next to a "
                 "plain clang-19 run of its own, in a random order within the pair (seed 42;",
                 "after 1 untimed warm-up round of every build",
                 "*CPU vs plain* is the fastest run of the build over the fastest of the plain runs "
                 "paired with its runs",
                 "3 cases x (1 warm-up + 3 timed rounds) x 7 builds/modes, each timed one but"):
        if want not in text:
            failures.append(f"report: no {want!r}")
    lines = []
    report_realprog.section(u, lines.append)
    if u is not None and "3 repetitions, each running every build once in a shuffled order (seed " \
            "42;" not in "\n".join(lines):
        failures.append("report: the unpaired method is not stated for unpaired JSON")

    # --budget: short cases run more repetitions, up to --max-reps, each counted
    # per case and stated by the report; without --max-reps it is refused.
    _, g = bench("g", "--budget", "30", "--max-reps", "5")
    if g is None or (g.get("budget_s"), g.get("max_reps")) != (30, 5) or any(
            e.get("reps") != 5 or len(e["order"]) != 5 or
            any(len(r) != 5 for r in e["pairs"].values()) for e in g["cases"].values()):
        failures.append("--budget 30 --max-reps 5 did not run 5 repetitions of each (instant) case")
    elif any(e.get("reps") != 3 for e in a["cases"].values()):
        failures.append("without --budget a case did not run exactly --bench's 3 repetitions")
    else:
        lines = []
        report_realprog.section(g, lines.append)
        text = "\n".join(lines)
        for want in ("a case whose timed rounds had taken less than 30 s of wall time ran more, "
                     "up to 5 (`run.py --budget 30 --max-reps 5`", "here 5 per case",
                     "3 cases x (1 warm-up + 5 timed rounds)"):
            if want not in text:
                failures.append(f"report of --budget: no {want!r}")
    p, _ = bench("h", "--budget", "30")
    if p.returncode == 0 or "--max-reps" not in p.stderr:
        failures.append(f"--budget without --max-reps was not refused: {p.returncode} {p.stderr!r}")

    # A failed warm-up run of another build is recorded and the run goes on; the
    # plain build's stops it.
    fake_lua(work, "flags", "exit 3")
    p, d = bench("d")
    if d is None:
        failures.append(f"a failed flags-only warm-up stopped the run: {p.stderr}")
    else:
        for cid, e in d["cases"].items():
            if e.get("warmup_failed") != {"flags": 1}:
                failures.append(f"{cid}: warmup_failed {e.get('warmup_failed')}, expected flags 1")
        if "warm-up run of lua." not in p.stderr:
            failures.append(f"the failed warm-up is not reported: {p.stderr!r}")
    fake_lua(work, "clang", "exit 3")
    p, _ = bench("e")
    if p.returncode == 0 or "warm-up run of lua." not in p.stderr or "clang, failed" not in p.stderr:
        failures.append(f"a failed plain warm-up did not stop the run: {p.returncode} {p.stderr!r}")

    for f in failures:
        print("FAIL:", f)
    print(f"run.py --bench method checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

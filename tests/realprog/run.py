#!/usr/bin/env python3
"""Run real programs built by gscc in every growstack mode and compare them with
the same programs built by plain clang-19.

    run.py --builds DIR --src DIR --work DIR [--set ci|full] [--programs P,...]
           [--configs C,...] [--json FILE]
    run.py --summary --work DIR [--json FILE]      merge the JSON of earlier runs
    run.py --bench N --builds DIR --src DIR --work DIR --json FILE [--set quick|full]
           [--warmup K] [--seed S] [--budget S --max-reps M]

DIR layouts: --src is fetch.sh's DIR/src, --builds is build.sh's --out (with the
variants gscc/, clang/ and, for --bench, flags/). --work holds inputs made here,
the plain build's reference outputs (reused while the plain binary is unchanged)
and one JSON per run in work/json/.

Correctness (the default). For every case of the chosen programs: run the plain
clang build once (the reference), then the gscc build under each configuration;
a run passes when
  - its exit status equals the reference's,
  - its stdout and stderr equal the reference's (after the normalisations listed
    with each case: timings, the build directory's path; growstack's own
    GROWSTACK_STATS lines are taken out of stderr first),
  - it printed growstack's statistics (so it really ran under the runtime) and
    they show unknown_frames=0 (no frame walk met a frame it could not identify).
The statistics (splits, moves, pins, bytes copied, peak stack, ...) are written
to the JSON with pins / (moves + pins), the share of growth events refused
because a live frame was pinned. The ratio is measured, never asserted.

Benchmark (--bench N): CPU time (user + sys of the child: getrusage(RUSAGE_CHILDREN)
before and after the run) of each
bench case, N repetitions interleaved over the variants plain clang, flags-only
clang, and gscc in each mode, after an untimed warm-up round (--warmup, every
variant once), each repetition in a shuffled order of the variants (--seed,
recorded), each non-plain variant paired with a plain run of its own
(--unpaired: not); min/median/max per variant, the pair ratios, and
growstack's counters of every gscc run (median and range). Written as JSON for
bench/report.py.
"""
import argparse
import glob
import gzip
import hashlib
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# The report's estimator, for the progress line of --bench (one definition).
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
import report_realprog  # noqa: E402

# Configurations of the gscc build. GROWSTACK_STATS=1 in all of them.
CONFIGS = {
    "fixed": {"GROWSTACK_MODE": "fixed"},
    "segmented-2k": {"GROWSTACK_MODE": "segmented", "GROWSTACK_INITIAL": "2k"},
    "segmented-4k": {"GROWSTACK_MODE": "segmented", "GROWSTACK_INITIAL": "4k"},
    "contiguous-2k": {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "2k"},
    "contiguous-4k": {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "4k"},
    "contiguous-8k": {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "8k"},
    "forced-2k": {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "2k",
                  "GROWSTACK_FORCE_MOVE": "1"},
    "forced-4k": {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "4k",
                  "GROWSTACK_FORCE_MOVE": "1"},
}
BENCH_CONFIGS = ["fixed", "segmented-2k", "contiguous-2k", "contiguous-4k", "contiguous-8k"]
PROGRAMS = ["sqlite", "jq", "jq-shared", "lua", "zlib", "cjson"]
GS_ENV = [k for c in CONFIGS.values() for k in c] + [
    "GROWSTACK_STATS", "GROWSTACK_MAX", "GROWSTACK_SEGMENT", "GROWSTACK_TRACE",
    "GROWSTACK_SHRINK", "GROWSTACK_POISON"]


# --- normalisations -------------------------------------------------------

def norm_speedtest(text):
    # " 100 - 50000 INSERTs into table with no index.........    0.052s"
    return re.sub(r"(\.{3,}|\s)\s*\d+\.\d+s$", r"\1<time>", text, flags=re.M)


def norm_fuzzcheck(text):
    return re.sub(r" in \d+\.\d+ seconds", " in <time> seconds", text)


def norm_none(text):
    return text


# --- cases ----------------------------------------------------------------

class Case:
    """One command of one program. argv items may use {B} (the variant's build
    directory of this program), {S} (the program's source), {T} (tests/realprog),
    {W} (the work directory) and {P} (this process's id, for scratch files).: the argument list per set."""

    def __init__(self, program, name, argv, cwd="{B}", norm=norm_none, stdin=None,
                 env=None, binary_out=False, configs=None, timeout=900):
        self.program, self.name, self.argv, self.cwd = program, name, argv, cwd
        self.norm, self.stdin, self.env = norm, stdin, env or {}
        self.binary_out, self.timeout = binary_out, timeout
        self.configs = configs  # None: every configuration; else only these

    @property
    def id(self):
        return f"{self.program}.{self.name}"


def src_dir(args, program):
    return os.path.join(args.src, {"sqlite": "sqlite3", "jq": "jq", "jq-shared": "jq",
                                   "lua": "lua5.4", "zlib": "zlib", "cjson": "cjson"}[program])


def zlib_input(args, scale):
    """A deterministic text input for minigzip: zlib's own sources, repeated."""
    path = os.path.join(args.work, f"zlib-input-{scale}.txt")
    if not os.path.exists(path):
        parts = []
        for f in sorted(glob.glob(os.path.join(args.src, "zlib", "*.[ch]"))):
            with open(f, "rb") as fh:
                parts.append(fh.read())
        data = b"".join(parts) * scale
        tmp = path + f".{os.getpid()}"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        with gzip.open(path + ".gz.tmp", "wb", compresslevel=6) as g:
            g.write(data)
        os.replace(path + ".gz.tmp", path + ".gz")
    return path


def jq_test_subset(args, name, every):
    """Every Nth test of one of jq's test files (tests are blocks of lines
    separated by blank lines), for the forced-move runs of the CI set."""
    path = os.path.join(args.work, f"jq-{name}-every{every}.test")
    if not os.path.exists(path):
        with open(os.path.join(args.src, "jq", "tests", f"{name}.test")) as f:
            blocks = re.split(r"\n\s*\n", f.read())
        keep = [b for i, b in enumerate(blocks) if i % every == 0 and b.strip()]
        tmp = f"{path}.{os.getpid()}"
        with open(tmp, "w") as f:
            f.write("\n\n".join(keep) + "\n")
        os.replace(tmp, path)
    return path


def cases_for(args, setname):
    """The cases of each program for a set: ci (the CTest subset), full (the whole
    set, scripts/realprog.sh), quick/full bench (bench/run.sh)."""
    forced = [c for c in CONFIGS if c.startswith("forced")]
    unforced = [c for c in CONFIGS if c not in forced]
    big = setname in ("full", "bench-full")
    bench = setname.startswith("bench")
    cs = []
    # SQLite: speedtest1 on an in-memory database, and fuzzcheck over its corpus.
    size = {"ci": 10, "full": 100, "bench-quick": 100, "bench-full": 200}[setname]
    cs.append(Case("sqlite", f"speedtest1-{size}",
                   ["{B}/speedtest1", "--memdb", "--size", str(size), "--verify"],
                   norm=norm_speedtest))
    if setname == "ci":
        dbs = [4]          # 2021376 bytes, 0.15 s plain, ~3 s with forced moves
    elif setname == "bench-quick":
        dbs = [3, 4, 6]
    else:
        dbs = range(1, 9)
    # The whole corpus with forced moves takes 20 min of CPU.
    cs.append(Case("sqlite", "fuzzcheck-" + "".join(map(str, dbs)),
                   ["{B}/fuzzcheck"] + [f"{{S}}/test/fuzzdata{i}.db" for i in dbs],
                   norm=norm_fuzzcheck, timeout=900 if setname == "ci" else 7200))
    # jq: its test files through its own runner (as tests/jqtest does), and the
    # deep query of issue 11 (deep recursion in jv_equal).
    for prog in ("jq", "jq-shared"):
        env = {}
        exe = "{B}/jq"
        if prog == "jq-shared":
            exe, env = "{B}/.libs/jq", {"LD_LIBRARY_PATH": "{B}/.libs"}
        tests = ["jq", "onig", "base64"]
        if bench:  # jq.test takes 5 s: the quick bench runs it for the static build only
            tests = ["jq"] if setname == "bench-full" or prog == "jq" else []
        for t in tests:
            # Forced moves make jq slow (each jq run costs seconds before the
            # first test, compiling its builtins): in those configurations the
            # CI set runs every 32nd test of jq.test, not onig.test and base64.test.
            ci = setname == "ci"
            cs.append(Case(prog, f"{t}.test",
                           [exe, "-L", "{S}/tests/modules", "--run-tests", f"{{S}}/tests/{t}.test"],
                           env=env, configs=unforced if ci else None))
            if ci and t == "jq":
                cs.append(Case(prog, f"{t}.test-every32",
                               [exe, "-L", "{S}/tests/modules", "--run-tests",
                                jq_test_subset(args, t, 32)], env=env, configs=forced))
        depth = {"ci": 20000, "full": 200000, "bench-quick": 100000, "bench-full": 100000}[setname]
        if not bench:
            # A forced move copies the whole stack at every call: quadratic in the
            # depth, so the full set's forced runs take the CI depth.
            def query(d):
                return [exe, "-n", f"(reduce range({d}) as $i (0;[.])) as $a | $a == $a"]
            if setname == "ci":
                cs.append(Case(prog, f"deep-equal-{depth}", query(depth), env=env))
            else:
                cs.append(Case(prog, f"deep-equal-{depth}", query(depth), env=env, configs=unforced))
                cs.append(Case(prog, "deep-equal-20000", query(20000), env=env, configs=forced))
        else:  # one query takes 50 ms: the benchmark builds and compares R of them
            r = 10 if setname == "bench-quick" else 30
            cs.append(Case(prog, f"deep-equal-{depth}x{r}",
                           [exe, "-n", f"[range({r}) as $k | (reduce range({depth}) as $i ($k;[.])) "
                                       "as $a | $a == $a] | all"], env=env))
    # Lua: scripts of tests/realprog/lua, each with a size argument.
    lua_sizes = {
        "pcall_deep": {"ci": 20, "full": 200, "bench-quick": 2000, "bench-full": 5000},
        "gsub_callback": {"ci": 20, "full": 200, "bench-quick": 1000, "bench-full": 3000},
        "load_nested": {"ci": 20, "full": 200, "bench-quick": 3000, "bench-full": 10000},
        "coroutine_pingpong": {"ci": 20000, "full": 200000, "bench-quick": 1000000,
                               "bench-full": 3000000},
        "string_build": {"ci": 5, "full": 50, "bench-quick": 300, "bench-full": 1000},
    }
    for script, sizes in lua_sizes.items():
        cs.append(Case("lua", f"{script}-{sizes[setname]}",
                       ["{B}/src/lua", f"{{T}}/lua/{script}.lua", str(sizes[setname])],
                       cwd="{T}/lua"))
    # zlib: its example programs and minigzip, static (libz.a) and shared (libz.so
    # linked with zlib.map).
    # Copies of zlib's sources to compress, and (decompression is 40x faster) to
    # decompress.
    scale = {"ci": 1, "full": 4, "bench-quick": 5, "bench-full": 20}[setname]
    dscale = {"ci": 1, "full": 4, "bench-quick": 100, "bench-full": 400}[setname]
    inp, dinp = zlib_input(args, scale), zlib_input(args, dscale)
    for suffix, env in (("", {}), ("sh", {"LD_LIBRARY_PATH": "{B}"})):
        kind = "static" if not suffix else "shared"
        if not bench:
            cs.append(Case("zlib", f"example-{kind}", [f"{{B}}/example{suffix}", "{W}/tmp-{P}.gz"],
                           env=env))
        cs.append(Case("zlib", f"minigzip-{kind}-compress-x{scale}",
                       [f"{{B}}/minigzip{suffix}", "-9"], stdin=inp, env=env, binary_out=True))
        cs.append(Case("zlib", f"minigzip-{kind}-decompress-x{dscale}",
                       [f"{{B}}/minigzip{suffix}", "-d"], stdin=dinp + ".gz", env=env,
                       binary_out=True))
    # cJSON: its unit tests (Unity) and test.c, and the deep parse/print driver.
    if not bench:
        units = ["cjson_add", "compare_tests", "json_patch_tests", "minify_tests", "misc_tests",
                 "misc_utils_tests", "old_utils_tests", "parse_array", "parse_examples",
                 "parse_hex4", "parse_number", "parse_object", "parse_string", "parse_value",
                 "parse_with_opts", "print_array", "print_number", "print_object",
                 "print_string", "print_value", "readme_examples"]
        for u in units:
            cs.append(Case("cjson", f"unit.{u}", [f"{{B}}/tests/{u}"], cwd="{B}/tests"))
        cs.append(Case("cjson", "cJSON_test", ["{B}/cJSON_test"]))
    depth, rounds = {"ci": (2000, 2), "full": (20000, 3), "bench-quick": (10000, 5),
                     "bench-full": (20000, 5)}[setname]
    if setname == "full":  # forced moves: quadratic in the depth (as for jq above)
        cs.append(Case("cjson", f"deep-{depth}x{rounds}", ["{B}/cjson_deep", str(depth), str(rounds)],
                       configs=unforced))
        cs.append(Case("cjson", "deep-5000x1", ["{B}/cjson_deep", "5000", "1"], configs=forced))
    else:
        cs.append(Case("cjson", f"deep-{depth}x{rounds}", ["{B}/cjson_deep", str(depth), str(rounds)]))
    return cs


# --- running ----------------------------------------------------------------

def expand(s, case, args, variant):
    return (s.replace("{B}", os.path.join(args.builds, variant, case.program))
             .replace("{S}", src_dir(args, case.program))
             .replace("{T}", HERE).replace("{W}", args.work)
             .replace("{P}", str(os.getpid())))


def run_case(case, args, variant, extra_env, prefix=()):
    """Run one case, its command after `prefix` (icount.py: valgrind); return
    (status, stdout bytes, stderr text, cpu seconds)."""
    env = {k: v for k, v in os.environ.items() if k not in GS_ENV}
    for k, v in case.env.items():
        env[k] = expand(v, case, args, variant)
    env.update(extra_env)
    argv = list(prefix) + [expand(a, case, args, variant) for a in case.argv]
    cwd = expand(case.cwd, case, args, variant)
    stdin = open(expand(case.stdin, case, args, variant), "rb") if case.stdin else subprocess.DEVNULL
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, stdin=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=case.timeout)
        status, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        status, out, err = "timeout", e.stdout or b"", e.stderr or b""
    finally:
        if case.stdin:
            stdin.close()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return status, out, err.decode(errors="replace"), cpu


STAT_RE = re.compile(r"(\w+)=(\d+)")


def split_stats(err):
    """Separate growstack's GROWSTACK_STATS block from the program's stderr."""
    stats, rest = {}, []
    in_block = False
    for line in err.splitlines(keepends=True):
        if line.startswith("growstack: stats "):
            in_block = True
        if in_block and line.startswith("growstack:"):
            for k, v in STAT_RE.findall(line):
                stats[k] = int(v)
            continue
        in_block = False
        rest.append(line)
    return stats, "".join(rest)


def pins_ratio(stats):
    moves, pins = stats.get("moves", 0), stats.get("pins", 0)
    return pins / (moves + pins) if moves + pins else None


def normalised(case, args, variant, out, err):
    bdir = os.path.join(args.builds, variant, case.program)
    if case.binary_out:
        o = hashlib.sha256(out).hexdigest() + f" ({len(out)} bytes)"
    else:
        o = case.norm(out.decode(errors="replace").replace(bdir, "<build>"))
    return o, case.norm(err.replace(bdir, "<build>"))


def reference(case, args):
    """The plain clang build's result, cached in work/ref/ while the binary and the
    arguments are unchanged."""
    exe = expand(case.argv[0], case, args, "clang")
    key = hashlib.sha1(json.dumps([case.id, case.argv, case.stdin]).encode()).hexdigest()[:12]
    path = os.path.join(args.work, "ref", f"{case.id}.{key}.json")
    mtime = os.path.getmtime(exe)
    if os.path.exists(path):
        with open(path) as f:
            ref = json.load(f)
        if ref["mtime"] == mtime:
            return ref
    status, out, err, cpu = run_case(case, args, "clang", {})
    o, e = normalised(case, args, "clang", out, err)
    ref = {"mtime": mtime, "status": status, "stdout": o, "stderr": e, "cpu_s": cpu}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(ref, f)
    os.replace(tmp, path)
    return ref


def first_difference(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i, (x, y) in enumerate(zip(al, bl)):
        if x != y:
            return f"line {i + 1}: plain {x[:160]!r} / gscc {y[:160]!r}"
    return f"plain has {len(al)} lines, gscc {len(bl)}"


def check(case, args, config):
    ref = reference(case, args)
    env = dict(CONFIGS[config], GROWSTACK_STATS="1")
    status, out, err, cpu = run_case(case, args, "gscc", env)
    stats, err_rest = split_stats(err)
    o, e = normalised(case, args, "gscc", out, err_rest)
    problems = []
    if status != ref["status"]:
        problems.append(f"exit status {status}, plain {ref['status']}")
    if o != ref["stdout"]:
        problems.append("stdout differs: " + (o if case.binary_out else first_difference(ref["stdout"], o)))
    if e != ref["stderr"]:
        problems.append("stderr differs: " + first_difference(ref["stderr"], e))
    if not stats:
        problems.append("no growstack statistics at exit (it did not exit normally, or it does not run under growstack)")
    elif stats.get("unknown_frames", 0) != 0:
        problems.append(f"unknown_frames={stats['unknown_frames']}")
    if problems:
        tail = [l for l in err.splitlines() if l.startswith("growstack:") and "stats" not in l]
        problems += [l for l in tail[:3] if l not in problems]
    repro = " ".join(f"{k}={v}" for k, v in sorted(env.items()))
    for k, v in case.env.items():
        repro = f"{k}={expand(v, case, args, 'gscc')} " + repro
    cmd = " ".join(shq(expand(a, case, args, "gscc")) for a in case.argv)
    if case.stdin:
        cmd += " < " + expand(case.stdin, case, args, "gscc")
    return {"case": case.id, "program": case.program, "config": config, "ok": not problems,
            "problems": problems, "status": status, "cpu_s": round(cpu, 4),
            "plain_cpu_s": round(ref["cpu_s"], 4), "stats": stats, "pins_ratio": pins_ratio(stats),
            "command": f"cd {expand(case.cwd, case, args, 'gscc')} && env {repro} {cmd}"}


def shq(s):
    return s if re.fullmatch(r"[\w@%+=:,./-]+", s) else "'" + s.replace("'", "'\\''") + "'"


# --- summaries ----------------------------------------------------------------

SUM_KEYS = ["splits", "moves", "pins", "bytes_copied", "segments_new", "shrinks"]
MAX_KEYS = ["max_stack_bytes", "stack_bytes_peak"]


def summarise(results):
    """Per program and configuration: the counters summed over its cases (peaks:
    the largest), and the pins ratio of the sums."""
    table = {}
    for r in results:
        t = table.setdefault(r["program"], {}).setdefault(
            r["config"], {"cases": 0, "passed": 0, **{k: 0 for k in SUM_KEYS + MAX_KEYS}})
        t["cases"] += 1
        t["passed"] += r["ok"]
        for k in SUM_KEYS:
            t[k] += r["stats"].get(k, 0)
        for k in MAX_KEYS:
            t[k] = max(t[k], r["stats"].get(k, 0))
    for prog in table.values():
        for t in prog.values():
            t["pins_ratio"] = pins_ratio(t)
    return table


def print_summary(table, out=sys.stdout):
    print(f"{'program':10} {'config':14} {'pass':>7} {'splits':>10} {'moves':>10} {'pins':>10} "
          f"{'pins/(m+p)':>10} {'bytes_copied':>13} {'max_stack':>10}", file=out)
    for prog in sorted(table):
        for cfg in [c for c in CONFIGS if c in table[prog]]:
            t = table[prog][cfg]
            ratio = "-" if t["pins_ratio"] is None else f"{100 * t['pins_ratio']:.3f}%"
            print(f"{prog:10} {cfg:14} {t['passed']:>3}/{t['cases']:<3} {t['splits']:>10} "
                  f"{t['moves']:>10} {t['pins']:>10} {ratio:>10} {t['bytes_copied']:>13} "
                  f"{t['max_stack_bytes']:>10}", file=out)


def write_json(path, obj):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


# --- benchmark -----------------------------------------------------------------

def bench(args, cases):
    """CPU time of each case, args.bench repetitions interleaved over the variants
    (plain clang, flags-only, gscc in each mode), and growstack's counters of
    every gscc run: GROWSTACK_STATS=1 only prints them at exit (the runtime
    counts always), so the timed runs report them and no extra run is needed.

    Before the timed repetitions of a case, args.warmup untimed rounds run every
    variant once (plain first): the first run of a case pays for whatever is
    cold (its inputs' pages, the binaries', the kernel's caches), and without a
    warm-up that was always the plain build of repetition 1. Their CPU times are
    kept in the JSON (warmup_cpu_s), not in the figures. Each timed repetition
    runs the variants in a shuffled order (random.Random(seed), seed in the
    JSON), so no variant is always first, or always right after another.

    Paired (the default; --unpaired for one run of every build per repetition):
    in each repetition every other build runs right next to a run of the plain
    build of its own, in a random order within the pair, and the JSON keeps
    each pair's ratio (pairs: build -> one ratio per repetition). This VM's
    speed changes in steps that last seconds to minutes (the same plain run
    took 4.05 and 5.8 s in one repetition set); a pair's two runs, seconds
    apart, see the same step far more often than two runs a whole repetition
    apart, so the median of the pair ratios follows the builds, not the
    machine. It costs a plain run per build: 12 runs per repetition instead
    of 7 (docs/realprog.md section 6).

    Budget (--budget S, --max-reps M): after the N repetitions a case runs
    more, up to M in all, while its timed rounds have taken less than S
    seconds of wall time. On this VM a run falls into one of two speeds
    about 1.3x apart, run by run, with no order (Lua's coroutine_pingpong,
    2026-12-06: 0.27-0.29 s or 0.37 s for the same binary); the report takes
    each build's fastest run, and five runs of a build all fell on the slow
    speed often enough to decide a goal (the report of that day: Lua at 2k
    initial 1.306x of plain where 4k was 1.095x, 2k's five runs all slow).
    Short cases get the repetitions that long ones cannot afford."""
    variants = [("clang", "clang", {}), ("flags", "flags", {})] + [
        (c, "gscc", dict(CONFIGS[c], GROWSTACK_STATS="1")) for c in BENCH_CONFIGS]
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    order_rng = random.Random(seed)
    print(f"   seed {seed} (--seed {seed} with the same cases repeats this run's order of the variants)",
          flush=True)
    out = {"reps": args.bench, "budget_s": args.budget, "max_reps": args.max_reps,
           "warmup": args.warmup, "seed": seed, "set": args.set,
           "configs": BENCH_CONFIGS, "paired": not args.unpaired, "cases": {}}
    for case in cases:
        step(f"bench {case.id}")
        t0 = time.time()
        warm = {v[0]: [] for v in variants}
        warm_failed = {}
        for _ in range(args.warmup):
            for name, variant, env in variants:
                status, _, err, cpu = run_case(case, args, variant, env)
                if status != 0:
                    msg = (f"run.py: warm-up run of {case.id}, {name}, failed (status {status}): "
                           f"{err[-400:]}")
                    if name == "clang":
                        sys.exit(msg)
                    print(msg, file=sys.stderr, flush=True)
                    warm_failed[name] = warm_failed.get(name, 0) + 1
                warm[name].append(None if status != 0 else round(cpu, 4))
        warm_s = time.time() - t0
        times = {v[0]: [] for v in variants}
        stats = {c: [] for c in BENCH_CONFIGS}
        pairs = {v[0]: [] for v in variants if v[0] != "clang"}
        orders = []

        def timed(name, variant, env):
            status, _, err, cpu = run_case(case, args, variant, env)
            if status != 0 and name == "clang":
                sys.exit(f"run.py: plain build of {case.id} failed (status {status}): {err[-400:]}")
            t = None if status != 0 else cpu
            times[name].append(t)
            if variant == "gscc":
                st, _ = split_stats(err)
                if st:
                    stats[name].append(dict(st, pins_ratio=pins_ratio(st)))
            return t

        t_timed, rep = time.time(), 0
        while rep < args.bench or (rep < args.max_reps and time.time() - t_timed < args.budget):
            rep += 1
            if args.unpaired:
                order = list(variants)
                order_rng.shuffle(order)
                orders.append([v[0] for v in order])
                for name, variant, env in order:
                    timed(name, variant, env)
                continue
            others = [v for v in variants if v[0] != "clang"]
            order_rng.shuffle(others)
            order = []
            for v in others:
                pair = [variants[0], v]
                if order_rng.random() < 0.5:
                    pair.reverse()
                got = {name: timed(name, variant, env) for name, variant, env in pair}
                order += [p[0] for p in pair]
                base = got["clang"]
                pairs[v[0]].append(got[v[0]] / base if got[v[0]] is not None and base else None)
            orders.append(order)
        entry = {"argv": case.argv, "reps": rep, "cpu_s": {}, "stats": {}, "stats_range": {},
                 "failed": {}, "order": orders, **({} if args.unpaired else {"pairs": pairs}),
                 "warmup_cpu_s": warm, "warmup_failed": warm_failed,
                 "warmup_wall_s": round(warm_s, 1), "wall_s": round(time.time() - t0, 1)}
        for name, ts in times.items():
            ok = [t for t in ts if t is not None]
            if len(ok) < len(ts):
                entry["failed"][name] = len(ts) - len(ok)
            if ok:
                entry["cpu_s"][name] = {"min": min(ok), "median": statistics.median(ok),
                                        "max": max(ok), "all": ts}
        for c, runs in stats.items():
            if not runs:
                continue
            keys = sorted({k for r in runs for k in r})
            med = {}
            rng = {}
            for k in keys:
                vals = [r[k] for r in runs if r.get(k) is not None]
                if not vals:
                    med[k] = None
                    continue
                med[k] = statistics.median(vals) if k == "pins_ratio" else int(statistics.median(vals))
                rng[k] = [min(vals), max(vals)]
            entry["stats"][c] = med
            entry["stats_range"][c] = rng
        out["cases"][case.id] = entry
        med = entry["cpu_s"]
        base = med.get("clang", {}).get("median")
        if base and not args.unpaired:
            # The report's ratio: the build's fastest run over the fastest plain
            # run paired with its runs.
            fr = {n: r[0] for n in pairs if (r := report_realprog.cpu_ratio(entry, n))}
            print("   " + "  ".join(f"{n} {r:.3f}x" for n, r in fr.items())
                  + f"  (fastest runs over the fastest of their paired plain runs; plain "
                  f"{base:.3f} s; {rep} repetitions; {entry['wall_s']} s for this case, "
                  f"{entry['warmup_wall_s']} s of it warm-up)", flush=True)
        elif base:
            print("   " + "  ".join(f"{n} {med[n]['median'] / base:.3f}x" for n in med if n != "clang")
                  + f"  (plain {base:.3f} s; {entry['wall_s']} s for this case, "
                  f"{entry['warmup_wall_s']} s of it warm-up)", flush=True)
    return out


def step(msg):
    print(f"== [{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builds")
    ap.add_argument("--src")
    ap.add_argument("--work", required=True)
    ap.add_argument("--set", default="ci")
    ap.add_argument("--programs", default=",".join(PROGRAMS))
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--cases", default="", help="only cases whose id contains one of these (comma list)")
    ap.add_argument("--json")
    ap.add_argument("--summary", action="store_true")
    ap.add_argument("--bench", type=int, default=0)
    ap.add_argument("--budget", type=float, default=0,
                    help="--bench: after the N repetitions, more until the case's timed rounds "
                         "have taken this many seconds of wall time (at most --max-reps); "
                         "0: exactly N (see bench())")
    ap.add_argument("--max-reps", type=int, default=0,
                    help="--bench: the most repetitions --budget may run (needed with --budget)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="--bench: untimed rounds (every variant once) before each case's repetitions")
    ap.add_argument("--seed", type=int, default=None,
                    help="--bench: seed of the variants' order in each repetition (default: random, "
                         "recorded in the JSON)")
    ap.add_argument("--unpaired", action="store_true",
                    help="--bench: run every build once per repetition, without a plain run "
                         "next to each (see bench())")
    args = ap.parse_args()
    args.work = os.path.abspath(args.work)
    os.makedirs(args.work, exist_ok=True)

    if args.summary:
        results = []
        for f in sorted(glob.glob(os.path.join(args.work, "json", "*.json"))):
            with open(f) as fh:
                results += json.load(fh)["results"]
        if not results:
            sys.exit("run.py --summary: no results in " + os.path.join(args.work, "json"))
        table = summarise(results)
        print_summary(table)
        failed = [r for r in results if not r["ok"]]
        for r in failed:
            print(f"FAILED {r['case']} [{r['config']}]: {'; '.join(r['problems'])}")
        if args.json:
            write_json(args.json, {"summary": table, "results": results})
        print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
        return 0

    if not args.builds or not args.src:
        ap.error("--builds and --src are needed")
    args.builds, args.src = os.path.abspath(args.builds), os.path.abspath(args.src)
    programs = args.programs.split(",")
    for p in programs:
        if p not in PROGRAMS:
            ap.error(f"unknown program {p}; known: {', '.join(PROGRAMS)}")
    if args.bench:
        setname = "bench-" + ("full" if args.set == "full" else "quick")
    else:
        setname = args.set
        if setname not in ("ci", "full"):
            ap.error("--set is ci or full")
    cases = [c for c in cases_for(args, setname) if c.program in programs]
    if args.cases:
        cases = [c for c in cases if any(s in c.id for s in args.cases.split(","))]
    if args.bench:
        if not args.json:
            ap.error("--bench needs --json")
        if args.budget < 0 or (args.budget and args.max_reps < args.bench):
            ap.error("--budget needs a non-negative number of seconds and --max-reps of at least "
                     "--bench's N")
        write_json(args.json, bench(args, cases))
        return 0

    configs = args.configs.split(",")
    for c in configs:
        if c not in CONFIGS:
            ap.error(f"unknown configuration {c}; known: {', '.join(CONFIGS)}")
    results = []
    for case in cases:
        for config in configs:
            if case.configs is not None and config not in case.configs:
                continue
            t0 = time.time()
            r = check(case, args, config)
            results.append(r)
            s = r["stats"]
            ratio = "-" if r["pins_ratio"] is None else f"{100 * r['pins_ratio']:.2f}%"
            print(f"{'ok  ' if r['ok'] else 'FAIL'} {case.id:40} {config:14} {time.time() - t0:6.2f}s "
                  f"splits={s.get('splits', '?')} moves={s.get('moves', '?')} pins={s.get('pins', '?')} "
                  f"pins/(moves+pins)={ratio} max_stack={s.get('max_stack_bytes', '?')}", flush=True)
            for p in r["problems"]:
                print(f"     {p}")
            if not r["ok"]:
                print(f"     reproduce: {r['command']}")
    table = summarise(results)
    print()
    print_summary(table)
    name = args.json or os.path.join(
        args.work, "json", f"{'+'.join(programs)}.{'+'.join(configs) if len(configs) < 3 else 'all'}.json")
    write_json(name, {"set": setname, "summary": table, "results": results})
    failed = sum(not r["ok"] for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

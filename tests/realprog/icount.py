#!/usr/bin/env python3
"""icount.py - instructions executed by the real programs, per build, under callgrind.

    icount.py --builds DIR --src DIR --work DIR --json FILE [--programs P,...] [-j N]

The CPU times of run.py --bench decide the report's goals, but on this VM a run
of a third of a second moves by tens of percent from one run to the next
(docs/realprog.md section 6). Instruction counts do not move: they say how much
more work a gscc build does than the same program built by plain clang-19, and
where (docs/realprog.md section 7). They are not time: a prologue check is two
instructions that the processor fuses and predicts, a cache miss is one.

For each case (smaller inputs than the benchmark's: callgrind runs 50-100 times
slower) it runs, under `valgrind --tool=callgrind`, the plain clang build, the
flags-only build and the gscc build in fixed, segmented (2k) and contiguous
mode (2k, the default; Lua also at 4k and 8k initial, for its goal of the
three sizes within 2 % of each other). Every run must exit as the plain run did, with the same standard
output. A count repeats exactly when the program does the same work, but Lua
seeds its string hashes from time() and from addresses, and so do its counts
(one plain build, pcall_deep.lua 200: 238.7-242.1 M instructions in three
runs); under valgrind one binary's addresses repeat, another build's differ.
So each build runs --runs times (3), each run with time() pinned to another
second (an LD_PRELOAD shim), and the median count is kept, with the range. Callgrind replaces no C library function, so the thunks of malloc & co.
call glibc's directly, as in a run without Valgrind (docs/protocol.md 4.1a),
and __morestack keeps its fast split (protocol.md 5.2): no tool that tracks
memory runs.

Per case the JSON has each build's total, and what gscc in fixed mode executes
over the flags-only build (the same code but for the plugin), split into
  - trampoline: the system-stack trampoline, the indirect-call stubs and the
    thunks of calls that leave instrumented code (protocol.md 4);
  - runtime: the rest of growstack's code (what the flags-only build does not
    define: __morestack, setjmp resyncs, side-stack blocks);
  - program: the functions the flags-only build defines (their prologue
    checks, side frames, range tests of indirect calls, the zeroing of partly
    written words, and what the plugin's changes do to the code around them);
  - libraries: shared objects (the C library & co.),
and the program's functions that gained most, and the calls of them.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run  # noqa: E402  (the cases' machinery: Case, expand, normalisations)

BUILDS = [  # (key, variant directory, growstack environment)
    ("plain", "clang", {}),
    ("flags", "flags", {}),
    ("fixed", "gscc", {"GROWSTACK_MODE": "fixed"}),
    ("segmented-2k", "gscc", {"GROWSTACK_MODE": "segmented", "GROWSTACK_INITIAL": "2k"}),
    ("contiguous-2k", "gscc", {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "2k"}),
]
# Lua also at the other initial sizes of its goal (contiguous mode at 2k, 4k
# and 8k within 2 % of each other), whose CPU times this VM cannot decide.
SIZE_BUILDS = [
    ("contiguous-4k", "gscc", {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "4k"}),
    ("contiguous-8k", "gscc", {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "8k"}),
]
SIZE_PROGRAMS = ("lua",)


def builds_for(case):
    return BUILDS + (SIZE_BUILDS if case.program in SIZE_PROGRAMS else [])


def cases(args):
    """The benchmark's programs on smaller inputs (callgrind's speed)."""
    C = run.Case
    cs = [
        C("sqlite", "speedtest1-10", ["{B}/speedtest1", "--memdb", "--size", "10"],
          norm=run.norm_speedtest),
        C("jq", "deep-equal-100000x3",
          ["{B}/jq", "-n", "[range(3) as $k | (reduce range(100000) as $i ($k;[.])) "
                           "as $a | $a == $a] | all"]),
    ]
    for script, size in (("string_build", 30), ("pcall_deep", 200), ("gsub_callback", 100),
                         ("load_nested", 300), ("coroutine_pingpong", 100000)):
        cs.append(C("lua", f"{script}-{size}", ["{B}/src/lua", f"{{T}}/lua/{script}.lua", str(size)],
                    cwd="{T}/lua"))
    inp = run.zlib_input(args, 1)
    dinp = run.zlib_input(args, 10)
    cs.append(C("zlib", "minigzip-static-compress-x1", ["{B}/minigzip", "-9"], stdin=inp,
                binary_out=True))
    cs.append(C("zlib", "minigzip-static-decompress-x10", ["{B}/minigzip", "-d"],
                stdin=dinp + ".gz", binary_out=True))
    cs.append(C("cjson", "deep-2000x2", ["{B}/cjson_deep", "2000", "2"]))
    return cs


# --- callgrind's output ---------------------------------------------------------

NAME_RE = re.compile(r"^\((\d+)\)(?: (.*))?$")


def parse_callgrind(path):
    """Self cost (Ir) per (object, function), calls per callee (object,
    function) and the total. Call lines (the line after calls=) carry inclusive
    costs of the callee and are skipped."""
    names = {"ob": {}, "fn": {}, "fl": {}}
    ob = fn = None
    cob = cfn = None
    cost, calls = {}, {}
    total = None
    skip_next = False

    def name(kind, rest):
        m = NAME_RE.match(rest)
        if not m:
            return rest
        if m.group(2) is not None:
            names[kind][m.group(1)] = m.group(2)
        return names[kind].get(m.group(1), rest)

    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            c = line[0]
            if c.isdigit() or c in "+-*":
                if skip_next:
                    skip_next = False
                    continue
                parts = line.split()
                if len(parts) >= 2 and fn is not None:
                    cost[(ob, fn)] = cost.get((ob, fn), 0) + int(parts[1])
                continue
            key, _, rest = line.partition("=")
            if key == "ob":
                ob = name("ob", rest)
            elif key == "fn":
                fn = name("fn", rest)
            elif key == "cob":
                cob = name("ob", rest)
            elif key == "cfn":
                cfn = name("fn", rest)
            elif key in ("fl", "fi", "fe", "cfi", "cfl"):
                name("fl", rest)
            elif key == "calls":
                skip_next = True
                callee = (cob if cob is not None else ob, cfn)
                calls[callee] = calls.get(callee, 0) + int(rest.split()[0])
                cob = None
            elif line.startswith(("summary:", "totals:")):
                total = int(line.split()[1])
    if total is None:
        total = sum(cost.values())
    return cost, calls, total


def nm_defined(exe):
    """(address, type, name) of each symbol an executable defines (nm)."""
    out = subprocess.run(["nm", "--defined-only", exe], capture_output=True, text=True).stdout
    return [p for p in (line.split() for line in out.splitlines()) if len(p) == 3]


def thunk_names(exe):
    """The __gs_x.* symbols of a gscc executable that are thunks: no other symbol
    has their address (an instrumented function's __gs_x alias shares its)."""
    by_addr = {}
    for addr, _, name in nm_defined(exe):
        by_addr.setdefault(addr, []).append(name)
    thunks = set()
    for syms in by_addr.values():
        if any(s.startswith("__gs_x.") for s in syms) and \
                not any(not s.startswith("__gs_") for s in syms):
            thunks.update(s for s in syms if s.startswith("__gs_x."))
    return thunks


TRAMP_RE = re.compile(r"^(__gs_tramp|__gs_ic\d+$|__gs_thunk_resolve)")


def fold(cost, exe, thunks):
    """Per function of the program (keys: names; shared objects' functions as
    name@object), a gscc build's aliases and variadic bodies folded into the
    function they are: __gs_x.F (the alias of an instrumented F, when valgrind
    names the code by it) -> F, __gs_va.F (the body of a variadic F) -> F."""
    out = {}
    for (ob, fn), n in cost.items():
        f = re.sub(r"'\d+$", "", fn or "?")
        # "???": callgrind names no object for the code of a gscc build's
        # growstack_text (it resolves the functions' names all the same).
        if ob and ob != "???" and os.path.realpath(ob) != os.path.realpath(exe):
            f = f"{f}@{os.path.basename(ob)}"
        elif f in thunks:
            f = "thunk " + f[len("__gs_x."):]
        else:
            f = re.sub(r"^__gs_(x|va)\.", "", f)
        out[f] = out.get(f, 0) + n
    return out


def defined_functions(exe):
    """Names of the functions an executable defines (nm: text symbols)."""
    return {name for _, kind, name in nm_defined(exe) if kind in "tTwW"}


def category(f, program_functions):
    """trampoline, runtime (growstack's other code: what the flags-only build
    does not define), program (the functions the flags-only build defines) or
    libraries (shared objects: the C library & co.)."""
    if f.startswith("thunk ") or TRAMP_RE.match(f):
        return "trampoline"
    if "@" in f:
        return "libraries"
    return "program" if f in program_functions else "runtime"


# --- running ---------------------------------------------------------------------

FIXTIME = r"""
#include <stdlib.h>
#include <time.h>
/* icount.py: the second each run is given (ICOUNT_TIME), so that a run
 * repeats exactly (Lua seeds its string hashes from time() and addresses;
 * under valgrind the addresses of one binary repeat). */
time_t time(time_t *t)
{
    const char *s = getenv("ICOUNT_TIME");
    time_t v = s ? (time_t)strtoll(s, NULL, 10) : 1000000000;
    if (t)
        *t = v;
    return v;
}
"""


def fixtime_shim(work):
    """An LD_PRELOAD object whose time() always returns the same second."""
    src, so = os.path.join(work, "fixtime.c"), os.path.join(work, "fixtime.so")
    with open(src, "w") as f:
        f.write(FIXTIME)
    subprocess.run(["clang-19", "-O2", "-shared", "-fPIC", "-o", so, src], check=True)
    return so


def run_one(case, args, key, variant, env_extra, rep):
    out_file = os.path.join(args.work, "callgrind", f"{case.id}.{key}.{rep}.out")
    os.makedirs(os.path.dirname(out_file), exist_ok=True)
    env = dict(env_extra, ICOUNT_TIME=str(1000000000 + rep),
               LD_PRELOAD=" ".join(x for x in (args.fixtime, os.environ.get("LD_PRELOAD")) if x))
    t0 = time.time()
    status, out, err, _ = run.run_case(
        case, args, variant, env,
        prefix=["valgrind", "--tool=callgrind", "-q", f"--callgrind-out-file={out_file}"])
    o, _ = run.normalised(case, args, variant, out, "")
    return {"key": key, "status": status, "stdout": o, "out_file": out_file,
            "exe": run.expand(case.argv[0], case, args, variant), "stderr_tail": err[-400:],
            "seconds": time.time() - t0}


def measure(case, args, pool):
    futs = {(key, rep): pool.submit(run_one, case, args, key, variant, env, rep)
            for rep in range(args.runs) for key, variant, env in builds_for(case)}
    all_runs = {kr: f.result() for kr, f in futs.items()}
    problems = []
    for (k, rep), r in sorted(all_runs.items()):
        ref = all_runs[("plain", rep)]
        if r["status"] != ref["status"]:
            problems.append(f"{k}: exit status {r['status']}, plain {ref['status']}: {r['stderr_tail']}")
        elif r["stdout"] != ref["stdout"]:
            problems.append(f"{k}: standard output differs from plain's")
    problems = sorted(set(problems))
    # Per build the run of the median count (runs differ only in the second
    # time() gives: Lua's hash seed).
    runs, ir, ir_range = {}, {}, {}
    for k, _, _ in builds_for(case):
        parsed = [(parse_callgrind(all_runs[(k, rep)]["out_file"]), rep) for rep in range(args.runs)]
        parsed.sort(key=lambda x: x[0][2])
        (cost_calls_total, rep) = parsed[len(parsed) // 2]
        runs[k] = dict(all_runs[(k, rep)], parsed=cost_calls_total)
        ir[k] = cost_calls_total[2]
        ir_range[k] = [parsed[0][0][2], parsed[-1][0][2]]
    folded = {}
    gscc_exe = runs["fixed"]["exe"]
    thunks = thunk_names(gscc_exe)
    program_functions = defined_functions(runs["flags"]["exe"])
    program_calls = 0
    for k, r in runs.items():
        cost, calls, total = r["parsed"]
        folded[k] = fold(cost, r["exe"], thunks if r["exe"] == gscc_exe else set())
        if k == "fixed":
            # Calls of the program's own functions: each runs its prologue check
            # unless it has no frame at all (protocol.md 1, 2).
            called = fold(calls, r["exe"], thunks)
            program_calls = sum(n for f, n in called.items()
                                if category(f, program_functions) == "program")
    a, b = folded["flags"], folded["fixed"]
    added = {f: b.get(f, 0) - a.get(f, 0) for f in set(a) | set(b)}
    split = {"trampoline": 0, "runtime": 0, "program": 0, "libraries": 0}
    for f, d in added.items():
        split[category(f, program_functions)] += d
    top = sorted(((d, f) for f, d in added.items()
                  if category(f, program_functions) == "program"), reverse=True)[:8]
    tramp_top = sorted(((d, f) for f, d in added.items() if f.startswith("thunk ")), reverse=True)[:4]
    cmd = " ".join(run.shq(x) for x in case.argv)
    if case.stdin:
        cmd += " < " + os.path.basename(case.stdin)
    return {"case": case.id, "program": case.program, "command": cmd, "ir": ir,
            "ir_range": ir_range, "runs": args.runs,
            "problems": problems, "fixed_over_flags": split, "program_calls": program_calls,
            "top_program": [[f, a.get(f, 0), b.get(f, 0)] for d, f in top],
            "top_thunks": [[f, d] for d, f in tramp_top if d > 0],
            "seconds": {k: round(r["seconds"], 1) for k, r in runs.items()}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--builds", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--programs", default="sqlite,jq,lua,zlib,cjson")
    ap.add_argument("--cases", default="", help="only cases whose id contains one of these")
    ap.add_argument("-j", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--runs", type=int, default=3,
                    help="runs per build and case, each with another second from time(); "
                         "the median count is kept")
    args = ap.parse_args()
    for a in ("builds", "src", "work"):
        setattr(args, a, os.path.abspath(getattr(args, a)))
    os.makedirs(args.work, exist_ok=True)
    args.fixtime = fixtime_shim(args.work)
    programs = args.programs.split(",")
    known = {"sqlite", "jq", "lua", "zlib", "cjson"}
    for p in programs:
        if p not in known:
            ap.error(f"unknown program {p}; known: {', '.join(sorted(known))}")
    for _, variant, _ in BUILDS:
        d = os.path.join(args.builds, variant)
        if not os.path.isdir(d):
            ap.error(f"no build {d} (tests/realprog/build.sh --variant {variant})")
    version = subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    todo = [c for c in cases(args) if c.program in programs and
            (not args.cases or any(s in c.id for s in args.cases.split(",")))]
    results = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as pool:
        for c in todo:
            r = measure(c, args, pool)
            results.append(r)
            ir = r["ir"]
            s = r["fixed_over_flags"]
            print(f"== [{time.strftime('%H:%M:%S')}] {c.id:36} plain {ir['plain'] / 1e6:9.1f} M, "
                  f"flags {100 * (ir['flags'] / ir['plain'] - 1):+5.1f} %, "
                  f"fixed {100 * (ir['fixed'] / ir['plain'] - 1):+5.1f} %, "
                  f"segmented {100 * (ir['segmented-2k'] / ir['plain'] - 1):+5.1f} %, "
                  f"contiguous {100 * (ir['contiguous-2k'] / ir['plain'] - 1):+5.1f} % "
                  + "".join(f"({k[len('contiguous-'):]} {100 * (ir[k] / ir['plain'] - 1):+5.1f} %) "
                            for k, _, _ in SIZE_BUILDS if k in ir)
                  + f"(fixed over flags: trampoline {s['trampoline'] / 1e6:.1f} M, runtime "
                  f"{s['runtime'] / 1e6:.1f} M, program {s['program'] / 1e6:.1f} M, libraries "
                  f"{s['libraries'] / 1e6:.1f} M; "
                  f"{r['program_calls'] / 1e6:.1f} M calls of its functions)"
                  + ("" if not r["problems"] else "  PROBLEMS: " + "; ".join(r["problems"])),
                  flush=True)
    counted = [k for k, _, _ in BUILDS + SIZE_BUILDS if any(k in r["ir"] for r in results)]
    run.write_json(args.json, {"tool": version, "builds": counted, "cases": results})
    return 1 if any(r["problems"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

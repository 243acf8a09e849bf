#!/usr/bin/env python3
"""valgrind_e2e.py - run the end-to-end programs under memcheck, in every configuration.

Usage: scripts/valgrind_e2e.py [--build DIR] [-j N] [-R REGEX] [--timeout S] [--include-slow]

Takes the e2e tests that CTest knows in the build directory (`ctest --show-only`):
every test that runs a gscc-built program of tests/e2e directly, with its
configuration's environment (GROWSTACK_MODE, forced moves, ...), and runs the same
command under

    valgrind --tool=memcheck --error-exitcode=97 --trace-children=yes -q

Tests that must die (e2e_expect, run through tests/run_expect.sh) and the checks
run by cmake -P (gdb, gscc's command line) are left out, and so is
static_exe (SKIP below: valgrind's limitation with static glibc). A program passes when it
passes as usual and memcheck reports no error; the summary lists the others with
memcheck's first report. The CI subset is the CTest label `valgrind`
(tests/e2e/CMakeLists.txt); this script is the whole matrix (docs/usage.md,
"Debugging"). Needs no special build: gscc-built programs tell memcheck about
their stacks (client requests: the GROWSTACK_VALGRIND build option, on by
default) and carry DWARF 4. --include-slow also runs the cases that take hours
under memcheck (SLOW below).
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import time

VALGRIND = ["valgrind", "--tool=memcheck", "--error-exitcode=97", "--trace-children=yes",
            "-q"]

# Per program: more options, each with its reason.
EXTRA = {
    # big_alloca(3 MiB): in fixed mode a 3 MiB frame on the stack. Memcheck takes
    # any %rsp change over --max-stackframe (2 MB) for a stack switch, as it does
    # for the same alloca in any C program, and says to raise the limit.
    "alloca_vla": ["--max-stackframe=4194304"],
    # own_malloc defines the malloc family; memcheck replaces a malloc the
    # executable defines with its own unless told not to, and the program's
    # allocator (the one the test is about) would never run.
    "own_malloc": ["--soname-synonyms=somalloc=nouserintercepts"],
}
# Programs whose own checks fail under valgrind for a reason that is not a
# memory error: they pass when memcheck reports no error, whatever their status.
EMULATION = {
    # Valgrind computes x87 long double with 64-bit precision: the program's
    # strtold("1.0000000000000000001") > 1.0L check fails under valgrind for any
    # program, a plain clang-19 build too.
    "float_args": "valgrind's x87 long double has 64-bit precision",
    "float_args_O0": "valgrind's x87 long double has 64-bit precision",
    # A child traced by valgrind (--trace-children=yes) gets the program's path
    # as argv[0], not the argv[0] it was started with; the program checks it.
    "argv_envp": "valgrind sets a traced child's argv[0] to the program's path",
}
# Runs that take hours under memcheck (their forced-move configuration takes a
# minute natively: a move at every call of thousands of setjmp frames); left
# out unless --include-slow.
SLOW = {"e2e.setjmp_longjmp.contiguous-forced", "e2e.setjmp_longjmp_lld.contiguous-forced"}
# Programs left out, each with its reason.
SKIP = {
    # Memcheck cannot replace malloc in a statically linked glibc program: a plain
    # `clang-19 -static` hello world gets the same errors in glibc's start-up code.
    "static_exe": "static glibc (memcheck reports errors in glibc's own start-up)",
}


def e2e_tests(build, regex, include_slow):
    out = subprocess.run(["ctest", "--show-only=json-v1", "-R", regex], cwd=build,
                         check=True, capture_output=True, text=True).stdout
    e2e_dir = os.path.join(os.path.realpath(build), "tests", "e2e") + os.sep
    tests = []
    for t in json.loads(out)["tests"]:
        cmd = t.get("command") or []
        if not cmd or not os.path.realpath(cmd[0]).startswith(e2e_dir):
            continue
        env = {}
        disabled = False
        for p in t.get("properties", []):
            if p["name"] == "ENVIRONMENT":
                for kv in p["value"]:
                    k, _, v = kv.partition("=")
                    env[k] = v
            elif p["name"] == "DISABLED" and p["value"]:
                disabled = True
        program = os.path.basename(cmd[0])
        if program in SKIP:
            print("== valgrind: skipping %s: %s" % (t["name"], SKIP[program]))
            continue
        if t["name"] in SLOW and not include_slow:
            print("== valgrind: skipping %s: hours under memcheck (--include-slow runs it)"
                  % t["name"])
            continue
        if not disabled:
            tests.append((t["name"], EXTRA.get(program, []) + cmd, env))
    return tests


def run_one(test, timeout):
    name, cmd, env = test
    full_env = dict(os.environ)
    full_env.update(env)
    start = time.time()
    try:
        p = subprocess.run(VALGRIND + cmd, env=full_env, capture_output=True, text=True,
                           timeout=timeout)
        rc, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, err = "timeout", (e.stderr or b"").decode(errors="replace") if isinstance(
            e.stderr, bytes) else (e.stderr or "")
    return name, rc, err, time.time() - start


def first_report(err):
    lines = [l for l in err.splitlines() if re.match(r"==\d+== ", l)]
    return "\n".join(lines[:12])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.environ.get("GROWSTACK_BUILD_DIR", "build"))
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("-R", "--regex", default=r"^e2e\.")
    ap.add_argument("--timeout", type=float, default=1800)
    ap.add_argument("--include-slow", action="store_true",
                    help="also the runs that take hours under memcheck (SLOW)")
    args = ap.parse_args()
    tests = e2e_tests(args.build, args.regex, args.include_slow)
    if not tests:
        print("valgrind_e2e: no e2e program tests found in %s" % args.build, file=sys.stderr)
        return 2
    print("== valgrind: %d e2e runs under memcheck, %d at a time" % (len(tests), args.jobs))
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        for name, rc, err, secs in pool.map(lambda t: run_one(t, args.timeout), tests):
            program = name.split(".")[1]
            ok = rc == 0
            note = ""
            if not ok and program in EMULATION and rc not in (97, "timeout"):
                ok = True
                note = " (status %s: %s; no memcheck error)" % (rc, EMULATION[program])
            print("%-60s %s (%.0f s)%s" % (name, "ok" if ok else "FAILED: %s" % (
                "memcheck errors" if rc == 97 else "status %s" % rc), secs, note), flush=True)
            if not ok:
                failed.append((name, first_report(err) or err[-2000:]))
    for name, report in failed:
        print("\n--- %s\n%s" % (name, report))
    print("\n== valgrind: %d of %d runs clean" % (len(tests) - len(failed), len(tests)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

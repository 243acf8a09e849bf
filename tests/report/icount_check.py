#!/usr/bin/env python3
"""tests/realprog/icount.py on a small program of known shape, standing in for Lua
(no real build): callgrind's counts are read per build, the gscc build's thunks
are told from its instrumented functions, the calls of the program's functions
are counted, a build whose output differs is reported, and bench/report_realprog.py
renders the table.

    icount_check.py SOURCE_DIR WORK_DIR GSCC
"""
import json
import os
import shutil
import subprocess
import sys

PROGRAM = r"""
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) long work(long i)
{
    volatile char pad[64];            /* a frame, so a prologue check */
    pad[i & 63] = (char)i;
    return pad[i & 63] + i;
}

int main(void)
{
    long s = 0;
    for (long i = 0; i < 100000; i++)
        s += work(i);
    for (int i = 0; i < 1000; i++)   /* an external call: the trampoline */
        s += getpid() > 0;
    printf("%ld %s\n", s, getenv("ICOUNT_CHECK_NONE") ? "set" : "unset");
    return 0;
}
"""


def build(work, variant, cc):
    out = os.path.join(work, "builds", variant, "lua", "src", "lua")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    src = os.path.join(work, "prog.c")
    subprocess.run(cc + ["-O2", "-o", out, src], check=True)
    return out


def run_icount(root, work, name):
    out = os.path.join(work, name + ".json")
    p = subprocess.run([sys.executable, os.path.join(root, "tests", "realprog", "icount.py"),
                        "--builds", os.path.join(work, "builds"), "--src", os.path.join(work, "src"),
                        "--work", os.path.join(work, "w-" + name), "--json", out,
                        "--programs", "lua", "--cases", "string_build", "-j", "2"],
                       capture_output=True, text=True)
    data = None
    if os.path.exists(out):
        with open(out) as f:
            data = json.load(f)
    return p, data


def main():
    root, work, gscc = sys.argv[1], sys.argv[2], sys.argv[3]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "src"))
    with open(os.path.join(work, "prog.c"), "w") as f:
        f.write(PROGRAM)
    build(work, "clang", ["clang-19"])
    build(work, "flags", ["clang-19", "-ftrivial-auto-var-init=zero"])
    build(work, "gscc", [gscc])
    failures = []

    p, d = run_icount(root, work, "a")
    if p.returncode != 0 or d is None:
        print(p.stdout, p.stderr)
        return 1
    c = d["cases"][0]
    ir = c["ir"]
    print(p.stdout.strip())
    # Lua (this program stands in for it) also runs at 4k and 8k initial.
    if sorted(ir) != sorted(["plain", "flags", "fixed", "segmented-2k", "contiguous-2k",
                             "contiguous-4k", "contiguous-8k"]):
        failures.append(f"builds counted: {sorted(ir)}")
    if not ir["fixed"] > ir["flags"] > 0:
        failures.append(f"gscc fixed {ir['fixed']} not above flags-only {ir['flags']}")
    # work() is called 100,000 times; main once, from the runtime's entry.
    if not 100000 <= c["program_calls"] <= 100010:
        failures.append(f"calls of the program's functions: {c['program_calls']}, expected 100,001")
    tops = [f for f, a, b in c["top_program"]]
    if "work" not in tops:
        failures.append(f"work() is not among the functions that gained: {c['top_program']}")
    if any(f.startswith(("__gs_", "thunk ")) for f in tops):
        failures.append(f"growstack's code counted as the program's: {tops}")
    thunks = [f for f, n in c["top_thunks"]]
    if "thunk getpid" not in thunks:
        failures.append(f"getpid's thunk not found: {c['top_thunks']}")
    split = c["fixed_over_flags"]
    if split["trampoline"] <= 1000 * 5:
        failures.append(f"trampoline {split['trampoline']} for 1,000 external calls")
    if split["program"] < 100000 * 2:
        failures.append(f"program {split['program']}: less than a check per call of work()")

    # The report's table.
    sys.path.insert(0, os.path.join(root, "bench"))
    import report_realprog
    lines = []
    report_realprog.icount_section(d, lines.append)
    text = "\n".join(lines)
    for want in ("### Instructions", f"| {c['case']} |", "work +",
                 f"Contiguous mode at 2k, 4k and 8k initial (the goal of the three sizes within "
                 f"2 % of each other), over plain: {c['case']} "):
        if want not in text:
            failures.append(f"report: no {want!r}")
    # The goal row of the three sizes cites the counts.
    sizes = report_realprog._icount_sizes({"icount": d})
    want = f"the largest count over the smallest {max(ir[k] for k in ir if k.startswith('contiguous')) / min(ir[k] for k in ir if k.startswith('contiguous')):.3f}x, worst {c['case']}"
    if want not in sizes:
        failures.append(f"goal row: {sizes!r} lacks {want!r}")

    # A build whose output differs is reported, and the run fails.
    with open(os.path.join(work, "prog.c")) as f:
        src = f.read()
    with open(os.path.join(work, "prog.c"), "w") as f:
        f.write(src.replace('"unset"', '"UNSET"'))
    build(work, "flags", ["clang-19", "-ftrivial-auto-var-init=zero"])
    p, d = run_icount(root, work, "b")
    if p.returncode == 0 or d is None or not any("flags" in x for x in d["cases"][0]["problems"]):
        failures.append(f"a flags-only build with other output was not reported: {p.returncode} "
                        f"{d and d['cases'][0]['problems']}")

    for f in failures:
        print("FAIL:", f)
    print(f"icount.py checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""longjmp_wrappers_jump.py OBJDUMP ARCHIVE - the longjmp wrappers jump, never call.

runtime/longjmp.c's __wrap_longjmp, __wrap__longjmp, __wrap_siglongjmp and
__wrap___longjmp_chk must reach the C library's function with a jump (a tail
call): a call would push a return address that the longjmp never pops, and
the processor's return prediction then misses the returns after the landing
(Lua's coroutines longjmp at every yield: 1.29x of plain clang with a call,
1.02x with a jump; see longjmp.c). This reads the archive's code: each wrapper
must refer to a __real_ function, and never from a call instruction.
"""
import re
import subprocess
import sys

WRAPPERS = ["__wrap_longjmp", "__wrap__longjmp", "__wrap_siglongjmp", "__wrap___longjmp_chk"]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: longjmp_wrappers_jump.py OBJDUMP ARCHIVE")
    objdump, archive = sys.argv[1:]
    out = subprocess.run([objdump, "-dr", "--no-show-raw-insn", archive], check=True,
                         capture_output=True, text=True).stdout
    funcs = {}  # name -> list of (instruction, relocation target or None)
    cur = None
    for line in out.splitlines():
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if m:
            cur = funcs.setdefault(m.group(1), []) if m.group(1) in WRAPPERS else None
            continue
        if cur is None:
            continue
        r = re.match(r"^\s+[0-9a-f]+:\s+R_X86_64_\w+\s+([\w.]+)", line)
        if r:
            if cur:
                cur[-1] = (cur[-1][0], r.group(1))
            continue
        i = re.match(r"^\s+[0-9a-f]+:\s+(\S+)", line)
        if i:
            cur.append((i.group(1), None))
    failures = []
    for w in WRAPPERS:
        insns = funcs.get(w)
        if not insns:
            failures.append(f"{w}: not found in {archive}")
            continue
        to_real = [(op, t) for op, t in insns if t and t.startswith("__real_")]
        if not to_real:
            failures.append(f"{w}: no reference to a __real_ function")
        for op, t in to_real:
            if op.startswith("call"):
                failures.append(f"{w}: `{op}` of {t} (a call: it must be a jump)")
            elif not op.startswith("j"):
                failures.append(f"{w}: `{op}` refers to {t}, not a jump")
        print(f"{w}: " + ", ".join(f"{op} {t}" for op, t in to_real))
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""GCC's split-stack tests that use threads and variadic recursion, under gscc.

    gcc_split.py extract --work DIR
    gcc_split.py build --gscc PATH --work DIR --test split-2 --opt 0
    gcc_split.py run --work DIR --test split-2 --opt 0 --config segmented

gcc.dg/split-2.c recurses 10 MB deep (1000 frames of 10,000 bytes) in a thread
made by pthread_create; split-3.c does the same in a variadic function that
checks ten variadic arguments at every level, under an 8 MiB RLIMIT_STACK. They
come from Debian's gcc-12-source (the tarball is only read, never committed):
`extract` copies both into the work directory. `build` compiles one with gscc (their dg-options are -pthread
-fsplit-stack; gscc makes every function split-stack itself, and clang's own
-fsplit-stack would give the variadic function a prologue the backend refuses,
so only -pthread is passed). `run` runs it in one of the five configurations
of tests/e2e: like a dg-do run test, it passes when it exits with status 0.
In fixed mode the program runs with GROWSTACK_MAX=64m: 10 MB does not fit the
default 8 MiB of a fixed stack.
"""
import argparse
import os
import subprocess
import sys
import tarfile

TARBALL = "/usr/src/gcc-12/gcc-12.2.0-dfsg.tar.xz"
TESTS = ["split-2", "split-3"]
MEMBER = "gcc-12.2.0/gcc/testsuite/gcc.dg/{}.c"
CONFIGS = {
    "fixed": {"GROWSTACK_MODE": "fixed", "GROWSTACK_MAX": "64m"},
    "segmented": {"GROWSTACK_MODE": "segmented"},
    "contiguous": {"GROWSTACK_MODE": "contiguous"},
    "segmented-tiny": {"GROWSTACK_MODE": "segmented", "GROWSTACK_INITIAL": "2k",
                       "GROWSTACK_SEGMENT": "2k"},
    "contiguous-forced": {"GROWSTACK_MODE": "contiguous", "GROWSTACK_INITIAL": "2k",
                          "GROWSTACK_FORCE_MOVE": "1"},
}


def paths(args):
    src = os.path.join(args.work, args.test + ".c")
    exe = os.path.join(args.work, f"{args.test}.O{args.opt}")
    return src, exe


def extract(args):
    """Both sources in one pass over the tarball (reading it takes most of a minute)."""
    os.makedirs(args.work, exist_ok=True)
    wanted = {MEMBER.format(t): t for t in TESTS}
    with tarfile.open(TARBALL) as tf:
        for m in tf:
            if m.name in wanted:
                dst = os.path.join(args.work, wanted[m.name] + ".c")
                with open(dst + ".tmp", "wb") as f:
                    f.write(tf.extractfile(m).read())
                os.replace(dst + ".tmp", dst)
                del wanted[m.name]
                if not wanted:
                    break
    if wanted:
        print(f"not in {TARBALL}: {', '.join(wanted)}")
        return 1
    print(f"extracted {', '.join(TESTS)} to {args.work}")
    return 0


def build(args):
    src, exe = paths(args)
    if not os.path.exists(src):
        print(f"{src} is missing: run 'extract' first")
        return 1
    cmd = [args.gscc, f"-O{args.opt}", "-w", "-pthread", src, "-o", exe]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        print(" ".join(cmd))
        print(p.stdout.decode(errors="replace"))
        return 1
    print(f"built {exe}")
    return 0


def run(args):
    _, exe = paths(args)
    env = dict(os.environ)
    env.update(CONFIGS[args.config])
    env["GROWSTACK_STATS"] = "1"
    try:
        p = subprocess.run([exe], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=args.timeout)
    except subprocess.TimeoutExpired:
        print(f"{args.test} -O{args.opt} [{args.config}]: timed out after {args.timeout} s")
        return 1
    err = p.stderr.decode(errors="replace")
    print(err, end="")
    if p.returncode != 0:
        print(f"{args.test} -O{args.opt} [{args.config}]: FAILED with status {p.returncode}")
        return 1
    print(f"{args.test} -O{args.opt} [{args.config}]: passed")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=["extract", "build", "run"])
    ap.add_argument("--gscc")
    ap.add_argument("--work", required=True)
    ap.add_argument("--test", choices=TESTS)
    ap.add_argument("--opt", choices=["0", "2"])
    ap.add_argument("--config", choices=list(CONFIGS))
    ap.add_argument("--timeout", type=float, default=240)
    args = ap.parse_args()
    if args.action == "extract":
        return extract(args)
    if not args.test or not args.opt:
        sys.exit(f"{args.action} needs --test and --opt")
    if args.action == "build":
        if not args.gscc:
            sys.exit("build needs --gscc")
        return build(args)
    if not args.config:
        sys.exit("run needs --config")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())

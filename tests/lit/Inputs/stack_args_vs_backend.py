#!/usr/bin/env python3
"""Checks gs::stackArgBytes (N, protocol.md section 3) against the backend.

For random function signatures it compares the N the plugin puts in the
entry alias `__gs_x<N>.fK` of each definition with the ARGS the x86-64
backend itself puts in the split-stack prologue of that definition
(`movl $ARGS, %r11d` before `callq __morestack`): the number of bytes of
incoming stack arguments. Exits 1 and prints the signature on a mismatch.
"""
import argparse
import random
import re
import subprocess
import sys

SCALARS = ["i1", "i8", "i16", "i32", "i64", "i128", "i96", "ptr", "half",
           "bfloat", "float", "double", "fp128", "x86_fp80"]
VECTORS = ["<2 x float>", "<4 x float>", "<2 x double>", "<2 x i32>",
           "<4 x i32>", "<8 x i16>", "<16 x i8>", "<1 x i64>", "<1 x double>",
           "<3 x float>", "<2 x i64>", "<2 x ptr>", "<4 x half>", "<2 x i8>"]
AGGREGATES = ["{ i64, double }", "{ float, float }", "[2 x i64]",
              "{ i64, i64 }", "[3 x double]", "{ i32, { i64, float } }",
              "{ i128, i8 }", "{}", "[2 x <4 x float>]"]
BYVAL = ["ptr byval(%S24) align 8", "ptr byval([3 x i64]) align 8",
         "ptr byval({ i8 }) align 1", "ptr byval(<4 x float>) align 16",
         "ptr byval([0 x i8]) align 1", "ptr byval(i128) align 32",
         "ptr byval(%S24)", "ptr byval(x86_fp80)", "ptr byval({ i8, i8, i8 }) align 4"]
AVX = ["<8 x float>", "<4 x double>", "<4 x i64>"]
AVX512 = ["<16 x float>", "<8 x double>", "<8 x i64>"]
RETURNS = ["void", "i32", "i64", "i128", "double", "{ i64, i64 }",
           "{ double, double }", "x86_fp80", "{ i64, i64, i64 }",
           "{ i64, i64, i64, i64 }", "{ double, double, double }",
           "<4 x float>", "{ <4 x float>, <4 x float>, <4 x float> }", "fp128",
           "{ x86_fp80, x86_fp80 }", "{ x86_fp80, x86_fp80, x86_fp80 }",
           "{ i128, i64 }", "{ i128, i128 }", "ptr", "float", "{ float, float, float }"]
FEATURES = {
    "sse": "+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87",
    "avx": "+avx,+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+sse3,+sse4.1,+sse4.2,+ssse3,+x87",
    "avx512": "+avx,+avx2,+avx512f,+cmov,+cx8,+f16c,+fma,+fxsr,+mmx,+sse,+sse2,+sse3,+sse4.1,+sse4.2,+ssse3,+x87",
}


def random_signature(rng, features):
    pool = SCALARS * 3 + VECTORS + AGGREGATES + BYVAL
    if features != "sse":
        pool += AVX * 2
    if features == "avx512":
        pool += AVX512 * 2
    params = []
    ret = rng.choice(RETURNS)
    if rng.random() < 0.1:
        params.append("ptr sret({ [5 x i64] }) align 8")
        ret = "void"
    for _ in range(rng.randint(0, 16)):
        params.append(rng.choice(pool))
    if rng.random() < 0.1:
        params.insert(rng.randint(0, len(params)), "ptr nest")
    return ret, params


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--opt", required=True)
    ap.add_argument("--llc", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=300)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    lines = ['target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-'
             'i64:64-i128:128-f80:128-n8:16:32:64-S128"',
             'target triple = "x86_64-pc-linux-gnu"',
             "%S24 = type { i64, i64, i64 }",
             "declare void @sink(ptr)"]
    sigs = {}
    for k in range(args.count):
        features = rng.choice(list(FEATURES))
        ret, params = random_signature(rng, features)
        sigs[k] = (features, ret, params)
        body = ["  %buf = alloca [8 x i8]", "  call void @sink(ptr %buf)"]
        body.append("  ret void" if ret == "void" else f"  ret {ret} zeroinitializer")
        plist = ", ".join(f"{p} %a{i}" for i, p in enumerate(params))
        lines.append(f'define {ret} @f{k}({plist}) "target-features"="{FEATURES[features]}" {{')
        lines += body
        lines.append("}")
    module = "\n".join(lines) + "\n"

    ir = subprocess.run([args.opt, "-load-pass-plugin", args.plugin,
                         "-passes=growstack", "-S", "-o", "-"],
                        input=module, capture_output=True, text=True)
    if ir.returncode != 0:
        sys.stderr.write(ir.stderr)
        return 2
    aliases = {}
    for m in re.finditer(r"^@__gs_x(\d*)\.f(\d+) = ", ir.stdout, re.M):
        aliases[int(m.group(2))] = int(m.group(1) or 0)

    asm = subprocess.run([args.llc, "-O0", "-o", "-"], input=ir.stdout,
                         capture_output=True, text=True)
    if asm.returncode != 0:
        sys.stderr.write(asm.stderr)
        return 2
    backend = {}
    current = None
    for line in asm.stdout.splitlines():
        m = re.match(r"^f(\d+):", line)
        if m:
            current = int(m.group(1))
            continue
        m = re.match(r"^\s*movl\s+\$(\d+), %r11d", line)
        if m and current is not None and current not in backend:
            backend[current] = int(m.group(1))

    bad = 0
    modelled = 0
    for k, (features, ret, params) in sigs.items():
        if k not in backend:
            print(f"f{k}: no split-stack prologue found")
            bad += 1
            continue
        if k not in aliases:
            continue  # stackArgBytes declined this signature
        modelled += 1
        if aliases[k] != backend[k]:
            bad += 1
            print(f"MISMATCH f{k} [{features}] {ret} ({', '.join(params)}): "
                  f"plugin N={aliases[k]} backend ARGS={backend[k]}")
    print(f"{modelled} of {len(sigs)} signatures modelled, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

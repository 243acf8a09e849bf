// -Rpass=growstack reports each instrumented function; -Rpass-missed=growstack
// each function left alone and each pinned frame, with the reason.
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack -Rpass-missed=growstack 2>&1 | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass-missed=growstack 2>&1 | FileCheck %s --check-prefix=WHOLE

#include <setjmp.h>

jmp_buf env;
void sink(int *);

// CHECK: remarks.c:[[@LINE+1]]:{{[0-9]+}}: remark: instrumented 'plain' [-Rpass=growstack]
int plain(int x) { return x * 2; }

// CHECK: remarks.c:[[@LINE+3]]:{{[0-9]+}}: remark: frame of 'leaky' pinned: the address of a local may escape here (passed to a callee that may keep it) [-Rpass-missed=growstack]
void leaky(void) {
  int x;
  sink(&x);
}
// CHECK: remark: instrumented 'leaky' (pinned) [-Rpass=growstack]

// CHECK: remarks.c:[[@LINE+2]]:{{[0-9]+}}: remark: frame of 'jumps' pinned: it calls a returns_twice function [-Rpass-missed=growstack]
int jumps(void) {
  if (setjmp(env))
    return 1;
  return 0;
}
// CHECK: remark: instrumented 'jumps' (pinned) [-Rpass=growstack]

// A variadic definition becomes a shell and a body (VarargShell.h).
// CHECK: remark: instrumented 'vary' (variadic shell, no check of its own) [-Rpass=growstack]
// CHECK: remark: instrumented '__gs_va.vary' [-Rpass=growstack]
void vary(int n, ...) {}

// One whose body would see the shell's return address stays whole.
// WHOLE: remarks.c:[[@LINE+2]]:{{[0-9]+}}: remark: variadic 'whole' not split into shell and body: it reads its frame or return address (the body would see the shell's) [-Rpass-missed=growstack]
// WHOLE: remarks.c:[[@LINE+1]]:{{[0-9]+}}: remark: 'whole' not instrumented: variadic definition (split-stack does not support varargs); calls to it from instrumented code run on the system stack [-Rpass-missed=growstack]
void *whole(int n, ...) { return __builtin_return_address(0); }

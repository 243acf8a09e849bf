// -Rpass=growstack reports each instrumented function; -Rpass-missed=growstack
// each function left alone and each pinned frame, with the reason.
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack -Rpass-missed=growstack 2>&1 | FileCheck %s

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

// CHECK: remarks.c:[[@LINE+1]]:{{[0-9]+}}: remark: 'vary' not instrumented: variadic definition (split-stack does not support varargs); calls to it from instrumented code run on the system stack [-Rpass-missed=growstack]
void vary(int n, ...) {}

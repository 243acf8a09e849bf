// -Rpass=growstack reports each instrumented function and the locals it moved
// to the side stack; -Rpass-missed=growstack each function left alone and
// each pinned frame, with the reason.
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack -Rpass-missed=growstack 2>&1 | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass-missed=growstack 2>&1 | FileCheck %s --check-prefix=WHOLE

#include <setjmp.h>
#include <unistd.h>

jmp_buf env;
void sink(int *);
void sink2(char *);
void *keepframe;

// CHECK: remarks.c:[[@LINE+1]]:{{[0-9]+}}: remark: instrumented 'plain' [-Rpass=growstack]
int plain(int x) { return x * 2; }

// buf (20 bytes, 16-aligned) at 0, x at 20: 24 bytes rounded to 32.
// CHECK: remarks.c:[[@LINE+1]]:{{[0-9]+}}: remark: 'leaky': 2 locals on the side stack (32 bytes): x (passed to a callee that may keep it), buf (passed to a callee that may keep it) [-Rpass=growstack]
void leaky(void) {
  int x;
  char buf[20];
  int y = 0;
  sink(&x);
  sink2(buf);
  sink(0);
  (void)y;
}
// CHECK: remark: instrumented 'leaky' (side frame) [-Rpass=growstack]

// CHECK: remark: instrumented 'jumps' (side frame) (setjmp buffers registered) [-Rpass=growstack]
int jumps(void) {
  if (setjmp(env))
    return 1;
  return 0;
}

// CHECK: remarks.c:[[@LINE+3]]:{{[0-9]+}}: remark: frame of 'frame' pinned: the frame address is taken, or a va_list of it escapes [-Rpass-missed=growstack]
void frame(void) {
  int x;
  keepframe = __builtin_frame_address(0);
  sink(&x);
}
// CHECK: remark: instrumented 'frame' (pinned) [-Rpass=growstack]

// CHECK: remarks.c:[[@LINE+2]]:{{[0-9]+}}: remark: frame of 'forks' pinned: it calls a returns_twice function outside the setjmp family [-Rpass-missed=growstack]
int forks(void) {
  return vfork();
}

long double twice(long double);
// CHECK: remarks.c:[[@LINE+2]]:{{[0-9]+}}: remark: frame of 'x87' pinned: an x87 long double lives in a stack slot across a call here [-Rpass-missed=growstack]
long double x87(long double a) {
  return twice(a * a);
}

// A variadic definition becomes a shell and a body (VarargShell.h).
// CHECK: remark: instrumented 'vary' (variadic shell, no check of its own) [-Rpass=growstack]
// CHECK: remark: instrumented '__gs_va.vary' [-Rpass=growstack]
void vary(int n, ...) {}

// One whose body would see the shell's return address stays whole.
// WHOLE: remarks.c:[[@LINE+2]]:{{[0-9]+}}: remark: variadic 'whole' not split into shell and body: it reads its frame or return address (the body would see the shell's) [-Rpass-missed=growstack]
// WHOLE: remarks.c:[[@LINE+1]]:{{[0-9]+}}: remark: 'whole' not instrumented: variadic definition (split-stack does not support varargs); calls to it from instrumented code run on the system stack [-Rpass-missed=growstack]
void *whole(int n, ...) { return __builtin_return_address(0); }

// The pass's statistics. Debian's LLVM is a release build where -stats
// prints nothing; clang's -save-stats writes them (JSON) next to the output.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O0 -c -save-stats=obj -o %t/stats.o %s
// RUN: FileCheck %s < %t/stats.stats

#include <setjmp.h>
#include <string.h>
#include <unistd.h>

int ext(int *);
int variadic(int n, ...) { return n; } /* a shell and a body */
__attribute__((annotate("growstack_nosplit"))) int optout(int n) { return n; }
jmp_buf env;
int *keep;
void *frame;
struct big { long a[4]; };
void take(struct big *);

// x (stored to a global) moves; a jb node for setjmp: a side frame of 32
// bytes (x at 0, the 24-byte node at 8, 32 rounded).
int side(void) {
  int x = 0;
  keep = &x;
  if (setjmp(env))
    return 1;
  return ext(&x);
}

// An escaping byval argument is copied into a 32-byte side frame.
void byval(struct big b) { take(&b); }

// Pinned three ways. The frame address pins before any local is looked at;
// z's escape leaves it on the moving stack of a frame pinned for vfork, and
// so does x87's parameter slot (a long double passed to a call pins).
int frame_address(void) {
  int y = 0;
  frame = __builtin_frame_address(0);
  return ext(&y);
}
long double twice(long double);
long double x87(long double a) { return twice(a * 2); }
// Computes with long double in locals (a.addr and b at -O0, moved to a
// 32-byte side frame): not pinned.
long double x87_local(long double a) {
  long double b = a * 2;
  return b;
}
int forks(void) {
  int z;
  ext(&z);
  return vfork();
}

// The conditional's phi can only be side or forks, both instrumented here:
// called without the range test.
int calls(int (*fp)(int), const char *s) {
  return fp(1) + variadic(2, 3) + optout(4) + side() + (int)strlen(s) +
         (s[0] ? side : forks)();
}

// CHECK-DAG: "growstack.NumByvalCopies": 1
// CHECK-DAG: "growstack.NumCallsAllowlisted": 1
// CHECK-DAG: "growstack.NumCallsExternal": 5
// CHECK-DAG: "growstack.NumCallsIndirect": 1
// CHECK-DAG: "growstack.NumCallsKnownTargets": 1
// CHECK-DAG: "growstack.NumCallsLocalThunk": 1
// CHECK-DAG: "growstack.NumEntryAliases": 8
// CHECK-DAG: "growstack.NumInstrumented": 9
// CHECK-DAG: "growstack.NumJbNodes": 1
// CHECK-DAG: "growstack.NumPinned": 3
// CHECK-DAG: "growstack.NumPinnedEscape": 1
// CHECK-DAG: "growstack.NumPinnedFrameAddress": 1
// CHECK-DAG: "growstack.NumPinnedSetjmp": 1
// CHECK-DAG: "growstack.NumPinnedX87": 1
// CHECK-DAG: "growstack.NumRecords": 9
// CHECK-DAG: "growstack.NumResyncs": 2
// CHECK-DAG: "growstack.NumSideBytes": 96
// CHECK-DAG: "growstack.NumSideFrames": 3
// CHECK-DAG: "growstack.NumSideLocals": 4
// CHECK-DAG: "growstack.NumSideLocalsPinned": 2
// CHECK-DAG: "growstack.NumSideStateSaves": 1
// CHECK-DAG: "growstack.NumSkippedDeclaration": 6
// CHECK-DAG: "growstack.NumSkippedOptOut": 1
// CHECK-DAG: "growstack.NumVarargSplit": 1
// CHECK-DAG: "growstack.NumX87Movable": 1

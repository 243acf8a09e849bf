// The pass's statistics. Debian's LLVM is a release build where -stats
// prints nothing; clang's -save-stats writes them (JSON) next to the output.
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O0 -c -save-stats=obj -o %t/stats.o %s
// RUN: FileCheck %s < %t/stats.stats

#include <setjmp.h>
#include <string.h>

int ext(int *);
int variadic(int n, ...) { return n; } /* a shell and a body */
__attribute__((annotate("growstack_nosplit"))) int optout(int n) { return n; }
jmp_buf env;
int *keep;

int pinned(void) {
  int x = 0;
  keep = &x;
  if (setjmp(env))
    return 1;
  return ext(&x);
}

int calls(int (*fp)(int), const char *s) {
  return fp(1) + variadic(2, 3) + optout(4) + pinned() + (int)strlen(s);
}

// CHECK-DAG: "growstack.NumCallsExternal": 1
// CHECK-DAG: "growstack.NumCallsIndirect": 1
// CHECK-DAG: "growstack.NumCallsLocalThunk": 1
// CHECK-DAG: "growstack.NumEntryAliases": 3
// CHECK-DAG: "growstack.NumInstrumented": 4
// CHECK-DAG: "growstack.NumPinnedEscape": 1
// CHECK-DAG: "growstack.NumPinnedSetjmp": 1
// CHECK-DAG: "growstack.NumRecords": 4
// CHECK-DAG: "growstack.NumResyncs": 1
// CHECK-DAG: "growstack.NumSkippedDeclaration": 3
// CHECK-DAG: "growstack.NumSkippedOptOut": 1
// CHECK-DAG: "growstack.NumVarargSplit": 1
// CHECK-DAG: "growstack.NumCallsAllowlisted": 1

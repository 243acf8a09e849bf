// A variadic definition is not instrumented (the backend aborts on
// split-stack varargs): a remark, no crash, and calls to it from instrumented
// code go through a private thunk with N of the call (protocol.md 2, 3, 4).
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass-missed=growstack 2>&1 | FileCheck --check-prefix=REMARK %s
// RUN: %clang -O2 -c -o /dev/null %s
// RUN: %clang -O0 -c -o /dev/null %s

#include <stdarg.h>

// REMARK: remark: 'sum' not instrumented: variadic definition (split-stack does not support varargs)
// CHECK: define dso_local i64 @sum(i32 noundef %n, ...) [[SUM:#[0-9]+]] {
long sum(int n, ...) {
  va_list ap;
  long s = 0;
  va_start(ap, n);
  for (int i = 0; i < n; i++)
    s += va_arg(ap, long);
  va_end(ap);
  return s;
}

// Eight longs: six in registers, two (16 bytes) on the stack.
// CHECK-LABEL: define dso_local i64 @caller()
// CHECK: call i64 (i32, ...) @__gs_x16.sum(i32 noundef 7, i64 noundef 1,
long caller(void) { return sum(7, 1L, 2L, 3L, 4L, 5L, 6L, 7L); }

// CHECK: define private void @__gs_x16.sum()
// CHECK-NEXT: call void asm sideeffect "leaq ${0:c}(%rip), %r10\0A\09movl $$16, %r11d\0A\09jmp __gs_tramp@PLT", "s"(ptr @sum)
// CHECK: attributes [[SUM]] =
// CHECK-NOT: split-stack
// CHECK-SAME: {{$}}

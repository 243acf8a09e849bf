// The code of a variadic shell (VarargShell.h, protocol.md 2.2): no prologue
// check, a frame pointer, 208 bytes (register save area, va_list, alignment)
// plus the return address and %rbp: 224 bytes of stack, within the part of the
// guard slack GS_STACK_GUARD leaves to unchecked code (368 bytes, gs_arch.h).
// The body is called, never jumped to (the va_list is in the shell's frame),
// and has the split-stack check. A shell whose call of the body passes
// stack arguments adds them (at most 64 bytes, MaxShellStackArgBytes).
// RUN: %clang -O0 -S -o - %s | FileCheck %s
// RUN: %clang -O2 -S -o - %s | FileCheck %s
// RUN: %clang -O2 -S -o - %s -Rpass-missed=growstack 2>&1 | FileCheck %s --check-prefix=TOOBIG

#include <stdarg.h>

struct big { long a[9]; };

// CHECK-LABEL: sum:
// CHECK-NOT:   __morestack
// CHECK:       pushq %rbp
// CHECK-NEXT:  .cfi_def_cfa_offset 16
// CHECK-NEXT:  .cfi_offset %rbp, -16
// CHECK-NEXT:  movq %rsp, %rbp
// CHECK-NEXT:  .cfi_def_cfa_register %rbp
// CHECK-NEXT:  subq $208, %rsp
// CHECK-NOT:   __morestack
// CHECK:       callq __gs_va.sum
// CHECK-NOT:   jmp __gs_va.sum
// CHECK:       .size sum,
long sum(int n, ...) {
  va_list ap;
  long s = 0;
  va_start(ap, n);
  while (n-- > 0)
    s += va_arg(ap, long);
  va_end(ap);
  return s;
}

// Six integer registers are taken by fixed arguments and the va_list
// pointer needs a seventh: 8 bytes of stack arguments.
// CHECK-LABEL: seven:
// CHECK-NOT:   __morestack
// CHECK:       subq ${{2[0-9][0-9]}}, %rsp
// CHECK:       callq __gs_va.seven
// CHECK:       .size seven,
long seven(long a, long b, long c, long d, long e, long f, ...) {
  va_list ap;
  va_start(ap, f);
  long g = va_arg(ap, long);
  va_end(ap);
  return a + b + c + d + e + f + g;
}

// 72 bytes of struct by value: more than 64, the function stays whole.
// TOOBIG: remark: variadic 'by_value' not split into shell and body: its fixed arguments would take 72 bytes of stack in the shell's call (at most 64)
long by_value(struct big b, ...) { return b.a[0]; }

// CHECK-LABEL: __gs_va.sum:
// CHECK:       cmpq %fs:112, %rsp
// CHECK:       callq __morestack

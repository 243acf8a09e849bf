// A variadic definition becomes a shell with its name and an instrumented body
// (VarargShell.h, protocol.md 2.2): the shell has no prologue check (the
// backend refuses split-stack varargs) but lives in growstack_text with a
// frame pointer and a record (GS_REC_VASHELL = 128); its body is F's code with
// va_start turned into a copy of the shell's va_list. Calls to it from this
// module are direct; calls to a variadic function of another object take the
// indirect form (direct when it is instrumented text), except C library
// functions, which keep their thunk.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack 2>&1 | FileCheck --check-prefix=REMARK %s
// RUN: %clang -O2 -c -o /dev/null %s
// RUN: %clang -O0 -c -o /dev/null %s

#include <stdarg.h>
#include <stdio.h>

// The shell's record (v2: func, flags, name, reserved): flags 128, no other
// flag, no name (only pinned functions are named).
// CHECK: @__gs_rec.sum = private constant { i32, i32, i32, i32 } {{.*}}, i32 128, i32 0, i32 0 }, section "gs_records"
// CHECK: @__gs_rec.__gs_va.sum = private constant { i32, i32, i32, i32 } {{.*}}, i32 0, i32 0, i32 0 }, section "gs_records"
// Other objects' calls with N = 0 bind to it directly.
// CHECK: @__gs_x.sum = dso_local alias i64 (i32, ...), ptr @sum

// REMARK: remark: instrumented 'sum' (variadic shell, no check of its own)
// REMARK: remark: instrumented '__gs_va.sum'
// CHECK: define dso_local i64 @sum(i32 noundef %[[N:[a-z0-9]+]], ...) #[[SHELL:[0-9]+]] section "growstack_text" {
// CHECK-NEXT: entry:
// CHECK-NEXT:   %gs.ap = alloca [24 x i8], align 16
// CHECK-NEXT:   call void @llvm.va_start.p0(ptr %gs.ap)
// CHECK-NEXT:   %[[R:[0-9]+]] = notail call i64 @__gs_va.sum(i32 noundef %[[N]], ptr noundef nonnull "growstack-va-list" %gs.ap)
// CHECK-NEXT:   call void @llvm.va_end.p0(ptr %gs.ap)
// CHECK-NEXT:   ret i64 %[[R]]
long sum(int n, ...) {
  va_list ap;
  long s = 0;
  va_start(ap, n);
  for (int i = 0; i < n; i++)
    s += va_arg(ap, long);
  va_end(ap);
  // A second traversal starts again at the first variadic argument.
  va_start(ap, n);
  s += va_arg(ap, long);
  va_end(ap);
  return s;
}

long ext_sum(int n, ...);

// Eight longs: six in registers, two (16 bytes) on the stack.
// CHECK-LABEL: define dso_local i64 @caller()
// CHECK: call i64 (i32, ...) @sum(i32 noundef 7, i64 noundef 1,
// CHECK: call i64 (ptr, i32, ...) @__gs_ic16(ptr nest @ext_sum, i32 noundef 7,
// CHECK: call i32 (ptr, ...) @__gs_x.printf(
long caller(void) {
  return sum(7, 1L, 2L, 3L, 4L, 5L, 6L, 7L) + ext_sum(7, 1L, 2L, 3L, 4L, 5L, 6L, 7L) +
         printf("%d\n", 1);
}

// The body: F's fixed parameters and the shell's va_list (marked for the
// escape analysis: it points to the moving stack); both va_starts
// became copies of it, field by field (gp_offset, fp_offset,
// overflow_arg_area, reg_save_area: loads the shell's stores forward to).
// CHECK: define internal i64 @__gs_va.sum(i32 noundef %{{[a-z0-9]+}}, ptr noundef nonnull "growstack-va-list" %[[VA:[a-z0-9.]+]]) unnamed_addr #[[BODY:[0-9]+]] section "growstack_text" {
// CHECK-NOT: llvm.va_start
// CHECK-NOT: llvm.va_copy
// CHECK: load volatile i32, ptr %{{[a-z0-9]+}}, align 4
// CHECK: load volatile i32, ptr %{{[a-z0-9]+}}, align 4
// CHECK: getelementptr inbounds i8, ptr %[[VA]], i64 8
// CHECK: load volatile ptr, ptr %{{[a-z0-9]+}}, align 8
// CHECK: getelementptr inbounds i8, ptr %[[VA]], i64 16
// CHECK: load volatile ptr, ptr %{{[a-z0-9]+}}, align 8
// CHECK: getelementptr inbounds i8, ptr %[[VA]], i64 16
// CHECK-NOT: llvm.va_start
// CHECK: ret i64

// CHECK: attributes #[[SHELL]] = {
// CHECK-NOT: split-stack
// CHECK-SAME: "frame-pointer"="all"
// CHECK-NOT: split-stack
// CHECK-SAME: }
// The body keeps its frame pointer, hence its check, even as a leaf: its shell
// ran unchecked (protocol.md 2).
// CHECK: attributes #[[BODY]] = { {{.*}}"frame-pointer"="all"{{.*}}"split-stack"

// At -O2 (the pass runs after the optimiser) the same shape.
// O2-LABEL: define dso_local i64 @sum(i32 noundef %{{[a-z0-9]+}}, ...)
// O2: notail call i64 @__gs_va.sum(i32 noundef %{{[a-z0-9]+}}, ptr noundef nonnull "growstack-va-list" %gs.ap)
// O2-LABEL: define internal i64 @__gs_va.sum(

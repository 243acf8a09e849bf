// A va_list holds addresses of the variadic arguments, on the moving stack
// (protocol.md 7.1): it never goes to the side stack, where a move would leave
// them stale. Passed to a function it does not escape (variadic-va-list-pass.c);
// captured any other way (its address stored in a global, or in a struct
// that goes to an unknown callee) it pins the frame, whether it is a variadic
// body's va_list or one filled by va_copy in a function that is not variadic
// (recognised by its type, %struct.__va_list_tag). A struct holding both a
// va_list and a long double does not move to the side stack for the long
// double either: the frame is pinned for x87 instead.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack -Rpass-missed=growstack 2>&1 | FileCheck --check-prefix=REMARK %s

#include <stdarg.h>
#include <stdio.h>

void user_vformat(const char *f, va_list ap);
va_list *g_ap;
struct holder {
  const char *f;
  va_list *ap;
};
void reg(struct holder *);

// Flags: 3 = PINNED|ESCAPE; 17 = PINNED|X87; 32 = SIDE (never here).
// CHECK-DAG: @__gs_rec.__gs_va.body_global = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 3, i32 {{.*}}, i32 0 }
// CHECK-DAG: @__gs_rec.__gs_va.body_holder = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 3, i32 {{.*}}, i32 0 }
// CHECK-DAG: @__gs_rec.copy_global = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 3, i32 {{.*}}, i32 0 }
// CHECK-DAG: @__gs_rec.copy_holder = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 3, i32 {{.*}}, i32 0 }
// CHECK-DAG: @__gs_rec.x87_beside = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 17, i32 {{.*}}, i32 0 }

// REMARK-NOT: on the side stack
// REMARK: remark: frame of 'copy_global' pinned: the frame address is taken, or a va_list of it escapes
// REMARK: remark: frame of 'copy_holder' pinned: the frame address is taken, or a va_list of it escapes
// REMARK: remark: frame of 'x87_beside' pinned: an x87 long double lives in a stack slot across a call here
// REMARK: remark: frame of '__gs_va.body_global' pinned: the frame address is taken, or a va_list of it escapes
// REMARK: remark: frame of '__gs_va.body_holder' pinned: the frame address is taken, or a va_list of it escapes
// REMARK-NOT: on the side stack

// Not variadic: aq, filled by va_copy from a parameter, is a va_list by its
// type (before, an escape sent it to the side stack).
// CHECK-LABEL: define dso_local void @copy_global(
// CHECK-NOT: __gs_side
// CHECK: ret void
void copy_global(const char *f, va_list ap) {
  va_list aq;
  va_copy(aq, ap);
  g_ap = &aq;
  user_vformat(f, aq);
  va_end(aq);
}

// CHECK-LABEL: define dso_local void @copy_holder(
// CHECK-NOT: __gs_side
// CHECK: ret void
void copy_holder(const char *f, va_list ap) {
  va_list aq;
  va_copy(aq, ap);
  struct holder h = {f, &aq};
  reg(&h);
  va_end(aq);
}

// b would move to the side stack for its long double (x87.c), but it holds
// a va_list.
struct both {
  va_list ap;
  long double x;
};
// CHECK-LABEL: define dso_local x86_fp80 @x87_beside(
// CHECK-NOT: __gs_side
// CHECK: ret x86_fp80
long double x87_beside(const char *f, va_list ap) {
  struct both b;
  va_copy(b.ap, ap);
  b.x = va_arg(b.ap, long double);
  vprintf(f, b.ap);
  long double r = b.x;
  va_end(b.ap);
  return r * 2;
}

// The bodies follow the other functions in the output.
// CHECK-LABEL: define internal void @__gs_va.body_global(
// CHECK-NOT: __gs_side
// CHECK: ret void
void body_global(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  g_ap = &ap;
  user_vformat(f, ap);
  va_end(ap);
}

// h escapes to reg(), and &ap with it (the escaping set is closed): h would go
// to the side stack, ap cannot, so the frame is pinned and both stay.
// CHECK-LABEL: define internal void @__gs_va.body_holder(
// CHECK-NOT: __gs_side
// CHECK: ret void
void body_holder(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  struct holder h = {f, &ap};
  reg(&h);
  va_end(ap);
}

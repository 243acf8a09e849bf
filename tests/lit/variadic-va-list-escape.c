// A variadic body's va_list holds addresses of the variadic arguments, on the
// moving stack (protocol.md 7.1): it never goes to the side stack. Handed to
// vsnprintf & co. (the library table: deep, nothing kept) it stays in the
// frame and pins nothing; handed to a function that may keep it, it pins the
// body's frame; a local whose address escapes beside it still moves.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack -Rpass-missed=growstack 2>&1 | FileCheck --check-prefix=REMARK %s

#include <stdarg.h>
#include <stdio.h>

void vkeep(const char *f, va_list ap);
void take(int *);

// Flags: 0 = nothing; 3 = PINNED|ESCAPE; 32 = SIDE.
// CHECK-DAG: @__gs_rec.__gs_va.fmt = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.__gs_va.fwd = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 3, i32 {{.*}}, i32 0 }
// CHECK-DAG: @__gs_rec.__gs_va.mixed = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }

// REMARK-NOT: '__gs_va.fmt': {{.*}} on the side stack
// REMARK: remark: frame of '__gs_va.fwd' pinned: the frame address is taken, or a va_list of it escapes
// REMARK: remark: '__gs_va.mixed': 1 local on the side stack (16 bytes): {{.*}}(passed to a callee that may keep it)

// CHECK-LABEL: define internal {{.*}}i32 @__gs_va.fmt(
// CHECK-NOT: __gs_side
// CHECK: ret i32
int fmt(char *buf, size_t len, const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = vsnprintf(buf, len, f, ap);
  va_end(ap);
  return n;
}

int fwd(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  vkeep(f, ap);
  va_end(ap);
  return 0;
}

// x escapes and moves to the side frame; ap, copied from it, stays.
// CHECK-LABEL: define internal void @__gs_va.mixed(
// CHECK: alloca [1 x %struct.__va_list_tag]
// CHECK: ret void
void mixed(const char *f, ...) {
  int x = 0;
  va_list ap, aq;
  va_start(ap, f);
  va_copy(aq, ap);
  take(&x);
  vprintf(f, aq);
  va_end(aq);
  va_end(ap);
}

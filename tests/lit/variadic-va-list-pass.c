// A va_list passed to a function, any function, does not escape
// (protocol.md 7.1): in C the callee may use it (or a pointer to it) only
// through va_arg/va_copy/va_end, during the call. It stays in the frame, on
// the moving stack: no pin, never on the side stack. Recognised by its IR type
// (%struct.__va_list_tag) or as the shell's va_list, never by the callee's name:
// a user function declared here and defined in another file, a `va_list *`
// parameter, a function pointer, and a va_list copied with va_copy in a
// function that is not variadic (which went to the side stack before, with
// its pointers into the moving stack).
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack -Rpass-missed=growstack 2>&1 | FileCheck --check-prefix=REMARK %s
// RUN: %clang -O2 -c -o /dev/null %s -Rpass=growstack -Rpass-missed=growstack 2>&1 | FileCheck --check-prefix=REMARK %s

#include <stdarg.h>

// Defined in another file: to this module a callee that may keep anything.
const char *user_vformat(void *out, const char *f, va_list ap);
int user_vformat_ptr(const char *f, va_list *app);
void take(int *);
extern int (*vhook)(const char *, va_list);

// Flags: 0 = nothing; 32 = SIDE. No record is pinned.
// CHECK-DAG: @__gs_rec.__gs_va.fwd = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.__gs_va.fwd_ptr = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.__gs_va.fwd_hook = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.copy_fwd = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.__gs_va.mixed = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }

// REMARK-NOT: pinned
// REMARK-NOT: '__gs_va.fwd{{.*}}': {{.*}} on the side stack
// REMARK-NOT: 'copy_fwd': {{.*}} on the side stack
// REMARK: remark: '__gs_va.mixed': 1 local on the side stack (16 bytes): x (passed to a callee that may keep it)
// REMARK-NOT: pinned

// Not variadic (its checks come first: the bodies follow the other
// functions in the output): aq is filled by va_copy from a va_list parameter (whose
// pointers lead into the moving stack of the variadic caller).
// CHECK-LABEL: define dso_local {{.*}}ptr @copy_fwd(
// CHECK-NOT: __gs_side
// CHECK: alloca [1 x %struct.__va_list_tag]
// CHECK-NOT: __gs_side
// CHECK: ret ptr
const char *copy_fwd(void *out, const char *f, va_list ap) {
  va_list aq;
  va_copy(aq, ap);
  const char *r = user_vformat(out, f, aq);
  va_end(aq);
  return r;
}

// The body hands its va_list to a user function and returns what it gave
// back (lua_pushfstring's shape): neither the call nor the return makes the
// va_list escape. It is the shell's va_list itself (one va_start, only passed
// on: variadic-shared-va-list.c), which no side frame holds either.
// CHECK-LABEL: define internal {{.*}}ptr @__gs_va.fwd(
// CHECK-NOT: __gs_side
// CHECK-NOT: alloca [1 x %struct.__va_list_tag]
// CHECK: call {{.*}}ptr @__gs_x.user_vformat(
// CHECK-NOT: __gs_side
// CHECK: ret ptr
const char *fwd(void *out, const char *f, ...) {
  const char *r;
  va_list ap;
  va_start(ap, f);
  r = user_vformat(out, f, ap);
  va_end(ap);
  return r;
}

// A pointer to the va_list (C11 7.16p3, footnote: the caller may use the
// va_list again after the call).
// CHECK-LABEL: define internal {{.*}}i32 @__gs_va.fwd_ptr(
// CHECK-NOT: __gs_side
// CHECK: ret i32
int fwd_ptr(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = user_vformat_ptr(f, &ap);
  n += user_vformat_ptr(f, &ap);
  va_end(ap);
  return n;
}

// Through a function pointer.
// CHECK-LABEL: define internal {{.*}}i32 @__gs_va.fwd_hook(
// CHECK-NOT: __gs_side
// CHECK: ret i32
int fwd_hook(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = vhook(f, ap);
  va_end(ap);
  return n;
}

// x escapes and moves to the side frame; ap, passed on beside it, stays the
// shell's (on the moving stack).
// CHECK-LABEL: define internal void @__gs_va.mixed(
// CHECK-NOT: alloca [1 x %struct.__va_list_tag]
// CHECK: gs.side.ready:
// CHECK: call {{.*}} @__gs_x.user_vformat(ptr noundef %{{[a-z0-9.]+}}, ptr noundef %{{[a-z0-9.]+}}, ptr noundef {{(nonnull )?}}%{{(gs.va|arraydecay[0-9]*)}})
// CHECK: ret void
void mixed(void *out, const char *f, ...) {
  int x = 0;
  va_list ap;
  va_start(ap, f);
  take(&x);
  user_vformat(out, f, ap);
  va_end(ap);
}

// A body with one va_start, run at most once a call, whose va_list is only
// read, passed on and ended uses the shell's va_list itself: no local va_list,
// no copy (protocol.md 2.2). Anything else keeps the field-by-field copy: a
// va_start in a loop, a setjmp in the function, the va_list's address stored.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -ftrivial-auto-var-init=zero -S -emit-llvm -o - %s | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t
// RUN: %clang -O2 -c -save-stats=obj -o %t/shared.o %s
// RUN: FileCheck --check-prefix=STATS %s < %t/variadic-shared-va-list.stats

#include <setjmp.h>
#include <stdarg.h>

int user_vformat(const char *f, va_list ap);
extern va_list *saved;
extern jmp_buf jb;

// STATS: "growstack.NumVaListsShared": 2

// CHECK-LABEL: define internal {{.*}}i64 @__gs_va.total(
// CHECK-SAME: ptr noundef nonnull "growstack-va-list" %gs.va)
// CHECK-NOT: alloca [1 x %struct.__va_list_tag]
// CHECK-NOT: load volatile
// CHECK-NOT: llvm.va_start
// CHECK: ret i64
long total(int n, ...) {
  va_list ap;
  long s = 0;
  va_start(ap, n);
  for (int i = 0; i < n; i++)
    s += va_arg(ap, long);
  va_end(ap);
  return s;
}

// CHECK-LABEL: define internal {{.*}}i32 @__gs_va.forward(
// CHECK-NOT: alloca [1 x %struct.__va_list_tag]
// CHECK-NOT: load volatile
// CHECK: call {{.*}}i32 @__gs_x.user_vformat(ptr noundef %{{[a-z0-9.]+}}, ptr noundef {{(nonnull )?}}%{{(gs.va|arraydecay[0-9]*)}})
// CHECK: ret i32
int forward(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int r = user_vformat(f, ap);
  va_end(ap);
  return r;
}

// va_start in a loop: each turn starts again at the first argument.
// CHECK-LABEL: define internal {{.*}}i64 @__gs_va.twice(
// CHECK: load volatile i32
// CHECK: ret i64
long twice(int n, ...) {
  long s = 0;
  for (int k = 0; k < 2; k++) {
    va_list ap;
    va_start(ap, n);
    s += va_arg(ap, long);
    va_end(ap);
  }
  return s;
}

// A setjmp: a longjmp could run the va_start again.
// CHECK-LABEL: define internal {{.*}}i64 @__gs_va.jumps(
// CHECK: load volatile i32
// CHECK: ret i64
long jumps(int n, ...) {
  va_list ap;
  if (setjmp(jb))
    return -1;
  va_start(ap, n);
  long s = va_arg(ap, long);
  va_end(ap);
  return s;
}

// The va_list's address stored where the caller's code may find it later.
// CHECK-LABEL: define internal {{.*}}i64 @__gs_va.stores(
// CHECK: load volatile i32
// CHECK: ret i64
long stores(int n, ...) {
  va_list ap;
  va_start(ap, n);
  saved = &ap;
  long s = va_arg(ap, long);
  va_end(ap);
  saved = 0;
  return s;
}

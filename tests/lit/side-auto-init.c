// gscc zeroes locals (-ftrivial-auto-var-init=zero) for the moving stack's
// relocation scan. A local moved to the side stack, which never moves, keeps
// its zeroing too: the plugin runs after the optimiser, which has relied on it.
// Here dead-store elimination deletes the program's own `s.buf[3] = 0` as
// redundant with the zeroing (strlen between them keeps the two from being
// merged into one memset); dropping the zeroing would leave buf[3]
// uninitialised (protocol.md 7.1; tests/e2e/side_zero_store.c runs it).
// RUN: %clang -O2 -ftrivial-auto-var-init=zero -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -ftrivial-auto-var-init=zero -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O0
// gscc at -O1 and above leaves locals over 32 bytes unzeroed by clang
// (-ftrivial-auto-var-init-max-size=32): the optimiser then keeps the
// program's own zero store, and the side-stack copy needs no zeroing at all.
// RUN: %clang -O2 -ftrivial-auto-var-init=zero -ftrivial-auto-var-init-max-size=32 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=MAX

struct S {
  long len;
  long a;
  char buf[64];
  long tail;
};
void keep(struct S *);

// CHECK-LABEL: define {{.*}}@zero_store_folded(
// CHECK: call {{.*}} @__gs_side_alloc(i64 96,
// CHECK: call void @llvm.memset{{.*}} i64 88,
// CHECK: call void @__gs_x{{[0-9]*}}.keep(
// O0-LABEL: define {{.*}}@zero_store_folded(
// O0: call {{.*}} @__gs_side_alloc(
// O0: call void @llvm.memset{{.*}} i64 88,
// MAX-LABEL: define {{.*}}@zero_store_folded(
// MAX: call {{.*}} @__gs_side_alloc(i64 96,
// MAX-NOT: memset
// MAX: store i8 0,
// MAX-NOT: memset
// MAX: call void @__gs_x{{[0-9]*}}.keep(
long zero_store_folded(const char *p) {
  struct S s;
  long n = (long)__builtin_strlen(p);
  s.buf[3] = 0;
  s.a = n;
  keep(&s);
  return s.buf[3];
}

// gscc zeroes locals (-ftrivial-auto-var-init=zero) for the moving stack's
// relocation scan; a local moved to the side stack, which never moves, keeps
// no zeroing (protocol.md 7.1, usage.md): its "auto-init" memset is dropped.
// A local that stays on the moving stack keeps its own.
// RUN: %clang -O2 -ftrivial-auto-var-init=zero -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -ftrivial-auto-var-init=zero -S -emit-llvm -o - %s | FileCheck %s

void keep(char *);
int sum(const char *__attribute__((noescape)), int);

// CHECK-LABEL: define {{.*}}@escapes(
// CHECK: call {{.*}} @__gs_side_alloc(i64 112,
// CHECK-NOT: memset{{.*}} i64 100,
// CHECK: {{^}}  ret i32
int escapes(void) {
  char buf[100];
  keep(buf);
  return buf[3];
}

// CHECK-LABEL: define {{.*}}@stays(
// CHECK-NOT: __gs_side_alloc
// CHECK: memset{{.*}} i64 100,{{.*}}!annotation
// CHECK: {{^}}  ret i32
__attribute__((noinline)) int stays(int n) {
  char buf[100];
  for (int i = 0; i < n && i < 100; i++)
    buf[i] = (char)i;
  return sum(buf, n);
}

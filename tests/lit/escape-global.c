// Storing the address of a local into a global lets it escape: the local lives
// on the side stack and the record is SIDE (32, protocol.md 2.1 and 7.1), at
// -O0 and at -O2.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack 2>&1 | FileCheck --check-prefix=REMARK %s

int *global;
void work(void);

// CHECK: @__gs_rec.publish = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }, section "gs_records"
// CHECK-LABEL: define {{.*}} @publish(
// CHECK-NOT: alloca
// CHECK: store ptr %{{.*}}, ptr @global
// REMARK: escape-global.c:[[@LINE+1]]:{{[0-9]+}}: remark: 'publish': 1 local on the side stack (16 bytes): x (stored to memory that may be outside the frame)
void publish(void) {
  int x = 1;
  global = &x;
  work();
  global = 0;
}

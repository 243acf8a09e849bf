// Storing the address of a local into a global lets it escape: the record is
// PINNED|ESCAPE (3, protocol.md 2.1), at -O0 and at -O2.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass-missed=growstack 2>&1 | FileCheck --check-prefix=REMARK %s

int *global;
void work(void);

// CHECK: @__gs_rec.publish = private constant { i32, i32 } { i32 {{.*}}, i32 3 }, section "gs_records"
// REMARK: escape-global.c:[[@LINE+3]]:10: remark: frame of 'publish' pinned: the address of a local may escape here (stored to memory that may be outside the frame)
void publish(void) {
  int x = 1;
  global = &x;
  work();
  global = 0;
}

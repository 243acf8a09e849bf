// __builtin_frame_address reaches every local of the frame: the frame stays
// pinned (PINNED|ESCAPE = 3, named) and nothing moves to the side stack, not
// even a local that escapes on its own (protocol.md 7.1).
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s

void keep(int *);
void *where;

// CHECK: @__gs_rec.frame = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 3, i32 trunc {{.*}}@__gs_name.frame{{.*}}, i32 0 }
// CHECK-LABEL: define dso_local void @frame(
// CHECK-NOT: __gs_side
// CHECK: %x = alloca i32
// CHECK-NOT: __gs_side
// CHECK: ret void
void frame(void) {
  int x = 1;
  where = __builtin_frame_address(0);
  keep(&x);
}

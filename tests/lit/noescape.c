// __attribute__((noescape)) on a user's declaration is honoured: clang emits
// nocapture, and a local passed there stays on the moving stack (protocol.md
// 7.1). The same declaration without the attribute moves it.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s

void look(__attribute__((noescape)) int *p, int *q);

// CHECK-DAG: @__gs_rec.first = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.second = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }

// CHECK-LABEL: define dso_local i32 @first(
// CHECK-NOT: __gs_side
// CHECK: ret i32
int first(void) {
  int x = 1;
  look(&x, 0);
  return x;
}

// CHECK-LABEL: define dso_local i32 @second(
// CHECK: __gs_side
// CHECK: ret i32
int second(void) {
  int x = 1;
  look(0, &x);
  return x;
}

// The thunk declaration carries the callee's parameter attributes.
// CHECK: declare void @__gs_x.look(ptr nocapture noundef, ptr noundef)

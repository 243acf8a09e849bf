// An escaping VLA (or alloca()) cannot live on the side stack: its frame stays
// pinned, PINNED|ESCAPE|DYNALLOCA (11, protocol.md 2.1, 7.1), and its record
// is named. A VLA that does not escape pins nothing, and a fixed-size
// escaping array beside it moves. (A VLA whose size folded to a constant:
// side-fixed-vla.ll.)
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=CHECK
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=CHECK
// RUN: %clang -O2 -c -o /dev/null %s -Rpass-missed=growstack 2>&1 | FileCheck %s --check-prefix=REMARK

void keep(char *);
void fill(__attribute__((noescape)) char *, int);

// CHECK-DAG: @__gs_rec.escaping_vla = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 11, i32 trunc {{.*}}@__gs_name.escaping_vla{{.*}}, i32 0 }
// CHECK-DAG: @__gs_name.escaping_vla = private unnamed_addr constant [13 x i8] c"escaping_vla\00"
// REMARK: remark: frame of 'escaping_vla' pinned: the address of a VLA, alloca() or stacksave may escape here (passed to a callee that may keep it)
int escaping_vla(int n) {
  char buf[n];
  keep(buf);
  return buf[0];
}

// DYNALLOCA|SIDE = 40.
// CHECK-DAG: @__gs_rec.quiet_vla = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 40, i32 0, i32 0 }
int quiet_vla(int n) {
  char buf[n];
  char fixed[16];
  fill(buf, n);
  keep(fixed);
  return buf[0] + fixed[1];
}


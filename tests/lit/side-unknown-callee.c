// A local whose address goes to an unknown function lives on the side stack
// (protocol.md 7.1, 7.2); a local in the same function whose address does
// not escape stays an alloca on the moving stack. The side frame is checked
// against __gs_side.lim, allocated by __gs_side_alloc when short, and
// __gs_side is restored at the return (a small frame: side-small-frame.c has
// the other form). The moved local's lifetime markers
// go away with its alloca.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=CHECK
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O2

void keep(int *);
int observe(int *);
void fill(__attribute__((noescape)) int *);

// CHECK: @__gs_side = external dso_local thread_local(initialexec) global { ptr, ptr, ptr }
// CHECK: @__gs_rec.mixed = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
// CHECK: @__gs_rec.quiet = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// CHECK-LABEL: define dso_local i32 @mixed(
// CHECK-NOT: %x = alloca
// CHECK: %y = alloca [4 x i32]
// CHECK-NOT: %x = alloca
// CHECK: [[T0:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
// CHECK-NEXT: %gs.side.old_sp = load ptr, ptr [[T0]], align 8
// CHECK: %gs.side.old_lim = load ptr, ptr
// A small frame (protocol.md 7.2): no rounding, one compare.
// CHECK-NEXT: %gs.side.fast = getelementptr i8, ptr %gs.side.old_sp, i64 -16
// CHECK-NEXT: %gs.side.slow = icmp ult ptr %gs.side.fast, %gs.side.old_lim
// CHECK-NEXT: br i1 %gs.side.slow, label %gs.side.alloc, label %gs.side.ready, !prof
// CHECK: gs.side.alloc:
// CHECK-NEXT: %gs.side.ret = call { ptr, ptr } @__gs_side_alloc(i64 16, i64 16)
// CHECK-NEXT: %gs.side.new = extractvalue { ptr, ptr } %gs.side.ret, 0
// CHECK-NOT: extractvalue
// CHECK: %gs.side.lim_now = load ptr, ptr
// CHECK-NEXT: br label %gs.side.ready
// CHECK: gs.side.ready:
// CHECK-NEXT: %gs.side.base = phi ptr [ %gs.side.fast, %entry ], [ %gs.side.new, %gs.side.alloc ]
// CHECK-NEXT: %gs.side.restore_lim = phi ptr [ %gs.side.old_lim, %entry ], [ %gs.side.lim_now, %gs.side.alloc ]
// CHECK-NEXT: [[T1:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
// CHECK-NEXT: store ptr %gs.side.base, ptr [[T1]], align 8
// O2-NOT: call void @llvm.lifetime.start.p0(i64 4, ptr {{.*}}%x)
// CHECK: %x{{[0-9]*}} = getelementptr inbounds i8, ptr %gs.side.base, i64 0
// CHECK: call void @__gs_x.keep(ptr noundef {{.*}}%x
// The exit restores {base + SIZE, the lim after the setup}.
// CHECK: %gs.side.end = getelementptr i8, ptr %gs.side.base, i64 16
// CHECK: store ptr %gs.side.end, ptr
// CHECK: store ptr %gs.side.restore_lim, ptr
// CHECK-NEXT: ret i32
int mixed(int v) {
  int x = v;
  int y[4];
  keep(&x);
  fill(y);
  return y[v & 3] + x;
}

// Nothing escapes: no side frame, no access to __gs_side, flags 0.
// CHECK-LABEL: define dso_local i32 @quiet(
// CHECK-NOT: __gs_side
// CHECK: ret i32
int quiet(int v) {
  int y[4];
  fill(y);
  return y[v & 3];
}


// Which side frames take the short check (protocol.md 7.2): a frame of fewer
// than 4096 bytes (SmallSideFrameBytes, GS_SIDE_SMALL) aligned to 16 is
// checked with `old_sp - SIZE < old_lim` alone and its exits restore
// {base + SIZE, the lim after the setup}; a frame of 4096 bytes or more, or
// one aligned to more than 16, keeps the rounding (ptrmask), the wrap-around
// compare and old_sp/old_lim (or what __gs_side_alloc returned) for its exits.
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -o - %s | FileCheck %s --check-prefix=ASM

void keep(void *);

// CHECK-LABEL: define dso_local void @small_4080(
// CHECK: %gs.side.fast = getelementptr i8, ptr %gs.side.old_sp, i64 -4080
// CHECK-NEXT: %gs.side.slow = icmp ult ptr %gs.side.fast, %gs.side.old_lim
// CHECK-NEXT: br i1 %gs.side.slow
// CHECK: call { ptr, ptr } @__gs_side_alloc(i64 4080, i64 16)
// CHECK-NOT: select
// CHECK: gs.side.ready:
// CHECK-NOT: %gs.side.restore_sp
// CHECK: %gs.side.end = getelementptr i8, ptr %gs.side.base, i64 4080
// CHECK: store ptr %gs.side.end, ptr
// CHECK: store ptr %gs.side.restore_lim, ptr
// CHECK-NEXT: ret void
// The machine code: one compare and no and from the entry to the return.
// ASM-LABEL: small_4080:
// ASM-NOT: andq
// ASM: cmpq %r{{[a-z0-9]+}}, %r{{[a-z0-9]+}}
// ASM-NEXT: jb
// ASM-NOT: {{cmpq|andq}}
// ASM: retq
void small_4080(void) {
  char buf[4080];
  keep(buf);
}

// CHECK-LABEL: define dso_local void @large_4096(
// CHECK: %gs.side.dec = getelementptr i8, ptr %gs.side.old_sp, i64 -4096
// CHECK-NEXT: %gs.side.fast = call ptr @llvm.ptrmask.p0.i64(ptr %gs.side.dec, i64 -16)
// CHECK-NEXT: [[LOW:%[0-9]+]] = icmp ult ptr %gs.side.fast, %gs.side.old_lim
// CHECK-NEXT: [[WRAP:%[0-9]+]] = icmp ugt ptr %gs.side.fast, %gs.side.old_sp
// CHECK-NEXT: %gs.side.slow = or i1 [[LOW]], [[WRAP]]
// CHECK: %gs.side.ret = call { ptr, ptr } @__gs_side_alloc(i64 4096, i64 16)
// CHECK: %gs.side.new_restore_sp = extractvalue { ptr, ptr } %gs.side.ret, 1
// CHECK: %gs.side.new_restore_lim = select i1 {{%[0-9]+}}, ptr %gs.side.old_lim, ptr %gs.side.lim_now
// CHECK: gs.side.ready:
// CHECK-NEXT: %gs.side.base = phi ptr
// CHECK-NEXT: %gs.side.restore_sp = phi ptr [ %gs.side.old_sp, %entry ], [ %gs.side.new_restore_sp, %gs.side.alloc ]
// CHECK-NEXT: %gs.side.restore_lim = phi ptr [ %gs.side.old_lim, %entry ], [ %gs.side.new_restore_lim, %gs.side.alloc ]
// CHECK: store ptr %gs.side.restore_sp, ptr
// CHECK: store ptr %gs.side.restore_lim, ptr
// CHECK-NEXT: ret void
void large_4096(void) {
  char buf[4096];
  keep(buf);
}

// CHECK-LABEL: define dso_local void @aligned_32(
// CHECK: %gs.side.dec = getelementptr i8, ptr %gs.side.old_sp, i64 -16
// CHECK-NEXT: %gs.side.fast = call ptr @llvm.ptrmask.p0.i64(ptr %gs.side.dec, i64 -32)
// CHECK: %gs.side.slow = or i1
// CHECK: call { ptr, ptr } @__gs_side_alloc(i64 16, i64 32)
// CHECK: store ptr %gs.side.restore_sp, ptr
void aligned_32(void) {
  _Alignas(32) char buf[16];
  keep(buf);
}

; A side frame holding only allocas is set up in the nearest block that
; dominates every use of its locals and lies in no cycle, not at entry
; (SideStack.h, protocol.md 7.2): paths that never reach it leave __gs_side
; alone. Its exits are the returns in the blocks it dominates and the edges
; out of them (split when critical, identical switch edges merged).
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -O2 -o /dev/null
; RUN: %opt -passes=growstack,verify -S %s -o /dev/null

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @keep(ptr)
declare i32 @use(i32)

; Only the `rare` path has a side frame; `common` returns without touching
; __gs_side. The frame's exit is the edge rare -> join (one successor: the
; restore goes before its branch).
; CHECK-LABEL: define i32 @diamond(
; CHECK-NEXT: entry:
; CHECK-NEXT: br i1 %c, label %rare, label %common
; CHECK: rare:
; CHECK-NEXT: call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
; CHECK-NEXT: %gs.side.old_sp = load ptr
; CHECK: gs.side.ready:
; CHECK: call void @__gs_x.keep(ptr %x
; CHECK: store ptr %gs.side.end{{[0-9]*}}, ptr
; CHECK: store ptr %gs.side.restore_lim, ptr
; CHECK-NEXT: br label %join
; CHECK: common:
; CHECK-NOT: __gs_side
; CHECK: join:
; CHECK-NOT: __gs_side
; CHECK: ret i32
define i32 @diamond(i1 %c, i32 %v) {
entry:
  %x = alloca i32
  br i1 %c, label %rare, label %common
rare:
  store i32 %v, ptr %x
  call void @keep(ptr %x)
  %r = load i32, ptr %x
  br label %join
common:
  %q = call i32 @use(i32 %v)
  br label %join
join:
  %p = phi i32 [ %r, %rare ], [ %q, %common ]
  ret i32 %p
}

; The local is used only in the loop body: the frame is set up once, in the
; block before the loop (the body is in a cycle), and restored where the
; loop exits to the return.
; CHECK-LABEL: define void @loop(
; CHECK: pre:
; CHECK: %gs.side.old_sp = load ptr
; CHECK: body:
; CHECK-NOT: __gs_side_alloc
; CHECK: call void @__gs_x.keep
; CHECK: done:
; CHECK: store ptr %gs.side.end{{[0-9]*}}, ptr
; CHECK: ret void
; CHECK: skip:
; CHECK-NOT: __gs_side
; CHECK: ret void
define void @loop(i1 %c, i32 %n) {
entry:
  %x = alloca i32
  br i1 %c, label %pre, label %skip
pre:
  br label %body
body:
  %i = phi i32 [ 0, %pre ], [ %j, %body ]
  store i32 %i, ptr %x
  call void @keep(ptr %x)
  %j = add i32 %i, 1
  %more = icmp slt i32 %j, %n
  br i1 %more, label %body, label %done
done:
  ret void
skip:
  ret void
}

; A switch leaves the region by two identical edges (cases 1 and 2): they
; get one restore block, and the phi in `out` keeps one entry per
; predecessor. The default goes to `other`, which only the region reaches:
; still inside it, restored at its return.
; CHECK-LABEL: define i32 @switched(
; CHECK: switch i32 %k, label %other [
; CHECK-NEXT: i32 1, label %[[E:[^ ]+]]
; CHECK-NEXT: i32 2, label %[[E]]
; CHECK: [[E]]:
; CHECK-NEXT: %gs.side.end{{[0-9]*}} = getelementptr i8, ptr %gs.side.base
; CHECK-NEXT: call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
; CHECK-NEXT: store ptr %gs.side.end
; CHECK: br label %out
; CHECK: out2:
; CHECK-NEXT: %gs.side.end{{[0-9]*}} = getelementptr i8, ptr %gs.side.base
; CHECK-NEXT: call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
; CHECK-NEXT: store ptr %gs.side.end
; CHECK: ret i32 %q
; CHECK: out:
; CHECK-NEXT: %p = phi i32 [ 0, %entry ], [ 1, %[[E]] ]
define i32 @switched(i1 %c, i32 %k) {
entry:
  %x = alloca i32
  br i1 %c, label %region, label %out
region:
  call void @keep(ptr %x)
  switch i32 %k, label %other [
    i32 1, label %out
    i32 2, label %out
  ]
other:
  %q = call i32 @use(i32 %k)
  br label %out2
out2:
  ret i32 %q
out:
  %p = phi i32 [ 0, %entry ], [ 1, %region ], [ 1, %region ]
  ret i32 %p
}

; Used in the entry block: the frame is set up there, as always.
; CHECK-LABEL: define void @at_entry(
; CHECK-NEXT: entry:
; CHECK: %gs.side.old_sp = load ptr
define void @at_entry(i1 %c) {
entry:
  %x = alloca i32
  call void @keep(ptr %x)
  br i1 %c, label %a, label %b
a:
  ret void
b:
  ret void
}

; An edge out of the region frees the side frame before the function
; returns; keep() may have stored &x, and use() after the edge may read it.
; Without a lifetime.end of x on the way, the frame is set up at entry.
; CHECK-LABEL: define i32 @escape_then_call(
; CHECK-NEXT: entry:
; CHECK: %gs.side.old_sp = load ptr
; CHECK: rare:
; CHECK-NOT: __gs_side
; CHECK: join:
; CHECK: call i32 @__gs_x.use
; CHECK: store ptr %gs.side.end{{[0-9]*}}, ptr
; CHECK: ret i32
define i32 @escape_then_call(i1 %c, i32 %v) {
entry:
  %x = alloca i32
  br i1 %c, label %rare, label %join
rare:
  store i32 %v, ptr %x
  call void @keep(ptr %x)
  br label %join
join:
  %q = call i32 @use(i32 %v)
  ret i32 %q
}

; The same with x's scope closed in `rare` (lifetime.end on every path to
; the edge): x is dead after it, the frame is set up lazily.
; CHECK-LABEL: define i32 @scoped_then_call(
; CHECK-NEXT: entry:
; CHECK-NEXT: br i1 %c, label %rare, label %join
; CHECK: rare:
; CHECK: %gs.side.old_sp = load ptr
; CHECK: call void @__gs_x.keep(ptr %x
; CHECK: store ptr %gs.side.end{{[0-9]*}}, ptr
; CHECK: join:
; CHECK-NOT: __gs_side
; CHECK: ret i32
define i32 @scoped_then_call(i1 %c, i32 %v) {
entry:
  %x = alloca i32
  br i1 %c, label %rare, label %join
rare:
  call void @llvm.lifetime.start.p0(i64 4, ptr %x)
  store i32 %v, ptr %x
  call void @keep(ptr %x)
  call void @llvm.lifetime.end.p0(i64 4, ptr %x)
  br label %join
join:
  %q = call i32 @use(i32 %v)
  ret i32 %q
}

; lifetime.end on one path to the edge only: not enough.
; CHECK-LABEL: define i32 @ended_on_one_path(
; CHECK-NEXT: entry:
; CHECK: %gs.side.old_sp = load ptr
define i32 @ended_on_one_path(i1 %c, i1 %d, i32 %v) {
entry:
  %x = alloca i32
  br i1 %c, label %rare, label %join
rare:
  call void @keep(ptr %x)
  br i1 %d, label %end, label %join
end:
  call void @llvm.lifetime.end.p0(i64 4, ptr %x)
  br label %join
join:
  %q = call i32 @use(i32 %v)
  ret i32 %q
}

declare void @llvm.lifetime.start.p0(i64, ptr)
declare void @llvm.lifetime.end.p0(i64, ptr)

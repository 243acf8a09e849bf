; A side frame of plain allocas whose uses lie in a cycle, with no block
; outside the cycle to set it up in but the entry (lazyPlacement declines),
; is set up at the first use reached: each block with a use tests the base
; (null until the setup) and sets the frame up if it is null; each return
; restores the state if the base is not null (SideStack.cpp buildGuarded,
; protocol.md 7.2). A call that reaches no use leaves __gs_side alone.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -O2 -o /dev/null
; RUN: %opt -passes=growstack,verify -S %s -o /dev/null

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @keep(ptr)
declare i32 @step(i32)

; An interpreter-like loop: the local is used on a rare path of the body,
; which the loop header dominates. No access to __gs_side in the entry block
; or on the common path; the setup sits in the rare block; the return
; restores under a test of the base.
; CHECK-LABEL: define i32 @interp(
; CHECK-NEXT: entry:
; CHECK-NOT: __gs_side
; CHECK: br label %head
; CHECK: head:
; CHECK: %gs.side.base{{[0-9.]*}} = phi ptr [ null, %entry ]
; CHECK-NOT: __gs_side
; CHECK: rare:
; CHECK-NEXT: %gs.side.unset = icmp eq ptr %gs.side.base{{[0-9.]*}}, null
; CHECK-NEXT: br i1 %gs.side.unset, label %gs.side.setup
; CHECK: gs.side.setup:
; CHECK: %gs.side.old_sp = load ptr
; CHECK: call { ptr, ptr } @__gs_side_alloc(i64 16, i64 16)
; CHECK: call void @__gs_x.keep(ptr
; CHECK: common:
; CHECK-NOT: __gs_side
; CHECK: done:
; CHECK-NEXT: %gs.side.set = icmp ne ptr %gs.side.base{{[0-9.]*}}, null
; CHECK: store ptr %gs.side.end
; CHECK: store ptr %gs.side.restore_lim
; CHECK: ret i32
define i32 @interp(i32 %n) {
entry:
  %x = alloca i32
  br label %head
head:
  %i = phi i32 [ 0, %entry ], [ %j, %latch ]
  %op = call i32 @step(i32 %i)
  %r = icmp eq i32 %op, 7
  br i1 %r, label %rare, label %common
rare:
  store i32 %i, ptr %x
  call void @keep(ptr %x)
  br label %latch
common:
  br label %latch
latch:
  %j = add i32 %i, 1
  %more = icmp slt i32 %j, %n
  br i1 %more, label %head, label %done
done:
  ret i32 %j
}

; The optimiser hoisted the address of a field out of the loop, into the
; entry block: the address computation is copied next to its use, and the
; frame is still set up there, not at entry.
; CHECK-LABEL: define void @hoisted_field(
; CHECK-NEXT: entry:
; CHECK-NOT: __gs_side
; CHECK: rare:
; CHECK: gs.side.setup:
; CHECK: call { ptr, ptr } @__gs_side_alloc(i64 16, i64 16)
; CHECK: getelementptr inbounds i8, ptr %gs.side.base{{[0-9.]*}}, i64 0
; CHECK-NEXT: getelementptr inbounds i8, ptr %{{.*}}, i64 8
; CHECK-NEXT: call void @__gs_x.keep(ptr
define void @hoisted_field(i32 %n) {
entry:
  %s = alloca [4 x i32], align 4
  %f = getelementptr inbounds i8, ptr %s, i64 8
  br label %head
head:
  %i = phi i32 [ 0, %entry ], [ %j, %latch ]
  %op = call i32 @step(i32 %i)
  %r = icmp eq i32 %op, 7
  br i1 %r, label %rare, label %latch
rare:
  call void @keep(ptr %f)
  br label %latch
latch:
  %j = add i32 %i, 1
  %more = icmp slt i32 %j, %n
  br i1 %more, label %head, label %done
done:
  ret void
}

; Uses in the entry block: set up there, as always.
; CHECK-LABEL: define void @used_at_entry(
; CHECK-NEXT: entry:
; CHECK: %gs.side.old_sp = load ptr
define void @used_at_entry(i32 %n) {
entry:
  %x = alloca i32
  call void @keep(ptr %x)
  br label %head
head:
  %i = phi i32 [ 0, %entry ], [ %j, %head ]
  call void @keep(ptr %x)
  %j = add i32 %i, 1
  %more = icmp slt i32 %j, %n
  br i1 %more, label %head, label %done
done:
  ret void
}

; Uses on acyclic paths only, where an edge exit would free the frame too
; early: set up at entry (guarded placement is for uses in a cycle).
; CHECK-LABEL: define i32 @acyclic(
; CHECK-NEXT: entry:
; CHECK: %gs.side.old_sp = load ptr
define i32 @acyclic(i1 %c, i32 %v) {
entry:
  %x = alloca i32
  br i1 %c, label %rare, label %join
rare:
  store i32 %v, ptr %x
  call void @keep(ptr %x)
  br label %join
join:
  %q = call i32 @step(i32 %v)
  ret i32 %q
}

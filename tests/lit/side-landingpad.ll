; An exception caught (or cleaned up) in a function skipped the exits of the
; deeper frames it unwound: at each landing pad the frame restores its own
; side state (sp = its base, lim, jb), and a `resume` restores the caller's
; like a return (protocol.md 7.2). A function with a landing pad but no side
; frame saves __gs_side at entry and restores exactly that.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -O2 -o /dev/null

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare i32 @__gxx_personality_v0(...)
declare void @may_throw(ptr)
declare void @nothrow_use(ptr nocapture) nounwind

; CHECK-LABEL: define void @with_frame(
; CHECK: %gs.side.old_jb = load ptr
; CHECK: gs.side.ready:
; CHECK: lpad:
; CHECK-NEXT: %lp = landingpad { ptr, i32 }
; CHECK-NEXT: cleanup
; CHECK-NEXT: [[T0:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
; CHECK-NEXT: store ptr %gs.side.base, ptr [[T0]]
; CHECK: store ptr %gs.side.restore_lim, ptr
; CHECK: store ptr %gs.side.old_jb, ptr
; CHECK-NEXT: %x1 = getelementptr inbounds i8, ptr %gs.side.base, i64 0
; CHECK-NEXT: call void @__gs_x.nothrow_use(ptr %x1)
; CHECK: store ptr %gs.side.end{{[0-9]*}}, ptr
; CHECK: store ptr %gs.side.restore_lim, ptr
; CHECK-NEXT: resume { ptr, i32 } %lp
define void @with_frame() personality ptr @__gxx_personality_v0 {
entry:
  %x = alloca i32
  invoke void @may_throw(ptr %x) to label %ok unwind label %lpad
ok:
  ret void
lpad:
  %lp = landingpad { ptr, i32 } cleanup
  call void @nothrow_use(ptr %x)
  resume { ptr, i32 } %lp
}

; CHECK-LABEL: define void @no_frame(
; CHECK-NEXT: entry:
; CHECK-NEXT: %y = alloca i32
; CHECK: %gs.side.old_sp = load ptr
; CHECK: %gs.side.old_lim = load ptr
; CHECK: %gs.side.old_jb = load ptr
; CHECK-NOT: __gs_side_alloc
; CHECK: lpad:
; CHECK-NEXT: %lp = landingpad { ptr, i32 }
; CHECK-NEXT: catch ptr null
; CHECK-NEXT: [[T1:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
; CHECK-NEXT: store ptr %gs.side.old_sp, ptr [[T1]]
; CHECK: store ptr %gs.side.old_lim, ptr
; CHECK: store ptr %gs.side.old_jb, ptr
; CHECK-NEXT: ret void
define void @no_frame() personality ptr @__gxx_personality_v0 {
entry:
  %y = alloca i32
  invoke void @nothrow_use(ptr %y) to label %ok unwind label %lpad
ok:
  ret void
lpad:
  %lp = landingpad { ptr, i32 } catch ptr null
  ret void
}

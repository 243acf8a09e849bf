; A frame pinned for a returns_twice call outside the setjmp family (vfork)
; gets no side frame and keeps its escaping locals, but still saves __gs_side
; at entry and restores it after the call returns, before gs_stack_resync():
; a second return must not keep the side stack pointer or the setjmp list of
; frames that no longer exist (protocol.md 7.2). Flags PINNED|SETJMP = 5,
; named.
; RUN: %opt -passes=growstack -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare i32 @vfork() returns_twice
declare void @keep(ptr)

; CHECK: @__gs_rec.forks = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 5, i32 trunc {{.*}}@__gs_name.forks{{.*}}, i32 0 }
; CHECK-LABEL: define i32 @forks(
; CHECK-NEXT: %x = alloca i32
; CHECK: %gs.side.old_sp = load ptr
; CHECK: %gs.side.old_lim = load ptr
; CHECK: %gs.side.old_jb = load ptr
; CHECK-NOT: __gs_side_alloc
; CHECK: call void @__gs_x.keep(ptr %x)
; CHECK-NEXT: %r = call i32 @vfork()
; CHECK-NEXT: [[T0:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
; CHECK-NEXT: store ptr %gs.side.old_sp, ptr [[T0]]
; CHECK: store ptr %gs.side.old_lim, ptr
; CHECK: store ptr %gs.side.old_jb, ptr
; CHECK-NEXT: call void @gs_stack_resync()
; CHECK-NEXT: ret i32 %r
define i32 @forks() {
  %x = alloca i32
  call void @keep(ptr %x)
  %r = call i32 @vfork()
  ret i32 %r
}

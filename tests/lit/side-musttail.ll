; A musttail call is an exit: the caller's side state is restored before it
; (nothing may come between a musttail call and its ret), and the callee
; runs with the caller's caller's side state, as after a return
; (protocol.md 7.2). Other returns restore before the ret.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -O2 -o /dev/null

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @keep(ptr)

define i32 @leaf(i32 %x) {
  ret i32 %x
}

; CHECK-LABEL: define i32 @tail(i32 %x)
; CHECK: gs.side.ready:
; CHECK: call void @__gs_x.keep(ptr %a
; CHECK: br i1 %c, label %t, label %r
; CHECK: t:
; CHECK-NEXT: %[[A:a[0-9]*]] = getelementptr inbounds i8, ptr %gs.side.base, i64 0
; CHECK-NEXT: %v = load i32, ptr %[[A]]
; CHECK-NEXT: %gs.side.end{{[0-9]*}} = getelementptr i8, ptr %gs.side.base, i64 16
; CHECK-NEXT: [[T0:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
; CHECK-NEXT: store ptr %gs.side.end{{[0-9]*}}, ptr [[T0]]
; CHECK-NEXT: [[T1:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
; CHECK-NEXT: [[L:%[0-9]+]] = getelementptr inbounds { ptr, ptr, ptr }, ptr [[T1]], i32 0, i32 1
; CHECK-NEXT: store ptr %gs.side.restore_lim, ptr [[L]]
; CHECK-NEXT: %m = musttail call i32 @leaf(i32 %v)
; CHECK-NEXT: ret i32 %m
; CHECK: r:
; CHECK: store ptr %gs.side.restore_lim
; CHECK-NEXT: ret i32 0
define i32 @tail(i32 %x) {
entry:
  %a = alloca i32
  store i32 %x, ptr %a
  call void @keep(ptr %a)
  %c = icmp ne i32 %x, 0
  br i1 %c, label %t, label %r
t:
  %v = load i32, ptr %a
  %m = musttail call i32 @leaf(i32 %v)
  ret i32 %m
r:
  ret i32 0
}

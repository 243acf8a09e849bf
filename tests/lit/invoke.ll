; invoke (C with -fexceptions and cleanups, or C++) is redirected like call:
; an external callee through its thunk, an indirect one through the range
; check with both paths unwinding to the original landing pad.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -o /dev/null

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare i32 @ext(i32)
declare i32 @__gxx_personality_v0(...)
declare i32 @_setjmp(ptr) returns_twice

; CHECK-LABEL: define i32 @f(
define i32 @f(ptr %fp, i32 %x) personality ptr @__gxx_personality_v0 {
entry:
; CHECK: %a = invoke i32 @__gs_x.ext(i32 %x)
; CHECK-NEXT: to label %cont unwind label %lpad
  %a = invoke i32 @ext(i32 %x) to label %cont unwind label %lpad

; CHECK: cont:
; CHECK: br i1 %gs.ge_start, label %gs.check_stop, label %gs.stub
; CHECK: gs.check_stop:
; CHECK-NEXT: %gs.text_end = load ptr, ptr getelementptr inbounds (%gs_module, ptr @gs.module, i32 0, i32 5), align 8
; CHECK-NEXT: %gs.lt_stop = icmp ult ptr %fp, %gs.text_end
; CHECK-NEXT: br i1 %gs.lt_stop, label %gs.direct, label %gs.stub
; CHECK: gs.direct:
; CHECK-NEXT: %[[D:[0-9]+]] = invoke i32 %fp(i32 %a)
; CHECK-NEXT: to label %gs.cont unwind label %lpad
; CHECK: gs.stub:
; CHECK-NEXT: %b.gs = invoke i32 @__gs_ic0(ptr nest %fp, i32 %a)
; CHECK-NEXT: to label %gs.cont unwind label %lpad
; CHECK: gs.cont:
; CHECK-NEXT: %b = phi i32 [ %[[D]], %gs.direct ], [ %b.gs, %gs.stub ]
; CHECK-NEXT: br label %cont2
cont:
  %b = invoke i32 %fp(i32 %a) to label %cont2 unwind label %lpad

; The resync after an invoked returns_twice call goes on its normal edge,
; after the side state is restored (side-setjmp-invoke.ll).
; CHECK: cont2:
; CHECK-NEXT: %p = phi i32 [ %b, %gs.cont ]
; CHECK: %s = invoke i32 @_setjmp(ptr null)
; CHECK-NEXT: to label %[[SPLIT:.+]] unwind label %lpad
; CHECK: [[SPLIT]]:
; CHECK: call void @gs_stack_resync()
; CHECK-NEXT: br label %cont3
cont2:
  %p = phi i32 [ %b, %cont ]
  %s = invoke i32 @_setjmp(ptr null) to label %cont3 unwind label %lpad

cont3:
  %r = add i32 %p, %s
  ret i32 %r

; The landing pad's phi gets the value for the new predecessors (the entry
; block was split by the side frame's check: %gs.side.ready).
; CHECK: lpad:
; CHECK-NEXT: %q = phi i32 [ 0, %gs.side.ready ], [ %a, %gs.direct ], [ 7, %cont2 ], [ %a, %gs.stub ]
lpad:
  %q = phi i32 [ 0, %entry ], [ %a, %cont ], [ 7, %cont2 ]
  %lp = landingpad { ptr, i32 } cleanup
  ret i32 %q
}

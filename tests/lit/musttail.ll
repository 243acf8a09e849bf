; A musttail call cannot go through the system-stack trampoline: a function
; whose musttail call would need redirecting is not instrumented (protocol.md
; section 2), and neither is one that musttail-calls it in turn (eligibility
; is a fixed point). A musttail call to an instrumented function is fine.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack -pass-remarks-missed=growstack -disable-output %s 2>&1 | FileCheck %s --check-prefix=REMARK

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare i32 @ext(i32)

; REMARK-DAG: remark: <unknown>:0:0: 'to_external' not instrumented: musttail call to an uninstrumented callee cannot be redirected
; REMARK-DAG: remark: <unknown>:0:0: 'to_to_external' not instrumented: musttail call to an uninstrumented callee cannot be redirected

; CHECK: define i32 @to_external(i32 %x) {
; CHECK-NEXT: musttail call i32 @ext(i32 %x)
define i32 @to_external(i32 %x) {
  %r = musttail call i32 @ext(i32 %x)
  ret i32 %r
}

; CHECK: define i32 @to_to_external(i32 %x) {
; CHECK-NEXT: musttail call i32 @to_external(i32 %x)
define i32 @to_to_external(i32 %x) {
  %r = musttail call i32 @to_external(i32 %x)
  ret i32 %r
}

; CHECK: define i32 @leaf(i32 %x) #[[INSTR:[0-9]+]] section "growstack_text" {
define i32 @leaf(i32 %x) {
  ret i32 %x
}

; CHECK: define i32 @to_instrumented(i32 %x) #[[INSTR]] section "growstack_text" {
; CHECK-NEXT: musttail call i32 @leaf(i32 %x)
define i32 @to_instrumented(i32 %x) {
  %r = musttail call i32 @leaf(i32 %x)
  ret i32 %r
}

; Plain calls to the uninstrumented ones go through private thunks.
; CHECK: define i32 @user(i32 %x) #[[INSTR]] section "growstack_text" {
; CHECK-NEXT: call i32 @__gs_x.to_to_external(i32 %x)
define i32 @user(i32 %x) {
  %r = call i32 @to_to_external(i32 %x)
  ret i32 %r
}

; CHECK: attributes #[[INSTR]] = { uwtable "split-stack" }

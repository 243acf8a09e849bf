; Calls from instrumented code to functions that are not instrumented here
; (protocol.md section 4): declarations and weak definitions go to
; `__gs_x<N>.callee`; uninstrumented definitions of this module go to a
; private thunk; instrumented definitions, intrinsics, inline asm, allowlisted
; and __gs_ callees are called directly.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack -growstack-allowlist-extra=extra_leaf,other_leaf -S %s | FileCheck %s --check-prefix=EXTRA
; RUN: %opt -passes=growstack -S %s | %llc -relocation-model=pic -o - | FileCheck %s --check-prefix=ASM

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare i32 @ext(i32)
declare ptr @memcpy(ptr, ptr, i64)
declare i64 @strlen(ptr)
declare void @gs_yield()
declare void @__gs_x.already()
declare void @extra_leaf()
declare void @llvm.trap()
declare i32 @vfork() returns_twice

define weak i32 @weak_def(i32 %x) {
  ret i32 %x
}

; Opted out, so not split into an instrumented shell (VarargShell.h).
define i32 @variadic(i32 %n, ...) "growstack_nosplit" {
  ret i32 %n
}

define internal i32 @local_instrumented(i32 %x) {
  ret i32 %x
}

define available_externally i32 @inline_elsewhere(i32 %x) {
  ret i32 %x
}

; CHECK-LABEL: define i32 @caller(
define i32 @caller(ptr %p) {
  ; CHECK: call i32 @__gs_x.ext(i32 1)
  %a = call i32 @ext(i32 1)
  ; CHECK: call i32 @__gs_x.weak_def(i32 2)
  %b = call i32 @weak_def(i32 2)
  ; CHECK: call i32 (i32, ...) @__gs_x.variadic(i32 3, i32 4)
  %c = call i32 (i32, ...) @variadic(i32 3, i32 4)
  ; CHECK: call i32 @local_instrumented(i32 5)
  %d = call i32 @local_instrumented(i32 5)
  ; CHECK: call i32 @__gs_x.inline_elsewhere(i32 6)
  %e = call i32 @inline_elsewhere(i32 6)
  ; CHECK: call ptr @memcpy(
  call ptr @memcpy(ptr %p, ptr %p, i64 0)
  ; CHECK: call i64 @strlen(
  call i64 @strlen(ptr %p)
  ; CHECK: call void @gs_yield()
  call void @gs_yield()
  ; CHECK: call void @__gs_x.already()
  call void @__gs_x.already()
  ; CHECK: call void @__gs_x.extra_leaf()
  ; EXTRA: call void @extra_leaf()
  call void @extra_leaf()
  ; CHECK: call void asm sideeffect "nop", ""()
  call void asm sideeffect "nop", ""()
  ; A returns_twice callee must run on the stack it saves. (Between the two,
  ; the side state saved at entry is restored: side-state-pinned.ll.)
  ; CHECK: call i32 @vfork()
  ; CHECK: call void @gs_stack_resync()
  %f = call i32 @vfork()
  %r1 = add i32 %a, %b
  %r2 = add i32 %r1, %c
  %r3 = add i32 %r2, %d
  %r4 = add i32 %r3, %e
  %r5 = add i32 %r4, %f
  ret i32 %r5
}

; CHECK-LABEL: define void @no_return()
define void @no_return() {
  ; CHECK: call void @llvm.trap()
  call void @llvm.trap()
  unreachable
}

; CHECK-DAG: declare i32 @__gs_x.ext(i32)
; CHECK-DAG: declare i32 @__gs_x.weak_def(i32)
; CHECK-DAG: declare i32 @__gs_x.inline_elsewhere(i32)
; CHECK-DAG: define private void @__gs_x.variadic() #[[THUNK:[0-9]+]] {
; CHECK-DAG: attributes #[[THUNK]] = { naked noinline }

; The private thunk reaches a preemptible definition through the GOT.
; ASM-LABEL: .L__gs_x.variadic:
; ASM:       movq variadic@GOTPCREL(%rip), %r10
; ASM-NEXT:  movl $0, %r11d
; ASM-NEXT:  jmp __gs_tramp@PLT

; Every instrumented definition with external linkage emits the strong alias
; `__gs_x<N>.<name>`, N from its own signature, so redirected calls from other
; objects bind straight to it (protocol.md section 4). Internal, weak,
; COMDAT and uninstrumented definitions do not; an external alias of an
; instrumented function is an entry point too.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack -S %s | FileCheck %s --check-prefix=NOALIAS
; RUN: %opt -passes=growstack %s | %llc -o - | FileCheck %s --check-prefix=ASM

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@also = alias i32 (i32), ptr @plain

; CHECK-DAG: @__gs_x.plain = alias i32 (i32), ptr @plain
; Eight integers: two on the stack (16), then x86_fp80 at 16: N = 32.
; CHECK-DAG: @__gs_x32.many = hidden alias void (i64, i64, i64, i64, i64, i64, i64, i64, x86_fp80), ptr @many
; CHECK-DAG: @__gs_x.also = alias i32 (i32), ptr @plain
; NOALIAS-NOT: @__gs_x{{[0-9]*}}.local =
; NOALIAS-NOT: @__gs_x{{[0-9]*}}.weak_one =
; NOALIAS-NOT: @__gs_x{{[0-9]*}}.variadic =
; NOALIAS-NOT: @__gs_x{{[0-9]*}}.in_group =

define i32 @plain(i32 %x) {
  ret i32 %x
}

define hidden void @many(i64, i64, i64, i64, i64, i64, i64, i64, x86_fp80) {
  ret void
}

define internal void @local() {
  ret void
}

define weak void @weak_one() {
  call void @local()
  ret void
}

; Opted out, so not split into an instrumented shell (VarargShell.h).
define void @variadic(...) "growstack_nosplit" {
  ret void
}

$in_group = comdat any
define void @in_group() comdat {
  ret void
}

; ASM:      .globl __gs_x.plain
; ASM-NEXT: .type __gs_x.plain,@function
; ASM-NEXT: .set __gs_x.plain, plain

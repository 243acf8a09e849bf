; An eligible definition gets "split-stack", uwtable (call-frame information) and the
; section growstack_text (protocol.md section 2); its existing attributes stay.
; A definition with its own section keeps it and is instrumented, but gets no
; record. Declarations are not touched.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack -S %s | FileCheck %s --check-prefix=NOREC

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; NOREC-NOT: @__gs_rec.in_own_section
; CHECK: @__gs_rec.plain = private constant { i32, i32, i32, i32 } {{.*}} section "gs_records", align 8

; CHECK: define i32 @plain(i32 %x) [[PLAIN:#[0-9]+]] section "growstack_text" {
define i32 @plain(i32 %x) #0 {
  %y = add i32 %x, 1
  ret i32 %y
}

; CHECK: define void @in_own_section() [[OWN:#[0-9]+]] section ".text.mine" {
define void @in_own_section() section ".text.mine" {
  ret void
}

; CHECK: declare void @decl()
; CHECK-NOT: section
declare void @decl()

attributes #0 = { nounwind "frame-pointer"="none" "target-cpu"="x86-64" }

; CHECK: attributes [[PLAIN]] = { nounwind uwtable "frame-pointer"="none" "split-stack" "target-cpu"="x86-64" }
; CHECK: attributes [[OWN]] = { uwtable "split-stack" }

; A function with its own section is instrumented where it is, without a
; record: the runtime treats its frames as unknown, which pins the stack
; (protocol.md sections 2 and 5.4). When no function of the object is in
; growstack_text, indirect calls cannot test the bounds of that section (the
; linker might not define them) and all go through __gs_ic<N>.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack -S %s | FileCheck %s --check-prefix=NOTEXT
; RUN: %opt -passes=growstack -pass-remarks-missed=growstack -disable-output %s 2>&1 | FileCheck %s --check-prefix=REMARK

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; NOTEXT-NOT: growstack_text
; NOTEXT-NOT: gs_records
; NOTEXT-NOT: gs.module

; REMARK: 'mine' instrumented but kept in section '.text.mine': it has no record, so its frames pin the stack

; CHECK: @__gs_x.mine = alias i32 (ptr), ptr @mine
; CHECK: define i32 @mine(ptr %fp) #[[ATTR:[0-9]+]] section ".text.mine" {
; CHECK-NEXT: %r = call i32 @__gs_ic0(ptr nest %fp, i32 1)
; CHECK-NEXT: ret i32 %r
define i32 @mine(ptr %fp) section ".text.mine" {
  %r = call i32 %fp(i32 1)
  ret i32 %r
}

; CHECK: attributes #[[ATTR]] = { uwtable "split-stack" }

; -growstack-disable turns the pass into a no-op.
; RUN: %opt -passes=growstack -growstack-disable -S %s | FileCheck %s
; RUN: %clang -O0 -mllvm -growstack-disable -S -emit-llvm -x ir -o - %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @ext()

; CHECK-NOT: split-stack
; CHECK-NOT: __gs_
; CHECK-NOT: gs_records
define void @f() {
  call void @ext()
  ret void
}

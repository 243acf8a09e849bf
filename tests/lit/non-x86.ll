; Only x86-64 has split-stack prologues: other targets are left alone.
; RUN: %opt -passes=growstack -S %s | FileCheck %s

target triple = "aarch64-unknown-linux-gnu"

declare void @ext()

; CHECK-NOT: split-stack
; CHECK-NOT: __gs_
define void @f() {
  call void @ext()
  ret void
}

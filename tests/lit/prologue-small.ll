; The backend's split-stack prologue for a frame under 256 bytes compares
; %rsp itself against the guard in %fs:0x70 (protocol.md section 1).
; RUN: %opt -passes=growstack %s | %llc -O2 -o - | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; nocapture: the buffer stays in the frame (an escaping one would live on the
; side stack, protocol.md 7).
declare void @use(ptr nocapture)

; CHECK-LABEL: small:
; CHECK:       # %bb.0:
; CHECK-NEXT:  cmpq %fs:112, %rsp
; CHECK-NEXT:  jbe [[ALLOC:\.LBB[0-9_]+]]
; CHECK:       subq $24, %rsp
; CHECK-NEXT:  .cfi_def_cfa_offset 32
; CHECK:       [[ALLOC]]:
; CHECK-NEXT:  movl $24, %r10d
; CHECK-NEXT:  movl $0, %r11d
; CHECK-NEXT:  callq __morestack
; CHECK-NEXT:  retq
define void @small() nounwind {
  %buf = alloca [16 x i8]
  call void @use(ptr %buf)
  ret void
}

; For a frame of 256 bytes or more the prologue computes %rsp - FRAME into
; %r11 first (protocol.md section 1); ARGS counts incoming stack arguments.
; RUN: %opt -passes=growstack %s | %llc -O2 -o - | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; nocapture: the buffer stays in the frame (an escaping one would live on the
; side stack, protocol.md 7), and the plugin zeroes it (ZeroLocals.h: it cannot
; see what @use writes), whose memset call keeps %rbx: FRAME = 4096 + %rbx
; (no frame pointer: protocol.md 5.3).
declare void @use(ptr nocapture)

; CHECK-LABEL: large:
; CHECK:       # %bb.0:
; CHECK-NEXT:  leaq -4104(%rsp), %r11
; CHECK-NEXT:  cmpq %fs:112, %r11
; CHECK-NEXT:  jbe [[ALLOC:\.LBB[0-9_]+]]
; CHECK:       [[ALLOC]]:
; CHECK-NEXT:  .cfi_restore %rbx
; CHECK-NEXT:  movl $4104, %r10d
; CHECK-NEXT:  movl $16, %r11d
; CHECK-NEXT:  callq __morestack
; CHECK-NEXT:  retq
; CHECK-NEXT:  jmp
define void @large(i64 %a, i64 %b, i64 %c, i64 %d, i64 %e, i64 %f, i64 %g, i64 %h) nounwind {
  %buf = alloca [4096 x i8]
  call void @use(ptr %buf)
  ret void
}

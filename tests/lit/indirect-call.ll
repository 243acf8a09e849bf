; An indirect call checks whether the target lies in this object's
; growstack_text: if so it is called directly, otherwise through
; `__gs_ic<N>` with the target in %r10 as a leading `ptr nest` argument
; (protocol.md section 4).
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -O2 -relocation-model=pic -o - | FileCheck %s --check-prefix=ASM

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

; CHECK-LABEL: define i64 @call_it(
; CHECK:       %gs.text_begin = load ptr, ptr getelementptr inbounds (%gs_module, ptr @gs.module, i32 0, i32 4), align 8
; CHECK-NEXT:  %gs.ge_start = icmp uge ptr %fp, %gs.text_begin
; CHECK-NEXT:  br i1 %gs.ge_start, label %gs.check_stop, label %gs.stub
; CHECK:     gs.check_stop:
; CHECK-NEXT:  %gs.text_end = load ptr, ptr getelementptr inbounds (%gs_module, ptr @gs.module, i32 0, i32 5), align 8
; CHECK-NEXT:  %gs.lt_stop = icmp ult ptr %fp, %gs.text_end
; CHECK-NEXT:  br i1 %gs.lt_stop, label %gs.direct, label %gs.stub
; CHECK:     gs.direct:
; CHECK-NEXT:  %[[D:.+]] = call i64 %fp(i64 %a, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7, i64 8)
; CHECK-NEXT:  br label %[[CONT:.+]]
; CHECK:     gs.stub:
; CHECK-NEXT:  %r.gs = call i64 @__gs_ic16(ptr nest %fp, i64 %a, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7, i64 8)
; CHECK-NEXT:  br label %[[CONT]]
; CHECK:     [[CONT]]:
; CHECK-NEXT:  %r = phi i64 [ %[[D]], %gs.direct ], [ %r.gs, %gs.stub ]
; CHECK-NEXT:  ret i64 %r
define i64 @call_it(ptr %fp, i64 %a) {
  %r = call i64 %fp(i64 %a, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7, i64 8)
  ret i64 %r
}

; Attributes move one position to make room for the target; sret may be the
; second parameter.
; CHECK-LABEL: define void @with_sret(
; CHECK: call void @__gs_ic0(ptr nest %fp, ptr sret({ [4 x i64] }) align 8 %out, i32 signext %v)
define void @with_sret(ptr %fp, ptr %out, i32 %v) {
  call void %fp(ptr sret({ [4 x i64] }) align 8 %out, i32 signext %v)
  ret void
}

; A variadic indirect call stays variadic (%al is set by the caller).
; CHECK-LABEL: define i32 @variadic_target(
; CHECK: call i32 (ptr, ptr, ...) @__gs_ic0(ptr nest %fp, ptr %fmt, double 1.000000e+00)
define i32 @variadic_target(ptr %fp, ptr %fmt) {
  %r = call i32 (ptr, ...) %fp(ptr %fmt, double 1.0)
  ret i32 %r
}

; The stub: linkonce_odr, hidden, naked; N into %r11, then the trampoline.
; CHECK: define linkonce_odr hidden void @__gs_ic16() #[[STUB:[0-9]+]] comdat {
; CHECK-NEXT: call void asm sideeffect "movl $$16, %r11d\0A\09jmp __gs_tramp_icall@PLT", ""()
; CHECK-NEXT: unreachable
; CHECK: attributes #[[STUB]] = { naked noinline }

; The bounds are read from the hidden descriptor gs.module (text_begin at
; offset 24, text_end at 32): PC-relative even in PIC code, and each compare
; takes its bound from memory. The target is already in %r10 (the nest
; register) on both paths.
; ASM-LABEL: call_it:
; ASM:       movq %rdi, %r10
; Two compares and two branches, no lea, no setcc (four instructions).
; ASM:       cmpq gs.module+24(%rip), %r{{di|10}}
; ASM-NEXT:  jb
; ASM:       # %gs.check_stop
; ASM-NEXT:  cmpq gs.module+32(%rip), %r{{di|10}}
; ASM-NEXT:  jae
; ASM:       # %gs.direct
; ASM:       callq *%r10
; ASM:       # %gs.stub
; ASM:       callq __gs_ic16
; ASM:       .section .text.__gs_ic16,"axG",@progbits,__gs_ic16,comdat
; ASM-NEXT:  .hidden __gs_ic16
; ASM-NEXT:  .weak __gs_ic16
; ASM:       __gs_ic16:
; ASM:       #APP
; ASM-NEXT:  movl $16, %r11d
; ASM-NEXT:  jmp __gs_tramp_icall@PLT

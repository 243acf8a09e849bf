; N, the bytes of stack arguments of a call (protocol.md section 3), read from
; the name of the thunk each external call is redirected to:
; `__gs_x<N>.callee`, `__gs_x.callee` when N is 0.
; RUN: %opt -passes=growstack -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%S24 = type { i64, i64, i64 }

declare void @six_ints(i64, i64, i64, i64, i64, i64)
declare void @seven_ints(i64, i64, i64, i64, i64, i64, i64)
declare void @nine_doubles(double, double, double, double, double, double, double, double, double)
declare void @long_double(x86_fp80)
declare void @byval24(ptr byval(%S24) align 8)
declare void @i128_after_5(i64, i64, i64, i64, i64, i128)
declare void @i128_after_4(i64, i64, i64, i64, i128)
declare void @mixed(i32, double, x86_fp80, i64, ptr, float, i8, i16, i64, i32, ptr byval(%S24), double)
declare void @sret_then_6(ptr sret(%S24), i64, i64, i64, i64, i64, i64)
declare void @nest_then_6(ptr nest, i64, i64, i64, i64, i64, i64)
declare void @fp128s(fp128, fp128, fp128, fp128, fp128, fp128, fp128, fp128, fp128, double)
declare void @aggregate({ i64, i64, i64, i64, i64, i64, i64 })
declare void @byval_overaligned(i64, ptr byval([3 x i8]) align 32)
declare void @vec8(double, double, double, double, double, double, double, double, <2 x float>)
declare void @small_ints(i8, i16, i1, i32, i8, i16, i1)
declare i32 @printf(ptr, ...)

define void @calls(ptr %p, x86_fp80 %ld, i128 %w, <2 x float> %v) {
  ; CHECK: call void @__gs_x.six_ints(
  call void @six_ints(i64 1, i64 2, i64 3, i64 4, i64 5, i64 6)
  ; CHECK: call void @__gs_x8.seven_ints(
  call void @seven_ints(i64 1, i64 2, i64 3, i64 4, i64 5, i64 6, i64 7)
  ; CHECK: call void @__gs_x8.nine_doubles(
  call void @nine_doubles(double 1.0, double 2.0, double 3.0, double 4.0, double 5.0, double 6.0, double 7.0, double 8.0, double 9.0)
  ; CHECK: call void @__gs_x16.long_double(
  call void @long_double(x86_fp80 %ld)
  ; CHECK: call void @__gs_x24.byval24(
  call void @byval24(ptr byval(%S24) align 8 %p)
  ; i128 never splits between %r9 and the stack: 16 aligned bytes.
  ; CHECK: call void @__gs_x16.i128_after_5(
  call void @i128_after_5(i64 1, i64 2, i64 3, i64 4, i64 5, i128 %w)
  ; CHECK: call void @__gs_x.i128_after_4(
  call void @i128_after_4(i64 1, i64 2, i64 3, i64 4, i128 %w)
  ; In argument order: x86_fp80 [0,16); i32 i64 ptr i8 i16 i64 fill the
  ; GPRs, the seventh integer (i32) [16,24); byval [24,48); the FP values
  ; take XMM registers.
  ; CHECK: call void @__gs_x48.mixed(
  call void @mixed(i32 1, double 1.0, x86_fp80 %ld, i64 2, ptr %p, float 1.0, i8 3, i16 4, i64 5, i32 6, ptr byval(%S24) %p, double 2.0)
  ; sret takes a register; nest goes in %r10 and takes none.
  ; CHECK: call void @__gs_x8.sret_then_6(
  call void @sret_then_6(ptr sret(%S24) %p, i64 1, i64 2, i64 3, i64 4, i64 5, i64 6)
  ; CHECK: call void @__gs_x.nest_then_6(
  call void @nest_then_6(ptr nest %p, i64 1, i64 2, i64 3, i64 4, i64 5, i64 6)
  ; The ninth fp128 takes 16 bytes, the double after it 8 more.
  ; CHECK: call void @__gs_x24.fp128s(
  call void @fp128s(fp128 0xL0, fp128 0xL0, fp128 0xL0, fp128 0xL0, fp128 0xL0, fp128 0xL0, fp128 0xL0, fp128 0xL0, fp128 0xL0, double 0.0)
  ; A first-class aggregate is split into its members.
  ; CHECK: call void @__gs_x8.aggregate(
  call void @aggregate({ i64, i64, i64, i64, i64, i64, i64 } zeroinitializer)
  ; byval: size rounded up to 8, alignment max(8, align).
  ; CHECK: call void @__gs_x8.byval_overaligned(
  call void @byval_overaligned(i64 1, ptr byval([3 x i8]) align 32 %p)
  ; A short vector spilled to the stack takes a 16-byte slot (the backend
  ; widens it to a 128-bit register type). clang never passes one this way.
  ; CHECK: call void @__gs_x16.vec8(
  call void @vec8(double 1.0, double 2.0, double 3.0, double 4.0, double 5.0, double 6.0, double 7.0, double 8.0, <2 x float> %v)
  ; CHECK: call void @__gs_x8.small_ints(
  call void @small_ints(i8 1, i16 2, i1 true, i32 3, i8 4, i16 5, i1 false)
  ; Variadic calls count their actual arguments.
  ; CHECK: call i32 (ptr, ...) @__gs_x16.printf(ptr %p, i64 1, i64 2, i64 3, i64 4, i64 5, double 1.000000e+00, i64 6, i64 7)
  call i32 (ptr, ...) @printf(ptr %p, i64 1, i64 2, i64 3, i64 4, i64 5, double 1.0, i64 6, i64 7)
  ret void
}

; The declarations keep the callee's type and parameter attributes.
; CHECK-DAG: declare void @__gs_x24.byval24(ptr byval(%S24) align 8)
; CHECK-DAG: declare i32 @__gs_x16.printf(ptr, ...)

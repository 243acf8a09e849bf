; A call that must be redirected but whose N cannot be computed (here: the
; Windows x64 calling convention, a 256-bit vector without AVX) or whose
; indirect form cannot carry the target (it already uses `nest`) makes the
; caller ineligible, with a remark, rather than guessing.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack -pass-remarks-missed=growstack -disable-output %s 2>&1 | FileCheck %s --check-prefix=REMARK

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare win64cc void @ms(i64)
declare void @wide(<8 x float>)

; REMARK-DAG: 'calls_ms' not instrumented: call with a signature growstack cannot redirect
; REMARK-DAG: 'calls_wide' not instrumented: call with a signature growstack cannot redirect
; REMARK-DAG: 'calls_nest' not instrumented: call with a signature growstack cannot redirect

; CHECK: define void @calls_ms() {
define void @calls_ms() {
  call win64cc void @ms(i64 1)
  ret void
}

; CHECK: define void @calls_wide(<8 x float> %v) {
define void @calls_wide(<8 x float> %v) {
  call void @wide(<8 x float> %v)
  ret void
}

; CHECK: define void @calls_nest(ptr %fp, ptr %chain) {
define void @calls_nest(ptr %fp, ptr %chain) {
  call void %fp(ptr nest %chain)
  ret void
}

; With AVX the vector goes in %ymm0 and N is known.
; CHECK: define void @calls_wide_avx(<8 x float> %v) #[[AVX:[0-9]+]] section "growstack_text" {
; CHECK-NEXT: call void @__gs_x.wide(<8 x float> %v)
define void @calls_wide_avx(<8 x float> %v) #0 {
  call void @wide(<8 x float> %v)
  ret void
}

attributes #0 = { "target-features"="+avx,+sse,+sse2" }

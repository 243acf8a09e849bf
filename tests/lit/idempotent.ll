; Running the pass a second time changes nothing (the module carries
; !growstack.instrumented), e.g. when clang compiles IR the plugin produced.
; RUN: %opt -passes=growstack -S %s -o %t.once.ll
; RUN: %opt -passes=growstack -S %t.once.ll -o %t.twice.ll
; RUN: grep -v '^; ModuleID' %t.once.ll > %t.a
; RUN: grep -v '^; ModuleID' %t.twice.ll > %t.b
; RUN: diff %t.a %t.b
; RUN: FileCheck %s < %t.twice.ll

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @ext()

define void @f(ptr %fp) {
  call void @ext()
  call void %fp()
  ret void
}

; CHECK-COUNT-1: @__gs_rec.f =
; CHECK: !growstack.instrumented = !{}

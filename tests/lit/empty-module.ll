; A module without instrumented functions is left exactly as it was: no
; descriptor, no constructor, no reference to the runtime.
; RUN: %opt -passes=growstack -S %s -o %t.ll
; RUN: %opt -S %s -o %t.orig.ll
; RUN: diff %t.orig.ll %t.ll

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@data = global i32 1
declare void @ext()

; Opted out: not even split into a shell and a body (VarargShell.h).
define void @variadic(...) "growstack_nosplit" {
  call void @ext()
  ret void
}

; What the escape analysis takes for a va_list object (protocol.md 7.1): an
; alloca of the x86-64 va_list type, %struct.__va_list_tag = { i32, i32, ptr,
; ptr }, also under the suffixed names IR linking gives it, in an array or
; alone. Passed to a callee that may keep anything, it does not escape. A
; struct named like it with another layout is an ordinary local (it moves to
; the side stack); a struct with a va_list member that escapes pins the frame.
; Flags: 0 = nothing, 32 = SIDE, 3 = PINNED|ESCAPE.
; RUN: %opt -passes=growstack -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.__va_list_tag = type { i32, i32, ptr, ptr }
%struct.__va_list_tag.0 = type { i32, i32, ptr, ptr }
%struct.__va_list_tag.x = type { i32, i32, ptr, ptr }
%struct.__va_list_tag.1 = type { i64, ptr }
%struct.holder = type { i32, [1 x %struct.__va_list_tag] }

declare void @use(ptr)
declare void @llvm.va_copy.p0(ptr, ptr)
declare void @llvm.va_end.p0(ptr)

; CHECK-DAG: @__gs_rec.plain = {{.*}} i32 0, i32 0, i32 0 }
define void @plain(ptr %ap) {
  %aq = alloca [1 x %struct.__va_list_tag], align 16
  call void @llvm.va_copy.p0(ptr %aq, ptr %ap)
  call void @use(ptr %aq)
  call void @llvm.va_end.p0(ptr %aq)
  ret void
}

; CHECK-DAG: @__gs_rec.suffixed = {{.*}} i32 0, i32 0, i32 0 }
define void @suffixed(ptr %ap) {
  %aq = alloca [1 x %struct.__va_list_tag.0], align 16
  call void @llvm.va_copy.p0(ptr %aq, ptr %ap)
  call void @use(ptr %aq)
  ret void
}

; Two va_lists in one array: a pointer to the second is a va_list argument.
; CHECK-DAG: @__gs_rec.array = {{.*}} i32 0, i32 0, i32 0 }
define void @array(ptr %ap) {
  %aqs = alloca [2 x [1 x %struct.__va_list_tag]], align 16
  %second = getelementptr [2 x [1 x %struct.__va_list_tag]], ptr %aqs, i64 0, i64 1
  call void @llvm.va_copy.p0(ptr %second, ptr %ap)
  call void @use(ptr %second)
  ret void
}

; Not the va_list: another suffix, another layout.
; CHECK-DAG: @__gs_rec.bad_suffix = {{.*}} i32 32, i32 0, i32 0 }
define void @bad_suffix() {
  %x = alloca %struct.__va_list_tag.x, align 16
  call void @use(ptr %x)
  ret void
}

; CHECK-DAG: @__gs_rec.bad_layout = {{.*}} i32 32, i32 0, i32 0 }
define void @bad_layout() {
  %x = alloca %struct.__va_list_tag.1, align 16
  call void @use(ptr %x)
  ret void
}

; A va_list inside a struct: passing the struct is not passing a va_list; it
; escapes, and what holds a va_list never goes to the side stack.
; CHECK-DAG: @__gs_rec.member = {{.*}} i32 3, i32 {{.*}}, i32 0 }
define void @member(ptr %ap) {
  %h = alloca %struct.holder, align 16
  %m = getelementptr %struct.holder, ptr %h, i64 0, i32 1
  call void @llvm.va_copy.p0(ptr %m, ptr %ap)
  call void @use(ptr %h)
  ret void
}

; A va_list whose address is stored outside the frame pins it.
@g = global ptr null
; CHECK-DAG: @__gs_rec.stored = {{.*}} i32 3, i32 {{.*}}, i32 0 }
define void @stored(ptr %ap) {
  %aq = alloca [1 x %struct.__va_list_tag], align 16
  call void @llvm.va_copy.p0(ptr %aq, ptr %ap)
  store ptr %aq, ptr @g
  ret void
}

; A va_list and another local in one argument (a phi of both): not only
; va_lists, so both escape, and the frame pins for the va_list.
; CHECK-DAG: @__gs_rec.mixed_phi = {{.*}} i32 3, i32 {{.*}}, i32 0 }
define void @mixed_phi(ptr %ap, i1 %c) {
entry:
  %aq = alloca [1 x %struct.__va_list_tag], align 16
  %x = alloca i32
  call void @llvm.va_copy.p0(ptr %aq, ptr %ap)
  br i1 %c, label %a, label %b
a:
  br label %j
b:
  br label %j
j:
  %p = phi ptr [ %aq, %a ], [ %x, %b ]
  call void @use(ptr %p)
  ret void
}

; The escape analysis (protocol.md 7.1) on IR shapes one at a time. Flags:
; 0 = nothing escapes, 32 = SIDE (the escaping locals moved to the side
; stack), 3 = PINNED|ESCAPE (an escape the side stack cannot take).
; RUN: %opt -passes=growstack -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@g = global ptr null
declare void @nocap(ptr nocapture)
declare void @mayCapture(ptr)
declare ptr @pure(ptr) memory(none)
declare void @big(ptr sret({ [8 x i64] }))
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)

; CHECK-DAG: @__gs_rec.nocapture_arg = {{.*}} i32 0, i32 0, i32 0 }
define void @nocapture_arg() {
  %x = alloca i32
  call void @nocap(ptr %x)
  ret void
}

; A non-capturing callee may still copy out addresses it finds in the pointee.
; CHECK-DAG: @__gs_rec.nocapture_container = {{.*}} i32 32, i32 0, i32 0 }
define void @nocapture_container() {
  %x = alloca i32
  %p = alloca ptr
  store ptr %x, ptr %p
  call void @nocap(ptr %p)
  ret void
}

; CHECK-DAG: @__gs_rec.may_capture = {{.*}} i32 32, i32 0, i32 0 }
define void @may_capture() {
  %x = alloca [4 x i32]
  %e = getelementptr [4 x i32], ptr %x, i64 0, i64 2
  call void @mayCapture(ptr %e)
  ret void
}

; A callee that writes no memory can only return the address.
; CHECK-DAG: @__gs_rec.readnone_callee = {{.*}} i32 0, i32 0, i32 0 }
define i32 @readnone_callee() {
  %x = alloca i32
  %q = call ptr @pure(ptr %x)
  store i32 1, ptr %q
  %v = load i32, ptr %x
  ret i32 %v
}

; CHECK-DAG: @__gs_rec.readnone_result_stored = {{.*}} i32 32, i32 0, i32 0 }
define void @readnone_result_stored() {
  %x = alloca i32
  %q = call ptr @pure(ptr %x)
  store ptr %q, ptr @g
  ret void
}

; CHECK-DAG: @__gs_rec.returned = {{.*}} i32 32, i32 0, i32 0 }
define ptr @returned() {
  %x = alloca i32
  ret ptr %x
}

; CHECK-DAG: @__gs_rec.to_integer = {{.*}} i32 32, i32 0, i32 0 }
define i64 @to_integer() {
  %x = alloca i32
  %i = ptrtoint ptr %x to i64
  ret i64 %i
}

; CHECK-DAG: @__gs_rec.atomic_store_to_local = {{.*}} i32 32, i32 0, i32 0 }
define void @atomic_store_to_local() {
  %x = alloca i32
  %p = alloca ptr
  store atomic ptr %x, ptr %p seq_cst, align 8
  ret void
}

; A pointer that may point to the global: storing &x through it escapes.
; CHECK-DAG: @__gs_rec.select_with_global = {{.*}} i32 32, i32 0, i32 0 }
define void @select_with_global(i1 %c) {
  %x = alloca i32
  %p = alloca ptr
  %slot = select i1 %c, ptr %p, ptr @g
  store ptr %x, ptr %slot
  ret void
}

; Both arms local: no escape.
; CHECK-DAG: @__gs_rec.phi_of_locals = {{.*}} i32 0, i32 0, i32 0 }
define void @phi_of_locals(i1 %c) {
entry:
  %x = alloca i32
  %p = alloca ptr
  %q = alloca ptr
  br i1 %c, label %a, label %b
a:
  br label %join
b:
  br label %join
join:
  %slot = phi ptr [ %p, %a ], [ %q, %b ]
  store ptr %x, ptr %slot
  %back = load ptr, ptr %slot
  store i32 3, ptr %back
  ret void
}

; memcpy of a local holding &x into a global escapes; into a local it does not.
; CHECK-DAG: @__gs_rec.memcpy_out = {{.*}} i32 32, i32 0, i32 0 }
define void @memcpy_out() {
  %x = alloca i32
  %p = alloca ptr
  store ptr %x, ptr %p
  call void @llvm.memcpy.p0.p0.i64(ptr @g, ptr %p, i64 8, i1 false)
  ret void
}

; CHECK-DAG: @__gs_rec.memcpy_local = {{.*}} i32 0, i32 0, i32 0 }
define void @memcpy_local() {
  %x = alloca i32
  %p = alloca ptr
  %q = alloca ptr
  store ptr %x, ptr %p
  call void @llvm.memcpy.p0.p0.i64(ptr %q, ptr %p, i64 8, i1 false)
  %back = load ptr, ptr %q
  store i32 0, ptr %back
  ret void
}

; ...but what was copied is followed: storing it to a global escapes.
; CHECK-DAG: @__gs_rec.memcpy_then_leak = {{.*}} i32 32, i32 0, i32 0 }
define void @memcpy_then_leak() {
  %x = alloca i32
  %p = alloca ptr
  %q = alloca ptr
  store ptr %x, ptr %p
  call void @llvm.memcpy.p0.p0.i64(ptr %q, ptr %p, i64 8, i1 false)
  %back = load ptr, ptr %q
  store ptr %back, ptr @g
  ret void
}

; A local that held a global pointer: storing &x through what it holds may
; write global memory.
; CHECK-DAG: @__gs_rec.through_loaded_global = {{.*}} i32 32, i32 0, i32 0 }
define void @through_loaded_global() {
  %x = alloca i32
  %p = alloca ptr
  %gp = load ptr, ptr @g
  store ptr %gp, ptr %p
  %slot = load ptr, ptr %p
  store ptr %x, ptr %slot
  ret void
}

; memset writes no local addresses, but makes the contents unknown.
; CHECK-DAG: @__gs_rec.memset_then_store_through = {{.*}} i32 32, i32 0, i32 0 }
define void @memset_then_store_through() {
  %x = alloca i32
  %p = alloca ptr
  call void @llvm.memset.p0.i64(ptr %p, i8 0, i64 8, i1 false)
  %slot = load ptr, ptr %p
  store ptr %x, ptr %slot
  ret void
}

; sret: the callee writes the result, it cannot keep the slot's address.
; CHECK-DAG: @__gs_rec.sret_call = {{.*}} i32 0, i32 0, i32 0 }
define void @sret_call() {
  %r = alloca { [8 x i64] }
  call void @big(ptr sret({ [8 x i64] }) %r)
  ret void
}

; The callee's own byval arguments are stack memory too: an escaping one is
; copied to the side stack.
; CHECK-DAG: @__gs_rec.leaks_byval = {{.*}} i32 32, i32 0, i32 0 }
define void @leaks_byval(ptr byval({ i64, i64 }) %s) {
  store ptr %s, ptr @g
  ret void
}

; Inline asm sees the address: not understood, an escape (to the side stack).
; CHECK-DAG: @__gs_rec.asm_input = {{.*}} i32 32, i32 0, i32 0 }
define void @asm_input() {
  %x = alloca i32
  call void asm sideeffect "movq $0, %rax", "r,~{rax}"(ptr %x)
  ret void
}

; An empty template without outputs (a compiler barrier, DoNotOptimize's
; asm volatile("" : : "r"(p) : "memory")) runs nothing: no escape.
; CHECK-DAG: @__gs_rec.asm_empty_barrier = {{.*}} i32 0, i32 0, i32 0 }
define void @asm_empty_barrier() {
  %x = alloca [4 x i32]
  call void asm sideeffect " \09", "r,~{memory}"(ptr %x)
  call void asm sideeffect "", "*m,~{memory}"(ptr elementtype([4 x i32]) %x)
  ret void
}

; An empty template with an output may hand the input back ("+r"(p)): the
; result carries the address, which is then stored away.
; CHECK-DAG: @__gs_rec.asm_empty_tied = {{.*}} i32 32, i32 0, i32 0 }
define void @asm_empty_tied() {
  %x = alloca i32
  %q = call ptr asm sideeffect "", "=r,0"(ptr %x)
  store ptr %q, ptr @g
  ret void
}

; An empty template with an indirect output: not taken as a barrier.
; CHECK-DAG: @__gs_rec.asm_empty_mem_output = {{.*}} i32 32, i32 0, i32 0 }
define void @asm_empty_mem_output() {
  %x = alloca i32
  call void asm sideeffect "", "=*m"(ptr elementtype(i32) %x)
  ret void
}

; __builtin_frame_address reaches every local: the frame stays pinned.
; CHECK-DAG: @__gs_rec.frame_address = {{.*}} i32 3, i32 {{.*}}, i32 0 }
declare ptr @llvm.frameaddress.p0(i32)
define ptr @frame_address() {
  %f = call ptr @llvm.frameaddress.p0(i32 0)
  ret ptr %f
}

; Address arithmetic through integers loaded from a container carries the
; address along.
; CHECK-DAG: @__gs_rec.int_copy = {{.*}} i32 32, i32 0, i32 0 }
define void @int_copy() {
  %x = alloca i32
  %p = alloca ptr
  store ptr %x, ptr %p
  %bits = load i64, ptr %p
  %moved = add i64 %bits, 0
  store i64 %moved, ptr @g
  ret void
}

; Escapes the side stack cannot take pin the frame (protocol.md 7.1): a local
; aligned above 4096, the caller's sret slot, a stacksave result.
; CHECK-DAG: @__gs_rec.over_aligned = {{.*}} i32 3, i32 {{.*}}, i32 0 }
define void @over_aligned() {
  %x = alloca i32, align 8192
  call void @mayCapture(ptr %x)
  ret void
}

; CHECK-DAG: @__gs_rec.leaks_sret = {{.*}} i32 3, i32 {{.*}}, i32 0 }
define void @leaks_sret(ptr sret({ [8 x i64] }) %r) {
  store ptr %r, ptr @g
  ret void
}

; CHECK-DAG: @__gs_rec.leaks_stacksave = {{.*}} i32 3, i32 {{.*}}, i32 0 }
declare ptr @llvm.stacksave.p0()
define void @leaks_stacksave() {
  %s = call ptr @llvm.stacksave.p0()
  call void @mayCapture(ptr %s)
  ret void
}

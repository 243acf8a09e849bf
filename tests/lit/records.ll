; Function records (version 2), their names, the module descriptor and its
; constructor/destructor (protocol.md 2.1).
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -O2 -relocation-model=pic -o - | FileCheck %s --check-prefix=ASM

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

$inl = comdat any

declare void @keep(ptr)

; A record is { int32 func - &record.func, uint32 flags, int32 name -
; &record.name, uint32 0 }: 16 bytes, read-only, 8-aligned, in gs_records. A
; global function is reached through a private alias, so the reference
; resolves against its section (no relocation against a symbol a shared
; object could interpose). Only pinned records have a name: a private string
; in the function's COMDAT group.
; CHECK: %gs_module = type { i32, i32, ptr, ptr, ptr, ptr, [2 x ptr] }
; CHECK: $gs.module_ctor = comdat any
; CHECK: $gs.module = comdat any
; CHECK: @__gs_rec.ext = private constant { i32, i32, i32, i32 } { i32 trunc (i64 sub (i64 ptrtoint (ptr @__gs_local.ext to i64), i64 ptrtoint (ptr @__gs_rec.ext to i64)) to i32), i32 0, i32 0, i32 0 }, section "gs_records", align 8
; CHECK: @__gs_rec.loc = private constant { i32, i32, i32, i32 } { i32 trunc (i64 sub (i64 ptrtoint (ptr @loc to i64), i64 ptrtoint (ptr @__gs_rec.loc to i64)) to i32), i32 8, i32 0, i32 0 }, section "gs_records", align 8

; The record of a function in a COMDAT group is in that group, and so is its
; name. PINNED|X87 = 17.
; CHECK: @__gs_rec.inl = private constant { i32, i32, i32, i32 } { i32 trunc (i64 sub (i64 ptrtoint (ptr @__gs_local.inl to i64), i64 ptrtoint (ptr @__gs_rec.inl to i64)) to i32), i32 17, i32 trunc (i64 sub (i64 ptrtoint (ptr @__gs_name.inl to i64), i64 ptrtoint (ptr getelementptr inbounds ({ i32, i32, i32, i32 }, ptr @__gs_rec.inl, i32 0, i32 2) to i64)) to i32), i32 0 }, section "gs_records", comdat($inl), align 8
; CHECK: @__gs_name.inl = private unnamed_addr constant [4 x i8] c"inl\00", comdat($inl), align 1

; A side frame is informational (SIDE = 32), no name.
; CHECK: @__gs_rec.side = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }, section "gs_records", align 8

; CHECK: @llvm.compiler.used = appending global [4 x ptr] [ptr @__gs_rec.ext, ptr @__gs_rec.loc, ptr @__gs_rec.inl, ptr @__gs_rec.side], section "llvm.metadata"
; CHECK: @__start_gs_records = external hidden global i8
; CHECK: @__stop_gs_records = external hidden global i8
; CHECK: @__start_growstack_text = external hidden global i8
; CHECK: @__stop_growstack_text = external hidden global i8

; The descriptor: version 2, the record and text bounds of this linked object,
; two words for the runtime. Writable, hidden, one per linked object.
; CHECK: @gs.module = linkonce_odr hidden global %gs_module { i32 2, i32 0, ptr @__start_gs_records, ptr @__stop_gs_records, ptr @__start_growstack_text, ptr @__stop_growstack_text, [2 x ptr] zeroinitializer }, comdat, align 8

; Constructor and destructor at priority 1, their .init_array/.fini_array
; entries keyed to the gs.module_ctor group.
; CHECK: @llvm.global_ctors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 1, ptr @gs.module_ctor, ptr @gs.module_ctor }]
; CHECK: @llvm.global_dtors = appending global [1 x { i32, ptr, ptr }] [{ i32, ptr, ptr } { i32 1, ptr @gs.module_dtor, ptr @gs.module_ctor }]
; CHECK: @__gs_local.ext = private alias void (), ptr @ext

define void @ext() {
  ret void
}

define internal void @loc(i64 %n) {
  %vla = alloca i8, i64 %n
  call void @ext()
  ret void
}

define linkonce_odr x86_fp80 @inl(x86_fp80 %x) comdat {
  call void @loc(i64 4)
  ret x86_fp80 %x
}

define void @side() {
  %x = alloca i32
  call void @keep(ptr %x)
  ret void
}

; CHECK: define linkonce_odr hidden void @gs.module_ctor() #{{[0-9]+}} comdat {
; CHECK-NEXT: call void @gs_records_register(ptr @gs.module)
; CHECK-NEXT: ret void
; CHECK: define linkonce_odr hidden void @gs.module_dtor() #{{[0-9]+}} comdat($gs.module_ctor) {
; CHECK-NEXT: call void @gs_records_unregister(ptr @gs.module)
; CHECK-NEXT: ret void

; ASM:      .section growstack_text,"ax",@progbits
; ASM:      ext:
; ASM:      .section growstack_text,"axG",@progbits,inl,comdat
; ASM:      .section gs_records,"a",@progbits
; ASM-NEXT: .p2align 3
; ASM-NEXT: .L__gs_rec.ext:
; ASM-NEXT: .long .L__gs_local.ext-.L__gs_rec.ext
; ASM-NEXT: .long 0
; ASM-NEXT: .long 0
; ASM-NEXT: .long 0
; ASM-NEXT: .size .L__gs_rec.ext, 16
; ASM:      .L__gs_rec.loc:
; ASM-NEXT: .long loc-.L__gs_rec.loc
; ASM-NEXT: .long 8
; ASM:      .section gs_records,"aG",@progbits,inl,comdat
; ASM:      .L__gs_rec.inl:
; ASM-NEXT: .long .L__gs_local.inl-.L__gs_rec.inl
; ASM-NEXT: .long 17
; ASM-NEXT: .long (.L__gs_name.inl-.L__gs_rec.inl)-8
; ASM-NEXT: .long 0
; The name string is in the COMDAT group, in a read-only string section.
; ASM:      .section .rodata.str1.1{{.*}},"aMSG",@progbits,1,inl,comdat
; ASM-NEXT: .L__gs_name.inl:
; ASM-NEXT: .asciz "inl"
; ASM:      .section .data.gs.module,"awG",@progbits,gs.module,comdat
; ASM-NEXT: .weak gs.module
; ASM:      .section .init_array.1,"awG",@init_array,gs.module_ctor,comdat
; ASM-NEXT: .p2align 3
; ASM-NEXT: .quad gs.module_ctor
; ASM:      .section .fini_array.1,"awG",@fini_array,gs.module_ctor,comdat
; ASM-NEXT: .p2align 3
; ASM-NEXT: .quad gs.module_dtor
; ASM:      .set .L__gs_local.ext, ext

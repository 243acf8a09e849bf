; A VLA whose size folded to a constant stays behind its llvm.stacksave,
; outside the entry block (jq's jv_load_file: `char buf[4096 +
; max_utf8_len]`). If it runs at most once per call it takes a fixed place in
; the side frame like a static alloca (protocol.md 7.1); in a loop it
; allocates anew at every iteration, and an escaping one still pins.
; Flags: 40 = SIDE|DYNALLOCA, 11 = PINNED|ESCAPE|DYNALLOCA.
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -O2 -o /dev/null

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare void @keep(ptr)
declare ptr @llvm.stacksave.p0()
declare void @llvm.stackrestore.p0(ptr)

; CHECK-DAG: @__gs_rec.once = private constant {{.*}} i32 40, i32 0, i32 0 }
; CHECK-DAG: @__gs_rec.looped = private constant {{.*}} i32 11, i32 {{.*}}, i32 0 }

; The side frame is set up where the VLA is, in body (side-lazy.ll), and
; the path through entry -> out never touches the side stack.
; CHECK-LABEL: define void @once(
; CHECK: body:
; CHECK: %gs.side.dec = getelementptr i8, ptr %gs.side.old_sp, i64 -4112
; CHECK-NOT: alloca
; CHECK-NOT: llvm.memset
; CHECK: %buf{{[0-9]*}} = getelementptr inbounds i8, ptr %gs.side.base, i64 0
; CHECK-NEXT: call void @__gs_x.keep(ptr %buf
; CHECK: store ptr %gs.side.restore_sp, ptr
; CHECK: store ptr %gs.side.restore_lim, ptr
; CHECK-NEXT: br label %out
; CHECK: out:
; CHECK-NEXT: call void @__gs_dyn_frame_exit()
; CHECK-NEXT: ret void
define void @once(i1 %c) {
entry:
  br i1 %c, label %body, label %out
body:
  %s = call ptr @llvm.stacksave.p0()
  %buf = alloca [4100 x i8], align 16
  call void @keep(ptr %buf)
  call void @llvm.stackrestore.p0(ptr %s)
  br label %out
out:
  ret void
}

; A looped one stays on the moving stack, its padding zeroed (DynAlloca.h);
; the fixed one above is not zeroed (the side stack is never scanned).
; CHECK-LABEL: define void @looped(
; CHECK: %buf = alloca i8, i32 %{{[0-9]+}}, align 16
; CHECK: call void @llvm.memset
define void @looped(i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %j, %loop ]
  %s = call ptr @llvm.stacksave.p0()
  %buf = alloca [16 x i8], align 16
  call void @keep(ptr %buf)
  call void @llvm.stackrestore.p0(ptr %s)
  %j = add i32 %i, 1
  %more = icmp slt i32 %j, %n
  br i1 %more, label %loop, label %out
out:
  ret void
}

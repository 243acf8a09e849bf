; An escaping byval argument lives in the caller's outgoing area, on the
; moving stack: it is copied into the side frame at entry and the copy used
; instead (protocol.md 7.1). A byval argument that does not escape is used in
; place. Flags: SIDE (32).
; RUN: %opt -passes=growstack -S %s | FileCheck %s
; RUN: %opt -passes=growstack %s | %llc -O2 -o /dev/null

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%struct.big = type { [5 x i64] }
@g = global ptr null
declare void @use(ptr nocapture)

; CHECK: @__gs_rec.escapes = private constant {{.*}} i32 32, i32 0, i32 0 }
; CHECK: @__gs_rec.stays = private constant {{.*}} i32 0, i32 0, i32 0 }

; CHECK-LABEL: define i64 @escapes(i64 %n, ptr byval(%struct.big) align 8 %b)
; CHECK: %gs.side.fast = getelementptr i8, ptr %gs.side.old_sp, i64 -48
; CHECK: gs.side.ready:
; CHECK: %b.side = getelementptr inbounds i8, ptr %gs.side.base, i64 0
; CHECK-NEXT: call void @llvm.memcpy.p0.p0.i64(ptr align 8 %b.side, ptr align 8 %b, i64 40, i1 false)
; CHECK-NEXT: %f = getelementptr inbounds %struct.big, ptr %b.side, i64 0, i32 0, i64 1
; CHECK-NEXT: store ptr %b.side, ptr @g
; CHECK-NEXT: %v = load i64, ptr %f
define i64 @escapes(i64 %n, ptr byval(%struct.big) align 8 %b) {
  %f = getelementptr inbounds %struct.big, ptr %b, i64 0, i32 0, i64 1
  store ptr %b, ptr @g
  %v = load i64, ptr %f
  ret i64 %v
}

; CHECK-LABEL: define i64 @stays(ptr byval(%struct.big) align 8 %b)
; CHECK-NOT: __gs_side
; CHECK: call void @__gs_x.use(ptr %b)
define i64 @stays(ptr byval(%struct.big) align 8 %b) {
  call void @use(ptr %b)
  %v = load i64, ptr %b
  ret i64 %v
}

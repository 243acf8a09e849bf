; An indirect call whose pointer can only hold instrumented, non-interposable
; definitions of this module (through selects and phis) is left as it is: the
; range test would always pass (protocol.md section 4, rule 4 reached through a
; pointer). Any other value among the candidates (a declaration, a weak
; definition, an uninstrumented one, null, a loaded pointer, an argument)
; keeps the range test and the stub.
; RUN: %opt -passes=growstack -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

define internal i64 @cmp_a(i64 %x) {
  ret i64 %x
}

define i64 @cmp_b(i64 %x) {
  %r = add i64 %x, 1
  ret i64 %r
}

@cmp_alias = alias i64 (i64), ptr @cmp_b

define weak i64 @cmp_weak(i64 %x) {
  ret i64 %x
}

declare i64 @cmp_ext(i64)

define internal i64 @cmp_naked(i64 %x) naked {
  unreachable
}

; CHECK-LABEL: define i64 @select_known(
; CHECK-NOT:   gs.check_stop
; CHECK:       %fp = select i1 %c, ptr @cmp_a, ptr @cmp_b
; CHECK-NEXT:  %r = call i64 %fp(i64 %x)
; CHECK-NEXT:  ret i64 %r
define i64 @select_known(i1 %c, i64 %x) {
  %fp = select i1 %c, ptr @cmp_a, ptr @cmp_b
  %r = call i64 %fp(i64 %x)
  ret i64 %r
}

; A loop over a phi of known targets, one through an alias (SQLite's
; xRecordCompare in sqlite3BtreeIndexMoveto has this shape).
; CHECK-LABEL: define i64 @phi_loop(
; CHECK-NOT:   gs.check_stop
; CHECK:       %r = call i64 %fp(i64 %i)
define i64 @phi_loop(i32 %k, i64 %n) {
entry:
  switch i32 %k, label %other [ i32 0, label %zero ]
zero:
  br label %head
other:
  %sel = select i1 true, ptr @cmp_alias, ptr @cmp_a
  br label %head
head:
  %fp = phi ptr [ @cmp_a, %zero ], [ %sel, %other ], [ %fp, %loop ]
  %i = phi i64 [ 0, %zero ], [ 0, %other ], [ %i.next, %loop ]
  %acc = phi i64 [ 0, %zero ], [ 0, %other ], [ %acc.next, %loop ]
  %done = icmp eq i64 %i, %n
  br i1 %done, label %exit, label %loop
loop:
  %r = call i64 %fp(i64 %i)
  %acc.next = add i64 %acc, %r
  %i.next = add i64 %i, 1
  br label %head
exit:
  ret i64 %acc
}

; A phi whose every incoming value is the same instrumented function.
; CHECK-LABEL: define i64 @self_phi(
; CHECK-NOT:   gs.check_stop
define i64 @self_phi(i1 %c, i64 %x) {
entry:
  br i1 %c, label %a, label %b
a:
  br label %j
b:
  br label %j
j:
  %fp = phi ptr [ @cmp_b, %a ], [ @cmp_b, %b ]
  %r = call i64 %fp(i64 %x)
  ret i64 %r
}

; CHECK-LABEL: define i64 @with_declaration(
; CHECK:       icmp uge ptr %fp, %gs.text_begin
; CHECK:       call i64 @__gs_ic0(ptr nest %fp, i64 %x)
define i64 @with_declaration(i1 %c, i64 %x) {
  %fp = select i1 %c, ptr @cmp_a, ptr @cmp_ext
  %r = call i64 %fp(i64 %x)
  ret i64 %r
}

; CHECK-LABEL: define i64 @with_weak(
; CHECK:       call i64 @__gs_ic0(ptr nest %fp, i64 %x)
define i64 @with_weak(i1 %c, i64 %x) {
  %fp = select i1 %c, ptr @cmp_weak, ptr @cmp_a
  %r = call i64 %fp(i64 %x)
  ret i64 %r
}

; CHECK-LABEL: define i64 @with_uninstrumented(
; CHECK:       call i64 @__gs_ic0(ptr nest %fp, i64 %x)
define i64 @with_uninstrumented(i1 %c, i64 %x) {
  %fp = select i1 %c, ptr @cmp_naked, ptr @cmp_a
  %r = call i64 %fp(i64 %x)
  ret i64 %r
}

; CHECK-LABEL: define i64 @with_null(
; CHECK:       call i64 @__gs_ic0(ptr nest %fp, i64 %x)
define i64 @with_null(i1 %c, i64 %x) {
  %fp = select i1 %c, ptr null, ptr @cmp_a
  %r = call i64 %fp(i64 %x)
  ret i64 %r
}

; CHECK-LABEL: define i64 @with_load(
; CHECK:       call i64 @__gs_ic0(ptr nest %fp, i64 %x)
define i64 @with_load(i1 %c, ptr %slot, i64 %x) {
  %ld = load ptr, ptr %slot
  %fp = select i1 %c, ptr %ld, ptr @cmp_a
  %r = call i64 %fp(i64 %x)
  ret i64 %r
}

; A loaded pointer whose call carries !callees (LLVM's called-value
; propagation attaches it; calling anything else is undefined behaviour):
; every listed function instrumented here, so no range test.
; CHECK-LABEL: define i64 @callees_known(
; CHECK-NOT:   gs.check_stop
; CHECK:       %r = call i64 %fp(i64 %x), !callees
define i64 @callees_known(ptr %slot, i64 %x) {
  %fp = load ptr, ptr %slot
  %r = call i64 %fp(i64 %x), !callees !0
  ret i64 %r
}

; One listed function is only declared here: the range test stays.
; CHECK-LABEL: define i64 @callees_with_declaration(
; CHECK:       call i64 @__gs_ic0(ptr nest %fp, i64 %x)
define i64 @callees_with_declaration(ptr %slot, i64 %x) {
  %fp = load ptr, ptr %slot
  %r = call i64 %fp(i64 %x), !callees !1
  ret i64 %r
}

!0 = !{ptr @cmp_a, ptr @cmp_b}
!1 = !{ptr @cmp_b, ptr @cmp_ext}

// A function calling setjmp/sigsetjmp gets a jb node in its side frame and is
// not pinned: flags SIDE|JMPBUF (96, protocol.md 2.1, 7.3). The node
// { prev, count, buf[count] } is linked into __gs_side.jb at entry, each call
// site records its buffer just before the call, and when the call returns
// from a longjmp (not 0) the frame's own side state (sp = base, lim,
// jb = &node) is restored before gs_stack_resync(); its first return (0)
// changed nothing and skips both. Every return unlinks the node and restores
// the caller's state. setjmp itself is called directly.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s

#include <setjmp.h>

jmp_buf env;
sigjmp_buf senv;
int step(void);

// CHECK: @__gs_rec.catcher = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 96, i32 0, i32 0 }
// CHECK-LABEL: define dso_local i32 @catcher()
// CHECK: %gs.side.old_sp = load ptr, ptr [[TLS0:%[0-9]+]]
// CHECK: %gs.side.old_lim = load ptr
// CHECK: %gs.side.old_jb = load ptr
// Node of 16 + 2 * 8 bytes, the whole frame 32.
// CHECK: %gs.side.fast = getelementptr i8, ptr %gs.side.old_sp, i64 -32
// CHECK: %gs.side.ret = call { ptr, ptr } @__gs_side_alloc(i64 32, i64 16)
// CHECK: gs.side.ready:
// CHECK-NEXT: %gs.side.base = phi ptr
// CHECK-NEXT: %gs.side.restore_lim = phi ptr [ %gs.side.old_lim, %entry ], [ %gs.side.lim_now, %gs.side.alloc ]
// CHECK: store ptr %gs.side.base, ptr
// CHECK: %gs.side.jb = getelementptr inbounds i8, ptr %gs.side.base, i64 0
// CHECK-NEXT: store ptr %gs.side.old_jb, ptr %gs.side.jb
// CHECK-NEXT: [[COUNT:%[0-9]+]] = getelementptr inbounds i8, ptr %gs.side.jb, i64 8
// CHECK-NEXT: store i64 2, ptr [[COUNT]]
// CHECK-NEXT: [[B0:%[0-9]+]] = getelementptr inbounds i8, ptr %gs.side.jb, i64 16
// CHECK-NEXT: store ptr null, ptr [[B0]]
// CHECK-NEXT: [[B1:%[0-9]+]] = getelementptr inbounds i8, ptr %gs.side.jb, i64 24
// CHECK-NEXT: store ptr null, ptr [[B1]]
// CHECK: [[JB:%[0-9]+]] = getelementptr inbounds { ptr, ptr, ptr }, ptr {{%[0-9]+}}, i32 0, i32 2
// CHECK-NEXT: store ptr %gs.side.jb, ptr [[JB]]
//
// CHECK: [[S0:%[0-9]+]] = getelementptr inbounds i8, ptr %gs.side.jb, i64 16
// CHECK-NEXT: store ptr @env, ptr [[S0]]
// CHECK-NEXT: %call = call i32 @_setjmp(ptr noundef {{.*}}@env) #[[RT:[0-9]+]]
// CHECK-NEXT: %gs.jumped = icmp ne i32 %call, 0
// CHECK-NEXT: br i1 %gs.jumped, label %[[LJ:gs.longjmp[0-9]*]], label
// CHECK: [[LJ]]:
// CHECK-NEXT: [[T1:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
// CHECK-NEXT: store ptr %gs.side.base, ptr [[T1]]
// CHECK-NEXT: [[T2:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
// CHECK-NEXT: [[L:%[0-9]+]] = getelementptr inbounds { ptr, ptr, ptr }, ptr [[T2]], i32 0, i32 1
// CHECK-NEXT: store ptr %gs.side.restore_lim, ptr [[L]]
// CHECK-NEXT: [[T3:%[0-9]+]] = call ptr @llvm.threadlocal.address.p0(ptr @__gs_side)
// CHECK-NEXT: [[J:%[0-9]+]] = getelementptr inbounds { ptr, ptr, ptr }, ptr [[T3]], i32 0, i32 2
// CHECK-NEXT: store ptr %gs.side.jb, ptr [[J]]
// CHECK-NEXT: call void @gs_stack_resync()
//
// CHECK: [[S1:%[0-9]+]] = getelementptr inbounds i8, ptr %gs.side.jb, i64 24
// CHECK-NEXT: store ptr @senv, ptr [[S1]]
// CHECK-NEXT: %call{{[0-9]+}} = call i32 @__sigsetjmp(ptr noundef {{.*}}@senv, i32 noundef 1) #[[RT]]
// CHECK-NEXT: %gs.jumped{{[0-9]*}} = icmp ne i32 %call{{[0-9]+}}, 0
// CHECK: store ptr %gs.side.jb, ptr
// CHECK-NEXT: call void @gs_stack_resync()
//
// CHECK: %gs.side.end{{[0-9]*}} = getelementptr i8, ptr %gs.side.base, i64 32
// CHECK: store ptr %gs.side.end{{[0-9]*}}, ptr
// CHECK: store ptr %gs.side.restore_lim, ptr
// CHECK: store ptr %gs.side.old_jb, ptr
// CHECK-NEXT: ret i32
int catcher(void) {
  if (setjmp(env))
    return 1;
  if (sigsetjmp(senv, 1))
    return 2;
  return step();
}

// CHECK: attributes #[[RT]] = {{.*}}returns_twice

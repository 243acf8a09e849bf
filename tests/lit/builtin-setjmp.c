// GCC's __builtin_setjmp is llvm.eh.sjlj.setjmp, an intrinsic without the
// returns_twice attribute; its second return comes from __builtin_longjmp,
// maybe onto an older segment or a smaller stack than the guard describes.
// The plugin treats it as a returns_twice call outside the setjmp family
// (protocol.md 5.6): gs_stack_resync() after it, before anything else runs
// (at -O0, where the frame has a side frame, after that frame's side state is
// restored), and the frame pinned, PINNED|ESCAPE|SETJMP (7; ESCAPE for the
// frame address clang stores in the buffer). tests/e2e/builtin_setjmp.c runs
// it.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s

void *jb[5];
int step(void);

// CHECK: @__gs_rec.catcher = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 7, i32
// CHECK-LABEL: define dso_local i32 @catcher()
// CHECK: call i32 @llvm.eh.sjlj.setjmp(ptr
// CHECK-NOT: {{^}}  ret
// CHECK-NOT: @__gs_x.step
// CHECK: call void @gs_stack_resync()
int catcher(void) {
  if (__builtin_setjmp(jb))
    return 1;
  return step();
}

// At -O2 the pass runs last, after inlining: it instruments the calls and
// frames that remain.
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s

int callee(int);

static int helper(int x) { return callee(x) * 2; }

// helper is inlined into f: only f remains, and its call to callee is
// redirected.
// CHECK-NOT: define {{.*}}@helper
// CHECK: define dso_local {{.*}}i32 @f(i32 noundef %x) local_unnamed_addr #[[ATTR:[0-9]+]] section "growstack_text"
// CHECK: tail call i32 @__gs_x.callee(
// CHECK: attributes #[[ATTR]] = {{.*}}uwtable {{.*}}"split-stack"
int f(int x) { return helper(x) + 1; }

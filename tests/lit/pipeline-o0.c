// At -O0 clang-19's pipeline still runs the OptimizerLast extension point
// (PassBuilder::buildO0DefaultPipeline), so the plugin instruments there too;
// the pass is required, so optnone does not skip it.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -S -o - %s | FileCheck %s --check-prefix=ASM

int callee(int);

// CHECK: define dso_local i32 @f(i32 noundef %x) #[[ATTR:[0-9]+]] section "growstack_text"
// CHECK: call i32 @__gs_x.callee(
// CHECK: attributes #[[ATTR]] = { noinline nounwind optnone uwtable {{.*}}"split-stack"
// ASM-LABEL: f:
// ASM: cmpq %fs:112, %rsp
// ASM: callq __morestack
int f(int x) { return callee(x) + 1; }

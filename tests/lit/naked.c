// naked functions are not instrumented (they have no prologue to check).
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass-missed=growstack 2>&1 | FileCheck --check-prefix=REMARK %s

// REMARK: remark: 'bare' not instrumented: naked function
// CHECK: define dso_local void @bare() [[BARE:#[0-9]+]] {
__attribute__((naked)) void bare(void) { __asm__("ret"); }

// CHECK-LABEL: define dso_local void @caller()
// CHECK-SAME: section "growstack_text"
// CHECK: call void @__gs_x.bare()
void caller(void) { bare(); }

// CHECK: attributes [[BARE]] = {{.*}}naked
// CHECK-NOT: split-stack
// CHECK-SAME: {{$}}

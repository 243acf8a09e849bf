// __attribute__((annotate("growstack_nosplit"))) (GS_NOSPLIT) keeps a function
// uninstrumented, with a remark; calls to it from instrumented code go through
// a private thunk to the system-stack trampoline (protocol.md sections 2, 4).
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=NOALIAS
// RUN: %clang -O0 -c -o /dev/null %s -Rpass-missed=growstack 2>&1 | FileCheck --check-prefix=REMARK %s

#define GS_NOSPLIT __attribute__((annotate("growstack_nosplit")))

// REMARK: remark: 'quiet' not instrumented: marked growstack_nosplit; calls to it from instrumented code run on the system stack
// CHECK: define dso_local i32 @quiet(i32 noundef %x) [[QUIET:#[0-9]+]] {
GS_NOSPLIT int quiet(int x) { return x + 1; }

// CHECK: define dso_local i32 @loud(i32 noundef %x) [[LOUD:#[0-9]+]] section "growstack_text" {
// CHECK: call i32 @__gs_x.quiet(i32 noundef
int loud(int x) { return quiet(x); }

// CHECK: define private void @__gs_x.quiet()
// CHECK-NEXT: call void asm sideeffect "leaq ${0:c}(%rip), %r10\0A\09movl $$0, %r11d\0A\09jmp __gs_tramp@PLT", "s"(ptr @quiet)

// NOALIAS-NOT: @__gs_x.quiet = {{.*}}alias
// NOALIAS-NOT: @__gs_rec.quiet
// CHECK: attributes [[QUIET]] =
// CHECK-NOT: split-stack
// CHECK-SAME: {{$}}
// CHECK: attributes [[LOUD]] = {{.*}}"split-stack"

// A function calling a returns_twice function is PINNED|SETJMP (5), and
// gs_stack_resync() is called right after each such call (protocol.md 2.1,
// 4, 5.6). setjmp itself is called directly.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O2

#include <setjmp.h>

jmp_buf env;
int step(void);

// CHECK: @__gs_rec.catcher = private constant { i32, i32 } { i32 {{.*}}, i32 5 }
// O2: @__gs_rec.catcher = private constant { i32, i32 } { i32 {{.*}}, i32 5 }
// CHECK-LABEL: define dso_local i32 @catcher()
// CHECK: %call = call i32 @_setjmp(ptr noundef @env) #[[RT:[0-9]+]]
// CHECK-NEXT: call void @gs_stack_resync()
// CHECK-NEXT: %tobool = icmp ne i32 %call, 0
// O2-LABEL: define dso_local i32 @catcher()
// O2: call i32 @_setjmp(ptr noundef nonnull @env)
// O2-NEXT: call void @gs_stack_resync()
int catcher(void) {
  if (setjmp(env))
    return 1;
  return step();
}

// CHECK: attributes #[[RT]] = {{.*}}returns_twice

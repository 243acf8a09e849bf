// Instrumented functions keep a frame pointer even when the command line
// asks for none: the runtime walks frames through %rbp (protocol.md 5.3).
// RUN: %clang -O2 -fomit-frame-pointer -S -o - %s | FileCheck %s

void use(char *);

// CHECK-LABEL: f:
// CHECK:       cmpq %fs:112, %rsp
// CHECK:       pushq %rbp
// CHECK:       movq %rsp, %rbp
void f(void) {
  char buf[32];
  use(buf);
}

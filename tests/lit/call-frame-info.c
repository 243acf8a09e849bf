// Instrumented functions need no frame pointer: contiguous mode walks frames by
// their call-frame information (protocol.md 5.3). So the plugin leaves the
// command line's frame-pointer choice alone, and gives every instrumented
// function unwind tables even when the command line turns them off: a frame
// without them would pin its stack.
// A leaf that needs no stack has neither a frame nor a check, as without the
// plugin: no walk ever meets a leaf (protocol.md 2). A leaf whose frame does
// not fit the red zone keeps its check.
// RUN: %clang -O2 -S -o - %s | FileCheck %s --check-prefixes=CHECK,NOFP
// RUN: %clang -O2 -fno-asynchronous-unwind-tables -fno-unwind-tables -S -o - %s | FileCheck %s --check-prefixes=CHECK,NOFP
// RUN: %clang -O2 -fno-omit-frame-pointer -momit-leaf-frame-pointer -S -o - %s | FileCheck %s --check-prefixes=CHECK,FP

void use(char *);

// CHECK-LABEL: f:
// CHECK-NEXT:  .cfi_startproc
// CHECK:       cmpq %fs:112, %rsp
// NOFP-NOT:    %rbp
// FP:          pushq %rbp
// FP:          movq %rsp, %rbp
// CHECK:       callq
// CHECK:       .cfi_endproc
void f(void) {
  char buf[32];
  use(buf);
}

// CHECK-LABEL: leaf:
// CHECK-NOT:   %fs:112
// CHECK-NOT:   %rbp
// CHECK:       ret
int leaf(const int *p, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += p[i] * i;
  return s;
}

// CHECK-LABEL: bigleaf:
// CHECK:       leaq -{{[0-9]+}}(%rsp), %r11
// CHECK-NEXT:  cmpq %fs:112, %r11
// CHECK:       ret
int bigleaf(int i, int v) {
  volatile int a[200];
  for (int k = 0; k < 200; k++)
    a[k] = v + k;
  return a[i & 127];
}

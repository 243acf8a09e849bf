// Instrumented functions that call keep a frame pointer even when the command
// line asks for none: the runtime walks frames through %rbp (protocol.md 5.3).
// A leaf that needs no stack has neither a frame nor a check, as without the
// plugin: no walk ever meets a leaf (protocol.md 2). A leaf whose frame does
// not fit the red zone keeps its check.
// RUN: %clang -O2 -fomit-frame-pointer -S -o - %s | FileCheck %s
// RUN: %clang -O2 -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -S -o - %s | FileCheck %s

void use(char *);

// CHECK-LABEL: f:
// CHECK:       cmpq %fs:112, %rsp
// CHECK:       pushq %rbp
// CHECK:       movq %rsp, %rbp
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

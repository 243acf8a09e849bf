// A frame of 2 GiB or more is a compile error, not a crash and not a silent
// truncation of the prologue check (protocol.md section 2). Just under the
// limit compiles and gets the leaq/cmpq check.
// RUN: not %clang -O0 -c -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: not %clang -O2 -c -o /dev/null %s 2>&1 | FileCheck %s --check-prefix=ERR
// RUN: %clang -O2 -DUNDER -S -o - %s | FileCheck %s --check-prefix=UNDER

// noescape: the buffers stay in the frame (escaping ones would go to the side
// stack, whose own limit side-2gib.c tests); the plugin zeroes them (a memset
// call, which keeps a callee-saved register: 8 bytes more than the buffer;
// no frame pointer, protocol.md 5.3).
void use(__attribute__((noescape)) char *);

#ifndef UNDER
// ERR: frame-2gib.c:[[@LINE+2]]:6: error: growstack: frame of 2147483648 bytes in 'huge' is 2 GiB or more; split-stack prologues cannot check it (use the heap for such objects)
// ERR: 1 error generated.
void huge(void) {
  char buf[1UL << 31];
  use(buf);
}
#else
// UNDER-LABEL: almost:
// UNDER: leaq -2147479560(%rsp), %r11
// UNDER-NEXT: cmpq %fs:112, %r11
void almost(void) {
  char buf[(1UL << 31) - 4096];
  use(buf);
}
#endif

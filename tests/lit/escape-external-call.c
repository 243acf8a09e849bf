// Passing &x to an unknown external function lets x escape: the callee may
// keep the address, so x lives on the side stack (protocol.md 7.1) and the
// record says SIDE (32), not pinned. A callee known not to capture
// (nocapture, here inferred for strlen/printf-family library functions even at
// -O0) does not move anything.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack 2>&1 | FileCheck --check-prefix=REMARK %s

#include <stdio.h>
#include <string.h>

void keep(int *);

// CHECK: @__gs_rec.unknown = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
// REMARK: remark: 'unknown': 1 local on the side stack (16 bytes): x (passed to a callee that may keep it)
void unknown(void) {
  int x = 0;
  keep(&x);
}

// CHECK: @__gs_rec.library = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
unsigned long library(const char *s) {
  char buf[64];
  snprintf(buf, sizeof buf, "<%s>", s);
  printf("%s\n", buf);
  return strlen(buf);
}

// The address of x stored in p, and p's address passed on: the callee may
// read p and keep &x. Both move.
// CHECK: @__gs_rec.indirectly = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
// REMARK: remark: 'indirectly': 2 locals on the side stack (16 bytes): x (its address is stored in a local that escapes), p (passed to a callee that may keep it)
void look(int **) __attribute__((nonnull));
void indirectly(void) {
  int x = 0;
  int *p = &x;
  look(&p);
}

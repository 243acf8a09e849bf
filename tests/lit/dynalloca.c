// VLAs and alloca() set GS_REC_DYNALLOCA (8, protocol.md 2.1); the backend
// checks them against the guard and calls __morestack_allocate_stack_space.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -o - %s | FileCheck %s --check-prefix=ASM

int pick(int);

// CHECK-DAG: @__gs_rec.vla = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 8, i32 0, i32 0 }
// CHECK-DAG: @__gs_rec.fixed = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
// ASM-LABEL: vla:
// ASM: callq __morestack_allocate_stack_space
int vla(int n) {
  char buf[n];
  __builtin_memset(buf, 1, n);
  return buf[pick(n)];
}

int fixed(int n) {
  char buf[32];
  __builtin_memset(buf, 1, sizeof buf);
  return buf[pick(n) & 31];
}

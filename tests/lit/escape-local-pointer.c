// At -O0 `int *p = &x;` is a store of &x into p's alloca: an address kept in
// another local does not escape, and neither does writing through it. The
// record flags are 0 (protocol.md 2.1).
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s

int observe(int);

// CHECK: @__gs_rec.through_local = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }, section "gs_records"
int through_local(int v) {
  int x = v;
  int *p = &x;
  *p = 1;
  int **pp = &p;
  **pp += 2;
  return observe(x);
}

// Pointers to locals in an array of locals, read back and written through.
// CHECK: @__gs_rec.array_of_pointers = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }, section "gs_records"
int array_of_pointers(int i) {
  int a = 1, b = 2;
  int *ptrs[2] = {&a, &b};
  *ptrs[i & 1] = 5;
  return observe(a + b);
}

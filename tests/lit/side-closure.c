// The escaping set is closed (protocol.md 7.1): a struct holding &x escapes
// to an unknown callee, which may read the struct and keep &x, so x moves to
// the side stack with the struct. A local whose address is only kept in a
// struct that does not escape stays.
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -c -o /dev/null %s -Rpass=growstack 2>&1 | FileCheck %s --check-prefix=REMARK

struct node {
  int *value;
  struct node *next;
};
void enqueue(struct node *);
int consume(int);

// REMARK: remark: 'linked': 2 locals on the side stack (32 bytes): x (its address is stored in a local that escapes), n (passed to a callee that may keep it)
// CHECK-LABEL: define dso_local i32 @linked(
// CHECK-NOT: %x = alloca
// CHECK-NOT: %n = alloca
// CHECK: gs.side.ready:
// CHECK-NOT: alloca
// CHECK: call void @__gs_x.enqueue(ptr
// CHECK: ret i32
int linked(int v) {
  int x = v;
  struct node n = {&x, 0};
  enqueue(&n);
  return consume(x);
}

// Nothing leaves: the struct and x stay in the frame (at -O2 they are gone).
// REMARK-NOT: 'contained': {{.*}} side stack
// CHECK-LABEL: define dso_local i32 @contained(
// CHECK-NOT: __gs_side
// CHECK: ret i32
int contained(int v) {
  int x = v;
  struct node n = {&x, 0};
  *n.value += 1;
  return consume(x);
}

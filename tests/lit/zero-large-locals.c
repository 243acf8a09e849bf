// gscc has clang zero locals of up to 32 bytes only
// (-ftrivial-auto-var-init-max-size=32, at -O1 and above); the plugin zeroes
// larger locals on the moving stack after the optimiser, and only the words a
// write covers in part (compiler-plugin/ZeroLocals.h, protocol.md 5.3 item 3):
// the conservative scan would take such a word, with stale bytes beside the
// program's, for a pointer. Locals on the side stack get no zeroing.
// RUN: %clang -O2 -ftrivial-auto-var-init=zero -ftrivial-auto-var-init-max-size=32 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -ftrivial-auto-var-init=zero -ftrivial-auto-var-init-max-size=32 -S -emit-llvm -o - %s | FileCheck %s --check-prefix=O0

void use(char *);
void use_nc(__attribute__((noescape)) char *);
void *memcpy(void *, const void *, unsigned long);

// A bounded index (word 0) and a constant offset (word 6) of a 100-byte
// array: two words zeroed after the lifetime start; the array is padded to
// whole words and 8-aligned.
// CHECK-LABEL: define {{.*}}@partial(
// CHECK: %[[A:.*]] = alloca [104 x i8], align 16
// CHECK: call void @llvm.lifetime.start.p0(i64 100, ptr {{.*}}%[[A]])
// CHECK-NEXT: call void @llvm.memset.p0.i64(ptr align 16 %[[A]], i8 0, i64 8, i1 false)
// CHECK-NEXT: %[[W6:.*]] = getelementptr inbounds i8, ptr %[[A]], i64 48
// CHECK-NEXT: call void @llvm.memset.p0.i64(ptr align 16 %[[W6]], i8 0, i64 8, i1 false)
// CHECK-NOT: memset
// CHECK: ret
int partial(long k) {
  volatile char a[100];
  a[k & 7] = 1;
  a[50] = 2;
  return a[k & 7] + a[50];
}

// Whole aligned words at any index: nothing to zero.
// CHECK-LABEL: define {{.*}}@whole_words(
// CHECK-NOT: memset
// CHECK: ret
long whole_words(long i, long v) {
  volatile long a[16];
  a[i & 15] = v;
  return a[(i + 1) & 15];
}

// A callee writes it (noescape: it stays in the frame): zeroed whole.
// CHECK-LABEL: define {{.*}}@through_call(
// CHECK: call void @llvm.lifetime.start.p0(i64 100, ptr {{.*}}%[[B:[^)]*]])
// CHECK-NEXT: call void @llvm.memset.p0.i64(ptr align 16 %[[B]], i8 0, i64 104, i1 false)
int through_call(const char *s, unsigned long n) {
  char buf[100];
  memcpy(buf, s, n < 100 ? n : 100);
  use_nc(buf);
  return buf[0];
}

// Kept alive by an empty asm barrier (benchmark::DoNotOptimize's): it runs
// nothing, so the array stays in the frame (no side stack) and only the word
// the bounded index reaches is zeroed, as without the barrier.
// CHECK-LABEL: define {{.*}}@asm_barrier(
// CHECK-NOT: __gs_side_alloc
// CHECK: call void @llvm.lifetime.start.p0(i64 100, ptr {{.*}}%[[C:[^)]*]])
// CHECK-NEXT: call void @llvm.memset.p0.i64(ptr align 16 %[[C]], i8 0, i64 8, i1 false)
// CHECK-NOT: memset
// CHECK: ret
int asm_barrier(long k) {
  volatile char a[100];
  __asm__ volatile("" : : "r"(a) : "memory");
  a[k & 7] = 1;
  return a[k & 7];
}

// The same array passed to an asm that runs an instruction: not understood,
// so on the side stack.
// CHECK-LABEL: define {{.*}}@asm_not_barrier(
// CHECK: @__gs_side_alloc(
// CHECK: ret
int asm_not_barrier(long k) {
  volatile char a[100];
  __asm__ volatile("movq %0, %%rax" : : "r"(a) : "rax", "memory");
  a[k & 7] = 1;
  return a[k & 7];
}

// Escapes: on the side stack, never scanned, not zeroed.
// CHECK-LABEL: define {{.*}}@on_side(
// CHECK: @__gs_side_alloc(i64 304,
// CHECK-NOT: memset
// CHECK: ret
int on_side(void) {
  char big[300];
  use(big);
  return big[1];
}

// 32 bytes: clang's zeroing, which the plugin leaves alone.
// CHECK-LABEL: define {{.*}}@small(
// CHECK: call void @llvm.memset.p0.i64({{.*}}, i8 0, i64 32, i1 false), !annotation
// CHECK-NOT: memset
// CHECK: ret
int small(void) {
  char s[32];
  use_nc(s);
  return s[0];
}

// -O0 has no lifetime markers: the zeroing goes after the entry block's allocas.
// O0-LABEL: define {{.*}}@partial(
// O0: alloca [104 x i8], align 16
// O0-NOT: call
// O0: call void @llvm.memset.p0.i64(ptr align 16 %{{.*}}, i8 0, i64 8, i1 false)

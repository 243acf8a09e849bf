// The padding of a dynamic alloca (up to the next 16 bytes) is zeroed before
// anything else writes it: -ftrivial-auto-var-init=zero covers only the bytes
// asked for, and stale bytes there can turn the word holding a VLA's last bytes
// into a stack address for contiguous mode's conservative scan (protocol.md 5.3).
// The alloca becomes max(round_up(bytes, 16), 16) bytes of i8, aligned to 16,
// and its last 16 bytes are set to zero right after it.
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s

void use(char *, long);

// CHECK-LABEL: define {{.*}}void @vla(
// CHECK: [[ROUNDED:%.*]] = call i64 @llvm.umax.i64(i64 {{%.*}}, i64 16)
// CHECK-NEXT: [[A:%.*]] = alloca i8, i64 [[ROUNDED]], align 16
// CHECK-NEXT: [[END:%.*]] = sub i64 [[ROUNDED]], 16
// CHECK-NEXT: [[TAIL:%.*]] = getelementptr i8, ptr [[A]], i64 [[END]]
// CHECK-NEXT: call void @llvm.memset.p0.i64(ptr align 16 [[TAIL]], i8 0, i64 16, i1 false)
void vla(long n) {
  char buf[n];
  use(buf, n);
}

// An array of ints: the size in bytes is 4 * n.
// CHECK-LABEL: define {{.*}}void @vla_int(
// CHECK: mul i64 {{%.*}}, 4
// CHECK: call i64 @llvm.umax.i64
// CHECK: alloca i8, i64
// CHECK: call void @llvm.memset.p0.i64(ptr align 16 {{%.*}}, i8 0, i64 16, i1 false)
void vla_int(long n) {
  int v[n];
  use((char *)v, n);
}

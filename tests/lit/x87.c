// x87 long doubles pin a frame only where one may sit in a moving-stack slot
// the backend writes while a callee runs (protocol.md 5.3, GS_REC_X87): a
// long double live across a call (the x87 registers are caller-saved, so it
// is spilled), or one passed to a call (in the outgoing area). Comparisons
// in registers (SQLite's sqlite3VdbeExec) pin nothing; long double locals
// live on the side stack, which is never scanned.
// Flags: 17 = PINNED|X87, 0 = nothing, 32 = SIDE.
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O2
// RUN: %clang -O0 -S -emit-llvm -o - %s | FileCheck %s --check-prefixes=CHECK,O0

long double twice(long double);
void work(void);

// CHECK-DAG: @__gs_rec.passes = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 17, i32 {{.*}}, i32 0 }
long double passes(long double a) { return twice(a + 1); }

// (At -O0 x is a local, which moves: 32.)
// O2-DAG: @__gs_rec.across = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 17, i32 {{.*}}, i32 0 }
// O0-DAG: @__gs_rec.across = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
long double across(double d) {
  long double x = (long double)d * 3;
  work();
  return x + 1;
}

// The compare is computed in registers, between calls, at both levels.
// CHECK-DAG: @__gs_rec.compare = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 0, i32 0, i32 0 }
int compare(long long i, double d) {
  work();
  int r = (long double)i < (long double)d;
  work();
  return r;
}

// A long double array that escapes nowhere moves to the side stack: it is
// stored to memory, and memory of the moving stack is scanned.
// CHECK-DAG: @__gs_rec.table = private constant { i32, i32, i32, i32 } { i32 {{.*}}, i32 32, i32 0, i32 0 }
double table(int n, double d) {
  volatile long double t[4];
  for (int i = 0; i < 4; i++)
    t[i] = (long double)d * i;
  work();
  return (double)t[n & 3];
}

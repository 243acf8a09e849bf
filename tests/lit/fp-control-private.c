// Every write of the FP control state gets `call void @gs_fp_private()` right
// before it (protocol.md 6.2, compiler-plugin/FpControl.h): the <fenv.h>
// functions that leave MXCSR or the x87 control word changed, _mm_setcsr and
// inline asm that loads them (after the side-frame setup its memory operand
// needs, when there is one). Reads, status-flag writes and other calls get none.
// RUN: %clang -O2 -S -emit-llvm -o - %s | FileCheck %s
#define _GNU_SOURCE 1
#include <fenv.h>
#include <xmmintrin.h>

// CHECK-LABEL: define {{.*}} @round_up(
// CHECK: call void @gs_fp_private()
// CHECK-NEXT: call {{.*}} @{{(__gs_x\.)?}}fesetround(i32 noundef 2048)
int round_up(void) { return fesetround(FE_UPWARD); }

// CHECK-LABEL: define {{.*}} @env_calls(
// CHECK: call void @gs_fp_private()
// CHECK-NEXT: call {{.*}} @{{(__gs_x\.)?}}feholdexcept(
// CHECK: call void @gs_fp_private()
// CHECK-NEXT: call {{.*}} @{{(__gs_x\.)?}}fesetenv(
// CHECK: call void @gs_fp_private()
// CHECK-NEXT: call {{.*}} @{{(__gs_x\.)?}}feupdateenv(
// CHECK: call void @gs_fp_private()
// CHECK-NEXT: call {{.*}} @{{(__gs_x\.)?}}feenableexcept(
// CHECK: call void @gs_fp_private()
// CHECK-NEXT: call {{.*}} @{{(__gs_x\.)?}}fedisableexcept(
// CHECK-NOT: gs_fp_private
// CHECK: ret
void env_calls(fenv_t *e) {
  feholdexcept(e);
  fesetenv(e);
  feupdateenv(e);
  feenableexcept(FE_DIVBYZERO);
  fedisableexcept(FE_DIVBYZERO);
  feclearexcept(FE_ALL_EXCEPT);
  feraiseexcept(FE_INEXACT);
}

// CHECK-LABEL: define {{.*}} @setcsr(
// CHECK: call void @gs_fp_private()
// CHECK-NOT: call
// CHECK: call void @llvm.x86.sse.ldmxcsr(
void setcsr(unsigned v) { _mm_setcsr(v); }

// CHECK-LABEL: define {{.*}} @asm_loads(
// CHECK: call void @gs_fp_private()
// CHECK-NOT: call
// CHECK: call void asm sideeffect "fldcw $0"
// CHECK: call void @gs_fp_private()
// CHECK-NOT: call
// CHECK: call void asm sideeffect "vldmxcsr $0"
// CHECK-NOT: gs_fp_private
// CHECK: ret
void asm_loads(unsigned short cw, unsigned csr) {
  __asm__ volatile("fldcw %0" : : "m"(cw));
  __asm__ volatile("vldmxcsr %0" : : "m"(csr));
  __asm__ volatile("fnstcw %0" : "=m"(cw));
}

// CHECK-LABEL: define {{.*}} @reads_only(
// CHECK-NOT: gs_fp_private
// CHECK: ret
int reads_only(fenv_t *e) {
  fegetenv(e);
  return fegetround() + (int)_mm_getcsr();
}

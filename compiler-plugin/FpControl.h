//===- FpControl.h - calls that give contexts FP control state of their own ===//
//
// docs/protocol.md section 6.2. A thread's switches save and restore MXCSR and
// the x87 control word only once gs_fp_private() has run on it; until then its
// contexts share them. This pass makes code built by gscc call it right before
// everything that changes them:
//   - a direct call of fesetround, fesetenv, feupdateenv, feholdexcept,
//     feenableexcept, fedisableexcept or fesetmode (FpControlWriters in
//     Protocol.h);
//   - llvm.x86.sse.ldmxcsr (_mm_setcsr);
//   - inline asm whose text loads MXCSR or the x87 control or environment words
//     (ldmxcsr, vldmxcsr, fldcw, fldenv, frstor, fxrstor, xrstor).
//
// Invariants: every defined function but naked ones is scanned, instrumented
// or not (a GS_NOSPLIT function changing the rounding mode changes it for its
// coroutine all the same); gs_fp_private is allowlisted (it uses no stack), so
// the inserted call is a direct call wherever it lands.
//
//===----------------------------------------------------------------------===//
#ifndef GROWSTACK_FPCONTROL_H
#define GROWSTACK_FPCONTROL_H

namespace llvm {
class Module;
}

namespace gs {

/// Insert `call void @gs_fp_private()` before each FP control write of M;
/// returns how many were inserted.
unsigned markFpControlWrites(llvm::Module &M);

} // namespace gs

#endif

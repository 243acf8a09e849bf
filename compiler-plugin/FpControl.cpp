//===- FpControl.cpp - calls that give contexts FP control state of their own =//
//
// See FpControl.h and docs/protocol.md section 6.2.
//
//===----------------------------------------------------------------------===//

#include "FpControl.h"

#include "CallRedirect.h"
#include "Protocol.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicsX86.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace gs {

/// Mnemonics that load MXCSR or the x87 control word (alone, within the
/// environment, or within the whole FP state); "ldmxcsr" also finds vldmxcsr
/// and "xrstor" fxrstor and the xrstor variants.
static constexpr StringLiteral AsmLoads[] = {"ldmxcsr", "fldcw", "fldenv",
                                             "frstor", "xrstor"};

static bool writesFpControl(const CallBase &CB) {
  if (auto *IA = dyn_cast<InlineAsm>(CB.getCalledOperand())) {
    std::string Text = StringRef(IA->getAsmString()).lower();
    for (StringRef M : AsmLoads)
      if (StringRef(Text).contains(M))
        return true;
    return false;
  }
  const Function *Callee =
      dyn_cast<Function>(CB.getCalledOperand()->stripPointerCasts());
  if (!Callee)
    return false;
  if (Callee->getIntrinsicID() == Intrinsic::x86_sse_ldmxcsr)
    return true;
  return is_contained(FpControlWriters, symbolName(*Callee));
}

unsigned markFpControlWrites(Module &M) {
  SmallVector<CallBase *, 4> Sites;
  for (Function &F : M) {
    if (F.isDeclaration() || F.hasFnAttribute(Attribute::Naked))
      continue;
    for (Instruction &I : instructions(F))
      if (auto *CB = dyn_cast<CallBase>(&I); CB && writesFpControl(*CB))
        Sites.push_back(CB);
  }
  if (Sites.empty())
    return 0;
  FunctionCallee Private =
      M.getOrInsertFunction(FpPrivateFn, Type::getVoidTy(M.getContext()));
  for (CallBase *CB : Sites) {
    IRBuilder<> B(CB);
    CallInst *Call = B.CreateCall(Private);
    Call->setDebugLoc(CB->getDebugLoc());
  }
  return Sites.size();
}

} // namespace gs

//===- CFGUtil.h - small questions about a function's control flow -*- C++ -*-===//
//
// Shared by the escape analysis (FrameAnalysis.cpp), the side frames
// (SideStack.cpp), the variadic shells (VarargShell.cpp) and the pass
// (GrowStack.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef GROWSTACK_CFGUTIL_H
#define GROWSTACK_CFGUTIL_H

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/BasicBlock.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/Intrinsics.h"

namespace gs {

/// Whether B can reach itself: an instruction there may run more than once
/// per call.
inline bool inCycle(const llvm::BasicBlock &B) {
  llvm::SmallVector<const llvm::BasicBlock *, 16> Work(llvm::succ_begin(&B),
                                                       llvm::succ_end(&B));
  llvm::SmallPtrSet<const llvm::BasicBlock *, 32> Seen;
  while (!Work.empty()) {
    const llvm::BasicBlock *X = Work.pop_back_val();
    if (X == &B)
      return true;
    if (Seen.insert(X).second)
      Work.append(llvm::succ_begin(X), llvm::succ_end(X));
  }
  return false;
}

/// Whether a call may return twice: a returns_twice function (setjmp, vfork,
/// getcontext...) or GCC's __builtin_setjmp, which clang emits as
/// llvm.eh.sjlj.setjmp, an intrinsic without that attribute whose second
/// return comes from __builtin_longjmp (llvm.eh.sjlj.longjmp) as a longjmp's
/// does (protocol.md 5.6).
inline bool returnsTwice(const llvm::CallBase &CB) {
  return CB.hasFnAttr(llvm::Attribute::ReturnsTwice) ||
         CB.getIntrinsicID() == llvm::Intrinsic::eh_sjlj_setjmp;
}

} // namespace gs

#endif // GROWSTACK_CFGUTIL_H

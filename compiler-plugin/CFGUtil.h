//===- CFGUtil.h - small questions about a function's control flow -*- C++ -*-===//
//
// Shared by the escape analysis (FrameAnalysis.cpp), the side frames
// (SideStack.cpp) and the variadic shells (VarargShell.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef GROWSTACK_CFGUTIL_H
#define GROWSTACK_CFGUTIL_H

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/BasicBlock.h"
#include "llvm/IR/CFG.h"

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

} // namespace gs

#endif // GROWSTACK_CFGUTIL_H

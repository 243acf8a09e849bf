//===- GrowStack.h - the growstack instrumentation pass ---------*- C++ -*-===//
//
// GrowStackPass makes the functions of a module run on growable stacks
// (docs/plugin.md; the contract is docs/protocol.md sections 2-4):
//
//  - every eligible definition gets "split-stack" and "frame-pointer"="non-leaf",
//    is placed in growstack_text (unless it has its own section) and gets a
//    function record; with external linkage, also the alias `__gs_x<N>.name`;
//  - every call an instrumented function makes is direct, redirected to
//    `__gs_x<N>.callee` or a private thunk, or range-checked (indirect);
//  - `call void @gs_stack_resync()` follows every returns_twice call;
//  - the module gets its descriptor and constructor once it has a record.
//
// Invariants:
//  - Eligibility is decided for the whole module before anything changes,
//    and is a fixed point: a function whose musttail call or unsupported call
//    signature would need redirecting to a callee that is not instrumented is
//    not instrumented either.
//  - Ineligible definitions are untouched; calls to them from instrumented
//    code go through the system-stack trampoline.
//  - A module with no instrumented function is left exactly as it was.
//  - Running the pass twice is a no-op (the module carries a marker).
//  - On valid IR the pass never aborts: what it cannot handle makes a
//    function ineligible (with a remark); a frame of 2 GiB or more is a
//    compile error through LLVMContext::diagnose.
//  - Only x86-64 ELF has split-stack prologues; other targets are left alone.
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_GROWSTACK_H
#define GROWSTACK_GROWSTACK_H

#include "llvm/IR/PassManager.h"

namespace gs {

class GrowStackPass : public llvm::PassInfoMixin<GrowStackPass> {
public:
  llvm::PreservedAnalyses run(llvm::Module &M,
                              llvm::ModuleAnalysisManager &MAM);

  /// Instrumentation must also run at -O0, where optional passes are skipped.
  static bool isRequired() { return true; }
};

} // namespace gs

#endif // GROWSTACK_GROWSTACK_H

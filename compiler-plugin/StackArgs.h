//===- StackArgs.h - N: stack argument bytes of a call ----------*- C++ -*-===//
//
// gs::stackArgBytes computes N of docs/protocol.md section 3: the number of
// bytes a call passes on the stack under the SysV x86-64 ABI, from the IR
// signature alone. N names the thunk of an external call (`__gs_x<N>.f`), the
// indirect-call stub (`__gs_ic<N>`) and tells the system-stack trampoline how
// many bytes of arguments to copy.
//
// Invariants:
//  - For every signature it accepts, the result is the incoming stack argument
//    size the x86-64 backend computes for a definition of that signature: the
//    ARGS of the split-stack prologue (`movl $ARGS, %r11d`).
//    tests/lit/stack-args-backend.test checks this against llc-19 on a few
//    hundred random signatures.
//  - The same code serves call sites and definitions, so the N a caller puts
//    in `__gs_x<N>.f` is the N of the alias `f` emits for itself whenever the
//    caller's view of the signature is f's.
//  - Signatures it does not model give std::nullopt: non-SysV calling
//    conventions, swift*/inalloca/preallocated arguments, integers wider than
//    128 bits, vectors wider than the subtarget's vector registers, x86_mmx,
//    target and scalable types. A caller must then not redirect the call.
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_STACKARGS_H
#define GROWSTACK_STACKARGS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/CallingConv.h"
#include "llvm/Support/Alignment.h"

#include <cstdint>
#include <optional>

namespace llvm {
class CallBase;
class DataLayout;
class Function;
class Type;
} // namespace llvm

namespace gs {

/// What the subtarget of the code making (or receiving) the call offers; the
/// x86-64 calling convention depends on it for vector and FP arguments.
struct ABIFeatures {
  bool HasSSE = true;     // f16/f32/f64/f128 and vectors go in XMM registers
  bool HasAVX = false;    // 256-bit vectors go in YMM registers
  bool HasAVX512 = false; // 512-bit vectors go in ZMM registers

  /// Read from F's "target-features" attribute.
  static ABIFeatures of(const llvm::Function &F);
};

/// One IR argument as the calling convention sees it.
struct ArgABI {
  llvm::Type *Ty = nullptr;
  llvm::Type *ByValTy = nullptr; // non-null for byval(T)
  llvm::MaybeAlign ByValAlign;   // align/stackalign of a byval argument
  bool Nest = false;             // passed in %r10
  bool Unsupported = false;      // swift*, inalloca, preallocated
};

/// The core computation. IsVarArgCall: the call (or definition) is variadic,
/// which keeps 256/512-bit vectors out of registers.
std::optional<uint64_t>
stackArgBytes(llvm::Type *RetTy, llvm::ArrayRef<ArgABI> Args,
              llvm::CallingConv::ID CC, bool IsVarArgCall,
              const ABIFeatures &Features, const llvm::DataLayout &DL);

/// N of a call site: its actual arguments (variadic ones included), the
/// call-site calling convention and the caller's subtarget.
std::optional<uint64_t> stackArgBytes(const llvm::CallBase &CB);

/// N of a definition or declaration, from its own signature.
std::optional<uint64_t> stackArgBytes(const llvm::Function &F);

} // namespace gs

#endif // GROWSTACK_STACKARGS_H

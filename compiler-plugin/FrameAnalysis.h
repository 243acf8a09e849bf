//===- FrameAnalysis.h - what a frame needs from the runtime ---*- C++ -*-===//
//
// gs::analyzeFrame answers, for one function, the questions whose answers go
// into its function record (protocol.md section 2.1): may the address of one
// of its locals be stored outside the stack (GS_REC_ESCAPE), does it allocate
// dynamically (GS_REC_DYNALLOCA), and how large are its static allocas (the
// 2 GiB limit of section 2).
//
// "Local" means stack memory a move of the stack relocates: every alloca,
// byval/inalloca/preallocated/sret arguments (they live in the caller's
// frame) and the results of llvm.stacksave. Using llvm.frameaddress,
// llvm.sponentry or llvm.addressofreturnaddress (from which any local can be
// reached) counts as an escape.
//
// Invariants:
//  - Sound for the IR it understands: if a local's address can reach memory
//    that is not a local of this frame, a callee that may keep it, a
//    ptrtoint, a return, an atomic store/cmpxchg/xchg or inline asm, the
//    result says it escapes. Anything the analysis does not understand is an
//    escape. Addresses stored into locals are followed through loads.
//  - Storing a local's address into another local is not by itself an
//    escape: at -O0 `int *p = &x; *p = 1;` is a store of &x into p's alloca
//    and must not pin the frame.
//  - The analysis never modifies the module (library attributes it infers at
//    -O0 live in a scratch module, see CaptureOracle).
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_FRAMEANALYSIS_H
#define GROWSTACK_FRAMEANALYSIS_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/IR/Attributes.h"

#include <cstdint>
#include <memory>

namespace llvm {
class CallBase;
class Function;
class Instruction;
class Module;
class TargetLibraryInfo;
} // namespace llvm

namespace gs {

/// How a callee treats a pointer argument.
enum class ArgCapture {
  May,          // may keep a copy of the pointer anywhere
  OnlyReturned, // gives it back only as its return value (strcpy's dst)
  None,         // keeps no copy (nocapture, byval, sret)
};

/// Which callee parameters keep no copy of the pointer they receive. Uses the
/// call's and callee's attributes and, for C library functions recognized by
/// TargetLibraryInfo, the attributes LLVM's InferFunctionAttrs would add:
/// at -O0 that pass has not run, and without it `strlen(buf)` would pin.
class CaptureOracle {
public:
  explicit CaptureOracle(llvm::Module &M);
  ~CaptureOracle();

  ArgCapture argCapture(const llvm::CallBase &CB, unsigned ArgNo,
                        const llvm::TargetLibraryInfo &TLI);

private:
  const llvm::AttributeList *libFuncAttrs(const llvm::CallBase &CB,
                                          const llvm::TargetLibraryInfo &TLI);

  llvm::Module &M;
  std::unique_ptr<llvm::Module> Scratch; // holds inferred library prototypes
  llvm::DenseMap<const llvm::Function *, llvm::AttributeList> LibAttrs;
};

struct FrameFacts {
  /// The address of a local may be stored outside the stack (GS_REC_ESCAPE).
  bool AddressEscapes = false;
  /// The first instruction found through which it escapes (for the remark).
  const llvm::Instruction *EscapeSite = nullptr;
  /// How it escapes there ("stored to memory that may be outside the frame").
  const char *EscapeReason = nullptr;
  /// Dynamic allocas: VLAs, alloca() (GS_REC_DYNALLOCA).
  bool HasDynamicAlloca = false;
  /// The function computes with x86_fp80 (GS_REC_X87). A long double takes 10
  /// bytes of a 16-byte stack slot; the other 6 keep whatever was there, often
  /// the upper bytes of an old stack address, so the 8-byte word holding the
  /// exponent can look like a pointer into the stack. The conservative word scan
  /// would then "relocate" the exponent: such frames are pinned.
  bool UsesX87 = false;
};

/// Bytes of F's static allocas (with alignment padding), saturating at
/// UINT64_MAX: the part of the frame known before code generation.
uint64_t staticAllocaBytes(const llvm::Function &F);

FrameFacts analyzeFrame(llvm::Function &F, const llvm::TargetLibraryInfo &TLI,
                        CaptureOracle &Oracle);

} // namespace gs

#endif // GROWSTACK_FRAMEANALYSIS_H

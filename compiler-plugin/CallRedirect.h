//===- CallRedirect.h - calls that leave instrumented code ------*- C++ -*-===//
//
// Classifies and rewrites the calls of instrumented functions as protocol.md
// section 4 prescribes, so that a coroutine stack only ever holds frames of
// instrumented functions:
//
//   Direct      callee instrumented in this module (and not interposable),
//               intrinsic, inline asm, allowlisted, a returns_twice function,
//               or already a __gs_ symbol; or a pointer that can only be
//               such a callee (through selects and phis, or by the call's
//               !callees list): left alone;
//   External    declaration, available_externally or interposable (weak)
//               definition: call `__gs_x<N>.<callee>` instead (a variadic
//               one only if it is a C library function: others take the
//               Indirect form with the callee as target, since a variadic
//               definition elsewhere may be an instrumented shell, which must
//               run on the coroutine stack whatever the call's N);
//   LocalThunk  uninstrumented definition of this module: call a private
//               naked thunk that loads the callee into %r10, N into %r11 and
//               jumps to __gs_tramp;
//   Indirect    anything else: if the target lies in this object's
//               growstack_text, call it; otherwise call `__gs_ic<N>` with the
//               target as a leading `ptr nest` argument (%r10);
//   Unsupported the call would need one of the above but N cannot be
//               computed, or the indirect form cannot carry the target (the
//               call already uses `nest`, or has sret past argument 0). The
//               caller must then not be instrumented.
//
// Invariants:
//  - classify() depends only on the call and on the set of functions that
//    will be instrumented; the pass iterates eligibility to a fixed point with
//    it before anything is rewritten.
//  - The rewrite preserves the call's own type, calling convention,
//    attributes, operand bundles and debug location; only the callee (and for
//    Indirect, the control flow around the call) changes.
//  - Every name generated starts with __gs_, so a second look at the same
//    call classifies it Direct.
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_CALLREDIRECT_H
#define GROWSTACK_CALLREDIRECT_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringSet.h"

#include <cstdint>
#include <functional>
#include <string>

namespace llvm {
class CallBase;
class Function;
class GlobalValue;
class Module;
class TargetLibraryInfo;
class Value;
} // namespace llvm

namespace gs {

enum class CallKind { Direct, External, LocalThunk, Indirect, Unsupported };

struct CallPlan {
  llvm::CallBase *CB = nullptr;
  CallKind Kind = CallKind::Direct;
  uint64_t N = 0;                      // External, LocalThunk, Indirect
  llvm::GlobalValue *Target = nullptr; // External, LocalThunk: the callee
  bool Allowlisted = false;            // Direct only because of the allowlist
  bool KnownTargets = false;           // Direct: a pointer to instrumented code only
};

class CallClassifier {
public:
  /// GetTLI (may be empty) tells C library functions apart: a variadic callee
  /// that is not one takes the indirect form (see classify).
  CallClassifier(
      const llvm::SmallPtrSetImpl<llvm::Function *> &Instrumented,
      const llvm::StringSet<> &Allowlist,
      std::function<const llvm::TargetLibraryInfo &(llvm::Function &)> GetTLI = {})
      : Instrumented(Instrumented), Allowlist(Allowlist), GetTLI(std::move(GetTLI)) {}

  CallPlan classify(llvm::CallBase &CB) const;

private:
  bool isLibraryFunction(llvm::CallBase &CB, const llvm::GlobalValue &Callee) const;
  /// V is an instrumented, non-interposable definition of this module (or
  /// an alias of one): what a direct call reaches directly, and what every
  /// value of a pointer must be for the indirect call to count as direct.
  bool isInstrumentedTarget(const llvm::Value *V) const;
  bool targetsInstrumented(llvm::Value *Callee) const;
  bool calleesInstrumented(const llvm::CallBase &CB) const;

  const llvm::SmallPtrSetImpl<llvm::Function *> &Instrumented;
  const llvm::StringSet<> &Allowlist;
  std::function<const llvm::TargetLibraryInfo &(llvm::Function &)> GetTLI;
};

/// The symbol name a global is known by outside the module (without LLVM's
/// \01 "do not mangle" escape).
llvm::StringRef symbolName(const llvm::GlobalValue &GV);

/// GV is a definition another module may preempt at load time: code built
/// for a shared object (-fPIC, not -fPIE) and GV an external, default-
/// visibility symbol. Plain clang's calls from other files go through the
/// PLT, so an LD_PRELOAD'd or the executable's definition of the same name
/// runs instead, and so do its calls from the same file unless the front end
/// marked GV dso_local (-fno-semantic-interposition). Instrumented calls keep
/// that: GV gets no __gs_x alias but a hidden thunk of that name, which takes
/// the address from the GOT (protocol.md 4, item 2), and only a dso_local GV
/// is called directly from its own file.
bool mayBePreempted(const llvm::GlobalValue &GV);

/// A call of GV may reach another module's definition: mayBePreempted and not
/// dso_local. Such a call is External even when GV is instrumented here.
bool callMayBePreempted(const llvm::GlobalValue &GV);

/// `__gs_x<N>.<name>`, `__gs_x.<name>` when N is 0.
std::string externalThunkName(uint64_t N, llvm::StringRef Name);

class CallRedirector {
public:
  /// HaveText: this module places functions in growstack_text, so it may
  /// refer to __start_/__stop_growstack_text (the linker defines them only if
  /// some input has that section).
  CallRedirector(llvm::Module &M, bool HaveText) : M(M), HaveText(HaveText) {}

  /// Rewrites one External, LocalThunk or Indirect call.
  void redirect(const CallPlan &P);

  /// Emits the entry `__gs_x<N>.<name of Entry>` that lets redirected calls
  /// bind straight to an instrumented definition (section 4): a strong alias
  /// of Target, or, for an Entry that may be preempted (mayBePreempted), a
  /// hidden thunk that asks the GOT. Entry is Target itself or an alias of
  /// it. Returns false if N of Target cannot be computed.
  bool emitEntry(llvm::GlobalValue &Entry, llvm::Function &Target);

private:
  llvm::GlobalValue *preemptibleEntryThunk(llvm::GlobalValue &Entry,
                                           llvm::Function &Target, uint64_t N,
                                           const std::string &Name);
  llvm::Function *localThunk(llvm::GlobalValue &Target, uint64_t N);
  llvm::Function *indirectStub(uint64_t N);
  void redirectIndirect(llvm::CallBase &CB, uint64_t N);

  llvm::Module &M;
  bool HaveText;
  llvm::DenseMap<std::pair<llvm::GlobalValue *, uint64_t>, llvm::Function *>
      LocalThunks;
};

} // namespace gs

#endif // GROWSTACK_CALLREDIRECT_H

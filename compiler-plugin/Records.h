//===- Records.h - function records and the module descriptor ---*- C++ -*-===//
//
// Emits what the runtime reads to walk and move stacks (protocol.md 2.1):
//
//  - one 16-byte `struct gs_record { int32_t func; uint32_t flags; int32_t
//    name; uint32_t reserved; }` per instrumented function placed in
//    growstack_text, in section gs_records, with func and name relative to
//    their own fields (no dynamic relocation, read-only); name points to the
//    function's symbol name (a private NUL-terminated string) for pinned
//    records and is 0 otherwise;
//  - once per linked object (COMDAT), the hidden descriptor `gs.module`
//    and a constructor/destructor pair calling gs_records_register /
//    gs_records_unregister with it.
//
// Invariants:
//  - A record exists only for a function in growstack_text, so whenever an
//    object has records it also has a growstack_text section and the
//    __start_/__stop_ symbols the descriptor names are defined by the linker.
//  - A record of a function in a COMDAT group is in that group, and so is
//    its name: if the linker discards the function it discards both.
//  - A record refers to its function through a local symbol, so the
//    relocation resolves at link time even for an interposable function in a
//    shared object (the record describes this object's copy of the code).
//  - A module without records gets no descriptor, constructor or reference
//    to the runtime.
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_RECORDS_H
#define GROWSTACK_RECORDS_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace llvm {
class Function;
class GlobalValue;
class GlobalVariable;
class Module;
} // namespace llvm

namespace gs {

/// The hidden external declaration of a linker-defined section bound
/// (__start_<section> / __stop_<section>).
llvm::GlobalVariable *getSectionBound(llvm::Module &M, llvm::StringRef Name);

/// The hidden descriptor `gs.module` of this linked object (created on first
/// use): what the runtime registers, and where the indirect-call test reads
/// the bounds of growstack_text (CallRedirect.h).
llvm::GlobalVariable *getModuleDescriptor(llvm::Module &M);

class RecordEmitter {
public:
  explicit RecordEmitter(llvm::Module &M) : M(M) {}

  /// Adds the record of F (which must be placed in growstack_text).
  void addRecord(llvm::Function &F, uint32_t Flags);

  /// Emits gs.module and its constructor/destructor if any record was added.
  void emitModuleRegistration();

private:
  llvm::Module &M;
  llvm::SmallVector<llvm::GlobalValue *, 16> Records;
};

} // namespace gs

#endif // GROWSTACK_RECORDS_H

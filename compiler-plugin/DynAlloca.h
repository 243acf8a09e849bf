//===- DynAlloca.h - lifetimes of heap-backed dynamic allocas -------------===//
//
// docs/protocol.md section 5.5. When a VLA or alloca does not fit below the
// guard, the backend calls __morestack_allocate_stack_space, which returns heap
// memory tied to the allocating frame. This pass tells the runtime when that
// memory dies:
//   - after every llvm.stacksave:      %tok = call ptr @__gs_dyn_mark()
//   - after the matching stackrestore: call void @__gs_dyn_release(ptr %tok)
//   - before every return:             call void @__gs_dyn_frame_exit()
// A stackrestore is matched to its stacksave directly (SSA, -O1 and up) or
// through the local slot clang stores the saved pointer in (-O0); the token
// travels the same way through a parallel slot. A stackrestore that cannot be
// matched gets no release: its blocks live until the frame returns.
//
// Invariant: only functions with dynamic allocas are touched.
//
//===----------------------------------------------------------------------===//
#ifndef GROWSTACK_DYNALLOCA_H
#define GROWSTACK_DYNALLOCA_H

#include "llvm/ADT/SmallPtrSet.h"

namespace llvm {
class Function;
class Value;
}

namespace gs {

struct DynScopeStats {
  unsigned Marks = 0, Releases = 0, Unmatched = 0, Exits = 0;
};

/// Insert the lifetime calls into F (which has dynamic allocas).
DynScopeStats scopeDynamicAllocas(llvm::Function &F);

/// Zero the padding of every dynamic alloca (VLA, alloca()): each becomes an
/// i8 array of max(round_up(bytes, 16), 16) bytes whose last 16 bytes are
/// zeroed right after the allocation, before clang's own initialisation
/// (-ftrivial-auto-var-init=zero covers only the requested bytes). Without it
/// the bytes between a VLA's end and the next 16-byte boundary keep whatever
/// the stack held, often the upper bytes of an old stack address, and the word
/// holding the VLA's last bytes can look like a pointer into the stack to
/// contiguous mode's conservative scan (protocol.md 5.3), which then changes
/// the user's bytes. Allocas in Skip are left alone: they move to the side
/// frame (protocol.md 7.1), which the scan never reads. Returns the number of
/// allocas changed.
unsigned zeroDynamicAllocaTails(llvm::Function &F,
                                const llvm::SmallPtrSetImpl<llvm::Value *> &Skip);

} // namespace gs

#endif

//===- SideStack.h - escaping locals leave the moving stack -----*- C++ -*-===//
//
// protocol.md section 7. A local whose address may escape (FrameAnalysis)
// lives in the function's *side frame*, on a per-coroutine side stack that
// never moves, so the moving stack holds nothing that memory outside it
// points to. For one function this file
//
//  - lays the side frame out (layoutSideFrame): the escaping static allocas,
//    copies of the escaping byval arguments, and the setjmp node (7.3),
//    sorted by decreasing alignment so that no padding is needed between
//    objects; SIZE rounded up to 16, ALIGN = max(16, largest alignment);
//  - builds it (buildSideFrame):
//      entry:  old = __gs_side; base = (old.sp - SIZE) & -ALIGN;
//              restore = old
//              if (base < old.lim || base > old.sp)
//                  {base, restore} = __gs_side_alloc()   (protocol 7.2)
//              __gs_side.sp = base; byval copies; jb node linked
//      ret, musttail call, resume:          __gs_side = restore
//    or, for a small frame (SIZE < SmallSideFrameBytes, ALIGN 16), without
//    the rounding and the wrap-around test, and with restore = {base + SIZE,
//    the lim after the setup}: only base and that lim stay live.
//    "entry" is the nearest block that dominates every use of the frame's
//    locals and lies in no cycle, when the frame holds only allocas (lazy
//    placement); its exits are then the returns and the edges leaving the
//    blocks that block dominates, each of them one where every side local's
//    lifetime has ended (lifetime.end, stackrestore) or from which nothing
//    touches memory: a callee given &x may keep it, and the frame is freed
//    on the edge, before the function returns.
//    When no such block exists because the uses lie in a cycle whose only
//    dominator outside it is the entry (an interpreter loop: Lua's
//    luaV_execute), a small frame of allocas is set up *guarded*: each block
//    with a use (at most 16) sets it up before its first use if its base is
//    still null (the base is a value the loop carries), and each return
//    restores {base + SIZE, lim after the setup} if the base is not null.
//    The frame then lives until the function returns, as at entry.
//      after a returns_twice call, at a landing pad (a longjmp or an
//      exception skipped the exits of deeper frames):
//                                            __gs_side = {base, lim, &node}
//    replacing each moved alloca by base + offset, dropping its lifetime
//    markers and moving its debug declaration onto the side frame.
//
// A function without a side frame that calls a returns_twice function or has
// a landing pad still saves __gs_side at entry and restores it at those
// points: otherwise the side stack pointer and the setjmp list would keep
// the state of the frames a longjmp or an exception skipped.
//
// Invariants:
//  - Every path out of the function restores __gs_side.sp/.lim (and .jb if
//    it linked a node) to their values at entry, or, when __gs_side_alloc
//    left the chunk it took current, to the top of that chunk (empty); a
//    frame's side objects are never used after that (they are its own
//    locals). A path that does not set up the frame (lazy or guarded
//    placement) does not touch __gs_side.
//  - Static allocas that stay on the moving stack stay static: they are
//    hoisted to the top of the entry block before it is split.
//  - Nothing here changes which calls the function makes other than adding
//    __gs_side_alloc (allowlisted, protocol 4).
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_SIDESTACK_H
#define GROWSTACK_SIDESTACK_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/Alignment.h"

#include <cstdint>
#include <utility>

namespace llvm {
class CallBase;
class Function;
class Instruction;
class Value;
} // namespace llvm

namespace gs {

struct SideObject {
  llvm::Value *Local = nullptr; // AllocaInst, byval Argument; null: jb node
  uint64_t Size = 0;
  llvm::Align Alignment;
  uint64_t Offset = 0; // from the frame's base
};

struct SideFrameLayout {
  llvm::SmallVector<SideObject, 4> Objects;
  /// Setjmp-family call sites; the jb node has one slot per site.
  unsigned JmpBufSites = 0;
  uint64_t NodeOffset = 0;
  uint64_t Size = 0;         // multiple of 16
  uint64_t Alignment = 16;   // 16..4096
  bool hasFrame() const { return Size != 0; }
};

/// The layout of a side frame holding Locals (AllocaInsts and byval
/// Arguments) and, if JmpBufSites > 0, a jb node. Size 0 if both are empty.
SideFrameLayout layoutSideFrame(const llvm::Function &F,
                                llvm::ArrayRef<llvm::Value *> Locals,
                                unsigned JmpBufSites);

struct SideSites {
  /// Calls of the setjmp family, in node slot order (Layout.JmpBufSites).
  llvm::SmallVector<llvm::CallBase *, 2> Setjmps;
  /// Every returns_twice call, with the instruction before which its
  /// second return restores the side state (the gs_stack_resync call).
  llvm::SmallVector<std::pair<llvm::CallBase *, llvm::Instruction *>, 2>
      ReturnsTwice;
};

struct SideStats {
  unsigned ByvalCopies = 0;
  bool StateSaved = false; // __gs_side saved and restored without a frame
  unsigned Lazy = 0;          // set up where its locals are used, not at entry
  unsigned SmallFrames = 0;   // one compare; exits restore base + SIZE
  unsigned LazyExitEdges = 0; // edges out of a lazy frame's region restored
  unsigned Guarded = 0;       // set up at the first use reached, in a cycle too
  unsigned GuardedSites = 0;  // the guarded setups of those frames
};

/// Transforms F as described above. Does nothing if F has no side frame,
/// no returns_twice call and no landing pad.
SideStats buildSideFrame(llvm::Function &F, const SideFrameLayout &Layout,
                         const SideSites &Sites);

} // namespace gs

#endif // GROWSTACK_SIDESTACK_H

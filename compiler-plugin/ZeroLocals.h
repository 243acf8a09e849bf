//===- ZeroLocals.h - no stale bytes beside the program's own ---*- C++ -*-===//
//
// protocol.md 5.3 item 3. Contiguous mode relocates every aligned word of a
// moved stack whose value lies in the stack's live part. A word the program
// wrote only in part (a char, a short, the tail of a memcpy) keeps in its
// other bytes whatever the stack held before, often the upper bytes of an old
// stack address; the whole word can then look like a pointer into the stack,
// and the relocation changes the program's bytes. Zeroed locals leave no such
// bytes.
//
// clang zeroes locals of up to AutoInitMaxSize bytes itself (gscc passes
// -ftrivial-auto-var-init=zero -ftrivial-auto-var-init-max-size=N; the
// optimiser then counts on that zeroing, so it stays). Larger locals reach
// the plugin unzeroed: the optimiser never saw zeroing there, so nothing
// relies on it, and the plugin may add exactly what the relocation needs:
//
//  - a local on the side stack (protocol 7) needs nothing: the side stack is
//    never scanned;
//  - a static alloca of more than AutoInitMaxSize bytes that stays on the
//    moving stack is zeroed right after each llvm.lifetime.start of it (or
//    once after the entry block's allocas when it has none): every word of it
//    when some use is not a load or store at an offset the plugin can bound
//    (a call, an unbounded index, a phi...); otherwise only the words a
//    store, memset or memcpy into it may write in part (at a constant offset:
//    its first and last word; at a bounded index, `buf[i & 7]`, every word
//    the range reaches unless it writes whole aligned words). Its alignment is raised to 8 and its size
//    to a multiple of 8, so that its words are the scan's words and its last
//    word holds no padding or neighbour the zeroing would not reach.
//
// Invariants:
//  - only code is added (zero stores before any of the program's accesses in
//    the local's lifetime); nothing the optimiser produced is removed, so no
//    assumption it made is broken (the lesson of SideStack.cpp's auto-init);
//  - in a large moving-stack local, a word the program writes in part holds
//    zeros in its other bytes (unless the program wrote them), from the
//    local's lifetime start on;
//  - locals of AutoInitMaxSize bytes or less are clang's: not touched here.
//
//===----------------------------------------------------------------------===//
#ifndef GROWSTACK_ZEROLOCALS_H
#define GROWSTACK_ZEROLOCALS_H

namespace llvm {
class Function;
}

namespace gs {

struct ZeroStats {
  unsigned Whole = 0;   // locals zeroed entirely
  unsigned Partial = 0; // locals zeroed only where written in part
  unsigned None = 0;    // large locals written only in whole words
};

/// Zero F's large moving-stack locals as described above. Run after the side
/// frame is built (the locals it took are no longer allocas).
ZeroStats zeroLargeLocals(llvm::Function &F);

} // namespace gs

#endif // GROWSTACK_ZEROLOCALS_H

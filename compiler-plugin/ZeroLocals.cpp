//===- ZeroLocals.cpp - no stale bytes beside the program's own -----------===//
//
// See ZeroLocals.h.
//
//===----------------------------------------------------------------------===//
#include "ZeroLocals.h"
#include "FrameAnalysis.h"
#include "Protocol.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/ValueTracking.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Operator.h"
#include "llvm/Support/KnownBits.h"

using namespace llvm;

namespace gs {

namespace {

constexpr uint64_t Word = 8;

/// A pointer into the local: its offset lies in [Lo, Hi] and is a multiple
/// of OffAlign (a power of two).
struct Place {
  Value *Ptr;
  uint64_t Lo, Hi, OffAlign;
};

/// Some instruction writes Len bytes at an offset of Place P.
struct Write {
  uint64_t Lo, Hi, OffAlign, Len;
};

constexpr uint64_t AnyAlign = uint64_t(1) << 62;

uint64_t lowBit(uint64_t X) { return X ? X & -X : AnyAlign; }

/// Where a GEP of a pointer at P points: constant offsets and variable
/// indices whose range the known bits bound (`buf[i & 7]`); false when the
/// GEP may point before the local or past Size.
bool stepGEP(const GetElementPtrInst &GEP, const Place &P, uint64_t Size,
             const DataLayout &DL, Place &Out) {
  unsigned Bits = DL.getIndexTypeSizeInBits(GEP.getType());
  MapVector<Value *, APInt> Vars;
  APInt C(Bits, 0);
  if (!GEP.collectOffset(DL, Bits, Vars, C) || C.isNegative())
    return false;
  uint64_t Lo = P.Lo + C.getZExtValue(), Hi = P.Hi + C.getZExtValue();
  uint64_t A = std::min(P.OffAlign, lowBit(C.getZExtValue()));
  for (auto &[V, Scale] : Vars) {
    if (Scale.isNegative() || Scale.getActiveBits() > 32)
      return false;
    KnownBits K = computeKnownBits(V, DL);
    if (!K.isNonNegative() || K.getMaxValue().getActiveBits() > 32)
      return false;
    uint64_t S = Scale.getZExtValue();
    Lo += S * K.getMinValue().getZExtValue();
    Hi += S * K.getMaxValue().getZExtValue();
    A = std::min(A, lowBit(S) << std::min(K.countMinTrailingZeros(), 32u));
  }
  if (Hi > Size)
    return false;
  Out = {const_cast<GetElementPtrInst *>(&GEP), Lo, Hi, A};
  return true;
}

/// Every write into the local AI of Size bytes, when each use of it is a
/// load, a store to it, a lifetime marker, a memset/memcpy/memmove into or
/// out of it, or the `sret` argument of a call (the callee writes the whole
/// result, as a local initialised by `= f()` is, which clang never zeroed),
/// at offsets within it (stepGEP). False when some use is anything else: the
/// local is then zeroed whole.
bool collectWrites(AllocaInst &AI, uint64_t Size, const DataLayout &DL,
                   SmallVectorImpl<Write> &Writes) {
  SmallVector<Place, 8> Work{{&AI, 0, 0, AnyAlign}};
  while (!Work.empty()) {
    Place P = Work.pop_back_val();
    auto write = [&](uint64_t Len) {
      if (Len > Size - P.Hi)
        return false;
      Writes.push_back({P.Lo, P.Hi, P.OffAlign, Len});
      return true;
    };
    for (Use &U : P.Ptr->uses()) {
      auto *I = dyn_cast<Instruction>(U.getUser());
      if (!I)
        return false;
      if (auto *GEP = dyn_cast<GetElementPtrInst>(I)) {
        Place Next;
        if (!stepGEP(*GEP, P, Size, DL, Next))
          return false;
        Work.push_back(Next);
        continue;
      }
      if (isa<LoadInst>(I))
        continue;
      if (auto *St = dyn_cast<StoreInst>(I)) {
        if (U.getOperandNo() != StoreInst::getPointerOperandIndex())
          return false; // the address itself is stored
        TypeSize Len = DL.getTypeStoreSize(St->getValueOperand()->getType());
        if (Len.isScalable() || !write(Len.getFixedValue()))
          return false;
        continue;
      }
      if (auto *II = dyn_cast<IntrinsicInst>(I)) {
        if (II->isLifetimeStartOrEnd())
          continue;
        if (auto *MI = dyn_cast<MemIntrinsic>(II)) {
          auto *Len = dyn_cast<ConstantInt>(MI->getLength());
          if (!Len || Len->getValue().getActiveBits() > 32 ||
              Len->getZExtValue() > Size - P.Hi)
            return false;
          if (U.getOperandNo() == 0) { // the destination
            write(Len->getZExtValue());
            continue;
          }
          if (isa<MemTransferInst>(MI) && U.getOperandNo() == 1)
            continue; // copied from: read
        }
      }
      if (auto *CB = dyn_cast<CallBase>(I); CB && isEmptyAsmBarrier(*CB))
        continue; // runs nothing: writes no byte
      if (auto *CB = dyn_cast<CallBase>(I);
          CB && CB->isArgOperand(&U) &&
          CB->paramHasAttr(CB->getArgOperandNo(&U), Attribute::StructRet)) {
        Type *Ret = CB->getParamStructRetType(CB->getArgOperandNo(&U));
        if (!Ret || !write(DL.getTypeStoreSize(Ret).getFixedValue()))
          return false;
        continue;
      }
      return false;
    }
  }
  return true;
}

/// The words of a local of Size bytes (a multiple of 8) to zero: every word
/// when its uses cannot be followed, else the words some write covers in part.
BitVector planZeroing(AllocaInst &AI, uint64_t Size, const DataLayout &DL,
                      bool &Whole) {
  BitVector Zero(unsigned(Size / Word));
  SmallVector<Write, 8> Writes;
  Whole = !collectWrites(AI, Size, DL, Writes);
  if (Whole) {
    Zero.set();
    return Zero;
  }
  for (const Write &W : Writes) {
    if (W.Len == 0)
      continue;
    if (W.Lo == W.Hi) {
      // One place: its first and last words may be covered in part.
      if (W.Lo % Word)
        Zero.set(unsigned(W.Lo / Word));
      if ((W.Lo + W.Len) % Word)
        Zero.set(unsigned((W.Lo + W.Len - 1) / Word));
    } else if (W.OffAlign % Word || W.Len % Word) {
      // Somewhere in a range, not in whole words: any word it reaches.
      Zero.set(unsigned(W.Lo / Word), unsigned((W.Hi + W.Len - 1) / Word) + 1);
    }
  }
  return Zero;
}

/// The llvm.lifetime.start markers of AI (on it or a pointer derived from it).
void lifetimeStarts(AllocaInst &AI, SmallVectorImpl<Instruction *> &Starts) {
  SmallVector<Value *, 8> Work{&AI};
  while (!Work.empty())
    for (User *U : Work.pop_back_val()->users()) {
      if (isa<GetElementPtrInst>(U) || isa<BitCastInst>(U))
        Work.push_back(U);
      else if (auto *II = dyn_cast<IntrinsicInst>(U);
               II && II->getIntrinsicID() == Intrinsic::lifetime_start)
        Starts.push_back(II);
    }
}

/// Emit zero stores over the words set in Zero (of a local of Size bytes, a
/// multiple of 8, 8-aligned), at B: one memset per run of consecutive words.
void emitZero(IRBuilder<> &B, AllocaInst &AI, uint64_t Size, const BitVector &Zero) {
  for (int W = Zero.find_first(); W != -1;) {
    int End = Zero.find_next_unset(W);
    uint64_t Begin = uint64_t(W) * Word;
    uint64_t Stop = End == -1 ? Size : uint64_t(End) * Word;
    Value *P = Begin ? B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), &AI, Begin) : &AI;
    B.CreateMemSet(P, B.getInt8(0), Stop - Begin, commonAlignment(AI.getAlign(), Begin));
    if (End == -1)
      break;
    W = Zero.find_next(End);
  }
}

} // namespace

ZeroStats zeroLargeLocals(Function &F) {
  ZeroStats Stats;
  const DataLayout &DL = F.getParent()->getDataLayout();
  SmallVector<AllocaInst *, 8> Large;
  for (Instruction &I : F.getEntryBlock())
    if (auto *AI = dyn_cast<AllocaInst>(&I); AI && AI->isStaticAlloca())
      if (std::optional<TypeSize> S = AI->getAllocationSize(DL);
          S && !S->isScalable() && S->getFixedValue() > AutoInitMaxSize)
        Large.push_back(AI);

  for (AllocaInst *AI : Large) {
    const uint64_t Size = AI->getAllocationSize(DL)->getFixedValue();
    // Whole words: the local's last word is then its own to zero, not its
    // neighbour's or padding.
    const uint64_t Padded = alignTo(Size, Word);
    bool Whole;
    BitVector Zero = planZeroing(*AI, Padded, DL, Whole);
    if (Zero.none()) {
      ++Stats.None;
      continue;
    }
    ++(Whole ? Stats.Whole : Stats.Partial);
    if (AI->getAlign() < Align(Word))
      AI->setAlignment(Align(Word));
    if (Padded != Size) {
      AI->setAllocatedType(ArrayType::get(Type::getInt8Ty(F.getContext()), Padded));
      if (AI->isArrayAllocation())
        AI->setOperand(0, ConstantInt::get(AI->getArraySize()->getType(), 1));
    }
    // After each lifetime start; with none, once after the entry block's allocas.
    SmallVector<Instruction *, 2> Starts;
    lifetimeStarts(*AI, Starts);
    SmallVector<Instruction *, 2> At;
    for (Instruction *S : Starts)
      At.push_back(S->getNextNode());
    if (At.empty()) {
      BasicBlock::iterator I = F.getEntryBlock().getFirstInsertionPt();
      while (isa<AllocaInst>(*I))
        ++I;
      At.push_back(&*I);
    }
    for (Instruction *Pos : At) {
      IRBuilder<> B(Pos);
      emitZero(B, *AI, Padded, Zero);
    }
  }
  return Stats;
}

} // namespace gs

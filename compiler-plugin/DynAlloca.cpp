//===- DynAlloca.cpp - lifetimes of heap-backed dynamic allocas -----------===//
//
// See DynAlloca.h.
//
//===----------------------------------------------------------------------===//
#include "DynAlloca.h"
#include "Protocol.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

using namespace llvm;

namespace gs {

static bool isIntrinsic(const Instruction &I, Intrinsic::ID ID) {
  auto *II = dyn_cast<IntrinsicInst>(&I);
  return II && II->getIntrinsicID() == ID;
}

DynScopeStats scopeDynamicAllocas(Function &F) {
  DynScopeStats Stats;
  Module &M = *F.getParent();
  LLVMContext &Ctx = M.getContext();
  Type *Ptr = PointerType::getUnqual(Ctx);
  FunctionCallee Mark = M.getOrInsertFunction(DynMarkFn, Ptr);
  FunctionCallee Release = M.getOrInsertFunction(DynReleaseFn, Type::getVoidTy(Ctx), Ptr);
  FunctionCallee Exit = M.getOrInsertFunction(DynFrameExitFn, Type::getVoidTy(Ctx));

  // Collect first, then mutate.
  SmallVector<Instruction *, 4> Saves, Restores;
  SmallVector<ReturnInst *, 4> Returns;
  for (Instruction &I : instructions(F)) {
    if (isIntrinsic(I, Intrinsic::stacksave))
      Saves.push_back(&I);
    else if (isIntrinsic(I, Intrinsic::stackrestore))
      Restores.push_back(&I);
    else if (auto *R = dyn_cast<ReturnInst>(&I))
      Returns.push_back(R);
  }

  // The token for each stacksave, and for each local slot that stores the
  // result of a stacksave, a parallel slot for its token.
  DenseMap<Value *, Value *> TokenOf;     // stacksave -> token
  DenseMap<Value *, AllocaInst *> SlotOf; // slot of saved pointers -> token slot
  IRBuilder<> Entry(&*F.getEntryBlock().getFirstInsertionPt());
  for (Instruction *S : Saves) {
    IRBuilder<> B(S->getNextNode());
    CallInst *Tok = B.CreateCall(Mark);
    TokenOf[S] = Tok;
    ++Stats.Marks;
    for (User *U : S->users()) {
      auto *St = dyn_cast<StoreInst>(U);
      if (!St || St->getValueOperand() != S)
        continue;
      auto *Slot = dyn_cast<AllocaInst>(St->getPointerOperand()->stripPointerCasts());
      if (!Slot || !Slot->isStaticAlloca())
        continue;
      AllocaInst *&TokSlot = SlotOf[Slot];
      if (!TokSlot)
        TokSlot = Entry.CreateAlloca(Ptr, nullptr, Slot->getName() + ".gs_dyn_token");
      IRBuilder<>(St->getNextNode()).CreateStore(Tok, TokSlot);
    }
  }

  for (Instruction *R : Restores) {
    Value *Saved = cast<CallBase>(R)->getArgOperand(0)->stripPointerCasts();
    IRBuilder<> B(R->getNextNode());
    Value *Tok = nullptr;
    if (auto It = TokenOf.find(Saved); It != TokenOf.end()) {
      Tok = It->second;
    } else if (auto *L = dyn_cast<LoadInst>(Saved)) {
      auto *Slot = dyn_cast<AllocaInst>(L->getPointerOperand()->stripPointerCasts());
      if (Slot)
        if (auto It2 = SlotOf.find(Slot); It2 != SlotOf.end())
          Tok = B.CreateLoad(Ptr, It2->second);
    }
    if (!Tok) {
      ++Stats.Unmatched;
      continue;
    }
    B.CreateCall(Release, {Tok});
    ++Stats.Releases;
  }

  for (ReturnInst *R : Returns) {
    // Nothing may come between a musttail call and its ret.
    Instruction *At = R;
    if (CallInst *MT = R->getParent()->getTerminatingMustTailCall())
      At = MT;
    IRBuilder<>(At).CreateCall(Exit);
    ++Stats.Exits;
  }
  return Stats;
}

unsigned zeroDynamicAllocaTails(Function &F, const SmallPtrSetImpl<Value *> &Skip) {
  SmallVector<AllocaInst *, 4> Dynamic;
  for (Instruction &I : instructions(F))
    if (auto *AI = dyn_cast<AllocaInst>(&I);
        AI && !AI->isStaticAlloca() && !Skip.contains(AI))
      Dynamic.push_back(AI);
  const DataLayout &DL = F.getParent()->getDataLayout();
  LLVMContext &Ctx = F.getContext();
  Type *I8 = Type::getInt8Ty(Ctx);
  for (AllocaInst *AI : Dynamic) {
    IRBuilder<> B(AI);
    Type *SizeTy = AI->getArraySize()->getType();
    Value *N = B.CreateZExtOrTrunc(AI->getArraySize(), B.getInt64Ty());
    uint64_t Elem = DL.getTypeAllocSize(AI->getAllocatedType());
    Value *Bytes = B.CreateMul(N, B.getInt64(Elem));
    // max((bytes + 15) & -16, 16): the rounding the backend does anyway, and
    // never empty, so the 16 bytes below the end are always inside.
    Value *Rounded = B.CreateAnd(B.CreateAdd(Bytes, B.getInt64(15)), B.getInt64(-16));
    Rounded = B.CreateBinaryIntrinsic(Intrinsic::umax, Rounded, B.getInt64(16));
    AI->setAllocatedType(I8);
    AI->setOperand(0, SizeTy == B.getInt64Ty() ? Rounded : B.CreateTrunc(Rounded, SizeTy));
    if (AI->getAlign() < Align(16))
      AI->setAlignment(Align(16));
    IRBuilder<> After(AI->getNextNode());
    Value *Tail = After.CreateGEP(I8, AI, After.CreateSub(Rounded, After.getInt64(16)));
    After.CreateMemSet(Tail, After.getInt8(0), 16, MaybeAlign(16));
  }
  return Dynamic.size();
}

} // namespace gs

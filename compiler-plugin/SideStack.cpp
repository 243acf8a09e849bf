//===- SideStack.cpp - escaping locals leave the moving stack -------------===//
//
// See SideStack.h; the contract is protocol.md 7.2 and 7.3.
//
// Debug info: a moved local's declaration (dbg.declare, or the dbg.assign
// markers of assignment tracking at -O1 and up) is replaced by one on a
// moving-stack slot `gs.side.dbg` holding the frame's base, with the
// expression DW_OP_deref, DW_OP_plus_uconst <offset>. A static alloca's
// location is valid in the whole function at every optimization level, so
// gdb finds the local wherever the function stops. The slot costs one store
// per call and exists only in functions with debug info for a moved local.
// (Declaring the local on the SSA base itself, as SafeStack does, loses it
// where the register allocator ends the base's live range, and at -O0 at
// the end of its basic block.)
//
//===----------------------------------------------------------------------===//

#include "SideStack.h"

#include "CFGUtil.h"

#include "Protocol.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/DIBuilder.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Local.h"
#include "llvm/Transforms/Utils/PromoteMemToReg.h"

#include <algorithm>

using namespace llvm;

namespace gs {

SideFrameLayout layoutSideFrame(const Function &F, ArrayRef<Value *> Locals,
                                unsigned JmpBufSites) {
  const DataLayout &DL = F.getDataLayout();
  SideFrameLayout L;
  for (Value *V : Locals) {
    SideObject O;
    O.Local = V;
    if (auto *AI = dyn_cast<AllocaInst>(V)) {
      std::optional<TypeSize> Bytes = AI->getAllocationSize(DL);
      O.Size = Bytes ? Bytes->getFixedValue() : 0;
      O.Alignment = AI->getAlign();
    } else {
      auto *A = cast<Argument>(V);
      Type *T = A->getParamByValType();
      O.Size = DL.getTypeAllocSize(T).getFixedValue();
      O.Alignment = std::max(A->getParamAlign().valueOrOne(),
                             DL.getABITypeAlign(T));
    }
    // Distinct objects keep distinct addresses.
    O.Size = std::max<uint64_t>(O.Size, 1);
    L.Objects.push_back(O);
  }
  if (JmpBufSites) {
    SideObject Node;
    Node.Size = JbNodeHeaderBytes + 8 * uint64_t(JmpBufSites);
    Node.Alignment = Align(8);
    L.Objects.push_back(Node);
    L.JmpBufSites = JmpBufSites;
  }
  if (L.Objects.empty())
    return L;

  // Decreasing alignment: every object starts where the previous one ended,
  // rounded up to an alignment no larger than the previous one's, so the
  // only padding is at the end of objects whose size is not a multiple of
  // the next alignment.
  // (Ties keep their order: the objects' addresses follow the source.)
  SmallVector<std::pair<SideObject, unsigned>, 4> Order;
  for (unsigned K = 0; K != L.Objects.size(); ++K)
    Order.push_back({L.Objects[K], K});
  std::sort(Order.begin(), Order.end(), [](const auto &A, const auto &B) {
    if (A.first.Alignment != B.first.Alignment)
      return A.first.Alignment > B.first.Alignment;
    return A.second < B.second;
  });
  for (unsigned K = 0; K != Order.size(); ++K)
    L.Objects[K] = Order[K].first;
  uint64_t Off = 0;
  Align Max(MinSideAlign);
  for (SideObject &O : L.Objects) {
    bool Overflow = false;
    Off = alignTo(Off, O.Alignment);
    O.Offset = Off;
    Off = SaturatingAdd(Off, O.Size, &Overflow);
    Max = std::max(Max, O.Alignment);
    if (!O.Local)
      L.NodeOffset = O.Offset;
  }
  L.Size = Off > UINT64_MAX - MinSideAlign ? Off : alignTo(Off, MinSideAlign);
  L.Alignment = Max.value();
  return L;
}

namespace {

/// @__gs_side: external thread_local(initialexec) { ptr, ptr, ptr }.
/// Code built for an executable (-fPIE, non-PIC) gets it dso_local: the
/// runtime (libgrowstack.a) is linked into every executable, so the backend
/// may use local-exec (`%fs:__gs_side@TPOFF` in each access, no register
/// holding the offset). Shared objects reach the executable's copy through
/// the GOT (initial-exec).
GlobalVariable *sideState(Module &M, StructType *Ty) {
  if (GlobalVariable *GV = M.getNamedGlobal(SideState))
    return GV;
  auto *GV = new GlobalVariable(M, Ty, /*isConstant=*/false,
                                GlobalValue::ExternalLinkage, nullptr,
                                SideState, nullptr,
                                GlobalValue::InitialExecTLSModel);
  if (M.getPICLevel() == PICLevel::NotPIC || M.getPIELevel() != PIELevel::Default)
    GV->setDSOLocal(true);
  return GV;
}

/// A variable declared at an address, with the fragment it covers.
struct DeclaredVar {
  DILocalVariable *Var;
  DIExpression *Expr;
  DebugLoc Loc;
};

/// Removes every declaration of the memory at Local (dbg.declare records
/// and intrinsics, and the assignment-tracking markers whose address it is)
/// and returns what they declared. An escaping local lives in memory for its
/// whole life, so one declaration of that memory describes it exactly.
SmallVector<DeclaredVar, 2> takeDeclarations(Value *Local) {
  SmallVector<DeclaredVar, 2> Vars;
  auto Add = [&](DILocalVariable *Var, DIExpression *Expr, DebugLoc Loc) {
    for (const DeclaredVar &D : Vars)
      if (D.Var == Var && D.Expr == Expr &&
          D.Loc.getInlinedAt() == Loc.getInlinedAt())
        return;
    Vars.push_back({Var, Expr, Loc});
  };
  // A marker's expression describes the stored value; only its fragment
  // carries over to the declaration of the memory.
  auto Fragment = [](DIExpression *E) {
    DIExpression *Empty = DIExpression::get(E->getContext(), {});
    if (auto Frag = E->getFragmentInfo())
      if (auto R = DIExpression::createFragmentExpression(
              Empty, Frag->OffsetInBits, Frag->SizeInBits))
        return *R;
    return Empty;
  };
  SmallVector<DbgVariableIntrinsic *, 4> Intrinsics;
  SmallVector<DbgVariableRecord *, 4> Records;
  findDbgUsers(Intrinsics, Local, &Records);
  for (DbgVariableIntrinsic *D : Intrinsics) {
    if (isa<DbgDeclareInst>(D)) {
      Add(D->getVariable(), D->getExpression(), D->getDebugLoc());
    } else if (auto *A = dyn_cast<DbgAssignIntrinsic>(D);
               A && A->getAddress() == Local) {
      Add(A->getVariable(), Fragment(A->getExpression()), A->getDebugLoc());
    } else {
      continue;
    }
    D->eraseFromParent();
  }
  for (DbgVariableRecord *D : Records) {
    if (D->isDbgDeclare())
      Add(D->getVariable(), D->getExpression(), D->getDebugLoc());
    else if (D->isDbgAssign() && D->getAddress() == Local)
      Add(D->getVariable(), Fragment(D->getExpression()), D->getDebugLoc());
    else
      continue;
    D->eraseFromParent();
  }
  return Vars;
}

bool isLifetimeMarker(const User *U) {
  auto *II = dyn_cast<IntrinsicInst>(U);
  return II && (II->getIntrinsicID() == Intrinsic::lifetime_start ||
                II->getIntrinsicID() == Intrinsic::lifetime_end);
}

class SideFrameBuilder {
public:
  SideFrameBuilder(Function &F, const SideFrameLayout &L, const SideSites &S)
      : F(F), M(*F.getParent()), Ctx(F.getContext()), L(L), Sites(S),
        PtrTy(PointerType::getUnqual(Ctx)), I64(Type::getInt64Ty(Ctx)),
        SideTy(StructType::get(PtrTy, PtrTy, PtrTy)) {}

  SideStats run();

private:
  Value *field(IRBuilder<> &B, unsigned Field) {
    if (!GV)
      GV = sideState(M, SideTy);
    Value *TLS = B.CreateThreadLocalAddress(GV);
    return Field == 0 ? TLS : B.CreateStructGEP(SideTy, TLS, Field);
  }
  void storeState(IRBuilder<> &B, Value *Sp, Value *Lim, Value *Jb) {
    B.CreateStore(Sp, field(B, SideSpField));
    B.CreateStore(Lim, field(B, SideLimField));
    if (Jb)
      B.CreateStore(Jb, field(B, SideJbField));
  }
  Instruction *hoistStaticAllocas();
  BasicBlock *lazyPlacement(const SmallVectorImpl<Instruction *> &Exits,
                            const SmallVectorImpl<LandingPadInst *> &LandingPads);
  bool exitsReleaseDeadLocals(BasicBlock *D,
                              const SmallVectorImpl<BasicBlock *> &Region);
  bool guardedSites(const SmallVectorImpl<Instruction *> &Exits,
                    SmallVectorImpl<Instruction *> &At);
  void buildGuarded(const SmallVectorImpl<Instruction *> &Exits,
                    const SmallVectorImpl<Instruction *> &At, SideStats &Stats);
  /// What a setup leaves: the base and what the exits restore (RestoreSp
  /// null for a small frame, whose exits restore base + SIZE).
  struct Setup {
    PHINode *Base, *RestoreSp, *RestoreLim;
  };
  Setup emitSetup(Instruction *At, const DebugLoc &DL, Value *OldSp,
                  Value *OldLim, bool Small);
  FunctionCallee sideAlloc();
  void rewriteUses(AllocaInst *AI, uint64_t Offset,
                   function_ref<Value *(IRBuilder<> &)> BaseAt);
  void moveAlloca(AllocaInst *AI, uint64_t Offset);
  void copyByval(Argument *A, const SideObject &O, IRBuilder<> &B);
  void redeclare(Value *Local, uint64_t Offset);

  Function &F;
  Module &M;
  LLVMContext &Ctx;
  const SideFrameLayout &L;
  const SideSites &Sites;
  Type *PtrTy;
  Type *I64;
  StructType *SideTy;
  GlobalVariable *GV = nullptr; // @__gs_side, declared on first use

  Value *Base = nullptr;              // the frame's base (frames only)
  /// What the exits restore (protocol 7.2): old_sp/old_lim, or what
  /// __gs_side_alloc returned when it left the new chunk current. A small
  /// frame keeps no RestoreSp: its exits restore base + SIZE (restoreSp).
  Value *RestoreSp = nullptr, *RestoreLim = nullptr;
  Value *restoreSp(IRBuilder<> &B) const {
    if (RestoreSp)
      return RestoreSp;
    return B.CreateGEP(B.getInt8Ty(), Base, ConstantInt::get(I64, L.Size),
                       "gs.side.end");
  }
  /// The last instruction of the setup: code that needs the base goes right
  /// after it. (Not the first original instruction: that may be a lifetime
  /// marker of a moved alloca, erased on the way.)
  Instruction *SetupEnd = nullptr;
  Instruction *afterSetup() const { return SetupEnd->getNextNode(); }
  AllocaInst *DbgSlot = nullptr;      // holds Base for debuggers
  /// Guarded placement (buildGuarded): the base, null until a setup ran;
  /// promoted to a register once the frame is built.
  AllocaInst *BaseSlot = nullptr;
  /// Lazy placement (lazyPlacement): the frame is set up in Home, not at
  /// entry, and only the exits of the blocks Home dominates restore.
  BasicBlock *Home = nullptr;
  std::unique_ptr<DominatorTree> DT;
};

/// Moves the entry block's static allocas above its first other
/// instruction, where the block is split: below it they would be dynamic.
Instruction *SideFrameBuilder::hoistStaticAllocas() {
  BasicBlock &Entry = F.getEntryBlock();
  Instruction *First = nullptr;
  for (Instruction &I : make_early_inc_range(Entry)) {
    auto *AI = dyn_cast<AllocaInst>(&I);
    bool Static = AI && AI->isStaticAlloca();
    if (!First) {
      if (!Static)
        First = &I;
    } else if (Static) {
      AI->moveBefore(First);
    }
  }
  return First;
}

/// Where the side frame can be set up instead of the entry block: the nearest
/// common dominator Home of every use of its locals, moved up out of any
/// cycle (so that it runs at most once per call), when that is not the entry
/// block. Paths that never reach Home never touch the side stack: luaH_get
/// needs its side frame only for a float key, prepbuffsize only to grow a
/// buffer. Every path through Home leaves the blocks Home dominates by a
/// return (restored before it) or by an edge to a block Home does not
/// dominate (restored on that edge): no path re-enters them without passing
/// Home again, which a block outside any cycle cannot see twice. An edge
/// exit frees the locals before the function returns, so it is taken only
/// where an escaped pointer to them can no longer be used
/// (exitsReleaseDeadLocals). Only for
/// frames of plain allocas: no jb node, returns_twice call, landing pad,
/// musttail call or byval copy, whose restores and copies assume an entry
/// setup. Returns null to set up at entry.
BasicBlock *SideFrameBuilder::lazyPlacement(
    const SmallVectorImpl<Instruction *> &Exits,
    const SmallVectorImpl<LandingPadInst *> &LandingPads) {
  if (L.JmpBufSites || !Sites.ReturnsTwice.empty() || !LandingPads.empty())
    return nullptr;
  for (Instruction *E : Exits)
    if (!isa<ReturnInst>(E))
      return nullptr; // resume, musttail
  for (const SideObject &O : L.Objects)
    if (!isa_and_nonnull<AllocaInst>(O.Local))
      return nullptr;
  DT = std::make_unique<DominatorTree>(F);
  BasicBlock *D = nullptr;
  for (const SideObject &O : L.Objects)
    for (const Use &U : O.Local->uses()) {
      auto *I = cast<Instruction>(U.getUser());
      if (isLifetimeMarker(I))
        continue;
      BasicBlock *B = I->getParent();
      if (auto *Phi = dyn_cast<PHINode>(I))
        B = Phi->getIncomingBlock(U);
      if (!DT->isReachableFromEntry(B))
        continue;
      D = D ? DT->findNearestCommonDominator(D, B) : B;
    }
  while (D && D != &F.getEntryBlock() && inCycle(*D))
    D = DT->getNode(D)->getIDom()->getBlock();
  if (!D || D == &F.getEntryBlock() || D->isEHPad())
    return nullptr;
  // Every edge leaving the region must be splittable.
  SmallVector<BasicBlock *, 32> Region;
  for (BasicBlock &B : F) {
    if (!DT->isReachableFromEntry(&B) || !DT->dominates(D, &B))
      continue;
    Region.push_back(&B);
    Instruction *T = B.getTerminator();
    if (isa<ReturnInst>(T) || isa<UnreachableInst>(T))
      continue;
    if (!isa<BranchInst>(T) && !isa<SwitchInst>(T))
      return nullptr;
  }
  if (!exitsReleaseDeadLocals(D, Region))
    return nullptr;
  return D;
}

/// An exit edge of a lazily placed frame releases the side frame while the
/// function still runs. The frame's locals are then dead to the function's
/// own code (all their uses lie in the region, which no path re-enters), but
/// not to code that received an escaped pointer: a callee that stored &x may
/// read it after the edge. The release is sound on an edge only if
///  (a) every side local's lifetime has ended on every path from D to it
///      (llvm.lifetime.end, or the llvm.stackrestore of the llvm.stacksave
///      that precedes a VLA-like alloca: after that the object is dead and
///      touching it is undefined, as LLVM's stack colouring assumes), or
///  (b) nothing reachable from the edge's target touches memory: no load,
///      store or call other than debug and lifetime intrinsics and the
///      runtime's __gs_dyn_* exits (they never read program locals).
/// Returns false if some exit edge is neither.
bool SideFrameBuilder::exitsReleaseDeadLocals(
    BasicBlock *D, const SmallVectorImpl<BasicBlock *> &Region) {
  SmallPtrSet<BasicBlock *, 32> InRegion(Region.begin(), Region.end());
  DenseMap<const Value *, unsigned> Index;
  for (const SideObject &O : L.Objects)
    Index.try_emplace(O.Local, Index.size());
  const unsigned K = Index.size();
  // Which objects' lifetimes an instruction ends (set) or starts (clear).
  auto Transfer = [&](const Instruction &I, BitVector &Ended) {
    auto *II = dyn_cast<IntrinsicInst>(&I);
    if (!II)
      return;
    Intrinsic::ID ID = II->getIntrinsicID();
    if (ID == Intrinsic::lifetime_start || ID == Intrinsic::lifetime_end) {
      auto It = Index.find(II->getArgOperand(1)->stripPointerCasts());
      if (It != Index.end())
        Ended[It->second] = ID == Intrinsic::lifetime_end;
    } else if (ID == Intrinsic::stackrestore) {
      auto *Save = dyn_cast<IntrinsicInst>(II->getArgOperand(0));
      if (!Save || Save->getIntrinsicID() != Intrinsic::stacksave)
        return;
      for (const SideObject &O : L.Objects) {
        auto *AI = cast<AllocaInst>(O.Local);
        if (AI->getParent() == Save->getParent() && Save->comesBefore(AI))
          Ended[Index.lookup(AI)] = true;
      }
    }
  };
  // Must-analysis over the region: Out[B] = objects ended on every path
  // D -> end of B. Every block of the region but D has all its reachable
  // predecessors inside it; D lies in no cycle.
  DenseMap<BasicBlock *, BitVector> Out;
  for (BasicBlock *B : Region)
    Out[B] = BitVector(K, true);
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (BasicBlock *B : Region) {
      BitVector Ended(K, B != D);
      if (B != D)
        for (BasicBlock *P : predecessors(B))
          if (InRegion.count(P))
            Ended &= Out[P];
      for (const Instruction &I : *B)
        Transfer(I, Ended);
      if (Ended != Out[B]) {
        Out[B] = Ended;
        Changed = true;
      }
    }
  }
  auto Quiet = [&](BasicBlock *From) {
    SmallVector<BasicBlock *, 8> Work{From};
    SmallPtrSet<BasicBlock *, 16> Seen{From};
    while (!Work.empty()) {
      BasicBlock *B = Work.pop_back_val();
      for (const Instruction &I : *B) {
        if (isa<DbgInfoIntrinsic>(I) || I.isLifetimeStartOrEnd())
          continue;
        if (auto *CB = dyn_cast<CallBase>(&I))
          if (Function *Callee = CB->getCalledFunction())
            if (Callee->getName().starts_with("__gs_dyn_"))
              continue;
        if (I.mayReadOrWriteMemory())
          return false;
      }
      for (BasicBlock *S : successors(B))
        if (Seen.insert(S).second)
          Work.push_back(S);
    }
    return true;
  };
  for (BasicBlock *B : Region)
    for (BasicBlock *S : successors(B))
      if (!InRegion.count(S) && !Out[B].all() && !Quiet(S))
        return false;
  return true;
}

/// The uses of Local that touch or pass on its memory, looking through the
/// address computations (GEPs, casts) the optimiser may have hoisted away
/// from them (into the entry block of Lua's luaV_execute): each with the
/// chain of those computations from Local to it.
static void terminalUses(Value *Local, SmallVectorImpl<Instruction *> &Chain,
                         SmallVectorImpl<std::pair<Use *, SmallVector<Instruction *, 2>>> &Out) {
  Value *From = Chain.empty() ? Local : Chain.back();
  for (Use &U : From->uses()) {
    auto *I = cast<Instruction>(U.getUser());
    if ((isa<GetElementPtrInst>(I) || isa<BitCastInst>(I)) &&
        I->getOperand(0) == From) {
      Chain.push_back(I);
      terminalUses(Local, Chain, Out);
      Chain.pop_back();
      continue;
    }
    Out.push_back({&U, SmallVector<Instruction *, 2>(Chain.begin(), Chain.end())});
  }
}

/// Guarded placement, where lazyPlacement finds no block to set the frame
/// up in because the uses of its locals lie in a cycle and no block outside
/// it but the entry dominates them (an interpreter loop: Lua's luaV_execute
/// keeps a few TValues on the side stack for the metamethod paths of some
/// opcodes). Each block with a use sets the frame up before its first use
/// unless an earlier use on the path has (the base, null until then, is a
/// value the function carries), and each return restores the state if the
/// base is not null. A call that never reaches a use never touches the side
/// stack. The setup is the small frame's (protocol 7.2), so the exits
/// restore {base + SIZE, lim after the setup}; the frame lives until the
/// function returns, as one set up at entry does. Only for small frames of
/// plain allocas (the preconditions of lazyPlacement, and no landing pad),
/// with no use in the entry block and at most GuardedMaxSites blocks with
/// uses (each gets a copy of the setup). Uses on acyclic paths keep the
/// entry setup: a function that reaches one on every call (SQLite's
/// getAndInitPage) would pay the tests on top of it. Fills At with the
/// instruction before which each block's setup goes.
static constexpr unsigned GuardedMaxSites = 16;

bool SideFrameBuilder::guardedSites(const SmallVectorImpl<Instruction *> &Exits,
                                    SmallVectorImpl<Instruction *> &At) {
  if (L.JmpBufSites || !Sites.ReturnsTwice.empty())
    return false;
  if (L.Alignment != MinSideAlign || L.Size >= SmallSideFrameBytes)
    return false;
  for (Instruction *E : Exits)
    if (!isa<ReturnInst>(E))
      return false;
  for (const SideObject &O : L.Objects)
    if (!isa_and_nonnull<AllocaInst>(O.Local))
      return false;
  DominatorTree DTNow(F);
  DenseMap<BasicBlock *, Instruction *> FirstUse;
  for (const SideObject &O : L.Objects) {
    SmallVector<Instruction *, 2> Chain;
    SmallVector<std::pair<Use *, SmallVector<Instruction *, 2>>, 8> Uses;
    terminalUses(O.Local, Chain, Uses);
    for (auto &[UP, Path] : Uses) {
      const Use &U = *UP;
      auto *I = cast<Instruction>(U.getUser());
      if (isLifetimeMarker(I) || isa<DbgInfoIntrinsic>(I))
        continue;
      if (auto *Phi = dyn_cast<PHINode>(I)) {
        I = Phi->getIncomingBlock(U)->getTerminator();
        if (!isa<BranchInst>(I) && !isa<SwitchInst>(I))
          return false; // the setup goes before it: no indirectbr, callbr
      }
      BasicBlock *B = I->getParent();
      if (!DTNow.isReachableFromEntry(B))
        continue;
      if (B == &F.getEntryBlock() || B->isEHPad())
        return false;
      auto [It, New] = FirstUse.try_emplace(B, I);
      if (!New && I->comesBefore(It->second))
        It->second = I;
    }
  }
  if (FirstUse.empty() || FirstUse.size() > GuardedMaxSites)
    return false;
  // Uses in a cycle only (above).
  BasicBlock *D = nullptr;
  for (auto &[B, I] : FirstUse)
    D = D ? DTNow.findNearestCommonDominator(D, B) : B;
  if (!inCycle(*D))
    return false;
  for (auto &[B, I] : FirstUse)
    At.push_back(I);
  // A stable order: the order of the blocks in the function.
  DenseMap<BasicBlock *, unsigned> Pos;
  for (BasicBlock &B : F)
    Pos[&B] = Pos.size();
  llvm::sort(At, [&](Instruction *A, Instruction *B) {
    return Pos[A->getParent()] < Pos[B->getParent()];
  });
  return true;
}

void SideFrameBuilder::buildGuarded(const SmallVectorImpl<Instruction *> &Exits,
                                    const SmallVectorImpl<Instruction *> &At,
                                    SideStats &Stats) {
  ++Stats.Guarded;
  ++Stats.SmallFrames;
  Constant *Null = ConstantPointerNull::get(cast<PointerType>(PtrTy));
  BasicBlock &Entry = F.getEntryBlock();
  IRBuilder<> Top(&*Entry.begin());
  // Promoted to registers below: the frame's base (null until it is set
  // up) and the lim its exits restore.
  BaseSlot = Top.CreateAlloca(PtrTy, nullptr, "gs.side.base");
  AllocaInst *LimSlot = Top.CreateAlloca(PtrTy, nullptr, "gs.side.restore_lim");
  IRBuilder<> E(Entry.getTerminator());
  E.CreateStore(Null, BaseSlot);
  SetupEnd = E.CreateStore(Null, LimSlot);

  // Debuggers find the locals through a slot that holds the base (null
  // until the frame is set up), as for a lazy frame.
  for (const SideObject &O : L.Objects)
    redeclare(O.Local, O.Offset);

  // Address computations move next to the uses they serve (a copy for
  // each), so that every use of a local sits in the block that sets the
  // frame up.
  for (const SideObject &O : L.Objects) {
    SmallVector<Instruction *, 2> Chain;
    SmallVector<std::pair<Use *, SmallVector<Instruction *, 2>>, 8> Uses;
    terminalUses(O.Local, Chain, Uses);
    SmallPtrSet<Instruction *, 8> Old;
    for (auto &[UP, Path] : Uses) {
      if (Path.empty())
        continue;
      auto *User = cast<Instruction>(UP->getUser());
      for (Instruction *C : Path)
        Old.insert(C);
      if (isLifetimeMarker(User) || isa<DbgInfoIntrinsic>(User)) {
        User->eraseFromParent(); // as for the alloca's own markers
        continue;
      }
      auto *Phi = dyn_cast<PHINode>(User);
      Instruction *Pt = Phi ? Phi->getIncomingBlock(*UP)->getTerminator() : User;
      Value *Prev = O.Local;
      for (Instruction *C : Path) {
        Instruction *Copy = C->clone();
        Copy->setOperand(0, Prev);
        Copy->insertBefore(Pt);
        Prev = Copy;
      }
      UP->set(Prev);
    }
    // The originals are unused now; erase users before what they use.
    SmallVector<Instruction *, 8> Dead(Old.begin(), Old.end());
    while (!Dead.empty()) {
      bool Progress = false;
      for (auto It = Dead.begin(); It != Dead.end();)
        if ((*It)->use_empty()) {
          (*It)->eraseFromParent();
          It = Dead.erase(It);
          Progress = true;
        } else {
          ++It;
        }
      if (!Progress)
        report_fatal_error("growstack: an address computation of a side local kept a use");
    }
  }

  // Every use of a local: base + offset, the base loaded from its slot.
  // Its dbg.values go (the declaration above describes the memory).
  for (const SideObject &O : L.Objects) {
    auto *AI = cast<AllocaInst>(O.Local);
    SmallVector<DbgVariableIntrinsic *, 2> DbgUsers;
    SmallVector<DbgVariableRecord *, 2> DbgRecords;
    findDbgUsers(DbgUsers, AI, &DbgRecords);
    for (DbgVariableIntrinsic *DI : DbgUsers)
      DI->eraseFromParent();
    for (DbgVariableRecord *DR : DbgRecords)
      DR->eraseFromParent();
    rewriteUses(AI, O.Offset, [&](IRBuilder<> &B) {
      return B.CreateLoad(PtrTy, BaseSlot, "gs.side.base");
    });
  }

  // The setups, before the first use of each block (before the loads of
  // the base inserted above, which the split leaves after them).
  for (Instruction *UseAt : At) {
    // Before the loads of the base for UseAt's operands and the address
    // computations derived from them, which sit right before it.
    Instruction *Before = UseAt;
    auto FromBase = [&](Value *V) {
      while (isa<GetElementPtrInst>(V) || isa<BitCastInst>(V))
        V = cast<Instruction>(V)->getOperand(0);
      auto *LI = dyn_cast<LoadInst>(V);
      return LI && LI->getPointerOperand() == BaseSlot;
    };
    while (auto *Prev = dyn_cast_or_null<Instruction>(Before->getPrevNode())) {
      if (FromBase(Prev))
        Before = Prev;
      else
        break;
    }
    IRBuilder<> G(Before);
    G.SetCurrentDebugLocation(UseAt->getDebugLoc());
    Value *On = G.CreateLoad(PtrTy, BaseSlot, "gs.side.base");
    Instruction *Then = SplitBlockAndInsertIfThen(
        G.CreateIsNull(On, "gs.side.unset"), Before, /*Unreachable=*/false);
    Then->getParent()->setName("gs.side.setup");
    IRBuilder<> S(Then);
    S.SetCurrentDebugLocation(UseAt->getDebugLoc());
    Value *OldSp = S.CreateLoad(PtrTy, field(S, SideSpField), "gs.side.old_sp");
    Value *OldLim = S.CreateLoad(PtrTy, field(S, SideLimField), "gs.side.old_lim");
    Setup New = emitSetup(Then, UseAt->getDebugLoc(), OldSp, OldLim,
                          /*Small=*/true);
    IRBuilder<> R(Then);
    R.SetCurrentDebugLocation(UseAt->getDebugLoc());
    R.CreateStore(New.Base, BaseSlot);
    R.CreateStore(New.RestoreLim, LimSlot);
    if (DbgSlot)
      R.CreateStore(New.Base, DbgSlot);
    ++Stats.GuardedSites;
  }

  // Each return restores the state the setup found, if it ran.
  for (Instruction *Ret : Exits) {
    IRBuilder<> X(Ret);
    Value *Base = X.CreateLoad(PtrTy, BaseSlot, "gs.side.base");
    Instruction *T =
        SplitBlockAndInsertIfThen(X.CreateIsNotNull(Base, "gs.side.set"), Ret, false);
    IRBuilder<> Y(T);
    Value *Lim = Y.CreateLoad(PtrTy, LimSlot, "gs.side.restore_lim");
    storeState(Y, Y.CreateGEP(Y.getInt8Ty(), Base, ConstantInt::get(I64, L.Size),
                              "gs.side.end"),
               Lim, nullptr);
  }

  DominatorTree DTNow(F);
  PromoteMemToReg({BaseSlot, LimSlot}, DTNow);
}

void SideFrameBuilder::redeclare(Value *Local, uint64_t Offset) {
  SmallVector<DeclaredVar, 2> Vars = takeDeclarations(Local);
  if (Vars.empty())
    return;
  if (!DbgSlot) {
    BasicBlock &Entry = F.getEntryBlock();
    DbgSlot = IRBuilder<>(&*Entry.begin()).CreateAlloca(PtrTy, nullptr, "gs.side.dbg");
    Instruction *Unset = nullptr;
    if (Home || BaseSlot) // paths that never reach a setup: a null base, not garbage
      Unset = IRBuilder<>(Entry.getTerminator())
                  .CreateStore(ConstantPointerNull::get(cast<PointerType>(PtrTy)),
                               DbgSlot);
    if (BaseSlot) // each of a guarded frame's setups stores its base
      SetupEnd = Unset;
    else
      SetupEnd = IRBuilder<>(afterSetup()).CreateStore(Base, DbgSlot);
  }
  DIBuilder DIB(M, /*AllowUnresolved=*/false);
  for (const DeclaredVar &D : Vars) {
    DIExpression *E =
        DIExpression::prepend(D.Expr, DIExpression::DerefBefore, Offset);
    DIB.insertDeclare(DbgSlot, D.Var, E, D.Loc.get(), afterSetup());
  }
}

/// Every use of AI becomes base + Offset, computed next to the use (before
/// a phi's incoming terminator) so that only the base stays live (the
/// backend folds the offset into addresses); BaseAt gives the base at that
/// point. Lifetime markers go: they describe moving-stack slots, and a side
/// frame lives as long as the function.
void SideFrameBuilder::rewriteUses(AllocaInst *AI, uint64_t Offset,
                                   function_ref<Value *(IRBuilder<> &)> BaseAt) {
  std::string Name = AI->getName().str();
  while (!AI->use_empty()) {
    Use &U = *AI->use_begin();
    auto *User = cast<Instruction>(U.getUser());
    if (isLifetimeMarker(User)) {
      User->eraseFromParent();
      continue;
    }
    auto *Phi = dyn_cast<PHINode>(User);
    BasicBlock *Incoming = Phi ? Phi->getIncomingBlock(U) : nullptr;
    IRBuilder<> B(Phi ? Incoming->getTerminator() : User);
    Value *At = BaseAt(B);
    Value *Addr = B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), At, Offset, Name);
    if (Phi)
      Phi->setIncomingValueForBlock(Incoming, Addr);
    else
      U.set(Addr);
  }
  AI->eraseFromParent();
}

/// AI moves to the frame at Offset. The zeroing gscc's
/// -ftrivial-auto-var-init=zero gave the local stays, though
/// the side stack never moves: the plugin runs after the optimiser, which has
/// already relied on it. Dead-store elimination deletes a program's own zero
/// store into a zeroed local as redundant (`s.buf[3] = 0` after
/// `memset(&s, 0, ...)`), so dropping the "auto-init" memset there would leave
/// that byte uninitialised (tests/e2e/side_zero_store.c, lit side-auto-init.c);
/// and the optimiser folds program values into annotated stores
/// (`store i64 3, ..., !annotation "auto-init"` in Lua's lcode.c).
void SideFrameBuilder::moveAlloca(AllocaInst *AI, uint64_t Offset) {
  redeclare(AI, Offset);
  DIBuilder DIB(M, /*AllowUnresolved=*/false);
  replaceDbgValueForAlloca(AI, Base, DIB, int(Offset));
  rewriteUses(AI, Offset, [&](IRBuilder<> &) { return Base; });
}

/// The caller passed A in its outgoing area, on the moving stack: the
/// function works on a copy in its side frame instead.
void SideFrameBuilder::copyByval(Argument *A, const SideObject &O,
                                 IRBuilder<> &B) {
  Value *Copy = B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Base, O.Offset,
                                             A->getName() + ".side");
  CallInst *MemCpy =
      B.CreateMemCpy(Copy, O.Alignment, A, A->getParamAlign(), O.Size);
  A->replaceUsesWithIf(Copy, [&](Use &U) { return U.getUser() != MemCpy; });
  SetupEnd = MemCpy;
  redeclare(A, O.Offset);
}

FunctionCallee SideFrameBuilder::sideAlloc() {
  StructType *Ret = StructType::get(PtrTy, PtrTy);
  FunctionCallee Alloc =
      M.getOrInsertFunction(SideAllocFn, FunctionType::get(Ret, {I64, I64}, false));
  if (auto *AllocF = dyn_cast<Function>(Alloc.getCallee()))
    AllocF->setDoesNotThrow();
  return Alloc;
}

/// The frame's setup before At (protocol 7.2), from the state OldSp/OldLim
/// it found. A small frame: sp is a multiple of 16 and SIZE too, so
/// base = old_sp - SIZE needs no rounding; every lim is UINTPTR_MAX or at
/// least GS_SIDE_LIM_MIN > SIZE, so old_sp - SIZE cannot wrap while a chunk
/// is current, and NULL - SIZE of the initial state is below its lim
/// UINTPTR_MAX: `base < old_lim` alone catches every state. Otherwise
/// base = (old_sp - SIZE) & -ALIGN, and old_sp - SIZE may wrap (SIZE above
/// the lowest chunk address): `base > old_sp` catches that. When the test
/// fails, __gs_side_alloc runs in an unlikely block. At's block is split:
/// from At on it begins with the phis returned and the store of the base to
/// __gs_side.sp (on the slow path the call has stored it already).
SideFrameBuilder::Setup SideFrameBuilder::emitSetup(Instruction *At,
                                                    const DebugLoc &DL,
                                                    Value *OldSp, Value *OldLim,
                                                    bool Small) {
  IRBuilder<> B(At);
  B.SetCurrentDebugLocation(DL);
  Value *Dec = B.CreateGEP(B.getInt8Ty(), OldSp,
                           ConstantInt::get(I64, -int64_t(L.Size)),
                           Small ? "gs.side.fast" : "gs.side.dec");
  Value *Fast, *Slow;
  if (Small) {
    Fast = Dec;
    Slow = B.CreateICmpULT(Fast, OldLim, "gs.side.slow");
  } else {
    Fast = B.CreateIntrinsic(
        Intrinsic::ptrmask, {PtrTy, I64},
        {Dec, ConstantInt::get(I64, -int64_t(L.Alignment))}, nullptr,
        "gs.side.fast");
    Slow = B.CreateOr(B.CreateICmpULT(Fast, OldLim),
                      B.CreateICmpUGT(Fast, OldSp), "gs.side.slow");
  }
  BasicBlock *Head = At->getParent();
  Instruction *Then = SplitBlockAndInsertIfThen(
      Slow, At, /*Unreachable=*/false,
      MDBuilder(Ctx).createUnlikelyBranchWeights());
  BasicBlock *Slowly = Then->getParent();
  Slowly->setName("gs.side.alloc");
  IRBuilder<> A(Then);
  A.SetCurrentDebugLocation(DL);
  // { base, restore_sp } in %rax:%rdx (protocol 7.2): the frame restores
  // restore_sp and, when that is not old_sp (the call leaves the chunk it
  // took current), the lim the call installed. A small frame needs neither:
  // the call puts its base at the top of a chunk, so base + SIZE is that
  // chunk's hi, and the lim after the call is the chunk's lo.
  Value *Ret = A.CreateCall(sideAlloc(), {ConstantInt::get(I64, L.Size),
                                          ConstantInt::get(I64, L.Alignment)},
                            "gs.side.ret");
  Value *New = A.CreateExtractValue(Ret, 0, "gs.side.new");
  Value *LimNow = A.CreateLoad(PtrTy, field(A, SideLimField), "gs.side.lim_now");
  Value *NewRestoreSp = nullptr, *NewRestoreLim = LimNow;
  if (!Small) {
    NewRestoreSp = A.CreateExtractValue(Ret, 1, "gs.side.new_restore_sp");
    NewRestoreLim = A.CreateSelect(A.CreateICmpEQ(NewRestoreSp, OldSp), OldLim,
                                   LimNow, "gs.side.new_restore_lim");
  }

  IRBuilder<> R(&*At->getParent()->getFirstInsertionPt());
  R.SetCurrentDebugLocation(DL);
  Setup S{};
  S.Base = R.CreatePHI(PtrTy, 2, "gs.side.base");
  S.Base->addIncoming(Fast, Head);
  S.Base->addIncoming(New, Slowly);
  if (!Small) {
    S.RestoreSp = R.CreatePHI(PtrTy, 2, "gs.side.restore_sp");
    S.RestoreSp->addIncoming(OldSp, Head);
    S.RestoreSp->addIncoming(NewRestoreSp, Slowly);
  }
  S.RestoreLim = R.CreatePHI(PtrTy, 2, "gs.side.restore_lim");
  S.RestoreLim->addIncoming(OldLim, Head);
  S.RestoreLim->addIncoming(NewRestoreLim, Slowly);
  R.CreateStore(S.Base, field(R, SideSpField));
  return S;
}

SideStats SideFrameBuilder::run() {
  SideStats Stats;
  SmallVector<Instruction *, 8> Exits;
  SmallVector<LandingPadInst *, 2> LandingPads;
  for (Instruction &I : instructions(F)) {
    if (isa<ReturnInst>(I) && I.getParent()->getTerminatingMustTailCall())
      continue; // restored before the musttail call (nothing may follow it)
    if (isa<ReturnInst>(I) || isa<ResumeInst>(I))
      Exits.push_back(&I);
    else if (auto *CI = dyn_cast<CallInst>(&I); CI && CI->isMustTailCall())
      Exits.push_back(&I);
    else if (auto *LP = dyn_cast<LandingPadInst>(&I))
      LandingPads.push_back(LP);
  }
  bool Frame = L.hasFrame();
  if (!Frame && Sites.ReturnsTwice.empty() && LandingPads.empty())
    return Stats;
  Stats.StateSaved = !Frame;

  Instruction *First = hoistStaticAllocas();
  if (Frame)
    Home = lazyPlacement(Exits, LandingPads);
  SmallVector<Instruction *, 8> GuardAt;
  if (Frame && !Home && LandingPads.empty() && guardedSites(Exits, GuardAt)) {
    buildGuarded(Exits, GuardAt, Stats);
    return Stats;
  }
  if (Home) {
    ++Stats.Lazy;
    First = &*Home->getFirstInsertionPt();
  }
  IRBuilder<> B(First);
  if (DISubprogram *SP = F.getSubprogram())
    B.SetCurrentDebugLocation(
        DILocation::get(Ctx, SP->getScopeLine(), 0, SP));
  Value *OldSp = B.CreateLoad(PtrTy, field(B, SideSpField), "gs.side.old_sp");
  Value *OldLim =
      B.CreateLoad(PtrTy, field(B, SideLimField), "gs.side.old_lim");
  bool RestoreJb = L.JmpBufSites || !LandingPads.empty() ||
                   (!Frame && !Sites.ReturnsTwice.empty());
  Value *OldJb =
      RestoreJb ? B.CreateLoad(PtrTy, field(B, SideJbField), "gs.side.old_jb")
                : nullptr;

  // What a returns_twice call's second return or a landing pad restores.
  Value *OwnSp = OldSp, *OwnLim = OldLim, *OwnJb = OldJb;
  Value *Node = nullptr;
  if (Frame) {
    const bool Small =
        L.Alignment == MinSideAlign && L.Size < SmallSideFrameBytes;
    if (Small)
      ++Stats.SmallFrames;
    Setup New = emitSetup(First, B.getCurrentDebugLocation(), OldSp, OldLim, Small);
    Base = New.Base;
    RestoreSp = New.RestoreSp;
    RestoreLim = New.RestoreLim;
    First->getParent()->setName("gs.side.ready");
    IRBuilder<> R(First);
    R.SetCurrentDebugLocation(B.getCurrentDebugLocation());
    OwnSp = Base;
    if (Small) // the lim after the setup: this frame's chunk
      OwnLim = RestoreLim;
    else if (!Sites.ReturnsTwice.empty() || !LandingPads.empty())
      OwnLim = R.CreateLoad(PtrTy, field(R, SideLimField), "gs.side.lim");
    if (L.JmpBufSites) {
      // node = { prev, count, buf[count] = NULL }; __gs_side.jb = &node.
      Node = R.CreateConstInBoundsGEP1_64(R.getInt8Ty(), Base, L.NodeOffset,
                                          "gs.side.jb");
      R.CreateStore(OldJb, Node);
      R.CreateStore(ConstantInt::get(I64, L.JmpBufSites),
                    R.CreateConstInBoundsGEP1_64(R.getInt8Ty(), Node, 8));
      for (unsigned K = 0; K != L.JmpBufSites; ++K)
        R.CreateStore(ConstantPointerNull::get(cast<PointerType>(PtrTy)),
                      R.CreateConstInBoundsGEP1_64(R.getInt8Ty(), Node,
                                                   JbNodeHeaderBytes + 8 * K));
      R.CreateStore(Node, field(R, SideJbField));
      OwnJb = Node;
    }
    SetupEnd = &*std::prev(R.GetInsertPoint());

    for (const SideObject &O : L.Objects)
      if (auto *A = dyn_cast_or_null<Argument>(O.Local)) {
        IRBuilder<> C(afterSetup());
        C.SetCurrentDebugLocation(B.getCurrentDebugLocation());
        copyByval(A, O, C);
        ++Stats.ByvalCopies;
      }
    for (const SideObject &O : L.Objects)
      if (auto *AI = dyn_cast_or_null<AllocaInst>(O.Local))
        moveAlloca(AI, O.Offset);

    // Each setjmp call site records its buffer before saving into it.
    for (unsigned K = 0; K != Sites.Setjmps.size(); ++K) {
      CallBase *CB = Sites.Setjmps[K];
      IRBuilder<> S(CB);
      S.CreateStore(CB->getArgOperand(0),
                    S.CreateConstInBoundsGEP1_64(S.getInt8Ty(), Node,
                                                 JbNodeHeaderBytes + 8 * K));
    }

    if (!Home) {
      for (Instruction *E : Exits) {
        IRBuilder<> X(E);
        storeState(X, restoreSp(X), RestoreLim, L.JmpBufSites ? OldJb : nullptr);
      }
    } else {
      // The blocks Home dominates are left by returns and by edges to blocks
      // it does not dominate (lazyPlacement): restore before each of them.
      DominatorTree DTNow(F);
      SmallVector<Instruction *, 4> Rets;
      SmallVector<std::pair<BasicBlock *, BasicBlock *>, 4> Out;
      for (BasicBlock &BB : F) {
        if (!DTNow.isReachableFromEntry(&BB) || !DTNow.dominates(Home, &BB))
          continue;
        Instruction *T = BB.getTerminator();
        if (isa<ReturnInst>(T)) {
          Rets.push_back(T);
          continue;
        }
        SmallPtrSet<BasicBlock *, 4> Done;
        for (BasicBlock *Succ : successors(&BB))
          if (!DTNow.dominates(Home, Succ) && Done.insert(Succ).second)
            Out.push_back({&BB, Succ});
      }
      for (Instruction *E : Rets) {
        IRBuilder<> X(E);
        storeState(X, restoreSp(X), RestoreLim, nullptr);
      }
      for (auto [From, To] : Out) {
        Instruction *T = From->getTerminator();
        BasicBlock *Edge = nullptr;
        if (T->getNumSuccessors() == 1) {
          Edge = From; // the restore goes before the branch
        } else {
          unsigned K = 0;
          while (T->getSuccessor(K) != To)
            ++K;
          Edge = SplitCriticalEdge(
              T, K, CriticalEdgeSplittingOptions().setMergeIdenticalEdges());
          if (!Edge) // lazyPlacement admits br and switch terminators only
            report_fatal_error("growstack: cannot split a side frame's exit edge");
        }
        IRBuilder<> X(Edge->getTerminator());
        storeState(X, restoreSp(X), RestoreLim, nullptr);
      }
      Stats.LazyExitEdges += Out.size();
    }
  }

  // A longjmp to a returns_twice call or an exception caught here skipped
  // the exits of deeper frames: their side frames and nodes are dead.
  for (auto [CB, At] : Sites.ReturnsTwice) {
    IRBuilder<> X(At);
    X.SetCurrentDebugLocation(CB->getDebugLoc());
    storeState(X, OwnSp, OwnLim, RestoreJb ? OwnJb : nullptr);
  }
  for (LandingPadInst *LP : LandingPads) {
    IRBuilder<> X(&*LP->getParent()->getFirstInsertionPt());
    storeState(X, OwnSp, OwnLim, RestoreJb ? OwnJb : nullptr);
  }
  return Stats;
}

} // namespace

SideStats buildSideFrame(Function &F, const SideFrameLayout &Layout,
                         const SideSites &Sites) {
  return SideFrameBuilder(F, Layout, Sites).run();
}

} // namespace gs

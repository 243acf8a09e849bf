//===- FrameAnalysis.cpp - what a function's frame needs from the runtime -===//
//
// The escape analysis is a small points-to analysis over one function,
// solved by iterating to a fixed point:
//
//  - every local gets a bit; bit 0 (Unknown) stands for memory that is not
//    a non-escaping local of this frame: globals, heap, other frames, and
//    every local found to escape;
//  - every value that may hold the address of a local maps to the set of
//    locals it may point into, plus Unknown if it may also point elsewhere.
//    Values absent from the map hold no address of a non-escaping local
//    (they are {Unknown});
//  - every local has a Contents set: what the values stored into it may
//    point to. A store of a value without local addresses, or any write the
//    analysis cannot see into (memset, a callee writing through a pointer),
//    adds Unknown. A load from a local yields its Contents.
//
// A local escapes when its address reaches a use that may keep it outside
// the frame: a store into memory that may be Unknown, a call argument the
// callee may keep (or a non-capturing one whose pointee holds its address:
// the callee could copy it out), a ptrtoint, a return, an atomic store,
// cmpxchg or xchg, inline asm (except an empty template without outputs:
// emptyAsmBarrier), or any instruction not modelled below. A
// va_list passed to a call does not escape, whatever the callee (C lets the
// callee use it only during the call: passVaList). An
// escaping local becomes part of Unknown: its Contents gain Unknown (code
// outside may write anything there), and everything in its Contents escapes
// too (code outside may read it there). Sets only grow, so the iteration
// ends; it is given up after MaxIterations (the frame is then pinned).
//
// Why not llvm::PointerMayBeCaptured: it treats every store of an address as
// a capture, so at -O0, where `int *p = &x;` is a store into p's alloca,
// every local whose address is taken would escape.
//
//===----------------------------------------------------------------------===//
#include "FrameAnalysis.h"

#include "CFGUtil.h"

#include "LibCalls.h"
#include "Protocol.h"
#include "VarargShell.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/IR/CFG.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Transforms/Utils/BuildLibCalls.h"

using namespace llvm;

namespace gs {

//===----------------------------------------------------------------------===//
// CaptureOracle
//===----------------------------------------------------------------------===//

CaptureOracle::CaptureOracle(Module &M) : M(M) {}
CaptureOracle::~CaptureOracle() = default;

/// The attributes InferFunctionAttrs would give a C library declaration,
/// computed on a copy in a scratch module so the user's module is untouched.
const AttributeList *CaptureOracle::libFuncAttrs(const CallBase &CB,
                                                 const TargetLibraryInfo &TLI) {
  const Function *Callee = CB.getCalledFunction();
  LibFunc LF;
  if (!Callee || !Callee->isDeclaration() || !TLI.getLibFunc(*Callee, LF) ||
      !TLI.has(LF))
    return nullptr;
  auto It = LibAttrs.find(Callee);
  if (It == LibAttrs.end()) {
    if (!Scratch) {
      Scratch = std::make_unique<Module>("growstack.libattrs", M.getContext());
      Scratch->setDataLayout(M.getDataLayout());
      Scratch->setTargetTriple(M.getTargetTriple());
    }
    Function *Proto = Function::Create(Callee->getFunctionType(),
                                       GlobalValue::ExternalLinkage,
                                       Callee->getName(), *Scratch);
    Proto->setAttributes(Callee->getAttributes());
    inferNonMandatoryLibFuncAttrs(*Proto, TLI);
    It = LibAttrs.try_emplace(Callee, Proto->getAttributes()).first;
    Proto->eraseFromParent();
  }
  return &It->second;
}

/// printf/scanf and friends read or write through their variadic pointer
/// arguments but never keep them. Attributes cannot say so (variadic
/// arguments have none), and without this `printf("%s", buf)` would pin.
static bool variadicArgsDoNotCapture(LibFunc LF) {
  switch (LF) {
  case LibFunc_printf:
  case LibFunc_fprintf:
  case LibFunc_sprintf:
  case LibFunc_snprintf:
  case LibFunc_scanf:
  case LibFunc_fscanf:
  case LibFunc_sscanf:
  case LibFunc_dunder_isoc99_scanf:
  case LibFunc_dunder_isoc99_sscanf:
    return true;
  default:
    return false;
  }
}

ArgUse CaptureOracle::argUse(const CallBase &CB, unsigned ArgNo,
                             const TargetLibraryInfo &TLI) {
  ArgUse U;
  // sret: in C the return slot's address is not observable by the callee's
  // source (a return value is not an lvalue). A callee that stores it anyway
  // (after merging a local into it) treats it as its own local, and
  // analyzeFrame counts sret arguments as locals of the callee.
  if (CB.doesNotCapture(ArgNo) || CB.isByValArgument(ArgNo) ||
      CB.paramHasAttr(ArgNo, Attribute::StructRet)) {
    U.Capture = ArgCapture::None;
  } else if (const AttributeList *Attrs = libFuncAttrs(CB, TLI)) {
    const Function *Callee = CB.getCalledFunction();
    if (ArgNo >= Callee->arg_size()) {
      LibFunc LF;
      TLI.getLibFunc(*Callee, LF);
      if (variadicArgsDoNotCapture(LF))
        U.Capture = ArgCapture::None;
    } else if (Attrs->hasParamAttr(ArgNo, Attribute::NoCapture)) {
      U.Capture = ArgCapture::None;
    } else if (Attrs->hasParamAttr(ArgNo, Attribute::Returned)) {
      // A C library function marked `returned` (strcpy, memcpy, strcat...)
      // hands the pointer back and keeps no other copy.
      U.Capture = ArgCapture::OnlyReturned;
    }
  }

  // What LLVM does not know: the table of C library and POSIX functions.
  LibArgInfo L = libCallArg(CB, ArgNo);
  switch (L.Kind) {
  case LibArg::Unknown:
    break;
  case LibArg::Flat:
    U.Capture = ArgCapture::None;
    break;
  case LibArg::Deep:
    U.Capture = ArgCapture::None;
    U.Deep = true;
    break;
  case LibArg::Returned:
    if (U.Capture == ArgCapture::May)
      U.Capture = ArgCapture::OnlyReturned;
    break;
  case LibArg::IntoArg:
    if (U.Capture == ArgCapture::May) {
      U.Capture = ArgCapture::IntoArg;
      U.Target = L.Target;
    }
    break;
  }
  return U;
}

//===----------------------------------------------------------------------===//
// The escape solver
//===----------------------------------------------------------------------===//


namespace {

constexpr unsigned UnknownBit = 0;
// Iterations of the fixed point before giving up (and pinning the frame).
// Sets only grow; real functions converge in a handful of iterations.
constexpr unsigned MaxIterations = 64;

/// Intrinsics whose result points into the frame without being an object of
/// it (offsets from them reach any local), or that hand the frame's objects
/// to other code: the frame cannot move.
bool isFrameAddressIntrinsic(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::frameaddress:
  case Intrinsic::sponentry:
  case Intrinsic::addressofreturnaddress:
  case Intrinsic::localescape:
    return true;
  default:
    return false;
  }
}

/// Intrinsics that look at an address without keeping it, writing through
/// it, or copying pointers out of the pointee.
bool isHarmlessIntrinsic(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::lifetime_start:
  case Intrinsic::lifetime_end:
  case Intrinsic::invariant_start:
  case Intrinsic::invariant_end:
  case Intrinsic::objectsize:
  case Intrinsic::prefetch:
  case Intrinsic::var_annotation:
  case Intrinsic::stackrestore:
  case Intrinsic::assume:
  case Intrinsic::is_constant:
  case Intrinsic::dbg_declare:
  case Intrinsic::dbg_value:
  case Intrinsic::dbg_assign:
  case Intrinsic::dbg_label:
  case Intrinsic::experimental_noalias_scope_decl:
  case Intrinsic::donothing:
  case Intrinsic::sideeffect:
  case Intrinsic::pseudoprobe:
  case Intrinsic::vaend:
    return true;
  default:
    return false;
  }
}

bool isMemSetIntrinsic(Intrinsic::ID ID) {
  return ID == Intrinsic::memset || ID == Intrinsic::memset_inline ||
         ID == Intrinsic::memset_element_unordered_atomic;
}

bool isMemTransferIntrinsic(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::memcpy:
  case Intrinsic::memcpy_inline:
  case Intrinsic::memmove:
  case Intrinsic::memcpy_element_unordered_atomic:
  case Intrinsic::memmove_element_unordered_atomic:
  case Intrinsic::vacopy:
    return true;
  default:
    return false;
  }
}

bool typeHasFP80(Type *T) {
  SmallVector<Type *, 8> Work{T};
  while (!Work.empty()) {
    Type *X = Work.pop_back_val();
    if (X->isX86_FP80Ty())
      return true;
    if (auto *ST = dyn_cast<StructType>(X))
      Work.append(ST->element_begin(), ST->element_end());
    else if (auto *AT = dyn_cast<ArrayType>(X))
      Work.push_back(AT->getElementType());
    else if (auto *VT = dyn_cast<VectorType>(X))
      Work.push_back(VT->getElementType());
  }
  return false;
}

/// The element of the SysV x86-64 va_list as clang emits it:
/// `%struct.__va_list_tag = type { i32, i32, ptr, ptr }` (gp_offset,
/// fp_offset, overflow_arg_area, reg_save_area). IR linking may suffix the
/// name (`%struct.__va_list_tag.0`); the layout is checked too, so a user's
/// struct of that name and another shape is not taken for one.
bool isVaListTag(Type *T) {
  auto *ST = dyn_cast<StructType>(T);
  if (!ST || !ST->hasName() || ST->isOpaque() || ST->getNumElements() != 4)
    return false;
  StringRef Name = ST->getName();
  if (!Name.consume_front("struct.__va_list_tag"))
    return false;
  if (!Name.empty() &&
      (!Name.consume_front(".") || Name.empty() ||
       !all_of(Name, [](char C) { return C >= '0' && C <= '9'; })))
    return false;
  return ST->getElementType(0)->isIntegerTy(32) &&
         ST->getElementType(1)->isIntegerTy(32) &&
         ST->getElementType(2)->isPointerTy() &&
         ST->getElementType(3)->isPointerTy();
}

/// A C `va_list` object (`[1 x %struct.__va_list_tag]`), its element, or an
/// array of them: memory whose every byte belongs to some va_list.
bool isVaListType(Type *T) {
  while (auto *AT = dyn_cast<ArrayType>(T))
    T = AT->getElementType();
  return isVaListTag(T);
}

/// A type holding a va_list somewhere (a struct member, an array element).
bool typeHasVaList(Type *T) {
  SmallVector<Type *, 8> Work{T};
  while (!Work.empty()) {
    Type *X = Work.pop_back_val();
    if (isVaListTag(X))
      return true;
    if (auto *ST = dyn_cast<StructType>(X))
      Work.append(ST->element_begin(), ST->element_end());
    else if (auto *AT = dyn_cast<ArrayType>(X))
      Work.push_back(AT->getElementType());
  }
  return false;
}

/// A call during which the stack may move: anything but intrinsics (the
/// memcpy/memset they lower to are allowlisted leaf calls) and inline asm.
bool mayMoveStack(const Instruction &I) {
  auto *CB = dyn_cast<CallBase>(&I);
  return CB && !CB->isInlineAsm() && !isa<IntrinsicInst>(CB);
}

/// Whether a call that may move the stack lies strictly between From and To
/// in one block (From null: the block's start; To null: its end).
bool callBetween(const BasicBlock &B, const Instruction *From,
                 const Instruction *To) {
  auto It = From ? std::next(From->getIterator()) : B.begin();
  auto End = To ? To->getIterator() : B.end();
  for (; It != End; ++It)
    if (mayMoveStack(*It))
      return true;
  return false;
}

/// Whether V (an instruction or argument) is live across a call that may
/// move the stack: SSA liveness walked backwards from each use to the
/// definition.
bool liveAcrossCall(const Value *V) {
  const auto *Def = dyn_cast<Instruction>(V);
  const BasicBlock *DefBB =
      Def ? Def->getParent() : &cast<Argument>(V)->getParent()->getEntryBlock();
  SmallVector<const BasicBlock *, 8> LiveOut;
  for (const Use &U : V->uses()) {
    const auto *I = cast<Instruction>(U.getUser());
    if (const auto *Phi = dyn_cast<PHINode>(I)) {
      LiveOut.push_back(Phi->getIncomingBlock(U));
      continue;
    }
    const BasicBlock *B = I->getParent();
    if (B == DefBB && (!Def || Def->comesBefore(I))) {
      if (callBetween(*B, Def, I))
        return true;
      continue;
    }
    if (callBetween(*B, nullptr, I))
      return true;
    LiveOut.append(pred_begin(B), pred_end(B));
  }
  SmallPtrSet<const BasicBlock *, 16> Seen;
  while (!LiveOut.empty()) {
    const BasicBlock *B = LiveOut.pop_back_val();
    if (!Seen.insert(B).second)
      continue;
    if (B == DefBB) {
      if (callBetween(*B, Def, nullptr))
        return true;
      continue;
    }
    if (callBetween(*B, nullptr, nullptr))
      return true;
    LiveOut.append(pred_begin(B), pred_end(B));
  }
  return false;
}

/// The first place where an x87 long double may be in a moving-stack slot
/// the backend writes while a callee runs (FrameFacts::X87Hazard), or null.
const Instruction *x87RegisterHazard(Function &F) {
  for (Argument &A : F.args())
    if (!A.hasByValAttr() && typeHasFP80(A.getType()) && liveAcrossCall(&A))
      return &*F.getEntryBlock().getFirstInsertionPt();
  for (Instruction &I : instructions(F)) {
    if (typeHasFP80(I.getType()) && liveAcrossCall(&I))
      return &I;
    if (mayMoveStack(I)) {
      auto &CB = cast<CallBase>(I);
      for (unsigned K = 0, E = CB.arg_size(); K != E; ++K)
        if (!CB.isByValArgument(K) &&
            typeHasFP80(CB.getArgOperand(K)->getType()))
          return &I;
    }
  }
  return nullptr;
}

/// An alloca that can take a fixed place in the side frame: a static one, or
/// one of constant size that runs at most once per call (a VLA whose size
/// folded to a constant, still behind its llvm.stacksave outside the entry
/// block: jq's `char buf[4096 + max_utf8_len]`). One in a loop allocates anew
/// at every iteration; it stays dynamic.
bool hasFixedPlace(const AllocaInst &AI) {
  if (AI.isStaticAlloca())
    return true;
  return isa<ConstantInt>(AI.getArraySize()) &&
         !AI.getAllocationSize(AI.getDataLayout())->isScalable() &&
         !inCycle(*AI.getParent());
}

class EscapeSolver {
public:
  EscapeSolver(Function &F, const TargetLibraryInfo &TLI, CaptureOracle &Oracle)
      : F(F), TLI(TLI), Oracle(Oracle) {}

  /// Fills Facts.Pin* and Facts.SideLocals.
  void solve(FrameFacts &Facts);

private:
  using Set = BitVector;

  Set emptySet() const { return Set(NumBits); }
  Set unknownSet() const {
    Set S = emptySet();
    S.set(UnknownBit);
    return S;
  }
  static bool hasLocal(const Set &S) { return S.find_next(UnknownBit) != -1; }

  /// What V may point to; null means {Unknown} (no non-escaping local).
  const Set *pointsTo(const Value *V) const {
    auto It = PointsTo.find(V);
    return It == PointsTo.end() ? nullptr : &It->second;
  }
  bool isLocalAddress(const Value *V) const { return pointsTo(V) != nullptr; }
  Set pointsToOrUnknown(const Value *V) const {
    const Set *S = pointsTo(V);
    return S ? *S : unknownSet();
  }

  /// What a load through an address in S may yield.
  Set loadedFrom(const Set &S) const {
    Set R = emptySet();
    if (S.test(UnknownBit))
      R.set(UnknownBit);
    for (int B = S.find_next(UnknownBit); B != -1; B = S.find_next(B))
      R |= Contents[B];
    return R;
  }
  /// S and every local whose address is stored in memory reachable from S.
  Set reachableFrom(const Set &S) const {
    Set R = S;
    Set Frontier = S;
    while (hasLocal(Frontier)) {
      Set Next = loadedFrom(Frontier);
      Next.reset(R);
      R |= Next;
      Frontier = Next;
    }
    return R;
  }

  void grow(Set &Into, const Set &From) {
    Set Old = Into;
    Into |= From;
    Changed |= Into != Old;
  }
  void assign(const Value *V, const Set &S) {
    if (!hasLocal(S))
      return;
    auto [It, Inserted] = PointsTo.try_emplace(V, S);
    if (Inserted)
      Changed = true;
    else
      grow(It->second, S);
  }
  /// The locals in Ptr may be written (at I) with a value pointing into Val.
  void writeInto(const Instruction &I, const Set &Ptr, const Set &Val) {
    for (int B = Ptr.find_next(UnknownBit); B != -1; B = Ptr.find_next(B)) {
      grow(Contents[B], Val);
      if (Escaped.test(B))
        escapeSet(I, Val, "its address is stored in a local that escapes");
    }
  }
  /// Every local in S escapes at I, and with it every local whose address
  /// is stored in one of them.
  void escapeSet(const Instruction &I, const Set &S, const char *Why);
  void escapeOperand(const Instruction &I, const Value *V, const char *Why) {
    if (const Set *S = pointsTo(V))
      escapeSet(I, *S, Why);
  }

  /// P is only subtracted from, or subtracted from, another ptrtoint of an
  /// address into the same single local.
  bool isObjectDifference(const PtrToIntInst &P) const;
  void visit(Instruction &I);
  void visitStore(Instruction &I, Value *Val, Value *Ptr, bool Atomic);
  void visitCall(CallBase &CB);
  void visitUnion(Instruction &I, ArrayRef<const Value *> Ops);
  /// S points only into va_list objects (VaLists), nothing else.
  bool isVaListArgument(const Set &S) const {
    if (S.test(UnknownBit) || !hasLocal(S))
      return false;
    Set Rest = S;
    Rest.reset(VaLists);
    return Rest.none();
  }
  void passVaList(CallBase &CB, unsigned ArgNo, const Set &S);
  /// The local of bit B holds a va_list, or addresses of the variadic
  /// argument areas: it must stay on the moving stack (or pin the frame).
  bool holdsVaList(int B) const;
  void decide(FrameFacts &Facts);
  BitVector x87Locals() const;
  void pin(FrameFacts &Facts, PinReason R, const Instruction *Site,
           const char *Why) {
    if (Facts.Pin != PinReason::None)
      return;
    Facts.Pin = R;
    Facts.PinSite = Site;
    Facts.PinWhy = Why;
  }

  Function &F;
  const TargetLibraryInfo &TLI;
  CaptureOracle &Oracle;
  DenseMap<const Value *, unsigned> Locals;
  SmallVector<Value *, 16> LocalOf{nullptr}; // bit -> local (null: bit 0)
  unsigned NumBits = 1;
  /// The pseudo-local standing for the variadic argument areas (the
  /// register save area and the caller's stack arguments, on the moving
  /// stack), whose addresses llvm.va_start stores into a va_list: this
  /// frame's if F is variadic, the shell's if F is a variadic body
  /// (VarargShell.h). 0: neither.
  unsigned VarArgBit = 0;
  /// A variadic body's pseudo-local for the shell's va_list, which its
  /// VaListParamAttr parameter points to; it holds addresses of VarArgBit,
  /// which the body's va_start copies into its own va_list (0: not a body).
  unsigned VaListBit = 0;
  /// The va_list objects: allocas whose type is a va_list (isVaListType)
  /// and VaListBit. A pointer only into them, passed to a call, is a
  /// va_list argument: it does not escape (passVaList).
  Set VaLists;
  DenseMap<const Value *, Set> PointsTo;
  std::vector<Set> Contents;
  Set Escaped;
  Set X87Moved; // non-escaping locals that move for x87 (decide())
  struct Why {
    const Instruction *Site = nullptr;
    const char *Reason = nullptr;
  };
  std::vector<Why> Whys;
  bool Changed = false;
};

void EscapeSolver::escapeSet(const Instruction &I, const Set &S,
                             const char *Why) {
  SmallVector<std::pair<int, const char *>, 8> Work;
  for (int B = S.find_next(UnknownBit); B != -1; B = S.find_next(B))
    if (!Escaped.test(B))
      Work.push_back({B, Why});
  while (!Work.empty()) {
    auto [B, Reason] = Work.pop_back_val();
    if (Escaped.test(B))
      continue;
    Escaped.set(B);
    Whys[B] = {&I, Reason};
    Changed = true;
    // Code outside the frame may write anything into it...
    Contents[B].set(UnknownBit);
    // ...and read the addresses stored there.
    for (int C = Contents[B].find_next(UnknownBit); C != -1;
         C = Contents[B].find_next(C))
      if (!Escaped.test(C))
        Work.push_back({C, "its address is stored in a local that escapes"});
  }
}

void EscapeSolver::solve(FrameFacts &Facts) {
  // Number the locals. Arguments living in the caller's outgoing area start
  // out holding whatever the caller put there.
  SmallVector<const Value *, 4> Preinitialized;
  auto AddLocal = [&](Value *V) {
    Locals.try_emplace(V, NumBits++);
    LocalOf.push_back(V);
  };
  for (Argument &A : F.args()) {
    if (A.hasByValAttr() || A.hasInAllocaAttr() || A.hasPreallocatedAttr()) {
      AddLocal(&A);
      Preinitialized.push_back(&A);
    } else if (A.hasStructRetAttr()) {
      AddLocal(&A);
    }
  }
  for (Instruction &I : instructions(F)) {
    if (isa<AllocaInst>(I)) {
      AddLocal(&I);
    } else if (auto *II = dyn_cast<IntrinsicInst>(&I)) {
      if (II->getIntrinsicID() == Intrinsic::stacksave) {
        AddLocal(&I);
        Preinitialized.push_back(&I);
      } else if (isFrameAddressIntrinsic(II->getIntrinsicID()) &&
                 (!II->use_empty() ||
                  II->getIntrinsicID() == Intrinsic::localescape)) {
        pin(Facts, PinReason::FrameAddress, &I, "the frame address is taken");
        return;
      }
    }
  }
  const Argument *ShellVaList = nullptr;
  for (const Argument &A : F.args())
    if (F.getAttributes().hasParamAttr(A.getArgNo(), VaListParamAttr))
      ShellVaList = &A;
  if (F.isVarArg() || ShellVaList) {
    VarArgBit = NumBits++;
    LocalOf.push_back(nullptr);
  }
  if (ShellVaList) {
    VaListBit = NumBits++;
    LocalOf.push_back(nullptr);
  }
  if (NumBits == 1)
    return;
  Contents.assign(NumBits, emptySet());
  Escaped = emptySet();
  VaLists = emptySet();
  for (auto &[V, Bit] : Locals)
    if (auto *AI = dyn_cast<AllocaInst>(V))
      if (isVaListType(AI->getAllocatedType()))
        VaLists.set(Bit);
  if (VaListBit)
    VaLists.set(VaListBit);
  Whys.assign(NumBits, Why());
  for (auto &[V, Bit] : Locals) {
    Set S = emptySet();
    S.set(Bit);
    PointsTo[V] = S;
  }
  for (const Value *V : Preinitialized)
    Contents[Locals.lookup(V)].set(UnknownBit);
  if (VarArgBit)
    Contents[VarArgBit].set(UnknownBit);
  if (VaListBit) {
    // A va_list copied from the shell's holds addresses of the argument
    // areas, on the moving stack: one that escapes pins (decide()), it never
    // goes to the side stack, where a move would leave them stale.
    Contents[VaListBit].set(VarArgBit);
    Set S = emptySet();
    S.set(VaListBit);
    PointsTo[ShellVaList] = S;
  }

  // Only reachable code runs; visiting it in reverse post-order makes most
  // definitions precede their uses.
  ReversePostOrderTraversal<Function *> RPOT(&F);
  for (unsigned Iter = 0; Iter != MaxIterations; ++Iter) {
    Changed = false;
    for (BasicBlock *BB : RPOT)
      for (Instruction &I : *BB)
        visit(I);
    if (!Changed) {
      decide(Facts);
      return;
    }
  }
  pin(Facts, PinReason::NoFixedPoint, &F.getEntryBlock().front(),
      "the analysis did not converge");
}

/// Which escaping locals the side stack takes, and whether one pins.
void EscapeSolver::decide(FrameFacts &Facts) {
  const DataLayout &DL = F.getDataLayout();
  X87Moved = emptySet();
  bool HasMustTail = false;
  for (Instruction &I : instructions(F))
    if (auto *CI = dyn_cast<CallInst>(&I))
      HasMustTail |= CI->isMustTailCall();

  // Locals whose memory may hold an x87 long double move to the side stack
  // too (never scanned), escaping or not; where they cannot, the frame is
  // pinned for x87.
  Set X87 = Facts.UsesX87 ? x87Locals() : emptySet();
  for (int B = X87.find_next(UnknownBit); B != -1; B = X87.find_next(B)) {
    Value *V = LocalOf[B];
    // An escaping one is handled below; the caller's sret slot is the
    // caller's local (which its x87 check moves).
    if (Escaped.test(B) ||
        (isa_and_nonnull<Argument>(V) && cast<Argument>(V)->hasStructRetAttr()))
      continue;
    auto *AI = dyn_cast_or_null<AllocaInst>(V);
    auto *A = dyn_cast_or_null<Argument>(V);
    // A va_list beside the long double (a struct holding both) stays: on
    // the side stack its pointers into the moving stack would go stale.
    bool Movable =
        !holdsVaList(B) &&
        ((AI && hasFixedPlace(*AI) && !AI->isUsedWithInAlloca() &&
          AI->getAlign().value() <= MaxSideAlign) ||
         (A && A->hasByValAttr() && !HasMustTail &&
          A->getParamAlign().valueOrOne().value() <= MaxSideAlign));
    if (Movable) {
      X87Moved.set(B);
    } else if (!Facts.X87Hazard) {
      Facts.X87Hazard = true;
      Facts.X87Site = isa_and_nonnull<Instruction>(V)
                          ? cast<Instruction>(V)
                          : &*F.getEntryBlock().getFirstInsertionPt();
    }
  }
  for (int B = Escaped.find_first(); B != -1; B = Escaped.find_next(B)) {
    const Why &W = Whys[B];
    Value *V = LocalOf[B];
    if (unsigned(B) == VarArgBit || unsigned(B) == VaListBit) {
      pin(Facts, PinReason::FrameAddress, W.Site,
          "a va_list holding addresses of the variadic arguments escapes");
    } else if (holdsVaList(B)) {
      // A va_list (of this body's arguments, or copied from a va_list
      // parameter) points into the moving stack: on the side stack a move
      // would leave it stale. Passed to a call it does not escape
      // (passVaList); this one was stored or captured some other way.
      pin(Facts, PinReason::FrameAddress, W.Site, "a va_list escapes");
    } else if (auto *AI = dyn_cast<AllocaInst>(V)) {
      if (!hasFixedPlace(*AI))
        pin(Facts, PinReason::DynamicAlloca, W.Site, W.Reason);
      else if (AI->isUsedWithInAlloca() || AI->isSwiftError() ||
               DL.getTypeAllocSize(AI->getAllocatedType()).isScalable())
        pin(Facts, PinReason::ArgumentSlot, W.Site, W.Reason);
      else if (AI->getAlign().value() > MaxSideAlign)
        pin(Facts, PinReason::OverAligned, W.Site, W.Reason);
      else
        Facts.SideLocals.push_back({AI, W.Site, W.Reason});
    } else if (auto *A = dyn_cast<Argument>(V)) {
      if (!A->hasByValAttr() || HasMustTail)
        pin(Facts, PinReason::ArgumentSlot, W.Site, W.Reason);
      else if (A->getParamAlign().valueOrOne().value() > MaxSideAlign)
        pin(Facts, PinReason::OverAligned, W.Site, W.Reason);
      else
        Facts.SideLocals.push_back({A, W.Site, W.Reason});
    } else {
      // llvm.stacksave: the dynamic part of the frame.
      pin(Facts, PinReason::DynamicAlloca, W.Site, W.Reason);
    }
  }
  for (int B = X87Moved.find_first(); B != -1; B = X87Moved.find_next(B))
    Facts.SideLocals.push_back(
        {LocalOf[B], nullptr, "holds an x87 long double"});
  if (Facts.Pin != PinReason::None)
    Facts.SideLocals.clear();
}

bool EscapeSolver::holdsVaList(int B) const {
  if (VarArgBit && Contents[B].test(VarArgBit))
    return true;
  const Value *V = LocalOf[B];
  if (const auto *AI = dyn_cast_or_null<AllocaInst>(V))
    return typeHasVaList(AI->getAllocatedType());
  if (const auto *A = dyn_cast_or_null<Argument>(V))
    if (Type *T = A->getParamByValType())
      return typeHasVaList(T);
  return false;
}

/// Locals an x86_fp80 value may be stored in: typed so, or reached by a
/// load/store of x86_fp80, or passed as an sret/byval slot of such a type.
BitVector EscapeSolver::x87Locals() const {
  Set R = emptySet();
  for (auto &[V, Bit] : Locals) {
    Type *T = nullptr;
    if (auto *AI = dyn_cast<AllocaInst>(V))
      T = AI->getAllocatedType();
    else if (auto *A = dyn_cast<Argument>(V))
      T = A->getParamByValType() ? A->getParamByValType()
                                 : A->getParamStructRetType();
    if (T && typeHasFP80(T))
      R.set(Bit);
  }
  auto Mark = [&](const Value *Ptr) {
    if (const Set *S = pointsTo(Ptr))
      R |= *S;
  };
  for (Instruction &I : instructions(F)) {
    if (auto *LI = dyn_cast<LoadInst>(&I)) {
      if (typeHasFP80(LI->getType()))
        Mark(LI->getPointerOperand());
    } else if (auto *SI = dyn_cast<StoreInst>(&I)) {
      if (typeHasFP80(SI->getValueOperand()->getType()))
        Mark(SI->getPointerOperand());
    } else if (auto *CB = dyn_cast<CallBase>(&I)) {
      for (unsigned K = 0, E = CB->arg_size(); K != E; ++K) {
        Type *T = CB->getParamByValType(K);
        if (!T)
          T = CB->getParamStructRetType(K);
        if (T && typeHasFP80(T))
          Mark(CB->getArgOperand(K));
      }
    }
  }
  R.reset(UnknownBit);
  // A long double read with va_arg lies in the variadic caller's outgoing
  // area: that caller's frame is pinned for it (an outgoing argument across
  // a call), not this one.
  if (VarArgBit)
    R.reset(VarArgBit);
  if (VaListBit)
    R.reset(VaListBit);
  return R;
}

bool EscapeSolver::isObjectDifference(const PtrToIntInst &P) const {
  const Set *S = pointsTo(P.getOperand(0));
  if (!S || S->test(UnknownBit) || S->count() != 1 || P.use_empty())
    return false;
  for (const User *U : P.users()) {
    auto *Sub = dyn_cast<BinaryOperator>(U);
    if (!Sub || Sub->getOpcode() != Instruction::Sub)
      return false;
    const Value *Other =
        Sub->getOperand(0) == &P ? Sub->getOperand(1) : Sub->getOperand(0);
    auto *OP = dyn_cast<PtrToIntInst>(Other);
    if (!OP)
      return false;
    const Set *OS = pointsTo(OP->getOperand(0));
    if (!OS || *OS != *S)
      return false;
  }
  return true;
}

void EscapeSolver::visitUnion(Instruction &I, ArrayRef<const Value *> Ops) {
  Set S = emptySet();
  for (const Value *Op : Ops)
    S |= pointsToOrUnknown(Op);
  assign(&I, S);
}

void EscapeSolver::visitStore(Instruction &I, Value *Val, Value *Ptr,
                              bool Atomic) {
  const Set *P = pointsTo(Ptr);
  if (const Set *V = pointsTo(Val)) {
    if (Atomic)
      escapeSet(I, *V, "stored by an atomic operation");
    else if (!P || P->test(UnknownBit))
      escapeSet(I, *V, "stored to memory that may be outside the frame");
    if (P)
      writeInto(I, *P, *V);
    return;
  }
  if (P)
    writeInto(I, *P, unknownSet());
}

void EscapeSolver::visit(Instruction &I) {
  if (Locals.count(&I))
    return;

  switch (I.getOpcode()) {
  case Instruction::PtrToInt:
    // An integer made from an address does not follow a move (a hash, a
    // shifted key): the local must not move. One exception: the difference
    // of two addresses into the same object (`end - buf`) is the same
    // before and after a move.
    if (!isObjectDifference(cast<PtrToIntInst>(I)))
      escapeOperand(I, I.getOperand(0), "converted to an integer");
    return;

  case Instruction::ICmp:
  case Instruction::FCmp:
  case Instruction::Br:
  case Instruction::Switch:
  case Instruction::Unreachable:
  case Instruction::Fence:
    // Comparing or branching on an address does not store it anywhere.
    return;

  case Instruction::Select: {
    auto &SI = cast<SelectInst>(I);
    visitUnion(I, {SI.getTrueValue(), SI.getFalseValue()});
    return;
  }

  case Instruction::GetElementPtr: {
    // Address arithmetic stays within the object the pointer operand points
    // to; an index only matters if it is itself derived from an address.
    auto &GEP = cast<GetElementPtrInst>(I);
    Set S = pointsToOrUnknown(GEP.getPointerOperand());
    for (const Value *Idx : GEP.indices())
      if (const Set *IS = pointsTo(Idx))
        S |= *IS;
    assign(&I, S);
    return;
  }

  case Instruction::PHI:
  case Instruction::Freeze:
  case Instruction::ExtractValue:
  case Instruction::InsertValue:
  case Instruction::ExtractElement:
  case Instruction::InsertElement:
  case Instruction::ShuffleVector: {
    // The result may be (or contain) any operand's address.
    SmallVector<const Value *, 4> Ops(I.operand_values());
    visitUnion(I, Ops);
    return;
  }

  case Instruction::Load:
    if (const Set *P = pointsTo(cast<LoadInst>(I).getPointerOperand()))
      assign(&I, loadedFrom(*P));
    return;

  case Instruction::Store: {
    auto &SI = cast<StoreInst>(I);
    visitStore(I, SI.getValueOperand(), SI.getPointerOperand(), SI.isAtomic());
    return;
  }

  case Instruction::AtomicRMW: {
    auto &RMW = cast<AtomicRMWInst>(I);
    visitStore(I, RMW.getValOperand(), RMW.getPointerOperand(), true);
    if (const Set *P = pointsTo(RMW.getPointerOperand()))
      assign(&I, loadedFrom(*P));
    return;
  }

  case Instruction::AtomicCmpXchg: {
    auto &CX = cast<AtomicCmpXchgInst>(I);
    visitStore(I, CX.getNewValOperand(), CX.getPointerOperand(), true);
    if (const Set *P = pointsTo(CX.getPointerOperand()))
      assign(&I, loadedFrom(*P));
    return;
  }

  case Instruction::Ret:
    if (Value *RV = cast<ReturnInst>(I).getReturnValue())
      escapeOperand(I, RV, "returned");
    return;

  case Instruction::Call:
  case Instruction::Invoke:
  case Instruction::CallBr:
    visitCall(cast<CallBase>(I));
    return;

  default:
    break;
  }

  if (isa<CastInst>(I) || isa<BinaryOperator>(I) || isa<UnaryOperator>(I)) {
    // Arithmetic on a value loaded from a local that held addresses (a
    // pointer copied as an integer) carries the addresses along; a constant
    // operand (an offset, a mask) adds no other target.
    SmallVector<const Value *, 2> Ops;
    for (const Value *Op : I.operand_values())
      if (!isa<Constant>(Op))
        Ops.push_back(Op);
    visitUnion(I, Ops);
    return;
  }

  // Anything else (landingpad, resume, va_arg, indirectbr, ...) that sees a
  // local address is not understood.
  for (const Value *Op : I.operand_values())
    escapeOperand(I, Op, "used by an instruction the analysis does not model");
}

bool emptyAsmBarrier(const CallBase &CB) {
  const auto *IA = dyn_cast<InlineAsm>(CB.getCalledOperand());
  if (!IA || !CB.getType()->isVoidTy())
    return false;
  for (const InlineAsm::ConstraintInfo &C : IA->ParseConstraints())
    if (C.Type == InlineAsm::isOutput)
      return false; // an indirect ("=m") output: the pointer arrives as an argument
  return llvm::all_of(IA->getAsmString(), [](char Ch) { return isSpace(Ch); });
}

void EscapeSolver::visitCall(CallBase &CB) {
  if (CB.isInlineAsm()) {
    if (emptyAsmBarrier(CB))
      return; // it runs nothing: it keeps no address
    for (const Value *Arg : CB.args())
      escapeOperand(CB, Arg, "passed to inline asm");
    return;
  }
  escapeOperand(CB, CB.getCalledOperand(), "called");

  if (auto *II = dyn_cast<IntrinsicInst>(&CB)) {
    Intrinsic::ID ID = II->getIntrinsicID();
    if (isHarmlessIntrinsic(ID))
      return;
    if (isMemSetIntrinsic(ID)) {
      if (const Set *Dst = pointsTo(II->getArgOperand(0)))
        writeInto(CB, *Dst, unknownSet());
      return;
    }
    if (ID == Intrinsic::vastart) {
      // The va_list now holds addresses of this frame's argument areas.
      if (VarArgBit) {
        Set Area = emptySet();
        Area.set(VarArgBit);
        const Set *Dst = pointsTo(II->getArgOperand(0));
        if (!Dst || Dst->test(UnknownBit))
          escapeSet(CB, Area, "stored to memory that may be outside the frame");
        if (Dst)
          writeInto(CB, *Dst, Area);
      }
      return;
    }
    if (isMemTransferIntrinsic(ID)) {
      // memcpy(dst, src): whatever src's pointee holds, dst's now holds too;
      // local addresses copied into non-local memory escape.
      const Set *Dst = pointsTo(II->getArgOperand(0));
      Set Copied = loadedFrom(pointsToOrUnknown(II->getArgOperand(1)));
      if (!Dst || Dst->test(UnknownBit))
        escapeSet(CB, Copied, "copied to memory that may be outside the frame");
      if (Dst)
        writeInto(CB, *Dst, Copied);
      return;
    }
    if (II->doesNotAccessMemory()) {
      // It cannot store anything: an address can only come back as the
      // result (llvm.ptrmask, llvm.ssa.copy, llvm.umin...).
      if (!CB.getType()->isVoidTy()) {
        SmallVector<const Value *, 4> Ops(CB.args());
        visitUnion(CB, Ops);
      }
      return;
    }
    // Other intrinsics: by their attributes, like any call.
  }

  bool ReturnsPointer = CB.getType()->isPtrOrPtrVectorTy();
  Set Result = emptySet();
  // Arguments an IntoArg argument is stored through (strtol's endptr): the
  // callee writes them without reading what they held.
  SmallVector<ArgUse, 8> Uses;
  SmallVector<bool, 8> WriteOnly(CB.arg_size(), false);
  for (unsigned ArgNo = 0, E = CB.arg_size(); ArgNo != E; ++ArgNo) {
    Uses.push_back(isLocalAddress(CB.getArgOperand(ArgNo))
                       ? Oracle.argUse(CB, ArgNo, TLI)
                       : ArgUse());
    if (Uses.back().Capture == ArgCapture::IntoArg &&
        Uses.back().Target < CB.arg_size())
      WriteOnly[Uses.back().Target] = true;
  }
  for (unsigned ArgNo = 0, E = CB.arg_size(); ArgNo != E; ++ArgNo) {
    const Set *S = pointsTo(CB.getArgOperand(ArgNo));
    if (!S)
      continue;
    if (isVaListArgument(*S)) {
      passVaList(CB, ArgNo, *S);
      continue;
    }
    const ArgUse &U = Uses[ArgNo];
    if (U.Capture == ArgCapture::May && !CB.onlyReadsMemory()) {
      escapeSet(CB, *S, "passed to a callee that may keep it");
      continue;
    }
    bool Writes = !CB.onlyReadsMemory(ArgNo) && !CB.isByValArgument(ArgNo);
    if (U.Deep) {
      // It keeps nothing reachable through the argument, but may write
      // anything but local addresses there (and hand back what it found).
      Set R = reachableFrom(*S);
      if (Writes)
        writeInto(CB, R, unknownSet());
      if (ReturnsPointer)
        Result |= R;
      continue;
    }
    // The callee keeps no copy of the address (or only returns it, or
    // stores it through another argument), but it may read the pointee and
    // copy any local addresses stored there.
    if (!WriteOnly[ArgNo])
      escapeSet(CB, loadedFrom(*S),
                "stored in memory a callee may read and copy out");
    // ...and it may write through it, though only values without local
    // addresses (it keeps no copy of any other argument).
    if (Writes && !WriteOnly[ArgNo])
      writeInto(CB, *S, unknownSet());
    if (U.Capture == ArgCapture::IntoArg) {
      // strtol(nptr, &end): end now points into nptr's object.
      const Value *T = CB.getArgOperand(U.Target);
      const Set *TS = pointsTo(T);
      if (!TS || TS->test(UnknownBit))
        escapeSet(CB, *S,
                  "stored by a callee to memory that may be outside the frame");
      if (TS)
        writeInto(CB, *TS, *S);
    }
    if (ReturnsPointer && (U.Capture == ArgCapture::May ||
                           U.Capture == ArgCapture::OnlyReturned ||
                           CB.paramHasAttr(ArgNo, Attribute::Returned)))
      Result |= *S;
  }
  // Operand bundles (deopt, funclet, ...) other than assume's are not
  // understood.
  if (!isa<AssumeInst>(CB))
    for (unsigned B = 0, E = CB.getNumOperandBundles(); B != E; ++B)
      for (const Use &U : CB.getOperandBundleAt(B).Inputs)
        escapeOperand(CB, U.get(), "passed in an operand bundle");
  if (!CB.getType()->isVoidTy())
    assign(&CB, Result);
}

/// A va_list (or a pointer to one: the same address) passed to a call, to
/// any callee: it does not escape, it stays in this frame on the moving stack.
/// In C the callee may only use it through va_arg, va_copy and va_end, during
/// the call (C11 7.16p3 and its footnote 253: after the call the caller may
/// only va_end it, or use it again if a pointer to it was passed; it never
/// outlives the variadic call it comes from). So the callee's pointer to it
/// lives in the callee's registers and frame, in the live stack, where a move
/// relocates it (the register and word steps of protocol.md 5.3); the
/// va_list's own words point into the argument areas, on the moving stack
/// too, and are relocated in place. The residual risk, a callee that copies
/// the va_list or its address to the heap or a global and uses it after a
/// move while the variadic call is live, is protocol.md 7.1's.
/// The result of the call never points into the va_list or the argument
/// areas (va_arg yields values), so it adds nothing to the call's result.
void EscapeSolver::passVaList(CallBase &CB, unsigned ArgNo, const Set &S) {
  // va_arg advances it: the callee writes its fields (offsets, and addresses
  // within the same argument areas).
  if (!CB.onlyReadsMemory(ArgNo))
    writeInto(CB, S, unknownSet());
  // Reachable through it: the argument areas, whose contents are the
  // caller's arguments, never a local of this frame. A local's address
  // stored into a va_list by hand is not C; it escapes like any pointee.
  Set Other = reachableFrom(S);
  Other.reset(S);
  if (VarArgBit)
    Other.reset(VarArgBit);
  escapeSet(CB, Other, "stored in a va_list passed to a callee");
}

} // namespace

uint64_t staticAllocaBytes(const Function &F) {
  const DataLayout &DL = F.getParent()->getDataLayout();
  uint64_t Total = 0;
  for (const Instruction &I : F.getEntryBlock()) {
    const auto *AI = dyn_cast<AllocaInst>(&I);
    if (!AI || !AI->isStaticAlloca())
      continue;
    TypeSize EltSize = DL.getTypeAllocSize(AI->getAllocatedType());
    if (EltSize.isScalable())
      continue;
    uint64_t Count =
        cast<ConstantInt>(AI->getArraySize())->getValue().getLimitedValue();
    bool Overflow = false;
    uint64_t Bytes =
        SaturatingMultiply(EltSize.getFixedValue(), Count, &Overflow);
    Total = SaturatingAdd(alignTo(Total, AI->getAlign()), Bytes, &Overflow);
    if (Overflow)
      return UINT64_MAX;
  }
  return Total;
}

FrameFacts analyzeFrame(Function &F, const TargetLibraryInfo &TLI,
                        CaptureOracle &Oracle) {
  FrameFacts Facts;
  for (Argument &A : F.args())
    Facts.UsesX87 |= typeHasFP80(A.getType());
  Facts.UsesX87 |= typeHasFP80(F.getReturnType());
  for (Instruction &I : instructions(F)) {
    if (auto *AI = dyn_cast<AllocaInst>(&I)) {
      if (!AI->isStaticAlloca())
        Facts.HasDynamicAlloca = true;
      Facts.UsesX87 |= typeHasFP80(AI->getAllocatedType());
    }
    Facts.UsesX87 |= typeHasFP80(I.getType());
    for (Value *Op : I.operands())
      Facts.UsesX87 |= typeHasFP80(Op->getType());
  }
  if (Facts.UsesX87)
    if (const Instruction *Site = x87RegisterHazard(F)) {
      Facts.X87Hazard = true;
      Facts.X87Site = Site;
    }
  EscapeSolver(F, TLI, Oracle).solve(Facts);
  return Facts;
}

} // namespace gs

bool gs::isEmptyAsmBarrier(const CallBase &CB) { return emptyAsmBarrier(CB); }

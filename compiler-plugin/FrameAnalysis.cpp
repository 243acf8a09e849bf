//===- FrameAnalysis.cpp - what a function's frame needs from the runtime -===//
//
// The escape analysis is a small points-to analysis over one function,
// solved by iterating to a fixed point:
//
//  - every local gets a bit; bit 0 (Unknown) stands for memory that is not a
//    local of this frame: globals, heap, other frames;
//  - every value that may hold the address of a local maps to the set of
//    locals it may point into, plus Unknown if it may also point elsewhere.
//    Values absent from the map hold no local address (they are {Unknown});
//  - every local has a Contents set: what the values stored into it may
//    point to. A store of a value without local addresses, or any write the
//    analysis cannot see into (memset, a callee writing through a pointer),
//    adds Unknown. A load from a local yields its Contents.
//
// Values that hold no local address cannot point into this frame unless an
// address escaped first, which ends the analysis: so a store through them
// never writes a local, and memory they point to never holds local addresses.
//
// An address escapes when it reaches a use that may keep it outside the
// frame: a store into memory that may be Unknown, a call argument the callee
// may keep (or a non-capturing one whose pointee holds local addresses: the
// callee could copy those out), a ptrtoint, a return, an atomic store,
// cmpxchg or xchg, inline asm, or any instruction not modelled below.
//
// Why not llvm::PointerMayBeCaptured: it treats every store of an address as
// a capture, so at -O0, where `int *p = &x;` is a store into p's alloca,
// every frame that takes an address would be pinned.
//
//===----------------------------------------------------------------------===//
#include "FrameAnalysis.h"

#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Function.h"
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
    return true;
  default:
    return false;
  }
}

ArgCapture CaptureOracle::argCapture(const CallBase &CB, unsigned ArgNo,
                                     const TargetLibraryInfo &TLI) {
  // sret: in C the return slot's address is not observable by the callee's
  // source (a return value is not an lvalue). A callee that stores it anyway
  // (after merging a local into it) treats it as its own local, and
  // analyzeFrame counts sret arguments as locals of the callee.
  if (CB.doesNotCapture(ArgNo) || CB.isByValArgument(ArgNo) ||
      CB.paramHasAttr(ArgNo, Attribute::StructRet))
    return ArgCapture::None;
  const AttributeList *Attrs = libFuncAttrs(CB, TLI);
  if (!Attrs)
    return ArgCapture::May;
  const Function *Callee = CB.getCalledFunction();
  if (ArgNo >= Callee->arg_size()) {
    LibFunc LF;
    TLI.getLibFunc(*Callee, LF);
    return variadicArgsDoNotCapture(LF) ? ArgCapture::None : ArgCapture::May;
  }
  if (Attrs->hasParamAttr(ArgNo, Attribute::NoCapture))
    return ArgCapture::None;
  // A C library function marked `returned` (strcpy, memcpy, strcat...) hands
  // the pointer back and keeps no other copy.
  if (Attrs->hasParamAttr(ArgNo, Attribute::Returned))
    return ArgCapture::OnlyReturned;
  return ArgCapture::May;
}

//===----------------------------------------------------------------------===//
// The escape solver
//===----------------------------------------------------------------------===//

namespace {

constexpr unsigned UnknownBit = 0;
// Iterations of the fixed point before giving up (and calling it an escape).
// Sets only grow; real functions converge in a handful of iterations.
constexpr unsigned MaxIterations = 64;

/// Intrinsics whose result points into the frame without being an object of
/// it: offsets from them reach any local, which the analysis cannot follow.
bool isFrameAddressIntrinsic(Intrinsic::ID ID) {
  switch (ID) {
  case Intrinsic::frameaddress:
  case Intrinsic::sponentry:
  case Intrinsic::addressofreturnaddress:
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
  // va_start/va_copy fill a va_list with addresses of the register save area
  // and the stack arguments (stack, never a local's address); va_end does
  // nothing. Such a va_list must stay on the moving stack (protocol.md 7.1).
  case Intrinsic::vastart:
  case Intrinsic::vacopy:
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
    return true;
  default:
    return false;
  }
}

class EscapeSolver {
public:
  EscapeSolver(Function &F, const TargetLibraryInfo &TLI, CaptureOracle &Oracle)
      : F(F), TLI(TLI), Oracle(Oracle) {}

  /// Returns the instruction through which a local escapes, or null.
  const Instruction *solve();
  const char *escapeReason() const { return EscapeWhy; }

private:
  using Set = BitVector;

  Set emptySet() const { return Set(NumBits); }
  Set unknownSet() const {
    Set S = emptySet();
    S.set(UnknownBit);
    return S;
  }
  static bool hasLocal(const Set &S) { return S.find_next(UnknownBit) != -1; }

  /// What V may point to; null means {Unknown} (no local address).
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
  /// Whether memory reachable through S may hold a local's address.
  bool pointeeHoldsLocal(const Set &S) const { return hasLocal(loadedFrom(S)); }

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
  /// Memory the locals in Ptr may be written with a value pointing to Val.
  void writeInto(const Set &Ptr, const Set &Val) {
    for (int B = Ptr.find_next(UnknownBit); B != -1; B = Ptr.find_next(B))
      grow(Contents[B], Val);
  }
  void escape(const Instruction &I, const char *Why) {
    if (!EscapeSite) {
      EscapeSite = &I;
      EscapeWhy = Why;
    }
  }

  void visit(Instruction &I);
  void visitStore(Instruction &I, Value *Val, Value *Ptr, bool Atomic);
  void visitCall(CallBase &CB);
  void visitUnion(Instruction &I, ArrayRef<const Value *> Ops);

  Function &F;
  const TargetLibraryInfo &TLI;
  CaptureOracle &Oracle;
  DenseMap<const Value *, unsigned> Locals;
  unsigned NumBits = 1;
  DenseMap<const Value *, Set> PointsTo;
  std::vector<Set> Contents;
  bool Changed = false;
  const Instruction *EscapeSite = nullptr;
  const char *EscapeWhy = nullptr;
};

const Instruction *EscapeSolver::solve() {
  // Number the locals. Arguments living in the caller's outgoing area start
  // out holding whatever the caller put there.
  SmallVector<const Value *, 4> Preinitialized;
  for (Argument &A : F.args()) {
    if (A.hasByValAttr() || A.hasInAllocaAttr() || A.hasPreallocatedAttr()) {
      Locals.try_emplace(&A, NumBits++);
      Preinitialized.push_back(&A);
    } else if (A.hasStructRetAttr()) {
      Locals.try_emplace(&A, NumBits++);
    }
  }
  for (Instruction &I : instructions(F)) {
    if (isa<AllocaInst>(I)) {
      Locals.try_emplace(&I, NumBits++);
    } else if (auto *II = dyn_cast<IntrinsicInst>(&I)) {
      if (II->getIntrinsicID() == Intrinsic::stacksave) {
        Locals.try_emplace(&I, NumBits++);
        Preinitialized.push_back(&I);
      } else if (isFrameAddressIntrinsic(II->getIntrinsicID()) &&
                 !II->use_empty()) {
        escape(I, "takes the frame address");
        return EscapeSite;
      }
    }
  }
  if (NumBits == 1)
    return nullptr;
  Contents.assign(NumBits, emptySet());
  for (auto &[V, Bit] : Locals) {
    Set S = emptySet();
    S.set(Bit);
    PointsTo[V] = S;
  }
  for (const Value *V : Preinitialized)
    Contents[Locals.lookup(V)].set(UnknownBit);

  // Only reachable code runs; visiting it in reverse post-order makes most
  // definitions precede their uses.
  ReversePostOrderTraversal<Function *> RPOT(&F);
  for (unsigned Iter = 0; Iter != MaxIterations; ++Iter) {
    Changed = false;
    for (BasicBlock *BB : RPOT)
      for (Instruction &I : *BB) {
        visit(I);
        if (EscapeSite)
          return EscapeSite;
      }
    if (!Changed)
      return nullptr;
  }
  escape(F.getEntryBlock().front(), "the analysis did not converge");
  return EscapeSite;
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
    if (Atomic) {
      escape(I, "stored by an atomic operation");
      return;
    }
    if (!P || P->test(UnknownBit)) {
      escape(I, "stored to memory that may be outside the frame");
      return;
    }
    writeInto(*P, *V);
    return;
  }
  if (P)
    writeInto(*P, unknownSet());
}

void EscapeSolver::visit(Instruction &I) {
  if (Locals.count(&I))
    return;

  switch (I.getOpcode()) {
  case Instruction::PtrToInt:
    if (isLocalAddress(I.getOperand(0)))
      escape(I, "converted to an integer");
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

  case Instruction::Ret: {
    Value *RV = cast<ReturnInst>(I).getReturnValue();
    if (RV && isLocalAddress(RV))
      escape(I, "returned");
    return;
  }

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
    if (isLocalAddress(Op)) {
      escape(I, "used by an instruction the analysis does not model");
      return;
    }
}

void EscapeSolver::visitCall(CallBase &CB) {
  if (CB.isInlineAsm()) {
    for (const Value *Arg : CB.args())
      if (isLocalAddress(Arg)) {
        escape(CB, "passed to inline asm");
        return;
      }
    return;
  }
  if (isLocalAddress(CB.getCalledOperand())) {
    escape(CB, "called");
    return;
  }

  if (auto *II = dyn_cast<IntrinsicInst>(&CB)) {
    Intrinsic::ID ID = II->getIntrinsicID();
    if (isHarmlessIntrinsic(ID))
      return;
    if (isMemSetIntrinsic(ID)) {
      if (const Set *Dst = pointsTo(II->getArgOperand(0)))
        writeInto(*Dst, unknownSet());
      return;
    }
    if (isMemTransferIntrinsic(ID)) {
      // memcpy(dst, src): whatever src's pointee holds, dst's now holds too;
      // local addresses copied into non-local memory escape.
      const Set *Dst = pointsTo(II->getArgOperand(0));
      Set Copied = loadedFrom(pointsToOrUnknown(II->getArgOperand(1)));
      if (hasLocal(Copied) && (!Dst || Dst->test(UnknownBit))) {
        escape(CB, "copied to memory that may be outside the frame");
        return;
      }
      if (Dst)
        writeInto(*Dst, Copied);
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

  Set Result = emptySet();
  for (unsigned ArgNo = 0, E = CB.arg_size(); ArgNo != E; ++ArgNo) {
    const Set *S = pointsTo(CB.getArgOperand(ArgNo));
    if (!S)
      continue;
    ArgCapture Capture = Oracle.argCapture(CB, ArgNo, TLI);
    if (Capture == ArgCapture::May && !CB.onlyReadsMemory()) {
      escape(CB, "passed to a callee that may keep it");
      return;
    }
    // The callee keeps no copy of the address (or can only return it), but
    // it may read the pointee and copy any local addresses stored there.
    if (pointeeHoldsLocal(*S)) {
      escape(CB, "stored in memory a callee may read and copy out");
      return;
    }
    // ...and it may write through it, though only values without local
    // addresses (it keeps no copy of any other argument).
    if (!CB.onlyReadsMemory(ArgNo) && !CB.isByValArgument(ArgNo))
      writeInto(*S, unknownSet());
    if (Capture != ArgCapture::None ||
        CB.paramHasAttr(ArgNo, Attribute::Returned))
      Result |= *S;
  }
  // Operand bundles (deopt, funclet, ...) other than assume's are not
  // understood.
  if (!isa<AssumeInst>(CB))
    for (unsigned B = 0, E = CB.getNumOperandBundles(); B != E; ++B)
      for (const Use &U : CB.getOperandBundleAt(B).Inputs)
        if (isLocalAddress(U.get())) {
          escape(CB, "passed in an operand bundle");
          return;
        }
  if (!CB.getType()->isVoidTy())
    assign(&CB, Result);
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
  auto HasFP80 = [](Type *T) {
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
  };
  for (Argument &A : F.args())
    Facts.UsesX87 |= HasFP80(A.getType());
  Facts.UsesX87 |= HasFP80(F.getReturnType());
  for (Instruction &I : instructions(F)) {
    if (auto *AI = dyn_cast<AllocaInst>(&I)) {
      if (!AI->isStaticAlloca())
        Facts.HasDynamicAlloca = true;
      Facts.UsesX87 |= HasFP80(AI->getAllocatedType());
    }
    Facts.UsesX87 |= HasFP80(I.getType());
    for (Value *Op : I.operands())
      Facts.UsesX87 |= HasFP80(Op->getType());
  }
  EscapeSolver Solver(F, TLI, Oracle);
  Facts.EscapeSite = Solver.solve();
  Facts.EscapeReason = Solver.escapeReason();
  Facts.AddressEscapes = Facts.EscapeSite != nullptr;
  return Facts;
}

} // namespace gs

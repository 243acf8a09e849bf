//===- VarargShell.cpp - variadic definitions on growable stacks ----------===//
//
// See VarargShell.h. Why a shell and not something else:
//  - The backend cannot emit a split-stack prologue for a variadic function
//    (its register save area and va_start need the caller's frame right above
//    the return address; a segmented call would move the stack arguments).
//  - Copying the variadic arguments into a heap buffer would need their types,
//    which only the va_arg sites know.
//  - A shell whose frame is bounded needs no check: it fits in the guard
//    slack below its caller's checked frame, like an allowlisted leaf, and the
//    body's check then grows the stack with the shell's frame on it. In
//    contiguous mode the move copies the shell's frame and the caller's stack
//    arguments with everything else, and the conservative word scan relocates
//    the va_list's pointers into them (protocol.md 5.3).
//
//===----------------------------------------------------------------------===//

#include "VarargShell.h"

#include "CFGUtil.h"
#include "Protocol.h"
#include "StackArgs.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"

using namespace llvm;

#define DEBUG_TYPE "growstack"

ALWAYS_ENABLED_STATISTIC(NumVarargSplit,
                         "Variadic definitions split into shell and body");
ALWAYS_ENABLED_STATISTIC(NumVarargNotSplit,
                         "Variadic definitions left unsplit");
ALWAYS_ENABLED_STATISTIC(NumVaListsShared,
                         "Variadic bodies that use the shell's va_list (no copy)");

namespace gs {
namespace {

/// Bytes of the SysV x86-64 va_list (one __va_list_tag: gp_offset, fp_offset,
/// overflow_arg_area, reg_save_area) and its alignment.
constexpr uint64_t VaListBytes = 24;
constexpr uint64_t VaListAlign = 16;

/// Why F's code cannot become the body unchanged, or nullptr.
const char *whyNotSplittable(Function &F) {
  if (F.hasGC())
    return "it uses a garbage collector strategy";
  if (F.hasPrefixData() || F.hasPrologueData())
    return "it has prefix or prologue data";
  for (BasicBlock &BB : F)
    if (BB.hasAddressTaken())
      return "the address of one of its blocks is taken";
  for (Instruction &I : instructions(F)) {
    auto *CB = dyn_cast<CallBase>(&I);
    if (!CB)
      continue;
    if (CB->isMustTailCall())
      return "it has a musttail call (the body's type differs from the "
             "function's)";
    if (auto *II = dyn_cast<IntrinsicInst>(CB)) {
      switch (II->getIntrinsicID()) {
      case Intrinsic::frameaddress:
      case Intrinsic::returnaddress:
      case Intrinsic::addressofreturnaddress:
      case Intrinsic::sponentry:
        return "it reads its frame or return address (the body would see the "
               "shell's)";
      default:
        break;
      }
    }
  }
  return nullptr;
}

void remarkNotSplit(Function &F, FunctionAnalysisManager &FAM,
                    const Twine &Why) {
  ++NumVarargNotSplit;
  auto &ORE = FAM.getResult<OptimizationRemarkEmitterAnalysis>(F);
  std::string Reason = Why.str();
  ORE.emit([&] {
    return OptimizationRemarkMissed(DEBUG_TYPE, "VariadicNotSplit", &F)
           << "variadic '" << ore::NV("Function", &F)
           << "' not split into shell and body: " << Reason;
  });
}

/// The body's declaration: F's fixed parameters and `ptr %va`, F's attributes,
/// internal. Its blocks come later.
Function *declareBody(Function &F) {
  Module &M = *F.getParent();
  LLVMContext &Ctx = M.getContext();
  FunctionType *FTy = F.getFunctionType();
  SmallVector<Type *, 8> Params(FTy->params());
  Params.push_back(PointerType::get(Ctx, 0));
  auto *BodyTy = FunctionType::get(FTy->getReturnType(), Params, false);
  Function *Body = Function::Create(
      BodyTy, GlobalValue::InternalLinkage, F.getAddressSpace(),
      "__gs_va." + GlobalValue::dropLLVMManglingEscape(F.getName()), &M);
  Body->copyAttributesFrom(&F); // attributes, calling convention, section...
  Body->setLinkage(GlobalValue::InternalLinkage);
  Body->setVisibility(GlobalValue::DefaultVisibility);
  Body->setDSOLocal(true);
  Body->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
  Body->setComdat(F.getComdat()); // discarded with F
  // Always a call of its own (the shell's frame must stay below it), never
  // inlined (by LTO) into the unchecked shell.
  Body->removeFnAttr(Attribute::AlwaysInline);
  Body->addFnAttr(Attribute::NoInline);
  unsigned VaNo = Params.size() - 1;
  Body->addParamAttr(VaNo, Attribute::NoUndef);
  Body->addParamAttr(VaNo, Attribute::NonNull);
  Body->addParamAttr(VaNo, Attribute::get(Ctx, VaListParamAttr));
  return Body;
}

/// va_copy(Dst, Src) for the SysV x86-64 va_list, field by field:
/// { i32 gp_offset, i32 fp_offset, ptr overflow_arg_area, ptr reg_save_area }.
/// llvm.va_copy is lowered to a 24-byte memcpy, whose 16-byte load spans the
/// separate stores the shell's va_start has just made: the load cannot be
/// forwarded from them and waits for them to retire (measured: a three-argument
/// call took 24-30 ns instead of 9). Loads of each field's own width are
/// forwarded; volatile keeps the backend from merging them again.
void copyVaList(IRBuilder<> &B, Value *Dst, Value *Src) {
  struct Field {
    Type *Ty;
    uint64_t Offset;
  } Fields[] = {{B.getInt32Ty(), 0}, {B.getInt32Ty(), 4}, {B.getPtrTy(), 8},
                {B.getPtrTy(), 16}};
  for (const Field &F : Fields) {
    Value *From = B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Src, F.Offset);
    Value *To = B.CreateConstInBoundsGEP1_64(B.getInt8Ty(), Dst, F.Offset);
    Align A(F.Ty->isPointerTy() ? 8 : 4);
    LoadInst *L = B.CreateAlignedLoad(F.Ty, From, A, /*isVolatile=*/true);
    B.CreateAlignedStore(L, To, A);
  }
  static_assert(VaListBytes == 24, "four fields");
}

/// Debug info describes the user's function, whose code is the body's now.
void finishMove(Function &F, Function &Body) {
  if (DISubprogram *SP = F.getSubprogram()) {
    F.setSubprogram(nullptr);
    Body.setSubprogram(SP);
  }
}

/// Whether Body's one va_start(AP) can be dropped and AP replaced by the shell's
/// va_list itself, without a copy. It can when
///  - the va_start runs at most once a call: it is in no cycle, and the
///    function calls nothing returns_twice (a longjmp could run it again);
///  - every use of AP (through GEPs and bitcasts) after it is a load or store
///    through it, va_end, va_copy or a call argument (C lets a callee use a
///    va_list only during the call);
///  - before it there are only lifetime markers and the "auto-init" zeroing of
///    -ftrivial-auto-var-init in its own block (Markers and ZeroInit: to delete).
/// Anything else (AP's address stored or compared, a second va_start) keeps the
/// copy: the shell's va_list must not be restarted nor reached after the body
/// returns.
bool canUseShellVaList(IntrinsicInst &Start, SmallVectorImpl<Instruction *> &ZeroInit,
                       SmallVectorImpl<Instruction *> &Markers) {
  auto *AP = dyn_cast<AllocaInst>(Start.getArgOperand(0)->stripPointerCasts());
  if (!AP || AP->isArrayAllocation())
    return false;
  Function &F = *Start.getFunction();
  // At most once a call: no path from the va_start's block back to itself, and
  // no setjmp, after which a longjmp could run it again outside the CFG.
  for (Instruction &I : instructions(F))
    if (auto *CB = dyn_cast<CallBase>(&I))
      if (returnsTwice(*CB))
        return false;
  BasicBlock *SB = Start.getParent();
  if (inCycle(*SB))
    return false;
  DominatorTree DT(F);
  SmallVector<Use *, 16> Uses;
  for (Use &U : AP->uses())
    Uses.push_back(&U);
  while (!Uses.empty()) {
    Use *U = Uses.pop_back_val();
    auto *I = cast<Instruction>(U->getUser());
    if (I == &Start)
      continue;
    if (I->isLifetimeStartOrEnd()) {
      if (!is_contained(Markers, I))
        Markers.push_back(I);
      continue;
    }
    // Address arithmetic touches no memory: follow its uses wherever it is
    // (at -O0 the GEP that va_start takes comes before it).
    if (isa<GetElementPtrInst>(I) || isa<BitCastInst>(I)) {
      for (Use &UU : I->uses())
        Uses.push_back(&UU);
      continue;
    }
    if (!DT.dominates(&Start, I)) {
      // Only the zeroing of -ftrivial-auto-var-init, before the va_start.
      bool AutoInit = false;
      if (MDNode *MD = I->getMetadata(LLVMContext::MD_annotation))
        for (const MDOperand &Op : MD->operands())
          if (auto *S = dyn_cast<MDString>(Op.get()))
            AutoInit |= S->getString() == "auto-init";
      bool IsStore = isa<StoreInst>(I) && U->getOperandNo() == 1;
      bool IsMemset = isa<MemSetInst>(I) && U->getOperandNo() == 0;
      if (!AutoInit || !(IsStore || IsMemset) || I->getParent() != SB ||
          !I->comesBefore(&Start))
        return false;
      if (!is_contained(ZeroInit, I))
        ZeroInit.push_back(I);
      continue;
    }
    if (isa<LoadInst>(I))
      continue;
    if (isa<StoreInst>(I)) {
      if (U->getOperandNo() != 1)
        return false; // AP's address stored as a value
      continue;
    }
    if (auto *II = dyn_cast<IntrinsicInst>(I)) {
      Intrinsic::ID ID = II->getIntrinsicID();
      if (ID == Intrinsic::vaend || ID == Intrinsic::vacopy)
        continue;
      if (ID == Intrinsic::vastart)
        return false; // a second one
    }
    if (auto *CB = dyn_cast<CallBase>(I)) {
      if (CB->isArgOperand(U) && !CB->isBundleOperand(U) && !isa<IntrinsicInst>(CB))
        continue;
    }
    return false;
  }
  return true;
}

/// Move F's code into Body; va_start(ap) becomes the shell's va_list itself where
/// canUseShellVaList allows, a copy of it elsewhere.
void moveCode(Function &F, Function &Body) {
  Body.splice(Body.end(), &F);
  for (unsigned I = 0, E = F.arg_size(); I != E; ++I) {
    Argument *Old = F.getArg(I), *New = Body.getArg(I);
    Old->replaceAllUsesWith(New);
    New->takeName(Old);
  }
  Argument *Va = Body.getArg(Body.arg_size() - 1);
  Va->setName("gs.va");
  SmallVector<IntrinsicInst *, 2> Starts;
  for (Instruction &I : instructions(Body))
    if (auto *II = dyn_cast<IntrinsicInst>(&I))
      if (II->getIntrinsicID() == Intrinsic::vastart)
        Starts.push_back(II);
  if (Starts.size() == 1) {
    SmallVector<Instruction *, 2> ZeroInit, Markers;
    IntrinsicInst *Start = Starts.front();
    if (canUseShellVaList(*Start, ZeroInit, Markers)) {
      auto *AP = cast<AllocaInst>(Start->getArgOperand(0)->stripPointerCasts());
      for (Instruction *I : ZeroInit)
        I->eraseFromParent();
      for (Instruction *I : Markers)
        I->eraseFromParent();
      Start->eraseFromParent();
      AP->replaceAllUsesWith(Va);
      AP->eraseFromParent();
      ++NumVaListsShared;
      finishMove(F, Body);
      return;
    }
  }
  for (IntrinsicInst *II : Starts) {
    IRBuilder<> B(II);
    B.SetCurrentDebugLocation(II->getDebugLoc());
    copyVaList(B, II->getArgOperand(0), Va);
    II->eraseFromParent();
  }
  finishMove(F, Body);
}

/// F's new code: va_start, call the body, va_end, return.
void buildShell(Function &F, Function &Body) {
  LLVMContext &Ctx = F.getContext();
  F.setPersonalityFn(nullptr); // no invokes in the shell
  IRBuilder<> B(BasicBlock::Create(Ctx, "entry", &F));
  AllocaInst *AP = B.CreateAlloca(ArrayType::get(B.getInt8Ty(), VaListBytes),
                                  nullptr, "gs.ap");
  AP->setAlignment(Align(VaListAlign));
  B.CreateIntrinsic(Intrinsic::vastart, {AP->getType()}, {AP});
  SmallVector<Value *, 8> Args;
  for (Argument &A : F.args())
    Args.push_back(&A);
  Args.push_back(AP);
  CallInst *Call = B.CreateCall(&Body, Args);
  Call->setCallingConv(Body.getCallingConv());
  // The call site carries the parameter attributes the ABI depends on (byval,
  // sret, zeroext, inreg...), as the callee has them.
  AttributeList BA = Body.getAttributes();
  SmallVector<AttributeSet, 8> ParamAttrs;
  for (unsigned I = 0, E = Body.arg_size(); I != E; ++I)
    ParamAttrs.push_back(BA.getParamAttrs(I));
  Call->setAttributes(
      AttributeList::get(Ctx, AttributeSet(), BA.getRetAttrs(), ParamAttrs));
  // The va_list is in this frame: a sibling call would pop it first.
  Call->setTailCallKind(CallInst::TCK_NoTail);
  B.CreateIntrinsic(Intrinsic::vaend, {AP->getType()}, {AP});
  if (F.getReturnType()->isVoidTy())
    B.CreateRetVoid();
  else
    B.CreateRet(Call);
}

} // namespace

VarargShells splitVariadicDefinitions(Module &M,
                                      const SmallPtrSetImpl<Function *> &OptOut,
                                      FunctionAnalysisManager &FAM) {
  VarargShells Shells;
  SmallVector<Function *, 8> Candidates;
  for (Function &F : M)
    if (F.isVarArg() && !F.isDeclarationForLinker() &&
        !F.hasFnAttribute(Attribute::Naked) && !OptOut.contains(&F))
      Candidates.push_back(&F);
  for (Function *F : Candidates) {
    if (const char *Why = whyNotSplittable(*F)) {
      remarkNotSplit(*F, FAM, Why);
      continue;
    }
    Function *Body = declareBody(*F);
    std::optional<uint64_t> N = stackArgBytes(*Body);
    if (!N || *N > MaxShellStackArgBytes) {
      remarkNotSplit(*F, FAM,
                     N ? Twine("its fixed arguments would take ") + Twine(*N) +
                             " bytes of stack in the shell's call (at most " +
                             Twine(MaxShellStackArgBytes) + ")"
                       : Twine("its signature has no known stack layout"));
      Body->eraseFromParent();
      continue;
    }
    moveCode(*F, *Body);
    buildShell(*F, *Body);
    Shells[F] = Body;
    ++NumVarargSplit;
  }
  return Shells;
}

void instrumentShell(Function &Shell) {
  // The shell's frame is walked like any instrumented frame, by its
  // call-frame information (protocol.md 5.3); the frame pointer keeps its
  // layout fixed (the va_list it builds points into its own frame).
  Shell.addFnAttr("frame-pointer", "all");
}

} // namespace gs

//===- CallRedirect.cpp - calls that leave instrumented code --------------===//

#include "CallRedirect.h"

#include "Protocol.h"
#include "Records.h"
#include "StackArgs.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InlineAsm.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

namespace gs {

StringRef symbolName(const GlobalValue &GV) {
  return GlobalValue::dropLLVMManglingEscape(GV.getName());
}

bool mayBePreempted(const GlobalValue &GV) {
  const Module *M = GV.getParent();
  if (!M || M->getPICLevel() == PICLevel::NotPIC ||
      M->getPIELevel() != PIELevel::Default)
    return false;
  return !GV.hasLocalLinkage() && GV.hasDefaultVisibility() &&
         !GV.isDeclarationForLinker();
}

bool callMayBePreempted(const GlobalValue &GV) {
  return mayBePreempted(GV) && !GV.isDSOLocal();
}

std::string externalThunkName(uint64_t N, StringRef Name) {
  std::string S(ExternalThunkPrefix);
  if (N != 0)
    S += utostr(N);
  S += '.';
  S += Name;
  return S;
}

//===----------------------------------------------------------------------===//
// Classification
//===----------------------------------------------------------------------===//

namespace {

/// The indirect form passes the target as a new leading `ptr nest` argument:
/// impossible if the call already has a nest argument (it needs %r10) or an
/// sret argument that would move past the second position.
bool canPrependNest(const CallBase &CB) {
  for (unsigned I = 0, E = CB.arg_size(); I != E; ++I) {
    if (CB.paramHasAttr(I, Attribute::Nest))
      return false;
    if (I != 0 && CB.paramHasAttr(I, Attribute::StructRet))
      return false;
  }
  return true;
}

} // namespace

bool CallClassifier::isLibraryFunction(CallBase &CB, const GlobalValue &Callee) const {
  auto *F = dyn_cast<Function>(&Callee);
  if (!GetTLI || !F)
    return true; // no way to tell: the thunk, as for any external callee
  LibFunc LF;
  const TargetLibraryInfo &TLI = GetTLI(*CB.getFunction());
  return TLI.getLibFunc(*F, LF) && TLI.has(LF);
}

bool CallClassifier::isInstrumentedTarget(const Value *V) const {
  const GlobalValue *GV = dyn_cast<GlobalValue>(V);
  if (!GV || GV->isInterposable() || GV->isDeclarationForLinker() ||
      callMayBePreempted(*GV))
    return false;
  const Function *Body = dyn_cast<Function>(GV);
  if (auto *GA = dyn_cast<GlobalAlias>(GV))
    Body = dyn_cast_or_null<Function>(GA->getAliaseeObject());
  return Body && !Body->isInterposable() &&
         Instrumented.contains(const_cast<Function *>(Body));
}

bool CallClassifier::targetsInstrumented(Value *Callee) const {
  // Through selects and phis only, and not far: a pointer loaded from
  // memory, an argument or a null is unknown, and so is the whole call.
  constexpr unsigned MaxValues = 32;
  SmallPtrSet<Value *, 8> Seen;
  SmallVector<Value *, 8> Work{Callee};
  while (!Work.empty()) {
    Value *V = Work.pop_back_val()->stripPointerCasts();
    if (!Seen.insert(V).second)
      continue;
    if (Seen.size() > MaxValues)
      return false;
    if (auto *Sel = dyn_cast<SelectInst>(V)) {
      Work.push_back(Sel->getTrueValue());
      Work.push_back(Sel->getFalseValue());
    } else if (auto *Phi = dyn_cast<PHINode>(V)) {
      for (Value *In : Phi->incoming_values())
        Work.push_back(In);
    } else if (!isInstrumentedTarget(V)) {
      return false;
    }
  }
  return true;
}

bool CallClassifier::calleesInstrumented(const CallBase &CB) const {
  // LangRef: calling a function not in the !callees list is undefined
  // behaviour, so the list is every target a defined execution can reach.
  MDNode *MD = CB.getMetadata(LLVMContext::MD_callees);
  if (!MD || MD->getNumOperands() == 0)
    return false;
  for (const MDOperand &Op : MD->operands()) {
    auto *VM = dyn_cast_or_null<ValueAsMetadata>(Op.get());
    if (!VM || !isInstrumentedTarget(VM->getValue()))
      return false;
  }
  return true;
}

CallPlan CallClassifier::classify(CallBase &CB) const {
  CallPlan P;
  P.CB = &CB;
  if (CB.isInlineAsm() || isa<IntrinsicInst>(CB))
    return P;
  // A returns_twice callee must run on the stack it saves (section 4 lists
  // the setjmp family; vfork and getcontext have the same constraint).
  if (CB.hasFnAttr(Attribute::ReturnsTwice))
    return P;

  Value *Callee = CB.getCalledOperand()->stripPointerCasts();
  auto *GV = dyn_cast<GlobalValue>(Callee);
  Function *Body = nullptr; // the code the call reaches, if in this module
  if (auto *F = dyn_cast<Function>(Callee))
    Body = F;
  else if (auto *GA = dyn_cast<GlobalAlias>(Callee))
    Body = dyn_cast_or_null<Function>(GA->getAliaseeObject());
  else if (!isa<GlobalIFunc>(Callee))
    GV = nullptr; // a loaded pointer, a global variable...: indirect

  if (GV) {
    if (symbolName(*GV).starts_with(ReservedPrefix) ||
        (Body && Body->isIntrinsic()))
      return P;
    if (isInstrumentedTarget(GV))
      return P;
    bool Exact = !GV->isInterposable() && !GV->isDeclarationForLinker();
    // An instrumented definition that another module may preempt is called
    // as an external callee: through __gs_x<N>.<name>, which this module
    // defines as the hidden thunk that asks the GOT (emitEntry); a variadic
    // one takes the indirect form below.
    if (Exact && callMayBePreempted(*GV) && Body && Instrumented.contains(Body))
      Exact = false;
    if (Exact) {
      P.Kind = CallKind::LocalThunk;
      P.Target = GV;
    } else if (Allowlist.contains(symbolName(*GV))) {
      P.Allowlisted = true;
      return P;
    } else if (CB.getFunctionType()->isVarArg() && !isLibraryFunction(CB, *GV)) {
      // Possibly a variadic shell in another gscc-built object (VarargShell.h):
      // its entry alias has one N, a variadic call any. The indirect form calls
      // it directly when its address is instrumented text.
      P.Kind = CallKind::Indirect;
      if (!canPrependNest(CB)) {
        P.Kind = CallKind::Unsupported;
        return P;
      }
    } else {
      P.Kind = CallKind::External;
      P.Target = GV;
    }
  } else if (targetsInstrumented(Callee) || calleesInstrumented(CB)) {
    // Every value the pointer can hold is an instrumented definition of this
    // module (a select or phi of them, as SQLite's xRecordCompare, or the
    // !callees list LLVM's called-value propagation attached): the call is
    // what rule 4 calls directly, and the range test could only pass.
    P.KnownTargets = true;
    return P;
  } else {
    P.Kind = CallKind::Indirect;
    if (!canPrependNest(CB)) {
      P.Kind = CallKind::Unsupported;
      return P;
    }
  }

  std::optional<uint64_t> N = stackArgBytes(CB);
  if (!N) {
    P.Kind = CallKind::Unsupported;
    return P;
  }
  P.N = *N;
  return P;
}

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

void CallRedirector::redirect(const CallPlan &P) {
  CallBase &CB = *P.CB;
  switch (P.Kind) {
  case CallKind::Direct:
  case CallKind::Unsupported:
    return;

  case CallKind::External: {
    // Declared with the callee's own type; the call keeps its type.
    std::string Name = externalThunkName(P.N, symbolName(*P.Target));
    GlobalValue *Thunk = M.getNamedValue(Name);
    if (!Thunk) {
      auto *CalleeTy = dyn_cast<FunctionType>(P.Target->getValueType());
      if (!CalleeTy)
        CalleeTy = CB.getFunctionType();
      Function *Decl =
          Function::Create(CalleeTy, GlobalValue::ExternalLinkage, Name, M);
      if (auto *F = dyn_cast<Function>(P.Target)) {
        Decl->setCallingConv(F->getCallingConv());
        // Only the ABI-relevant parameter and return attributes: the thunk is
        // not the callee (no memory effects, no "split-stack").
        AttributeList FA = F->getAttributes();
        SmallVector<AttributeSet, 8> Params;
        for (unsigned I = 0, E = CalleeTy->getNumParams(); I != E; ++I)
          Params.push_back(FA.getParamAttrs(I));
        Decl->setAttributes(AttributeList::get(M.getContext(), AttributeSet(),
                                               FA.getRetAttrs(), Params));
      }
      Thunk = Decl;
    }
    CB.setCalledOperand(Thunk);
    return;
  }

  case CallKind::LocalThunk:
    CB.setCalledOperand(localThunk(*P.Target, P.N));
    return;

  case CallKind::Indirect:
    redirectIndirect(CB, P.N);
    return;
  }
}

/// A naked private function: `leaq target(%rip), %r10` (or through the GOT
/// when the target may be interposed or is an ifunc), `movl $N, %r11d`,
/// `jmp __gs_tramp`. The same body gscc's thunk archive uses (section 4.1).
Function *CallRedirector::localThunk(GlobalValue &Target, uint64_t N) {
  Function *&Thunk = LocalThunks[{&Target, N}];
  if (Thunk)
    return Thunk;
  LLVMContext &Ctx = M.getContext();
  Thunk = Function::Create(FunctionType::get(Type::getVoidTy(Ctx), false),
                           GlobalValue::PrivateLinkage,
                           externalThunkName(N, symbolName(Target)), M);
  Thunk->addFnAttr(Attribute::Naked);
  Thunk->addFnAttr(Attribute::NoInline);
  bool ViaGOT = !Target.isDSOLocal() || isa<GlobalIFunc>(Target);
  std::string Asm = ViaGOT ? "movq ${0:c}@GOTPCREL(%rip), %r10\n\t"
                           : "leaq ${0:c}(%rip), %r10\n\t";
  Asm += "movl $$" + utostr(N) + ", %r11d\n\t";
  Asm += "jmp " + std::string(Trampoline) + "@PLT";
  IRBuilder<> B(BasicBlock::Create(Ctx, "", Thunk));
  auto *AsmTy = FunctionType::get(B.getVoidTy(), {B.getPtrTy()}, false);
  // The "s" constraint prints a symbol reference (quoted if needed).
  B.CreateCall(InlineAsm::get(AsmTy, Asm, "s", /*hasSideEffects=*/true),
               {&Target});
  B.CreateUnreachable();
  return Thunk;
}

/// `__gs_ic<N>`: linkonce_odr hidden naked `movl $N, %r11d; jmp
/// __gs_tramp_icall`. The call passes the target in %r10 (`nest`).
Function *CallRedirector::indirectStub(uint64_t N) {
  std::string Name = std::string(IndirectStubPrefix) + utostr(N);
  if (Function *F = M.getFunction(Name))
    return F;
  LLVMContext &Ctx = M.getContext();
  Function *Stub =
      Function::Create(FunctionType::get(Type::getVoidTy(Ctx), false),
                       GlobalValue::LinkOnceODRLinkage, Name, M);
  Stub->setVisibility(GlobalValue::HiddenVisibility);
  Stub->setComdat(M.getOrInsertComdat(Name));
  Stub->addFnAttr(Attribute::Naked);
  Stub->addFnAttr(Attribute::NoInline);
  IRBuilder<> B(BasicBlock::Create(Ctx, "", Stub));
  std::string Asm = "movl $$" + utostr(N) + ", %r11d\n\tjmp " +
                    std::string(IndirectTrampoline) + "@PLT";
  B.CreateCall(InlineAsm::get(FunctionType::get(B.getVoidTy(), false), Asm, "",
                              /*hasSideEffects=*/true));
  B.CreateUnreachable();
  return Stub;
}

namespace {

/// The call through `__gs_ic<N>`: the same call with the target prepended as
/// a `nest` argument.
CallBase *createStubCall(CallBase &CB, Function *Stub, InsertPosition Pos,
                         BasicBlock *NormalDest, BasicBlock *UnwindDest) {
  LLVMContext &Ctx = CB.getContext();
  FunctionType *FTy = CB.getFunctionType();
  SmallVector<Type *, 8> ParamTys{PointerType::get(Ctx, 0)};
  ParamTys.append(FTy->param_begin(), FTy->param_end());
  auto *StubTy =
      FunctionType::get(FTy->getReturnType(), ParamTys, FTy->isVarArg());

  SmallVector<Value *, 8> Args{CB.getCalledOperand()};
  Args.append(CB.arg_begin(), CB.arg_end());

  AttributeList AL = CB.getAttributes();
  SmallVector<AttributeSet, 8> ParamAttrs{
      AttributeSet::get(Ctx, {Attribute::get(Ctx, Attribute::Nest)})};
  for (unsigned I = 0, E = CB.arg_size(); I != E; ++I)
    ParamAttrs.push_back(AL.getParamAttrs(I));
  AttributeList StubAL =
      AttributeList::get(Ctx, AL.getFnAttrs(), AL.getRetAttrs(), ParamAttrs);

  // kcfi checks the type of an indirect call's target. The stub call is
  // direct and the trampoline's call cannot carry the check, so this path
  // drops it (the in-text path keeps it).
  SmallVector<OperandBundleDef, 2> Bundles;
  for (unsigned I = 0, E = CB.getNumOperandBundles(); I != E; ++I) {
    OperandBundleUse U = CB.getOperandBundleAt(I);
    if (U.getTagID() != LLVMContext::OB_kcfi)
      Bundles.emplace_back(U);
  }

  // A void call cannot have a name.
  std::string Name =
      CB.getType()->isVoidTy() ? "" : (CB.getName() + ".gs").str();
  CallBase *New;
  if (NormalDest)
    New = InvokeInst::Create(StubTy, Stub, NormalDest, UnwindDest, Args,
                             Bundles, Name, Pos);
  else {
    auto *CI = CallInst::Create(StubTy, Stub, Args, Bundles, Name, Pos);
    CI->setTailCallKind(cast<CallInst>(CB).getTailCallKind());
    New = CI;
  }
  New->setAttributes(StubAL);
  New->setCallingConv(CB.getCallingConv());
  New->setDebugLoc(CB.getDebugLoc());
  return New;
}

} // namespace

void CallRedirector::redirectIndirect(CallBase &CB, uint64_t N) {
  Function *Stub = indirectStub(N);
  Value *Target = CB.getCalledOperand();

  if (!HaveText) {
    // No growstack_text in this object to test against: every target goes
    // through the stub, whose trampoline checks the registry.
    CallBase *New = isa<InvokeInst>(CB)
                        ? createStubCall(CB, Stub, &CB,
                                         cast<InvokeInst>(CB).getNormalDest(),
                                         cast<InvokeInst>(CB).getUnwindDest())
                        : createStubCall(CB, Stub, &CB, nullptr, nullptr);
    New->takeName(&CB);
    CB.replaceAllUsesWith(New);
    CB.eraseFromParent();
    return;
  }

  // The test is two branches, one per bound: the block ends in
  // `br %ge_start, gs.check_stop, stub`, and gs.check_stop holds
  // `br %lt_stop, direct, stub`. The bounds are loaded from this object's
  // descriptor, so each compare takes its operand from memory: four
  // instructions (`cmp mem, reg; jb; cmp mem, reg; jae`). With the symbols'
  // addresses it was six (a `lea` before each compare), and one branch on the
  // `and` of the two comparisons takes eight (two setcc and an or).
  IRBuilder<> B(&CB);
  GlobalVariable *Desc = getModuleDescriptor(M);
  auto *Ptr = PointerType::get(M.getContext(), 0);
  auto loadBound = [&](IRBuilder<> &At, unsigned Field, const Twine &Name) {
    LoadInst *L = At.CreateLoad(
        Ptr, At.CreateConstInBoundsGEP2_32(Desc->getValueType(), Desc, 0, Field),
        Name);
    L->setAlignment(Align(8));
    return L;
  };
  Value *AboveStart =
      B.CreateICmpUGE(Target, loadBound(B, ModuleTextBeginField, "gs.text_begin"),
                      "gs.ge_start");
  // Br branches on %ge_start to the direct block and the stub; put the test
  // of the upper bound between it and the direct block (which has no phis).
  auto addStopTest = [&](BranchInst *Br) {
    BasicBlock *Direct = Br->getSuccessor(0), *ViaStub = Br->getSuccessor(1);
    auto *Second = BasicBlock::Create(M.getContext(), "gs.check_stop",
                                      Br->getFunction(), Direct);
    IRBuilder<> S(Second);
    S.CreateCondBr(
        S.CreateICmpULT(Target, loadBound(S, ModuleTextEndField, "gs.text_end"),
                        "gs.lt_stop"),
        Direct, ViaStub);
    Br->setSuccessor(0, Second);
  };

  if (auto *II = dyn_cast<InvokeInst>(&CB)) {
    //   BB:       br %ge_start, gs.check_stop, gs.stub (gs.check_stop: br %lt_stop, gs.direct, gs.stub)
    //   gs.direct: invoke fp(args)             to gs.cont unwind %lpad
    //   gs.stub:   invoke __gs_ic<N>(fp, args)  to gs.cont unwind %lpad
    //   gs.cont:   phi; br %normal
    BasicBlock *BB = II->getParent();
    Function *F = BB->getParent();
    BasicBlock *Normal = II->getNormalDest();
    BasicBlock *Unwind = II->getUnwindDest();
    LLVMContext &Ctx = F->getContext();
    auto *Direct = BasicBlock::Create(Ctx, "gs.direct", F, Normal);
    auto *ViaStub = BasicBlock::Create(Ctx, "gs.stub", F, Normal);
    auto *Cont = BasicBlock::Create(Ctx, "gs.cont", F, Normal);

    II->removeFromParent();
    II->insertInto(Direct, Direct->end());
    addStopTest(BranchInst::Create(Direct, ViaStub, AboveStart, BB));
    Normal->replacePhiUsesWith(BB, Cont);
    Unwind->replacePhiUsesWith(BB, Direct);
    CallBase *New = createStubCall(*II, Stub, ViaStub, Cont, Unwind);
    for (PHINode &Phi : Unwind->phis())
      Phi.addIncoming(Phi.getIncomingValueForBlock(Direct), ViaStub);
    II->setNormalDest(Cont);

    B.SetInsertPoint(Cont);
    if (!II->getType()->isVoidTy()) {
      PHINode *Phi = B.CreatePHI(II->getType(), 2);
      II->replaceAllUsesWith(Phi);
      Phi->addIncoming(II, Direct);
      Phi->addIncoming(New, ViaStub);
      Phi->takeName(II);
    }
    B.CreateBr(Normal);
    return;
  }

  //   Head:      br %ge_start, gs.check_stop, gs.stub (gs.check_stop: br %lt_stop, gs.direct, gs.stub)
  //   gs.direct: %r1 = call fp(args)
  //   gs.stub:   %r2 = call __gs_ic<N>(ptr nest fp, args)
  //   Tail:      phi [%r1, %r2]
  Instruction *ThenTerm, *ElseTerm;
  SplitBlockAndInsertIfThenElse(AboveStart, &CB, &ThenTerm, &ElseTerm);
  addStopTest(cast<BranchInst>(ThenTerm->getParent()->getSinglePredecessor()->getTerminator()));
  BasicBlock *Tail = CB.getParent();
  ThenTerm->getParent()->setName("gs.direct");
  ElseTerm->getParent()->setName("gs.stub");
  CB.moveBefore(ThenTerm);
  CallBase *New = createStubCall(CB, Stub, ElseTerm, nullptr, nullptr);
  if (!CB.getType()->isVoidTy() && !CB.use_empty()) {
    PHINode *Phi = PHINode::Create(CB.getType(), 2, "", Tail->begin());
    CB.replaceAllUsesWith(Phi);
    Phi->addIncoming(&CB, CB.getParent());
    Phi->addIncoming(New, New->getParent());
    Phi->takeName(&CB);
  }
}

bool CallRedirector::emitEntry(GlobalValue &Entry, Function &Target) {
  std::optional<uint64_t> N = stackArgBytes(Target);
  if (!N)
    return false;
  std::string Name = externalThunkName(*N, symbolName(Entry));
  GlobalValue *Existing = M.getNamedValue(Name);
  if (Existing && !Existing->isDeclaration())
    return true; // defined by the user: leave it
  GlobalValue *Def;
  if (mayBePreempted(Entry)) {
    Def = preemptibleEntryThunk(Entry, Target, *N, Name);
  } else {
    auto *GA =
        GlobalAlias::create(Target.getValueType(), 0,
                            GlobalValue::ExternalLinkage, Name, &Target, &M);
    GA->setVisibility(Entry.getVisibility());
    GA->setDSOLocal(Entry.isDSOLocal());
    Def = GA;
  }
  if (Existing) {
    Existing->replaceAllUsesWith(Def);
    Existing->eraseFromParent();
    Def->setName(Name);
  }
  return true;
}

/// The entry of a definition another module may preempt (mayBePreempted):
/// not an alias, which would bind every call of this shared object to this
/// body whatever the dynamic linker chose for Entry's name, but a hidden
/// naked function that asks the GOT:
///
///     __gs_x<N>.foo:  movq foo@GOTPCREL(%rip), %r10   ; what foo resolved to
///                     leaq .Lgs.self.foo(%rip), %r11  ; this body
///                     cmpq %r11, %r10
///                     jne  1f
///                     jmp  .Lgs.self.foo              ; not preempted: straight in
///     1:              movl $N, %r11d
///                     jmp  __gs_tramp_icall@PLT        ; another module's foo
///
/// When the link makes foo local after all (a version script, libtool's
/// export list) the linker relaxes the movq to a leaq and the test always
/// passes. __gs_tramp_icall calls a preempting foo directly when it is
/// instrumented (registry), else on the system stack. Hidden, so calls from
/// other shared objects and the executable take their own thunk (4.1).
GlobalValue *CallRedirector::preemptibleEntryThunk(GlobalValue &Entry,
                                                   Function &Target, uint64_t N,
                                                   const std::string &Name) {
  LLVMContext &Ctx = M.getContext();
  auto *Self = GlobalAlias::create(Target.getValueType(), 0,
                                   GlobalValue::PrivateLinkage,
                                   "gs.self." + symbolName(Entry), &Target, &M);
  Function *Thunk =
      Function::Create(FunctionType::get(Type::getVoidTy(Ctx), false),
                       GlobalValue::ExternalLinkage, Name, M);
  Thunk->setVisibility(GlobalValue::HiddenVisibility);
  Thunk->setDSOLocal(true);
  Thunk->addFnAttr(Attribute::Naked);
  Thunk->addFnAttr(Attribute::NoInline);
  Thunk->addFnAttr(Attribute::NoUnwind);
  // Entry by its name, not as an operand: the printer would spell a
  // dso_local Entry (-fno-semantic-interposition) as its local alias
  // `foo$local`, and the linker would resolve the GOT slot of that.
  std::string Quoted = "\"";
  for (char C : symbolName(Entry)) {
    if (C == '"' || C == '\\')
      Quoted += '\\';
    Quoted += C == '$' ? std::string("$$") : std::string(1, C);
  }
  Quoted += '"';
  std::string Asm = "movq " + Quoted + "@GOTPCREL(%rip), %r10\n\t"
                    "leaq ${0:c}(%rip), %r11\n\t"
                    "cmpq %r11, %r10\n\t"
                    "jne 1f\n\t"
                    "jmp ${0:c}\n"
                    "1:\n\t"
                    "movl $$" + utostr(N) + ", %r11d\n\t"
                    "jmp " + std::string(IndirectTrampoline) + "@PLT";
  IRBuilder<> B(BasicBlock::Create(Ctx, "", Thunk));
  auto *AsmTy = FunctionType::get(B.getVoidTy(), {B.getPtrTy()}, false);
  B.CreateCall(InlineAsm::get(AsmTy, Asm, "s", /*hasSideEffects=*/true),
               {Self});
  B.CreateUnreachable();
  return Thunk;
}

} // namespace gs

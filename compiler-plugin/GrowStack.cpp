//===- GrowStack.cpp - the growstack instrumentation pass -----------------===//
//
// Order of work (collect, then mutate):
//  1. decide eligibility of every definition, to a fixed point (musttail and
//     unsupported calls depend on which callees are instrumented);
//  2. analyse each eligible function on the unmodified IR: frame escapes,
//     returns_twice calls, calls to rewrite;
//  3. instrument: attributes and section, call rewriting, resync calls,
//     records, entry aliases, module registration; remarks and statistics.
//
//===----------------------------------------------------------------------===//

#include "GrowStack.h"
#include "DynAlloca.h"

#include "CallRedirect.h"
#include "FrameAnalysis.h"
#include "Protocol.h"
#include "Records.h"
#include "VarargShell.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"

using namespace llvm;

#define DEBUG_TYPE "growstack"

// Debian's LLVM is a release build, where STATISTIC() compiles to nothing;
// these stay visible with `-mllvm -stats` (clang) or `-stats` (opt).
ALWAYS_ENABLED_STATISTIC(NumInstrumented, "Functions instrumented");
ALWAYS_ENABLED_STATISTIC(NumSkippedDeclaration,
                         "Functions skipped: declaration");
ALWAYS_ENABLED_STATISTIC(NumSkippedNaked, "Functions skipped: naked");
ALWAYS_ENABLED_STATISTIC(NumSkippedVariadic, "Functions skipped: variadic");
ALWAYS_ENABLED_STATISTIC(NumSkippedOptOut,
                         "Functions skipped: growstack_nosplit");
ALWAYS_ENABLED_STATISTIC(NumSkippedMustTail,
                         "Functions skipped: musttail call to redirect");
ALWAYS_ENABLED_STATISTIC(NumSkippedUnsupportedCall,
                         "Functions skipped: call growstack cannot redirect");
ALWAYS_ENABLED_STATISTIC(NumSkippedFrameTooLarge,
                         "Functions skipped: frame of 2 GiB or more (error)");
ALWAYS_ENABLED_STATISTIC(NumExplicitSection,
                         "Functions instrumented in their explicit section "
                         "(no record: frames unknown to the runtime)");
ALWAYS_ENABLED_STATISTIC(NumPinnedEscape,
                         "Records pinned: a local's address escapes");
ALWAYS_ENABLED_STATISTIC(NumPinnedSetjmp, "Records pinned: returns_twice call");
ALWAYS_ENABLED_STATISTIC(NumRecords, "Function records emitted");
ALWAYS_ENABLED_STATISTIC(NumCallsExternal,
                         "Calls redirected: external (__gs_x)");
ALWAYS_ENABLED_STATISTIC(NumCallsLocalThunk,
                         "Calls redirected: uninstrumented local definition");
ALWAYS_ENABLED_STATISTIC(NumCallsIndirect, "Calls redirected: indirect");
ALWAYS_ENABLED_STATISTIC(NumCallsAllowlisted, "Calls left direct: allowlist");
ALWAYS_ENABLED_STATISTIC(NumResyncs, "gs_stack_resync calls inserted");
ALWAYS_ENABLED_STATISTIC(NumEntryAliases, "__gs_x entry aliases emitted");
ALWAYS_ENABLED_STATISTIC(NumDynScopes, "Dynamic-alloca scopes given a release");
ALWAYS_ENABLED_STATISTIC(NumDynTailsZeroed, "Dynamic allocas with their padding zeroed");
ALWAYS_ENABLED_STATISTIC(NumDynUnmatched,
                         "Dynamic-alloca scopes left to the frame exit");

static cl::opt<bool>
    ClDisable("growstack-disable", cl::init(false), cl::Hidden,
              cl::desc("Turn the growstack pass into a no-op"));

static cl::list<std::string> ClAllowlistExtra(
    "growstack-allowlist-extra", cl::CommaSeparated, cl::Hidden,
    cl::desc("Comma-separated callees to call directly, in addition to the "
             "protocol's allowlist (they must fit in the guard slack)"));

static cl::opt<bool>
    ClPinAll("growstack-pin-all", cl::init(false), cl::Hidden,
             cl::desc("Record every instrumented frame as pinned (testing the "
                      "runtime's segmented fallback)"));

/// Named metadata marking a module the pass has instrumented.
static constexpr StringLiteral InstrumentedMarker = "growstack.instrumented";

namespace gs {
namespace {

enum class Skip {
  None,
  Naked,
  Variadic,
  OptOut,
  FrameTooLarge,
  MustTail,
  UnsupportedCall,
};

struct FunctionInfo {
  Skip Reason = Skip::None;
  const CallBase *SkipSite = nullptr; // the call that made it ineligible
  bool InText = false;                // placed in growstack_text, has a record
  uint32_t Flags = 0;                 // its record's flags
  const Instruction *EscapeSite = nullptr;
  const char *EscapeReason = nullptr;
  SmallVector<CallPlan, 8> Calls; // calls to redirect
  SmallVector<CallBase *, 2> ReturnsTwice;
};

class ModuleInstrumenter {
public:
  ModuleInstrumenter(Module &M, FunctionAnalysisManager &FAM)
      : M(M), FAM(FAM),
        Classifier(Eligible, Allowlist,
                   [&FAM](Function &F) -> const TargetLibraryInfo & {
                     return FAM.getResult<TargetLibraryAnalysis>(F);
                   }) {}

  /// Returns whether the module changed.
  bool run();

private:
  void collectOptOuts();
  void decideEligibility();
  void plan(Function &F, FunctionInfo &Info, CaptureOracle &Oracle);
  void instrument();
  void insertResync(CallBase &CB);
  void remarkSkipped(Function &F, const FunctionInfo &Info);
  void remarkInstrumented(Function &F, const FunctionInfo &Info);

  Module &M;
  FunctionAnalysisManager &FAM;
  StringSet<> Allowlist;
  SmallPtrSet<Function *, 8> OptOut;
  SmallPtrSet<Function *, 32> Eligible;
  MapVector<Function *, FunctionInfo> Infos; // definitions, module order
  CallClassifier Classifier;
  VarargShells Shells; // split variadic definitions (VarargShell.h)
};

bool ModuleInstrumenter::run() {
  for (StringRef Name : DefaultAllowlist)
    Allowlist.insert(Name);
  for (const std::string &Name : ClAllowlistExtra)
    Allowlist.insert(Name);
  collectOptOuts();
  Shells = splitVariadicDefinitions(M, OptOut, FAM);
  decideEligibility();

  CaptureOracle Oracle(M);
  for (auto &[F, Info] : Infos)
    if (Eligible.contains(F))
      plan(*F, Info, Oracle);

  instrument();
  return !Eligible.empty();
}

/// __attribute__((annotate("growstack_nosplit"))) reaches the IR only as an
/// entry of llvm.global.annotations: { ptr fn, ptr str, ptr file, i32 line,
/// ptr args }.
void ModuleInstrumenter::collectOptOuts() {
  for (Function &F : M)
    if (F.hasFnAttribute(OptOutAnnotation))
      OptOut.insert(&F);
  GlobalVariable *Annotations = M.getNamedGlobal("llvm.global.annotations");
  if (!Annotations || !Annotations->hasInitializer())
    return;
  auto *Entries = dyn_cast<ConstantArray>(Annotations->getInitializer());
  if (!Entries)
    return;
  for (Value *Op : Entries->operands()) {
    auto *Entry = dyn_cast<ConstantStruct>(Op);
    if (!Entry || Entry->getNumOperands() < 2)
      continue;
    auto *F = dyn_cast<Function>(Entry->getOperand(0)->stripPointerCasts());
    auto *Str =
        dyn_cast<GlobalVariable>(Entry->getOperand(1)->stripPointerCasts());
    if (!F || !Str || !Str->hasInitializer())
      continue;
    auto *Data = dyn_cast<ConstantDataSequential>(Str->getInitializer());
    if (Data && Data->isCString() && Data->getAsCString() == OptOutAnnotation)
      OptOut.insert(F);
  }
}

void ModuleInstrumenter::decideEligibility() {
  for (Function &F : M) {
    // available_externally bodies are not emitted here: a declaration.
    if (F.isDeclarationForLinker()) {
      if (!F.isIntrinsic())
        ++NumSkippedDeclaration;
      continue;
    }
    FunctionInfo &Info = Infos[&F];
    if (F.hasFnAttribute(Attribute::Naked)) {
      Info.Reason = Skip::Naked;
    } else if (F.isVarArg() && !Shells.count(&F)) {
      // The backend aborts on split-stack variadic definitions; this one could
      // not be split into a shell and a body.
      Info.Reason = Skip::Variadic;
    } else if (OptOut.contains(&F)) {
      Info.Reason = Skip::OptOut;
    } else if (uint64_t Bytes = staticAllocaBytes(F); Bytes >= MaxFrameBytes) {
      // The prologue's `leaq -FRAME(%rsp)` takes a 32-bit displacement.
      Info.Reason = Skip::FrameTooLarge;
      std::string Msg = "growstack: frame of " +
                        (Bytes == UINT64_MAX ? std::string("more than 2^64")
                                             : std::to_string(Bytes)) +
                        " bytes in '" + F.getName().str() +
                        "' is 2 GiB or more; split-stack prologues cannot "
                        "check it (use the heap for such objects)";
      M.getContext().diagnose(DiagnosticInfoUnsupported(
          F, Msg, DiagnosticLocation(F.getSubprogram())));
    } else {
      Eligible.insert(&F);
    }
  }

  // A musttail call cannot be redirected (the trampoline is no tail call),
  // and a call with a signature N cannot describe cannot be redirected at
  // all. Either makes the caller ineligible, which may in turn make calls to
  // it need redirecting: iterate.
  bool Changed;
  do {
    Changed = false;
    for (auto &[F, Info] : Infos) {
      if (!Eligible.contains(F))
        continue;
      // A shell is instrumented exactly when its body is.
      if (auto It = Shells.find(F);
          It != Shells.end() && !Eligible.contains(It->second)) {
        Info.Reason = Skip::Variadic;
        Eligible.erase(F);
        Changed = true;
        continue;
      }
      for (Instruction &I : instructions(*F)) {
        auto *CB = dyn_cast<CallBase>(&I);
        if (!CB)
          continue;
        CallPlan P = Classifier.classify(*CB);
        if (P.Kind == CallKind::Direct)
          continue;
        if (CB->isMustTailCall())
          Info.Reason = Skip::MustTail;
        else if (P.Kind == CallKind::Unsupported)
          Info.Reason = Skip::UnsupportedCall;
        else
          continue;
        Info.SkipSite = CB;
        Eligible.erase(F);
        Changed = true;
        break;
      }
    }
  } while (Changed);
}

void ModuleInstrumenter::plan(Function &F, FunctionInfo &Info,
                              CaptureOracle &Oracle) {
  Info.InText = !F.hasSection() || F.getSection() == TextSection;
  if (Shells.count(&F)) {
    // Its only calls are the body and va_start/va_end; its va_list is meant
    // for the body (VarargShell.h).
    Info.Flags = RecVaShell;
    return;
  }

  FrameFacts Facts =
      analyzeFrame(F, FAM.getResult<TargetLibraryAnalysis>(F), Oracle);
  Info.EscapeSite = Facts.EscapeSite;
  Info.EscapeReason = Facts.EscapeReason;
  if (Facts.AddressEscapes)
    Info.Flags |= RecEscape;
  if (Facts.HasDynamicAlloca)
    Info.Flags |= RecDynAlloca;
  if (Facts.UsesX87)
    Info.Flags |= RecX87;

  for (Instruction &I : instructions(F)) {
    auto *CB = dyn_cast<CallBase>(&I);
    if (!CB)
      continue;
    if (CB->hasFnAttr(Attribute::ReturnsTwice)) {
      Info.ReturnsTwice.push_back(CB);
      Info.Flags |= RecSetjmp;
    }
    CallPlan P = Classifier.classify(*CB);
    if (P.Allowlisted)
      ++NumCallsAllowlisted;
    if (P.Kind != CallKind::Direct)
      Info.Calls.push_back(P);
  }

  if (Info.Flags & (RecEscape | RecSetjmp | RecX87) || ClPinAll)
    Info.Flags |= RecPinned;
}

void ModuleInstrumenter::instrument() {
  bool HaveText = false;
  for (auto &[F, Info] : Infos)
    HaveText |= Eligible.contains(F) && Info.InText;

  CallRedirector Redirector(M, HaveText);
  RecordEmitter Records(M);
  for (auto &[F, Info] : Infos) {
    if (!Eligible.contains(F)) {
      remarkSkipped(*F, Info);
      continue;
    }
    if (Shells.count(F)) {
      instrumentShell(*F);
    } else {
      F->addFnAttr("split-stack");
      F->addFnAttr("frame-pointer", "all");
    }
    if (!F->hasSection())
      F->setSection(TextSection);

    for (const CallPlan &P : Info.Calls) {
      Redirector.redirect(P);
      switch (P.Kind) {
      case CallKind::External:
        ++NumCallsExternal;
        break;
      case CallKind::LocalThunk:
        ++NumCallsLocalThunk;
        break;
      case CallKind::Indirect:
        ++NumCallsIndirect;
        break;
      default:
        break;
      }
    }
    for (CallBase *CB : Info.ReturnsTwice)
      insertResync(*CB);
    if (Info.Flags & RecDynAlloca) {
      NumDynTailsZeroed += zeroDynamicAllocaTails(*F);
      DynScopeStats DS = scopeDynamicAllocas(*F);
      NumDynScopes += DS.Releases;
      NumDynUnmatched += DS.Unmatched;
    }

    if (Info.InText) {
      Records.addRecord(*F, Info.Flags);
      ++NumRecords;
      if (Info.Flags & RecEscape)
        ++NumPinnedEscape;
      if (Info.Flags & RecSetjmp)
        ++NumPinnedSetjmp;
    } else {
      ++NumExplicitSection;
    }
    // Not for COMDAT members: the alias would live in the group, and if the
    // linker kept another object's (possibly uninstrumented) copy, callers
    // bound to the alias would refer into a discarded section.
    if (F->hasExternalLinkage() && !F->hasComdat() &&
        Redirector.emitEntryAlias(*F, *F))
      ++NumEntryAliases;
    ++NumInstrumented;
    remarkInstrumented(*F, Info);
  }

  // Aliases of instrumented functions (__attribute__((alias))) are entry
  // points too.
  SmallVector<std::pair<GlobalAlias *, Function *>, 4> EntryAliases;
  for (GlobalAlias &GA : M.aliases()) {
    auto *F = dyn_cast_or_null<Function>(GA.getAliaseeObject());
    if (GA.hasExternalLinkage() && F && Eligible.contains(F) &&
        !F->hasComdat() && !symbolName(GA).starts_with(ReservedPrefix))
      EntryAliases.push_back({&GA, F});
  }
  for (auto [GA, F] : EntryAliases)
    if (Redirector.emitEntryAlias(*GA, *F))
      ++NumEntryAliases;

  Records.emitModuleRegistration();
  if (!Eligible.empty())
    M.getOrInsertNamedMetadata(InstrumentedMarker);
}

/// After a returns_twice call returns (the second time, from a longjmp), the
/// stack may be in an older segment than the guard describes (section 5.6).
void ModuleInstrumenter::insertResync(CallBase &CB) {
  FunctionCallee Resync =
      M.getOrInsertFunction(ResyncFn, Type::getVoidTy(M.getContext()));
  Instruction *InsertPt;
  if (auto *II = dyn_cast<InvokeInst>(&CB)) {
    BasicBlock *Edge = SplitEdge(II->getParent(), II->getNormalDest());
    InsertPt = &*Edge->getFirstInsertionPt();
  } else {
    InsertPt = CB.getNextNode();
  }
  CallInst *Call = IRBuilder<>(InsertPt).CreateCall(Resync);
  Call->setDebugLoc(CB.getDebugLoc());
  ++NumResyncs;
}

void ModuleInstrumenter::remarkSkipped(Function &F, const FunctionInfo &Info) {
  auto &ORE = FAM.getResult<OptimizationRemarkEmitterAnalysis>(F);
  const char *Name = "";
  std::string Why;
  switch (Info.Reason) {
  case Skip::None:
    return;
  case Skip::Naked:
    ++NumSkippedNaked;
    Name = "Naked";
    Why = "naked function";
    break;
  case Skip::Variadic:
    ++NumSkippedVariadic;
    Name = "Variadic";
    Why = "variadic definition (split-stack does not support varargs)";
    break;
  case Skip::OptOut:
    ++NumSkippedOptOut;
    Name = "OptOut";
    Why = "marked growstack_nosplit";
    break;
  case Skip::FrameTooLarge:
    ++NumSkippedFrameTooLarge;
    Name = "FrameTooLarge";
    Why = "frame of 2 GiB or more";
    break;
  case Skip::MustTail:
    ++NumSkippedMustTail;
    Name = "MustTail";
    Why = "musttail call to an uninstrumented callee cannot be redirected";
    break;
  case Skip::UnsupportedCall:
    ++NumSkippedUnsupportedCall;
    Name = "UnsupportedCall";
    Why = "call with a signature growstack cannot redirect";
    break;
  }
  ORE.emit([&] {
    OptimizationRemarkMissed R =
        Info.SkipSite
            ? OptimizationRemarkMissed(DEBUG_TYPE, Name, Info.SkipSite)
            : OptimizationRemarkMissed(DEBUG_TYPE, Name, &F);
    R << "'" << ore::NV("Function", &F) << "' not instrumented: " << Why
      << "; calls to it from instrumented code run on the system stack";
    return R;
  });
}

void ModuleInstrumenter::remarkInstrumented(Function &F,
                                            const FunctionInfo &Info) {
  auto &ORE = FAM.getResult<OptimizationRemarkEmitterAnalysis>(F);
  if (!Info.InText)
    ORE.emit([&] {
      return OptimizationRemarkMissed(DEBUG_TYPE, "ExplicitSection", &F)
             << "'" << ore::NV("Function", &F) << "' instrumented but kept in "
             << "section '" << F.getSection() << "': it has no record, so "
             << "its frames pin the stack";
    });
  if (Info.Flags & RecEscape)
    ORE.emit([&] {
      return OptimizationRemarkMissed(DEBUG_TYPE, "PinnedEscape",
                                      Info.EscapeSite)
             << "frame of '" << ore::NV("Function", &F) << "' pinned: the "
             << "address of a local may escape here (" << Info.EscapeReason
             << ")";
    });
  if (Info.Flags & RecSetjmp)
    ORE.emit([&] {
      return OptimizationRemarkMissed(DEBUG_TYPE, "PinnedSetjmp",
                                      Info.ReturnsTwice.front())
             << "frame of '" << ore::NV("Function", &F) << "' pinned: it "
             << "calls a returns_twice function";
    });
  ORE.emit([&] {
    OptimizationRemark R(DEBUG_TYPE, "Instrumented", &F);
    R << "instrumented '" << ore::NV("Function", &F) << "'";
    if (Info.Flags & RecPinned)
      R << " (pinned)";
    if (Info.Flags & RecDynAlloca)
      R << " (dynamic alloca)";
    if (Info.Flags & RecVaShell)
      R << " (variadic shell, no check of its own)";
    return R;
  });
}

} // namespace

PreservedAnalyses GrowStackPass::run(Module &M, ModuleAnalysisManager &MAM) {
  if (ClDisable || M.getNamedMetadata(InstrumentedMarker))
    return PreservedAnalyses::all();
  Triple TT(M.getTargetTriple());
  if (TT.getArch() != Triple::x86_64 || !TT.isOSBinFormatELF())
    return PreservedAnalyses::all();

  auto &FAM = MAM.getResult<FunctionAnalysisManagerModuleProxy>(M).getManager();
  if (!ModuleInstrumenter(M, FAM).run())
    return PreservedAnalyses::all();
  return PreservedAnalyses::none();
}

} // namespace gs

//===- GrowStack.cpp - the growstack instrumentation pass -----------------===//
//
// Order of work (collect, then mutate):
//  0. insert gs_fp_private calls before FP control writes (FpControl.h; an
//     allowlisted call, which changes nothing below);
//  1. decide eligibility of every definition, to a fixed point (musttail and
//     unsupported calls depend on which callees are instrumented);
//  2. analyse each eligible function on the unmodified IR: which locals
//     escape (side frame or pin), returns_twice calls, calls to rewrite;
//  3. instrument: attributes and section, call rewriting, resync calls,
//     dynamic-alloca scopes, side frames, records, entry aliases, module
//     registration; remarks and statistics.
//
//===----------------------------------------------------------------------===//

#include "GrowStack.h"
#include "DynAlloca.h"

#include "CFGUtil.h"
#include "CallRedirect.h"
#include "FpControl.h"
#include "FrameAnalysis.h"
#include "Protocol.h"
#include "Records.h"
#include "SideStack.h"
#include "ZeroLocals.h"
#include "VarargShell.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Analysis/OptimizationRemarkEmitter.h"
#include "llvm/Analysis/TargetLibraryInfo.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DebugInfo.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/MDBuilder.h"
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
                         "Records pinned: an escape the side stack cannot "
                         "take (sum of the next five)");
ALWAYS_ENABLED_STATISTIC(NumPinnedFrameAddress,
                         "Records pinned: frame address taken, or va_list "
                         "escapes");
ALWAYS_ENABLED_STATISTIC(NumPinnedDynAlloca,
                         "Records pinned: escaping VLA/alloca()/stacksave");
ALWAYS_ENABLED_STATISTIC(NumPinnedArgSlot,
                         "Records pinned: escaping sret/inalloca/preallocated "
                         "argument (or byval with musttail)");
ALWAYS_ENABLED_STATISTIC(NumPinnedOverAligned,
                         "Records pinned: escaping local aligned above 4096");
ALWAYS_ENABLED_STATISTIC(NumPinnedNoFixedPoint,
                         "Records pinned: escape analysis did not converge");
ALWAYS_ENABLED_STATISTIC(NumPinnedSetjmp,
                         "Records pinned: returns_twice call outside the "
                         "setjmp family");
ALWAYS_ENABLED_STATISTIC(NumPinnedX87,
                         "Records pinned: x87 long double live across a call "
                         "in a moving-stack slot");
ALWAYS_ENABLED_STATISTIC(NumX87Movable,
                         "Functions computing with x87 long double, not "
                         "pinned (registers only, or locals on the side "
                         "stack)");
ALWAYS_ENABLED_STATISTIC(NumPinned, "Records pinned (any reason, or "
                                    "-growstack-pin-all)");
ALWAYS_ENABLED_STATISTIC(NumSideFrames, "Side frames built");
ALWAYS_ENABLED_STATISTIC(NumSideLocals,
                         "Locals placed on the side stack (allocas and "
                         "byval copies)");
ALWAYS_ENABLED_STATISTIC(NumSideBytes, "Bytes of side frames (sum of SIZE)");
ALWAYS_ENABLED_STATISTIC(NumByvalCopies,
                         "Escaping byval arguments copied to the side stack");
ALWAYS_ENABLED_STATISTIC(NumSideFramesLazy,
                         "Side frames set up where their locals are used, "
                         "not at entry");
ALWAYS_ENABLED_STATISTIC(NumSideFramesGuarded,
                         "Side frames set up at the first use reached (uses in a cycle)");
ALWAYS_ENABLED_STATISTIC(NumSideFramesSmall,
                         "Small side frames (one compare, exits restore "
                         "base + SIZE)");
ALWAYS_ENABLED_STATISTIC(NumSideLazyExitEdges,
                         "Edges out of a lazily placed side frame's region "
                         "(restores on them)");
ALWAYS_ENABLED_STATISTIC(NumJbNodes, "setjmp nodes (functions registering "
                                     "their jmp_bufs)");
ALWAYS_ENABLED_STATISTIC(NumSideStateSaves,
                         "Functions saving the side state without a side "
                         "frame (landing pads, pinned returns_twice)");
ALWAYS_ENABLED_STATISTIC(NumSideLocalsPinned,
                         "Escaping locals left on the moving stack of a "
                         "pinned frame");
ALWAYS_ENABLED_STATISTIC(NumRecords, "Function records emitted");
ALWAYS_ENABLED_STATISTIC(NumCallsExternal,
                         "Calls redirected: external (__gs_x)");
ALWAYS_ENABLED_STATISTIC(NumCallsLocalThunk,
                         "Calls redirected: uninstrumented local definition");
ALWAYS_ENABLED_STATISTIC(NumCallsIndirect, "Calls redirected: indirect");
ALWAYS_ENABLED_STATISTIC(NumCallsAllowlisted, "Calls left direct: allowlist");
ALWAYS_ENABLED_STATISTIC(NumCallsKnownTargets,
                         "Calls left direct: pointer to instrumented functions only");
ALWAYS_ENABLED_STATISTIC(NumResyncs, "gs_stack_resync calls inserted");
ALWAYS_ENABLED_STATISTIC(NumFpPrivate,
                         "gs_fp_private calls inserted (FP control writes)");
ALWAYS_ENABLED_STATISTIC(NumResyncsConditional,
                         "gs_stack_resync calls that run only after a longjmp");
ALWAYS_ENABLED_STATISTIC(NumEntryAliases, "__gs_x entry aliases emitted");
ALWAYS_ENABLED_STATISTIC(NumDynScopes, "Dynamic-alloca scopes given a release");
ALWAYS_ENABLED_STATISTIC(NumDynTailsZeroed, "Dynamic allocas with their padding zeroed");
ALWAYS_ENABLED_STATISTIC(NumLargeZeroWhole,
                         "Large moving-stack locals zeroed whole (a use the plugin cannot follow)");
ALWAYS_ENABLED_STATISTIC(NumLargeZeroPartial,
                         "Large moving-stack locals zeroed only in words written in part");
ALWAYS_ENABLED_STATISTIC(NumLargeZeroNone,
                         "Large moving-stack locals written in whole words only (no zeroing)");
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
  PinReason Pin = PinReason::None;    // why GS_REC_ESCAPE
  DebugLoc PinLoc;                    // where (the site may be rewritten)
  DebugLoc X87Loc;                    // why GS_REC_X87
  const char *PinWhy = nullptr;
  SmallVector<SideLocal, 4> SideLocals; // escaping locals (7.1)
  std::vector<std::string> SideNames;   // for the remark (they are erased)
  SideFrameLayout Side;                 // their frame, if it is built
  SmallVector<CallPlan, 8> Calls; // calls to redirect
  SmallVector<CallBase *, 2> ReturnsTwice;
  SmallVector<CallBase *, 2> Setjmps; // the setjmp family among them
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
  Instruction *insertResync(CallBase &CB);
  void remarkSkipped(Function &F, const FunctionInfo &Info);
  void remarkInstrumented(Function &F, const FunctionInfo &Info);
  void countPins(const FunctionInfo &Info);

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
  NumFpPrivate += markFpControlWrites(M);
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

/// How a remark names a local: its source variable if debug info has one,
/// else its IR name, else its size.
static std::string localName(Value *V, const DataLayout &DL) {
  for (DbgVariableRecord *D : findDVRDeclares(V))
    return D->getVariable()->getName().str();
  for (DbgDeclareInst *D : findDbgDeclares(V))
    return D->getVariable()->getName().str();
  if (auto *I = dyn_cast<Instruction>(V)) {
    for (DbgVariableRecord *D : at::getDVRAssignmentMarkers(I))
      return D->getVariable()->getName().str();
    for (DbgAssignIntrinsic *D : at::getAssignmentMarkers(I))
      return D->getVariable()->getName().str();
  }
  if (V->hasName())
    return V->getName().str();
  if (auto *A = dyn_cast<Argument>(V))
    return "argument #" + std::to_string(A->getArgNo());
  if (auto *AI = dyn_cast<AllocaInst>(V))
    if (auto Bytes = AI->getAllocationSize(DL))
      return "a local of " + std::to_string(Bytes->getFixedValue()) +
             " bytes";
  return "a local";
}

/// A call of setjmp, _setjmp, sigsetjmp or __sigsetjmp: its buffer is
/// registered in the frame's jb node and relocated by the runtime (7.3).
static bool isSetjmpFamily(const CallBase &CB) {
  const auto *Callee =
      dyn_cast<Function>(CB.getCalledOperand()->stripPointerCasts());
  if (!Callee || CB.arg_size() < 1 ||
      !CB.getArgOperand(0)->getType()->isPointerTy())
    return false;
  return is_contained(SetjmpFamily, symbolName(*Callee));
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
  Info.Pin = Facts.Pin;
  if (Facts.PinSite)
    Info.PinLoc = Facts.PinSite->getDebugLoc();
  Info.PinWhy = Facts.PinWhy;
  Info.SideLocals = std::move(Facts.SideLocals);
  if (Facts.Pin != PinReason::None)
    Info.Flags |= RecEscape;
  if (Facts.HasDynamicAlloca)
    Info.Flags |= RecDynAlloca;
  if (Facts.X87Hazard) {
    Info.Flags |= RecX87;
    if (Facts.X87Site)
      Info.X87Loc = Facts.X87Site->getDebugLoc();
  } else if (Facts.UsesX87) {
    ++NumX87Movable;
  }

  for (Instruction &I : instructions(F)) {
    auto *CB = dyn_cast<CallBase>(&I);
    if (!CB)
      continue;
    if (returnsTwice(*CB)) {
      Info.ReturnsTwice.push_back(CB);
      if (isSetjmpFamily(*CB))
        Info.Setjmps.push_back(CB);
      else
        Info.Flags |= RecSetjmp;
    }
    CallPlan P = Classifier.classify(*CB);
    if (P.Allowlisted)
      ++NumCallsAllowlisted;
    if (P.KnownTargets)
      ++NumCallsKnownTargets;
    if (P.Kind != CallKind::Direct)
      Info.Calls.push_back(P);
  }

  // A frame that stays pinned gains nothing from a side frame: its escaping
  // locals stay, as do those of a frame the runtime cannot identify (no
  // record). Everything else gets one if it has escaping locals or setjmp
  // buffers to register.
  bool Pinned = Info.Flags & RecPinReasons;
  if (!Pinned && Info.InText) {
    SmallVector<Value *, 4> Locals;
    for (const SideLocal &S : Info.SideLocals)
      Locals.push_back(S.Local);
    Info.Side = layoutSideFrame(F, Locals, Info.Setjmps.size());
    if (Info.Side.Size + Info.Side.Alignment >= MaxSideFrameBytes) {
      std::string Msg =
          "growstack: side frame of " + std::to_string(Info.Side.Size) +
          " bytes (alignment " + std::to_string(Info.Side.Alignment) +
          ") in '" + F.getName().str() +
          "' is 2 GiB or more; side-stack chunks cannot hold it (use the "
          "heap for such objects)";
      M.getContext().diagnose(DiagnosticInfoUnsupported(
          F, Msg, DiagnosticLocation(F.getSubprogram())));
      Info.Side = SideFrameLayout();
    }
    if (Info.Side.hasFrame())
      Info.Flags |= RecSide;
    for (const SideLocal &S : Info.SideLocals)
      Info.SideNames.push_back(localName(S.Local, F.getDataLayout()) + " (" +
                               S.Why + ")");
    if (Info.Side.JmpBufSites)
      Info.Flags |= RecJmpbuf;
  }

  if (Pinned || ClPinAll)
    Info.Flags |= RecPinned;
}

void ModuleInstrumenter::instrument() {
  bool HaveText = false;
  for (auto &[F, Info] : Infos)
    HaveText |= Eligible.contains(F) && Info.InText;

  SmallPtrSet<Function *, 8> ShellBodies;
  for (auto &[Shell, Body] : Shells)
    ShellBodies.insert(Body);

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
      // The body of a variadic shell always gets a frame, hence a check: the
      // shell runs unchecked, and the slack below the guard holds the shell and
      // its body's check, not the body's red zone too. Other functions keep
      // the command line's frame-pointer choice: the runtime's frame walk
      // follows the call-frame information (below), not %rbp.
      if (ShellBodies.contains(F))
        F->addFnAttr("frame-pointer", "all");
    }
    // Call-frame information (.eh_frame) for every function the walk may meet,
    // also under -fno-asynchronous-unwind-tables: contiguous mode steps from a
    // frame to its caller's by it (protocol.md 5.3), and a frame without it
    // pins its stack.
    F->setUWTableKind(UWTableKind::Async);
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
    SideSites Sites;
    Sites.Setjmps = Info.Setjmps;
    for (CallBase *CB : Info.ReturnsTwice)
      Sites.ReturnsTwice.push_back({CB, insertResync(*CB)});
    if (Info.Flags & RecDynAlloca) {
      // A constant-size alloca outside the entry block that takes a fixed
      // place in the side frame is not on the moving stack: nothing to zero.
      SmallPtrSet<Value *, 4> OnSide;
      for (const SideObject &O : Info.Side.Objects)
        if (O.Local)
          OnSide.insert(O.Local);
      NumDynTailsZeroed += zeroDynamicAllocaTails(*F, OnSide);
      DynScopeStats DS = scopeDynamicAllocas(*F);
      NumDynScopes += DS.Releases;
      NumDynUnmatched += DS.Unmatched;
    }
    if (!Info.Side.hasFrame())
      Sites.Setjmps.clear();
    SideStats SS = buildSideFrame(*F, Info.Side, Sites);
    if (Info.Side.hasFrame()) {
      ++NumSideFrames;
      NumSideBytes += Info.Side.Size;
      NumSideLocals += Info.SideLocals.size();
      NumByvalCopies += SS.ByvalCopies;
      NumSideFramesLazy += SS.Lazy;
      NumSideFramesGuarded += SS.Guarded;
      NumSideFramesSmall += SS.SmallFrames;
      NumSideLazyExitEdges += SS.LazyExitEdges;
      if (Info.Side.JmpBufSites)
        ++NumJbNodes;
    } else {
      NumSideLocalsPinned += Info.SideLocals.size();
    }
    if (SS.StateSaved)
      ++NumSideStateSaves;
    ZeroStats ZS = zeroLargeLocals(*F);
    NumLargeZeroWhole += ZS.Whole;
    NumLargeZeroPartial += ZS.Partial;
    NumLargeZeroNone += ZS.None;

    if (Info.InText) {
      Records.addRecord(*F, Info.Flags);
      ++NumRecords;
      countPins(Info);
    } else {
      ++NumExplicitSection;
    }
    // Not for COMDAT members: the alias would live in the group, and if the
    // linker kept another object's (possibly uninstrumented) copy, callers
    // bound to the alias would refer into a discarded section.
    if (F->hasExternalLinkage() && !F->hasComdat() &&
        Redirector.emitEntry(*F, *F))
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
    if (Redirector.emitEntry(*GA, *F))
      ++NumEntryAliases;

  Records.emitModuleRegistration();
  if (!Eligible.empty())
    M.getOrInsertNamedMetadata(InstrumentedMarker);
}

void ModuleInstrumenter::countPins(const FunctionInfo &Info) {
  if (Info.Flags & RecPinned)
    ++NumPinned;
  if (Info.Flags & RecSetjmp)
    ++NumPinnedSetjmp;
  if (Info.Flags & RecX87)
    ++NumPinnedX87;
  if (!(Info.Flags & RecEscape))
    return;
  ++NumPinnedEscape;
  switch (Info.Pin) {
  case PinReason::None:
    break;
  case PinReason::FrameAddress:
    ++NumPinnedFrameAddress;
    break;
  case PinReason::DynamicAlloca:
    ++NumPinnedDynAlloca;
    break;
  case PinReason::ArgumentSlot:
    ++NumPinnedArgSlot;
    break;
  case PinReason::OverAligned:
    ++NumPinnedOverAligned;
    break;
  case PinReason::NoFixedPoint:
    ++NumPinnedNoFixedPoint;
    break;
  }
}

/// After a returns_twice call returns (the second time, from a longjmp), the
/// stack may be in an older segment than the guard describes (section 5.6).
/// Returns the resync call (the side state is restored just before it).
/// A setjmp-family call returns 0 when it has just saved the context, which
/// changed nothing (same stack, guard and side state as before the call), and
/// never 0 from a longjmp: the resync (and the side restores before it) runs
/// only when the result is not 0 (Lua's luaD_rawrunprotected runs a setjmp per
/// protected call: the resync was 15 % of its coroutine ping-pong).
Instruction *ModuleInstrumenter::insertResync(CallBase &CB) {
  FunctionCallee Resync =
      M.getOrInsertFunction(ResyncFn, Type::getVoidTy(M.getContext()));
  Instruction *InsertPt;
  if (auto *II = dyn_cast<InvokeInst>(&CB)) {
    BasicBlock *Edge = SplitEdge(II->getParent(), II->getNormalDest());
    InsertPt = &*Edge->getFirstInsertionPt();
  } else if (isSetjmpFamily(CB) && CB.getType()->isIntegerTy()) {
    IRBuilder<> B(CB.getNextNode());
    Value *Jumped = B.CreateICmpNE(&CB, ConstantInt::get(CB.getType(), 0),
                                   "gs.jumped");
    InsertPt = SplitBlockAndInsertIfThen(
        Jumped, cast<Instruction>(Jumped)->getNextNode(), /*Unreachable=*/false,
        MDBuilder(M.getContext()).createUnlikelyBranchWeights());
    InsertPt->getParent()->setName("gs.longjmp");
    ++NumResyncsConditional;
  } else {
    InsertPt = CB.getNextNode();
  }
  CallInst *Call = IRBuilder<>(InsertPt).CreateCall(Resync);
  Call->setDebugLoc(CB.getDebugLoc());
  ++NumResyncs;
  return Call;
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

static const char *pinDescription(PinReason R) {
  switch (R) {
  case PinReason::None:
    return "";
  case PinReason::FrameAddress:
    return "the frame address is taken, or a va_list of it escapes";
  case PinReason::DynamicAlloca:
    return "the address of a VLA, alloca() or stacksave may escape here";
  case PinReason::ArgumentSlot:
    return "the address of an argument slot in the caller's frame (sret, "
           "inalloca, or byval with a musttail call) may escape here";
  case PinReason::OverAligned:
    return "the address of a local aligned above 4096 bytes may escape here";
  case PinReason::NoFixedPoint:
    return "the escape analysis did not converge";
  }
  return "";
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
      OptimizationRemarkMissed R(DEBUG_TYPE, "PinnedEscape",
                                 DiagnosticLocation(Info.PinLoc),
                                 &F.getEntryBlock());
      R << "frame of '" << ore::NV("Function", &F) << "' pinned: "
        << pinDescription(Info.Pin);
      if (Info.Pin != PinReason::FrameAddress &&
          Info.Pin != PinReason::NoFixedPoint)
        R << " (" << Info.PinWhy << ")";
      return R;
    });
  if (Info.Flags & RecSetjmp)
    ORE.emit([&] {
      const CallBase *Site = Info.ReturnsTwice.front();
      for (CallBase *CB : Info.ReturnsTwice)
        if (!is_contained(Info.Setjmps, CB)) {
          Site = CB;
          break;
        }
      return OptimizationRemarkMissed(DEBUG_TYPE, "PinnedSetjmp", Site)
             << "frame of '" << ore::NV("Function", &F) << "' pinned: it "
             << "calls a returns_twice function outside the setjmp family";
    });
  if (Info.Flags & RecX87)
    ORE.emit([&] {
      return OptimizationRemarkMissed(DEBUG_TYPE, "PinnedX87",
                                      DiagnosticLocation(Info.X87Loc),
                                      &F.getEntryBlock())
             << "frame of '" << ore::NV("Function", &F) << "' pinned: an x87 "
             << "long double lives in a stack slot across a call here";
    });
  if (Info.Side.hasFrame() && !Info.SideLocals.empty())
    ORE.emit([&] {
      OptimizationRemark R(DEBUG_TYPE, "SideStack", &F);
      R << "'" << ore::NV("Function", &F) << "': "
        << ore::NV("SideLocals", unsigned(Info.SideLocals.size()))
        << (Info.SideLocals.size() == 1 ? " local" : " locals")
        << " on the side stack (" << ore::NV("SideBytes", Info.Side.Size)
        << " bytes): ";
      for (size_t K = 0; K != Info.SideNames.size(); ++K)
        R << (K ? ", " : "") << Info.SideNames[K];
      return R;
    });
  ORE.emit([&] {
    OptimizationRemark R(DEBUG_TYPE, "Instrumented", &F);
    R << "instrumented '" << ore::NV("Function", &F) << "'";
    if (Info.Flags & RecPinned)
      R << " (pinned)";
    if (Info.Flags & RecSide)
      R << " (side frame)";
    if (Info.Flags & RecJmpbuf)
      R << " (setjmp buffers registered)";
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

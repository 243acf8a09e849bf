//===- StackArgs.cpp - N: stack argument bytes of a call ------------------===//
//
// A model of CC_X86_64_C (llvm/lib/Target/X86/X86CallingConv.td, LLVM 19) for
// the argument types clang emits for C, following the backend's rules rather
// than the psABI text where the two differ (they do not for C as clang lowers
// it: clang has already turned every aggregate into registers-sized pieces or
// byval, see protocol.md section 3).
//
// The backend splits each IR argument into legal pieces (first-class
// aggregates into members, i128 into two halves) and assigns each piece, in
// order, to the next free register of its class or to the next stack slot.
//
//===----------------------------------------------------------------------===//

#include "StackArgs.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/Attributes.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/Module.h"

using namespace llvm;
using gs::ABIFeatures;

namespace {

// SysV x86-64 argument registers: %rdi %rsi %rdx %rcx %r8 %r9, %xmm0-7.
constexpr unsigned NumArgGPRs = 6;
constexpr unsigned NumArgXMMs = 8;
// Integer return registers the backend may use: %rax %rdx %rcx.
constexpr unsigned NumRetGPRs = 3;

// First-class aggregates beyond this many pieces are not worth modelling.
constexpr unsigned MaxPieces = 1024;

enum class Class {
  GPR,     // one integer register or an 8-byte slot
  GPRPair, // i65..i128: two consecutive registers or a 16-aligned 16-byte slot
  SSE,     // one XMM register or a Size/Align slot
  X87,     // x86_fp80: always memory
  Vec256,  // YMM (AVX) unless the call is variadic
  Vec512,  // ZMM (AVX-512) unless the call is variadic
};

struct Piece {
  Class C;
  unsigned Size;  // stack slot size when the piece goes to memory
  unsigned Align; // stack slot alignment
  bool IsVector;  // SSE vectors may be returned in %xmm0-3, scalars in %xmm0-1
};

/// Splits first-class aggregates into their members, as the backend does
/// before assigning registers. Returns false when there are too many pieces.
bool flatten(Type *T, SmallVectorImpl<Type *> &Out) {
  if (auto *ST = dyn_cast<StructType>(T)) {
    for (Type *E : ST->elements())
      if (!flatten(E, Out))
        return false;
    return true;
  }
  if (auto *AT = dyn_cast<ArrayType>(T)) {
    if (AT->getNumElements() > MaxPieces)
      return false;
    for (uint64_t I = 0, E = AT->getNumElements(); I != E; ++I)
      if (!flatten(AT->getElementType(), Out))
        return false;
    return true;
  }
  Out.push_back(T);
  return Out.size() <= MaxPieces;
}

std::optional<Piece> classifyScalar(Type *T) {
  if (T->isPointerTy())
    return Piece{Class::GPR, 8, 8, false};
  if (auto *IT = dyn_cast<IntegerType>(T)) {
    // i1/i8/i16 are promoted to i32, i33..i64 use one register; i65..i128 are
    // legalized to i128, which the backend never splits between a register
    // and the stack (the first half may not take %r9).
    if (IT->getBitWidth() <= 64)
      return Piece{Class::GPR, 8, 8, false};
    if (IT->getBitWidth() <= 128)
      return Piece{Class::GPRPair, 16, 16, false};
    return std::nullopt;
  }
  if (T->isHalfTy() || T->isBFloatTy() || T->isFloatTy() || T->isDoubleTy())
    return Piece{Class::SSE, 8, 8, false};
  if (T->isFP128Ty())
    return Piece{Class::SSE, 16, 16, false};
  if (T->isX86_FP80Ty())
    return Piece{Class::X87, 16, 16, false};
  return std::nullopt;
}

std::optional<Piece> classify(Type *T, const DataLayout &DL) {
  auto *VT = dyn_cast<FixedVectorType>(T);
  if (!VT)
    return classifyScalar(T);
  Type *Elt = VT->getElementType();
  // Boolean vectors are promoted to wider element types depending on the
  // subtarget; clang never passes them by value.
  if (Elt->isIntegerTy(1))
    return std::nullopt;
  // One-element vectors are scalarized.
  if (VT->getNumElements() == 1)
    return classifyScalar(Elt);
  if (!Elt->isIntegerTy() && !Elt->isFloatingPointTy() && !Elt->isPointerTy())
    return std::nullopt;
  uint64_t Bits = VT->getNumElements() * DL.getTypeSizeInBits(Elt);
  // Short vectors are widened to a 128-bit register type, which is also what
  // takes a stack slot when the XMM registers run out: 16 bytes, 16-aligned.
  if (Bits <= 128)
    return Piece{Class::SSE, 16, 16, true};
  if (Bits == 256)
    return Piece{Class::Vec256, 32, 32, true};
  if (Bits == 512)
    return Piece{Class::Vec512, 64, 64, true};
  return std::nullopt;
}

bool isSysVCallingConv(CallingConv::ID CC) {
  switch (CC) {
  case CallingConv::C:
  case CallingConv::Fast:
  case CallingConv::Cold:
  case CallingConv::PreserveMost:
  case CallingConv::PreserveAll:
  case CallingConv::X86_64_SysV:
    return true;
  default:
    return false;
  }
}

/// Whether the backend can return RetTy in registers. If not, it demotes the
/// return value to a hidden pointer argument, which takes %rdi. clang always
/// uses an explicit sret argument instead, so for C this is always true.
/// The register sets are the backend's (measured with llc-19 on first-class
/// aggregate returns): integers %rax %rdx %rcx; vectors %xmm0-3; half and
/// bfloat %xmm0-2; float and double %xmm0-1 then %st0-1; fp128 %xmm0-1;
/// x86_fp80 %st0-1.
std::optional<bool> returnsInRegisters(Type *RetTy, const ABIFeatures &Features,
                                       const DataLayout &DL) {
  if (RetTy->isVoidTy())
    return true;
  SmallVector<Type *, 8> Leaves;
  if (!flatten(RetTy, Leaves))
    return std::nullopt;
  unsigned GPRs = 0;
  bool XMMUsed[4] = {false, false, false, false};
  bool X87Used[2] = {false, false};
  auto Take = [](bool *Used, unsigned Limit) {
    for (unsigned R = 0; R != Limit; ++R)
      if (!Used[R])
        return Used[R] = true;
    return false;
  };
  for (Type *T : Leaves) {
    std::optional<Piece> P = classify(T, DL);
    if (!P)
      return std::nullopt;
    if (P->C == Class::GPR || P->C == Class::GPRPair) {
      GPRs += P->C == Class::GPR ? 1 : 2;
      if (GPRs > NumRetGPRs)
        return false;
      continue;
    }
    if (P->C == Class::X87) {
      if (!Take(X87Used, 2))
        return false;
      continue;
    }
    if (!Features.HasSSE || (P->C == Class::Vec256 && !Features.HasAVX) ||
        (P->C == Class::Vec512 && !Features.HasAVX512))
      return std::nullopt;
    Type *Scalar = T->getScalarType(); // <1 x double> is a double
    bool Ok;
    if (P->IsVector)
      Ok = Take(XMMUsed, 4);
    else if (Scalar->isHalfTy() || Scalar->isBFloatTy())
      Ok = Take(XMMUsed, 3);
    else if (Scalar->isFloatTy() || Scalar->isDoubleTy())
      Ok = Take(XMMUsed, 2) || Take(X87Used, 2);
    else // fp128
      Ok = Take(XMMUsed, 2);
    if (!Ok)
      return false;
  }
  return true;
}

} // namespace

namespace gs {

ABIFeatures ABIFeatures::of(const Function &F) {
  ABIFeatures Result;
  StringRef FS = F.getFnAttribute("target-features").getValueAsString();
  SmallVector<StringRef, 32> Features;
  FS.split(Features, ',', -1, /*KeepEmpty=*/false);
  for (StringRef Feature : Features) {
    if (Feature == "-sse")
      Result.HasSSE = false;
    else if (Feature == "+avx")
      Result.HasAVX = true;
    else if (Feature == "+avx512f")
      Result.HasAVX512 = true;
  }
  return Result;
}

std::optional<uint64_t> stackArgBytes(Type *RetTy, ArrayRef<ArgABI> Args,
                                      CallingConv::ID CC, bool IsVarArgCall,
                                      const ABIFeatures &Features,
                                      const DataLayout &DL) {
  if (!isSysVCallingConv(CC))
    return std::nullopt;

  std::optional<bool> RetInRegs = returnsInRegisters(RetTy, Features, DL);
  if (!RetInRegs)
    return std::nullopt;

  unsigned GPRs = *RetInRegs ? 0 : 1; // a demoted return takes %rdi
  unsigned XMMs = 0;
  uint64_t Stack = 0;
  auto Allocate = [&Stack](uint64_t Size, uint64_t Align) {
    Stack = alignTo(Stack, Align) + Size;
  };

  for (const ArgABI &A : Args) {
    if (A.Unsupported)
      return std::nullopt;
    if (A.Nest)
      continue; // %r10, outside the argument registers
    if (A.ByValTy) {
      // CCPassByVal<8, 8>: at least 8 bytes, size rounded up to 8,
      // alignment max(8, the argument's alignment).
      if (!A.ByValTy->isSized())
        return std::nullopt;
      uint64_t Size = std::max<uint64_t>(DL.getTypeAllocSize(A.ByValTy), 8);
      Align Alignment =
          A.ByValAlign ? *A.ByValAlign : DL.getABITypeAlign(A.ByValTy);
      Allocate(alignTo(Size, 8), std::max<uint64_t>(Alignment.value(), 8));
      continue;
    }
    SmallVector<Type *, 8> Leaves;
    if (!flatten(A.Ty, Leaves))
      return std::nullopt;
    for (Type *T : Leaves) {
      std::optional<Piece> P = classify(T, DL);
      if (!P)
        return std::nullopt;
      switch (P->C) {
      case Class::GPR:
        if (GPRs < NumArgGPRs)
          ++GPRs;
        else
          Allocate(P->Size, P->Align);
        break;
      case Class::GPRPair:
        if (GPRs + 2 <= NumArgGPRs) {
          GPRs += 2;
        } else {
          GPRs = NumArgGPRs; // %r9 is shadowed, never used after this
          Allocate(P->Size, P->Align);
        }
        break;
      case Class::SSE:
        if (!Features.HasSSE)
          return std::nullopt;
        if (XMMs < NumArgXMMs)
          ++XMMs;
        else
          Allocate(P->Size, P->Align);
        break;
      case Class::X87:
        Allocate(P->Size, P->Align);
        break;
      case Class::Vec256:
      case Class::Vec512:
        if ((P->C == Class::Vec256 && !Features.HasAVX) ||
            (P->C == Class::Vec512 && !Features.HasAVX512))
          return std::nullopt;
        if (!IsVarArgCall && XMMs < NumArgXMMs)
          ++XMMs;
        else
          Allocate(P->Size, P->Align);
        break;
      }
    }
  }
  return Stack;
}

namespace {

bool hasUnsupportedABIAttr(const AttributeSet &AS) {
  return AS.hasAttribute(Attribute::InAlloca) ||
         AS.hasAttribute(Attribute::Preallocated) ||
         AS.hasAttribute(Attribute::SwiftSelf) ||
         AS.hasAttribute(Attribute::SwiftError) ||
         AS.hasAttribute(Attribute::SwiftAsync);
}

} // namespace

std::optional<uint64_t> stackArgBytes(const CallBase &CB) {
  SmallVector<ArgABI, 16> Args;
  for (unsigned I = 0, E = CB.arg_size(); I != E; ++I) {
    ArgABI A;
    A.Ty = CB.getArgOperand(I)->getType();
    if (CB.paramHasAttr(I, Attribute::ByVal)) {
      A.ByValTy = CB.getParamByValType(I);
      A.ByValAlign = CB.getParamStackAlign(I);
      if (!A.ByValAlign)
        A.ByValAlign = CB.getParamAlign(I);
    }
    A.Nest = CB.paramHasAttr(I, Attribute::Nest);
    A.Unsupported = hasUnsupportedABIAttr(CB.getAttributes().getParamAttrs(I));
    if (const Function *Callee = CB.getCalledFunction();
        Callee && I < Callee->arg_size())
      A.Unsupported |=
          hasUnsupportedABIAttr(Callee->getAttributes().getParamAttrs(I));
    Args.push_back(A);
  }
  return stackArgBytes(
      CB.getType(), Args, CB.getCallingConv(), CB.getFunctionType()->isVarArg(),
      ABIFeatures::of(*CB.getFunction()), CB.getModule()->getDataLayout());
}

std::optional<uint64_t> stackArgBytes(const Function &F) {
  SmallVector<ArgABI, 16> Args;
  for (const Argument &Arg : F.args()) {
    ArgABI A;
    A.Ty = Arg.getType();
    if (Arg.hasByValAttr()) {
      A.ByValTy = Arg.getParamByValType();
      A.ByValAlign = Arg.getParamStackAlign();
      if (!A.ByValAlign)
        A.ByValAlign = Arg.getParamAlign();
    }
    A.Nest = Arg.hasNestAttr();
    A.Unsupported =
        hasUnsupportedABIAttr(F.getAttributes().getParamAttrs(Arg.getArgNo()));
    Args.push_back(A);
  }
  return stackArgBytes(F.getReturnType(), Args, F.getCallingConv(),
                       F.isVarArg(), ABIFeatures::of(F),
                       F.getParent()->getDataLayout());
}

} // namespace gs

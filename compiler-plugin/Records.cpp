//===- Records.cpp - function records and the module descriptor -----------===//

#include "Records.h"

#include "Protocol.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;

namespace gs {

GlobalVariable *getSectionBound(Module &M, StringRef Name) {
  if (GlobalVariable *GV = M.getNamedGlobal(Name))
    return GV;
  auto *GV = new GlobalVariable(M, Type::getInt8Ty(M.getContext()),
                                /*isConstant=*/false,
                                GlobalValue::ExternalLinkage, nullptr, Name);
  // Hidden: each executable or shared object has its own bounds, reached
  // PC-relative.
  GV->setVisibility(GlobalValue::HiddenVisibility);
  GV->setDSOLocal(true);
  return GV;
}

GlobalVariable *getModuleDescriptor(Module &M) {
  if (GlobalVariable *GV = M.getNamedGlobal(ModuleDescriptor))
    return GV;
  LLVMContext &Ctx = M.getContext();
  Type *I32 = Type::getInt32Ty(Ctx);
  auto *Ptr = PointerType::get(Ctx, 0);
  StructType *ModTy = StructType::getTypeByName(Ctx, "gs_module");
  if (!ModTy)
    ModTy = StructType::create(
        Ctx, {I32, I32, Ptr, Ptr, Ptr, Ptr, ArrayType::get(Ptr, 2)},
        "gs_module");

  Constant *Init = ConstantStruct::get(
      ModTy, {ConstantInt::get(I32, ModuleVersion), ConstantInt::get(I32, 0),
              getSectionBound(M, RecordStart), getSectionBound(M, RecordStop),
              getSectionBound(M, TextStart), getSectionBound(M, TextStop),
              ConstantAggregateZero::get(ArrayType::get(Ptr, 2))});
  // Writable (runtime_private), hidden, one per linked object. Being
  // writable also keeps LLVM from folding the indirect-call test's loads of
  // the text bounds back into the symbols' addresses (CallRedirect.cpp).
  auto *Desc = new GlobalVariable(M, ModTy, /*isConstant=*/false,
                                  GlobalValue::LinkOnceODRLinkage, Init,
                                  ModuleDescriptor);
  Desc->setVisibility(GlobalValue::HiddenVisibility);
  Desc->setComdat(M.getOrInsertComdat(ModuleDescriptor));
  Desc->setAlignment(Align(8));
  return Desc;
}

namespace {

/// A symbol for F's address that the assembler resolves to a section offset.
/// For a global F a PC-relative reference to F itself would need a
/// relocation against a symbol that may be preempted, which a shared object
/// cannot have; a private alias (`.set .L__gs_local.f, f`) is resolved
/// against F's section instead.
Constant *localAddress(Function &F) {
  if (F.hasLocalLinkage())
    return &F;
  auto *GA = GlobalAlias::create(
      F.getValueType(), 0, GlobalValue::PrivateLinkage,
      "__gs_local." + GlobalValue::dropLLVMManglingEscape(F.getName()), &F,
      F.getParent());
  return GA;
}

} // namespace

void RecordEmitter::addRecord(Function &F, uint32_t Flags) {
  LLVMContext &Ctx = M.getContext();
  Type *I32 = Type::getInt32Ty(Ctx);
  Type *I64 = Type::getInt64Ty(Ctx);
  auto *RecTy = StructType::get(I32, I32, I32, I32);
  StringRef Name = GlobalValue::dropLLVMManglingEscape(F.getName());

  auto *Rec = new GlobalVariable(M, RecTy, /*isConstant=*/true,
                                 GlobalValue::PrivateLinkage, nullptr,
                                 "__gs_rec." + Name);
  Rec->setSection(RecordSection);
  Rec->setAlignment(Align(8));
  Comdat *C = F.getComdat();
  if (C)
    Rec->setComdat(C);

  // A field's value relative to its own address: &Target - &rec.field.
  auto Relative = [&](Constant *Target, unsigned Field) {
    Constant *FieldAddr = ConstantExpr::getInBoundsGetElementPtr(
        RecTy, Rec,
        ArrayRef<Constant *>{ConstantInt::get(I32, 0),
                             ConstantInt::get(I32, Field)});
    return ConstantExpr::getTrunc(
        ConstantExpr::getSub(ConstantExpr::getPtrToInt(Target, I64),
                             ConstantExpr::getPtrToInt(FieldAddr, I64)),
        I32);
  };

  // Pinned functions are named in the runtime's messages. The string is
  // private (resolved by the assembler, no dynamic relocation), read-only,
  // and in the function's COMDAT group like the record that points to it.
  Constant *NameRel = ConstantInt::get(I32, 0);
  if (Flags & RecPinned) {
    Constant *Str = ConstantDataArray::getString(Ctx, Name);
    auto *NameGV = new GlobalVariable(M, Str->getType(), /*isConstant=*/true,
                                      GlobalValue::PrivateLinkage, Str,
                                      "__gs_name." + Name);
    NameGV->setUnnamedAddr(GlobalValue::UnnamedAddr::Global);
    NameGV->setAlignment(Align(1));
    if (C)
      NameGV->setComdat(C);
    NameRel = Relative(NameGV, RecordNameField);
  }

  Rec->setInitializer(ConstantStruct::get(
      RecTy, {Relative(localAddress(F), 0), ConstantInt::get(I32, Flags),
              NameRel, ConstantInt::get(I32, 0)}));
  Records.push_back(Rec);
}

void RecordEmitter::emitModuleRegistration() {
  if (Records.empty())
    return;
  // Nothing refers to the records by name: keep them through codegen.
  appendToCompilerUsed(M, Records);

  LLVMContext &Ctx = M.getContext();
  auto *Ptr = PointerType::get(Ctx, 0);
  GlobalVariable *Desc = getModuleDescriptor(M);

  // Constructor and destructor share the COMDAT group gs.module_ctor, and so
  // do their .init_array/.fini_array entries (the associated-data field of
  // llvm.global_ctors), so every executable or shared object registers once.
  Comdat *CtorGroup = M.getOrInsertComdat(ModuleCtor);
  auto MakeCallFn = [&](StringRef Name, StringRef Callee) {
    Function *Fn =
        Function::Create(FunctionType::get(Type::getVoidTy(Ctx), false),
                         GlobalValue::LinkOnceODRLinkage, Name, M);
    Fn->setVisibility(GlobalValue::HiddenVisibility);
    Fn->setComdat(CtorGroup);
    Fn->addFnAttr(Attribute::NoUnwind);
    Fn->addFnAttr(Attribute::NoInline);
    IRBuilder<> B(BasicBlock::Create(Ctx, "", Fn));
    B.CreateCall(M.getOrInsertFunction(Callee, Type::getVoidTy(Ctx), Ptr),
                 {Desc});
    B.CreateRetVoid();
    return Fn;
  };
  Function *Ctor = MakeCallFn(ModuleCtor, RegisterFn);
  Function *Dtor = MakeCallFn(ModuleDtor, UnregisterFn);
  appendToGlobalCtors(M, Ctor, ModuleCtorPriority, Ctor);
  appendToGlobalDtors(M, Dtor, ModuleCtorPriority, Ctor);
}

} // namespace gs

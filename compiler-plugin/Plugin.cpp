//===- Plugin.cpp - registers GrowStackPass with the pass builder ---------===//
//
//   clang-19 -fpass-plugin=growstack-plugin.so ...   (every -O level)
//   opt-19 -load-pass-plugin=growstack-plugin.so -passes=growstack ...
//
// The pass runs at OptimizerLastEP: after inlining and every other IR
// transformation, so it sees the calls and frames that will be emitted. In
// LLVM 19 clang's -O0 pipeline (PassBuilder::buildO0DefaultPipeline) invokes
// the OptimizerLastEP callbacks too; tests/lit/pipeline-o0.c checks it.
// It is not registered for the (Thin)LTO link pipelines, and gscc refuses
// -flto: see docs/plugin.md.
//
//===----------------------------------------------------------------------===//

#include "GrowStack.h"

#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;

extern "C" LLVM_ATTRIBUTE_WEAK
    LLVM_ATTRIBUTE_VISIBILITY_DEFAULT PassPluginLibraryInfo
    llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "growstack", "0.1", [](PassBuilder &PB) {
            PB.registerOptimizerLastEPCallback(
                [](ModulePassManager &MPM, OptimizationLevel) {
                  MPM.addPass(gs::GrowStackPass());
                });
            PB.registerPipelineParsingCallback(
                [](StringRef Name, ModulePassManager &MPM,
                   ArrayRef<PassBuilder::PipelineElement>) {
                  if (Name != "growstack")
                    return false;
                  MPM.addPass(gs::GrowStackPass());
                  return true;
                });
          }};
}

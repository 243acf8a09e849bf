//===- VarargShell.h - variadic definitions on growable stacks --*- C++ -*-===//
//
// The x86-64 backend refuses split-stack variadic functions. So each variadic
// definition F is split (docs/protocol.md 2.2):
//
//   F               the *shell*: keeps F's name, type, linkage, visibility,
//                   COMDAT and attributes; no prologue check. It does
//                   va_start into a va_list in its frame, calls the body with
//                   its fixed arguments and a pointer to that va_list, does
//                   va_end and returns the body's result. It is placed in
//                   growstack_text with a record (GS_REC_VASHELL) and a frame
//                   pointer, so the runtime's frame walk knows it and a
//                   contiguous move copies and relocates it like any frame.
//   __gs_va.F       the *body*: F's code, internal, not variadic: F's fixed
//                   parameters plus `ptr %va` (marked with the parameter
//                   attribute VaListParamAttr, for the escape analysis: it
//                   points to a va_list on the moving stack, protocol.md
//                   7.1). Where the body's one va_start runs at most once a
//                   call and its va_list is only read, passed on and ended,
//                   that va_list *is* *%va (no local, no copy); otherwise each
//                   va_start(ap) became a field-by-field copy of *%va into ap
//                   (what va_copy does, without its store-forwarding stall).
//                   It is an ordinary
//                   function: instrumented
//                   (split-stack) when eligible.
//
// Invariants:
//  - The shell's frame is bounded: register save area (176 bytes), its
//    va_list, a frame pointer and at most MaxShellStackArgBytes of outgoing
//    stack arguments for the body. It runs without a check below its caller's
//    checked frame, inside the guard slack GS_STACK_GUARD (measured by
//    tests/e2e/variadic_shell_frame.c).
//  - The shell never tail-calls the body (the va_list lives in its frame).
//  - The shell never modifies its va_list after va_start, so every copy in the
//    body starts at the first variadic argument (va_start twice works). A
//    body that uses *%va itself advances it, which is why it may only where
//    its va_start cannot run twice (not in a cycle, no setjmp in the body).
//  - A function is split only when the body can be exactly F's code: no
//    musttail calls, no blockaddress, no frame/return-address intrinsics (they
//    would see the shell), no GC, prefix or prologue data, not naked and not
//    opted out. Others stay unsplit and uninstrumented (system stack).
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_VARARGSHELL_H
#define GROWSTACK_VARARGSHELL_H

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/IR/PassManager.h"

namespace llvm {
class Function;
class Module;
} // namespace llvm

namespace gs {

/// The string attribute of a body's last parameter (the shell's va_list).
inline constexpr llvm::StringLiteral VaListParamAttr = "growstack-va-list";

/// Shell -> body, in module order.
using VarargShells = llvm::MapVector<llvm::Function *, llvm::Function *>;

/// Split every variadic definition of M that can be split (see above);
/// OptOut functions are left alone. Emits a missed remark for each variadic
/// definition that is not split, saying why.
VarargShells splitVariadicDefinitions(llvm::Module &M,
                                      const llvm::SmallPtrSetImpl<llvm::Function *> &OptOut,
                                      llvm::FunctionAnalysisManager &FAM);

/// Gives an eligible shell what the runtime's frame walk needs ("frame-pointer"
/// "all"); the caller places it in growstack_text and records it.
void instrumentShell(llvm::Function &Shell);

} // namespace gs

#endif // GROWSTACK_VARARGSHELL_H

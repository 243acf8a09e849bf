//===- FrameAnalysis.h - what a frame needs from the runtime ---*- C++ -*-===//
//
// gs::analyzeFrame answers, for one function, the questions that decide its
// side frame (protocol.md 7.1) and its function record (2.1): which locals'
// addresses may leave the frame, which of them can live on the side stack
// and which escapes pin the frame (GS_REC_ESCAPE), whether it allocates
// dynamically (GS_REC_DYNALLOCA) or computes with x87 long doubles
// (GS_REC_X87), and how large its static allocas are (the 2 GiB limit of
// section 2).
//
// "Local" means stack memory a move of the stack relocates: every alloca,
// byval/inalloca/preallocated/sret arguments (they live in the caller's
// frame) and the results of llvm.stacksave.
//
// Invariants:
//  - Sound for the IR it understands: if a local's address can reach memory
//    that is not a local of this frame, a callee that may keep it, a
//    ptrtoint, a return, an atomic store/cmpxchg/xchg or inline asm, that
//    local escapes. Anything the analysis does not understand is an escape
//    of the locals it sees.
//  - Closed: a local whose address may be stored in an escaping local
//    escapes too (code outside the frame can read it there), and memory
//    outside the frame ("unknown") includes every escaping local.
//  - Storing a local's address into another local is not by itself an
//    escape: at -O0 `int *p = &x; *p = 1;` is a store of &x into p's alloca.
//  - Passing a va_list (an alloca of the va_list type, or a variadic body's
//    shell va_list) to a call is not an escape, for any callee: in C the
//    callee uses it only through va_arg/va_copy/va_end during the call
//    (protocol.md 7.1, which names the residual risk). A local holding a
//    va_list, or addresses of the variadic argument areas, never goes to the
//    side stack: if it escapes otherwise, the frame is pinned.
//  - An escape the side stack cannot take (llvm.frameaddress and friends,
//    an escaping dynamic alloca, stacksave result, sret/inalloca/
//    preallocated argument, an alignment above 4096, no fixed point) pins
//    the frame; then no side frame is built and the locals stay.
//  - The analysis never modifies the module (library attributes it infers at
//    -O0 live in a scratch module, see CaptureOracle).
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_FRAMEANALYSIS_H
#define GROWSTACK_FRAMEANALYSIS_H

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/Attributes.h"

#include <cstdint>
#include <memory>

namespace llvm {
class CallBase;
class Function;
class Instruction;
class Module;
class TargetLibraryInfo;
class Value;
} // namespace llvm

namespace gs {

/// How a callee treats a pointer argument.
enum class ArgCapture {
  May,          // may keep a copy of the pointer anywhere
  OnlyReturned, // gives it (or a pointer into its pointee) back only as its
                // return value (strcpy's dst, strchr's s)
  IntoArg,      // stores it (or a pointer into its pointee) only into the
                // pointee of another argument (strtol's nptr into *endptr)
  None,         // keeps no copy (nocapture, byval, sret)
};

struct ArgUse {
  ArgCapture Capture = ArgCapture::May;
  /// Not only the pointer: nothing reachable through it is kept either
  /// (writev's iovecs and their buffers). Otherwise a local whose address is
  /// stored in the pointee may be copied out by the callee and escapes.
  bool Deep = false;
  /// IntoArg: the argument through which it is stored.
  unsigned Target = 0;
};

/// Which callee parameters keep no copy of the pointer they receive. Uses the
/// call's and callee's attributes, for C library functions recognized by
/// TargetLibraryInfo the attributes LLVM's InferFunctionAttrs would add (at
/// -O0 that pass has not run, and without it `strlen(buf)` would escape),
/// and the table of C library and POSIX functions in LibCalls.h.
class CaptureOracle {
public:
  explicit CaptureOracle(llvm::Module &M);
  ~CaptureOracle();

  ArgUse argUse(const llvm::CallBase &CB, unsigned ArgNo,
                const llvm::TargetLibraryInfo &TLI);

private:
  const llvm::AttributeList *libFuncAttrs(const llvm::CallBase &CB,
                                          const llvm::TargetLibraryInfo &TLI);

  llvm::Module &M;
  std::unique_ptr<llvm::Module> Scratch; // holds inferred library prototypes
  llvm::DenseMap<const llvm::Function *, llvm::AttributeList> LibAttrs;
};

/// Why a frame must stay pinned although the side stack exists (7.1); each
/// has a statistic and a remark.
enum class PinReason {
  None,
  FrameAddress,  // llvm.frameaddress, sponentry, addressofreturnaddress,
                 // localescape: offsets from the frame reach any local
  DynamicAlloca, // an escaping VLA/alloca() or llvm.stacksave result
  ArgumentSlot,  // an escaping sret/inalloca/preallocated argument, or an
                 // escaping byval argument in a function with a musttail
                 // call (the copy could not be forwarded)
  OverAligned,   // an escaping local aligned to more than 4096 bytes
  NoFixedPoint,  // the analysis did not converge
};

/// A local whose address may escape and that can live on the side stack:
/// a static alloca (llvm::AllocaInst) or a byval argument (llvm::Argument).
struct SideLocal {
  llvm::Value *Local = nullptr;
  const llvm::Instruction *Site = nullptr; // where it first escapes
  const char *Why = nullptr;               // how ("passed to a callee...")
};

struct FrameFacts {
  /// An escape the side stack cannot take: the frame is pinned
  /// (GS_REC_ESCAPE), and SideLocals is empty.
  PinReason Pin = PinReason::None;
  const llvm::Instruction *PinSite = nullptr;
  const char *PinWhy = nullptr;
  /// Escaping static allocas and byval arguments, arguments first, then
  /// allocas in instruction order.
  llvm::SmallVector<SideLocal, 4> SideLocals;
  /// Dynamic allocas: VLAs, alloca() (GS_REC_DYNALLOCA).
  bool HasDynamicAlloca = false;
  /// An x87 long double may sit in a moving-stack slot the backend writes
  /// while a callee runs (GS_REC_X87): a value of x86_fp80 live across a
  /// call (x87 registers are caller-saved, so it is spilled), an x86_fp80
  /// argument passed in the outgoing area, or one in memory that cannot
  /// move to the side stack. A long double takes 10 bytes of a 16-byte slot;
  /// the other 6 keep whatever was there, often the upper bytes of an old
  /// stack address, so the 8-byte word holding the exponent can look like a
  /// pointer into the stack and the conservative word scan would "relocate"
  /// it: such frames are pinned. Long doubles only computed in registers, or
  /// held in locals (which then move to the side stack, never scanned), pin
  /// nothing.
  bool X87Hazard = false;
  const llvm::Instruction *X87Site = nullptr;
  /// The function computes with x86_fp80 at all (before the narrowing
  /// above; for statistics).
  bool UsesX87 = false;
};

/// An inline asm whose template is empty (blanks only) and that has no
/// output, the compiler barrier `asm volatile("" : : "r"(p) : "memory")` of
/// benchmark::DoNotOptimize and the like: it runs no instruction, so it keeps
/// no address and writes no byte, whatever its inputs and clobbers tell the
/// compiler (the escape analysis and ZeroLocals ignore it). With an output it
/// could hand back an input (a tied "+r"(p)) or a register the compiler left
/// anything in: not this case.
bool isEmptyAsmBarrier(const llvm::CallBase &CB);

/// Bytes of F's static allocas (with alignment padding), saturating at
/// UINT64_MAX: the part of the frame known before code generation.
uint64_t staticAllocaBytes(const llvm::Function &F);

FrameFacts analyzeFrame(llvm::Function &F, const llvm::TargetLibraryInfo &TLI,
                        CaptureOracle &Oracle);

} // namespace gs

#endif // GROWSTACK_FRAMEANALYSIS_H

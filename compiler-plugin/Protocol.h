//===- Protocol.h - names and numbers shared with the runtime ---*- C++ -*-===//
//
// Every symbol, section and constant the plugin emits that some other part of
// growstack (gscc, arch/x86_64, runtime/) relies on. docs/protocol.md is the
// contract; the section numbers below point into it. Changing anything here
// is a protocol change.
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_PROTOCOL_H
#define GROWSTACK_PROTOCOL_H

#include "llvm/ADT/StringRef.h"

#include <cstdint>

namespace gs {

// Section 2: instrumented code lives in one section whose name is a C
// identifier, so the linker defines __start_/__stop_ for it.
inline constexpr llvm::StringLiteral TextSection = "growstack_text";
inline constexpr llvm::StringLiteral TextStart = "__start_growstack_text";
inline constexpr llvm::StringLiteral TextStop = "__stop_growstack_text";

// Section 2.1: function records.
inline constexpr llvm::StringLiteral RecordSection = "gs_records";
inline constexpr llvm::StringLiteral RecordStart = "__start_gs_records";
inline constexpr llvm::StringLiteral RecordStop = "__stop_gs_records";

/// struct gs_record (runtime/records.h), 16 bytes, 8-aligned in its section:
///   { i32 func; u32 flags; i32 name; u32 reserved; }
/// func and name are relative to the address of their own field.
inline constexpr unsigned RecordBytes = 16;
inline constexpr unsigned RecordNameField = 2; // index of `name`

/// struct gs_record.flags (runtime/records.h).
enum RecordFlag : uint32_t {
  RecPinned = 1u << 0,    // a live frame must never be moved
  RecEscape = 1u << 1,    // an escape the side stack cannot take (why pinned)
  RecSetjmp = 1u << 2,    // calls a returns_twice function outside the
                          // setjmp family (why pinned)
  RecDynAlloca = 1u << 3, // VLAs / alloca()
  RecX87 = 1u << 4,       // holds x87 long doubles in its frame (why pinned)
  RecSide = 1u << 5,      // has a side frame (section 7); informational
  RecJmpbuf = 1u << 6,    // registers its setjmp buffers (7.3); informational
  RecVaShell = 1u << 7,   // a variadic shell (section 2.2): no check of its own
};
/// The flags that make a frame pinned (section 2.1).
inline constexpr uint32_t RecPinReasons = RecEscape | RecSetjmp | RecX87;

/// Section 2.2: the most stack bytes a variadic shell's call of its body may
/// pass (the shell runs unchecked in the guard slack; GS_STACK_GUARD counts
/// its frame: tests/e2e/variadic_shell_frame.c measures it).
inline constexpr uint64_t MaxShellStackArgBytes = 64;

/// struct gs_module.version: the layout of the module descriptor and of the
/// records it points to,
///   { u32 version; u32 reserved; const gs_record *rec_begin, *rec_end;
///     const char *text_begin, *text_end; void *runtime_private[2]; }
inline constexpr uint32_t ModuleVersion = 2;
/// Field indices of text_begin and text_end in the descriptor.
inline constexpr unsigned ModuleTextBeginField = 4;
inline constexpr unsigned ModuleTextEndField = 5;
inline constexpr llvm::StringLiteral ModuleDescriptor = "gs.module";
inline constexpr llvm::StringLiteral ModuleCtor = "gs.module_ctor";
inline constexpr llvm::StringLiteral ModuleDtor = "gs.module_dtor";
inline constexpr llvm::StringLiteral RegisterFn = "gs_records_register";
inline constexpr llvm::StringLiteral UnregisterFn = "gs_records_unregister";
/// Records must be registered before any user constructor (which may already
/// start coroutines): like the sanitizers' module constructors, priority 1.
inline constexpr int ModuleCtorPriority = 1;

// Section 4: calls that leave instrumented code.
/// Prefix of every symbol the plugin and gscc generate; calls to such symbols
/// are never redirected again.
inline constexpr llvm::StringLiteral ReservedPrefix = "__gs_";
/// `__gs_x<N>.<callee>`, `__gs_x.<callee>` when N is 0.
inline constexpr llvm::StringLiteral ExternalThunkPrefix = "__gs_x";
/// `__gs_ic<N>`: movl $N, %r11d; jmp __gs_tramp_icall.
inline constexpr llvm::StringLiteral IndirectStubPrefix = "__gs_ic";
inline constexpr llvm::StringLiteral Trampoline = "__gs_tramp";
inline constexpr llvm::StringLiteral IndirectTrampoline = "__gs_tramp_icall";

/// Section 4, item 1: callees that run directly on the coroutine stack although
/// they are not instrumented: leaf routines measured to fit in the guard
/// slack, the setjmp family (they must run on the stack they save/restore)
/// and the runtime's on-stack entry points.
inline constexpr llvm::StringLiteral DefaultAllowlist[] = {
    "memcpy",          "memmove",         "memset",    "memcmp",   "memchr",
    "strlen",          "strnlen",         "strcmp",    "strncmp",  "strchr",
    "strrchr",         "strcpy",          "strncpy",
    // LLVM turns memcmp(...) == 0 into bcmp; the generic strspn/strcspn/
    // strpbrk keep a 256-byte table on the stack (304-320 bytes measured).
    "bcmp",            "strspn",          "strcspn",   "strpbrk",  "strchrnul",
    "memrchr",         "rawmemchr",       "stpcpy",
    // <ctype.h>'s macros and errno: they return a thread-local address.
    "__ctype_b_loc",   "__ctype_tolower_loc", "__ctype_toupper_loc",
    "__errno_location",
    "setjmp",          "_setjmp",
    "sigsetjmp",       "__sigsetjmp",     "longjmp",   "_longjmp", "siglongjmp",
    "__longjmp_chk",   "gs_yield",        "gs_resume", "gs_join",  "gs_self",
    "gs_stack_resync", "gs_in_coroutine", "__gs_dyn_mark", "__gs_dyn_release",
    "__gs_dyn_frame_exit", "__morestack_allocate_stack_space",
    "__gs_side_alloc", "gs_fp_private",
    // The blocking calls (runtime/block_calls.h, GS_BLOCKING): they park the
    // coroutine on its own stack (docs/netpoll.md). tests/runtime/
    // blocking_allowlisted checks this list against the runtime's.
    "gs_sleep", "gs_sleep_until", "gs_chan_send", "gs_chan_recv", "gs_select",
    "gs_mutex_lock", "gs_cond_wait", "gs_wg_wait", "gs_read", "gs_write",
    "gs_recv", "gs_send", "gs_accept", "gs_connect", "gs_wait_fd",
};

/// Section 6.2: called before every write of the FP control state (FpControl.h).
inline constexpr llvm::StringLiteral FpPrivateFn = "gs_fp_private";
/// The C library functions that change MXCSR or the x87 control word and
/// leave them changed (glibc's <fenv.h>; fesetexcept and feraiseexcept change
/// only status flags, which the ABI does not preserve across calls).
inline constexpr llvm::StringLiteral FpControlWriters[] = {
    "fesetround",     "fesetenv",        "feupdateenv", "feholdexcept",
    "feenableexcept", "fedisableexcept", "fesetmode",
};

/// Called right after every call to a returns_twice function (section 5.6).
inline constexpr llvm::StringLiteral ResyncFn = "gs_stack_resync";

/// Section 5.5: lifetimes of heap blocks that back VLAs/alloca when they do not
/// fit below the guard. mark after llvm.stacksave, release after the matching
/// llvm.stackrestore, frame_exit before each return of a function with dynamic
/// allocas.
inline constexpr llvm::StringLiteral DynMarkFn = "__gs_dyn_mark";
inline constexpr llvm::StringLiteral DynReleaseFn = "__gs_dyn_release";
inline constexpr llvm::StringLiteral DynFrameExitFn = "__gs_dyn_frame_exit";

/// Section 7.2: the side stack. Per thread, initial-exec TLS, defined by the
/// runtime: struct gs_side { char *sp; char *lim; struct gs_jb_node *jb; }.
inline constexpr llvm::StringLiteral SideState = "__gs_side";
inline constexpr unsigned SideSpField = 0;
inline constexpr unsigned SideLimField = 1;
inline constexpr unsigned SideJbField = 2;
/// void *__gs_side_alloc(size_t size, size_t align): the slow path.
inline constexpr llvm::StringLiteral SideAllocFn = "__gs_side_alloc";
/// A side frame's size is a multiple of, and its alignment at least,
/// MinSideAlign; alignments above MaxSideAlign are not provided (the local
/// pins its frame instead).
inline constexpr uint64_t MinSideAlign = 16;
inline constexpr uint64_t MaxSideAlign = 4096;
/// SIZE + ALIGN of a side frame must stay below this (a compile error).
inline constexpr uint64_t MaxSideFrameBytes = uint64_t(1) << 31;
/// A side frame of fewer bytes than this, aligned to MinSideAlign, is small:
/// it is checked with one compare and its exits restore {base + SIZE, the lim
/// after its setup} (section 7.2). GS_SIDE_SMALL in arch/x86_64/gs_arch.h, the
/// runtime's half of the rule (lit side-small-frame.c checks the boundary).
inline constexpr uint64_t SmallSideFrameBytes = 4096;

/// Section 7.3: the functions whose buffers the runtime relocates. A call
/// to any other returns_twice function pins its frame (GS_REC_SETJMP).
/// struct gs_jb_node { gs_jb_node *prev; u64 count; void *buf[count]; }.
inline constexpr llvm::StringLiteral SetjmpFamily[] = {
    "setjmp", "_setjmp", "sigsetjmp", "__sigsetjmp"};
inline constexpr unsigned JbNodeHeaderBytes = 16;

/// The opt-out: __attribute__((annotate("growstack_nosplit"))), GS_NOSPLIT in
/// growstack.h. The same string as a function attribute is honoured too.
inline constexpr llvm::StringLiteral OptOutAnnotation = "growstack_nosplit";

/// Section 5.3, item 3: gscc has clang zero locals of up to this many bytes
/// (-ftrivial-auto-var-init=zero -ftrivial-auto-var-init-max-size=N); the
/// plugin zeroes what the relocation needs of larger ones (ZeroLocals.h).
/// The same number as GROWSTACK_AUTO_INIT_MAX_SIZE in CMakeLists.txt.
inline constexpr uint64_t AutoInitMaxSize = GS_AUTO_INIT_MAX_SIZE;

/// Frames this large cannot be checked by the prologue (section 2).
inline constexpr uint64_t MaxFrameBytes = uint64_t(1) << 31;

} // namespace gs

#endif // GROWSTACK_PROTOCOL_H

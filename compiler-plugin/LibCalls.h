//===- LibCalls.h - C library calls that keep no pointer --------*- C++ -*-===//
//
// The escape analysis (FrameAnalysis.cpp, protocol.md 7.1) asks, for every
// pointer a function passes to a callee, whether the callee may keep it.
// Attributes answer for most calls: `nocapture` (clang emits it for
// __attribute__((noescape))), and at -O0 what InferFunctionAttrs would add for
// the C library functions LLVM knows. This table covers C library and POSIX
// functions LLVM does not describe (clock_gettime, poll, recv, sigaction...),
// and the pointer-returning string functions whose result LLVM cannot mark
// `returned` (strchr returns a pointer *into* its argument).
//
// Every entry was checked against the function's documented semantics
// (POSIX.1-2017, the Linux man pages, glibc 2.36): a pointer argument marked
// here is not stored anywhere the function or the kernel reads after the
// call returns. Functions that do keep a pointer are absent on purpose
// (docs/plugin.md lists them: setvbuf, fmemopen, open_memstream, putenv,
// pthread_setspecific, pthread_attr_setstack, qsort/bsearch (the callback
// sees the array), ioctl/fcntl/prctl (some requests register user memory)).
//
// Invariants:
//  - The table only ever says less than "may keep": it is consulted only
//    when the call's own attributes say the callee may capture.
//  - It applies only to calls of a declaration (the definition is not in the
//    module) whose prototype has exactly the listed number of fixed
//    parameters, each listed pointer parameter being a pointer, and only
//    when the caller does not carry "no-builtins" / "no-builtin-<name>"
//    (-fno-builtin, -ffreestanding: the name may not be the C library's).
//
//===----------------------------------------------------------------------===//

#ifndef GROWSTACK_LIBCALLS_H
#define GROWSTACK_LIBCALLS_H

namespace llvm {
class CallBase;
}

namespace gs {

/// What a known C library function does with one pointer argument.
enum class LibArg {
  Unknown,  // not described: it may keep the pointer
  Flat,     // keeps no copy; reads/writes the pointee's bytes. Pointers
            // stored in the pointee may be kept (epoll_ctl's data.ptr,
            // sigaltstack's ss_sp, timer_create's sival_ptr): they escape.
  Deep,     // keeps nothing reachable through it; reads and writes what it
            // reaches as data (writev's iovec array and its buffers,
            // sendmsg's msghdr, execve's argv)
  Returned, // returns it or a pointer into its pointee, keeps no other copy
            // (strchr, memchr, fgets, localtime_r's result)
  IntoArg,  // stores a pointer into its pointee through another pointer
            // argument (strtol's nptr into *endptr), keeps no other copy
};

struct LibArgInfo {
  LibArg Kind = LibArg::Unknown;
  unsigned Target = 0; // IntoArg: the argument written through
};

/// How the callee of CB treats argument ArgNo according to the table;
/// Unknown if CB's callee is not in it or the prototype does not match.
LibArgInfo libCallArg(const llvm::CallBase &CB, unsigned ArgNo);

} // namespace gs

#endif // GROWSTACK_LIBCALLS_H

/* gs_libc_leaves.h - C library functions that an external thunk may call
 * straight on the coroutine stack when the stack has room for them
 * (docs/protocol.md 4.1a), with the room each one needs.
 *
 * Read by gscc (the thunk archive: compiler-plugin/gscc/elf.cpp) and by the
 * runtime's test of the figures (tests/runtime/libc_stack_use.c). One list,
 * both sides.
 *
 * Invariants:
 *  - BYTES is at least the deepest stack write below the caller's %rsp that the
 *    function makes on any path, its slow paths and error reports included
 *    (malloc's "double free detected" reports and its own assertions, such as
 *    sysmalloc's on a corrupted top chunk, end in __libc_message and abort():
 *    no stdio, no gettext). tests/runtime/libc_stack_use measures each
 *    function on every path it can reach (fresh arena, mmap, sbrk, trim,
 *    consolidation, mremap, every error report) and fails if a measurement
 *    exceeds BYTES. GS_STACK_GUARD more bytes lie below the guard, untouched
 *    by the thunk's test: the real room is BYTES + 768.
 *  - The figures hold for the C library they were measured on: the runtime
 *    lets a thunk use them only when gnu_get_libc_version() is
 *    GS_LIBC_LEAVES_VERSION and the function's address lies in the text of
 *    that libc.so.6, and no Valgrind preload object is loaded (an interposed
 *    malloc, Valgrind's replacement, which Valgrind reaches by redirecting
 *    libc's own address, a static link: the thunk always takes the
 *    system-stack trampoline).
 *  - Only functions whose every path is bounded and measured: not
 *    pthread_mutex_lock, whose assertion (a corrupted mutex) goes through
 *    __assert_fail, vfprintf and gettext, which may load a message catalogue
 *    and a gconv module with the program's locale (10.5 KiB measured in the
 *    C locale; unbounded by anything we can measure here).
 *  - None of them calls back into the program or yields; none takes stack
 *    arguments (N = 0) or is variadic.
 *  - Without BYTES of room the thunk asks __morestack_leaf to grow the stack
 *    as a prologue with a frame of BYTES would (protocol.md 4.1a): a fixed
 *    stack's watermark, a contiguous move; never a segment, never an overflow
 *    report. It tests the room once more and calls the function directly or
 *    through the system-stack trampoline. BYTES is thus also a growth request:
 *    a figure larger than needed makes stacks grow earlier, not only calls
 *    take the trampoline.
 *
 * Measured on glibc 2.36 (Debian 12), x86-64, 2026-12-04 (bytes below the
 * caller's %rsp, worst path; tests/runtime/libc_stack_use prints them):
 * malloc 344 (sbrk), free 344 (trim), realloc 456, calloc 328,
 * malloc_usable_size 168, posix_memalign 424, malloc/free/realloc error
 * reports 728, sysmalloc's assertion (corrupted top) 968. BYTES = 1536 (the
 * worst figure + 58 %), and GS_STACK_GUARD's 768 bytes lie below it.
 */
#ifndef GS_LIBC_LEAVES_H
#define GS_LIBC_LEAVES_H

#define GS_LIBC_LEAVES_VERSION "2.36"

/* X(name, bytes) */
#define GS_LIBC_LEAVES(X)              \
    X(malloc, 1536)                    \
    X(free, 1536)                      \
    X(calloc, 1536)                    \
    X(realloc, 1536)                   \
    X(malloc_usable_size, 1536)        \
    X(posix_memalign, 1536)            \
    X(aligned_alloc, 1536)

#endif /* GS_LIBC_LEAVES_H */

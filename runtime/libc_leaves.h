/* libc_leaves.h - which C library the thunks of measured functions may call on
 * the coroutine stack (docs/protocol.md 4.1a, arch/x86_64/gs_libc_leaves.h).
 *
 * Invariants:
 *  - [gs_libc_leaves_text_lo, gs_libc_leaves_text_hi) is the executable text of the loaded
 *    libc.so.6 when gnu_get_libc_version() is GS_LIBC_LEAVES_VERSION (the C
 *    library gs_libc_leaves.h's figures were measured on) and the program
 *    does not run under Valgrind (RUNNING_ON_VALGRIND, or a vgpreload_*.so
 *    loaded: Valgrind redirects libc's malloc at its own address), and empty
 *    (0, 0) otherwise: another version, a static link, Valgrind, or before
 *    the first module registered. __gs_thunk_resolve_leaf (arch/x86_64/tramp_*.S) reads it
 *    without locks; it is written once, before any module's code runs.
 */
#ifndef GS_LIBC_LEAVES_RUNTIME_H
#define GS_LIBC_LEAVES_RUNTIME_H

#include <stdint.h>

extern uintptr_t gs_libc_leaves_text_lo, gs_libc_leaves_text_hi;

/* Find the text of the trusted C library, once (gs_records_register calls it
 * from the first module's constructor). */
__attribute__((visibility("hidden"))) void gs_libc_leaves_init(void);

#endif

/* libc_leaves.h - which C library the thunks of measured functions may call on
 * the coroutine stack (docs/protocol.md 4.1a, arch/x86_64/gs_libc_leaves.h).
 *
 * Invariants:
 *  - [gs_libc_leaves_text_lo, gs_libc_leaves_text_hi) is the executable text of the loaded
 *    libc.so.6 when gnu_get_libc_version() is GS_LIBC_LEAVES_VERSION (the C
 *    library gs_libc_leaves.h's figures were measured on) and no Valgrind tool
 *    replaces malloc & co. (a vgpreload_<tool>.so other than vgpreload_core
 *    loaded: such a tool redirects libc's malloc at its own address), and
 *    empty (0, 0) otherwise: another version, a static link, memcheck and the
 *    other replacing tools, or before the first module registered. Under
 *    callgrind, cachegrind or none, which replace nothing, it is libc's text
 *    as in a run without Valgrind. __gs_thunk_resolve_leaf
 *    (arch/x86_64/tramp_*.S) reads it without locks; it is written once,
 *    before any module's code runs.
 */
#ifndef GS_LIBC_LEAVES_RUNTIME_H
#define GS_LIBC_LEAVES_RUNTIME_H

#include <stdint.h>

extern uintptr_t gs_libc_leaves_text_lo, gs_libc_leaves_text_hi;

/* Whether a Valgrind tool that replaces malloc & co. and tracks memory runs
 * the program (memcheck, helgrind, drd, massif, dhat: a vgpreload_<tool>.so
 * other than vgpreload_core is loaded); not callgrind, cachegrind or none.
 * Computed once. */
__attribute__((visibility("hidden"))) int gs_libc_leaves_valgrind_tool(void);

/* Find the text of the trusted C library, once (gs_records_register calls it
 * from the first module's constructor). */
__attribute__((visibility("hidden"))) void gs_libc_leaves_init(void);

#endif

/* e2e_paint.h - seeing which bytes below %rsp a call wrote, for the tests of
 * the measured C library functions' thunks (protocol.md 4.1a): libc_leaf_thunk
 * and libc_leaf_grow paint the bytes below %rsp, make the call, and read back
 * which changed (the function ran on the coroutine stack) or not (it ran on
 * the system stack, through the trampoline).
 *
 * E2E_SP_GUARD and E2E_PAINT_BELOW_SP are macros: %rsp must be the calling
 * frame's own, which a call into a helper would change. The caller makes calls
 * itself, so the compiler keeps nothing below its %rsp (no red zone use) and
 * %rsp does not move between the paint and the call. Include after e2e.h. */
#ifndef E2E_PAINT_H
#define E2E_PAINT_H

#include <limits.h>
#include <stdint.h>

#include "gs_libc_leaves.h"

/* The runtime's choice (hidden in the executable, visible to its objects). */
extern uintptr_t gs_libc_leaves_text_lo, gs_libc_leaves_text_hi;

#define E2E_LEAF(name, bytes) __attribute__((unused)) static const long leaf_bytes_##name = bytes;
GS_LIBC_LEAVES(E2E_LEAF)

#define PAINT 1024       /* bytes painted below the caller's %rsp */
#define RET_ADDR 16      /* written either way: the call's return address and,
                            without the room, that of the thunk's call of
                            __morestack_leaf, which decides (even when it
                            declines at once) before the trampoline runs */

/* %rsp and the guard slot %fs:0x70 (protocol.md 1) of the calling frame. */
#define E2E_SP_GUARD(sp, guard)                                                    \
    __asm__ volatile("movq %%rsp, %0\n\tmovq %%fs:0x70, %1" : "=r"(sp), "=r"(guard))

/* Fill the `len` bytes below the calling frame's %rsp with 0xa5. */
#define E2E_PAINT_BELOW_SP(len)                                                    \
    do {                                                                           \
        long e2e_len_ = (len);                                                     \
        __asm__ volatile("movq %%rsp, %%rdi\n\t"                                   \
                         "subq %%rcx, %%rdi\n\t"                                   \
                         "movb $0xa5, %%al\n\t"                                    \
                         "cld\n\t"                                                 \
                         "rep stosb"                                               \
                         : "+c"(e2e_len_) : : "rdi", "rax", "memory", "cc");       \
    } while (0)

/* How many bytes below sp may be painted: only the stack that exists, which
 * ends GS_STACK_GUARD (768) bytes below the guard (below it may be unmapped);
 * GROWSTACK_FORCE_MOVE sets the guard above %rsp (every check fails): nothing
 * then. A guard of 0 (the system stack) leaves PAINT. */
static inline long paint_len(unsigned char *sp, uintptr_t guard)
{
    if (!guard)
        return PAINT;
    if (guard >= (uintptr_t)sp)
        return 0;
    long avail = (long)((uintptr_t)sp - guard) + 768; /* GS_STACK_GUARD */
    return avail < PAINT ? avail : PAINT;
}

/* %rsp - guard, the room the thunk's test sees (LONG_MAX: guard 0). */
static inline long room_of(unsigned char *sp, uintptr_t guard)
{
    return !guard ? LONG_MAX : guard >= (uintptr_t)sp ? 0 : (long)((uintptr_t)sp - guard);
}

#endif

/* longjmp.c - a longjmp through a jmp_buf copy the runtime never saw.
 *
 * gscc links executables with -Wl,--wrap=longjmp, --wrap=_longjmp,
 * --wrap=siglongjmp and --wrap=__longjmp_chk (what longjmp becomes under
 * _FORTIFY_SOURCE): every call to them in the program's objects and archives
 * reaches the wrappers below. Instrumented code calls them directly, on the
 * stack the jump leaves (they are on the plugin's allowlist, protocol.md 4):
 * a wrapper's fast path uses no stack, its rare path about 100 bytes
 * (gs_stack_jmpbuf_moved_landing calls nothing), within the guard slack.
 *
 * A move relocates the buffers setjmp filled, which the runtime knows from
 * the setjmp call sites (protocol.md 7.3). A program that copies such a buffer
 * with memcpy and longjmps through the copy after the stack moved (bash saves
 * and restores its top_level buffer this way around every command it times,
 * evaluates or sources) hands longjmp the addresses of the stack as it was
 * when the copy was made. The wrapper carries them to where those frames are
 * now, in the buffer itself, before the C library's longjmp reads it
 * (gs_stack_jmpbuf_landing, stack.h: a move keeps every live word's depth from
 * the coroutine's base, and the stack remembers the places moves took it out
 * of). A buffer whose saved %rsp is on the stack already, or lies in no place
 * remembered, is left as it is: the landing's resync judges it (entry.c), and
 * reports a copy older than the places kept (GS_STACK_PLACES_KEPT).
 *
 * Like the move's relocation of callee-saved registers, the carrying is
 * conservative: a saved %rbx or %r12-%r15 that holds an integer equal to an
 * address of the old stack is changed too.
 *
 * This file is linked only through the wrappers, so programs linked without
 * the wraps never refer to the __real_ names.
 */
#include <setjmp.h>
#include <stdint.h>

#include "coro.h"
#include "stack.h"
#include "thread.h"

/* Declared here without noreturn, though none of them returns: clang-19
 * takes a musttail call (below) only of a function that may return (of a
 * noreturn one it crashes). */
void __real_longjmp(struct __jmp_buf_tag *env, int val);
void __real__longjmp(struct __jmp_buf_tag *env, int val);
void __real_siglongjmp(struct __jmp_buf_tag *env, int val);
void __real___longjmp_chk(struct __jmp_buf_tag *env, int val);
void __wrap_longjmp(struct __jmp_buf_tag *env, int val);
void __wrap__longjmp(struct __jmp_buf_tag *env, int val);
void __wrap_siglongjmp(struct __jmp_buf_tag *env, int val);
void __wrap___longjmp_chk(struct __jmp_buf_tag *env, int val);

/* Each wrapper ends in a jump to the C library's function, not a call
 * (musttail). A call would push a return address that nothing ever pops:
 * the processor predicts returns from a stack of the calls it has seen, and
 * one entry too many there makes the returns after the landing mispredict
 * (a longjmp already leaves the entries of the frames it skips). Measured on
 * Lua's coroutines, which longjmp at every yield (2026-12-07, the chain of
 * docs/realprog.md section 7, depth 2, 10^6 rounds, a build without the
 * plugin linked with a one-instruction wrapper): `call` 1.29x of no wrapper,
 * `jmp` 1.02x. runtime.longjmp_wrappers_jump checks the code. */
#define GS_TAIL_JUMP __attribute__((musttail)) return

/* The saved registers are the first words of glibc's struct __jmp_buf_tag
 * (gs_arch.h's GS_JB_* layout, checked by tests/runtime/jmpbuf_layout).
 * Every jump also tells __morestack_return that the returns
 * below the landing no longer pair with their calls (gs_stack_split_mark,
 * stack.h). */
static inline __attribute__((always_inline)) void carry_copy(struct __jmp_buf_tag *env)
{
    struct gs_coro *co = gs_tls.cur;
    gs_stack_split_mark = GS_SPLIT_MARK_LANDED;
    if (co)
        gs_stack_jmpbuf_landing(&co->stack, (uint64_t *)env->__jmpbuf);
}

void __wrap_longjmp(struct __jmp_buf_tag *env, int val)
{
    carry_copy(env);
    GS_TAIL_JUMP __real_longjmp(env, val);
}

void __wrap__longjmp(struct __jmp_buf_tag *env, int val)
{
    carry_copy(env);
    GS_TAIL_JUMP __real__longjmp(env, val);
}

void __wrap_siglongjmp(struct __jmp_buf_tag *env, int val)
{
    carry_copy(env);
    GS_TAIL_JUMP __real_siglongjmp(env, val);
}

/* __longjmp_chk refuses a jump to a lower address than its caller's %rsp
 * outside the signal stack ("longjmp causes uninitialized stack frame"): a
 * frame that has returned. A coroutine's segments lie anywhere in memory (an
 * older one may lie below a newer one), so the test says nothing there: the
 * unchecked longjmp jumps, and the landing's resync judges where it landed.
 * On the thread's own stack (no coroutine runs) the C library checks as
 * usual. */
void __wrap___longjmp_chk(struct __jmp_buf_tag *env, int val)
{
    if (!gs_tls.cur)
        GS_TAIL_JUMP __real___longjmp_chk(env, val);
    carry_copy(env);
    GS_TAIL_JUMP __real_longjmp(env, val);
}

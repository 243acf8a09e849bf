/* coro.h - the coroutine core: creation, resume/yield, finish, handles.
 *
 * This is the stack-agnostic core; the scheduler (scheduler.h) decides *who* runs,
 * the stack code (segment.h, stack.h) decides *where*. The core only switches.
 *
 * Invariants:
 *  - A coroutine is RUNNING exactly when it is gs_tls.cur; RESUMING while it waits
 *    inside gs_resume() for a coroutine it resumed; SUSPENDED after gs_yield();
 *    BLOCKED while it waits for an event (join); READY when it may be resumed and
 *    has not run since it was made ready; DONE after its function returned.
 *  - While not RUNNING, ctx.sp is the saved stack pointer and stack.guard the
 *    guard value to install when it runs again (Invariant G, docs/protocol.md 1).
 *  - `back` points to the context of whoever resumed it: the resumer coroutine's
 *    ctx (in the heap), or a gs_ctx in gs_resume's frame on the system stack.
 *    No runtime structure lives on a coroutine stack.
 *  - The stack is allocated at spawn. When the coroutine finishes it goes on the
 *    thread's zombie list; its stack is released at the next runtime call that can
 *    run on the system stack (gs_coro_reap): never while it is being left.
 *  - The resumer's bookkeeping is restored by the coroutine itself before it
 *    switches back (leave() in coro.c), so a resume is a tail call.
 *  - While not RUNNING, stack.side holds its side stack state (__gs_side,
 *    side.h); its side chunks are released with its stack.
 */
#ifndef GS_CORO_H
#define GS_CORO_H

#include <stdint.h>
#include "growstack.h"
#include "side.h"
#include "stack.h"
#include "thread.h"

enum gs_state {
    GS_READY = 1,
    GS_RUNNING,
    GS_RESUMING,
    GS_SUSPENDED,
    GS_BLOCKED,
    GS_DONE,
};

struct gs_ctx {
    void *sp;
};
_Static_assert(__builtin_offsetof(struct gs_ctx, sp) == GS_CTX_SP, "GS_CTX_SP");

#define GS_CORO_DETACHED 1u
#define GS_CORO_QUEUED 2u

struct gs_coro {
    struct gs_ctx ctx;
    struct gs_ctx *back;
    uintptr_t back_guard;
    enum gs_state state;
    unsigned flags;
    struct gs_stack stack;       /* its stack; .dyn and .side_owner.first are read
                                    by assembly (GS_CORO_DYN, GS_CORO_SIDE_FIRST) */
    struct gs_coro *resumer;
    struct gs_ctx back_ctx;      /* the resumer's context when it is the system stack */
    char *saved_sys_sp;          /* gs_tls.sys_sp and .ext_target of the resumer,     */
    void *saved_ext;             /* restored when this coroutine switches back        */

    void *fn;
    uintptr_t a0, a1, a2;
    void *result;

    gs_handle handle;
    struct gs_coro *joiner;
    struct gs_coro *qnext, *qprev;   /* run queue links (scheduler.c)            */
    char name[24];
};

_Static_assert(__builtin_offsetof(struct gs_coro, ctx) == GS_CORO_CTX, "GS_CORO_CTX");
_Static_assert(__builtin_offsetof(struct gs_coro, back) == GS_CORO_BACK, "GS_CORO_BACK");
_Static_assert(__builtin_offsetof(struct gs_coro, back_guard) == GS_CORO_BACK_GUARD, "BACK_GUARD");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.dyn) == GS_CORO_DYN, "GS_CORO_DYN");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.side_owner.first) == GS_CORO_SIDE_FIRST,
               "GS_CORO_SIDE_FIRST");

/* Handle table (per thread). */
struct gs_slot {
    struct gs_coro *co;
    uint32_t gen;
    uint32_t next_free;
};

__attribute__((visibility("hidden"))) struct gs_coro *gs_coro_lookup(struct gs_thread *t,
                                                                     gs_handle h);

/* Create a coroutine (state READY, not queued). */
__attribute__((visibility("hidden")))
struct gs_coro *gs_coro_create(struct gs_thread *t, void *fn, uintptr_t a0, uintptr_t a1,
                               uintptr_t a2, unsigned flags, const struct gs_spawn_attr *attr);

/* Switch into co until it yields, blocks or finishes; then, if it finished, release
 * its stack, wake its joiner and free it if detached. Returns its state. */
__attribute__((visibility("hidden"))) enum gs_state gs_coro_resume(struct gs_thread *t,
                                                                   struct gs_coro *co);

/* Free the stacks (and detached structs) of coroutines that finished since the
 * last call. Safe on any stack. */
__attribute__((visibility("hidden"))) void gs_coro_reap(struct gs_thread *t);

/* gs_yield's C half (see coro.c); caller_pc is gs_yield's return address. */
__attribute__((visibility("hidden"))) struct gs_coro *gs_yield_prepare(const void *caller_pc);

/* Suspend the running coroutine with the given state (SUSPENDED or BLOCKED). */
__attribute__((visibility("hidden"))) void gs_coro_suspend(struct gs_thread *t,
                                                           enum gs_state state);

/* Free a DONE coroutine and its handle. */
__attribute__((visibility("hidden"))) void gs_coro_destroy(struct gs_thread *t,
                                                           struct gs_coro *co);

/* The thread left its running coroutine without a switch: pthread_exit or a
 * cancellation unwound that coroutine's frames and continued on the thread's own
 * stack (runtime/thread.c). Finishes the running coroutine, its resumers and
 * the thread's main coroutine (they can never run again) as detached with a
 * NULL result, frees their stacks, and leaves the thread outside coroutines
 * (cur NULL, guard 0). Other coroutines of the thread are untouched. Must run on
 * the thread's own stack. */
__attribute__((visibility("hidden"))) void gs_coro_abandon(struct gs_thread *t);

/* The coroutine of this thread, other than `except`, whose stack holds sp: one
 * with a handle, or one of except's resumers. NULL if none. */
__attribute__((visibility("hidden"))) struct gs_coro *gs_coro_find_by_sp(uintptr_t sp,
                                                                         struct gs_coro *except);

/* Called by gs_ctx_entry (arch) when the function returns; never returns. */
__attribute__((noreturn)) void gs_coro_finish(void *result);

/* A human-readable name for messages: "coroutine 3 (main)", or with the entry
 * function's symbol when the coroutine has no name (fatal paths only: naming a
 * symbol maps the binary, symbols.h). */
__attribute__((visibility("hidden"))) const char *gs_coro_describe(struct gs_coro *co,
                                                                   char *buf, size_t len);

#endif

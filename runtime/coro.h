/* coro.h - the coroutine core (layer 4, docs/architecture.md): creation,
 * resume and yield, park and wake, finish, reap, handles.
 *
 * The core only switches. The scheduler above it (scheduler.h) decides *who*
 * runs; the stack below it (stack.h) decides *where*. The core never calls the
 * scheduler: what the scheduler must learn (a parked coroutine was woken, a
 * coroutine stopped being runnable) it learns through the hooks it installs
 * (struct gs_coro_hooks), and gs_coro_resume returns the state a coroutine
 * switched back in.
 *
 * Invariants:
 *  - A coroutine is RUNNING exactly when it is gs_tls.cur; RESUMING while it waits
 *    inside a resume for a coroutine it resumed; SUSPENDED after gs_yield();
 *    PARKED from gs_coro_park until gs_coro_wake; READY when it may be resumed
 *    and has not run since it was created or woken; DONE after its function
 *    returned.
 *  - A PARKED coroutine is in no run queue (the `stopped` hook took it out when
 *    it parked) and runs again only after gs_coro_wake, which makes it READY and
 *    hands it to the `runnable` hook: no polling, O(1) both ways. It parked in
 *    one of two ways: gs_coro_park, from C (gs_coro_wait: its stack holds that
 *    C frame, unknown to the frame walk, so it never moves), or a blocking
 *    call's parking frame (gs_coro_park_prepare, then arch block_*.S switches:
 *    its resume address is gs_park_ret and its stack holds instrumented frames
 *    and that frame only, so it may shrink or move like a SUSPENDED one;
 *    docs/netpoll.md).
 *  - While not RUNNING, ctx.sp is the saved stack pointer and stack.guard the
 *    guard value to install when it runs again (Invariant G, docs/protocol.md 1);
 *    stack.side holds its side stack state (__gs_side, side.h).
 *  - `back` points to the context of whoever resumed it: the resumer coroutine's
 *    ctx (in the heap), or back_ctx when that is the system stack.
 *    No runtime structure lives on a coroutine stack.
 *  - The resumer's bookkeeping is restored by the coroutine itself before it
 *    switches back (coro_leave), so a resume is a tail call (gs_coro_switch_in).
 *  - The stack is allocated at creation. When the coroutine finishes it goes on
 *    the thread's zombie list; its stack is released at the next runtime call
 *    that can run on the system stack (gs_coro_reap): never while it is being
 *    left.
 *  - A handle is | owner tag (16) | generation (24) | slot (24) |: the tag names
 *    the owning thread (unique among live threads), a slot's generation changes
 *    at every reuse. Each thread's table is its own (gs_coro_tls).
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
    GS_PARKED,
    GS_DONE,
};

#define GS_CORO_DETACHED 1u  /* frees itself when it finishes; no handle          */

struct gs_wait;

/* What the layers above the core keep per coroutine (scheduler.c: its run queue
 * links; wait.c: the wait it is parked in, a pending gs_cancel). The core zeroes
 * it at creation and never reads or writes it again. */
struct gs_coro_link {
    struct gs_coro *next, *prev;
    unsigned flags;
    unsigned cancel;             /* wait.c: a gs_cancel is pending for its next wait */
    struct gs_wait *wait;        /* wait.c: what it waits for while PARKED, or NULL  */
};

struct gs_coro {
    struct gs_ctx ctx;
    struct gs_ctx *back;
    uintptr_t back_guard;
    enum gs_state state;
    unsigned flags;
    struct gs_stack stack;       /* its stack; .dyn, .side_owner.first, .top and
                                    .usage.{probe,grew,shrunk} and .pin are read by
                                    assembly (GS_CORO_DYN, GS_CORO_SIDE_FIRST,
                                    GS_CORO_STACK_TOP, GS_CORO_USAGE_*, GS_CORO_PIN_*) */
    struct gs_coro *resumer;
    struct gs_ctx back_ctx;      /* the resumer's context when it is the system stack */
    char *saved_sys_sp;          /* gs_tls.sys_sp and .ext_target of the resumer,     */
    void *saved_ext;             /* restored when this coroutine switches back        */

    void *fn;
    void *result;

    gs_handle handle;
    struct gs_coro *joiner;      /* parked in gs_coro_wait for this one to finish     */
    struct gs_coro *reap_next;   /* the zombie list                                   */
    struct gs_coro_link sched;   /* the scheduler's (above)                           */
    char name[24];
};

_Static_assert(__builtin_offsetof(struct gs_coro, ctx) == GS_CORO_CTX, "GS_CORO_CTX");
_Static_assert(__builtin_offsetof(struct gs_coro, back) == GS_CORO_BACK, "GS_CORO_BACK");
_Static_assert(__builtin_offsetof(struct gs_coro, back_guard) == GS_CORO_BACK_GUARD, "BACK_GUARD");
_Static_assert(__builtin_offsetof(struct gs_coro, state) == GS_CORO_STATE &&
                   sizeof(((struct gs_coro *)0)->state) == 4,
               "GS_CORO_STATE");
_Static_assert(GS_RUNNING == GS_CORO_RUNNING && GS_RESUMING == GS_CORO_RESUMING &&
                   GS_SUSPENDED == GS_CORO_SUSPENDED,
               "GS_CORO_RUNNING, GS_CORO_RESUMING, GS_CORO_SUSPENDED");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.size) == GS_CORO_STACK_SIZE,
               "GS_CORO_STACK_SIZE");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.peak) == GS_CORO_STACK_PEAK,
               "GS_CORO_STACK_PEAK");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.usage.runs) == GS_CORO_USAGE_RUNS &&
                   sizeof(((struct gs_coro *)0)->stack.usage.runs) == 4,
               "GS_CORO_USAGE_RUNS");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.judge_size) == GS_CORO_JUDGE_SIZE,
               "GS_CORO_JUDGE_SIZE");
_Static_assert(__builtin_offsetof(struct gs_coro, back_ctx) == GS_CORO_BACK_CTX,
               "GS_CORO_BACK_CTX");
_Static_assert(__builtin_offsetof(struct gs_coro, handle) == GS_CORO_HANDLE, "GS_CORO_HANDLE");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.side) == GS_CORO_SIDE, "GS_CORO_SIDE");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.guard) == GS_CORO_STACK_GUARD,
               "GS_CORO_STACK_GUARD");
_Static_assert(__builtin_offsetof(struct gs_coro, resumer) == GS_CORO_RESUMER, "GS_CORO_RESUMER");
_Static_assert(__builtin_offsetof(struct gs_coro, saved_sys_sp) == GS_CORO_SAVED_SYS_SP &&
                   __builtin_offsetof(struct gs_coro, saved_ext) ==
                       GS_CORO_SAVED_SYS_SP + GS_THREAD_EXT_TARGET - GS_THREAD_SYS_SP,
               "GS_CORO_SAVED_SYS_SP: saved_sys_sp and saved_ext laid out as in gs_thread");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.dyn) == GS_CORO_DYN, "GS_CORO_DYN");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.side_owner.first) == GS_CORO_SIDE_FIRST,
               "GS_CORO_SIDE_FIRST");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.top) == GS_CORO_STACK_TOP,
               "GS_CORO_STACK_TOP");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.usage.probe) == GS_CORO_USAGE_PROBE,
               "GS_CORO_USAGE_PROBE");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.usage.grew) == GS_CORO_USAGE_GREW &&
                   sizeof(((struct gs_coro *)0)->stack.usage.grew) == 4,
               "GS_CORO_USAGE_GREW");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.usage.shrunk) == GS_CORO_USAGE_SHRUNK &&
                   sizeof(((struct gs_coro *)0)->stack.usage.shrunk) == 4,
               "GS_CORO_USAGE_SHRUNK");
_Static_assert(__builtin_offsetof(struct gs_coro, stack.pin.seg) == GS_CORO_PIN_SEG &&
                   __builtin_offsetof(struct gs_coro, stack.pin.slot) == GS_CORO_PIN_SLOT &&
                   __builtin_offsetof(struct gs_coro, stack.pin.ret) == GS_CORO_PIN_RET &&
                   __builtin_offsetof(struct gs_coro, stack.pin.below) == GS_CORO_PIN_BELOW &&
                   __builtin_offsetof(struct gs_coro, stack.pin.site) == GS_CORO_PIN_SITE,
               "GS_CORO_PIN_*");

/* Handle table entry. */
struct gs_slot {
    struct gs_coro *co;
    uint32_t gen;
    uint32_t next_free;
};

/* The core's per-thread state, in initial-exec TLS. */
struct gs_coro_thread {
    uint32_t tag;                /* 1..65535 once the thread started (gs_coro_thread_init) */
    uint32_t nslots, cap_slots, free_slot;
    struct gs_slot *slots;
    struct gs_coro *zombies;     /* finished, stack not yet released              */
    size_t nalive;               /* created and not finished                      */
};
extern __thread struct gs_coro_thread gs_coro_tls
    __attribute__((tls_model("initial-exec"), visibility("hidden")));
_Static_assert(__builtin_offsetof(struct gs_coro_thread, nslots) == GS_CORO_THREAD_NSLOTS &&
                   __builtin_offsetof(struct gs_coro_thread, slots) == GS_CORO_THREAD_SLOTS &&
                   __builtin_offsetof(struct gs_coro_thread, zombies) == GS_CORO_THREAD_ZOMBIES,
               "GS_CORO_THREAD_*");
_Static_assert(sizeof(struct gs_slot) == 1 << GS_SLOT_SHIFT &&
                   __builtin_offsetof(struct gs_slot, co) == 0,
               "GS_SLOT_SHIFT");

/* What the core tells the layer above it. Both run on the thread that owns co,
 * possibly on a coroutine stack within the guard slack (a coroutine that parks
 * or finishes calls them): they must be small, call no library function and
 * never switch. */
struct gs_coro_hooks {
    /* co was woken (PARKED -> READY): make it run. */
    void (*runnable)(struct gs_coro *co);
    /* co stopped being runnable (it parked, or finished): if it waits in a
     * run queue (one it was resumed from directly, with gs_resume), take it out. */
    void (*stopped)(struct gs_coro *co);
};

/* Install the hooks and the core's namer (thread.h): once per process, before
 * the first coroutine exists. */
__attribute__((visibility("hidden"))) void gs_coro_setup(const struct gs_coro_hooks *hooks);

/* The calling thread starts or ends using coroutines: its handle tag is
 * allocated, or released with the handle table (no coroutine may be alive). */
__attribute__((visibility("hidden"))) void gs_coro_thread_init(void);
__attribute__((visibility("hidden"))) void gs_coro_thread_exit(void);

/* A new coroutine running fn(a0, a1, a2) (state READY, in no run queue: the
 * caller makes it runnable), with a handle. NULL with errno ENOMEM (or the
 * stack's errno) on failure. */
__attribute__((visibility("hidden")))
struct gs_coro *gs_coro_create(void *fn, uintptr_t a0, uintptr_t a1, uintptr_t a2,
                               const struct gs_spawn_attr *attr);

#define GS_HANDLE_SLOT_BITS 24
#define GS_HANDLE_GEN_BITS 24
#define GS_HANDLE_FIELD_MASK ((1u << 24) - 1)
#define GS_HANDLE_SLOT(h) ((uint32_t)(h) & GS_HANDLE_FIELD_MASK)
_Static_assert(GS_HANDLE_FIELD_MASK == GS_HANDLE_SLOT_MASK, "GS_HANDLE_SLOT_MASK");
#define GS_HANDLE_GEN(h) ((uint32_t)((h) >> GS_HANDLE_SLOT_BITS) & GS_HANDLE_FIELD_MASK)
#define GS_HANDLE_TAG(h) ((uint32_t)((h) >> (GS_HANDLE_SLOT_BITS + GS_HANDLE_GEN_BITS)))

/* The calling thread's coroutine with handle h, or NULL (gs_coro_lookup_error
 * says why: EXDEV for a handle of another live thread, ESRCH otherwise).
 * gs_resume's fast path (switch_*.S) repeats this test in assembly.
 * Slot i holds co exactly while co->handle is | this thread's tag | the slot's
 * generation | i | (slot_alloc sets both, slot_free clears both, the tag stays
 * while a slot is used, and it is never 0 then), so one compare of h with
 * co->handle checks h != 0, the tag and the generation. */
static inline __attribute__((always_inline)) struct gs_coro *gs_coro_lookup(gs_handle h)
{
    const struct gs_coro_thread *c = &gs_coro_tls;
    uint32_t i = GS_HANDLE_SLOT(h);
    if (i >= c->nslots)
        return NULL;
    struct gs_coro *co = c->slots[i].co;
    if (!co || co->handle != h)
        return NULL;
    return co;
}
__attribute__((visibility("hidden"))) int gs_coro_lookup_error(gs_handle h);

/* The two halves of a switch's bookkeeping. coro_enter runs on the resumer's
 * side before switching in; coro_leave (coro.c) runs on the coroutine's side
 * before switching back, so that the resumer continues with nothing left to
 * do: gs_resume can tail-call the switch and the coroutine "returns" straight
 * to gs_resume's caller. That keeps the return-stack buffer in step (a ret
 * after the switch would be mispredicted, one per frame; measured ~20 ns per
 * round trip before this split). `frame` is an address of the resumer's stack
 * at or below its frame (its frame address, or its stack pointer). Returns
 * co->back, the context the switch saves the resumer into.
 * gs_resume's and gs_yield's assembly fast paths (docs/protocol.md 6.1) make
 * the same stores as gs_coro_enter and coro_leave for their common cases: a
 * change here is a change there (tests/runtime/switch_fast_paths). */
static inline __attribute__((always_inline)) struct gs_ctx *gs_coro_enter(struct gs_coro *co,
                                                                          uintptr_t frame)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *me = t->cur;
    uintptr_t guard = gs_arch_get_guard();
    struct gs_ctx *back = me ? &me->ctx : &co->back_ctx;
    co->resumer = me;
    co->back = back;
    co->back_guard = guard;
    co->saved_sys_sp = t->sys_sp;
    co->saved_ext = t->ext_target;
    if (guard == 0) {
        /* Leaving the system stack: everything below this frame (minus what the
         * switch itself pushes) is free for trampolines and __morestack. */
        t->sys_sp = (char *)((frame - 1024) & ~(uintptr_t)15);
        t->sys_low = t->sys_sp;
    }
    t->ext_target = NULL;
    gs_side_switch(me ? &me->stack.side : gs_side_thread_state(), &co->stack.side);
    if (me)
        me->state = GS_RESUMING;
    co->state = GS_RUNNING;
    co->stack.usage.runs++;
    t->cur = co;
    t->stats.switches += 2; /* there and back */
    return back;
}

/* Switch into a READY or SUSPENDED co (gs_coro_enter done here) as a tail call:
 * the caller's `return gs_coro_switch_in(...)` returns 0 to its own caller when
 * co switches back. */
static inline __attribute__((always_inline)) int gs_coro_switch_in(struct gs_coro *co,
                                                                   uintptr_t frame)
{
    struct gs_ctx *back = gs_coro_enter(co, frame);
    return gs_ctx_resume(back, &co->ctx, co->stack.guard);
}

/* Switch into a READY or SUSPENDED co until it yields, parks or finishes (for
 * the scheduler, on the system stack); shrinks its stack around the run, reaps
 * what finished. Returns its state then: SUSPENDED (runnable again), PARKED or
 * DONE (the hooks were told). */
__attribute__((visibility("hidden"))) enum gs_state gs_coro_resume(struct gs_coro *co);

/* gs_yield's C half (arch/x86_64/switch_*.S), for what its fast path leaves
 * (protocol.md 6.1: outside coroutines, or on the system stack): checks, then
 * coro_leave. Returns the running coroutine, whose saved context the assembly
 * switches from, or NULL outside coroutines. caller_pc is gs_yield's return
 * address (for messages). */
__attribute__((visibility("hidden"))) struct gs_coro *gs_coro_yield_prepare(const void *caller_pc);

/* Park the running coroutine: PARKED, out of every run queue (the `stopped`
 * hook), and back to its resumer. Returns once gs_coro_wake made it runnable
 * and something resumed it. Only on the coroutine's own stack (not in a callback
 * that runs on the system stack: gs_coro_misuse). */
__attribute__((visibility("hidden"))) void gs_coro_park(void);

/* The same park for a blocking call's parking frame (arch block_*.S; the step
 * calls this on the system stack, where the guard slot holds 0): the running
 * coroutine becomes PARKED, out of every run queue (the `stopped` hook), with
 * `guard` recorded as its guard, and the resumer's bookkeeping is restored.
 * Returns the coroutine; the caller must then switch away with
 * gs_ctx_switch(&co->ctx, co->back, co->back_guard) before anything else runs on
 * the thread (block_*.S does). gs_coro_wake ends it like any park. */
__attribute__((visibility("hidden"))) struct gs_coro *gs_coro_park_prepare(uintptr_t guard);

/* Make a PARKED coroutine of this thread READY and hand it to the `runnable`
 * hook. 0, or EINVAL if co is not parked. */
__attribute__((visibility("hidden"))) int gs_coro_wake(struct gs_coro *co);

/* The running coroutine waits for co (not DONE, nobody waiting for it yet) to
 * finish: it parks until co's finish wakes it. */
__attribute__((visibility("hidden"))) void gs_coro_wait(struct gs_coro *co);

/* Called by gs_ctx_entry (arch) when the function returns; never returns. */
__attribute__((noreturn, visibility("hidden"))) void gs_coro_finish(void *result);

/* Free the stacks (and detached structs) of coroutines that finished since the
 * last call. Safe on any stack. */
__attribute__((visibility("hidden"))) void gs_coro_reap(void);

/* Free a DONE coroutine and its handle. */
__attribute__((visibility("hidden"))) void gs_coro_destroy(struct gs_coro *co);

/* co frees itself when it finishes; its handle is released now. */
__attribute__((visibility("hidden"))) void gs_coro_detach(struct gs_coro *co);

/* The thread left its running coroutine without a switch: pthread_exit or a
 * cancellation unwound that coroutine's frames and continued on the thread's own
 * stack (api.c). Finishes the running coroutine, its resumers and `main_co` (the
 * thread's main coroutine, or NULL: they can never run again) as detached with
 * a NULL result, frees their stacks, and leaves the thread outside coroutines
 * (cur NULL, guard 0). Other coroutines of the thread are untouched. Must run on
 * the thread's own stack. */
__attribute__((visibility("hidden"))) void gs_coro_abandon(struct gs_coro *main_co);

/* The coroutine of this thread, other than `except`, whose stack holds sp: one
 * with a handle, or one of except's resumers. NULL if none. */
__attribute__((visibility("hidden"))) struct gs_coro *gs_coro_find_by_sp(uintptr_t sp,
                                                                         struct gs_coro *except);

/* A human-readable name for messages: "coroutine 3 (main)", or with the entry
 * function's symbol when the coroutine has no name (fatal paths only: naming a
 * symbol maps the binary, symbols.h); "the thread's own stack" for NULL. */
__attribute__((visibility("hidden"))) const char *gs_coro_describe(struct gs_coro *co,
                                                                   char *buf, size_t len);

/* Misuse on the system stack (inside a callback from uninstrumented code, or a
 * signal handler, while a coroutine runs): `what` (gs_join, gs_yield) called by
 * caller_pc, which can only `verb` on its own stack. Fatal, naming both. */
__attribute__((noreturn, cold, visibility("hidden")))
void gs_coro_misuse(const char *what, const char *verb, const void *caller_pc);

/* The personality of the system-stack trampoline's frames (arch/x86_64/
 * tramp_*.S, protocol.md 4.2). An exception (C++'s throw, anything raised by
 * _Unwind_RaiseException) that would unwind out of the external call into the
 * coroutine's stack finds this frame in its search phase: fatal, naming the
 * callee and the coroutine, before anything is unwound (the unwinder would
 * otherwise leave the call without switching back: guard and ext_target
 * wrong, the handler on the system stack). A forced unwind (pthread_exit,
 * cancellation) passes as if the frame had no personality. An exception
 * caught below the trampoline never reaches it. Arguments as in the Itanium
 * C++ ABI (<unwind.h>): the types are spelled out so that this header does
 * not need it. */
__attribute__((visibility("hidden"))) int gs_coro_tramp_personality(int version, int actions,
                                                                   uint64_t exception_class,
                                                                   void *exception,
                                                                   void *context);

#endif

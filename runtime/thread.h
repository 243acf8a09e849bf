/* thread.h - per-thread runtime state.
 *
 * Invariants:
 *  - gs_tls is initial-exec TLS; its first fields are read by assembly at the
 *    offsets GS_THREAD_* of gs_arch.h (checked below).
 *  - cur is the coroutine whose code runs now, NULL on the system stack outside
 *    any coroutine. While an external call made by `cur` runs on the system stack,
 *    cur is unchanged and ext_target names the callee.
 *  - sys_sp is a 16-byte aligned address of the thread's own (system) stack
 *    below every live system-stack frame; trampolines and __morestack may use the
 *    stack below it. gs_resume() lowers it when it leaves the system stack and
 *    restores it when control comes back.
 *  - A thread's coroutines, stacks and caches are touched only by that thread.
 */
#ifndef GS_THREAD_H
#define GS_THREAD_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include "growstack.h"
#include "gs_arch.h"
#include "pins.h"

struct gs_coro;

struct gs_thread {
    struct gs_coro *cur;          /* GS_THREAD_CUR        */
    char *sys_sp;                 /* GS_THREAD_SYS_SP     */
    void *ext_target;             /* GS_THREAD_EXT_TARGET */

    int initialized;
    unsigned index;               /* small thread number, for messages        */
    uint32_t tag;                 /* 1..65535, unique among live threads: the
                                     owner field of this thread's handles (coro.c) */
    struct gs_thread *next_all;   /* all initialized threads (for stats)      */
    struct gs_coro *main_co;      /* the coroutine running main or the thread's
                                     start routine (gs_thread_run_main), or NULL */
    /* The thread's own stack [stack_lo, stack_hi), read at initialization
     * (pthread_getattr_np; 0 if unknown): overflow.c recognises overflows of it. */
    uintptr_t stack_lo, stack_hi;
    int main_thread;              /* the process's initial thread (limit: ulimit -s) */

    /* coroutine table: handle = gen << 32 | slot */
    struct gs_slot *slots;
    uint32_t nslots, cap_slots, free_slot;

    size_t nalive;                /* coroutines created and not finished (coro.c) */
    struct gs_coro *zombies;      /* finished, stack not yet released (coro.c)  */

    stack_t altstack;
    struct gs_stats stats;

    struct gs_pin_tally pin_tally;    /* pins.h                                */
};

extern __thread struct gs_thread gs_tls __attribute__((tls_model("initial-exec")));

_Static_assert(offsetof(struct gs_thread, cur) == GS_THREAD_CUR, "GS_THREAD_CUR");
_Static_assert(offsetof(struct gs_thread, sys_sp) == GS_THREAD_SYS_SP, "GS_THREAD_SYS_SP");
_Static_assert(offsetof(struct gs_thread, ext_target) == GS_THREAD_EXT_TARGET,
               "GS_THREAD_EXT_TARGET");

/* Messages of the lower layers name the code that runs now: "coroutine 3
 * (main)", or "the thread's own stack" outside coroutines. `cur` is the core's;
 * the core installs the function that names it (set once, before the first
 * coroutine exists; a NULL namer, or none, names no coroutine). */
__attribute__((visibility("hidden"))) void gs_thread_set_namer(
    const char *(*namer)(struct gs_coro *co, char *buf, size_t len));
__attribute__((visibility("hidden"))) const char *gs_thread_name_cur(char *buf, size_t len);

/* The calling thread's state, initialized on first use (sigaltstack, stats
 * registration, configuration). */
__attribute__((visibility("hidden"))) struct gs_thread *gs_thread_self(void);

/* Whether a live thread has this handle tag (coro.c: EXDEV vs ESRCH). */
__attribute__((visibility("hidden"))) int gs_thread_tag_live(uint32_t tag);

/* Whether a SIGSEGV is a stack overflow (of the running coroutine's stack, the
 * thread's own stack or its signal stack: runtime/overflow.c); if so, report it
 * and abort. Returns otherwise. Called by the SIGSEGV handler. */
__attribute__((visibility("hidden"))) void gs_overflow_check_fault(const siginfo_t *si,
                                                                   const void *uc);

/* Run fn(a0, a1, a2) on a new coroutine, the thread's main coroutine, with the
 * given name, until it finishes, and return its result (runtime/main.c: main;
 * runtime/pthread.c: thread start routines). Must be called on the thread's own
 * stack, outside coroutines. If pthread_exit or a cancellation ends the thread
 * inside the coroutine, the coroutines it leaves are finished (gs_coro_abandon)
 * before the thread's cleanup continues, so TLS and thread-specific destructors
 * see a thread outside coroutines. Out of memory for the coroutine is fatal. */
__attribute__((visibility("hidden"))) uintptr_t gs_thread_run_main(void *fn, uintptr_t a0,
                                                                   uintptr_t a1, uintptr_t a2,
                                                                   const char *name);

/* Per-thread counters are summed by gs_stats_get(); retired threads are folded
 * into a global total. stack_bytes changes by delta; its peak follows. */
static inline void gs_thread_note_stack(long delta)
{
    struct gs_stats *st = &gs_tls.stats;
    st->stack_bytes += (uint64_t)delta;
    if (st->stack_bytes > st->stack_bytes_peak)
        st->stack_bytes_peak = st->stack_bytes;
}

#endif

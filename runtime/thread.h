/* thread.h - the thread context: what the assembly and every layer read of the
 * calling thread (layer 1, docs/architecture.md).
 *
 * Invariants:
 *  - gs_tls is initial-exec TLS; its first fields are read by assembly at the
 *    offsets GS_THREAD_* of gs_arch.h (checked below).
 *  - cur is the coroutine whose code runs now, NULL on the system stack outside
 *    any coroutine. It belongs to the core (coro.h), which alone writes it;
 *    here it is opaque, and the layers between never read it: they are handed
 *    the stack they work on. While an external call made by `cur` runs on the
 *    system stack, cur is unchanged and ext_target names the callee.
 *  - sys_sp is a 16-byte aligned address of the thread's own (system) stack
 *    below every live system-stack frame; trampolines and __morestack may use the
 *    stack below it. gs_resume() lowers it when it leaves the system stack and
 *    restores it when control comes back. sys_low is the last value gs_resume
 *    lowered it to: below the frames live on the system stack also in the few
 *    instructions of a switch back to it, after sys_sp is restored and before
 *    %rsp leaves the coroutine (signals.c runs libgc's suspend handler there).
 *  - sig_caught[] are counters (they wrap), incremented by this thread's signal
 *    handlers and read by the thread with relaxed atomics (a handler interrupts
 *    the thread, it never runs beside it).
 *  - stats and pin_tally are the thread's counters: each layer increments its
 *    own with plain stores (only this thread writes them); stats.c reads them,
 *    unlocked, to print them. Printing lives at the top.
 *  - A thread's coroutines, stacks and caches are touched only by that thread.
 *  - gs_fp_tls.private_ is 0 until the first gs_fp_private() on the thread and
 *    1 from then on; it never goes back. While it is 0 the switch neither saves
 *    nor restores MXCSR and the x87 control word: every context of the thread
 *    runs with the same ones. From then on each context saves its own, and one
 *    that has none (GS_SAVED_FP_SHARED) gets mxcsr/fpucw, the state the thread
 *    had when gs_fp_private() first ran (docs/protocol.md 6.2).
 */
#ifndef GS_THREAD_H
#define GS_THREAD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "growstack.h"
#include "gs_arch.h"
#include "pins.h"

struct gs_coro;

struct gs_thread {
    struct gs_coro *cur;          /* GS_THREAD_CUR        */
    char *sys_sp;                 /* GS_THREAD_SYS_SP     */
    void *ext_target;             /* GS_THREAD_EXT_TARGET */

    unsigned index;               /* small thread number, for messages (stats.c) */
    unsigned in_signal;           /* GS_THREAD_IN_SIGNAL: signal handlers running
                                     (signals.c): what they interrupted may be
                                     mid-update (io.c's close); gs_fp_private()
                                     does nothing in them. Reset by a resync
                                     that lands on a coroutine stack (entry.c):
                                     a siglongjmp left the handlers */

    struct gs_stats stats;
    struct gs_pin_tally pin_tally;    /* pins.h                                */
    char *sys_low;                /* GS_THREAD_SYS_LOW: the last value gs_resume gave
                                     sys_sp when it left the thread's own stack (a
                                     switch back restores sys_sp a few instructions
                                     before %rsp leaves the coroutine: signals.c) */
    unsigned sig_caught[2];       /* the program's signal handlers that began on this
                                     thread: [0] all, [1] those installed without
                                     SA_RESTART (signals.c counts, in the handler;
                                     the scheduler compares: wait.h, interrupts) */
    unsigned sched_idle;          /* the scheduler waits in a system call for events
                                     or a deadline (scheduler.c), with no coroutine
                                     running: a signal that comes then is held */
    unsigned sig_held_n;          /* signals held (signals.c), not yet released   */
    sigset_t sig_held;            /* ... which (their siginfo: gs_thread_held_info),
                                     raised again by gs_thread_release_signals
                                     (wait.h, "Signals": a parked coroutine's) */
};

extern __thread struct gs_thread gs_tls __attribute__((tls_model("initial-exec")));

_Static_assert(offsetof(struct gs_thread, cur) == GS_THREAD_CUR, "GS_THREAD_CUR");
_Static_assert(offsetof(struct gs_thread, sys_sp) == GS_THREAD_SYS_SP, "GS_THREAD_SYS_SP");
_Static_assert(offsetof(struct gs_thread, ext_target) == GS_THREAD_EXT_TARGET,
               "GS_THREAD_EXT_TARGET");
_Static_assert(offsetof(struct gs_thread, in_signal) == GS_THREAD_IN_SIGNAL, "GS_THREAD_IN_SIGNAL");
_Static_assert(offsetof(struct gs_thread, stats.switches) == GS_THREAD_SWITCHES,
               "GS_THREAD_SWITCHES");
_Static_assert(offsetof(struct gs_thread, stats.splits) == GS_THREAD_SPLITS, "GS_THREAD_SPLITS");
_Static_assert(offsetof(struct gs_thread, stats.segments_reused) == GS_THREAD_SEGS_REUSED,
               "GS_THREAD_SEGS_REUSED");
_Static_assert(offsetof(struct gs_thread, stats.pins) == GS_THREAD_PINS, "GS_THREAD_PINS");
_Static_assert(offsetof(struct gs_thread, stats.returns_jumped) == GS_THREAD_RETURNS_JUMPED,
               "GS_THREAD_RETURNS_JUMPED");
_Static_assert(offsetof(struct gs_thread, sys_low) == GS_THREAD_SYS_LOW, "GS_THREAD_SYS_LOW");
_Static_assert(offsetof(struct gs_thread, pin_tally.site) == GS_THREAD_TALLY_SITE &&
                   offsetof(struct gs_thread, pin_tally.n) == GS_THREAD_TALLY_N,
               "GS_THREAD_TALLY_*");

struct gs_fp_thread {
    uint32_t private_;            /* GS_FP_PRIVATE */
    uint32_t mxcsr;               /* GS_FP_MXCSR   */
    uint16_t fpucw;               /* GS_FP_FPUCW   */
};

extern __thread struct gs_fp_thread gs_fp_tls __attribute__((tls_model("initial-exec")));

_Static_assert(offsetof(struct gs_fp_thread, private_) == GS_FP_PRIVATE &&
                   offsetof(struct gs_fp_thread, mxcsr) == GS_FP_MXCSR &&
                   offsetof(struct gs_fp_thread, fpucw) == GS_FP_FPUCW,
               "GS_FP_*");

/* Messages of the lower layers name the code that runs now: "coroutine 3
 * (main)", or "the thread's own stack" outside coroutines. `cur` is the core's;
 * the core installs the function that names it (set once, before the first
 * coroutine exists; a NULL namer, or none, names no coroutine). */
__attribute__((visibility("hidden"))) void gs_thread_set_namer(
    const char *(*namer)(struct gs_coro *co, char *buf, size_t len));
__attribute__((visibility("hidden"))) const char *gs_thread_name_cur(char *buf, size_t len);

/* The signals the kernel raises for a fault of the thread's own instruction:
 * never held for a parked call (signals.c), never blocked by the scheduler's
 * idle wait (scheduler.c: a fault with its signal blocked kills the process). */
#define GS_FAULT_SIGNALS SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS

static inline int gs_thread_fault_signal(int sig)
{
    static const int fault[] = {GS_FAULT_SIGNALS};
    for (unsigned i = 0; i < sizeof fault / sizeof fault[0]; i++)
        if (sig == fault[i])
            return 1;
    return 0;
}

/* Hold sig for this thread (t is the calling thread's; in its signal handler):
 * the handler does not run now, gs_thread_release_signals raises the signal
 * again with the same siginfo. A second one of the same signal before then is
 * one, as for a pending signal. */
__attribute__((visibility("hidden"))) void gs_thread_hold_signal(struct gs_thread *t, int sig,
                                                                 const siginfo_t *si);

/* Raise the held signals again, on this thread (lowest number first): the
 * kernel delivers each before this returns, unless the thread blocks it (it
 * stays pending). A handler may leave with siglongjmp: the signals not raised
 * yet stay held. */
__attribute__((visibility("hidden"))) void gs_thread_release_signals(struct gs_thread *t);

/* stack_bytes changes by delta (segment.c: blocks of growable stacks; stack.c:
 * what the watermark of a fixed stack gave); its peak follows. */
static inline void gs_thread_note_stack(long delta)
{
    struct gs_stats *st = &gs_tls.stats;
    st->stack_bytes += (uint64_t)delta;
    if (st->stack_bytes > st->stack_bytes_peak)
        st->stack_bytes_peak = st->stack_bytes;
}

#endif

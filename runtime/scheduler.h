/* scheduler.h - the per-thread scheduler: a FIFO run queue over the core, the
 * thread's deadlines (timer.h) and its poller (netpoll.h).
 *
 * Policy lives here, mechanism in coro.h: the scheduler only decides which READY
 * coroutine to resume next, and when the thread may sleep. A multi-threaded
 * scheduler would replace this file.
 *
 * Invariants:
 *  - A coroutine is in the run queue iff GS_CORO_QUEUED is set; it is then READY
 *    or SUSPENDED (a coroutine driven by gs_resume may run while queued). A
 *    coroutine leaves the queue when it finishes, before it can be freed.
 *  - The scheduler runs on the thread's system stack, never on a coroutine stack.
 *  - The thread sleeps (in epoll_wait, or in clock_nanosleep when it has no
 *    poller) only when the run queue is empty and a deadline or a descriptor wait
 *    is pending, and never past the earliest deadline. While coroutines are
 *    ready it still polls, without sleeping, every GS_SCHED_POLL_EVERY runs, so
 *    that I/O is not starved by coroutines that keep yielding.
 *  - A wake (gs_coro_wake) reaches the queue through gs_coro_hooks.ready.
 */
#ifndef GS_SCHEDULER_H
#define GS_SCHEDULER_H

#include "coro.h"

#define GS_SCHED_POLL_EVERY 64

/* Append co to the run queue (no-op if queued). */
__attribute__((visibility("hidden"))) void gs_sched_ready(struct gs_thread *t,
                                                          struct gs_coro *co);

/* Resume the next ready coroutine once; 0 if the queue was empty. */
__attribute__((visibility("hidden"))) int gs_sched_run_one(struct gs_thread *t);

/* One step of progress: resume a ready coroutine, or else wait for the next
 * deadline or descriptor event (firing due timers). 0 if neither is possible:
 * nothing is ready and nothing is pending, so nothing can ever become ready
 * (every live coroutine is blocked on another or parked without a deadline). */
__attribute__((visibility("hidden"))) int gs_sched_step(struct gs_thread *t);

/* Whether a deadline or a descriptor wait is pending. */
__attribute__((visibility("hidden"))) int gs_sched_pending(const struct gs_thread *t);

/* The core calls this when co finished: take it off the queue, wake its joiner. */
__attribute__((visibility("hidden"))) void gs_sched_on_done(struct gs_thread *t,
                                                            struct gs_coro *co);

#endif

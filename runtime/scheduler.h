/* scheduler.h - the per-thread scheduler: a FIFO run queue over the core, the
 * thread's deadlines (timer.h) and its poller (netpoll.h) (layer 5,
 * docs/architecture.md; docs/netpoll.md).
 *
 * Policy lives here, mechanism in coro.h: the scheduler only decides which READY
 * or SUSPENDED coroutine to resume next. The core never calls it: it learns of
 * woken and stopped coroutines through the hooks it hands the core
 * (gs_scheduler_hooks, installed by api.c), and of yields from what
 * gs_coro_resume returns. Another scheduler (M:N) replaces this file and
 * installs its own hooks.
 *
 * Invariants:
 *  - A coroutine is in the run queue iff GS_SCHEDULER_QUEUED is set in its
 *    co->sched.flags; it is then READY or SUSPENDED, or runs: a coroutine
 *    resumed directly with gs_resume keeps its place in the queue while it
 *    runs. It leaves the queue when the scheduler resumes it, when it parks and
 *    when it finishes (the `stopped` hook), before it can be freed.
 *  - The scheduler runs on the thread's system stack, never on a coroutine
 *    stack; its hooks may run on one (coro.h: small, no library calls).
 *  - The thread sleeps (in epoll_wait, or in clock_nanosleep when it has no
 *    epoll set) only when the run queue is empty and a deadline or a
 *    descriptor wait is pending, and never past the earliest deadline. While
 *    coroutines are ready it still polls, without sleeping, every
 *    GS_SCHEDULER_POLL_EVERY runs, so that coroutines that keep yielding do not
 *    starve I/O.
 */
#ifndef GS_SCHEDULER_H
#define GS_SCHEDULER_H

#include "coro.h"

#define GS_SCHEDULER_QUEUED 1u
#define GS_SCHEDULER_POLL_EVERY 64

/* What the core tells the scheduler (coro.h): a woken coroutine is appended to
 * the run queue; a stopped one leaves it. */
extern const struct gs_coro_hooks gs_scheduler_hooks __attribute__((visibility("hidden")));

/* Append co to the run queue (no-op if queued). */
__attribute__((visibility("hidden"))) void gs_scheduler_ready(struct gs_coro *co);

/* Resume the next ready coroutine once; 0 if the queue was empty. */
__attribute__((visibility("hidden"))) int gs_scheduler_run_one(void);

/* One step of progress: resume a ready coroutine, or else wait for the next
 * deadline, descriptor event or signal (firing due timers). 0 if neither is
 * possible: nothing is ready and nothing is pending, so nothing can ever become
 * ready (every live coroutine waits for another one, or is parked without a
 * deadline in a call no signal ends). */
__attribute__((visibility("hidden"))) int gs_scheduler_step(void);

/* Whether a deadline or a descriptor wait is pending on the calling thread, or
 * a coroutine is parked in a transparent call that a signal handler can end
 * (a sleep with no end, poll on no descriptor: wait.h, "Signals"). */
__attribute__((visibility("hidden"))) int gs_scheduler_pending(void);

#endif

/* scheduler.h - the per-thread scheduler: a FIFO run queue over the core.
 *
 * Policy lives here, mechanism in coro.h: the scheduler only decides which READY
 * coroutine to resume next. A multi-threaded scheduler would replace this file.
 *
 * Invariants:
 *  - A coroutine is in the run queue iff GS_CORO_QUEUED is set; it is then READY
 *    or SUSPENDED (a coroutine driven by gs_resume may run while queued). A
 *    coroutine leaves the queue when it finishes, before it can be freed.
 *  - The scheduler runs on the thread's system stack, never on a coroutine stack.
 */
#ifndef GS_SCHEDULER_H
#define GS_SCHEDULER_H

#include "coro.h"

/* Append co to the run queue (no-op if queued). */
__attribute__((visibility("hidden"))) void gs_scheduler_ready(struct gs_coro *co);

/* Resume the next ready coroutine once; 0 if the queue was empty. */
__attribute__((visibility("hidden"))) int gs_scheduler_run_one(void);

/* The core calls this when co finished: take it off the queue, wake its joiner. */
__attribute__((visibility("hidden"))) void gs_scheduler_on_done(struct gs_coro *co);

#endif

/* scheduler.c - a FIFO run queue per thread, with its deadlines and poller (see
 * scheduler.h). */
#include <errno.h>
#include <time.h>

#include "fatal.h"
#include "netpoll.h"
#include "scheduler.h"
#include "wait.h"

int64_t gs_now(void);

void gs_sched_ready(struct gs_thread *t, struct gs_coro *co)
{
    if (co->flags & GS_CORO_QUEUED)
        return;
    co->flags |= GS_CORO_QUEUED;
    co->qnext = NULL;
    co->qprev = t->ready_tail;
    if (t->ready_tail)
        t->ready_tail->qnext = co;
    else
        t->ready_head = co;
    t->ready_tail = co;
    t->nready++;
}

/* The core reports wakes here (coro.h). */
struct gs_coro_hooks gs_coro_hooks = {.ready = gs_sched_ready};

static void unlink_queued(struct gs_thread *t, struct gs_coro *co)
{
    if (co->qprev)
        co->qprev->qnext = co->qnext;
    else
        t->ready_head = co->qnext;
    if (co->qnext)
        co->qnext->qprev = co->qprev;
    else
        t->ready_tail = co->qprev;
    co->qnext = co->qprev = NULL;
    co->flags &= ~GS_CORO_QUEUED;
    t->nready--;
}

static struct gs_coro *pop(struct gs_thread *t)
{
    struct gs_coro *co = t->ready_head;
    if (co)
        unlink_queued(t, co);
    return co;
}

int gs_sched_pending(const struct gs_thread *t)
{
    return t->timers.n > 0 || gs_poll_waiting(t);
}

/* Fire due timers, then wait for descriptor events: at most until the earliest
 * deadline when `block`, not at all otherwise. */
static void poll_events(struct gs_thread *t, int block)
{
    int64_t now = gs_now();
    gs_timer_run(&t->timers, now);
    if (t->ready_head)
        block = 0; /* a deadline passed: someone is ready now */
    int64_t timeout = 0;
    if (block) {
        int64_t next = gs_timer_next(&t->timers);
        timeout = next == INT64_MAX ? -1 : next - now;
        if (timeout < 0 && next != INT64_MAX)
            timeout = 0;
    }
    if (gs_poll_waiting(t) || (t->poller && timeout != 0)) {
        gs_poll_run(t, timeout);
    } else if (timeout > 0) {
        /* Only deadlines: sleep until the earliest (signals end it early). */
        int64_t next = gs_timer_next(&t->timers);
        struct timespec ts = {.tv_sec = next / 1000000000, .tv_nsec = next % 1000000000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    } else if (timeout < 0) {
        gs_fatal("scheduler: asked to sleep with nothing pending");
    }
    if (t->timers.n)
        gs_timer_run(&t->timers, gs_now());
}

int gs_sched_run_one(struct gs_thread *t)
{
    struct gs_coro *co;
    /* A queued coroutine may have been run to completion (or to a block) through
     * gs_resume meanwhile; skip those. */
    do {
        co = pop(t);
        if (!co)
            return 0;
    } while (co->state != GS_READY && co->state != GS_SUSPENDED);
    if (gs_coro_resume(t, co) == GS_SUSPENDED)
        gs_sched_ready(t, co);
    return 1;
}

int gs_sched_step(struct gs_thread *t)
{
    if (t->ready_head) {
        if (++t->sched_tick >= GS_SCHED_POLL_EVERY) {
            t->sched_tick = 0;
            if (gs_sched_pending(t))
                poll_events(t, 0);
        }
        if (gs_sched_run_one(t))
            return 1;
    }
    if (!gs_sched_pending(t))
        return 0;
    t->sched_tick = 0;
    poll_events(t, 1);
    return 1;
}

void gs_sched_on_done(struct gs_thread *t, struct gs_coro *co)
{
    if (co->flags & GS_CORO_QUEUED)
        unlink_queued(t, co);
    struct gs_coro *j = co->joiner;
    if (j) {
        gs_assert(j->state == GS_BLOCKED);
        j->state = GS_READY;
        gs_sched_ready(t, j);
    }
}

size_t gs_run(void)
{
    struct gs_thread *t = gs_thread_self();
    if (t->cur)
        gs_fatal("gs_run called inside a coroutine; the scheduler runs on the thread's own stack");
    while (gs_sched_step(t))
        ;
    gs_coro_reap(t);
    return t->nalive;
}

/* scheduler.c - a FIFO run queue per thread (see scheduler.h). */
#include "fatal.h"
#include "scheduler.h"

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
    while (gs_sched_run_one(t))
        ;
    gs_coro_reap(t);
    return t->nalive;
}

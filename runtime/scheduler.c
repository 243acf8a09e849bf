/* scheduler.c - a FIFO run queue per thread (see scheduler.h). */
#include "fatal.h"
#include "scheduler.h"

/* The calling thread's run queue. */
static __thread struct {
    struct gs_coro *head, *tail;
    size_t n;
} queue;

void gs_scheduler_ready(struct gs_coro *co)
{
    if (co->flags & GS_CORO_QUEUED)
        return;
    co->flags |= GS_CORO_QUEUED;
    co->qnext = NULL;
    co->qprev = queue.tail;
    if (queue.tail)
        queue.tail->qnext = co;
    else
        queue.head = co;
    queue.tail = co;
    queue.n++;
}

static void unlink_queued(struct gs_coro *co)
{
    if (co->qprev)
        co->qprev->qnext = co->qnext;
    else
        queue.head = co->qnext;
    if (co->qnext)
        co->qnext->qprev = co->qprev;
    else
        queue.tail = co->qprev;
    co->qnext = co->qprev = NULL;
    co->flags &= ~GS_CORO_QUEUED;
    queue.n--;
}

static struct gs_coro *pop(void)
{
    struct gs_coro *co = queue.head;
    if (co)
        unlink_queued(co);
    return co;
}

int gs_scheduler_run_one(void)
{
    struct gs_coro *co;
    /* A queued coroutine may have been run to completion (or to a block) through
     * gs_resume meanwhile; skip those. */
    do {
        co = pop();
        if (!co)
            return 0;
    } while (co->state != GS_READY && co->state != GS_SUSPENDED);
    if (gs_coro_resume(&gs_tls, co) == GS_SUSPENDED)
        gs_scheduler_ready(co);
    return 1;
}

void gs_scheduler_on_done(struct gs_coro *co)
{
    if (co->flags & GS_CORO_QUEUED)
        unlink_queued(co);
    struct gs_coro *j = co->joiner;
    if (j) {
        gs_assert(j->state == GS_BLOCKED);
        j->state = GS_READY;
        gs_scheduler_ready(j);
    }
}

size_t gs_run(void)
{
    struct gs_thread *t = gs_thread_self();
    if (t->cur)
        gs_fatal("gs_run called inside a coroutine; the scheduler runs on the thread's own stack");
    while (gs_scheduler_run_one())
        ;
    gs_coro_reap(t);
    return t->nalive;
}

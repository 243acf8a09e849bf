/* scheduler.c - a FIFO run queue per thread (see scheduler.h). */
#include "scheduler.h"

/* The calling thread's run queue, linked through co->sched. */
static __thread struct {
    struct gs_coro *head, *tail;
    size_t n;
} queue;

void gs_scheduler_ready(struct gs_coro *co)
{
    struct gs_coro_link *l = &co->sched;
    if (l->flags & GS_SCHEDULER_QUEUED)
        return;
    l->flags |= GS_SCHEDULER_QUEUED;
    l->next = NULL;
    l->prev = queue.tail;
    if (queue.tail)
        queue.tail->sched.next = co;
    else
        queue.head = co;
    queue.tail = co;
    queue.n++;
}

static void unlink_queued(struct gs_coro *co)
{
    struct gs_coro_link *l = &co->sched;
    if (l->prev)
        l->prev->sched.next = l->next;
    else
        queue.head = l->next;
    if (l->next)
        l->next->sched.prev = l->prev;
    else
        queue.tail = l->prev;
    l->next = l->prev = NULL;
    l->flags &= ~GS_SCHEDULER_QUEUED;
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
    /* A queued coroutine may be running or resuming another one (it was
     * resumed directly, with gs_resume); skip those. */
    do {
        co = pop();
        if (!co)
            return 0;
    } while (co->state != GS_READY && co->state != GS_SUSPENDED);
    if (gs_coro_resume(co) == GS_SUSPENDED)
        gs_scheduler_ready(co);
    return 1;
}

static void stopped(struct gs_coro *co)
{
    if (co->sched.flags & GS_SCHEDULER_QUEUED)
        unlink_queued(co);
}

const struct gs_coro_hooks gs_scheduler_hooks = {
    .runnable = gs_scheduler_ready,
    .stopped = stopped,
};

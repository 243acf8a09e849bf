/* stackless.c - the state machines of stackless.h and their round-robin scheduler. */
#include "stackless.h"

void sl_push(struct sl_queue *q, struct sl_task *t)
{
    t->next = 0;
    if (q->tail)
        q->tail->next = t;
    else
        q->head = t;
    q->tail = t;
}

static struct sl_task *sl_pop(struct sl_queue *q)
{
    struct sl_task *t = q->head;
    if (t) {
        q->head = t->next;
        if (!q->head)
            q->tail = 0;
    }
    return t;
}

/* Lowering of:
 *     async void yielder(uint64_t rounds) {
 *         uint64_t acc = 0;
 *         for (uint32_t i = 0; i < rounds; i++) { acc += i; await yield_now(); }
 *     }
 * Resume points: 0 = entry, 1 = after the yield. */
static enum sl_poll yielder_poll(struct sl_task *t, void *sched)
{
    switch (t->state) {
    case 0:
        t->i = 0;
        t->acc = 0;
        break;
    case 1:
        t->i++;
        break;
    default:
        return SL_READY;
    }
    if (t->i < t->rounds) {
        t->acc += t->i;
        t->state = 1;
        sl_push((struct sl_queue *)sched, t); /* yield: back of the run queue */
        return SL_PENDING;
    }
    t->state = 2;
    return SL_READY;
}

/* Lowering of:  async void waiter(struct sl_event *ev) { await ev; }
 * Resume points: 0 = entry, 1 = woken. */
static enum sl_poll waiter_poll(struct sl_task *t, void *sched)
{
    struct sl_event *ev = (struct sl_event *)sched;
    if (t->state == 0) {
        t->state = 1;
        t->next = ev->waiters; /* register as a waiter, then suspend */
        ev->waiters = t;
        return SL_PENDING;
    }
    return SL_READY;
}

/* Lowering of:  async void trivial(void) { } */
static enum sl_poll trivial_poll(struct sl_task *t, void *sched)
{
    (void)sched;
    t->state = 1;
    return SL_READY;
}

static void init(struct sl_task *t, sl_poll_fn fn, uint64_t rounds)
{
    t->next = 0;
    t->poll = fn;
    t->state = 0;
    t->i = 0;
    t->acc = 0;
    t->rounds = rounds;
}

void sl_yielder_init(struct sl_task *t, uint64_t rounds) { init(t, yielder_poll, rounds); }
void sl_waiter_init(struct sl_task *t) { init(t, waiter_poll, 0); }
void sl_trivial_init(struct sl_task *t) { init(t, trivial_poll, 0); }

enum sl_poll sl_poll_once(struct sl_task *t, void *sched) { return t->poll(t, sched); }

uint64_t sl_run(struct sl_queue *q, void *sched)
{
    uint64_t polls = 0;
    struct sl_task *t;
    while ((t = sl_pop(q))) {
        t->poll(t, sched); /* a pending task has re-queued itself */
        polls++;
    }
    return polls;
}

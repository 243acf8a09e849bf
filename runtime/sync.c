/* sync.c - mutex, condition variable, wait group, gs_cancel (see sync.h;
 * docs/netpoll.md).
 *
 * Invariants:
 *  - An object belongs to the thread that first used it (->thread, set on first
 *    use: the public structs are zero-initialized); other threads get EXDEV.
 *  - Mutex: owner is who holds it: the coroutine, or the thread itself for code
 *    outside coroutines (a distinct pointer: the struct gs_thread). Unlock hands
 *    the mutex to the first waiter, which owns it from that moment: a waiter is
 *    never woken to find it taken (no barging, FIFO).
 *  - A wait group's count is never negative; waiters wait only while it is > 0.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "coro.h"
#include "fatal.h"
#include "sync.h"
#include "wait.h"

struct mutex {
    struct gs_thread *thread;
    void *owner;
    struct gs_wq q;
};
_Static_assert(sizeof(struct mutex) <= sizeof(struct gs_mutex), "struct gs_mutex");

struct cond {
    struct gs_thread *thread;
    struct gs_wq q;
};
_Static_assert(sizeof(struct cond) <= sizeof(struct gs_cond), "struct gs_cond");

struct wg {
    struct gs_thread *thread;
    long count;
    struct gs_wq q;
};
_Static_assert(sizeof(struct wg) <= sizeof(struct gs_wg), "struct gs_wg");

/* bind_thread finds the thread an object belongs to at its start. */
_Static_assert(offsetof(struct mutex, thread) == 0, "struct mutex starts with its thread");
_Static_assert(offsetof(struct cond, thread) == 0, "struct cond starts with its thread");
_Static_assert(offsetof(struct wg, thread) == 0, "struct wg starts with its thread");

/* Check an object (a struct mutex, cond or wg) and bind it to the calling
 * thread on first use: 0 (*tp is the thread), EINVAL for NULL, or EXDEV (it
 * belongs to another thread). */
static int bind_thread(void *obj, struct gs_thread **tp)
{
    if (!obj)
        return EINVAL;
    struct gs_thread **owner = obj; /* its first member */
    struct gs_thread *t = &gs_tls;
    if (!*owner)
        *owner = t;
    else if (*owner != t)
        return EXDEV;
    *tp = t;
    return 0;
}

/* Who is running: the coroutine, or the thread outside coroutines. */
static void *self(struct gs_thread *t)
{
    return t->cur ? (void *)t->cur : (void *)t;
}

/* Who a wait belongs to. */
static void *waiter(struct gs_thread *t, const struct gs_wait *w)
{
    return w->co ? (void *)w->co : (void *)t;
}

static void mutex_release(struct gs_thread *t, struct mutex *m);

/* The end of a blocking step that must wait: EAGAIN at once with GS_NOWAIT;
 * else a wait for the call (`what` on obj, for reports) is queued on q, the
 * object's waiters, and the call blocks until it is woken, its deadline
 * passes or it is cancelled. gs_cond_wait passes its mutex as `unlock`: it is
 * released once the wait is queued. Returns what the step returns. */
/* Begin a wait for the call (`what` on obj, for reports) and queue it on q. */
static struct gs_wait *queue_wait(struct gs_thread *t, struct gs_wq *q, const char *what,
                                  void *obj, gs_time deadline)
{
    struct gs_wait *w = gs_wait_begin(t, what, (intptr_t)obj, 0, deadline);
    gs_wait_wq_push(q, gs_wait_nodes(w, 1, 0));
    return w;
}

static int block_on(struct gs_block *b, struct gs_thread *t, struct gs_wq *q, const char *what,
                    void *obj, gs_time deadline, struct mutex *unlock)
{
    if (deadline == GS_NOWAIT)
        return gs_wait_done(b, EAGAIN, 0);
    struct gs_wait *w = queue_wait(t, q, what, obj, deadline);
    if (unlock)
        mutex_release(t, unlock);
    b->wait = w;
    return gs_wait_block(b, w);
}

/* ---- mutex ------------------------------------------------------------------- */

static void mutex_release(struct gs_thread *t, struct mutex *m)
{
    struct gs_wnode *n = m->q.head;
    if (n) {
        m->owner = waiter(t, n->w);
        gs_wait_wake(t, n->w, 0, 0);
    } else {
        m->owner = NULL;
    }
}

int gs_sync_mutex_lock_step(struct gs_block *b)
{
    struct mutex *m = (struct mutex *)b->arg[0];
    gs_time deadline = (gs_time)b->arg[1];
    if (b->wait)
        return gs_wait_done(b, (uint64_t)b->wait->status, 0); /* 0: handed over */
    struct gs_thread *t;
    int rc = deadline < 0 ? EINVAL : bind_thread(m, &t);
    if (rc)
        return gs_wait_done(b, (uint64_t)rc, 0);
    void *me = self(t);
    if (!m->owner) {
        m->owner = me;
        return gs_wait_done(b, 0, 0);
    }
    if (m->owner == me)
        return gs_wait_done(b, EDEADLK, 0);
    return block_on(b, t, &m->q, "gs_mutex_lock", m, deadline, NULL);
}

int gs_mutex_trylock(struct gs_mutex *pm)
{
    struct mutex *m = (struct mutex *)pm;
    struct gs_thread *t;
    int rc = bind_thread(m, &t);
    if (rc)
        return rc;
    if (m->owner)
        return EBUSY;
    m->owner = self(t);
    return 0;
}

int gs_mutex_unlock(struct gs_mutex *pm)
{
    struct mutex *m = (struct mutex *)pm;
    struct gs_thread *t;
    int rc = bind_thread(m, &t);
    if (rc)
        return rc;
    if (m->owner != self(t))
        return EPERM;
    mutex_release(t, m);
    return 0;
}

/* ---- condition variable ----------------------------------------------------------- */

/* b->state bits of gs_cond_wait (the low 32 bits are the saved errno, unused). */
#define COND_RELOCK (1ull << 40)      /* waiting for the mutex again             */
#define COND_STATUS_SHIFT 48          /* the wait's outcome, kept while relocking */

int gs_sync_cond_wait_step(struct gs_block *b)
{
    struct cond *c = (struct cond *)b->arg[0];
    struct mutex *m = (struct mutex *)b->arg[1];
    gs_time deadline = (gs_time)b->arg[2];
    struct gs_thread *t = &gs_tls;
    struct gs_wait *w = b->wait;
    if (w && (b->state & COND_RELOCK)) {
        /* The mutex was handed to us: the call is over. */
        return gs_wait_done(b, b->state >> COND_STATUS_SHIFT, 0);
    }
    if (w) {
        int st = w->status;
        gs_wait_end(t, w);
        b->wait = NULL;
        if (!m->owner) {
            m->owner = self(t);
            return gs_wait_done(b, (uint64_t)st, 0);
        }
        /* Take the mutex back whatever happened, as pthread_cond_timedwait
         * does: no deadline, and no cancel, for this part. */
        b->state |= COND_RELOCK | ((uint64_t)(uint32_t)st << COND_STATUS_SHIFT);
        w = queue_wait(t, &m->q, "gs_cond_wait (taking the mutex back)", m, GS_WAIT_FOREVER);
        w->no_cancel = 1;
        b->wait = w;
        return gs_wait_block(b, w);
    }
    int rc = !m || deadline < 0 ? EINVAL : bind_thread(c, &t);
    if (!rc)
        rc = bind_thread(m, &t);
    if (rc)
        return gs_wait_done(b, (uint64_t)rc, 0);
    if (m->owner != self(t))
        return gs_wait_done(b, EPERM, 0);
    return block_on(b, t, &c->q, "gs_cond_wait", c, deadline, m);
}

/* gs_cond_signal (wake the first waiter) and gs_cond_broadcast (all). */
static int cond_wake(struct gs_cond *pc, int all)
{
    struct cond *c = (struct cond *)pc;
    struct gs_thread *t;
    int rc = bind_thread(c, &t);
    if (rc)
        return rc;
    while (c->q.head) {
        gs_wait_wake(t, c->q.head->w, 0, 0);
        if (!all)
            break;
    }
    return 0;
}

int gs_cond_signal(struct gs_cond *pc)
{
    return cond_wake(pc, 0);
}

int gs_cond_broadcast(struct gs_cond *pc)
{
    return cond_wake(pc, 1);
}

/* ---- wait group ------------------------------------------------------------------ */

int gs_wg_add(struct gs_wg *pw, long delta)
{
    struct wg *g = (struct wg *)pw;
    struct gs_thread *t;
    int rc = bind_thread(g, &t);
    if (rc)
        return rc;
    if (delta < 0 ? g->count < -delta : g->count > __LONG_MAX__ - delta)
        return EINVAL;
    g->count += delta;
    if (g->count == 0)
        while (g->q.head)
            gs_wait_wake(t, g->q.head->w, 0, 0);
    return 0;
}

int gs_wg_done(struct gs_wg *g)
{
    return gs_wg_add(g, -1);
}

int gs_sync_wg_wait_step(struct gs_block *b)
{
    struct wg *g = (struct wg *)b->arg[0];
    gs_time deadline = (gs_time)b->arg[1];
    if (b->wait)
        return gs_wait_done(b, (uint64_t)b->wait->status, 0);
    struct gs_thread *t;
    int rc = deadline < 0 ? EINVAL : bind_thread(g, &t);
    if (rc)
        return gs_wait_done(b, (uint64_t)rc, 0);
    if (g->count == 0)
        return gs_wait_done(b, 0, 0);
    return block_on(b, t, &g->q, "gs_wg_wait", g, deadline, NULL);
}

/* ---- cancellation --------------------------------------------------------------- */

int gs_cancel(gs_handle h)
{
    struct gs_thread *t = &gs_tls;
    struct gs_coro *co = gs_coro_lookup(h);
    if (!co)
        return gs_coro_lookup_error(h);
    struct gs_wait *w = co->state == GS_PARKED ? co->sched.wait : NULL;
    if (w && !w->no_cancel)
        gs_wait_wake(t, w, ECANCELED, -1);
    else
        co->sched.cancel = 1;
    return 0;
}

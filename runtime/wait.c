/* wait.c - waits, wait queues, deadlines, cancellation, the parked report (see
 * wait.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "coro.h"
#include "fatal.h"
#include "mem.h"
#include "symbols.h"
#include "wait.h"

__thread struct gs_wait_thread gs_wait_tls __attribute__((tls_model("initial-exec")));

/* ---- queues ------------------------------------------------------------------ */

void gs_wait_wq_push(struct gs_wq *q, struct gs_wnode *n)
{
    gs_assert(!n->q);
    n->q = q;
    n->next = NULL;
    n->prev = q->tail;
    if (q->tail)
        q->tail->next = n;
    else
        q->head = n;
    q->tail = n;
    if (q->total)
        (*q->total)++;
}

void gs_wait_wq_unlink(struct gs_wnode *n)
{
    struct gs_wq *q = n->q;
    if (!q)
        return;
    if (n->prev)
        n->prev->next = n->next;
    else
        q->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        q->tail = n->prev;
    n->next = n->prev = NULL;
    n->q = NULL;
    if (q->total)
        (*q->total)--;
}

/* ---- where a call runs, errno, finishing ---------------------------------------- */

enum gs_block_where gs_wait_where(const struct gs_block *b)
{
    if (b->guard)
        return GS_WHERE_CORO;
    struct gs_thread *t = &gs_tls;
    /* On the system stack: a signal handler or a callback has ext_target set;
     * otherwise this is the thread's own code outside coroutines. */
    if (t->ext_target || t->cur)
        return GS_WHERE_CALLBACK;
    return GS_WHERE_THREAD;
}

void gs_wait_misuse(const struct gs_block *b, const char *what)
{
    struct gs_thread *t = &gs_tls;
    char caller[128], inside[128], who[128];
    gs_symbols_name(gs_block_caller(b), caller, sizeof caller);
    gs_symbols_name(t->ext_target, inside, sizeof inside);
    gs_coro_describe(t->cur, who, sizeof who);
    gs_fatal("%s called by %s on the system stack of thread %u, inside %s (a callback from "
             "uninstrumented code called by %s, or a signal handler); a coroutine can only "
             "block on its own stack",
             what, caller, t->index, inside, who);
}

void gs_wait_save_errno(struct gs_block *b)
{
    if (!(b->state & GS_BLK_ERRNO_SAVED))
        b->state = (b->state & ~0xffffffffull) | GS_BLK_ERRNO_SAVED | (uint32_t)errno;
}

void gs_wait_restore_errno(const struct gs_block *b)
{
    if (b->state & GS_BLK_ERRNO_SAVED)
        errno = (int)(uint32_t)b->state;
}

int gs_wait_done(struct gs_block *b, uint64_t ret, int err)
{
    if (b->wait) {
        gs_wait_end(&gs_tls, b->wait);
        b->wait = NULL;
    }
    b->ret = ret;
    if (err)
        errno = err;
    else
        gs_wait_restore_errno(b);
    return GS_BLOCK_DONE;
}

/* ---- the pool ------------------------------------------------------------------ */

struct gs_wait *gs_wait_begin(struct gs_thread *t, const char *what, intptr_t obj,
                              int obj_is_fd, int64_t deadline)
{
    struct gs_wait *w = gs_wait_tls.pool;
    if (w) {
        gs_wait_tls.pool = w->next;
    } else {
        w = gs_mem_malloc(sizeof *w);
        if (!w)
            gs_fatal("out of memory for a wait (%zu bytes) in %s", sizeof *w, what);
    }
    memset(w, 0, offsetof(struct gs_wait, buf));
    w->fired = -1;
    w->what = what;
    w->obj = obj;
    w->obj_is_fd = obj_is_fd;
    w->deadline = deadline;
    w->timer.idx = GS_TIMER_IDLE;
    w->prev = NULL;
    w->next = gs_wait_tls.waits;
    if (gs_wait_tls.waits)
        gs_wait_tls.waits->prev = w;
    gs_wait_tls.waits = w;
    gs_wait_tls.n++;
    gs_wait_leak_check_install();
    return w;
}

struct gs_wnode *gs_wait_nodes(struct gs_wait *w, uint32_t n, size_t elem_size)
{
    gs_assert(!w->nodes && n > 0);
    size_t esz = (elem_size + 15) & ~(size_t)15;
    if (n == 1 && elem_size <= sizeof w->buf) {
        w->nodes = &w->one;
        memset(&w->one, 0, sizeof w->one);
        w->one.elem = elem_size ? w->buf : NULL;
    } else {
        size_t nb = ((size_t)n * sizeof(struct gs_wnode) + 15) & ~(size_t)15;
        if (esz && (size_t)n > (SIZE_MAX - nb) / esz)
            gs_fatal("out of memory for a wait of %u nodes of %zu bytes in %s", n, elem_size,
                     w->what);
        char *mem = gs_mem_calloc(1, nb + (size_t)n * esz);
        if (!mem)
            gs_fatal("out of memory for a wait of %u nodes of %zu bytes in %s", n, elem_size,
                     w->what);
        w->heap = mem;
        w->nodes = (struct gs_wnode *)mem;
        for (uint32_t i = 0; i < n; i++)
            w->nodes[i].elem = esz ? mem + nb + (size_t)i * esz : NULL;
    }
    w->nnodes = n;
    for (uint32_t i = 0; i < n; i++) {
        w->nodes[i].w = w;
        w->nodes[i].index = i;
    }
    return w->nodes;
}

static void unlink_all(struct gs_thread *t, struct gs_wait *w)
{
    for (uint32_t i = 0; i < w->nnodes; i++)
        gs_wait_wq_unlink(&w->nodes[i]);
    gs_timer_del(&gs_timer_tls, &w->timer);
}

/* A coroutine's transparent wait, woken or not (its step has not run yet). */
static int can_hold(const struct gs_wait *w)
{
    return w->blocked && w->co && w->intr != GS_WAIT_INTR_NONE;
}

void gs_wait_end(struct gs_thread *t, struct gs_wait *w)
{
    if (can_hold(w))
        gs_wait_tls.n_intr--;
    unlink_all(t, w);
    if (w->co && w->co->sched.wait == w)
        w->co->sched.wait = NULL;
    gs_mem_free(w->heap);
    w->heap = NULL;
    if (w->prev)
        w->prev->next = w->next;
    else
        gs_wait_tls.waits = w->next;
    if (w->next)
        w->next->prev = w->prev;
    gs_wait_tls.n--;
    w->next = gs_wait_tls.pool;
    gs_wait_tls.pool = w;
}

/* ---- blocking and waking ---------------------------------------------------------- */

void gs_wait_wake(struct gs_thread *t, struct gs_wait *w, int status, int fired)
{
    if (w->woken)
        return;
    w->woken = 1;
    w->status = status;
    w->fired = fired;
    unlink_all(t, w);
    struct gs_coro *co = w->co;
    if (co) {
        co->sched.wait = NULL;
        gs_coro_wake(co);
    }
}

static void wait_timeout(struct gs_timer *tm)
{
    struct gs_wait *w = (struct gs_wait *)((char *)tm - offsetof(struct gs_wait, timer));
    gs_wait_wake(&gs_tls, w, ETIMEDOUT, -1);
}

static void arm(struct gs_thread *t, struct gs_wait *w)
{
    if (w->deadline == GS_WAIT_FOREVER)
        return;
    w->timer.when = w->deadline;
    w->timer.fire = wait_timeout;
    if (gs_timer_add(&gs_timer_tls, &w->timer))
        gs_fatal("out of memory for a timer in %s", w->what);
}

int gs_wait_block(struct gs_block *b, struct gs_wait *w)
{
    struct gs_thread *t = &gs_tls;
    enum gs_block_where where = gs_wait_where(b);
    if (where == GS_WHERE_CALLBACK)
        gs_wait_misuse(b, w->what);
    w->blocked = 1;
    if (where == GS_WHERE_CORO && t->cur->sched.cancel && !w->no_cancel) {
        t->cur->sched.cancel = 0;
        gs_wait_wake(t, w, ECANCELED, -1);
        return GS_BLOCK_AGAIN;
    }
    w->since = gs_now();
    if (w->deadline != GS_WAIT_FOREVER && w->deadline <= w->since) {
        gs_wait_wake(t, w, ETIMEDOUT, -1);
        return GS_BLOCK_AGAIN;
    }
    arm(t, w);
    if (where == GS_WHERE_THREAD) {
        /* Outside coroutines the thread itself waits: the layer that runs the
         * thread (api.c: gs_api_block_wait) runs its coroutines until one of
         * them (or the poller, or the timer) wakes the wait. */
        return GS_BLOCK_THREAD;
    }
    struct gs_coro *co = t->cur;
    w->co = co;
    w->sig_seen[0] = __atomic_load_n(&t->sig_caught[0], __ATOMIC_RELAXED);
    w->sig_seen[1] = __atomic_load_n(&t->sig_caught[1], __ATOMIC_RELAXED);
    if (can_hold(w))
        gs_wait_tls.n_intr++;
    co->sched.wait = w;
    b->co = gs_coro_park_prepare(b->guard);
    return GS_BLOCK_PARK;
}

int gs_wait_interrupted(const struct gs_thread *t, int intr, const unsigned seen[2])
{
    unsigned any = __atomic_load_n(&t->sig_caught[0], __ATOMIC_RELAXED);
    unsigned norestart = __atomic_load_n(&t->sig_caught[1], __ATOMIC_RELAXED);
    return intr != GS_WAIT_INTR_NONE &&
           (seen[1] != norestart || (intr == GS_WAIT_INTR_ALWAYS && seen[0] != any));
}

int gs_wait_can_hold_signals(const struct gs_thread *t)
{
    (void)t;
    return gs_wait_tls.n_intr > 0;
}

void gs_wait_interrupt(struct gs_thread *t)
{
    struct gs_wait *next;
    for (struct gs_wait *w = gs_wait_tls.waits; w; w = next) {
        next = w->next; /* a wake does not take w off the list (gs_wait_end does) */
        if (w->blocked && !w->woken && w->co && gs_wait_interrupted(t, w->intr, w->sig_seen))
            gs_wait_wake(t, w, EINTR, -1);
    }
    if (!t->sig_held_n)
        return;
    /* The held signals go to the most recently parked transparent call (the
     * list is newest first), once; with none left, they are delivered here. */
    struct gs_wait *to = NULL;
    for (struct gs_wait *w = gs_wait_tls.waits; w; w = w->next) {
        if (!can_hold(w))
            continue;
        if (w->signals_here)
            return; /* given already; its step has not run yet */
        if (!to)
            to = w;
    }
    if (!to) {
        gs_thread_release_signals(t);
        return;
    }
    to->signals_here = 1;
    gs_wait_wake(t, to, GS_WAIT_SIGNALED, -1); /* no-op if already woken */
}

/* ---- reports ------------------------------------------------------------------- */

void gs_wait_report(struct gs_thread *t, size_t max)
{
    int64_t now = gs_now();
    size_t n = 0;
    for (struct gs_wait *w = gs_wait_tls.waits; w; w = w->next) {
        if (!w->blocked || w->woken)
            continue;
        if (n++ == max)
            continue;
        char who[128], obj[48] = "", line[384], dl[48] = "";
        if (w->co)
            gs_coro_describe(w->co, who, sizeof who);
        else
            gs_format(who, sizeof who, "thread %u outside coroutines", t->index);
        if (w->obj_is_fd)
            gs_format(obj, sizeof obj, " on descriptor %ld", (long)w->obj);
        else if (w->obj)
            gs_format(obj, sizeof obj, " on %p", (void *)w->obj);
        if (w->deadline != GS_WAIT_FOREVER)
            gs_format(dl, sizeof dl, ", deadline in %ld ms", (long)((w->deadline - now) / 1000000));
        size_t len = gs_format(line, sizeof line - 1, "growstack:   %s is parked in %s%s for %ld ms%s",
                               who, w->what, obj, (long)((now - w->since) / 1000000), dl);
        line[len++] = '\n';
        gs_write_stderr(line, len);
    }
    if (n > max) {
        char line[96];
        size_t len = gs_format(line, sizeof line - 1, "growstack:   ... and %zu more", n - max);
        line[len++] = '\n';
        gs_write_stderr(line, len);
    }
}

size_t gs_wait_parked(struct gs_thread *t)
{
    size_t n = 0;
    for (struct gs_wait *w = gs_wait_tls.waits; w; w = w->next)
        n += w->blocked && !w->woken;
    return n;
}

static void leak_check_at_exit(void)
{
    struct gs_thread *t = &gs_tls;
    if (!gs_cfg.leakcheck)
        return;
    size_t n = gs_wait_parked(t);
    if (!n)
        return;
    char line[256];
    size_t len = gs_format(line, sizeof line - 1,
                           "growstack: at exit, %zu coroutine%s of thread %u %s still parked in "
                           "a blocking call (GROWSTACK_LEAKCHECK=0 silences this):",
                           n, n == 1 ? "" : "s", t->index, n == 1 ? "is" : "are");
    line[len++] = '\n';
    gs_write_stderr(line, len);
    gs_wait_report(t, 20);
}

void gs_wait_leak_check_install(void)
{
    static int done;
    if (!__atomic_load_n(&done, __ATOMIC_RELAXED) &&
        !__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
        atexit(leak_check_at_exit);
}

void gs_wait_thread_exit(struct gs_thread *t)
{
    while (gs_wait_tls.pool) {
        struct gs_wait *w = gs_wait_tls.pool;
        gs_wait_tls.pool = w->next;
        gs_mem_free(w);
    }
    gs_timer_heap_free(&gs_timer_tls);
}

/* chan.c - channels and select (see chan.h; docs/netpoll.md, "Channels").
 *
 * Invariants:
 *  - A channel belongs to the thread that created it (c->thread); every call
 *    from another thread fails with EXDEV.
 *  - buf is a ring of cap elements, len of them in use from head.
 *  - Receivers wait (recvq) only while the buffer is empty and no sender waits;
 *    senders wait (sendq) only while the buffer is full (always, unbuffered)
 *    and no receiver waits. So a sender finding a receiver hands its element
 *    over directly, and a receiver finding a sender takes the buffer's head (or
 *    the sender's element, unbuffered) and lets the sender in.
 *  - A waiting sender's element is copied into its node's heap buffer when it
 *    parks, and a receiver's element is delivered into its node's buffer by the
 *    sender: neither side ever keeps a pointer into the other's stack (which
 *    may move while parked, docs/netpoll.md).
 *  - closed: no sender waits, no receiver waits unless the buffer is... empty
 *    (receivers drain it first).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"
#include "fatal.h"
#include "gcroots.h"
#include "mem.h"
#include "wait.h"

struct gs_chan {
    struct gs_thread *thread;
    size_t elem, cap, len, head;
    int closed;
    struct gs_wq recvq, sendq;
    unsigned char *buf;
};

struct gs_chan *gs_chan_create(size_t elem_size, size_t capacity)
{
    if (elem_size == 0 || elem_size > GS_CHAN_ELEM_MAX || capacity > ((size_t)1 << 31)) {
        errno = EINVAL;
        return NULL;
    }
    struct gs_chan *c = gs_mem_calloc(1, sizeof *c);
    if (!c) {
        errno = ENOMEM;
        return NULL;
    }
    if (capacity) {
        c->buf = gs_mem_malloc(elem_size * capacity);
        if (!c->buf) {
            gs_mem_free(c);
            errno = ENOMEM;
            return NULL;
        }
        /* Elements may be a program's pointers (gcroots.h). */
        gs_gcroots_add(c->buf, elem_size * capacity);
    }
    c->thread = &gs_tls;
    c->elem = elem_size;
    c->cap = capacity;
    return c;
}

static int check(const struct gs_chan *c, struct gs_thread **tp)
{
    if (!c)
        return EINVAL;
    struct gs_thread *t = &gs_tls;
    if (c->thread != t)
        return EXDEV;
    *tp = t;
    return 0;
}

static void wake_all(struct gs_thread *t, struct gs_wq *q, int status)
{
    struct gs_wnode *n;
    while ((n = q->head) != NULL)
        gs_wait_wake(t, n->w, status, (int)n->index);
}

int gs_chan_close(struct gs_chan *c)
{
    struct gs_thread *t;
    int rc = check(c, &t);
    if (rc)
        return rc;
    if (c->closed)
        return EPIPE;
    c->closed = 1;
    wake_all(t, &c->recvq, EPIPE);
    wake_all(t, &c->sendq, EPIPE);
    return 0;
}

int gs_chan_destroy(struct gs_chan *c)
{
    struct gs_thread *t;
    int rc = check(c, &t);
    if (rc)
        return rc;
    if (c->recvq.head || c->sendq.head)
        return EBUSY;
    if (c->buf)
        gs_gcroots_remove(c->buf, c->elem * c->cap);
    gs_mem_free(c->buf);
    gs_mem_free(c);
    return 0;
}

size_t gs_chan_len(const struct gs_chan *c)
{
    return c ? c->len : 0;
}

size_t gs_chan_cap(const struct gs_chan *c)
{
    return c ? c->cap : 0;
}

static unsigned char *slot(struct gs_chan *c, size_t i)
{
    return c->buf + ((c->head + i) % c->cap) * c->elem;
}

/* A send that does not wait: 0 done, EPIPE closed, EAGAIN it would wait. */
static int try_send(struct gs_thread *t, struct gs_chan *c, const void *in)
{
    if (c->closed)
        return EPIPE;
    struct gs_wnode *n = c->recvq.head;
    if (n) {
        memcpy(n->elem, in, c->elem);
        gs_wait_wake(t, n->w, 0, (int)n->index);
        return 0;
    }
    if (c->len < c->cap) {
        memcpy(slot(c, c->len), in, c->elem);
        c->len++;
        return 0;
    }
    return EAGAIN;
}

/* A receive that does not wait: 0 done, EPIPE closed and drained (out zeroed),
 * EAGAIN it would wait. out may be NULL (the element is dropped). */
static int try_recv(struct gs_thread *t, struct gs_chan *c, void *out)
{
    struct gs_wnode *n = c->sendq.head;
    if (c->len) {
        if (out)
            memcpy(out, slot(c, 0), c->elem);
        c->head = (c->head + 1) % c->cap;
        c->len--;
        if (n) { /* the buffer was full: the first waiting sender gets in */
            memcpy(slot(c, c->len), n->elem, c->elem);
            c->len++;
            gs_wait_wake(t, n->w, 0, (int)n->index);
        }
        return 0;
    }
    if (n) {
        if (out)
            memcpy(out, n->elem, c->elem);
        gs_wait_wake(t, n->w, 0, (int)n->index);
        return 0;
    }
    if (c->closed) {
        if (out)
            memset(out, 0, c->elem);
        return EPIPE;
    }
    return EAGAIN;
}

/* ---- send and receive ----------------------------------------------------------- */

int gs_chan_send_step(struct gs_block *b)
{
    struct gs_chan *c = (struct gs_chan *)b->arg[0];
    const void *in = (const void *)b->arg[1];
    gs_time deadline = (gs_time)b->arg[2];
    struct gs_wait *w = b->wait;
    if (w)
        return gs_wait_done(b, (uint64_t)w->status, 0);
    struct gs_thread *t;
    int rc = check(c, &t);
    if (rc || deadline < 0)
        return gs_wait_done(b, (uint64_t)(rc ? rc : EINVAL), 0);
    rc = try_send(t, c, in);
    if (rc != EAGAIN || deadline == GS_NOWAIT)
        return gs_wait_done(b, (uint64_t)rc, 0);
    w = gs_wait_begin(t, "gs_chan_send", (intptr_t)c, 0, deadline);
    struct gs_wnode *n = gs_wait_nodes(w, 1, c->elem);
    n->op = GS_SELECT_SEND;
    memcpy(n->elem, in, c->elem);
    gs_wait_wq_push(&c->sendq, n);
    b->wait = w;
    return gs_wait_block(b, w);
}

int gs_chan_recv_step(struct gs_block *b)
{
    struct gs_chan *c = (struct gs_chan *)b->arg[0];
    void *out = (void *)b->arg[1];
    gs_time deadline = (gs_time)b->arg[2];
    struct gs_wait *w = b->wait;
    if (w) {
        /* `out` was read from the block again: if it points into this
         * coroutine's stack and the stack moved, it was moved with it. */
        if (w->status == 0 && out)
            memcpy(out, w->nodes[0].elem, c->elem);
        else if (w->status == EPIPE && out)
            memset(out, 0, c->elem);
        return gs_wait_done(b, (uint64_t)w->status, 0);
    }
    struct gs_thread *t;
    int rc = check(c, &t);
    if (rc || deadline < 0)
        return gs_wait_done(b, (uint64_t)(rc ? rc : EINVAL), 0);
    rc = try_recv(t, c, out);
    if (rc != EAGAIN || deadline == GS_NOWAIT)
        return gs_wait_done(b, (uint64_t)rc, 0);
    w = gs_wait_begin(t, "gs_chan_recv", (intptr_t)c, 0, deadline);
    struct gs_wnode *n = gs_wait_nodes(w, 1, c->elem);
    n->op = GS_SELECT_RECV;
    gs_wait_wq_push(&c->recvq, n);
    b->wait = w;
    return gs_wait_block(b, w);
}

/* ---- select ------------------------------------------------------------------ */

/* select's case order: a xorshift generator per thread. */
static __thread uint64_t rng;

static uint64_t rnd(struct gs_thread *t)
{
    uint64_t x = rng;
    if (!x)
        x = (uint64_t)(uintptr_t)t ^ (uint64_t)gs_now() ^ 0x9e3779b97f4a7c15ull;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng = x;
    return x;
}

static int select_done(struct gs_block *b, int64_t index, int err)
{
    return gs_wait_done(b, (uint64_t)index, index < 0 ? err : 0);
}

int gs_chan_select_step(struct gs_block *b)
{
    struct gs_select_case *cases = (struct gs_select_case *)b->arg[0];
    size_t n = (size_t)b->arg[1];
    gs_time deadline = (gs_time)b->arg[2];
    struct gs_wait *w = b->wait;
    if (w) {
        int st = w->status, f = w->fired;
        if (f < 0)
            return select_done(b, -1, st);
        struct gs_select_case *k = &cases[f];
        k->err = st;
        if (k->op == GS_SELECT_RECV && k->elem) {
            if (st == 0)
                memcpy(k->elem, w->nodes[f].elem, k->chan->elem);
            else
                memset(k->elem, 0, k->chan->elem);
        }
        return select_done(b, f, 0);
    }
    gs_wait_save_errno(b);
    struct gs_thread *t = &gs_tls;
    if (deadline < 0 || n > GS_SELECT_MAX || (n && !cases))
        return select_done(b, -1, EINVAL);
    size_t maxelem = 0;
    for (size_t i = 0; i < n; i++) {
        struct gs_chan *c = cases[i].chan;
        if (cases[i].op != GS_SELECT_SEND && cases[i].op != GS_SELECT_RECV)
            return select_done(b, -1, EINVAL);
        if (!c)
            continue;
        if (c->thread != t)
            return select_done(b, -1, EXDEV);
        if (c->elem > maxelem)
            maxelem = c->elem;
    }
    /* Go's rule: when several cases can proceed, one is chosen uniformly at
     * random, so no case starves another. A random permutation for up to 64
     * cases; a random rotation beyond. */
    uint16_t order[64];
    size_t start = n ? (size_t)(rnd(t) % n) : 0;
    if (n <= 64) {
        for (size_t i = 0; i < n; i++) {
            size_t j = (size_t)(rnd(t) % (i + 1));
            order[i] = order[j];
            order[j] = (uint16_t)i;
        }
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = n <= 64 ? order[k] : (start + k) % n;
        struct gs_select_case *c = &cases[i];
        if (!c->chan)
            continue;
        int rc = c->op == GS_SELECT_SEND ? try_send(t, c->chan, c->elem)
                                         : try_recv(t, c->chan, c->elem);
        if (rc != EAGAIN) {
            c->err = rc;
            return select_done(b, (int64_t)i, 0);
        }
    }
    if (deadline == GS_NOWAIT)
        return select_done(b, -1, EAGAIN);
    w = gs_wait_begin(t, "gs_select", (intptr_t)cases, 0, deadline);
    if (n) {
        struct gs_wnode *nodes = gs_wait_nodes(w, (uint32_t)n, maxelem);
        for (size_t i = 0; i < n; i++) {
            struct gs_select_case *c = &cases[i];
            if (!c->chan)
                continue;
            nodes[i].op = (uint32_t)c->op;
            if (c->op == GS_SELECT_SEND) {
                memcpy(nodes[i].elem, c->elem, c->chan->elem);
                gs_wait_wq_push(&c->chan->sendq, &nodes[i]);
            } else {
                gs_wait_wq_push(&c->chan->recvq, &nodes[i]);
            }
        }
    }
    b->wait = w;
    return gs_wait_block(b, w);
}

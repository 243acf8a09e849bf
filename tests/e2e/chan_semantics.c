/* chan_semantics - channels (runtime/chan.c): the order of elements and of
 * waiters, hand-over on unbuffered channels, buffering, close (drain, then
 * EPIPE; waiters woken with EPIPE), GS_NOWAIT and deadlines, elements of many
 * sizes, elements received into locals of a stack that grows and moves while
 * the receiver is parked, and a long pipeline in which every stage parks: its
 * cost in switches must be linear in the number of stages (a scheduler that
 * polls would be quadratic). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#include <growstack.h>

/* ---- unbuffered: hand-over and waiter order ------------------------------------ */

static struct gs_chan *uc;
static int order[16], norder;

static void *sender(void *arg)
{
    long v = (long)arg;
    E2E_EQ_LONG(gs_chan_send(uc, &v, GS_FOREVER), 0);
    order[norder++] = (int)v;
    return NULL;
}

static void unbuffered(void)
{
    uc = gs_chan_create(sizeof(long), 0);
    E2E_CHECK(uc != NULL);
    E2E_EQ_LONG(gs_chan_cap(uc), 0);
    /* Five senders park in spawn order; receives take them in that order. */
    gs_handle h[5];
    for (long i = 0; i < 5; i++)
        h[i] = gs_spawn(sender, (void *)(i + 10));
    gs_yield(); /* let them all park */
    long v = 0;
    E2E_EQ_LONG(gs_chan_send(uc, &v, GS_NOWAIT), EAGAIN); /* nobody receives */
    for (long i = 0; i < 5; i++) {
        E2E_EQ_LONG(gs_chan_recv(uc, &v, GS_FOREVER), 0);
        E2E_EQ_LONG(v, i + 10);
    }
    for (int i = 0; i < 5; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    for (int i = 0; i < 5; i++)
        E2E_EQ_LONG(order[i], i + 10);
    E2E_EQ_LONG(gs_chan_recv(uc, &v, GS_NOWAIT), EAGAIN);
    gs_time t0 = gs_now();
    E2E_EQ_LONG(gs_chan_recv(uc, &v, gs_deadline_after(5000000)), ETIMEDOUT);
    E2E_CHECK(gs_now() - t0 >= 5000000);
    E2E_EQ_LONG(gs_chan_destroy(uc), 0);
}

/* ---- buffered: FIFO, full buffer, close ------------------------------------------ */

static struct gs_chan *bc;

static void *fill(void *arg)
{
    (void)arg;
    for (long i = 0; i < 10; i++)
        E2E_EQ_LONG(gs_chan_send(bc, &i, GS_FOREVER), 0); /* parks at 4 */
    E2E_EQ_LONG(gs_chan_close(bc), 0);
    return NULL;
}

static void buffered(void)
{
    bc = gs_chan_create(sizeof(long), 4);
    E2E_EQ_LONG(gs_chan_cap(bc), 4);
    gs_handle h = gs_spawn(fill, NULL);
    gs_yield();
    E2E_EQ_LONG(gs_chan_len(bc), 4); /* full; the sender is parked */
    long v;
    for (long i = 0; i < 10; i++) {
        E2E_EQ_LONG(gs_chan_recv(bc, &v, GS_FOREVER), 0);
        E2E_EQ_LONG(v, i);
    }
    v = 99;
    E2E_EQ_LONG(gs_chan_recv(bc, &v, GS_FOREVER), EPIPE); /* closed and drained */
    E2E_EQ_LONG(v, 0);
    E2E_EQ_LONG(gs_chan_send(bc, &v, GS_FOREVER), EPIPE);
    E2E_EQ_LONG(gs_chan_close(bc), EPIPE);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    E2E_EQ_LONG(gs_chan_destroy(bc), 0);

    /* Close with buffered elements: receivers drain them first. */
    bc = gs_chan_create(sizeof(long), 3);
    for (long i = 1; i <= 3; i++)
        E2E_EQ_LONG(gs_chan_send(bc, &i, GS_NOWAIT), 0);
    E2E_EQ_LONG(gs_chan_send(bc, &v, GS_NOWAIT), EAGAIN);
    E2E_EQ_LONG(gs_chan_close(bc), 0);
    for (long i = 1; i <= 3; i++) {
        E2E_EQ_LONG(gs_chan_recv(bc, &v, GS_NOWAIT), 0);
        E2E_EQ_LONG(v, i);
    }
    E2E_EQ_LONG(gs_chan_recv(bc, &v, GS_NOWAIT), EPIPE);
    E2E_EQ_LONG(gs_chan_destroy(bc), 0);
}

/* ---- close wakes every waiter ------------------------------------------------- */

static struct gs_chan *cc;
static int woke_epipe;

static void *recv_waiter(void *arg)
{
    (void)arg;
    long v = 5;
    if (gs_chan_recv(cc, &v, GS_FOREVER) == EPIPE && v == 0)
        woke_epipe++;
    return NULL;
}

static void *send_waiter(void *arg)
{
    (void)arg;
    long v = 5;
    if (gs_chan_send(cc, &v, GS_FOREVER) == EPIPE)
        woke_epipe++;
    return NULL;
}

static void close_wakes(void)
{
    cc = gs_chan_create(sizeof(long), 0);
    gs_handle h[6];
    for (int i = 0; i < 3; i++)
        h[i] = gs_spawn(recv_waiter, NULL);
    gs_yield();
    E2E_EQ_LONG(gs_chan_destroy(cc), EBUSY); /* waiters */
    E2E_EQ_LONG(gs_chan_close(cc), 0);
    for (int i = 0; i < 3; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    E2E_EQ_LONG(woke_epipe, 3);
    E2E_EQ_LONG(gs_chan_destroy(cc), 0);
    /* Senders too. */
    cc = gs_chan_create(sizeof(long), 0);
    for (int i = 3; i < 6; i++)
        h[i] = gs_spawn(send_waiter, NULL);
    gs_yield();
    E2E_EQ_LONG(gs_chan_close(cc), 0);
    for (int i = 3; i < 6; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    E2E_EQ_LONG(woke_epipe, 6);
    E2E_EQ_LONG(gs_chan_destroy(cc), 0);
}

/* ---- element sizes, and receiving into a stack that moves ------------------------------ */

struct big {
    unsigned char b[3000];
};

static struct gs_chan *bigc;

static void *big_sender(void *arg)
{
    (void)arg;
    static struct big m;
    for (int round = 0; round < 20; round++) {
        for (size_t i = 0; i < sizeof m.b; i++)
            m.b[i] = (unsigned char)(i * 7 + round);
        E2E_EQ_LONG(gs_chan_send(bigc, &m, GS_FOREVER), 0);
        gs_yield();
    }
    return NULL;
}

/* Receives at depth: the element lands in a local of a frame whose stack
 * grew (and in contiguous mode moved, with GROWSTACK_FORCE_MOVE at every call)
 * on the way down, while the receiver was parked. */
static int big_round;
static void recv_big(void *arg)
{
    (void)arg;
    struct big local;
    E2E_EQ_LONG(gs_chan_recv(bigc, &local, GS_FOREVER), 0);
    for (size_t i = 0; i < sizeof local.b; i++)
        if (local.b[i] != (unsigned char)(i * 7 + big_round))
            E2E_CHECK_MSG(0, "round %d byte %zu: %u", big_round, i, local.b[i]);
    big_round++;
}

static void *big_receiver(void *arg)
{
    (void)arg;
    for (int round = 0; round < 20; round++)
        e2e_at_depth(round * 37 % 200, recv_big, NULL);
    return NULL;
}

static void element_sizes(void)
{
    bigc = gs_chan_create(sizeof(struct big), 0);
    gs_handle r = gs_spawn(big_receiver, NULL), s = gs_spawn(big_sender, NULL);
    E2E_EQ_LONG(gs_join(r, NULL), 0);
    E2E_EQ_LONG(gs_join(s, NULL), 0);
    E2E_EQ_LONG(big_round, 20);
    E2E_EQ_LONG(gs_chan_destroy(bigc), 0);
    errno = 0;
    E2E_CHECK(gs_chan_create(0, 1) == NULL && errno == EINVAL);
    E2E_CHECK(gs_chan_create(GS_CHAN_ELEM_MAX + 1, 1) == NULL && errno == EINVAL);
    E2E_CHECK(gs_chan_create(1, ((size_t)1 << 31) + 1) == NULL && errno == EINVAL);
    long v = 0;
    E2E_EQ_LONG(gs_chan_send(NULL, &v, GS_FOREVER), EINVAL);
    E2E_EQ_LONG(gs_chan_recv(NULL, &v, GS_FOREVER), EINVAL);
    struct gs_chan *c = gs_chan_create(sizeof v, 1);
    E2E_EQ_LONG(gs_chan_send(c, &v, -5), EINVAL); /* a negative deadline */
    E2E_EQ_LONG(gs_chan_destroy(c), 0);
}

/* ---- a pipeline: every stage parks, the cost is linear -------------------------------- */

#define STAGES 10000

static struct gs_chan *pipe_ch[STAGES + 1];

static void *stage(void *arg)
{
    long i = (long)arg, v;
    while (gs_chan_recv(pipe_ch[i], &v, GS_FOREVER) == 0)
        E2E_EQ_LONG(gs_chan_send(pipe_ch[i + 1], &(long){v + 1}, GS_FOREVER), 0);
    gs_chan_close(pipe_ch[i + 1]);
    return NULL;
}

static void pipeline(void)
{
    for (int i = 0; i <= STAGES; i++)
        pipe_ch[i] = gs_chan_create(sizeof(long), 0);
    /* Spawned last stage first: the order that made the polling pipeline of
     * issue 15 quadratic. */
    gs_handle h[STAGES];
    for (long i = STAGES - 1; i >= 0; i--) {
        h[i] = gs_spawn(stage, (void *)i);
        E2E_EQ_LONG(gs_detach(h[i]), 0);
    }
    struct gs_stats before = e2e_stats();
    long v;
    for (long k = 0; k < 3; k++) {
        E2E_EQ_LONG(gs_chan_send(pipe_ch[0], &k, GS_FOREVER), 0);
        E2E_EQ_LONG(gs_chan_recv(pipe_ch[STAGES], &v, GS_FOREVER), 0);
        E2E_EQ_LONG(v, k + STAGES);
    }
    gs_chan_close(pipe_ch[0]);
    E2E_EQ_LONG(gs_chan_recv(pipe_ch[STAGES], &v, GS_FOREVER), EPIPE);
    struct gs_stats d = e2e_stats_since(&before);
    /* 3 values and a close through 10,000 stages: a few switches per stage and
     * value, far below the quadratic 10^8. */
    E2E_CHECK_MSG(d.switches < 40ull * STAGES * 4, "switches %llu", (unsigned long long)d.switches);
    gs_sleep(1000000); /* the stages finish */
}

int main(void)
{
    unbuffered();
    buffered();
    close_wakes();
    element_sizes();
    pipeline();
    return e2e_done("chan_semantics");
}

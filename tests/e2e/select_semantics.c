/* select_semantics - gs_select (runtime/chan.c): a default (GS_NOWAIT) when no
 * case is ready, the case that becomes ready first wins when it waits, sends
 * and receives mixed, a closed channel's case fires with EPIPE, NULL channels
 * never fire, the choice among several ready cases is random (every case is
 * chosen, none starves), a select parked on several channels is removed from
 * all of them when one fires, deadlines, and bad input. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

static struct gs_chan *a, *b, *c;

static void *send_b_later(void *arg)
{
    long v = (long)arg;
    gs_sleep(2000000);
    E2E_EQ_LONG(gs_chan_send(b, &v, GS_FOREVER), 0);
    return NULL;
}

static void *recv_c_later(void *arg)
{
    (void)arg;
    gs_sleep(2000000);
    long v;
    E2E_EQ_LONG(gs_chan_recv(c, &v, GS_FOREVER), 0);
    E2E_EQ_LONG(v, 77);
    return NULL;
}

static void basics(void)
{
    a = gs_chan_create(sizeof(long), 0);
    b = gs_chan_create(sizeof(long), 0);
    c = gs_chan_create(sizeof(long), 0);
    long ra = -1, rb = -1, sc = 77;
    struct gs_select_case cs[3] = {
        {.chan = a, .op = GS_SELECT_RECV, .elem = &ra},
        {.chan = b, .op = GS_SELECT_RECV, .elem = &rb},
        {.chan = c, .op = GS_SELECT_SEND, .elem = &sc},
    };
    /* Nothing ready: the default. */
    errno = 0;
    E2E_EQ_LONG(gs_select(cs, 3, GS_NOWAIT), -1);
    E2E_EQ_LONG(errno, EAGAIN);
    /* A receive on b becomes possible first. */
    gs_handle h = gs_spawn(send_b_later, (void *)42L);
    E2E_EQ_LONG(gs_select(cs, 3, GS_FOREVER), 1);
    E2E_EQ_LONG(rb, 42);
    E2E_EQ_LONG(cs[1].err, 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    /* The parked select was taken off a and c: a send on a finds nobody. */
    long v = 1;
    E2E_EQ_LONG(gs_chan_send(a, &v, GS_NOWAIT), EAGAIN);
    E2E_EQ_LONG(gs_chan_recv(c, &v, GS_NOWAIT), EAGAIN);
    /* A send case: the receiver comes later. */
    h = gs_spawn(recv_c_later, NULL);
    E2E_EQ_LONG(gs_select(cs, 3, GS_FOREVER), 2);
    E2E_EQ_LONG(cs[2].err, 0);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    /* Deadline. */
    errno = 0;
    gs_time t0 = gs_now();
    E2E_EQ_LONG(gs_select(cs, 3, gs_deadline_after(3000000)), -1);
    E2E_EQ_LONG(errno, ETIMEDOUT);
    E2E_CHECK(gs_now() - t0 >= 3000000);
    /* A closed channel's receive fires with EPIPE and a zeroed element. */
    E2E_EQ_LONG(gs_chan_close(a), 0);
    ra = 5;
    E2E_EQ_LONG(gs_select(cs, 1, GS_FOREVER), 0);
    E2E_EQ_LONG(cs[0].err, EPIPE);
    E2E_EQ_LONG(ra, 0);
    /* A closed channel's send fires with EPIPE. */
    E2E_EQ_LONG(gs_chan_close(c), 0);
    struct gs_select_case s1 = {.chan = c, .op = GS_SELECT_SEND, .elem = &sc};
    E2E_EQ_LONG(gs_select(&s1, 1, GS_NOWAIT), 0);
    E2E_EQ_LONG(s1.err, EPIPE);
    /* NULL channels never fire; with nothing else, the deadline ends it. */
    struct gs_select_case none[2] = {{.chan = NULL, .op = GS_SELECT_RECV},
                                     {.chan = NULL, .op = GS_SELECT_SEND}};
    errno = 0;
    E2E_EQ_LONG(gs_select(none, 2, gs_deadline_after(1000000)), -1);
    E2E_EQ_LONG(errno, ETIMEDOUT);
    errno = 0;
    E2E_EQ_LONG(gs_select(NULL, 0, GS_NOWAIT), -1);
    E2E_EQ_LONG(errno, EAGAIN);
    /* Bad input. */
    struct gs_select_case bad = {.chan = b, .op = 7};
    errno = 0;
    E2E_EQ_LONG(gs_select(&bad, 1, GS_FOREVER), -1);
    E2E_EQ_LONG(errno, EINVAL);
    errno = 0;
    E2E_EQ_LONG(gs_select(cs, GS_SELECT_MAX + 1, GS_FOREVER), -1);
    E2E_EQ_LONG(errno, EINVAL);
    errno = 0;
    E2E_EQ_LONG(gs_select(cs, 1, -1), -1);
    E2E_EQ_LONG(errno, EINVAL);
    gs_chan_destroy(a);
    gs_chan_destroy(b);
    gs_chan_destroy(c);
}

/* Four buffered channels, all always ready: over 4000 selects each case is
 * chosen; a fixed order would pick one every time. */
static void fairness(void)
{
    struct gs_chan *ch[4];
    struct gs_select_case cs[4];
    long out[4];
    for (int i = 0; i < 4; i++) {
        ch[i] = gs_chan_create(sizeof(long), 1);
        cs[i] = (struct gs_select_case){.chan = ch[i], .op = GS_SELECT_RECV, .elem = &out[i]};
    }
    int count[4] = {0};
    for (int n = 0; n < 4000; n++) {
        for (long i = 0; i < 4; i++)
            if (gs_chan_len(ch[i]) == 0)
                E2E_EQ_LONG(gs_chan_send(ch[i], &i, GS_NOWAIT), 0);
        int k = gs_select(cs, 4, GS_NOWAIT);
        E2E_CHECK(k >= 0 && k < 4);
        E2E_EQ_LONG(out[k], k);
        count[k]++;
    }
    for (int i = 0; i < 4; i++)
        E2E_CHECK_MSG(count[i] > 700, "case %d chosen %d times of 4000", i, count[i]);
    for (int i = 0; i < 4; i++)
        gs_chan_destroy(ch[i]);
}

/* Many coroutines select over the same two channels; a producer feeds both.
 * Every value arrives exactly once. */
#define WORKERS 50
#define VALUES 2000
static struct gs_chan *in1, *in2, *quit;
static long seen[VALUES];

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        long v1, v2, q;
        struct gs_select_case cs[3] = {{.chan = in1, .op = GS_SELECT_RECV, .elem = &v1},
                                       {.chan = in2, .op = GS_SELECT_RECV, .elem = &v2},
                                       {.chan = quit, .op = GS_SELECT_RECV, .elem = &q}};
        int k = gs_select(cs, 3, GS_FOREVER);
        E2E_CHECK(k >= 0);
        if (k == 2)
            return NULL;
        long v = k == 0 ? v1 : v2;
        E2E_CHECK(v >= 0 && v < VALUES);
        seen[v]++;
    }
}

static void many(void)
{
    in1 = gs_chan_create(sizeof(long), 0);
    in2 = gs_chan_create(sizeof(long), 3);
    quit = gs_chan_create(sizeof(long), 0);
    gs_handle h[WORKERS];
    for (int i = 0; i < WORKERS; i++)
        h[i] = gs_spawn(worker, NULL);
    for (long v = 0; v < VALUES; v++)
        E2E_EQ_LONG(gs_chan_send(v % 2 ? in1 : in2, &v, GS_FOREVER), 0);
    while (gs_chan_len(in2)) /* a closed quit competes with buffered values */
        gs_yield();
    E2E_EQ_LONG(gs_chan_close(quit), 0);
    for (int i = 0; i < WORKERS; i++)
        E2E_EQ_LONG(gs_join(h[i], NULL), 0);
    for (long v = 0; v < VALUES; v++)
        E2E_EQ_LONG(seen[v], 1);
}

int main(void)
{
    basics();
    fairness();
    many();
    return e2e_done("select_semantics");
}

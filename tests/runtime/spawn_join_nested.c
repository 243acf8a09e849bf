/* Nested spawn and join: coroutines spawn children, join them for their
 * results, from inside coroutines and from the thread's own stack. Also the
 * documented errors of the API. */
#include <errno.h>
#include <growstack.h>
#include <stdint.h>
#include <stdio.h>

static int failures;
#define CHECK(c) do { if (!(c)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

/* tree(n) spawns two children tree(n-1) and returns 1 + their sum: 2^(n+1)-1. */
static void *tree(void *arg)
{
    uintptr_t n = (uintptr_t)arg;
    if (n == 0)
        return (void *)1;
    gs_handle a = gs_spawn(tree, (void *)(n - 1));
    gs_handle b = gs_spawn(tree, (void *)(n - 1));
    gs_yield();
    void *ra = NULL, *rb = NULL;
    CHECK(gs_join(a, &ra) == 0);
    CHECK(gs_join(b, &rb) == 0);
    CHECK(gs_join(a, NULL) == ESRCH); /* joined twice */
    return (void *)(1 + (uintptr_t)ra + (uintptr_t)rb);
}

static void *self_join(void *arg)
{
    (void)arg;
    CHECK(gs_in_coroutine());
    CHECK(gs_join(gs_self(), NULL) == EDEADLK);
    return NULL;
}

static gs_handle waited;
static void *waiter(void *arg)
{
    (void)arg;
    CHECK(gs_join(waited, NULL) == 0);
    return NULL;
}
static void *second_waiter(void *arg)
{
    (void)arg;
    CHECK(gs_join(waited, NULL) == EINVAL); /* someone already waits */
    return NULL;
}
static void *slow(void *arg)
{
    for (int i = 0; i < 3; i++)
        gs_yield();
    return arg;
}

int main(void)
{
    CHECK(gs_yield() == EPERM);
    CHECK(!gs_in_coroutine());
    CHECK(gs_self() == 0);
    errno = 0;
    CHECK(gs_spawn(NULL, NULL) == 0 && errno == EINVAL);
    CHECK(gs_join(0, NULL) == ESRCH);
    CHECK(gs_join(0x123456789ULL, NULL) == ESRCH);

    gs_handle t = gs_spawn(tree, (void *)8);
    void *r = NULL;
    CHECK(gs_join(t, &r) == 0); /* from the thread's stack: runs the scheduler */
    CHECK((uintptr_t)r == 511);

    gs_handle s = gs_spawn(self_join, NULL);
    CHECK(gs_join(s, NULL) == 0);

    waited = gs_spawn(slow, (void *)5);
    gs_handle w1 = gs_spawn(waiter, NULL);
    gs_handle w2 = gs_spawn(second_waiter, NULL);
    CHECK(gs_run() == 0);
    CHECK(gs_join(w1, NULL) == 0);
    CHECK(gs_join(w2, NULL) == 0);
    CHECK(gs_join(waited, NULL) == ESRCH); /* the waiter joined it */

    /* gs_resume drives a coroutine like a generator. */
    gs_handle g = gs_spawn(slow, (void *)9);
    int steps = 0;
    while (!gs_done(g)) {
        CHECK(gs_resume(g) == 0);
        steps++;
    }
    CHECK(steps == 4);
    CHECK(gs_resume(g) == EINVAL);
    CHECK(gs_join(g, &r) == 0 && (uintptr_t)r == 9);

    /* A coroutine spawned (so queued) but driven to the end with gs_resume and
     * joined (freed) must leave the run queue: later spawns append to the queue,
     * and gs_run walks it. */
    for (int i = 0; i < 2000; i++) {
        gs_handle q = gs_spawn(slow, (void *)(uintptr_t)i);
        while (!gs_done(q))
            CHECK(gs_resume(q) == 0);
        CHECK(gs_join(q, &r) == 0 && (uintptr_t)r == (uintptr_t)i);
        gs_detach(gs_spawn(slow, NULL));
    }
    CHECK(gs_run() == 0);

    struct gs_stats st;
    gs_stats_get(&st);
    CHECK(st.spawned == st.finished);
    if (failures)
        return 1;
    printf("spawn_join_nested: ok (%llu coroutines)\n", (unsigned long long)st.spawned);
    return 0;
}

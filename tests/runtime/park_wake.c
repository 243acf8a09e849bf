/* park_wake - the core's park and wake (runtime/coro.h), under the default
 * scheduler and under a scheduler of the test's own.
 *
 *   park_wake scheduler      with gs_spawn/gs_run (scheduler.c's FIFO queue):
 *                            a parked coroutine is in no run queue (gs_run
 *                            leaves it alone, also when it was resumed directly
 *                            while queued), wake makes it run in wake order,
 *                            waking what is not parked fails, a coroutine wakes
 *                            another, 100000 park/wake round trips.
 *   park_wake own_scheduler  the core driven by a LIFO run queue of this file
 *                            installed with gs_coro_setup: the core calls the
 *                            hooks it is given, never scheduler.c.
 */
#include <errno.h>
#include <growstack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "coro.h"
#include "scheduler.h"

static int failures;
#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        if (!(cond)) {                                                           \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                          \
            printf(__VA_ARGS__);                                                 \
            printf("\n");                                                        \
            failures++;                                                          \
        }                                                                        \
    } while (0)

#define N 8
static struct gs_coro *parked[N];
static char order[64];
static size_t norder;

static void *park_once(void *arg)
{
    int id = (int)(intptr_t)arg;
    parked[id] = gs_coro_lookup(gs_self());
    gs_coro_park();
    order[norder++] = (char)('0' + id);
    return NULL;
}

/* A parked coroutine is not run by gs_run; woken ones run in wake order. */
static void wake_order(void)
{
    gs_handle h[N];
    for (int i = 0; i < N; i++)
        h[i] = gs_spawn(park_once, (void *)(intptr_t)i);
    size_t alive = gs_run();
    CHECK(alive == N, "gs_run left %zu alive, want %d parked", alive, N);
    CHECK(norder == 0, "a parked coroutine ran: %.*s", (int)norder, order);
    for (int i = 0; i < N; i++)
        CHECK(parked[i] && parked[i]->state == GS_PARKED &&
                  !(parked[i]->sched.flags & GS_SCHEDULER_QUEUED),
              "coroutine %d is not parked, or still queued", i);
    /* Wake in the order 7, 5, 3, 1, 0, 2, 4, 6. */
    static const int wake[N] = {7, 5, 3, 1, 0, 2, 4, 6};
    for (int i = 0; i < N; i++)
        CHECK(gs_coro_wake(parked[wake[i]]) == 0, "waking %d failed", wake[i]);
    CHECK(gs_coro_wake(parked[0]) == EINVAL, "waking a READY coroutine did not fail");
    alive = gs_run();
    CHECK(alive == 0, "gs_run left %zu alive after the wakes", alive);
    CHECK(norder == N && memcmp(order, "75310246", N) == 0, "ran in the order %.*s, want 75310246",
          (int)norder, order);
    for (int i = 0; i < N; i++)
        CHECK(gs_join(h[i], NULL) == 0, "join %d", i);
}

/* Resumed directly (gs_resume) while it waits in the run queue, a coroutine
 * that parks leaves the queue: gs_run does not find it there. */
static void park_while_queued(void)
{
    norder = 0;
    gs_handle h = gs_spawn(park_once, (void *)(intptr_t)1);
    CHECK(gs_resume(h) == 0, "gs_resume");
    CHECK(parked[1]->state == GS_PARKED, "not parked after gs_resume");
    CHECK(!(parked[1]->sched.flags & GS_SCHEDULER_QUEUED),
          "parked, it is still in the run queue it was spawned into");
    CHECK(gs_run() == 1, "gs_run: the parked coroutine is not alive and waiting");
    CHECK(norder == 0, "the parked coroutine ran from the run queue");
    CHECK(gs_resume(h) == EBUSY, "gs_resume of a parked coroutine: want EBUSY");
    CHECK(gs_coro_wake(parked[1]) == 0, "waking the parked coroutine failed");
    CHECK(gs_run() == 0 && norder == 1, "woken, it did not run once");
    CHECK(gs_coro_wake(parked[1]) == EINVAL, "waking a finished coroutine did not fail");
    CHECK(gs_join(h, NULL) == 0, "join");
}

/* One coroutine wakes another, which runs after it yields. */
static struct gs_coro *sleeper;
static void *sleeping(void *arg)
{
    sleeper = gs_coro_lookup(gs_self());
    gs_coro_park();
    order[norder++] = 's';
    return arg;
}
static void *waker(void *arg)
{
    order[norder++] = 'w';
    CHECK(gs_coro_wake(sleeper) == 0, "wake from a coroutine");
    gs_yield();
    order[norder++] = 'W';
    return arg;
}
static void wake_from_coroutine(void)
{
    norder = 0;
    gs_handle s = gs_spawn(sleeping, NULL), w = gs_spawn(waker, NULL);
    CHECK(gs_run() == 0, "not all finished");
    CHECK(norder == 3 && memcmp(order, "wsW", 3) == 0, "order %.*s, want wsW", (int)norder, order);
    CHECK(gs_join(s, NULL) == 0 && gs_join(w, NULL) == 0, "join");
}

/* Many round trips: each coroutine parks and is woken 1000 times. */
#define ROUNDS 1000
#define MANY 100
static struct gs_coro *many[MANY];
static long laps[MANY];
static void *lapper(void *arg)
{
    int id = (int)(intptr_t)arg;
    many[id] = gs_coro_lookup(gs_self());
    for (int r = 0; r < ROUNDS; r++) {
        gs_coro_park();
        laps[id]++;
    }
    return NULL;
}
static void many_round_trips(void)
{
    gs_handle h[MANY];
    for (int i = 0; i < MANY; i++)
        h[i] = gs_spawn(lapper, (void *)(intptr_t)i);
    gs_run();
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < MANY; i++)
            if (gs_coro_wake(many[i]))
                CHECK(0, "round %d: coroutine %d not parked", r, i);
        gs_run();
    }
    for (int i = 0; i < MANY; i++) {
        CHECK(laps[i] == ROUNDS, "coroutine %d ran %ld laps", i, laps[i]);
        CHECK(gs_join(h[i], NULL) == 0, "join %d", i);
    }
}

/* ---- a scheduler of this file: LIFO ------------------------------------------ */

static struct gs_coro *stack_of_ready[64];
static int nready, nstopped;
static void lifo_runnable(struct gs_coro *co) { stack_of_ready[nready++] = co; }
static void lifo_stopped(struct gs_coro *co) { (void)co; nstopped++; }
static const struct gs_coro_hooks lifo = {lifo_runnable, lifo_stopped};

static void *lifo_body(void *arg)
{
    int id = (int)(intptr_t)arg;
    order[norder++] = (char)('a' + id);
    gs_coro_park();
    order[norder++] = (char)('A' + id);
    return arg;
}

static void own_scheduler(void)
{
    gs_api_thread(); /* the runtime's own setup first; then this file's hooks */
    gs_coro_setup(&lifo);
    norder = 0;
    struct gs_coro *co[4];
    for (int i = 0; i < 4; i++) {
        co[i] = gs_coro_create((void *)lifo_body, (uintptr_t)i, 0, 0, NULL);
        lifo_runnable(co[i]);
    }
    while (nready) {
        struct gs_coro *c = stack_of_ready[--nready];
        enum gs_state st = gs_coro_resume(c);
        if (st == GS_PARKED)
            gs_coro_wake(c); /* the hook puts it back on the stack */
    }
    /* LIFO: d c b a run first, each parks and is woken at once: D, then C... */
    CHECK(norder == 8 && memcmp(order, "dDcCbBaA", 8) == 0, "order %.*s, want dDcCbBaA",
          (int)norder, order);
    CHECK(nstopped == 8, "the stopped hook ran %d times, want 8 (4 parks, 4 finishes)",
          nstopped);
    for (int i = 0; i < 4; i++) {
        CHECK(co[i]->state == GS_DONE && co[i]->result == (void *)(intptr_t)i, "coroutine %d", i);
        gs_coro_destroy(co[i]);
    }
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "scheduler";
    if (!strcmp(what, "scheduler")) {
        wake_order();
        park_while_queued();
        wake_from_coroutine();
        many_round_trips();
    } else if (!strcmp(what, "own_scheduler")) {
        own_scheduler();
    } else {
        fprintf(stderr, "usage: park_wake scheduler|own_scheduler\n");
        return 2;
    }
    printf("%s: %s\n", what, failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}

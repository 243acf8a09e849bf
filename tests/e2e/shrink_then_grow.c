/* shrink_then_grow - a coroutine recurses deep, returns, and yields from a
 * shallow frame: in contiguous mode with GROWSTACK_SHRINK=1 (the default) the
 * suspended stack, now using under a quarter of itself, is halved at each
 * yield (stats: shrinks > 0, stack_bytes down). Then it recurses deep again
 * (growing again from the smaller stack) and the result must be right; this
 * happens over several rounds, and with live frames (values checked after the
 * moves) below the yield.
 *
 * Shrinking is a contiguous-mode feature, but the program must pass
 * everywhere: in the other modes, and with GROWSTACK_SHRINK=0 (a separate test,
 * e2e.shrink_then_grow.contiguous-noshrink), shrinks must stay 0.
 *
 * main drives the coroutine with gs_resume, so it can read the counters while
 * the coroutine is suspended. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define DEPTH 20000
/* GROWSTACK_FORCE_MOVE=1 moves the stack at every call: O(N^2) bytes. */
#define DEPTH_FORCED 2000
#define ROUNDS 4
#define YIELDS_PER_ROUND 8 /* more than the shrink hysteresis (GS_SHRINK_QUIET_RUNS in grow.c) */

static long value(long n) { return (n * 40503L) % 9973; }

__attribute__((noinline)) static long rec(long n)
{
    volatile long v[4] = {value(n), n, -n, 7};
    if (n == 0)
        return v[0];
    long r = rec(n - 1);
    if (v[0] != value(n) || v[1] != n || v[2] != -n || v[3] != 7)
        return -1000000000L;
    return r + v[0];
}

static long depth;
static long results[ROUNDS];
static long frame_errors;

/* A few live frames below the yields, checked after each resume: a shrink
 * moves them. */
__attribute__((noinline)) static void rounds_at(int level)
{
    volatile long mark[3] = {level * 11L, level * 13L, 17};
    if (level > 0) {
        rounds_at(level - 1);
    } else {
        for (int r = 0; r < ROUNDS; r++) {
            results[r] = rec(depth);
            for (int y = 0; y < YIELDS_PER_ROUND; y++)
                gs_yield();
        }
    }
    if (mark[0] != level * 11L || mark[1] != level * 13L || mark[2] != 17)
        frame_errors++;
}

static void *body(void *arg)
{
    (void)arg;
    rounds_at(5);
    return (void *)42L;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    depth = m.forced ? DEPTH_FORCED : DEPTH;
    long want = 0;
    for (long n = 0; n <= depth; n++)
        want += value(n);

    struct gs_stats before = e2e_stats();
    gs_handle h = gs_spawn(body, NULL);
    E2E_CHECK(h != 0);
    uint64_t prev_shrinks = before.shrinks;
    long rounds_shrunk = 0;
    for (int r = 0; r < ROUNDS; r++) {
        /* Deep recursion, back, first yield of the round. */
        E2E_EQ_LONG(gs_resume(h), 0);
        E2E_EQ_LONG(results[r], want);
        uint64_t bytes_after_deep = e2e_stats().stack_bytes;
        for (int y = 1; y < YIELDS_PER_ROUND; y++)
            E2E_EQ_LONG(gs_resume(h), 0);
        struct gs_stats now = e2e_stats();
        if (now.shrinks > prev_shrinks) {
            rounds_shrunk++;
            /* Stacks got smaller (the deep stack was the largest one). */
            E2E_CHECK_MSG(now.stack_bytes < bytes_after_deep,
                          "round %d: %llu stack bytes after shrinking, %llu before", r,
                          (unsigned long long)now.stack_bytes,
                          (unsigned long long)bytes_after_deep);
        }
        prev_shrinks = now.shrinks;
    }
    E2E_EQ_LONG(gs_resume(h), 0); /* finishes */
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    E2E_EQ_LONG((long)res, 42);
    E2E_EQ_LONG(frame_errors, 0);

    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("shrink_then_grow", &d);
    if (m.contiguous && m.c.shrink) {
        E2E_CHECK(d.shrinks > 0);
        E2E_EQ_LONG(rounds_shrunk, ROUNDS); /* every round shrank, then grew again */
        E2E_CHECK(d.moves > 0);
        if (!m.forced) /* forced: see deep_recursion.c */
            E2E_EQ_LONG(d.pins, 0);
    } else {
        E2E_EQ_LONG(d.shrinks, 0);
    }
    return e2e_done("shrink_then_grow");
}

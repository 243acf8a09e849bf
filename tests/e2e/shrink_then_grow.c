/* shrink_then_grow - a coroutine recurses deep, returns, and yields from a
 * shallow frame, ROUNDS times; then it stays shallow for IDLE_YIELDS runs. In
 * contiguous mode with GROWSTACK_SHRINK=1 (the default) the shrink policy
 * (docs/protocol.md 5.4a) must:
 *  - shrink in round 0: after the deep run, 4 runs in a row stay within half
 *    the stack (the probe says so), and it uses under a quarter of itself
 *    (stats: shrinks > 0, stack_bytes down);
 *  - grow again in round 1 (the stack moves back up: the result must be right,
 *    the live frames below the yields too), which undoes that shrink and
 *    doubles the shallow runs a shrink needs (8): rounds 1..ROUNDS-1 have 7
 *    shallow runs each, so the stack that keeps needing its size is not
 *    shrunk again (no shrink, no move in those rounds);
 *  - shrink again in the idle stretch, whose runs stay shallow long enough.
 *
 * Shrinking is a contiguous-mode feature, but the program must pass
 * everywhere: in the other modes, and with GROWSTACK_SHRINK=0 (a separate test,
 * e2e.shrink_then_grow.contiguous-noshrink), shrinks must stay 0.
 *
 * main drives the coroutine with gs_resume, so it can read the counters while
 * the coroutine is suspended. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"
#include "e2e_rec.h"

#define DEPTH 20000
/* GROWSTACK_FORCE_MOVE=1 moves the stack at every call: O(N^2) bytes. */
#define DEPTH_FORCED 2000
#define ROUNDS 4
/* The deep run and 7 shallow ones: more than the 4 shallow runs the first
 * shrink needs, fewer than the 8 the next one needs (GS_SHRINK_WAIT_MIN,
 * doubled, stack.c). */
#define YIELDS_PER_ROUND 8
#define IDLE_YIELDS 64

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
            results[r] = e2e_rec(depth);
            for (int y = 0; y < YIELDS_PER_ROUND; y++)
                gs_yield();
        }
        for (int y = 0; y < IDLE_YIELDS; y++)
            gs_yield();
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
    const long want = e2e_rec_sum(depth);

    struct gs_stats before = e2e_stats();
    gs_handle h = gs_spawn(body, NULL);
    E2E_CHECK(h != 0);
    uint64_t prev_shrinks = before.shrinks;
    int shrunk_in[ROUNDS] = {0};
    uint64_t moves_in[ROUNDS] = {0};
    for (int r = 0; r < ROUNDS; r++) {
        /* Deep recursion, back, first yield of the round. */
        uint64_t moves_before = e2e_stats().moves;
        E2E_EQ_LONG(gs_resume(h), 0);
        E2E_EQ_LONG(results[r], want);
        uint64_t bytes_after_deep = e2e_stats().stack_bytes;
        for (int y = 1; y < YIELDS_PER_ROUND; y++)
            E2E_EQ_LONG(gs_resume(h), 0);
        struct gs_stats now = e2e_stats();
        moves_in[r] = now.moves - moves_before;
        if (now.shrinks > prev_shrinks) {
            shrunk_in[r] = 1;
            /* Stacks got smaller (the deep stack was the largest one). */
            E2E_CHECK_MSG(now.stack_bytes < bytes_after_deep,
                          "round %d: %llu stack bytes after shrinking, %llu before", r,
                          (unsigned long long)now.stack_bytes,
                          (unsigned long long)bytes_after_deep);
        }
        prev_shrinks = now.shrinks;
    }
    /* The idle stretch. */
    uint64_t bytes_before_idle = e2e_stats().stack_bytes;
    for (int y = 0; y < IDLE_YIELDS; y++)
        E2E_EQ_LONG(gs_resume(h), 0);
    struct gs_stats idle = e2e_stats();
    uint64_t idle_shrinks = idle.shrinks - prev_shrinks;
    E2E_EQ_LONG(gs_resume(h), 0); /* finishes */
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    E2E_EQ_LONG((long)res, 42);
    E2E_EQ_LONG(frame_errors, 0);

    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("shrink_then_grow", &d);
    if (m.contiguous && m.c.shrink) {
        E2E_CHECK_MSG(shrunk_in[0], "round 0 did not shrink");
        for (int r = 1; r < ROUNDS; r++) {
            E2E_CHECK_MSG(!shrunk_in[r], "round %d shrank a stack that keeps needing its size",
                          r);
            if (r >= 2 && !m.forced) /* forced: every call moves */
                E2E_CHECK_MSG(moves_in[r] == 0, "round %d moved %llu times", r,
                              (unsigned long long)moves_in[r]);
        }
        E2E_CHECK_MSG(idle_shrinks > 0, "the idle stretch did not shrink");
        E2E_CHECK(idle.stack_bytes < bytes_before_idle);
        E2E_CHECK(d.moves > 0);
        if (!m.forced) /* forced: see deep_recursion.c */
            E2E_EQ_LONG(d.pins, 0);
    } else {
        E2E_EQ_LONG(d.shrinks, 0);
    }
    return e2e_done("shrink_then_grow");
}

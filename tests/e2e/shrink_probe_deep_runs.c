/* shrink_probe_deep_runs - a coroutine that recurses deep on every run and
 * yields from a shallow frame in between (the warm deep-recursion pattern):
 * the shrink policy's probe (docs/protocol.md 5.4a) must find that each run
 * needs the stack, so that after the first run the stack neither shrinks nor
 * moves again, in contiguous mode with GROWSTACK_SHRINK=1. The probe hits
 * resume the function in place: with small frames (the check compares %rsp)
 * and with 1 KiB frames (it compares %rsp minus the frame); the results and
 * the live frames below the yields must stay right.
 *
 * The program passes in every mode; the counters are checked where they must
 * hold (with GROWSTACK_FORCE_MOVE every call moves: only the results count). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"
#include "e2e_rec.h"

#define DEPTH_SMALL 20000
#define DEPTH_BIG 2000
#define DEPTH_FORCED 100
#define RUNS 200
#define RUNS_FORCED 20 /* every call moves the stack: O(depth^2) bytes per run */


__attribute__((noinline)) static long rec_small(long n)
{
    volatile long v[2] = {e2e_rec_value(n), n};
    if (n == 0)
        return v[0];
    long r = rec_small(n - 1);
    if (v[0] != e2e_rec_value(n) || v[1] != n)
        return -1000000000L;
    return r + v[0];
}

__attribute__((noinline)) static long rec_big(long n)
{
    volatile long v[128];
    v[0] = e2e_rec_value(n);
    v[127] = n;
    if (n == 0)
        return v[0];
    long r = rec_big(n - 1);
    if (v[0] != e2e_rec_value(n) || v[127] != n)
        return -1000000000L;
    return r + v[0];
}

static long depth_small, depth_big;
static int runs;
static long results[RUNS];
static long frame_errors;

__attribute__((noinline)) static void runs_at(int level)
{
    volatile long mark[2] = {level * 11L, 17};
    if (level > 0) {
        runs_at(level - 1);
    } else {
        for (int r = 0; r < runs; r++) {
            results[r] = r % 2 ? rec_big(depth_big) : rec_small(depth_small);
            gs_yield();
        }
    }
    if (mark[0] != level * 11L || mark[1] != 17)
        frame_errors++;
}

static void *body(void *arg)
{
    (void)arg;
    runs_at(4);
    return (void *)42L;
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    depth_small = m.forced ? DEPTH_FORCED : DEPTH_SMALL;
    depth_big = m.forced ? DEPTH_FORCED : DEPTH_BIG;
    runs = m.forced ? RUNS_FORCED : RUNS;
    long want_small = e2e_rec_sum(depth_small), want_big = e2e_rec_sum(depth_big);

    gs_handle h = gs_spawn(body, NULL);
    E2E_CHECK(h != 0);
    /* The first two runs grow the stack to what both recursions need. */
    E2E_EQ_LONG(gs_resume(h), 0);
    E2E_EQ_LONG(gs_resume(h), 0);
    struct gs_stats before = e2e_stats();
    for (int r = 2; r < runs; r++)
        E2E_EQ_LONG(gs_resume(h), 0);
    struct gs_stats d = e2e_stats_since(&before);
    E2E_EQ_LONG(gs_resume(h), 0); /* finishes */
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    E2E_EQ_LONG((long)res, 42);
    E2E_EQ_LONG(frame_errors, 0);
    for (int r = 0; r < runs; r++)
        E2E_EQ_LONG(results[r], r % 2 ? want_big : want_small);

    e2e_print_growth("shrink_probe_deep_runs", &d);
    if (m.contiguous && !m.forced) {
        E2E_EQ_LONG(d.shrinks, 0);
        E2E_EQ_LONG(d.moves, 0);
        E2E_EQ_LONG(d.pins, 0);
    }
    if (!m.contiguous || !m.c.shrink)
        E2E_EQ_LONG(d.shrinks, 0);
    return e2e_done("shrink_probe_deep_runs");
}

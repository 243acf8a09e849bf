/* small_growth_quadruples - contiguous growth from a chunk-carved block of
 * 8 KiB goes straight to 32 KiB (runtime/stack.c grow_to, docs/protocol.md
 * 5.3): every page of a small block a stack grows through is touched, so the
 * classes skipped are fresh pages a cold deep stack does not pay for.
 *
 * A coroutine spawned with an 8 KiB stack recurses about 20 KiB deep: in
 * contiguous mode (not forced) that is exactly one move (doubling would take
 * two: 8 -> 16 -> 32 KiB). Every mode checks the result. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define DEPTH 400L /* 48-byte frames or more: about 19 KiB, under 32 KiB */

static long value(long n) { return (n * 2654435761L) & 0xffff; }

__attribute__((noinline)) static long rec(long n)
{
    volatile long v = value(n);
    volatile long w = n; /* a 48-byte frame: ret, rbp, v, w, padding */
    if (n == 0)
        return v + w;
    long r = rec(n - 1);
    if (v != value(n) || w != n)
        return -1000000000L;
    return r + v;
}

static void *body(void *arg)
{
    return (void *)rec((long)arg);
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    long want = 0;
    for (long n = 0; n <= DEPTH; n++)
        want += value(n);
    struct gs_stats before = e2e_stats();
    struct gs_spawn_attr attr = {.name = "small", .initial = 8192};
    gs_handle h = gs_spawn_with(body, (void *)DEPTH, &attr);
    E2E_CHECK(h != 0);
    void *res = NULL;
    E2E_EQ_LONG(gs_join(h, &res), 0);
    E2E_EQ_LONG((long)res, want);
    struct gs_stats d = e2e_stats_since(&before);
    e2e_print_growth("small_growth_quadruples", &d);
    if (m.contiguous && !m.forced) {
        E2E_EQ_LONG(d.pins, 0);
        E2E_EQ_LONG(d.moves, 1);
    }
    return e2e_done("small_growth_quadruples");
}

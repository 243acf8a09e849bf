/* e2e_stats.h - the runtime configuration and growth counters, for the e2e
 * tests that assert growth behaviour (splits, moves, pins, shrinks).
 *
 * Counters are process-wide totals (gs_stats_get sums over threads and
 * coroutines, main's coroutine included), so a test measures the difference
 * between two snapshots around the code it is about, and checks it only in the
 * modes where it must hold (e2e_cfg() says which mode runs). Include after
 * e2e.h. */
#ifndef E2E_STATS_H
#define E2E_STATS_H

#include <growstack.h>

struct e2e_cfg {
    struct gs_config c;
    int fixed, segmented, contiguous;
    int forced; /* contiguous with GROWSTACK_FORCE_MOVE=1: a move at every call */
};

__attribute__((noinline)) E2E_STATIC struct e2e_cfg e2e_cfg(void)
{
    struct e2e_cfg m;
    gs_config_get(&m.c);
    m.fixed = m.c.mode == GS_MODE_FIXED;
    m.segmented = m.c.mode == GS_MODE_SEGMENTED;
    m.contiguous = m.c.mode == GS_MODE_CONTIGUOUS;
    m.forced = m.contiguous && m.c.force_move;
    return m;
}

/* Every field of struct gs_stats is a uint64_t. */
#define E2E_NSTATS (sizeof(struct gs_stats) / sizeof(uint64_t))
_Static_assert(sizeof(struct gs_stats) % sizeof(uint64_t) == 0, "gs_stats: uint64_t fields");

/* noinline: the struct's address goes to the runtime, so the frame that holds
 * it is pinned (docs/protocol.md 2.1); inlined into a test's recursion it
 * would pin those frames too and turn contiguous moves into pins. */
__attribute__((noinline)) E2E_STATIC struct gs_stats e2e_stats(void)
{
    struct gs_stats st;
    gs_stats_get(&st);
    return st;
}

/* Counters since `before` (gauges such as stack_bytes come out as a
 * difference too; do not read them from the result). */
__attribute__((noinline)) E2E_STATIC struct gs_stats e2e_stats_since(const struct gs_stats *before)
{
    struct gs_stats now = e2e_stats(), d;
    uint64_t a[E2E_NSTATS], b[E2E_NSTATS], r[E2E_NSTATS];
    memcpy(a, &now, sizeof now);
    memcpy(b, before, sizeof *before);
    for (size_t i = 0; i < E2E_NSTATS; i++)
        r[i] = a[i] - b[i];
    memcpy(&d, r, sizeof d);
    return d;
}

/* acc += d, field by field (to sum the differences of several phases). */
E2E_STATIC void e2e_stats_add(struct gs_stats *acc, const struct gs_stats *d)
{
    uint64_t a[E2E_NSTATS], b[E2E_NSTATS];
    memcpy(a, acc, sizeof *acc);
    memcpy(b, d, sizeof *d);
    for (size_t i = 0; i < E2E_NSTATS; i++)
        a[i] += b[i];
    memcpy(acc, a, sizeof *acc);
}

E2E_STATIC void e2e_print_growth(const char *what, const struct gs_stats *d)
{
    printf("%s: splits=%llu new=%llu reused=%llu moves=%llu copied=%llu pins=%llu "
           "shrinks=%llu\n",
           what, (unsigned long long)d->splits, (unsigned long long)d->segments_new,
           (unsigned long long)d->segments_reused, (unsigned long long)d->moves,
           (unsigned long long)d->bytes_copied, (unsigned long long)d->pins,
           (unsigned long long)d->shrinks);
}

/* The growth a test meant to cause happened in the mode it ran in (d: an
 * e2e_stats_since difference): moves in contiguous mode, splits in segmented
 * mode. A macro, so that a failure names the test's line. */
#define E2E_CHECK_GREW(cfg, d)                                                   \
    do {                                                                         \
        if ((cfg).contiguous)                                                    \
            E2E_CHECK_MSG((d).moves > 0, "contiguous mode made no move");        \
        if ((cfg).segmented)                                                     \
            E2E_CHECK_MSG((d).splits > 0, "segmented mode made no split");       \
    } while (0)

#endif

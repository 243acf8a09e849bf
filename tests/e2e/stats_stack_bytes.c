/* stats_stack_bytes - the statistics say how much stack coroutines use, in
 * every mode (docs/usage.md, statistics):
 *
 *  - max_stack_bytes after a coroutine recursed 1 MiB deep is at least that and
 *    at most what its mode gives for it (fixed: a watermark step above it,
 *    growable: the doubled or chained blocks), not the size of a fixed mapping
 *    (GROWSTACK_MAX is 64 MiB here in every mode, set by gs_main_config);
 *  - while a coroutine that used 10 KB is suspended, stack_bytes counts that
 *    much for it, even in fixed mode where it runs on the cached mapping the deep
 *    one touched (no mincore-style page counting);
 *  - stack_bytes_peak while 100 such coroutines are alive is about 100 times
 *    that, far from 100 mappings of GROWSTACK_MAX.
 * The coroutines' frames are 1 KB each and movable. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define KB 1024L

/* The same limit in every configuration: a fixed stack maps all of it. */
void gs_main_config(struct gs_config *cfg)
{
    cfg->max = 64 * 1024 * KB;
}

__attribute__((noinline)) static long down(long bytes, int yield_at_bottom)
{
    volatile char pad[1000]; /* a variable index keeps it whole (e2e_descend) */
    pad[bytes & 7] = (char)bytes;
    long r = 0;
    if (bytes > 1000)
        r = down(bytes - 1000, yield_at_bottom);
    else if (yield_at_bottom)
        gs_yield();
    return r + pad[bytes & 7];
}

static void *deep(void *arg)
{
    return (void *)down((long)(intptr_t)arg, 0);
}

static void *shallow_parked(void *arg)
{
    return (void *)down((long)(intptr_t)arg, 1);
}

int main(void)
{
    struct e2e_cfg m = e2e_cfg();
    long depth = m.forced ? 256 * KB : 1024 * KB;
    E2E_EQ_LONG(m.c.max, 64 * 1024 * KB);

    gs_handle h = gs_spawn(deep, (void *)(intptr_t)depth);
    E2E_CHECK(h != 0 && gs_join(h, NULL) == 0);
    struct gs_stats st = e2e_stats();
    printf("deep %ld: max_stack_bytes=%llu\n", depth, (unsigned long long)st.max_stack_bytes);
    /* Frames of ~1040 bytes for every 1000 bytes of depth, plus the start. */
    E2E_CHECK_MSG(st.max_stack_bytes >= (uint64_t)depth, "max_stack_bytes %llu < %ld",
                  (unsigned long long)st.max_stack_bytes, depth);
    uint64_t bound = m.fixed ? (uint64_t)depth * 5 / 4 + 64 * KB : (uint64_t)depth * 3;
    E2E_CHECK_MSG(st.max_stack_bytes <= bound, "max_stack_bytes %llu > %llu",
                  (unsigned long long)st.max_stack_bytes, (unsigned long long)bound);

    /* One shallow coroutine, parked at its deepest point (in fixed mode on the
     * mapping the deep one left in the cache). */
    struct gs_stats before = e2e_stats();
    gs_handle p = gs_spawn(shallow_parked, (void *)(intptr_t)(10 * KB));
    E2E_EQ_LONG(gs_resume(p), 0); /* runs to its gs_yield */
    struct gs_stats during = e2e_stats();
    long one = (long)(during.stack_bytes - before.stack_bytes);
    printf("a coroutine 10 KB deep: stack_bytes +%ld\n", one);
    E2E_CHECK_MSG(one >= 10 * KB && one <= 48 * KB, "stack_bytes grew by %ld", one);
    E2E_EQ_LONG(gs_resume(p), 0);
    E2E_CHECK(gs_join(p, NULL) == 0);

    /* A hundred of them at once. */
    enum { N = 100 };
    gs_handle hs[N];
    before = e2e_stats();
    for (int i = 0; i < N; i++) {
        hs[i] = gs_spawn(shallow_parked, (void *)(intptr_t)(10 * KB));
        E2E_EQ_LONG(gs_resume(hs[i]), 0);
    }
    during = e2e_stats();
    long all = (long)(during.stack_bytes - before.stack_bytes);
    printf("%d coroutines 10 KB deep: stack_bytes +%ld, peak %llu, mapped %llu\n", N, all,
           (unsigned long long)during.stack_bytes_peak, (unsigned long long)during.mapped_bytes);
    E2E_CHECK_MSG(all >= N * 10 * KB && all <= N * 48 * KB, "stack_bytes grew by %ld", all);
    E2E_CHECK_MSG(during.stack_bytes_peak < (uint64_t)N * 48 * KB + (uint64_t)bound + 1024 * KB,
                  "stack_bytes_peak %llu", (unsigned long long)during.stack_bytes_peak);
    for (int i = 0; i < N; i++) {
        E2E_EQ_LONG(gs_resume(hs[i]), 0);
        E2E_CHECK(gs_join(hs[i], NULL) == 0);
    }
    return e2e_done("stats_stack_bytes");
}

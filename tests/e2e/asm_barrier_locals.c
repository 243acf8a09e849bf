/* asm_barrier_locals - a local kept alive by an empty asm barrier
 * (`asm volatile("" : : "r"(a) : "memory")`, benchmark::DoNotOptimize's) stays
 * in its frame on the moving stack (compiler-plugin/FrameAnalysis.h,
 * isEmptyAsmBarrier; the lit tests escape-cases.ll and zero-large-locals.c
 * check where it goes), so its words move with the stack and the addresses it
 * holds are relocated.
 *
 * Each frame of a recursion keeps, in such an array, the address of its
 * caller's array, its depth at a bounded index and one byte of it in the
 * array's last, short word. At the bottom the chain of arrays is walked up to
 * the top and every link and value checked; each frame checks its own values
 * again after the call below it returned. Every mode; contiguous mode moves
 * the stack on the way down (contiguous-forced at every check). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */
#include "e2e_stats.h"

#define DEPTH 3000L
#define FORCED_DEPTH 300L
#define WORDS 41 /* 328 bytes: the plugin's zeroing, not clang's */

static long depth_of_run;
static long bad_links;

static void check_chain(volatile uintptr_t *a)
{
    long k = 0;
    for (; a; a = (volatile uintptr_t *)a[0], k++) {
        bad_links += a[1 + (k & 7)] != (uintptr_t)k;
        bad_links += ((volatile unsigned char *)a)[8 * WORDS - 3] != (unsigned char)k;
    }
    bad_links += k != depth_of_run + 1;
}

__attribute__((noinline)) static long rec(long n, volatile uintptr_t *up)
{
    volatile uintptr_t a[WORDS];
    __asm__ volatile("" : : "r"(a) : "memory");
    const long k = n; /* 0 at the bottom */
    a[0] = (uintptr_t)up;
    a[1 + (k & 7)] = (uintptr_t)k;
    ((volatile unsigned char *)a)[8 * WORDS - 3] = (unsigned char)k;
    long bad;
    if (n == 0) {
        check_chain(a);
        bad = 0;
    } else {
        bad = rec(n - 1, a);
    }
    __asm__ volatile("" : : "r"(a) : "memory");
    bad += a[0] != (uintptr_t)up;
    bad += a[1 + (k & 7)] != (uintptr_t)k;
    bad += ((volatile unsigned char *)a)[8 * WORDS - 3] != (unsigned char)k;
    return bad;
}

int main(void) /* main runs on a coroutine (gscc wraps it) */
{
    struct e2e_cfg m = e2e_cfg();
    struct gs_stats before = e2e_stats();
    depth_of_run = m.forced ? FORCED_DEPTH : DEPTH;
    /* The chain's top link is NULL: rec(depth) gets no caller array. The
     * walk from the bottom counts depth + 1 arrays. */
    long bad = rec(depth_of_run, NULL);
    struct gs_stats g = e2e_stats_since(&before);
    e2e_print_growth("asm_barrier_locals", &g);
    E2E_CHECK_MSG(bad == 0, "%ld values changed in the frames", bad);
    E2E_CHECK_MSG(bad_links == 0, "%ld links or values wrong in the chain", bad_links);
    if (m.contiguous)
        E2E_CHECK_MSG(g.moves > 0 && g.pins == 0, "moves %llu, pins %llu",
                      (unsigned long long)g.moves, (unsigned long long)g.pins);
    return e2e_done("asm_barrier_locals");
}

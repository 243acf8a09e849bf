/* hot_clock.c - the clock_gettime hot-split pattern (issue 10): a loop whose
 * every call crosses the stack boundary, in a caller that times itself with
 * clock_gettime(CLOCK_MONOTONIC, &ts).
 *
 * Passing &ts to libc used to pin the caller's frame, so contiguous mode could
 * never move this stack: it chained a segment at every call of the loop, a
 * frame walk included (28 ns/call, twice segmented mode's 14). With
 * clock_gettime in the plugin's table of calls that keep no pointer
 * (compiler-plugin/LibCalls.cpp) the first crossing moves the stack to one
 * twice as large and the loop runs without a split after that.
 *
 * Compiled twice from this source (bench/CMakeLists.txt): by gscc with
 * HC_PREFIX=gs_ (instrumented; run on a coroutine) and by plain clang-19 with
 * HC_PREFIX=clang_ (the floor, run on the thread stack).
 *
 * Hazards:
 *   - nothing here may take a frame address or hand a local's address to inline
 *     asm: the plugin pins such a frame, which is exactly what this benchmark
 *     must not do by accident. The room above the guard is read from %rsp.
 *   - the timing is the program's own (clock_gettime on locals), not rdtsc: the
 *     &local passed to libc is the pattern under test.
 *   - every call of libc here leaves instrumented code through the system-stack
 *     trampoline: four per run, none in the loop.
 */
#include <stdint.h>
#include <time.h>

#include "hot_clock.h"

#ifndef HC_PREFIX
#error "define HC_PREFIX (gs_ or clang_)"
#endif
#define HC_CAT2(a, b) a##b
#define HC_CAT(a, b) HC_CAT2(a, b)
#define HC(name) HC_CAT(HC_PREFIX, name)

/* Bytes between %rsp and the split-stack guard at %fs:0x70 (the word every
 * prologue check compares %rsp against). Only meaningful on a growstack
 * coroutine; the harness passes descend = 0 or 2 elsewhere. */
static inline int64_t hc_avail(void)
{
    uintptr_t sp, guard;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    __asm__ volatile("movq %%fs:0x70, %0" : "=r"(guard));
    return (int64_t)(sp - guard);
}

/* The callee of the hot loop: a frame of about F bytes, touched near both ends
 * at an index the compiler cannot fold (i & 7): an array accessed only at
 * constant offsets is split by clang into the bytes accessed, and the frame
 * would shrink (gscc zeroes the words such an index can reach). */
#define HC_DEFINE_LEAF(F)                                                                  \
    __attribute__((noinline)) static uint64_t HC(hc_leaf##F)(uint64_t i)                   \
    {                                                                                      \
        volatile char pad[(F) - 16];                                                       \
        pad[i & 7] = (char)i;                                                              \
        pad[sizeof(pad) - 1 - (i & 7)] = 0;                                                \
        return (unsigned char)pad[i & 7] + (unsigned char)pad[sizeof(pad) - 1 - (i & 7)];  \
    }
HC_DEFINE_LEAF(32)
HC_DEFINE_LEAF(128)
HC_DEFINE_LEAF(1024)

static inline uintptr_t hc_sp(void)
{
    uintptr_t sp;
    __asm__ volatile("movq %%rsp, %0" : "=r"(sp));
    return sp;
}

static int64_t hc_ns_between(const struct timespec *a, const struct timespec *b)
{
    return (int64_t)(b->tv_sec - a->tv_sec) * 1000000000 + (b->tv_nsec - a->tv_nsec);
}

/* The pattern: the caller's locals go to libc by address, around n calls
 * that each cross the boundary (at the right target). Two clocks: the
 * monotonic one of the pattern, and the thread's CPU time, which the report
 * uses (on a shared machine the wall clock also counts the time the thread
 * waited for a core). */
__attribute__((noinline)) static void HC(hc_run)(struct gs_hot_clock_request *rq)
{
    struct timespec t0, t1, c0, c1;
    uint64_t sum = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    switch (rq->frame) {
    case 32:
        for (uint64_t i = 0; i < rq->n; i++)
            sum += HC(hc_leaf32)(i);
        break;
    case 128:
        for (uint64_t i = 0; i < rq->n; i++)
            sum += HC(hc_leaf128)(i);
        break;
    case 1024:
        for (uint64_t i = 0; i < rq->n; i++)
            sum += HC(hc_leaf1024)(i);
        break;
    default:
        sum = ~(uint64_t)0;
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rq->ns = hc_ns_between(&t0, &t1);
    rq->cpu_ns = hc_ns_between(&c0, &c1);
    rq->checksum = sum;
    rq->avail = rq->descend == 1 ? hc_avail() : -1;
    rq->sp_low = hc_sp() & 4095;
}

/* Recurse in small frames until at most target + 64 bytes remain above the
 * guard (descend 1, which records how many frames that took) or for `levels`
 * frames (descend 2), then run the loop there. */
__attribute__((noinline)) static uint64_t HC(hc_descend)(struct gs_hot_clock_request *rq,
                                                        uint64_t level)
{
    volatile char pad[48];
    const size_t k = rq->target & 7; /* not foldable: the array stays whole (as above) */
    pad[k] = 1;
    pad[sizeof(pad) - 1 - k] = 0;
    const int deeper = rq->descend == 1   ? hc_avail() > (int64_t)rq->target + 64
                       : rq->descend == 2 ? level < rq->levels
                                          : 0;
    if (deeper)
        return HC(hc_descend)(rq, level + 1) + (unsigned char)pad[k] +
               (unsigned char)pad[sizeof(pad) - 1 - k];
    if (rq->descend == 1)
        rq->levels = level;
    HC(hc_run)(rq);
    return (unsigned char)pad[k];
}

void *HC(hot_clock_main)(void *arg)
{
    HC(hc_descend)(arg, 0);
    return arg;
}

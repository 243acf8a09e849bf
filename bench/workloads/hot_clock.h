/* hot_clock.h - the clock_gettime hot-split pattern (hot_clock.c, issue 10).
 *
 * Invariant: a correct run of n calls leaves checksum == anchor_hotsplit_checksum(n)
 * (the sum of i mod 256); ns and cpu_ns are the loop's own clock_gettime measurements.
 */
#ifndef GS_BENCH_HOT_CLOCK_H
#define GS_BENCH_HOT_CLOCK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gs_hot_clock_request {
    uint64_t target;   /* descend until at most target + 64 bytes remain above the guard */
    unsigned frame;    /* leaf frame: 32, 128 or 1024 bytes                         */
    int descend;       /* 0: run the loop where it starts (fixed mode, the floor);
                          1: descend toward target (set levels);
                          2: descend exactly `levels` frames: on a fresh coroutine,
                             the loop runs at the addresses (modulo the stack's
                             placement) of a run of 1 that set them               */
    uint64_t levels;   /* out (descend 1), in (descend 2): hc_descend frames above
                          the loop's                                               */
    uint64_t n;        /* calls in the loop                                          */
    int64_t ns;        /* out: the loop's time by clock_gettime(CLOCK_MONOTONIC)     */
    int64_t cpu_ns;    /* out: and by clock_gettime(CLOCK_THREAD_CPUTIME_ID)         */
    uint64_t checksum; /* out                                                        */
    int64_t avail;     /* out: bytes above the guard at the loop (-1: not descended) */
    uint64_t sp_low;   /* out: the loop's %rsp modulo 4 KiB                          */
};

/* Coroutine (or thread) body: descend, run the loop, return arg. */
void *gs_hot_clock_main(void *arg);    /* gscc build                 */
void *clang_hot_clock_main(void *arg); /* plain clang-19 build: floor */

#ifdef __cplusplus
}
#endif
#endif

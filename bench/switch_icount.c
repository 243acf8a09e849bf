/* switch_icount.c - a fixed number of gs_resume + gs_yield round trips, for
 * counting the instructions of one deterministically (issue 13: BM_Switch's
 * timings vary by +-20-30 % on a shared VM; instruction counts do not).
 *
 *   switch_icount N [nested]
 *
 * resumes BM_Switch's coroutine (gs_bench_worker, built by gscc: a growable
 * stack whose resumes pass the shrink policy's test) with GS_JOB_PARK, which
 * only yields, N times from the thread's own stack, or with `nested` from
 * inside another coroutine (a resume from a coroutine, whose own state and side
 * stack are saved and restored). Count with Valgrind, at two N (the difference
 * divided by the difference of N is one round trip, start-up cancels out):
 *
 *   valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
 *       build/bench/switch_icount 100000      (and 200000: the "I refs" line)
 *
 * Linked like gs_bench (the instrumented objects, their thunks, the runtime);
 * this file itself is plain C, and the default mode (contiguous, shrinking on)
 * applies. */
#include <growstack.h>
#include <stdio.h>
#include <stdlib.h>

#include "workloads/kernels.h"

static long rounds;

static void run(gs_handle h)
{
    for (long i = 0; i < rounds; i++)
        if (gs_resume(h))
            abort();
}

static void *nester(void *arg)
{
    run(*(gs_handle *)arg);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: switch_icount N [nested]\n");
        return 2;
    }
    rounds = atol(argv[1]);
    static struct gs_job job = {.kind = GS_JOB_PARK};
    gs_handle h = gs_spawn(gs_bench_worker, &job);
    if (!h || gs_resume(h)) /* to its first gs_yield: every counted round is alike */
        return 1;
    if (argc > 2) {
        gs_handle n = gs_spawn(nester, &h);
        if (!n || gs_join(n, NULL))
            return 1;
    } else {
        run(h);
    }
    printf("%ld round trips\n", rounds);
    return 0;
}

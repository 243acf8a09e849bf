/* switch_icount.c - a fixed number of gs_resume + gs_yield round trips, for
 * counting the instructions of one deterministically (issue 13: BM_Switch's
 * timings vary by +-20-30 % on a shared VM; instruction counts do not).
 *
 *   switch_icount N [nested]
 *
 * resumes a coroutine that does nothing but gs_yield N times, from the thread's
 * own stack, or with `nested` from inside another coroutine (a resume from a
 * coroutine, whose own state and side stack are saved and restored). Count with
 * Valgrind, at two N (the difference divided by the difference of N is one
 * round trip, start-up cancels out):
 *
 *   valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
 *       build/bench/switch_icount 100000      (and 200000: the "I refs" line)
 *
 * Plain C linked with the runtime, like tests/runtime: nothing here is
 * instrumented, and the default mode (contiguous, shrinking on) applies. */
#include <growstack.h>
#include <stdio.h>
#include <stdlib.h>

static void *ponger(void *arg)
{
    (void)arg;
    for (;;)
        gs_yield();
    return NULL;
}

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
    gs_handle h = gs_spawn(ponger, NULL);
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

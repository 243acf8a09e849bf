/* ucontext_threads.c - makecontext stacks on several threads at once, with
 * deep recursion of side frames inside the contexts (protocol.md 7.4): each
 * context's side stack grows over many chunks of its own while the other
 * contexts and the thread's coroutine keep theirs, and every escaping local
 * is checked after the switches around it. */
#include "e2e.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <ucontext.h>

#define NTHREADS 2
#define NCTX 2
#define STACK_BYTES (1024 * 1024)
#define DEPTH 3000

struct ring {
    ucontext_t home, ctx[NCTX];
    char *stack[NCTX];
    int id;
    long sum;
};

static int *volatile sink[NTHREADS]; /* makes the locals escape */

/* At the bottom of the recursion, switch on (to the next context or home);
 * every level's local must be intact when the recursion unwinds. */
__attribute__((noinline)) static long down(struct ring *r, int i, int d, int seed)
{
    int mine[6];
    for (int k = 0; k < 6; k++)
        mine[k] = seed + d * 7 + k;
    sink[r->id] = mine;
    long below = 0;
    if (d > 0)
        below = down(r, i, d - 1, seed);
    else
        E2E_CHECK(swapcontext(&r->ctx[i], i + 1 < NCTX ? &r->ctx[i + 1] : &r->home) == 0);
    for (int k = 0; k < 6; k++)
        if (mine[k] != seed + d * 7 + k)
            return -1000000;
    return below + mine[5] - mine[4];
}

static struct ring *ring_of(int lo, int hi)
{
    return (struct ring *)(((uintptr_t)(unsigned)hi << 32) | (unsigned)lo);
}

/* Context 0: six recursions, each deeper than the last (so that, on one
 * side stack, it would run over context 1's frames below its previous
 * bottom), each switching to context 1 at its bottom. */
static void ctx_first(int lo, int hi)
{
    struct ring *r = ring_of(lo, hi);
    for (int round = 0; round < 6; round++)
        r->sum += down(r, 0, DEPTH * (round + 1) / 6, round);
    /* Returns: uc_link is home. */
}

/* Context 1: recursions switching home at their bottom. */
static void ctx_second(int lo, int hi)
{
    struct ring *r = ring_of(lo, hi);
    for (int round = 0;; round++)
        r->sum += down(r, 1, DEPTH / 3, 100 + round);
}

static void *thread_main(void *arg)
{
    struct ring *r = arg;
    uintptr_t p = (uintptr_t)r;
    void (*fns[NCTX])(void) = {(void (*)(void))ctx_first, (void (*)(void))ctx_second};
    for (int i = 0; i < NCTX; i++) {
        r->stack[i] = malloc(STACK_BYTES);
        E2E_CHECK(r->stack[i] != NULL);
        E2E_CHECK(getcontext(&r->ctx[i]) == 0);
        r->ctx[i].uc_stack.ss_sp = r->stack[i];
        r->ctx[i].uc_stack.ss_size = STACK_BYTES;
        r->ctx[i].uc_link = &r->home;
        makecontext(&r->ctx[i], fns[i], 2, (int)(uint32_t)p, (int)(uint32_t)(p >> 32));
    }
    /* Home's own escaping local, held across all the switches. */
    int keep[4] = {r->id, 1, 2, 3};
    sink[r->id] = keep;
    /* Each switch to context 0 finishes a round of both contexts and starts
     * the next; the seventh lets context 0 return (uc_link: home) and leaves
     * context 1 at the bottom of its sixth recursion, abandoned. */
    for (int round = 0; round < 7; round++)
        E2E_CHECK(swapcontext(&r->home, &r->ctx[0]) == 0);
    E2E_CHECK(keep[0] == r->id && keep[3] == 3);
    return NULL;
}

int main(void)
{
    static struct ring rings[NTHREADS];
    pthread_t th[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        rings[t].id = t;
        E2E_CHECK(pthread_create(&th[t], NULL, thread_main, &rings[t]) == 0);
    }
    /* Every level of a finished recursion adds 1: context 0's six, context
     * 1's first five. */
    long want = 5 * (DEPTH / 3 + 1);
    for (int round = 0; round < 6; round++)
        want += DEPTH * (round + 1) / 6 + 1;
    for (int t = 0; t < NTHREADS; t++) {
        E2E_CHECK(pthread_join(th[t], NULL) == 0);
        E2E_EQ_LONG(rings[t].sum, want);
        for (int i = 0; i < NCTX; i++)
            free(rings[t].stack[i]);
    }
    return e2e_done("ucontext_threads");
}

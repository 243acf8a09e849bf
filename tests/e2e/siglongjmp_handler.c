/* siglongjmp_handler.c - a signal handler that leaves by siglongjmp to a
 * sigsetjmp of the coroutine it interrupted, as in plain C (a timeout, a
 * fault probe). The handler has side frames of its own and interrupts deep
 * recursion (grown, moved or split stacks); after each jump the coroutine's
 * escaping locals are intact, its stack grows again, and the runtime no longer
 * counts a handler as running: gs_fp_private(), which does nothing inside a
 * handler (docs/protocol.md 6.2), works again (before: the handler count the
 * jump skipped stayed up for good, so the thread's contexts kept sharing one
 * FP control state, and transparent mode's close() no longer woke the waiters
 * of the descriptor). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "e2e_fp.h"

static sigjmp_buf env;
static volatile int hits, armed;
static int *volatile sink;

static void handler(int sig)
{
    (void)sig;
    int local[16]; /* a side frame in the handler's area */
    memset(local, 1, sizeof local);
    sink = local;
    hits++;
    siglongjmp(env, 1);
}

__attribute__((noinline)) static long deep(int d)
{
    char pad[200];
    memset(pad, d, sizeof pad);
    if (d == 0) {
        if (armed)
            raise(SIGUSR1);
        return 0;
    }
    return deep(d - 1) + pad[7];
}

/* What deep(d) returns: each level adds its byte pattern. */
static long expected(int d)
{
    long sum = 0;
    for (int j = 1; j <= d; j++)
        sum += (signed char)j;
    return sum;
}

static void *jumps(void *arg)
{
    int rounds = (int)(long)arg;
    for (int r = 0; r < rounds; r++) {
        int keep[8];
        for (int k = 0; k < 8; k++)
            keep[k] = r + k;
        sink = keep;
        armed = 1;
        if (sigsetjmp(env, 1) == 0) {
            deep(150 * (r % 12) + 5);
            E2E_CHECK_MSG(0, "the handler did not jump");
        }
        armed = 0;
        for (int k = 0; k < 8; k++)
            E2E_EQ_LONG(keep[k], r + k);
        E2E_EQ_LONG(deep(40 * (r % 9)), expected(40 * (r % 9))); /* the stack works again */
    }
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    E2E_EQ_LONG(sigaction(SIGUSR1, &sa, NULL), 0);
    jumps((void *)40L); /* main's coroutine */
    gs_handle h = gs_spawn(jumps, (void *)25L);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    E2E_EQ_LONG(hits, 65);
    /* No handler runs now: the thread's FP control state can be made private. */
    E2E_EQ_LONG(after_unseen_change(), RC_DOWN); /* shared so far */
    gs_fp_private();
    E2E_EQ_LONG(after_unseen_change(), 0); /* private: the resumer's own */
    return e2e_done("siglongjmp_handler");
}

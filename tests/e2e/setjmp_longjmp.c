/* setjmp_longjmp - longjmp out of deep recursion back to setjmp points at
 * various depths, repeatedly; the stack must be usable again afterwards
 * (gs_stack_resync after setjmp returns, docs/protocol.md 5.6), locals marked
 * volatile must keep their values, sigsetjmp must restore the signal mask. */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <setjmp.h>
#include <signal.h>

static jmp_buf env;
static sigjmp_buf senv;

__attribute__((noinline)) static long dive(int depth, int jump_at, long acc)
{
    volatile char pad[64];
    const int ix = (int)(depth & 7); /* not constant: the array stays whole */
    pad[ix] = (char)depth;
    if (depth == jump_at)
        longjmp(env, (int)(acc % 1000) + 1);
    return dive(depth + 1, jump_at, acc + pad[ix]) + pad[ix];
}

__attribute__((noinline)) static long sdive(int depth, int jump_at)
{
    volatile char pad[48];
    const int ix = (int)(depth & 7); /* not constant: the array stays whole */
    pad[ix] = 1;
    if (depth == jump_at)
        siglongjmp(senv, 7);
    return sdive(depth + 1, jump_at) + pad[ix];
}

__attribute__((noinline)) static long plain_recurse(int depth)
{
    volatile char pad[100];
    const int ix = (int)(depth & 7); /* not constant: the array stays whole */
    pad[99 - ix] = 1;
    return depth <= 0 ? 0 : plain_recurse(depth - 1) + pad[99 - ix];
}

/* setjmp here, longjmp from depth `from` below. */
static void jump_from(int from)
{
    volatile int rounds = 0;
    volatile long local = 12345;
    int rc = setjmp(env);
    if (rc == 0) {
        local = 54321;
        dive(0, from, 0);
        e2e_fail(__FILE__, __LINE__, "dive(%d) returned instead of jumping", from);
    }
    rounds++;
    long want = 0;
    for (int d = 0; d < from; d++)
        want += (char)d;
    E2E_EQ_LONG(rc, want % 1000 + 1);
    E2E_EQ_LONG(local, 54321);
    E2E_EQ_LONG(rounds, 1);
    /* The stack is fine after the jump. */
    E2E_EQ_LONG(plain_recurse(from + 100), from + 100);
}

static void check(void *arg)
{
    (void)arg;
    jump_from(0);
    jump_from(1);
    jump_from(50);
    jump_from(700);
}

/* setjmp at depth `at`, jump back from much deeper. */
__attribute__((noinline)) static void set_at(int at, int from)
{
    volatile char pad[80];
    const int ix = (int)(at & 7); /* not constant: the array stays whole */
    pad[ix] = 0;
    if (at > 0) {
        set_at(at - 1, from);
        return;
    }
    jump_from(from + pad[ix]);
}

int main(void)
{
    e2e_at_depths(check, NULL);
    for (int i = 0; i < 200; i++)
        jump_from(3000 + i % 17);
    set_at(1000, 5000);

    /* sigsetjmp with the mask saved: siglongjmp restores it. */
    sigset_t block, cur;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    volatile int jumped = 0;
    if (sigsetjmp(senv, 1) == 0) {
        sigprocmask(SIG_BLOCK, &block, NULL);
        jumped = 1;
        sdive(0, 2000);
        e2e_fail(__FILE__, __LINE__, "sdive returned instead of jumping");
    }
    E2E_EQ_LONG(jumped, 1);
    sigprocmask(SIG_SETMASK, NULL, &cur);
    E2E_CHECK_MSG(!sigismember(&cur, SIGUSR1), "siglongjmp did not restore the signal mask");
    E2E_EQ_LONG(plain_recurse(10000), 10000);
    return e2e_done("setjmp_longjmp");
}

/* ucontext_switch.c - makecontext/swapcontext/setcontext in a gscc-built
 * program (protocol.md 7.4, runtime/ucx.c). A context started by makecontext
 * runs on the program's own stack, inside the external call of its switcher;
 * its side frames (locals whose address escapes) interleave with the
 * switcher's, so each makecontext stack needs a side stack of its own. Every
 * escaping local below is filled with a pattern before a switch and checked
 * after it, while the other side has returned from and called functions with
 * side frames of other sizes in between (before runtime/ucx.c: a local of the
 * context overwritten by one of main's). Home is main's coroutine and a
 * spawned one, recursing deep between switches (growth, moves, segments). */
#include "e2e.h"

#include <growstack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>

#define NCTX 3
#define STACK_BYTES (256 * 1024)

static ucontext_t home_ctx, ctx[NCTX], jump_back;
static char *stacks[NCTX];
static int *volatile sink; /* storing an address here makes the local escape */
static long finished, in_args;

static void fill(int *a, int n, int seed)
{
    for (int k = 0; k < n; k++)
        a[k] = seed * 1000 + k;
}

static int intact(const int *a, int n, int seed)
{
    for (int k = 0; k < n; k++)
        if (a[k] != seed * 1000 + k)
            return 0;
    return 1;
}

/* A side frame of n ints around a switch: the pattern must survive it. */
__attribute__((noinline)) static void hold_across(ucontext_t *from, ucontext_t *to, int seed)
{
    int mine[24];
    fill(mine, 24, seed);
    sink = mine;
    E2E_CHECK(swapcontext(from, to) == 0);
    E2E_CHECK_MSG(intact(mine, 24, seed), "a local of seed %d changed across a switch", seed);
}

/* Side frames of another size, so that either side's stale frames would be
 * overwritten by the other's new ones. */
__attribute__((noinline)) static long scribble(int depth, int seed)
{
    int big[64];
    fill(big, 64, -seed);
    sink = big;
    long r = depth > 0 ? scribble(depth - 1, seed + 1) : 0;
    E2E_CHECK(intact(big, 64, -seed));
    return r + big[3];
}

/* Plain recursion on the moving stack (growth, moves, segments). */
__attribute__((noinline)) static long dive(int d)
{
    volatile char pad[300];
    pad[d % 300] = (char)d;
    return d == 0 ? 0 : dive(d - 1) + (pad[d % 300] == (char)d);
}

/* Context i: switches to the next context (round robin), then home at the
 * end of each round, always with its own side frames live. */
static void ctx_main(int i, int a, int b)
{
    in_args += (long)i * 100 + a + b; /* arguments arrive */
    for (int round = 0; round < 20; round++) {
        scribble(round % 5, 7 * i + round);
        ucontext_t *next = i + 1 < NCTX ? &ctx[i + 1] : &home_ctx;
        hold_across(&ctx[i], next, 50 * i + round);
    }
    finished++;
    if (i + 1 < NCTX) {
        /* Abandoned here: made again on the same stack next pass. */
        E2E_CHECK(swapcontext(&ctx[i], &ctx[i + 1]) == 0);
        E2E_CHECK_MSG(0, "an abandoned context was resumed");
    }
    /* The last one returns: its uc_link is home's switch below. */
}

/* A context that leaves by setcontext to a getcontext'd point of home. */
static void leaver(void)
{
    int mine[8];
    fill(mine, 8, 9);
    sink = mine;
    scribble(3, 11);
    E2E_CHECK(setcontext(&jump_back) == 0); /* does not return */
}

static void make(int i, ucontext_t *link)
{
    E2E_CHECK(getcontext(&ctx[i]) == 0);
    ctx[i].uc_stack.ss_sp = stacks[i];
    ctx[i].uc_stack.ss_size = STACK_BYTES;
    ctx[i].uc_link = link;
    makecontext(&ctx[i], (void (*)(void))ctx_main, 3, i, 10 * i, 20 * i);
}

static void *home(void *arg)
{
    int depth = (int)(intptr_t)arg;
    for (int pass = 0; pass < 2; pass++) {
        finished = in_args = 0;
        /* The last context returns to home at its end (uc_link); the
         * others are abandoned after their rounds, then made again next
         * pass on the same stacks (their records replaced). */
        for (int i = 0; i < NCTX; i++)
            make(i, i + 1 == NCTX ? &home_ctx : NULL);
        for (int round = 0; round < 20; round++) {
            hold_across(&home_ctx, &ctx[0], 500 + round);
            E2E_EQ_LONG(dive(depth * (round % 4)), depth * (round % 4));
            scribble(round % 7, 900 + round);
        }
        /* The contexts are each at their last switch: run them to the end. */
        hold_across(&home_ctx, &ctx[0], 777);
        E2E_EQ_LONG(finished, NCTX);
        E2E_EQ_LONG(in_args, 0 + 100 + 30 + 200 + 60);
    }
    /* setcontext back to a getcontext'd point of home. */
    volatile int left = 0;
    int keep[8];
    fill(keep, 8, 4);
    sink = keep;
    E2E_CHECK(getcontext(&jump_back) == 0);
    if (!left) {
        left = 1;
        E2E_CHECK(getcontext(&ctx[0]) == 0);
        ctx[0].uc_stack.ss_sp = stacks[0];
        ctx[0].uc_stack.ss_size = STACK_BYTES;
        ctx[0].uc_link = NULL;
        makecontext(&ctx[0], leaver, 0);
        E2E_CHECK(swapcontext(&home_ctx, &ctx[0]) == 0);
        E2E_CHECK_MSG(0, "swapcontext to the leaver returned");
    }
    E2E_CHECK(intact(keep, 8, 4));
    E2E_EQ_LONG(scribble(9, 31), scribble(9, 31));
    return NULL;
}

int main(void)
{
    for (int i = 0; i < NCTX; i++) {
        stacks[i] = malloc(STACK_BYTES);
        E2E_CHECK(stacks[i] != NULL);
    }
    home((void *)(intptr_t)400); /* on main's coroutine */
    gs_handle h = gs_spawn(home, (void *)(intptr_t)2000);
    E2E_EQ_LONG(gs_join(h, NULL), 0);
    for (int i = 0; i < NCTX; i++)
        free(stacks[i]);
    return e2e_done("ucontext_switch");
}

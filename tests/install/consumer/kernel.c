/* kernel.c - instrumented (growstack_instrument or gscc): a recursion that
 * needs about 2 MiB of stack, far more than a coroutine's first 2 KiB. */
#include <growstack.h>
#include <stdio.h>

#include "kernel.h"

long kernel_deep(long depth)
{
    volatile char pad[200];
    pad[depth % 200] = (char)depth;
    long r = depth ? kernel_deep(depth - 1) + 1 : 0;
    return pad[depth % 200] == (char)depth ? r : -1000000;
}

void *kernel_job(void *arg)
{
    return (void *)kernel_deep(*(long *)arg);
}

int kernel_check(const char *who)
{
    struct gs_config c;
    struct gs_stats st;
    gs_config_get(&c);
    gs_stats_get(&st);
    int grew = st.splits + st.moves > 0;
    int ok = c.mode == GS_MODE_FIXED || grew;
    printf("%s: mode %d, splits %llu, moves %llu: %s\n", who, (int)c.mode,
           (unsigned long long)st.splits, (unsigned long long)st.moves,
           ok ? "ok" : "FAILED (the stack did not grow)");
    return ok ? 0 : 1;
}

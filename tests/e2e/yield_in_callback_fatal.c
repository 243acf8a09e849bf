/* yield_in_callback_fatal - a qsort comparator (instrumented code called back
 * by uninstrumented qsort, on the system stack) that calls gs_yield(): the
 * coroutine's stack is not the one in use, so the runtime must stop the
 * program with SIGABRT and one line naming the callback that yields and the
 * external function it runs in (docs/protocol.md 4.2: "Yielding while
 * ext_target is set is a fatal error"; docs/usage.md: "naming the function"):
 *
 *   growstack: gs_yield called by cmp_yield+0x.. on the system stack of thread 0,
 *   inside qsort (...)
 *
 * Registered through tests/run_expect.sh (status and stderr), in each
 * configuration. qsort is called a few frames deep in a coroutine, after the
 * coroutine has yielded once normally (which must work). */
#include "e2e.h" /* first: it sets _GNU_SOURCE */

#include <growstack.h>

static int calls;

static int cmp_yield(const void *a, const void *b)
{
    if (++calls == 3)
        gs_yield(); /* fatal: never returns */
    return *(const int *)a - *(const int *)b;
}

__attribute__((noinline)) static int sort_at(int depth)
{
    volatile int pad = depth;
    if (depth > 0)
        return sort_at(depth - 1) + pad - depth;
    int v[16];
    for (int i = 0; i < 16; i++)
        v[i] = (i * 7) % 16;
    qsort(v, 16, sizeof v[0], cmp_yield);
    return v[0];
}

static void *body(void *arg)
{
    (void)arg;
    gs_yield(); /* a normal yield: fine */
    return (void *)(long)sort_at(50);
}

int main(void)
{
    gs_handle h = gs_spawn(body, NULL);
    if (!h) {
        perror("gs_spawn");
        return 3;
    }
    gs_join(h, NULL);
    fprintf(stderr, "yield_in_callback_fatal: the yield in the comparator returned\n");
    return 4;
}

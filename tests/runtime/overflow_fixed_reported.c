/* An uninstrumented recursion that exhausts a fixed stack hits the guard page;
 * the runtime reports the coroutine, the mode and the limit instead of a bare
 * SIGSEGV. Run as a subprocess; the test matches stderr and the abort. */
#include <growstack.h>
#include <stdio.h>

__attribute__((noinline)) static int recurse(int n)
{
    volatile char pad[256];
    pad[0] = (char)n;
    return recurse(n + 1) + pad[0];
}

static void *deep(void *arg)
{
    (void)arg;
    return (void *)(long)recurse(0);
}

int main(void)
{
    gs_handle h = gs_spawn_with(deep, NULL, &(struct gs_spawn_attr){.name = "deep"});
    gs_join(h, NULL);
    puts("not reached");
    return 0;
}

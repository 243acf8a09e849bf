/* dlopen_side_lib - an instrumented shared library (gscc -shared) with side
 * frames and calls of the C library, loaded with dlopen by
 * tests/e2e/dlopen_side.c: it refers to the executable's __gs_side
 * (initial-exec TLS), __gs_side_alloc, and through its thunks to __gs_tramp
 * and __gs_thunk_resolve(_leaf), which the executable must export
 * (docs/protocol.md 4.1) although nothing in it names them when it is linked.
 * (The thunks' resolver was not exported: such a library did not load,
 * "undefined symbol: __gs_thunk_resolve", as gawk's extensions built by gscc.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int *volatile dlopen_side_sink;

__attribute__((visibility("default"))) long dlopen_side_escape(int depth)
{
    int x = depth;
    dlopen_side_sink = &x; /* escapes: a side frame */
    long r = depth == 0 ? 0 : dlopen_side_escape(depth - 1);
    return r + x; /* x kept its value while the stack moved around it */
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The C library from the library: snprintf (the trampoline), malloc (a
 * measured leaf), qsort calling back into instrumented code, at depth. */
__attribute__((visibility("default"))) long dlopen_side_libc(int depth)
{
    if (depth > 0)
        return dlopen_side_libc(depth - 1);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%d-%s", 42, "x");
    long *v = malloc(100 * sizeof *v);
    if (!v)
        return -1;
    for (int i = 0; i < 100; i++)
        v[i] = (i * 37) % 100;
    qsort(v, 100, sizeof *v, cmp_long);
    long r = n == 4 && strcmp(buf, "42-x") == 0 ? v[0] + v[99] : -2;
    free(v);
    return r;
}
